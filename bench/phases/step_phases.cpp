// mmgen_step_phases: where one training step spends its time — chapter 03's VAE step
// (BM_VaeStep's) or chapter 01's CNN step (BM_CnnStep's).
//
// Times each phase of the step — zero_grad, forward, backward, Adam — averaged over many
// steps, and how much of the forward and backward is spent inside cblas_sgemm. The GEMM time
// is measured by wrapping the BLAS call at link time (-Wl,--wrap=cblas_sgemm, see
// CMakeLists.txt), so the library itself carries no timing code. Whatever of a phase is not
// GEMM is the elementwise ops, im2col/col2im, the graph and the allocator: the part the
// benchmark's ratio is about.
//
//   build/bin/mmgen_step_phases [vae|cnn] [steps]
//       vae: default 600 steps, the first 100 not counted; cnn: default 120, the first 20 not counted
#include <cblas.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <mmgen/core/gemm.hpp>
#include <mmgen/models/cnn_classifier.hpp>
#include <mmgen/models/vae.hpp>
#include <mmgen/nn/losses.hpp>
#include <mmgen/nn/optim.hpp>

namespace {
using Clock = std::chrono::steady_clock;
double g_gemm_ms = 0;  // time spent inside cblas_sgemm since the last reset

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }
}  // namespace

// The linker sends every call of cblas_sgemm here, and __real_cblas_sgemm to OpenBLAS.
extern "C" void __real_cblas_sgemm(CBLAS_ORDER, CBLAS_TRANSPOSE, CBLAS_TRANSPOSE, blasint, blasint, blasint, float,
                                   const float*, blasint, const float*, blasint, float, float*, blasint);
extern "C" void __wrap_cblas_sgemm(CBLAS_ORDER order, CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, blasint m, blasint n,
                                   blasint k, float alpha, const float* a, blasint lda, const float* b, blasint ldb,
                                   float beta, float* c, blasint ldc) {
    const auto start = Clock::now();
    __real_cblas_sgemm(order, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    g_gemm_ms += ms_since(start);
}

namespace {
using namespace mmgen;

// BM_VaeStep's step: the VAE's −ELBO on 128 stand-in images, one fresh ε per step.
struct VaeStep {
    static constexpr const char* name = "VAE 784-400-(20,20)-400-784, batch 128";
    Rng rng{1};
    models::Vae vae{models::VaeConfig{}, rng};
    optim::Adam adam{vae.parameters(), real(1e-3)};
    Tensor x = Tensor::uniform({128, 784}, rng, 0, 1);
    Tensor eps = Tensor::empty({128, 20});
    Tensor loss() {
        rng.fill_normal(eps.data());
        return vae.negative_elbo(x, eps).loss;
    }
};

// BM_CnnStep's step: chapter 01's CNN evaluator, cross-entropy on 128 stand-in images.
struct CnnStep {
    static constexpr const char* name = "CNN evaluator (conv 24, conv 48, 256 features), batch 128";
    Rng rng{1};
    models::CnnClassifier model{rng};
    optim::Adam adam{model.parameters(), real(2e-3)};
    Tensor x = Tensor::uniform({128, 784}, rng, 0, 1);
    std::vector<std::size_t> labels = [] {
        std::vector<std::size_t> l(128);
        for (std::size_t i = 0; i < l.size(); ++i) l[i] = i % 10;
        return l;
    }();
    Tensor loss() { return cross_entropy(model.logits(x), labels); }
};

template <class Step>
void measure(int steps, int warmup) {
    Step s;
    double zero = 0, forward = 0, backward = 0, update = 0, gemm_forward = 0, gemm_backward = 0;
    for (int step = 0; step < steps; ++step) {
        if (step == warmup) zero = forward = backward = update = gemm_forward = gemm_backward = 0;
        auto t = Clock::now();
        s.adam.zero_grad();
        zero += ms_since(t);
        g_gemm_ms = 0, t = Clock::now();
        const Tensor loss = s.loss();
        forward += ms_since(t), gemm_forward += g_gemm_ms;
        g_gemm_ms = 0, t = Clock::now();
        loss.backward();
        backward += ms_since(t), gemm_backward += g_gemm_ms;
        t = Clock::now();
        s.adam.step();
        update += ms_since(t);
    }
    const double n = steps - warmup;
    const double gemm = (gemm_forward + gemm_backward) / n, total = (zero + forward + backward + update) / n;
    std::printf("%s, %d steps (after %d warm-up), ms per step:\n\n", Step::name, steps - warmup, warmup);
    std::printf("| phase | total | in GEMM | not GEMM |\n|---|---:|---:|---:|\n");
    std::printf("| zero_grad | %.3f | | %.3f |\n", zero / n, zero / n);
    std::printf("| forward | %.3f | %.3f | %.3f |\n", forward / n, gemm_forward / n, (forward - gemm_forward) / n);
    std::printf("| backward | %.3f | %.3f | %.3f |\n", backward / n, gemm_backward / n, (backward - gemm_backward) / n);
    std::printf("| Adam | %.3f | | %.3f |\n", update / n, update / n);
    std::printf("| step | %.3f | %.3f | %.3f |\n\nstep / GEMM = %.2f\n", total, gemm, total - gemm, total / gemm);
}
}  // namespace

int main(int argc, char** argv) {
    const std::string which = argc > 1 ? argv[1] : "vae";
    if (which != "vae" && which != "cnn") {
        std::fprintf(stderr, "mmgen_step_phases: the step is vae or cnn, got '%s'\nusage: mmgen_step_phases [vae|cnn] [steps]\n",
                     which.c_str());
        return 2;
    }
    const int warmup = which == "vae" ? 100 : 20;
    const int steps = argc > 2 ? std::atoi(argv[2]) : (which == "vae" ? 600 : 120);
    if (steps <= warmup) {
        std::fprintf(stderr, "mmgen_step_phases: give more than %d steps (the first %d warm up), got %s\n", warmup,
                     warmup, argv[2]);
        return 2;
    }
    set_blas_threads(2);
    if (which == "vae")
        measure<VaeStep>(steps, warmup);
    else
        measure<CnnStep>(steps, warmup);
}
