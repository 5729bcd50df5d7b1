#pragma once
// Data: the IDX file format, the Fashion-MNIST dataset, and the Batcher that walks it.
//
//   IDX file (.gz or plain) → IdxArray (dims + uint8 bytes) → Dataset (images, labels)
//     → Batcher (seeded shuffle of indices, one epoch at a time)
//     → images_to_tensor (uint8 → real, per batch) and labels_of
//
// Every reading error throws DataError, whose message names the file and what is wrong.
#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include <mmgen/core/random.hpp>
#include <mmgen/core/real.hpp>
#include <mmgen/core/tensor.hpp>

namespace mmgen::data {

class DataError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// --- IDX -------------------------------------------------------------------------------------
// The IDX format (LeCun's MNIST files): a 4-byte magic 00 00 <type> <rank>, then `rank`
// big-endian u32 dimensions, then the values in row-major order and nothing after them.
// Only type 0x08 (unsigned byte) and rank 1..4 are accepted. The file may be gzip-compressed;
// that is decided by its first two bytes (1f 8b), not by its name.

struct IdxArray {
    std::vector<std::uint32_t> dims;  // e.g. {10000, 28, 28}
    std::vector<std::uint8_t> bytes;  // product of dims values, row-major
};

// The largest array the reader accepts (protects against absurd dims in a damaged header).
inline constexpr std::size_t kMaxIdxBytes = 1'000'000'000;

// Reads an IDX file. A missing file's message says how to install Fashion-MNIST.
IdxArray read_idx(const std::filesystem::path& path);
// Parses the contents of an IDX file held in memory; `name` labels error messages.
IdxArray parse_idx(std::span<const std::uint8_t> file_bytes, const std::string& name);

// --- Fashion-MNIST ---------------------------------------------------------------------------

inline constexpr std::size_t kNumClasses = 10;
inline constexpr std::array<const char*, kNumClasses> kClassNames = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};

// How to get the data, quoted by every "file not found" message.
inline constexpr const char* kInstallHint =
    "install Fashion-MNIST with `sudo apt-get install dataset-fashion-mnist`, or point --data-dir "
    "(or the MMGEN_DATA environment variable) at a directory holding the IDX files";

struct Dataset {
    std::vector<std::uint8_t> images;  // (n, rows, cols), 0 = background, 255 = full ink
    std::vector<std::uint8_t> labels;  // (n), each < kNumClasses
    std::size_t n = 0, rows = 0, cols = 0;

    std::size_t image_size() const { return rows * cols; }
    std::span<const std::uint8_t> image(std::size_t i) const;  // one image, rows*cols bytes
};

// $MMGEN_DATA if set and non-empty, else /usr/share/datasets/fashion-mnist.
std::filesystem::path default_data_dir();

// split = "train" (60000 images) or "test" (10000). Reads <prefix>-images-idx3-ubyte.gz and
// <prefix>-labels-idx1-ubyte.gz from dir (or the same names without .gz), and checks that the
// images are (n, rows, cols), the labels (n), and every label < 10.
Dataset load_fashion_mnist(const std::filesystem::path& dir, const std::string& split);

// --- batches ---------------------------------------------------------------------------------

// Deals out the indices 0 … size−1 in batches, in a fresh seeded order every epoch.
//
//   Batcher batcher(train.n, 64, rng);
//   for (int epoch = 0; epoch < epochs; ++epoch)
//       for (const auto& idx : batcher.epoch_batches()) {
//           Tensor x = images_to_tensor(train, idx, 0, 1);  // (B, 784)
//           ...
//       }
//
// Each call to epoch_batches() starts from the identity order and applies a Fisher–Yates
// shuffle drawn from rng, so an epoch's order depends only on the rng state at its start (a
// run resumed from a checkpointed rng state continues with the same batches). The Batcher
// keeps a reference to rng: the Rng must outlive it.
class Batcher {
public:
    // limit: use only the first `limit` examples (for --quick); larger limits are clamped.
    // drop_last: leave out the final, smaller batch instead of returning it.
    Batcher(std::size_t dataset_size, std::size_t batch_size, Rng& rng, bool drop_last = false,
            std::optional<std::size_t> limit = std::nullopt);

    // One epoch: every used index exactly once (minus the remainder if drop_last).
    std::vector<std::vector<std::size_t>> epoch_batches();

    std::size_t size() const { return size_; }  // examples used per epoch (after limit)
    std::size_t batch_size() const { return batch_size_; }
    std::size_t batches_per_epoch() const;

private:
    std::size_t size_, batch_size_;
    Rng* rng_;
    bool drop_last_;
};

// The images at `indices` as a (B, rows*cols) tensor, each byte mapped linearly so that
// 0 → lo and 255 → hi: x = lo + (hi − lo) · byte / 255. (0, 1) for a Bernoulli decoder,
// (−1, 1) for a tanh generator.
Tensor images_to_tensor(const Dataset& dataset, std::span<const std::size_t> indices, real lo = 0, real hi = 1);
// The first `count` images, mapped the same way: (count, rows*cols). Throws std::out_of_range
// if the dataset holds fewer.
Tensor first_images(const Dataset& dataset, std::size_t count, real lo = 0, real hi = 1);
// The indices 0, 1, …, count − 1.
std::vector<std::size_t> first_indices(std::size_t count);
// The labels at `indices`, as class indices for cross_entropy.
std::vector<std::size_t> labels_of(const Dataset& dataset, std::span<const std::size_t> indices);

}  // namespace mmgen::data
