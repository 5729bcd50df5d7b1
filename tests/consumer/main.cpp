// Differentiates y = Σ (W x)² through an installed mmgen and checks one gradient by hand.
#include <cmath>
#include <cstdio>

#include <mmgen/core/ops.hpp>

int main() {
    using namespace mmgen;
    Tensor w = Tensor::from_data({1, 2}, {1, 2}, true);  // W (1, 2)
    Tensor x = Tensor::from_data({2, 1}, {3, 4});        // x (2, 1)
    Tensor y = sum(square(matmul(w, x)));                // (1·3 + 2·4)² = 121
    y.backward();
    // ∂y/∂W = 2 (W x) xᵀ = 2 · 11 · (3, 4) = (66, 88)
    const bool ok = std::abs(y.item() - 121) < 1e-4 && std::abs(w.grad()[0] - 66) < 1e-4 &&
                    std::abs(w.grad()[1] - 88) < 1e-4;
    std::printf("consumer: y = %g, dy/dW = (%g, %g): %s\n", double(y.item()), double(w.grad()[0]),
                double(w.grad()[1]), ok ? "ok" : "WRONG");
    return ok ? 0 : 1;
}
