// The worked examples of the chapter READMEs, number for number: each README shows one small
// computation by hand (a linear layer's backward, one GAN step, one ELBO term, one product of
// experts, one convolution, one projection discriminator's logit, two ranks' gradients averaged),
// and this file reproduces exactly those numbers with the library. Tagged by chapter.
#include <cmath>
#include <vector>

#include <catch2/catch.hpp>

#include <mmgen/core/im2col.hpp>
#include <mmgen/core/ops.hpp>
#include <mmgen/models/gan.hpp>
#include <mmgen/nn/distributions.hpp>
#include <mmgen/nn/losses.hpp>
#include <mmgen/nn/optim.hpp>

using namespace mmgen;
using Catch::Matchers::WithinAbs;

namespace {

// The README prints 6 decimals; the library must agree with them to rounding.
void require_values(const Tensor& t, const std::vector<double>& expected, double within = 5e-7) {
    REQUIRE(t.numel() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        INFO("value " << i << " of a tensor of shape " << t.shape_str());
        CHECK_THAT(t.data()[i], WithinAbs(expected[i], within));
    }
}
void require_gradient(const Tensor& t, const std::vector<double>& expected) {
    REQUIRE(t.has_grad());
    require_values(Tensor::from_data({t.numel()}, {t.grad().begin(), t.grad().end()}), expected);
}

}  // namespace

TEST_CASE("worked example, chapter 01: one linear layer's forward and backward", "[worked-example][ch01]") {
    const Tensor x = Tensor::from_data({2, 3}, {1, 2, 0, -1, 0, 3}, true);      // (B, in) = (2, 3)
    const Tensor w = Tensor::from_data({2, 3}, {0.5, -1, 2, 1, 0, -0.5}, true);  // (out, in) = (2, 3)
    const Tensor b = Tensor::from_data({2}, {0.1, -0.2}, true);                  // (out)
    const Tensor y = linear(x, w, b);                                            // (2, 2)
    require_values(y, {-1.4, 0.8, 5.6, -2.7});
    y.backward(Tensor::from_data({2, 2}, {1, -1, 0.5, 2}));                       // dY
    require_gradient(x, {-0.5, -1, 2.5, 2.25, -0.5, 0});                         // dX = dY · W
    require_gradient(w, {0.5, 2, 1.5, -3, -2, 6});                               // dW = dYᵀ · X
    require_gradient(b, {1.5, 1});                                               // db = Σ_rows dY
}

TEST_CASE("worked example, chapter 02: one GAN step with a 1-D generator and discriminator", "[worked-example][ch02]") {
    // D: ℓ(x) = w x + c with w = 0.5, c = 0;  G: G(z) = a z + b with a = 1, b = 0.5;  x = 2, z = −1
    const Tensor w = Tensor::from_data({1, 1}, {0.5}, true), c = Tensor::from_data({1}, {0}, true);
    const Tensor a = Tensor::from_data({1, 1}, {1}, true), g_bias = Tensor::from_data({1}, {0.5}, true);
    const Tensor x = Tensor::from_data({1, 1}, {2}), z = Tensor::from_data({1, 1}, {-1});
    const Tensor fake = linear(z, a, g_bias);  // G(z) = −0.5
    require_values(fake, {-0.5});

    // 1. D step: L_D = BCE(ℓ(x), 1) + BCE(ℓ(G(z)), 0), the fake detached
    optim::Adam d_adam({w, c}, real(0.1), real(0.5), real(0.999));
    const Tensor real_logit = linear(x, w, c), fake_logit = linear(fake.detach(), w, c);
    require_values(real_logit, {1.0});
    require_values(fake_logit, {-0.25});
    Tensor d_loss = models::discriminator_loss(real_logit, fake_logit);
    require_values(d_loss, {0.889201});  // log(1 + e^−1) + log(1 + e^−0.25) = 0.313262 + 0.575939
    d_loss.backward();
    require_gradient(w, {-0.756795});  // (σ(1) − 1) · 2 + σ(−0.25) · (−0.5)
    require_gradient(c, {0.168882});   // (σ(1) − 1) + σ(−0.25)
    CHECK_FALSE(a.has_grad());         // detached: nothing reached G
    d_adam.step();                     // Adam's first step moves each parameter by lr against its gradient's sign
    require_values(w, {0.6});
    require_values(c, {-0.1});

    // 2. G step through the updated D: ℓ(G(z)) = 0.6 · (−0.5) − 0.1 = −0.4
    SECTION("non-saturating: L_G = BCE(ℓ, 1) = log(1 + e^0.4)") {
        const Tensor logit = linear(fake, w.detach(), c.detach());
        require_values(logit, {-0.4});
        Tensor g_loss = models::generator_loss_non_saturating(logit);
        require_values(g_loss, {0.913015});
        g_loss.backward();
        require_gradient(a, {0.359213});        // (σ(−0.4) − 1) · w · z = −0.598688 · 0.6 · (−1)
        require_gradient(g_bias, {-0.359213});  // (σ(−0.4) − 1) · w
    }
    SECTION("minimax: L_G = −BCE(ℓ, 0) = −log(1 + e^−0.4)") {
        Tensor g_loss = models::generator_loss_minimax(linear(fake, w.detach(), c.detach()));
        require_values(g_loss, {-0.513015});
        g_loss.backward();
        require_gradient(a, {0.240787});        // −σ(−0.4) · w · z = −0.401312 · 0.6 · (−1)
        require_gradient(g_bias, {-0.240787});
    }
}

TEST_CASE("worked example, chapter 03: one ELBO term with a 1-D code and two pixels", "[worked-example][ch03]") {
    // q(z|x) = N(0.5, 0.25) (log σ² = log 0.25), ε = 1; decoder logits ℓ = v z with v = (2, −1); x = (1, 0)
    const Tensor mu = Tensor::from_data({1, 1}, {0.5}, true);
    const Tensor logvar = Tensor::from_data({1, 1}, {real(std::log(0.25))}, true);
    const Tensor v = Tensor::from_data({2, 1}, {2, -1}, true);  // (pixels, latent)
    const Tensor x = Tensor::from_data({1, 2}, {1, 0});
    const Tensor z = reparameterize({mu, logvar}, Tensor::from_data({1, 1}, {1}));
    require_values(z, {1.0});  // 0.5 + 0.5 · 1
    const Tensor logits = linear(z, v, Tensor());
    require_values(logits, {2, -1});
    const Tensor reconstruction = bce_with_logits(logits, x, Reduction::batch_mean);
    require_values(reconstruction, {0.440190});  // log(1 + e^−2) + log(1 + e^−1) = 0.126928 + 0.313262
    const Tensor kl = gaussian_kl(mu, logvar);
    require_values(kl, {0.443147});  // ½ (0.25 + 0.25 − 1 − log 0.25)
    Tensor loss = reconstruction + kl;  // −ELBO
    require_values(loss, {0.883337});
    loss.backward();
    // ∂rec/∂z = Σ vᵢ (σ(ℓᵢ) − xᵢ) = 2 (−0.119203) − 0.268941 = −0.507347
    require_gradient(mu, {-0.007347});      // ∂rec/∂z · 1 + μ
    require_gradient(logvar, {-0.501837});  // ∂rec/∂z · ½σε + ½(σ² − 1) = −0.126837 − 0.375
}

TEST_CASE("worked example, chapter 04: one product of experts with the prior", "[worked-example][ch04]") {
    // image expert N(1, ½), caption expert N(−1, 2), prior N(0, 1): precisions 2 + ½ + 1 = 3.5
    const DiagonalGaussian image{Tensor::from_data({1, 1}, {1}, true), Tensor::from_data({1, 1}, {real(std::log(0.5))}, true)};
    const DiagonalGaussian caption{Tensor::from_data({1, 1}, {-1}, true), Tensor::from_data({1, 1}, {real(std::log(2.0))}, true)};
    SECTION("q(z|x, y): σ² = 1/3.5 = 2/7, μ = (2 · 1 + ½ · (−1)) / 3.5 = 3/7") {
        const auto q = product_of_experts({image, caption});
        require_values(q.mu, {0.428571});
        require_values(exp(q.logvar), {0.285714});
        q.mu.backward(Tensor::ones({1, 1}));
        require_gradient(image.mu, {0.571429});      // w_x = 2/3.5 = 4/7
        require_gradient(caption.mu, {0.142857});    // w_y = ½/3.5 = 1/7
        require_gradient(image.logvar, {-0.326531});  // w_x (μ − μ_x) = 4/7 · (3/7 − 1) = −16/49
        require_gradient(caption.logvar, {0.204082});  // w_y (μ − μ_y) = 1/7 · (3/7 + 1) = 10/49
    }
    SECTION("q(z|x) = N(2/3, 1/3) and q(z|y) = N(−1/3, 2/3)") {
        const auto qx = product_of_experts({image}), qy = product_of_experts({caption});
        require_values(qx.mu, {0.666667});
        require_values(exp(qx.logvar), {0.333333});
        require_values(qy.mu, {-0.333333});
        require_values(exp(qy.logvar), {0.666667});
    }
}

TEST_CASE("worked example, chapter 05: one 2-D convolution, forward, its three gradients, and as im2col · GEMM",
          "[worked-example][ch05]") {
    // a 3×3 image, a 2×2 kernel, bias 0.5, stride 1, padding 0 → a 2×2 output
    const Tensor x = Tensor::from_data({1, 1, 3, 3}, {1, 2, 0, 0, 1, 3, 2, -1, 1}, true);  // (N, C, H, W)
    const Tensor w = Tensor::from_data({1, 1, 2, 2}, {1, -1, 0, 2}, true);                // (F, C, kh, kw)
    const Tensor b = Tensor::from_data({1}, {0.5}, true);                                 // (F)
    const Tensor y = conv2d(x, w, b);                                                     // (1, 1, 2, 2)
    require_values(y, {1.5, 8.5, -2.5, 0.5});  // y[oh, ow] = Σᵢⱼ x[oh + i, ow + j] · w[i, j] + b
    const Tensor dy = Tensor::from_data({1, 1, 2, 2}, {1, 0, -1, 2});
    y.backward(dy);
    require_gradient(b, {2});                                   // db = Σ dy
    require_gradient(w, {3, 7, -4, 4});                         // dw[i, j] = Σ dy[oh, ow] · x[oh + i, ow + j]
    require_gradient(x, {1, -1, 0, -1, 5, -2, 0, -2, 4});       // dx[h, w] = Σ dy[oh, ow] · w[h − oh, w − ow]
    SECTION("dx is the transposed convolution of dy with the same kernel") {
        require_values(conv_transpose2d(dy, w, Tensor()), {1, -1, 0, -1, 5, -2, 0, -2, 4});
    }
    SECTION("the same numbers as im2col, then one GEMM") {
        const ConvGeometry g{1, 3, 3, 2, 2, 1, 0};
        Tensor cols = Tensor::zeros({4, 4});  // (C·kh·kw, N·Ho·Wo): column oh·2 + ow is the patch under output (oh, ow)
        im2col(x.data().data(), 1, g, cols.data().data());
        require_values(cols, {1, 2, 0, 1,     // tap (0, 0)
                              2, 0, 1, 3,     // tap (0, 1)
                              0, 1, 2, -1,    // tap (1, 0)
                              1, 3, -1, 1});  // tap (1, 1)
        const Tensor w_row = Tensor::from_data({1, 4}, {1, -1, 0, 2});  // (F, C·kh·kw)
        require_values(matmul(w_row, cols) + 0.5, {1.5, 8.5, -2.5, 0.5});                        // Y′ = W · cols + b
        require_values(matmul(Tensor::from_data({1, 4}, {1, 0, -1, 2}), cols, false, true), {3, 7, -4, 4});  // dW = dY′ · colsᵀ
    }
}

TEST_CASE("worked example, chapter 06: the projection discriminator's logit and its gradients", "[worked-example][ch06]") {
    // φ = (1, 2), ψ: w_ψ = (0.5, −1), b = 0.1, e(y) = (2, 0.5): r = φ · w_ψ + b + ⟨e(y), φ⟩
    const Tensor phi = Tensor::from_data({1, 2}, {1, 2}, true);       // (B, F) = (1, 2)
    const Tensor w = Tensor::from_data({1, 2}, {0.5, -1}, true);      // ψ's weight (1, F)
    const Tensor b = Tensor::from_data({1}, {0.1}, true);             // ψ's bias (1)
    const Tensor e = Tensor::from_data({1, 2}, {2, 0.5}, true);       // e(y) (B, F)
    const Tensor psi = linear(phi, w, b);                             // 0.5 − 2 + 0.1
    require_values(psi, {-1.4});
    const Tensor projection = sum(phi * e, 1, /*keepdim=*/true);      // 2 + 1
    require_values(projection, {3});
    const Tensor r = psi + projection;                                // (1, 1)
    require_values(r, {1.6});
    require_values(sigmoid(psi), {0.197816});  // D without the caption: "fake"
    require_values(sigmoid(r), {0.832018});    // D with it: "real"
    r.backward(Tensor::ones({1, 1}));
    require_gradient(phi, {2.5, -0.5});  // ∂r/∂φ = w_ψ + e(y) = (0.5 + 2, −1 + 0.5)
    require_gradient(e, {1, 2});         // ∂r/∂e(y) = φ
    require_gradient(w, {1, 2});         // ∂r/∂w_ψ = φ
    require_gradient(b, {1});
}

TEST_CASE("worked example, chapter 07: two ranks' gradients averaged are the gradient of the whole batch",
          "[worked-example][ch07]") {
    // ŷ = w x + b with w = 0.5, b = 0; four examples x = (1, 2, −1, 3), t = (2, 1, 0, 4); L = mean of ½ (ŷ − t)²
    Tensor w = Tensor::from_data({1, 1}, {0.5}, true), b = Tensor::from_data({1}, {0}, true);
    const Tensor x = Tensor::from_data({4, 1}, {1, 2, -1, 3}), t = Tensor::from_data({4, 1}, {2, 1, 0, 4});
    // the mean loss over examples [begin, end) and its gradient (dL/dw, dL/db)
    auto loss_and_gradient = [&](std::size_t begin, std::size_t end) {
        w.zero_grad(), b.zero_grad();
        const Tensor loss = 0.5 * mean(square(linear(slice_rows(x, begin, end), w, b) - slice_rows(t, begin, end)));
        loss.backward();
        return std::vector<double>{double(loss.item()), double(w.grad()[0]), double(b.grad()[0])};
    };
    // residuals ŷ − t = (−1.5, 0, −0.5, −2.5); per example dℓ/dw = (ŷ − t) x = (−1.5, 0, 0.5, −7.5)
    const auto whole = loss_and_gradient(0, 4);
    CHECK_THAT(whole[0], WithinAbs(1.09375, 5e-7));  // ½ (2.25 + 0 + 0.25 + 6.25) / 4
    CHECK_THAT(whole[1], WithinAbs(-2.125, 5e-7));   // (−1.5 + 0 + 0.5 − 7.5) / 4
    CHECK_THAT(whole[2], WithinAbs(-1.125, 5e-7));   // (−1.5 + 0 − 0.5 − 2.5) / 4
    SECTION("two ranks of two examples: the plain average, weights ½ and ½") {
        const auto rank0 = loss_and_gradient(0, 2), rank1 = loss_and_gradient(2, 4);
        CHECK_THAT(rank0[0], WithinAbs(0.5625, 5e-7));
        CHECK_THAT(rank0[1], WithinAbs(-0.75, 5e-7));
        CHECK_THAT(rank0[2], WithinAbs(-0.75, 5e-7));
        CHECK_THAT(rank1[0], WithinAbs(1.625, 5e-7));
        CHECK_THAT(rank1[1], WithinAbs(-3.5, 5e-7));
        CHECK_THAT(rank1[2], WithinAbs(-1.5, 5e-7));
        for (std::size_t k = 0; k < 3; ++k) CHECK_THAT((rank0[k] + rank1[k]) / 2, WithinAbs(whole[k], 1e-15));
    }
    SECTION("three examples and one: weights ¾ and ¼, not ½ and ½") {
        const auto rank0 = loss_and_gradient(0, 3), rank1 = loss_and_gradient(3, 4);
        CHECK_THAT(rank0[1], WithinAbs(-0.333333, 5e-7));  // (−1.5 + 0 + 0.5) / 3
        CHECK_THAT(rank1[1], WithinAbs(-7.5, 5e-7));
        CHECK_THAT(0.75 * rank0[1] + 0.25 * rank1[1], WithinAbs(whole[1], 1e-15));  // −0.25 − 1.875 = −2.125
        CHECK_THAT((rank0[1] + rank1[1]) / 2, WithinAbs(-3.916667, 5e-7));         // the plain mean is wrong
    }
}
