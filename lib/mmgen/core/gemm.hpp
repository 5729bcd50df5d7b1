#pragma once
// General matrix multiply, the library's hot path:
//
//     C (M×N) = alpha · op(A) · op(B) + beta · C,   op(X) = X or Xᵀ
//
// with op(A) of shape (M, K) and op(B) of shape (K, N), all row-major and contiguous.
// A is stored as (M, K), or (K, M) when transpose_a; B as (K, N), or (N, K) when transpose_b.
// gemm() calls OpenBLAS (cblas_sgemm / cblas_dgemm); gemm_reference() is the same contract
// in plain loops, kept beside it so the tests can hold them together.
#include <cstddef>
#include <vector>

namespace mmgen {

struct GemmShape {
    std::size_t m, n, k;
    bool transpose_a = false;
    bool transpose_b = false;
};

void gemm(const GemmShape& s, float alpha, const float* a, const float* b, float beta, float* c);
void gemm(const GemmShape& s, double alpha, const double* a, const double* b, double beta, double* c);

void gemm_reference(const GemmShape& s, float alpha, const float* a, const float* b, float beta, float* c);
void gemm_reference(const GemmShape& s, double alpha, const double* a, const double* b, double beta, double* c);

// While a trace is set, every gemm() call appends its shape to it (nullptr to stop). The
// benchmark uses this to replay exactly the GEMM calls of a training step.
void set_gemm_trace(std::vector<GemmShape>* trace);

// Number of threads OpenBLAS uses (and that it currently uses); set_blas_threads also sets the
// threads of the loops between the GEMMs (parallel.hpp).
void set_blas_threads(int threads);
int blas_threads();

// True when the OpenBLAS loaded at run time is its OpenMP build, the one the library is linked
// against (CMakeLists.txt): a loader that found the default pthreads build instead would bring
// back two pools of threads contending for the cores.
bool blas_uses_openmp();

}  // namespace mmgen
