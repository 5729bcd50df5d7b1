#include <mmgen/core/gemm.hpp>

#include <mmgen/core/parallel.hpp>

#include <algorithm>
#include <type_traits>

#include <cblas.h>

namespace mmgen {

namespace {
template <class T>
void reference(const GemmShape& s, T alpha, const T* a, const T* b, T beta, T* c) {
    // a(i, p) of op(A) and b(p, j) of op(B), read through the transpose flags
    const std::size_t lda = s.transpose_a ? s.m : s.k;
    const std::size_t ldb = s.transpose_b ? s.k : s.n;
    for (std::size_t i = 0; i < s.m; ++i)
        for (std::size_t j = 0; j < s.n; ++j) {
            T sum = 0;
            for (std::size_t p = 0; p < s.k; ++p) {
                const T aip = s.transpose_a ? a[p * lda + i] : a[i * lda + p];
                const T bpj = s.transpose_b ? b[j * ldb + p] : b[p * ldb + j];
                sum += aip * bpj;
            }
            // beta == 0 overwrites C, even if it held NaN (BLAS semantics)
            c[i * s.n + j] = alpha * sum + (beta == T(0) ? T(0) : beta * c[i * s.n + j]);
        }
}

CBLAS_TRANSPOSE flag(bool transpose) { return transpose ? CblasTrans : CblasNoTrans; }


thread_local std::vector<GemmShape>* g_trace = nullptr;

template <class T>
void blas(const GemmShape& s, T alpha, const T* a, const T* b, T beta, T* c) {
    if (g_trace) g_trace->push_back(s);
    if (s.m == 0 || s.n == 0) return;
    const int m = static_cast<int>(s.m), n = static_cast<int>(s.n), k = static_cast<int>(s.k);
    const int lda = std::max(1, s.transpose_a ? m : k);  // row stride of A as stored
    const int ldb = std::max(1, s.transpose_b ? k : n);  // row stride of B as stored
    if constexpr (std::is_same_v<T, float>)
        cblas_sgemm(CblasRowMajor, flag(s.transpose_a), flag(s.transpose_b), m, n, k, alpha, a, lda, b, ldb, beta,
                    c, n);
    else
        cblas_dgemm(CblasRowMajor, flag(s.transpose_a), flag(s.transpose_b), m, n, k, alpha, a, lda, b, ldb, beta,
                    c, n);
}
}  // namespace

void gemm(const GemmShape& s, float alpha, const float* a, const float* b, float beta, float* c) {
    blas(s, alpha, a, b, beta, c);
}
void gemm(const GemmShape& s, double alpha, const double* a, const double* b, double beta, double* c) {
    blas(s, alpha, a, b, beta, c);
}

void gemm_reference(const GemmShape& s, float alpha, const float* a, const float* b, float beta, float* c) {
    reference(s, alpha, a, b, beta, c);
}
void gemm_reference(const GemmShape& s, double alpha, const double* a, const double* b, double beta, double* c) {
    reference(s, alpha, a, b, beta, c);
}

void set_gemm_trace(std::vector<GemmShape>* trace) { g_trace = trace; }

void set_blas_threads(int threads) {
    openblas_set_num_threads(threads);
    parallel::set_threads(threads);  // the loops between the GEMMs use as many
}
int blas_threads() { return openblas_get_num_threads(); }
bool blas_uses_openmp() { return openblas_get_parallel() == OPENBLAS_OPENMP; }

}  // namespace mmgen
