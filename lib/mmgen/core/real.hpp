#pragma once
// The scalar type of the whole library.
//
// The library is compiled twice from the same sources: `mmgen` with real = float (fast,
// what the chapters use) and `mmgen_f64` with real = double (what the gradient-check tests
// use, so finite differences are accurate and tolerances can be tight).
namespace mmgen {
#ifdef MMGEN_DOUBLE
using real = double;
#else
using real = float;
#endif
}  // namespace mmgen
