// Checkpoints: safetensors round trips, the header a PyTorch user reads, strict refusal of
// malformed or mismatched files (leaving the model untouched), and atomic writes.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>

#include <mmgen/io/checkpoint.hpp>
#include <mmgen/nn/losses.hpp>
#include <mmgen/core/ops.hpp>

#include "support.hpp"

using namespace mmgen;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), {});
}

void write_file(const fs::path& path, const Bytes& bytes) {
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                                static_cast<std::streamsize>(bytes.size()));
}

// A safetensors file from a header (JSON text) and a data section, with an optional
// header-length field that lies.
Bytes safetensors_file(const std::string& header, const Bytes& data, std::optional<std::uint64_t> header_length = {}) {
    const std::uint64_t n = header_length.value_or(header.size());
    Bytes out(8 + header.size() + data.size());
    std::memcpy(out.data(), &n, 8);
    std::copy(header.begin(), header.end(), out.begin() + 8);
    std::copy(data.begin(), data.end(), out.begin() + 8 + static_cast<std::ptrdiff_t>(header.size()));
    return out;
}

template <class T>
Bytes bytes_of(std::initializer_list<T> values) {
    Bytes out(values.size() * sizeof(T));
    std::memcpy(out.data(), std::data(values), out.size());
    return out;
}

Bytes concat(Bytes a, const Bytes& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

// A few training steps so that the Adam moments are not zero.
void train_a_little(nn::Module& net, optim::Optimizer& opt, Rng& rng, int steps) {
    for (int i = 0; i < steps; ++i) {
        const Tensor x = Tensor::randn({5, 4}, rng);  // (B, in)
        const Tensor y = Tensor::randn({5, 3}, rng);  // (B, out)
        opt.zero_grad();
        mse(net(x), y).backward();
        opt.step();
    }
}

void require_same_values(const Tensor& a, const Tensor& b, const std::string& what) {
    INFO(what);
    REQUIRE(a.shape() == b.shape());
    REQUIRE(a.to_vector() == b.to_vector());
}

}  // namespace

TEST_CASE("A training state round-trips: weights, Adam moments, step count, position and metadata", "[checkpoint]") {
    test::TempDir tmp("checkpoint");
    const auto path = tmp.path / "run" / "state.safetensors";  // the parent directory is created
    Rng rng(1);
    auto net = nn::mlp({4, 8, 3}, rng);
    optim::Adam adam(net->parameters(), real(0.01));
    train_a_little(*net, adam, rng, 3);
    const TrainingPosition position{2, 17, rng.state()};
    save_training_state(path, *net, adam, position, {{"chapter", "03_vae"}});

    Rng other(99);
    auto restored = nn::mlp({4, 8, 3}, other);
    optim::Adam restored_adam(restored->parameters(), real(0.01));
    Metadata metadata;
    const auto loaded = load_training_state(path, *restored, restored_adam, &metadata);

    SECTION("the position and the step count come back") {
        REQUIRE(loaded.epoch == 2);
        REQUIRE(loaded.step == 17);
        REQUIRE(loaded.rng_state == position.rng_state);
        REQUIRE(restored_adam.steps() == 3);
        REQUIRE(metadata.at("chapter") == "03_vae");
        REQUIRE(metadata.at("optim.steps") == "3");
        REQUIRE(metadata.at("position.rng.0") == std::to_string(position.rng_state[0]));
    }
    SECTION("every parameter and optimizer state tensor comes back exactly") {
        const auto a = net->named_parameters(), b = restored->named_parameters();
        for (std::size_t i = 0; i < a.size(); ++i) require_same_values(a[i].second, b[i].second, a[i].first);
        const auto sa = adam.state(), sb = restored_adam.state();
        REQUIRE(sa.size() == 8);  // m and v for 4 parameters
        for (std::size_t i = 0; i < sa.size(); ++i) require_same_values(sa[i].second, sb[i].second, sa[i].first);
    }
    SECTION("a resumed run continues exactly like the uninterrupted one") {
        Rng resumed_rng(0);
        resumed_rng.set_state(loaded.rng_state);
        train_a_little(*net, adam, rng, 2);
        train_a_little(*restored, restored_adam, resumed_rng, 2);
        const auto a = net->named_parameters(), b = restored->named_parameters();
        for (std::size_t i = 0; i < a.size(); ++i) require_same_values(a[i].second, b[i].second, a[i].first);
    }
}

TEST_CASE("A module's weights are saved under their PyTorch-style names", "[checkpoint]") {
    test::TempDir tmp("checkpoint");
    const auto path = tmp.path / "weights.safetensors";
    Rng rng(5);
    auto net = nn::mlp({4, 8, 3}, rng);
    save_module(path, *net, {{"note", "classifier"}});

    SECTION("load_module restores the weights into another instance") {
        Rng other(6);
        auto copy = nn::mlp({4, 8, 3}, other);
        const auto metadata = load_module(path, *copy);
        REQUIRE(metadata.at("note") == "classifier");
        const auto a = net->named_parameters(), b = copy->named_parameters();
        for (std::size_t i = 0; i < a.size(); ++i) require_same_values(a[i].second, b[i].second, a[i].first);
    }
    SECTION("load_checkpoint lists the tensors in the order they were saved") {
        const auto ckpt = load_checkpoint(path);
        std::vector<std::string> names;
        for (const auto& [name, t] : ckpt.tensors) names.push_back(name);
        REQUIRE(names == std::vector<std::string>{"0.weight", "0.bias", "2.weight", "2.bias"});
        require_same_values(ckpt.tensors[0].second, net->named_parameters()[0].second, "0.weight");
    }
    SECTION("the header is JSON with dtype, shape and data_offsets per tensor, as safetensors specifies") {
        const Bytes bytes = read_file(path);
        std::uint64_t n;
        std::memcpy(&n, bytes.data(), 8);
        REQUIRE(n % 8 == 0);  // padded with spaces so the data section is 8-byte aligned
        const json header = json::parse(bytes.begin() + 8, bytes.begin() + 8 + static_cast<std::ptrdiff_t>(n));
        REQUIRE(header.is_object());
        REQUIRE(header.size() == 5);
        REQUIRE(header["__metadata__"]["note"] == "classifier");
        REQUIRE(header["__metadata__"]["mmgen.content"] == "module");
        const json& w = header["0.weight"];
        REQUIRE(w["dtype"] == (sizeof(real) == 8 ? "F64" : "F32"));
        REQUIRE(w["shape"] == json::array({8, 4}));
        REQUIRE(w["data_offsets"] == json::array({0, 8 * 4 * sizeof(real)}));
        REQUIRE(header["2.bias"]["data_offsets"][1] == bytes.size() - 8 - n);
        // the data section holds the raw little-endian values
        real first;
        std::memcpy(&first, bytes.data() + 8 + n, sizeof(real));
        REQUIRE(first == net->named_parameters()[0].second.at(0));
    }
    SECTION("a training state is refused by load_module with a hint") {
        optim::Sgd sgd(net->parameters(), real(0.1));
        save_training_state(tmp.path / "state.safetensors", *net, sgd, {});
        REQUIRE_THROWS_WITH(load_module(tmp.path / "state.safetensors", *net),
                            Contains("missing tensor") && Contains("load_training_state"));
    }
}

TEST_CASE("F32 files load into the double build and F64 into the float build", "[checkpoint]") {
    test::TempDir tmp("checkpoint");
    const auto path = tmp.path / "f32.safetensors";
    write_file(path, safetensors_file(R"({"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                      R"("a":{"dtype":"F64","shape":[],"data_offsets":[8,16]}})",
                                      concat(bytes_of<float>({0.5f, -2.0f}), bytes_of<double>({3.25}))));
    Tensor a = Tensor::zeros({}), b = Tensor::zeros({2});
    load_checkpoint_into(path, {{"a", a}, {"b", b}});
    REQUIRE(a.item() == real(3.25));
    REQUIRE(b.to_vector() == std::vector<real>{real(0.5), real(-2)});
}

TEST_CASE("A malformed or mismatched checkpoint is refused and leaves the model untouched", "[checkpoint]") {
    test::TempDir tmp("checkpoint");
    const auto path = tmp.path / "bad.safetensors";
    // The model: weight (2, 3) and bias (2), filled with sentinels that must survive every refusal.
    Tensor weight = Tensor::full({2, 3}, real(42)), bias = Tensor::full({2}, real(-7));
    const NamedTensors model = {{"weight", weight}, {"bias", bias}};
    const Bytes w = bytes_of<float>({1, 2, 3, 4, 5, 6}), b = bytes_of<float>({0.5f, -0.5f});
    const std::string w_entry = R"("weight":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]})";
    const auto header_with = [&](const std::string& bias_entry) { return "{" + w_entry + "," + bias_entry + "}"; };

    const auto refused = [&](const Bytes& file, const std::string& problem) {
        write_file(path, file);
        INFO("expected a CheckpointError mentioning: " << problem);
        REQUIRE_THROWS_AS(load_checkpoint_into(path, model), CheckpointError);
        REQUIRE_THROWS_WITH(load_checkpoint_into(path, model), Contains(path.string()) && Contains(problem));
        REQUIRE(weight.to_vector() == std::vector<real>(6, real(42)));
        REQUIRE(bias.to_vector() == std::vector<real>(2, real(-7)));
    };

    SECTION("the well-formed file this test mutates does load") {
        write_file(path, safetensors_file(header_with(R"("bias":{"dtype":"F32","shape":[2],"data_offsets":[24,32]})"),
                                          concat(w, b)));
        load_checkpoint_into(path, model);
        REQUIRE(bias.to_vector() == std::vector<real>{real(0.5), real(-0.5)});
    }
    SECTION("a missing file") {
        REQUIRE_THROWS_WITH(load_checkpoint_into(tmp.path / "none.safetensors", model),
                            Contains("none.safetensors") && Contains("cannot open"));
    }
    SECTION("a truncated file, shorter than the length field") { refused({0x10, 0, 0}, "too short"); }
    SECTION("a header length beyond 100 MB") {
        refused(safetensors_file("{}", {}, std::uint64_t{1} << 40), "larger than 100 MB");
    }
    SECTION("a header length beyond the end of the file") {
        refused(safetensors_file("{}", {}, 4096), "exceeds");
    }
    SECTION("a header that is not JSON") { refused(safetensors_file("not json at all", concat(w, b)), "not valid JSON"); }
    SECTION("a header that is JSON but not an object") { refused(safetensors_file("[1,2]", {}), "not a JSON object"); }
    SECTION("data_offsets outside the data section (a truncated data section)") {
        refused(safetensors_file(header_with(R"("bias":{"dtype":"F32","shape":[2],"data_offsets":[24,32]})"), w),
                "outside the data section");
    }
    SECTION("data_offsets that end before they begin") {
        refused(safetensors_file(header_with(R"("bias":{"dtype":"F32","shape":[2],"data_offsets":[32,24]})"),
                                 concat(w, b)),
                "end before they begin");
    }
    SECTION("overlapping data_offsets") {
        refused(safetensors_file(header_with(R"("bias":{"dtype":"F32","shape":[2],"data_offsets":[16,24]})"),
                                 concat(w, b)),
                "overlap tensor 'weight'");
    }
    SECTION("a gap in the data section") {
        refused(safetensors_file(header_with(R"("bias":{"dtype":"F32","shape":[2],"data_offsets":[28,36]})"),
                                 concat(concat(w, Bytes(4)), b)),
                "belong to no tensor");
    }
    SECTION("bytes after the last tensor") {
        refused(safetensors_file(header_with(R"("bias":{"dtype":"F32","shape":[2],"data_offsets":[24,32]})"),
                                 concat(concat(w, b), Bytes(8))),
                "trailing bytes");
    }
    SECTION("a shape whose size disagrees with data_offsets") {
        refused(safetensors_file(header_with(R"("bias":{"dtype":"F32","shape":[3],"data_offsets":[24,32]})"),
                                 concat(w, b)),
                "hold 8");
    }
    SECTION("a negative dimension") {
        refused(safetensors_file(header_with(R"("bias":{"dtype":"F32","shape":[-2],"data_offsets":[24,32]})"),
                                 concat(w, b)),
                "non-negative integer");
    }
    SECTION("an unknown dtype") {
        refused(safetensors_file(header_with(R"("bias":{"dtype":"BF16","shape":[2],"data_offsets":[24,28]})"),
                                 concat(w, Bytes(4))),
                "unknown dtype 'BF16'");
    }
    SECTION("a known dtype that does not load into real tensors") {
        refused(safetensors_file(header_with(R"("bias":{"dtype":"I64","shape":[2],"data_offsets":[24,40]})"),
                                 concat(w, Bytes(16))),
                "tensor 'bias' has dtype I64");
    }
    SECTION("metadata that is not string to string") {
        refused(safetensors_file(R"({"__metadata__":{"epoch":3},)" + w_entry + "}", w), "__metadata__ value of 'epoch'");
    }
    SECTION("a tensor the model expects is missing") {
        refused(safetensors_file("{" + w_entry + "}", w), "missing tensor 'bias'");
    }
    SECTION("a tensor with another shape") {
        write_file(path, safetensors_file(R"({"weight":{"dtype":"F32","shape":[3,2],"data_offsets":[0,24]},)"
                                          R"("bias":{"dtype":"F32","shape":[2],"data_offsets":[24,32]}})",
                                          concat(w, b)));
        REQUIRE_THROWS_WITH(load_checkpoint_into(path, model),
                            "checkpoint '" + path.string() +
                                "': tensor 'weight' has shape (3, 2) but the model expects (2, 3)");
        REQUIRE(weight.to_vector() == std::vector<real>(6, real(42)));
        REQUIRE(bias.to_vector() == std::vector<real>(2, real(-7)));
    }
    SECTION("a tensor the model does not have (a checkpoint of another architecture)") {
        refused(safetensors_file(header_with(R"("bias":{"dtype":"F32","shape":[2],"data_offsets":[24,32]},)"
                                             R"("encoder.0.weight":{"dtype":"F32","shape":[1],"data_offsets":[32,36]})"),
                                 concat(concat(w, b), Bytes(4))),
                "unexpected tensor 'encoder.0.weight'");
    }
    SECTION("a training state with unreadable position metadata changes nothing") {
        Rng rng(2);
        auto net = nn::mlp({2, 2}, rng);
        optim::Sgd sgd(net->parameters(), real(0.1), real(0.9));
        const auto state_path = tmp.path / "state.safetensors";
        save_training_state(state_path, *net, sgd, {1, 2, rng.state()});
        // rewrite one metadata value so it is no longer a decimal integer
        auto ckpt = load_checkpoint(state_path);
        ckpt.metadata["position.rng.2"] = "12abc";
        save_checkpoint(state_path, ckpt.tensors, ckpt.metadata);
        net->parameters()[0].data()[0] += 1;
        const Tensor changed = net->parameters()[0].clone();
        REQUIRE_THROWS_WITH(load_training_state(state_path, *net, sgd),
                            Contains("'position.rng.2' = \"12abc\" is not a decimal integer"));
        require_same_values(net->parameters()[0], changed, "parameter untouched by the refused load");
    }
}

TEST_CASE("Every file in the checkpoint corpus loads if its name starts with 'valid' and is refused otherwise",
          "[checkpoint]") {
    const fs::path dir = fs::path(MMGEN_SOURCE_DIR) / "tests" / "corpus" / "checkpoint";
    int valid = 0, refused = 0;
    for (const auto& entry : fs::directory_iterator(dir)) {
        const auto name = entry.path().filename().string();
        INFO("corpus file " << name);
        Tensor weight = Tensor::zeros({2, 3}), bias = Tensor::zeros({2});  // the corpus's model
        const NamedTensors model = {{"weight", weight}, {"bias", bias}};
        if (name.rfind("valid", 0) == 0) {
            REQUIRE_NOTHROW(load_checkpoint_into(entry.path(), model));
            REQUIRE(weight.to_vector() == std::vector<real>{1, 2, 3, 4, 5, 6});
            ++valid;
        } else {
            REQUIRE_THROWS_AS(load_checkpoint_into(entry.path(), model), CheckpointError);
            REQUIRE(weight.to_vector() == std::vector<real>(6, 0));
            ++refused;
        }
    }
    REQUIRE(valid >= 2);
    REQUIRE(refused >= 20);
}

TEST_CASE("Saving is atomic: a failed or interrupted save never damages the previous checkpoint", "[checkpoint]") {
    test::TempDir tmp("checkpoint");
    const auto path = tmp.path / "model.safetensors";
    auto tmp_path = path;
    tmp_path += ".tmp";
    Tensor w = Tensor::full({3}, real(1));
    save_checkpoint(path, {{"w", w}});
    REQUIRE_FALSE(fs::exists(tmp_path));  // renamed into place

    SECTION("a leftover .tmp from a crashed write does not affect loading") {
        write_file(tmp_path, {1, 2, 3});
        Tensor into = Tensor::zeros({3});
        load_checkpoint_into(path, {{"w", into}});
        REQUIRE(into.to_vector() == std::vector<real>(3, 1));
        // and the next save replaces it
        save_checkpoint(path, {{"w", Tensor::full({3}, real(2))}});
        REQUIRE_FALSE(fs::exists(tmp_path));
        load_checkpoint_into(path, {{"w", into}});
        REQUIRE(into.to_vector() == std::vector<real>(3, 2));
    }
    SECTION("a save that cannot write its .tmp file fails and leaves the old file intact") {
        fs::create_directories(tmp_path);  // a directory where the temporary file should go
        REQUIRE_THROWS_WITH(save_checkpoint(path, {{"w", Tensor::full({3}, real(5))}}),
                            Contains(tmp_path.string()) && Contains("cannot create"));
        Tensor into = Tensor::zeros({3});
        load_checkpoint_into(path, {{"w", into}});
        REQUIRE(into.to_vector() == std::vector<real>(3, 1));
    }
    SECTION("names must be unique, non-empty and not __metadata__") {
        REQUIRE_THROWS_AS(save_checkpoint(path, {{"w", w}, {"w", w}}), std::invalid_argument);
        REQUIRE_THROWS_AS(save_checkpoint(path, {{"", w}}), std::invalid_argument);
        REQUIRE_THROWS_AS(save_checkpoint(path, {{"__metadata__", w}}), std::invalid_argument);
        REQUIRE_THROWS_AS(save_checkpoint(path, {{"u", Tensor()}}), std::invalid_argument);
    }
}
