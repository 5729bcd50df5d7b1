#include <mmgen/nn/batched.hpp>

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include <mmgen/core/autograd.hpp>
#include <mmgen/core/ops.hpp>

namespace mmgen::nn {

Tensor map_batches(const Tensor& x, std::size_t batch, const std::function<Tensor(const Tensor&)>& f) {
    if (batch == 0 || x.rank() == 0)
        throw std::invalid_argument("map_batches: input " + x.shape_str() + ", batch " + std::to_string(batch) +
                                    ": expected rows to batch and a batch of at least 1");
    NoGradGuard no_grad;
    if (x.dim(0) == 0) return f(x);
    std::vector<Tensor> parts;  // each (≤ batch, ·)
    for (std::size_t start = 0; start < x.dim(0); start += batch)
        parts.push_back(f(slice_rows(x, start, std::min(x.dim(0), start + batch))));
    return parts.size() == 1 ? parts[0] : concat(parts, 0);
}

void for_each_batch(std::size_t n, std::size_t batch, const std::function<void(std::span<const std::size_t>)>& f) {
    if (batch == 0) throw std::invalid_argument("for_each_batch: batch must be at least 1");
    NoGradGuard no_grad;
    std::vector<std::size_t> idx;
    for (std::size_t start = 0; start < n; start += batch) {
        idx.resize(std::min(n, start + batch) - start);
        std::iota(idx.begin(), idx.end(), start);
        f(idx);
    }
}

}  // namespace mmgen::nn
