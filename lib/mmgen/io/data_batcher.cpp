// Batcher (seeded shuffling into batches) and the per-batch conversion of bytes to tensors.
#include <mmgen/io/data.hpp>

#include <algorithm>
#include <array>
#include <numeric>
#include <utility>

namespace mmgen::data {

Batcher::Batcher(std::size_t dataset_size, std::size_t batch_size, Rng& rng, bool drop_last,
                 std::optional<std::size_t> limit)
    : size_(limit ? std::min(*limit, dataset_size) : dataset_size), batch_size_(batch_size), rng_(&rng),
      drop_last_(drop_last) {
    if (batch_size == 0) throw std::invalid_argument("Batcher: batch size must be positive");
    if (size_ == 0) throw std::invalid_argument("Batcher: no examples to batch (dataset size or limit is 0)");
    if (drop_last && size_ < batch_size)
        throw std::invalid_argument("Batcher: with drop_last, " + std::to_string(size_) +
                                    " examples make no full batch of " + std::to_string(batch_size));
}

std::size_t Batcher::batches_per_epoch() const {
    return drop_last_ ? size_ / batch_size_ : (size_ + batch_size_ - 1) / batch_size_;
}

std::vector<std::vector<std::size_t>> Batcher::epoch_batches() {
    std::vector<std::size_t> order(size_);
    std::iota(order.begin(), order.end(), std::size_t{0});
    // Fisher–Yates: position i takes a uniformly chosen index among those not yet placed
    for (std::size_t i = size_ - 1; i > 0; --i) std::swap(order[i], order[rng_->below(i + 1)]);

    std::vector<std::vector<std::size_t>> batches;
    batches.reserve(batches_per_epoch());
    for (std::size_t start = 0; start < size_; start += batch_size_) {
        const std::size_t end = std::min(start + batch_size_, size_);
        if (drop_last_ && end - start < batch_size_) break;
        batches.emplace_back(order.begin() + static_cast<std::ptrdiff_t>(start),
                             order.begin() + static_cast<std::ptrdiff_t>(end));
    }
    return batches;
}

namespace {
void check_indices(const char* who, const Dataset& dataset, std::span<const std::size_t> indices) {
    if (dataset.images.size() != dataset.n * dataset.image_size() || dataset.labels.size() != dataset.n)
        throw std::invalid_argument(std::string(who) + ": the dataset's buffers do not match n = " +
                                    std::to_string(dataset.n) + " images of " + std::to_string(dataset.rows) +
                                    "x" + std::to_string(dataset.cols));
    for (auto i : indices)
        if (i >= dataset.n)
            throw std::out_of_range(std::string(who) + ": index " + std::to_string(i) + " outside the dataset's " +
                                    std::to_string(dataset.n) + " examples");
}
}  // namespace

Tensor images_to_tensor(const Dataset& dataset, std::span<const std::size_t> indices, real lo, real hi) {
    check_indices("images_to_tensor", dataset, indices);
    const std::size_t d = dataset.image_size();
    Tensor x = Tensor::empty({indices.size(), d});  // (B, rows*cols)
    auto out = x.data();
    // one value per byte, computed in double; the ends are exact (0 → lo, 255 → hi)
    std::array<real, 256> value_of{};
    for (int v = 0; v < 256; ++v)
        value_of[v] = static_cast<real>(double(lo) + (double(hi) - double(lo)) * v / 255.0);
    value_of[0] = lo;
    value_of[255] = hi;
    for (std::size_t b = 0; b < indices.size(); ++b) {
        const std::uint8_t* pixels = dataset.images.data() + indices[b] * d;
        for (std::size_t j = 0; j < d; ++j) out[b * d + j] = value_of[pixels[j]];
    }
    return x;
}

std::vector<std::size_t> first_indices(std::size_t count) {
    std::vector<std::size_t> idx(count);
    std::iota(idx.begin(), idx.end(), std::size_t{0});
    return idx;
}

Tensor first_images(const Dataset& dataset, std::size_t count, real lo, real hi) {
    return images_to_tensor(dataset, first_indices(count), lo, hi);
}

std::vector<std::size_t> labels_of(const Dataset& dataset, std::span<const std::size_t> indices) {
    check_indices("labels_of", dataset, indices);
    std::vector<std::size_t> out;
    out.reserve(indices.size());
    for (auto i : indices) out.push_back(dataset.labels[i]);
    return out;
}

}  // namespace mmgen::data
