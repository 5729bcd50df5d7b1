#pragma once
// Checkpoints: named tensors and string metadata in the safetensors format, so weights saved
// here open in PyTorch (`safetensors.torch.load_file`) and NumPy, and the other way round.
//
// File layout (all integers little-endian):
//
//   [8 bytes]  N, the header length (u64)
//   [N bytes]  JSON header, padded with spaces so that N is a multiple of 8:
//              {"__metadata__": {"key": "value", …},
//               "encoder.0.weight": {"dtype": "F32", "shape": [400, 784], "data_offsets": [0, 1254400]},
//               …}
//   [rest]     the data section: each tensor's row-major values at [begin, end) of it;
//              together the ranges cover the section exactly, without gaps or overlaps
//
// Saving writes real (F32 in the float build, F64 in the double build). Loading accepts F32
// and F64 and converts to real, so weights move between the two builds (F64 → F32 rounds).
// I64 and U64 are recognised but never loaded into a real tensor.
//
// Loading is strict: every check runs before any value is copied, so a refused checkpoint
// leaves the destination tensors untouched, and the tensors must be exactly the ones the model
// expects — same names, same shapes, none missing, none extra. Every failure throws
// CheckpointError naming the file, and the tensor and shapes when one is at fault.
#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <mmgen/core/random.hpp>
#include <mmgen/core/tensor.hpp>
#include <mmgen/nn/modules.hpp>
#include <mmgen/nn/optim.hpp>

namespace mmgen {

class CheckpointError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;
using Metadata = std::map<std::string, std::string>;

// --- whole files -----------------------------------------------------------------------------

// Writes atomically: to path + ".tmp", flushed and fsync'ed, then renamed over path, so a
// crash mid-write leaves any previous checkpoint intact. Creates missing parent directories.
// Names must be unique, non-empty and not "__metadata__" (std::invalid_argument otherwise).
void save_checkpoint(const std::filesystem::path& path, const NamedTensors& tensors, const Metadata& metadata = {});

// Copies the file's tensors into `expected` (matched by name, shapes must agree) and returns
// the file's metadata.
Metadata load_checkpoint_into(const std::filesystem::path& path, const NamedTensors& expected);

// Every tensor in the file, in file order, as new real tensors (for inspecting a checkpoint).
struct Checkpoint {
    NamedTensors tensors;
    Metadata metadata;
};
Checkpoint load_checkpoint(const std::filesystem::path& path);

// --- models and training runs ----------------------------------------------------------------

// Just the weights and buffers, under the names of named_state() ("encoder.0.weight",
// "features.1.running_mean"), as a PyTorch user would expect them.
void save_module(const std::filesystem::path& path, const nn::Module& module, const Metadata& metadata = {});
Metadata load_module(const std::filesystem::path& path, nn::Module& module);

// Where a training run stands, so that a resumed run continues exactly.
struct TrainingPosition {
    std::int64_t epoch = 0;                     // epochs completed
    std::int64_t step = 0;                      // optimizer steps taken in the run
    std::array<std::uint64_t, 4> rng_state{};   // Rng::state() of the run's generator
};

// Module parameters and buffers as "model.<name>", optimizer state as "optim.<name>"; the optimizer's
// step count and the position in __metadata__ as decimal strings ("optim.steps",
// "position.epoch", "position.step", "position.rng.0" … "position.rng.3"). `extra` adds
// metadata (e.g. the chapter's flags); it may not reuse those keys or "mmgen.content".
void save_training_state(const std::filesystem::path& path, const nn::Module& module, optim::Optimizer& optimizer,
                         const TrainingPosition& position, const Metadata& extra = {});
// Restores parameters, optimizer state and step count; returns the position. If `metadata`
// is given it receives the file's whole __metadata__.
TrainingPosition load_training_state(const std::filesystem::path& path, nn::Module& module,
                                     optim::Optimizer& optimizer, Metadata* metadata = nullptr);

// Resume-or-start, the first lines of every resumable training loop: with `resume` and a file
// at `path`, restores the module, the optimizer and the run's Rng from it, says so on stderr
// and returns the saved position; otherwise changes nothing and returns epoch 0, step 0.
// `metadata`, if given, receives the file's __metadata__ (left alone when starting afresh).
TrainingPosition resume_or_start(const std::filesystem::path& path, bool resume, nn::Module& module,
                                 optim::Optimizer& optimizer, Rng& rng, Metadata* metadata = nullptr);

// --- the format, on bytes in memory (what the file functions and the fuzzer use) -------------
namespace safetensors {

enum class Dtype { f32, f64, i64, u64 };
const char* dtype_name(Dtype dtype);  // "F32", …
std::size_t dtype_size(Dtype dtype);  // bytes per value
inline constexpr Dtype kRealDtype = sizeof(real) == 4 ? Dtype::f32 : Dtype::f64;

inline constexpr std::size_t kMaxHeaderBytes = 100'000'000;

struct Entry {
    std::string name;
    Dtype dtype = Dtype::f32;
    Shape shape;
    std::size_t begin = 0, end = 0;  // byte range [begin, end) within the data section
};

// A parsed and validated file. `data` views the bytes given to parse(), which must outlive it.
struct File {
    std::vector<Entry> entries;  // in order of data offset: the order they were saved in
    Metadata metadata;
    std::span<const std::uint8_t> data;  // the data section
    const Entry* find(std::string_view name) const;
};

std::vector<std::uint8_t> encode(const NamedTensors& tensors, const Metadata& metadata);
// Checks the layout and every header field; `name` labels error messages (the file's path).
File parse(std::span<const std::uint8_t> bytes, const std::string& name);
// Checks that `file` holds exactly the tensors of `expected`, with the same shapes, in dtypes
// that load into real. Copies nothing.
void check_matches(const File& file, const NamedTensors& expected, const std::string& name);
// Copies (and converts) the values of a file that passed check_matches into `expected`.
void copy_into(const File& file, const NamedTensors& expected);

}  // namespace safetensors

}  // namespace mmgen
