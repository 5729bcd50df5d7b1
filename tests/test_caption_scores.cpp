// models/caption_scores.hpp: chapter 06's measures of a caption-conditioned generator — class and
// tone coherence (overall and per caption), diversity and FD — checked against their definitions
// with samplers whose answers are known: n copies of one image per caption, and fresh noise.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include <mmgen/core/ops.hpp>
#include <mmgen/io/captions.hpp>
#include <mmgen/io/checkpoint.hpp>
#include <mmgen/models/caption_scores.hpp>
#include <mmgen/models/cnn_classifier.hpp>
#include <mmgen/report/metrics.hpp>

#include "support.hpp"

using namespace mmgen;

namespace {
// The index k of a comparison caption (2 · class + tone) from its ids.
std::size_t caption_index(const std::vector<std::size_t>& ids) {
    const auto captions = models::comparison_captions();
    for (std::size_t k = 0; k < captions.size(); ++k)
        if (std::equal(ids.begin(), ids.end(), captions[k].tokens.begin())) return k;
    FAIL("not a comparison caption");
    return 0;
}
}  // namespace

TEST_CASE("caption scores: per-caption coherences average to the overall ones; copies have no diversity",
          "[cgan][scores]") {
    test::TempDir tmp("caption_scores");
    Rng rng(21);
    models::CnnClassifier cnn(rng);  // an untrained CNN judges: the measures do not depend on its skill
    save_module(models::evaluator_path(tmp.path, true), cnn, {{"test_accuracy", "0.5"}, {"evaluator", "cnn"}});
    auto evaluator = models::Evaluator::load_or_train(tmp.path, tmp.path / "no-data-needed", true);
    models::CaptionReference real;
    real.real_spread.assign(20, 2.0);
    real.medians.fill(0.5);  // "dark" below a mean grey level of 0.5 for every class

    const Tensor pool = Tensor::uniform({20, 784}, rng, 0, 1);  // one image per caption, (20, 784)
    const auto captions = models::comparison_captions();
    const std::size_t n = 6;

    SECTION("n copies of one image per caption") {
        const models::CaptionSampler copies = [&](const std::vector<std::size_t>& ids, std::size_t count, Rng&) {
            return concat(std::vector<Tensor>(count, slice_rows(pool, caption_index(ids), caption_index(ids) + 1)), 0);
        };
        std::vector<Tensor> all;
        for (std::size_t k = 0; k < 20; ++k) all.push_back(concat(std::vector<Tensor>(n, slice_rows(pool, k, k + 1)), 0));
        const Moments reference = mean_and_covariance(evaluator.features(concat(all, 0)));  // the samples' own
        Rng score_rng(3);
        const auto s = models::score_caption_conditioned(evaluator, copies, reference, real, n, score_rng, 2);

        REQUIRE(s.samples == 20 * n);
        REQUIRE(s.class_coherence_per_caption.size() == 20);
        REQUIRE(s.tone_coherence_per_caption.size() == 20);
        const auto labels = evaluator.classify(pool);
        const Tensor grey = mean(pool, 1);  // (20)
        double class_sum = 0, tone_sum = 0;
        for (std::size_t k = 0; k < 20; ++k) {
            INFO("caption " << k);
            const double right_class = labels[k] == captions[k].label ? 1 : 0;
            const double right_tone = data::tone_of(grey.data()[k], captions[k].label, real.medians) == captions[k].tone;
            CHECK(s.class_coherence_per_caption[k] == right_class);
            CHECK(s.tone_coherence_per_caption[k] == right_tone);
            // n copies: every pair at distance 0, up to the GEMM rounding identical rows apart
            CHECK(s.diversity_per_caption[k] == Approx(0).margin(1e-5));
            class_sum += right_class, tone_sum += right_tone;
        }
        CHECK(s.class_coherence == Approx(class_sum / 20));
        CHECK(s.tone_coherence == Approx(tone_sum / 20));
        CHECK(s.diversity == Approx(0).margin(1e-5));
        CHECK(s.fd == Approx(0).margin(1e-3));  // the samples against their own moments
        CHECK(s.first_samples.dim(0) == 20 * 2);
    }
    SECTION("fresh noise per caption: diversity is its spread over the real spread") {
        std::vector<Tensor> drawn(20);
        const models::CaptionSampler noise = [&](const std::vector<std::size_t>& ids, std::size_t count, Rng& r) {
            const Tensor images = Tensor::uniform({count, 784}, r, 0, 0.4);  // dark for every class
            drawn[caption_index(ids)] = images;
            return images;
        };
        const Moments reference = mean_and_covariance(evaluator.features(pool));
        Rng score_rng(4);
        const auto s = models::score_caption_conditioned(evaluator, noise, reference, real, n, score_rng);
        double diversity = 0;
        for (std::size_t k = 0; k < 20; ++k) {
            const double expected = models::mean_pairwise_distance(evaluator.features(drawn[k])) / 2.0;
            CHECK(s.diversity_per_caption[k] == Approx(expected));
            CHECK(s.diversity_per_caption[k] > 0);
            CHECK(s.tone_coherence_per_caption[k] == (captions[k].tone == data::Tone::dark ? 1 : 0));
            diversity += expected;
        }
        CHECK(s.diversity == Approx(diversity / 20));
        CHECK(s.tone_coherence == Approx(0.5));  // every image dark: the dark half of the captions right
        CHECK(s.fd > 0);
    }
}
