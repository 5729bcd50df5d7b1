// Fashion-MNIST (Xiao et al. 2017): 28×28 grey images of 10 kinds of clothing, stored as IDX
// files — an images file (n, 28, 28) and a labels file (n) per split.
#include <mmgen/io/data.hpp>

#include <cstdlib>

namespace mmgen::data {

namespace {

// The .gz file if present, else the uncompressed one, else the .gz name (whose "not found"
// message then tells how to install the data).
std::filesystem::path find_idx_file(const std::filesystem::path& dir, const std::string& stem) {
    const auto gz = dir / (stem + ".gz");
    const auto plain = dir / stem;
    std::error_code ec;
    if (!std::filesystem::exists(gz, ec) && std::filesystem::exists(plain, ec)) return plain;
    return gz;
}

}  // namespace

std::span<const std::uint8_t> Dataset::image(std::size_t i) const {
    if (i >= n)
        throw std::out_of_range("Dataset::image: index " + std::to_string(i) + " outside the " + std::to_string(n) +
                                " images");
    return std::span<const std::uint8_t>(images).subspan(i * image_size(), image_size());
}

std::filesystem::path default_data_dir() {
    const char* env = std::getenv("MMGEN_DATA");
    if (env && *env) return env;
    return "/usr/share/datasets/fashion-mnist";
}

Dataset load_fashion_mnist(const std::filesystem::path& dir, const std::string& split) {
    if (split != "train" && split != "test")
        throw std::invalid_argument("load_fashion_mnist: split must be \"train\" or \"test\", got \"" + split + "\"");
    const std::string prefix = split == "train" ? "train" : "t10k";
    const auto images_path = find_idx_file(dir, prefix + "-images-idx3-ubyte");
    const auto labels_path = find_idx_file(dir, prefix + "-labels-idx1-ubyte");
    IdxArray images = read_idx(images_path);
    IdxArray labels = read_idx(labels_path);

    auto fail = [](const std::filesystem::path& file, const std::string& problem) -> DataError {
        return DataError("Fashion-MNIST file '" + file.string() + "': " + problem);
    };
    if (images.dims.size() != 3)
        throw fail(images_path, "images must have 3 dims (n, rows, cols), the file has " +
                                    std::to_string(images.dims.size()));
    if (labels.dims.size() != 1)
        throw fail(labels_path, "labels must have 1 dim (n), the file has " + std::to_string(labels.dims.size()));
    if (images.dims[0] == 0 || images.dims[1] == 0 || images.dims[2] == 0)
        throw fail(images_path, "holds no images (a dimension is 0)");
    if (images.dims[0] != labels.dims[0])
        throw fail(labels_path, "holds " + std::to_string(labels.dims[0]) + " labels but '" + images_path.string() +
                                    "' holds " + std::to_string(images.dims[0]) + " images");
    for (std::size_t i = 0; i < labels.bytes.size(); ++i)
        if (labels.bytes[i] >= kNumClasses)
            throw fail(labels_path, "label " + std::to_string(labels.bytes[i]) + " at index " + std::to_string(i) +
                                        " is not a class (0..9)");

    Dataset out;
    out.n = images.dims[0];
    out.rows = images.dims[1];
    out.cols = images.dims[2];
    out.images = std::move(images.bytes);
    out.labels = std::move(labels.bytes);
    return out;
}

}  // namespace mmgen::data
