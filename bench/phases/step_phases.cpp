// mmgen_step_phases: where one VAE training step (BM_VaeStep's step) spends its time.
//
// Times each phase of the step — zero_grad, forward, backward, Adam — averaged over many
// steps, and how much of the forward and backward is spent inside cblas_sgemm. The GEMM time
// is measured by wrapping the BLAS call at link time (-Wl,--wrap=cblas_sgemm, see
// CMakeLists.txt), so the library itself carries no timing code. Whatever of a phase is not
// GEMM is the elementwise ops, the graph and the allocator: the part the benchmark's ratio is
// about.
//
//   build/bin/mmgen_step_phases [steps]     (default 600, the first 100 not counted)
#include <cblas.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include <mmgen/core/gemm.hpp>
#include <mmgen/models/vae.hpp>
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

int main(int argc, char** argv) {
    using namespace mmgen;
    const int steps = argc > 1 ? std::atoi(argv[1]) : 600, warmup = 100;
    if (steps <= warmup) {
        std::fprintf(stderr, "mmgen_step_phases: give more than %d steps (the first %d warm up), got %s\n", warmup,
                     warmup, argv[1]);
        return 2;
    }
    set_blas_threads(2);
    Rng rng(1);
    models::Vae vae(models::VaeConfig{}, rng);
    optim::Adam adam(vae.parameters(), real(1e-3));
    const Tensor x = Tensor::uniform({128, 784}, rng, 0, 1);
    Tensor eps = Tensor::empty({128, 20});

    double zero = 0, forward = 0, backward = 0, update = 0, gemm_forward = 0, gemm_backward = 0;
    for (int step = 0; step < steps; ++step) {
        rng.fill_normal(eps.data());
        if (step == warmup) zero = forward = backward = update = gemm_forward = gemm_backward = 0;
        auto t = Clock::now();
        adam.zero_grad();
        zero += ms_since(t);
        g_gemm_ms = 0, t = Clock::now();
        const auto terms = vae.negative_elbo(x, eps);
        forward += ms_since(t), gemm_forward += g_gemm_ms;
        g_gemm_ms = 0, t = Clock::now();
        terms.loss.backward();
        backward += ms_since(t), gemm_backward += g_gemm_ms;
        t = Clock::now();
        adam.step();
        update += ms_since(t);
    }
    const double n = steps - warmup;
    const double gemm = (gemm_forward + gemm_backward) / n, total = (zero + forward + backward + update) / n;
    std::printf("VAE 784-400-(20,20)-400-784, batch 128, %d steps (after %d warm-up), ms per step:\n\n", steps - warmup,
                warmup);
    std::printf("| phase | total | in GEMM | not GEMM |\n|---|---:|---:|---:|\n");
    std::printf("| zero_grad | %.3f | | %.3f |\n", zero / n, zero / n);
    std::printf("| forward | %.3f | %.3f | %.3f |\n", forward / n, gemm_forward / n, (forward - gemm_forward) / n);
    std::printf("| backward | %.3f | %.3f | %.3f |\n", backward / n, gemm_backward / n, (backward - gemm_backward) / n);
    std::printf("| Adam | %.3f | | %.3f |\n", update / n, update / n);
    std::printf("| step | %.3f | %.3f | %.3f |\n\nstep / GEMM = %.2f\n", total, gemm, total - gemm, total / gemm);
}
