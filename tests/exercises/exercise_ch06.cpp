// The checks of chapter 06's exercises (chapters/06_cross_modal_gans/exercises/). Each checker also has a
// "must fail" case that feeds it a wrong version; exercise 6.5 is a measurement, the same in both builds.
#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <type_traits>
#include <vector>

#include <catch2/catch.hpp>

#include <mmgen/core/gradcheck.hpp>
#include <mmgen/core/ops.hpp>
#include <mmgen/models/caption_scores.hpp>
#include <mmgen/models/cgan.hpp>
#include <mmgen/models/conv_vae.hpp>
#include <mmgen/models/dcgan.hpp>
#include <mmgen/core/random.hpp>
#include <mmgen/models/gan.hpp>
#include <mmgen/models/module_guards.hpp>
#include <mmgen/models/vae_gan.hpp>
#include <mmgen/nn/distributions.hpp>
#include <mmgen/nn/losses.hpp>

#include "exercises.hpp"

using namespace mmgen;

namespace {

// The largest |a − b| over two tensors' values.
double largest_difference(const Tensor& a, const Tensor& b) {
    double largest = 0;
    for (std::size_t i = 0; i < a.numel(); ++i) largest = std::max(largest, double(std::abs(a.at(i) - b.at(i))));
    return largest;
}

// The tensor's gradient as a tensor of its shape (zeros when none has reached it).
Tensor gradient_of(const Tensor& t) {
    if (!t.has_grad()) return Tensor::zeros(t.shape());
    return Tensor::from_data(t.shape(), {t.grad().begin(), t.grad().end()});
}

// --- 6.1 the projection logit --------------------------------------------------------------------

using Logit = std::function<Tensor(const Tensor& phi, const Tensor& w_psi, const Tensor& b_psi, const Tensor& e)>;

// "" when `logit` is ψ(φ) + ⟨e, φ⟩: the README's worked example, ConditionalDiscriminator's own logits
// from its φ, ψ and e_D, the gradients ∂r/∂φ = w_ψ + e and ∂r/∂e = φ, and central differences.
std::string logit_problem(const Logit& logit) {
    // the worked example: φ · w_ψ + b = 0.5 − 2 + 0.1 = −1.4, ⟨e, φ⟩ = 2 + 1 = 3
    const Tensor one = logit(Tensor::from_data({1, 2}, {1, 2}), Tensor::from_data({1, 2}, {0.5, -1}),
                             Tensor::from_data({1}, {0.1}), Tensor::from_data({1, 2}, {2, 0.5}));
    if (one.shape() != Shape{1, 1}) return "one image: the logits have shape " + one.shape_str() + ", expected (1, 1)";
    if (!(std::abs(one.item() - 1.6) < 1e-12))
        return "φ = (1, 2), w_ψ = (0.5, −1), b = 0.1, e = (2, 0.5): " + std::to_string(one.item()) + ", expected 1.6";

    Rng rng(61);
    models::CganConfig config;
    config.embedding = 4, config.features = 6, config.discriminator_channels = 2;
    models::ConditionalDiscriminator d(config, rng);
    const Tensor x = Tensor::uniform({3, 784}, rng, -1, 1);                        // (B, 784)
    const std::vector<std::size_t> tokens{3, 8, 0, 0, 4, 12, 13, 0, 0, 9, 0, 2};  // (B · 4)
    const Tensor expected = d(x, tokens);                                          // (B, 1)
    const Tensor got = logit(d.features(x), d.psi->weight, d.psi->bias, d.caption->encode(tokens));
    if (got.shape() != expected.shape()) return "the logits have shape " + got.shape_str() + ", expected (3, 1)";
    if (!(largest_difference(got, expected) < 1e-12))
        return "ConditionalDiscriminator's φ, ψ and e_D(y) of 3 images: logits differ from the model's by " +
               std::to_string(largest_difference(got, expected));

    const Tensor phi = Tensor::uniform({3, 5}, rng, -1, 1, true), w = Tensor::uniform({1, 5}, rng, -1, 1, true);
    const Tensor b = Tensor::uniform({1}, rng, -1, 1, true), e = Tensor::uniform({3, 5}, rng, -1, 1, true);
    const Tensor r = logit(phi, w, b, e);  // (3, 1)
    if (!r.requires_grad()) return "the logits carry no graph: write them with the library's ops";
    r.backward(Tensor::ones({3, 1}));
    const Tensor dphi = gradient_of(phi), de = gradient_of(e);
    for (std::size_t row = 0; row < 3; ++row)
        for (std::size_t j = 0; j < 5; ++j) {
            const std::string at = "row " + std::to_string(row) + ", feature " + std::to_string(j) + ": ";
            if (!(std::abs(dphi.at(row, j) - (w.at(0, j) + e.at(row, j))) < 1e-12))
                return at + "∂r/∂φ = " + std::to_string(dphi.at(row, j)) + ", expected w_ψ + e(y) = " +
                       std::to_string(w.at(0, j) + e.at(row, j));
            if (!(std::abs(de.at(row, j) - phi.at(row, j)) < 1e-12))
                return at + "∂r/∂e = " + std::to_string(de.at(row, j)) + ", expected φ = " +
                       std::to_string(phi.at(row, j));
        }
    const auto result = gradcheck("projection logit",
                                  [&logit](const std::vector<Tensor>& in) { return logit(in[0], in[1], in[2], in[3]); },
                                  {phi, w, b, e}, rng);
    return result.ok ? "" : result.message;
}

// --- 6.2 the optimal conditional discriminator on tables ----------------------------------------

using Value = std::function<double(const Tensor& q, const Tensor& p)>;

// Σ q log D + p log(1 − D) over the cells, a zero weight counting 0.
double value_of(const Tensor& q, const Tensor& p, const Tensor& d) {
    double v = 0;
    for (std::size_t i = 0; i < q.numel(); ++i) {
        if (q.at(i) > 0) v += double(q.at(i)) * std::log(double(d.at(i)));
        if (p.at(i) > 0) v += double(p.at(i)) * std::log(1 - double(d.at(i)));
    }
    return v;
}

// JSD(q ‖ p) = ½ KL(q ‖ m) + ½ KL(p ‖ m), m = (q + p)/2, straight from its definition.
double jensen_shannon(const Tensor& q, const Tensor& p) {
    double js = 0;
    for (std::size_t i = 0; i < q.numel(); ++i) {
        const double a = q.at(i), b = p.at(i), m = (a + b) / 2;
        if (a > 0) js += 0.5 * a * std::log(a / m);
        if (b > 0) js += 0.5 * b * std::log(b / m);
    }
    return js;
}

// A random joint table (X, Y) with positive entries summing to 1.
Tensor random_table(std::size_t rows, std::size_t cols, Rng& rng) {
    std::vector<real> v = Tensor::uniform({rows * cols}, rng, 0.05, 1).to_vector();
    double total = 0;
    for (real x : v) total += x;
    for (real& x : v) x = real(x / total);
    return Tensor::from_data({rows, cols}, v);
}

// "" when `value` is V(D*, G) = −log 4 + 2 JSD(q ‖ p): on equal tables, on tables whose marginals
// agree and whose pairings differ, on random tables, above V(D) of 200 other D's, and on disjoint supports.
std::string value_problem(const Value& value) {
    const double log4 = std::log(4.0);
    Rng rng(62);
    const Tensor same = random_table(3, 4, rng);
    if (const double v = value(same, same); !(std::abs(v + log4) < 1e-12))
        return "q = p: V(D*) = " + std::to_string(v) + ", expected −log 4 = −1.386294";
    // the images alike (p(x) = q(x) = ½) and the captions alike (p(y) = q(y) = ½), but G pairs
    // image 0 mostly with caption 1: only D(x, y) can see it
    const Tensor q = Tensor::from_data({2, 2}, {0.4, 0.1, 0.1, 0.4});
    const Tensor p = Tensor::from_data({2, 2}, {0.1, 0.4, 0.4, 0.1});
    if (const double v = value(q, p), expected = -log4 + 2 * jensen_shannon(q, p); !(std::abs(v - expected) < 1e-12))
        return "equal marginals, different pairings (q = [.4 .1; .1 .4], p = [.1 .4; .4 .1]): V(D*) = " +
               std::to_string(v) + ", expected −log 4 + 2 JSD = " + std::to_string(expected) + " — does D* look at y?";
    for (int trial = 0; trial < 3; ++trial) {
        const Tensor a = random_table(4, 5, rng), b = random_table(4, 5, rng);
        const double v = value(a, b), expected = -log4 + 2 * jensen_shannon(a, b);
        if (!(std::abs(v - expected) < 1e-12))
            return "random 4 × 5 tables (trial " + std::to_string(trial) + "): V(D*) = " + std::to_string(v) +
                   ", expected −log 4 + 2 JSD = " + std::to_string(expected);
    }
    const Tensor a = random_table(4, 5, rng), b = random_table(4, 5, rng);
    const double best = value(a, b);
    for (int trial = 0; trial < 200; ++trial) {
        const double other = value_of(a, b, Tensor::uniform({4, 5}, rng, 0.01, 0.99));
        if (!(best >= other - 1e-12))
            return "a random D reaches V(D) = " + std::to_string(other) + " above V(D*) = " + std::to_string(best);
    }
    // disjoint supports: D* = 1 on q's cells and 0 on p's, JSD = log 2, V = 0
    const Tensor left = Tensor::from_data({2, 2}, {0.5, 0, 0, 0.5});
    const Tensor right = Tensor::from_data({2, 2}, {0, 0.5, 0.5, 0});
    if (const double v = value(left, right); !(std::abs(v) < 1e-12))
        return "disjoint supports (q = [.5 0; 0 .5], p = [0 .5; .5 0]): V(D*) = " + std::to_string(v) +
               ", expected 0 (JSD = log 2; a cell of weight 0 counts 0)";
    return "";
}

// --- 6.3 the caption's mean word embedding -------------------------------------------------------

using CodeMean =
    std::function<Tensor(const Tensor& embeddings, const std::vector<std::size_t>& tokens, std::size_t length)>;

// "" when `code_mean` is CaptionEncoder's mean of the non-<pad> words: the encoder's own e(y) with
// the identity as its Linear, the same code for the same words in any order and padding, and
// central differences with respect to the word table.
std::string code_mean_problem(const CodeMean& code_mean) {
    Rng rng(63);
    models::CaptionEncoder encoder(21, 4, 5, 5, rng);  // V = 21 words, L = 4, E = 5, out = E
    encoder.mix->weight = Tensor::zeros({5, 5});
    for (std::size_t j = 0; j < 5; ++j) encoder.mix->weight.at(j, j) = 1;
    encoder.mix->bias = Tensor::zeros({5});  // e(y) is now the mean itself
    // captions of 2, 3, 1 and 4 words, and one with its words after a <pad>
    const std::vector<std::size_t> tokens{3, 8, 0, 0, 4, 12, 13, 0, 2, 0, 0, 0, 5, 6, 7, 9, 0, 11, 0, 10};
    const Tensor expected = encoder.encode(tokens), got = code_mean(encoder.words->weight, tokens, 4);  // (5, 5)
    if (got.shape() != expected.shape()) return "5 captions: codes of shape " + got.shape_str() + ", expected (5, 5)";
    for (std::size_t row = 0; row < 5; ++row)
        for (std::size_t j = 0; j < 5; ++j)
            if (!(std::abs(got.at(row, j) - expected.at(row, j)) < 1e-12))
                return "caption " + std::to_string(row) + " (ids " + std::to_string(tokens[4 * row]) + " " +
                       std::to_string(tokens[4 * row + 1]) + " " + std::to_string(tokens[4 * row + 2]) + " " +
                       std::to_string(tokens[4 * row + 3]) + "), value " + std::to_string(j) + ": " +
                       std::to_string(got.at(row, j)) + ", CaptionEncoder's mean gives " +
                       std::to_string(expected.at(row, j));
    // words 4 and 9, in either order, with the <pad>s anywhere
    const Tensor bags = code_mean(encoder.words->weight, {4, 9, 0, 0, 0, 9, 0, 4, 9, 0, 4, 0}, 4);  // (3, 5)
    for (std::size_t row = 1; row < 3; ++row)
        if (!(largest_difference(slice_rows(bags, row, row + 1), slice_rows(bags, 0, 1)) < 1e-12))
            return "the words 4 and 9 as " + std::string(row == 1 ? "(<pad>, 9, <pad>, 4)" : "(9, <pad>, 4, <pad>)") +
                   " do not get the code of (4, 9, <pad>, <pad>)";
    const Tensor table = Tensor::uniform({21, 5}, rng, -1, 1, true);
    const auto result = gradcheck(
        "caption code mean", [&](const std::vector<Tensor>& in) { return code_mean(in[0], tokens, 4); }, {table}, rng);
    return result.ok ? "" : result.message;
}

// --- 6.4 the mean pairwise distance --------------------------------------------------------------

using Distance = std::function<double(const Tensor& features)>;

// "" when `distance` is the mean Euclidean distance over pairs of rows: the 3-4-5 triangle, 0 for
// equal rows and for one row, and models::mean_pairwise_distance on random features.
std::string distance_problem(const Distance& distance) {
    // (0, 0), (3, 0), (0, 4): the three sides are 3, 4 and 5, their mean 4
    if (const double v = distance(Tensor::from_data({3, 2}, {0, 0, 3, 0, 0, 4})); !(std::abs(v - 4) < 1e-12))
        return "the corners (0, 0), (3, 0), (0, 4): " + std::to_string(v) + ", expected (3 + 4 + 5)/3 = 4";
    if (const double v = distance(Tensor::full({5, 3}, 0.7)); v != 0)
        return "five equal rows: " + std::to_string(v) + ", expected 0";
    if (const double v = distance(Tensor::from_data({1, 3}, {1, 2, 3})); v != 0)
        return "one row (no pairs): " + std::to_string(v) + ", expected 0";
    Rng rng(64);
    for (const std::size_t n : {2, 7, 20})
        for (const std::size_t f : {1, 16}) {
            const Tensor features = Tensor::uniform({n, f}, rng, -2, 2);
            const double v = distance(features), expected = models::mean_pairwise_distance(features);
            if (!(std::abs(v - expected) <= 1e-12 * expected))
                return "random features (" + std::to_string(n) + ", " + std::to_string(f) + "): " + std::to_string(v) +
                       ", models::mean_pairwise_distance gives " + std::to_string(expected);
        }
    return "";
}

// --- 6.6 EM's E-step in logs ----------------------------------------------------------------------

using Responsibilities = std::function<std::vector<double>(const std::vector<double>&, const std::vector<double>&)>;

// "" when `e_step` gives r_nk = π_k N_nk / Σ_j π_j N_nj: a case by hand, the weights alone when the
// densities are equal, rows of 3 that sum to 1 and match the definition on moderate values, and
// log-densities near −1000, where exp() of each is 0 and only log-sum-exp gives an answer.
std::string responsibilities_problem(const Responsibilities& e_step) {
    const auto differs = [](double a, double b) { return !(std::abs(a - b) < 1e-12); };
    // N = 0.2 and 0.6, equal weights: r = 0.1 / 0.4 and 0.3 / 0.4
    if (const auto r = e_step({std::log(0.2), std::log(0.6)}, {0.5, 0.5}); r.size() != 2 || differs(r[0], 0.25) ||
                                                                          differs(r[1], 0.75))
        return "densities 0.2 and 0.6, weights ½ and ½: expected (0.25, 0.75), got (" +
               (r.size() == 2 ? std::to_string(r[0]) + ", " + std::to_string(r[1]) : "wrong size") + ")";
    if (const auto r = e_step({-3.0, -3.0, -3.0}, {0.2, 0.3, 0.5}); differs(r[0], 0.2) || differs(r[2], 0.5))
        return "equal densities: the responsibilities should be the weights (0.2, 0.3, 0.5), got r_0 = " +
               std::to_string(r[0]);
    Rng rng(66);
    std::vector<double> log_n(4 * 3);
    for (auto& v : log_n) v = rng.uniform(-30, 0);
    const std::vector<double> weights = {0.1, 0.6, 0.3};
    const auto r = e_step(log_n, weights);
    if (r.size() != log_n.size()) return "12 log-densities in, " + std::to_string(r.size()) + " responsibilities out";
    for (std::size_t row = 0; row < 4; ++row) {
        double total = 0;  // the definition, in long double: safe for log-densities above −30
        for (std::size_t k = 0; k < 3; ++k) total += weights[k] * std::exp((long double)log_n[row * 3 + k]);
        for (std::size_t k = 0; k < 3; ++k) {
            const double expected = double(weights[k] * std::exp((long double)log_n[row * 3 + k]) / total);
            if (!(std::abs(r[row * 3 + k] - expected) < 1e-12 * std::max(1.0, expected)))
                return "random row " + std::to_string(row) + ", component " + std::to_string(k) + ": " +
                       std::to_string(r[row * 3 + k]) + ", the definition gives " + std::to_string(expected);
        }
    }
    // −1000 and −1001, equal weights: r = 1 / (1 + e⁻¹) and e⁻¹ / (1 + e⁻¹), though exp(−1000) is 0 in double
    const auto far = e_step({-1000.0, -1001.0}, {0.5, 0.5});
    const double first = 1 / (1 + std::exp(-1.0));
    if (!(std::abs(far[0] - first) < 1e-12) || !(std::abs(far[1] - (1 - first)) < 1e-12))
        return "log-densities −1000 and −1001 (a code far from both components): expected (" + std::to_string(first) +
               ", " + std::to_string(1 - first) + "), got (" + std::to_string(far[0]) + ", " + std::to_string(far[1]) +
               ") — exp(−1000) is 0 in double";
    return "";
}

// --- 6.5 the VAE-GAN's adversarial gradient ------------------------------------------------------

// The largest |gradient| over some parameters (0 where none has reached them).
double largest_gradient(const std::vector<Tensor>& parameters) {
    double largest = 0;
    for (const Tensor& p : parameters)
        for (const real g : p.grad()) largest = std::max(largest, double(std::abs(g)));
    return largest;
}

// --- 6.7 the auxiliary head's gradient --------------------------------------------------------------

using CrossEntropyGradient = std::function<std::vector<double>(const std::vector<double>&, const std::vector<std::size_t>&)>;

// "" when `gradient` is ∂/∂c of the mean cross-entropy, (softmax(c) − onehot(k)) / B: a case by hand,
// the library's cross_entropy backward on random logits, rows that sum to 0, and logits of 1000.
std::string cross_entropy_gradient_problem(const CrossEntropyGradient& gradient) {
    const auto differs = [](double a, double b, double tolerance) { return !(std::abs(a - b) < tolerance); };
    // two rows: c = (0, log 3), k = 1 → softmax (¼, ¾) → (¼, −¼); c = (0, 0), k = 0 → (−½, ½); both ÷ B = 2
    const auto g = gradient({0.0, std::log(3.0), 0.0, 0.0}, {1, 0});
    if (g.size() != 4) return "2 rows of 2 logits in, " + std::to_string(g.size()) + " gradients out";
    const std::vector<double> by_hand = {0.125, -0.125, -0.25, 0.25};
    for (std::size_t i = 0; i < 4; ++i)
        if (differs(g[i], by_hand[i], 1e-12))
            return "c = ((0, log 3), (0, 0)), k = (1, 0): gradient " + std::to_string(i) + " is " + std::to_string(g[i]) +
                   ", expected " + std::to_string(by_hand[i]) + " (softmax − one-hot, divided by the 2 rows)";
    Rng rng(67);
    const std::size_t rows = 4, classes = 20;
    std::vector<double> c(rows * classes);
    for (auto& v : c) v = rng.uniform(-3, 3);
    const std::vector<std::size_t> k = {3, 0, 19, 7};
    const auto r = gradient(c, k);
    if (r.size() != c.size()) return "80 logits in, " + std::to_string(r.size()) + " gradients out";
    Tensor leaf = Tensor::from_data({rows, classes}, std::vector<real>(c.begin(), c.end()), /*requires_grad=*/true);
    cross_entropy(leaf, k).backward();  // the library's gradient, in the build's precision
    const double tolerance = std::is_same_v<real, double> ? 1e-12 : 1e-6;
    for (std::size_t b = 0; b < rows; ++b) {
        double row_sum = 0;
        for (std::size_t j = 0; j < classes; ++j) {
            row_sum += r[b * classes + j];
            if (differs(r[b * classes + j], leaf.grad()[b * classes + j], tolerance))
                return "random row " + std::to_string(b) + ", class " + std::to_string(j) + ": " +
                       std::to_string(r[b * classes + j]) + ", cross_entropy's backward gives " +
                       std::to_string(leaf.grad()[b * classes + j]);
        }
        if (differs(row_sum, 0, 1e-12)) return "random row " + std::to_string(b) + " sums to " + std::to_string(row_sum) + ", not 0";
    }
    // c = (1000, 0): softmax (1, e⁻¹⁰⁰⁰) though exp(1000) overflows; k = 1 → (1, −1)
    if (const auto far = gradient({1000.0, 0.0}, {1}); far.size() != 2 || differs(far[0], 1, 1e-12) || differs(far[1], -1, 1e-12))
        return "c = (1000, 0), k = 1: expected (1, −1), got (" +
               (far.size() == 2 ? std::to_string(far[0]) + ", " + std::to_string(far[1]) : "wrong size") + ")";
    return "";
}

}  // namespace

TEST_CASE("exercise 6.1: the projection discriminator's logit and its gradients", "[exercise][ch06]") {
    const std::string problem = logit_problem(exercises::projection_logit);
    INFO(problem);
    CHECK(problem.empty());
}

TEST_CASE("exercise 6.1's check fails on a logit that forgets the projection term", "[exercise][ch06]") {
    // ψ(φ) alone: an unconditional D, the caption never read
    const std::string problem = logit_problem(
        [](const Tensor& phi, const Tensor& w, const Tensor& b, const Tensor&) { return linear(phi, w, b); });
    INFO(problem);
    CHECK_FALSE(problem.empty());
}

TEST_CASE("exercise 6.2: the optimal conditional discriminator's value is −log 4 + 2 JSD of the joint tables",
          "[exercise][ch06]") {
    const std::string problem = value_problem(exercises::optimal_conditional_value);
    INFO(problem);
    CHECK(problem.empty());
}

TEST_CASE("exercise 6.2's check fails on a discriminator that ignores the caption", "[exercise][ch06]") {
    // D(x, y) = q(x) / (q(x) + p(x)) from the marginals over y: optimal for the unconditional game only
    const std::string problem = value_problem([](const Tensor& q, const Tensor& p) {
        const Tensor qx = sum(q, 1, true), px = sum(p, 1, true);  // (X, 1)
        Tensor d = Tensor::empty(q.shape());
        for (std::size_t x = 0; x < q.dim(0); ++x)
            for (std::size_t y = 0; y < q.dim(1); ++y) d.at(x, y) = qx.at(x) / (qx.at(x) + px.at(x));
        return value_of(q, p, d);
    });
    INFO(problem);
    CHECK_FALSE(problem.empty());
    CHECK(problem.find("equal marginals") != std::string::npos);  // caught where only y tells the tables apart
}

TEST_CASE("exercise 6.3: a caption's code is the mean embedding of its words, in any order and padding",
          "[exercise][ch06]") {
    const std::string problem = code_mean_problem(exercises::caption_code_mean);
    INFO(problem);
    CHECK(problem.empty());
}

TEST_CASE("exercise 6.3's check fails on a mean that divides by the caption length", "[exercise][ch06]") {
    const std::string problem = code_mean_problem([](const Tensor& embeddings, const std::vector<std::size_t>& tokens,
                                                     std::size_t length) {
        const std::size_t captions = tokens.size() / length;
        Tensor a = Tensor::zeros({captions, tokens.size()});  // (B, B·L): 1/L at each word, whatever the word count
        for (std::size_t t = 0; t < tokens.size(); ++t)
            if (tokens[t] != 0) a.at(t / length, t) = real(1) / real(length);
        return matmul(a, embedding(embeddings, tokens));
    });
    INFO(problem);
    CHECK_FALSE(problem.empty());
}

TEST_CASE("exercise 6.4: the mean pairwise distance of feature rows", "[exercise][ch06]") {
    const std::string problem = distance_problem(exercises::mean_pairwise_distance);
    INFO(problem);
    CHECK(problem.empty());
}

TEST_CASE("exercise 6.4's check fails on the mean of the squared distances", "[exercise][ch06]") {
    const std::string problem = distance_problem([](const Tensor& f) {
        const std::size_t n = f.dim(0), width = f.dim(1);
        if (n < 2) return 0.0;
        double total = 0;
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = i + 1; j < n; ++j)
                for (std::size_t k = 0; k < width; ++k) total += std::pow(double(f.at(i, k) - f.at(j, k)), 2);
        return total / (double(n) * double(n - 1) / 2);
    });
    INFO(problem);
    CHECK_FALSE(problem.empty());
}

TEST_CASE("exercise 6.6: EM's responsibilities, in logs", "[exercise][ch06]") {
    const std::string problem = responsibilities_problem(exercises::responsibilities);
    INFO(problem);
    CHECK(problem.empty());
}

TEST_CASE("exercise 6.6's check fails on responsibilities computed with exp() and a plain sum", "[exercise][ch06]") {
    const std::string problem = responsibilities_problem([](const std::vector<double>& log_n, const std::vector<double>& w) {
        std::vector<double> r(log_n.size());
        for (std::size_t row = 0; row < log_n.size() / w.size(); ++row) {
            double total = 0;
            for (std::size_t k = 0; k < w.size(); ++k) total += (r[row * w.size() + k] = w[k] * std::exp(log_n[row * w.size() + k]));
            for (std::size_t k = 0; k < w.size(); ++k) r[row * w.size() + k] /= total;  // 0 / 0 when every exp() is 0
        }
        return r;
    });
    INFO(problem);
    CHECK_FALSE(problem.empty());
    CHECK(problem.find("−1000") != std::string::npos);  // right on moderate values, caught only far out
}

TEST_CASE("exercise 6.5: in the VAE-GAN objective the adversarial term reaches the decoder and not the encoder",
          "[exercise][ch06]") {
    // test_vae_gan.cpp's tiny players: a conv VAE of 2 + 2 channels, latent 3, and a 2-channel DCGAN D
    Rng rng(65);
    models::ConvVae vae(3, rng, models::ConvWidths{2, 2});
    models::DcganConfig d_config;
    d_config.discriminator_channels = 2;
    models::DcganDiscriminator d(d_config, rng);
    const Tensor x = Tensor::uniform({4, 784}, rng, 0, 1);  // (B, 784), grey levels
    const Tensor eps = Tensor::randn({4, 3}, rng), z_prior = Tensor::randn({4, 3}, rng);  // (B, latent)
    const models::FrozenModule frozen(d);  // D is a constant of the VAE's loss, as in vae_gan_step
    SECTION("the chapter's objective: fakes decoded from z.detach() and z_p") {
        const auto f = models::vae_gan_forward(vae, x, eps, z_prior);
        models::vae_gan_objective(f, x, d, {1, 1}).adversarial.backward();  // γ · adv alone, γ = 1
        const double encoder = largest_gradient(vae.encoder->parameters());
        const double decoder = largest_gradient(vae.decoder->parameters());
        INFO("largest |gradient| of the adversarial term: encoder " << encoder << ", decoder " << decoder);
        CHECK(encoder == 0);
        CHECK(decoder > 0);
        vae.zero_grad();
        models::vae_gan_objective(f, x, d, {1, 1}).reconstruction.backward();  // the likelihood term does reach it
        CHECK(largest_gradient(vae.encoder->parameters()) > 0);
    }
    SECTION("the pitfall: fakes decoded from z itself send D's gradient into the encoder") {
        const models::Posterior q = vae.encode(x);
        const Tensor z = reparameterize(q, eps);                                       // (B, latent), with q's graph
        const Tensor fakes = tanh(vae.decode(concat({z, z_prior}, 0)) * real(0.5));  // (2B, 784) in [−1, 1]
        models::generator_loss_non_saturating(d(fakes)).backward();
        const double encoder = largest_gradient(vae.encoder->parameters());
        INFO("largest |gradient| of the adversarial term in the encoder: " << encoder);
        CHECK(encoder > 0);
    }
}

TEST_CASE("exercise 6.7: the cross-entropy's gradient in the auxiliary head's logits", "[exercise][ch06]") {
    const std::string problem = cross_entropy_gradient_problem(exercises::cross_entropy_gradient);
    INFO(problem);
    CHECK(problem.empty());
}

TEST_CASE("exercise 6.7's check fails on a softmax computed with exp() and a plain sum", "[exercise][ch06]") {
    const std::string problem = cross_entropy_gradient_problem([](const std::vector<double>& c, const std::vector<std::size_t>& k) {
        const std::size_t rows = k.size(), classes = c.size() / rows;
        std::vector<double> g(c.size());
        for (std::size_t b = 0; b < rows; ++b) {
            double total = 0;
            for (std::size_t j = 0; j < classes; ++j) total += std::exp(c[b * classes + j]);  // inf for a logit of 1000
            for (std::size_t j = 0; j < classes; ++j)
                g[b * classes + j] = (std::exp(c[b * classes + j]) / total - (j == k[b] ? 1.0 : 0.0)) / double(rows);
        }
        return g;
    });
    INFO(problem);
    CHECK_FALSE(problem.empty());
    CHECK(problem.find("1000") != std::string::npos);  // right on moderate logits, caught only far out
}
