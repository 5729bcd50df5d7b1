// Checkpoint files: atomic writes, strict loads, and the two things chapters save — a model's
// weights and a whole training state.
#include <mmgen/io/checkpoint.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>

namespace mmgen {

namespace {

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& problem) {
    throw CheckpointError("checkpoint '" + path.string() + "': " + problem);
}

// Closes a POSIX file descriptor when it goes out of scope.
struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

// write → fsync → rename: readers see either the old file or the complete new one.
void write_file_atomically(const std::filesystem::path& path, std::span<const std::uint8_t> bytes) {
    std::error_code ec;
    if (path.has_parent_path()) {
        std::filesystem::create_directories(path.parent_path(), ec);
        if (ec) fail(path, "cannot create directory '" + path.parent_path().string() + "': " + ec.message());
    }
    auto tmp = path;
    tmp += ".tmp";
    auto tmp_fail = [&](const std::string& what) {
        const std::string reason = std::strerror(errno);
        ::unlink(tmp.c_str());  // never leave a half-written file behind (a directory stays)
        fail(path, what + " '" + tmp.string() + "': " + reason);
    };

    {
        Fd out{::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)};
        if (out.fd < 0) fail(path, "cannot create '" + tmp.string() + "': " + std::strerror(errno));
        std::size_t written = 0;
        while (written < bytes.size()) {
            const ssize_t k = ::write(out.fd, bytes.data() + written, bytes.size() - written);
            if (k < 0 && errno == EINTR) continue;
            if (k < 0) tmp_fail("cannot write");
            written += static_cast<std::size_t>(k);
        }
        if (::fsync(out.fd) != 0) tmp_fail("cannot flush");
        const int fd = out.fd;
        out.fd = -1;
        if (::close(fd) != 0) tmp_fail("cannot close");
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) tmp_fail("cannot rename over the checkpoint");

    // make the rename itself durable (best effort: some file systems refuse fsync on a directory)
    const auto dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
    Fd d{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
    if (d.fd >= 0) ::fsync(d.fd);
}

std::vector<std::uint8_t> read_whole_file(const std::filesystem::path& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) fail(path, "is a directory, not a checkpoint");
    Fd in{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
    if (in.fd < 0) fail(path, std::string("cannot open: ") + std::strerror(errno));
    std::vector<std::uint8_t> bytes;
    std::uint8_t chunk[1 << 16];
    for (;;) {
        const ssize_t k = ::read(in.fd, chunk, sizeof chunk);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) fail(path, std::string("read error: ") + std::strerror(errno));
        if (k == 0) break;
        bytes.insert(bytes.end(), chunk, chunk + k);
    }
    return bytes;
}

// --- the metadata of a training state ---

constexpr const char* kContentKey = "mmgen.content";  // "module" or "training_state"
constexpr const char* kStepsKey = "optim.steps";
constexpr const char* kEpochKey = "position.epoch";
constexpr const char* kStepKey = "position.step";
std::string rng_key(std::size_t i) { return "position.rng." + std::to_string(i); }

bool is_reserved_key(const std::string& key) {
    return key == kContentKey || key == kStepsKey || key == kEpochKey || key == kStepKey ||
           key.rfind("position.rng.", 0) == 0;
}

Metadata with_content(const Metadata& extra, const char* content, const char* who) {
    Metadata out;
    for (const auto& [key, value] : extra) {
        if (is_reserved_key(key)) throw std::invalid_argument(std::string(who) + ": metadata key '" + key + "' is reserved");
        out[key] = value;
    }
    out[kContentKey] = content;
    return out;
}

// A whole decimal integer of type T from metadata[key].
template <class T>
T metadata_integer(const std::filesystem::path& path, const Metadata& metadata, const std::string& key) {
    const auto it = metadata.find(key);
    if (it == metadata.end()) fail(path, "__metadata__ lacks '" + key + "' (not a training state?)");
    const std::string& text = it->second;
    T value{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty())
        fail(path, "__metadata__ '" + key + "' = \"" + text + "\" is not a decimal integer");
    return value;
}

NamedTensors prefixed(const std::string& prefix, const NamedTensors& tensors) {
    NamedTensors out;
    for (const auto& [name, t] : tensors) out.emplace_back(prefix + name, t);
    return out;
}

// Parsing and matching together, with a hint when the file holds the other kind of content.
safetensors::File parse_and_match(const std::filesystem::path& path, std::span<const std::uint8_t> bytes,
                                  const NamedTensors& expected, const char* expected_content) {
    auto file = safetensors::parse(bytes, path.string());
    try {
        safetensors::check_matches(file, expected, path.string());
    } catch (const CheckpointError& e) {
        const auto it = file.metadata.find(kContentKey);
        const bool other_kind = it != file.metadata.end() && (it->second == "module" || it->second == "training_state");
        if (expected_content && other_kind && it->second != expected_content)
            throw CheckpointError(std::string(e.what()) + " — the file holds a " + it->second + ", load it with load_" +
                                  it->second);
        throw;
    }
    return file;
}

}  // namespace

void save_checkpoint(const std::filesystem::path& path, const NamedTensors& tensors, const Metadata& metadata) {
    const auto bytes = safetensors::encode(tensors, metadata);
    write_file_atomically(path, bytes);
}

Metadata load_checkpoint_into(const std::filesystem::path& path, const NamedTensors& expected) {
    const auto bytes = read_whole_file(path);
    const auto file = parse_and_match(path, bytes, expected, nullptr);
    safetensors::copy_into(file, expected);
    return file.metadata;
}

Checkpoint load_checkpoint(const std::filesystem::path& path) {
    const auto bytes = read_whole_file(path);
    const auto file = safetensors::parse(bytes, path.string());
    Checkpoint out;
    for (const auto& e : file.entries) out.tensors.emplace_back(e.name, Tensor::zeros(e.shape));
    safetensors::check_matches(file, out.tensors, path.string());  // refuses integer dtypes
    safetensors::copy_into(file, out.tensors);
    out.metadata = file.metadata;
    return out;
}

void save_module(const std::filesystem::path& path, const nn::Module& module, const Metadata& metadata) {
    save_checkpoint(path, module.named_state(), with_content(metadata, "module", "save_module"));
}

Metadata load_module(const std::filesystem::path& path, nn::Module& module) {
    const auto bytes = read_whole_file(path);
    const auto expected = module.named_state();
    const auto file = parse_and_match(path, bytes, expected, "module");
    safetensors::copy_into(file, expected);
    return file.metadata;
}

void save_training_state(const std::filesystem::path& path, const nn::Module& module, optim::Optimizer& optimizer,
                         const TrainingPosition& position, const Metadata& extra) {
    NamedTensors tensors = prefixed("model.", module.named_state());
    for (auto& named : prefixed("optim.", optimizer.state())) tensors.push_back(std::move(named));
    Metadata metadata = with_content(extra, "training_state", "save_training_state");
    metadata[kStepsKey] = std::to_string(optimizer.steps());
    metadata[kEpochKey] = std::to_string(position.epoch);
    metadata[kStepKey] = std::to_string(position.step);
    for (std::size_t i = 0; i < position.rng_state.size(); ++i) metadata[rng_key(i)] = std::to_string(position.rng_state[i]);
    save_checkpoint(path, tensors, metadata);
}

TrainingPosition load_training_state(const std::filesystem::path& path, nn::Module& module,
                                     optim::Optimizer& optimizer, Metadata* metadata) {
    const auto bytes = read_whole_file(path);
    NamedTensors expected = prefixed("model.", module.named_state());
    for (auto& named : prefixed("optim.", optimizer.state())) expected.push_back(std::move(named));
    const auto file = parse_and_match(path, bytes, expected, "training_state");

    // every check before the first copy: a refused file changes nothing
    TrainingPosition position;
    const auto steps = metadata_integer<std::int64_t>(path, file.metadata, kStepsKey);
    position.epoch = metadata_integer<std::int64_t>(path, file.metadata, kEpochKey);
    position.step = metadata_integer<std::int64_t>(path, file.metadata, kStepKey);
    for (std::size_t i = 0; i < position.rng_state.size(); ++i)
        position.rng_state[i] = metadata_integer<std::uint64_t>(path, file.metadata, rng_key(i));
    if (steps < 0 || position.epoch < 0 || position.step < 0)
        fail(path, "__metadata__ holds a negative step or epoch count");

    safetensors::copy_into(file, expected);
    optimizer.set_steps(steps);
    if (metadata) *metadata = file.metadata;
    return position;
}

TrainingPosition resume_or_start(const std::filesystem::path& path, bool resume, nn::Module& module,
                                 optim::Optimizer& optimizer, Rng& rng, Metadata* metadata) {
    if (!resume || !std::filesystem::exists(path)) return {};
    const TrainingPosition position = load_training_state(path, module, optimizer, metadata);
    rng.set_state(position.rng_state);
    std::cerr << "resumed from " << path.string() << " after epoch " << position.epoch << "\n";
    return position;
}

}  // namespace mmgen
