// libFuzzer target: safetensors parsing, matching against a small model, and loading every
// tensor. Each input must either be refused with CheckpointError — leaving the model's
// tensors untouched — or load, re-encode and parse again to the same names, shapes and
// metadata. Run with scripts/fuzz.sh.
#include <algorithm>
#include <cstdint>
#include <cstdlib>

#include <mmgen/io/checkpoint.hpp>

using namespace mmgen;

namespace {

// The model the corpus in tests/corpus/checkpoint is written for: weight (2, 3), bias (2).
void load_into_model(const safetensors::File& file) {
    Tensor weight = Tensor::full({2, 3}, real(7)), bias = Tensor::full({2}, real(7));
    const NamedTensors model = {{"weight", weight}, {"bias", bias}};
    try {
        safetensors::check_matches(file, model, "fuzz input");
        safetensors::copy_into(file, model);
    } catch (const CheckpointError&) {
        const auto untouched = [](const Tensor& t) {
            return std::all_of(t.data().begin(), t.data().end(), [](real v) { return v == real(7); });
        };
        if (!untouched(weight) || !untouched(bias)) std::abort();
    }
}

// What load_checkpoint does: every floating-point tensor, then a re-encoding that must parse.
void load_everything(const safetensors::File& file) {
    NamedTensors all;
    for (const auto& e : file.entries) all.emplace_back(e.name, Tensor::zeros(e.shape));
    try {
        safetensors::check_matches(file, all, "fuzz input");
    } catch (const CheckpointError&) {
        return;  // integer dtypes do not load into real tensors
    }
    safetensors::copy_into(file, all);
    const auto bytes = safetensors::encode(all, file.metadata);
    const auto again = safetensors::parse(bytes, "re-encoded fuzz input");
    if (again.metadata != file.metadata || again.entries.size() != file.entries.size()) std::abort();
    for (std::size_t i = 0; i < again.entries.size(); ++i)
        if (again.entries[i].name != file.entries[i].name || again.entries[i].shape != file.entries[i].shape)
            std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    safetensors::File file;
    try {
        file = safetensors::parse({data, size}, "fuzz input");
    } catch (const CheckpointError&) {
        return 0;  // refused: the expected outcome for almost every input
    }
    load_into_model(file);
    load_everything(file);
    return 0;
}
