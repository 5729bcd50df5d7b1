#pragma once
// MMGEN_SIMD_CLONES: compile a hot loop three times — for AVX-512, AVX2 and the generic x86-64
// baseline (SSE2, 4 floats per instruction) the build targets — and let the loader pick the
// widest the CPU runs (GCC function multiversioning; one binary for every machine). Used on the
// few loops that dominate a training step outside GEMM: the vector math kernels (where it also
// selects glibc's 8- and 16-wide exp/log) and the Adam update. Off under AddressSanitizer: the
// sanitizer pass checks the baseline loops, the same source every clone is compiled from.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define MMGEN_SIMD_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define MMGEN_SIMD_CLONES
#endif
