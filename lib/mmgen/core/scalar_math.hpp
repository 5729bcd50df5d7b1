#pragma once
// Numerically stable scalar functions shared by ops and losses.
#include <algorithm>
#include <cmath>

namespace mmgen {

// σ(v) = 1/(1 + e^−v), evaluated so that exp never overflows.
template <class T>
T logistic(T v) {
    if (v >= 0) return T(1) / (T(1) + std::exp(-v));
    const T e = std::exp(v);
    return e / (T(1) + e);
}

// log(1 + eᵛ) = max(v, 0) + log(1 + e^−|v|): finite for every finite v.
template <class T>
T log1p_exp(T v) {
    return std::max(v, T(0)) + std::log1p(std::exp(-std::abs(v)));
}

}  // namespace mmgen
