// Chapter 04's coherences (models::coherence) on a model wired by hand, whose answers are known
// before it runs: class c's code is the latent axis c; the image decoder lights pixel
// drawn_as[c] for it, and the judge reads the class off the brightest of pixels 0…9. Wired
// right, every caption gives an image of its class and every prior sample agrees with itself;
// with coats drawn as pullovers and pullovers as coats, exactly the coat and pullover captions
// fail, and a prior sample fails when its largest coordinate is one of those two (1 in 5).
#include <algorithm>
#include <array>
#include <map>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <mmgen/io/captions.hpp>
#include <mmgen/models/mvae_eval.hpp>

#include "support.hpp"

using namespace mmgen;
using Catch::Matchers::WithinAbs;

namespace {

constexpr std::size_t kClasses = data::kNumClasses, kLength = data::kCaptionLength;
constexpr std::size_t kLatent = 16, kWidth = 16;  // latent axes 0…9 are the classes, the rest unused
constexpr real kConfident = -20;                   // every expert's log σ²: the prior's share is e^(−20)

using Wiring = std::array<std::size_t, kClasses>;  // drawn_as[c]: the pixel lit for class c's code

Wiring identity_wiring() {
    Wiring w;
    for (std::size_t c = 0; c < kClasses; ++c) w[c] = c;
    return w;
}

models::MvaeConfig wired_config(std::size_t vocabulary) {
    return {784, kWidth, kLatent, vocabulary, kLength, kWidth, kWidth};
}

// Sets every weight of m (built with wired_config) by hand, all others 0; see the file comment.
void wire(models::Mvae& m, const Wiring& drawn_as, const std::vector<data::Caption>& grammar, std::size_t vocabulary) {
    std::map<std::string, Tensor> p;
    for (auto& [name, t] : m.named_parameters()) {
        std::fill(t.data().begin(), t.data().end(), real(0));
        p.emplace(name, t);
    }
    auto set = [&](const std::string& name, std::size_t row, std::size_t col, real v) {
        Tensor& t = p.at(name);
        t.data()[row * t.dim(1) + col] = v;
    };
    auto set_bias = [&](const std::string& name, std::size_t i, real v) { p.at(name).data()[i] = v; };
    auto identity = [&](const std::string& layer, real shift) {  // h_j = z_j + shift
        for (std::size_t j = 0; j < kWidth; ++j) set(layer + ".weight", j, j, 1), set_bias(layer + ".bias", j, shift);
    };
    for (std::size_t j = 0; j < kLatent; ++j)  // both experts: log σ² = −20 on every axis
        set_bias("image_encoder.4.bias", kLatent + j, kConfident), set_bias("text_encoder.2.bias", kLatent + j, kConfident);
    // image expert: pixel c lit → μ = 8 e_c
    for (std::size_t c = 0; c < kClasses; ++c) set("image_encoder.0.weight", c, c, 1);
    identity("image_encoder.2", 0);
    for (std::size_t c = 0; c < kClasses; ++c) set("image_encoder.4.weight", c, c, 8);
    // text expert: every word naming class c (any position) adds 1 to axis c → μ = 4 · (words) e_c
    for (const auto& caption : grammar)
        for (std::size_t pos = 1; pos < kLength; ++pos)
            if (caption.tokens[pos] != 0) set("word_embedding.weight", pos * vocabulary + caption.tokens[pos], caption.label, 1);
    for (std::size_t pos = 0; pos < kLength; ++pos)
        for (std::size_t c = 0; c < kClasses; ++c) set("text_encoder.0.weight", c, pos * kWidth + c, 1);
    for (std::size_t c = 0; c < kClasses; ++c) set("text_encoder.2.weight", c, c, 4);
    // image decoder: logit of pixel drawn_as[c] = z_c, every other pixel −10
    identity("image_decoder.0", 10);
    identity("image_decoder.2", 0);
    for (std::size_t pixel = 0; pixel < 784; ++pixel) set_bias("image_decoder.4.bias", pixel, -10);
    for (std::size_t c = 0; c < kClasses; ++c) set("image_decoder.4.weight", drawn_as[c], c, 1);
    // text decoder: at position 1 every word naming class c has logit 5 z_c; other positions uniform
    identity("text_decoder.0", 10);
    for (const auto& caption : grammar) {
        const std::size_t row = 1 * vocabulary + caption.tokens[1];
        set("text_decoder.2.weight", row, caption.label, 5), set_bias("text_decoder.2.bias", row, -50);
    }
    m.eval();
}

// The judge: the class is the brightest of pixels 0…9.   images (N, 784) → N labels
std::vector<std::size_t> brightest_pixel(const Tensor& images) {
    std::vector<std::size_t> classes(images.dim(0));
    for (std::size_t i = 0; i < classes.size(); ++i) {
        const auto row = images.data().subspan(i * 784, kClasses);
        classes[i] = std::size_t(std::max_element(row.begin(), row.end()) - row.begin());
    }
    return classes;
}

// n pairs with random labels (not periodic, so a batch offset shows); image i lights pixel
// lit[label]; its caption is a random one of the grammar's for the label.
models::CaptionedImages test_pairs(std::size_t n, const Wiring& lit, const std::vector<data::Caption>& grammar, Rng& rng) {
    models::CaptionedImages t;
    t.images.n = t.n = n, t.images.rows = t.images.cols = 28;
    t.images.images.assign(n * 784, 0);
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t label = rng.below(kClasses);
        t.images.labels.push_back(std::uint8_t(label));
        t.images.images[i * 784 + lit[label]] = 255;
        std::vector<const data::Caption*> options;
        for (const auto& c : grammar)
            if (c.label == label) options.push_back(&c);
        t.captions.push_back(*options[rng.below(options.size())]);
    }
    return t;
}

double fraction_with_label(const models::CaptionedImages& t, std::initializer_list<std::size_t> labels) {
    std::size_t count = 0;
    for (std::size_t i = 0; i < t.n; ++i) count += std::count(labels.begin(), labels.end(), t.images.labels[i]) > 0;
    return double(count) / double(t.n);
}

}  // namespace

TEST_CASE("coherences of a hand-wired model are the fractions its wiring implies", "[ch04][mvae]") {
    const data::Tokenizer tok;
    const auto grammar = data::all_captions(tok);
    Rng rng(12);
    Wiring lit = identity_wiring();
    lit[7] = 8;  // sneakers' images light the bag pixel: their captions from images say "bag"
    const auto test = test_pairs(2500, lit, grammar, rng);  // 2500: three batches of coherence's 1000
    std::array<double, kClasses> medians;
    medians.fill(0.5);
    const models::ImageJudge judge = brightest_pixel;
    const double sneakers = fraction_with_label(test, {7});

    SECTION("wired right: every caption draws its class and every prior sample agrees") {
        models::Mvae m(wired_config(tok.size()), rng);
        wire(m, identity_wiring(), grammar, tok.size());
        const auto k = models::coherence(m, judge, test, medians, grammar, test.n, 10000, rng);
        REQUIRE_THAT(k.text_to_image, WithinAbs(1.0, 1e-12));
        REQUIRE_THAT(k.joint, WithinAbs(1.0, 1e-12));
        REQUIRE_THAT(k.caption, WithinAbs(1.0 - sneakers, 1e-12));
    }
    SECTION("coats drawn as pullovers and pullovers as coats: below the 0.85 target of text → image") {
        Wiring swapped = identity_wiring();
        std::swap(swapped[2], swapped[4]);
        models::Mvae m(wired_config(tok.size()), rng);
        wire(m, swapped, grammar, tok.size());
        const auto k = models::coherence(m, judge, test, medians, grammar, test.n, 10000, rng);
        const double expected = 1.0 - fraction_with_label(test, {2, 4});
        INFO("coat and pullover pairs: " << 1.0 - expected);
        REQUIRE_THAT(k.text_to_image, WithinAbs(expected, 1e-12));
        REQUIRE(k.text_to_image < 0.85);
        // P(the largest of 10 independent normals is axis 2 or 4) = 1/5; 10,000 samples: sd 0.004
        REQUIRE_THAT(k.joint, WithinAbs(0.8, 0.016));
        REQUIRE_THAT(k.caption, WithinAbs(1.0 - sneakers, 1e-12));  // the image → text path is untouched
    }
}
