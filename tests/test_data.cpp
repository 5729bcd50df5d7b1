// The data pipeline: IDX files (plain and gzip), Fashion-MNIST, the Batcher, bytes → tensors.
#include <catch2/catch.hpp>

#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <numeric>
#include <set>

#include <mmgen/io/data.hpp>

#include "support.hpp"

using namespace mmgen;
using namespace mmgen::data;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

using Bytes = std::vector<std::uint8_t>;


// An IDX file: 00 00 08 <rank>, big-endian u32 dims, values.
Bytes idx_bytes(const std::vector<std::uint32_t>& dims, const Bytes& values) {
    Bytes out = {0, 0, 0x08, static_cast<std::uint8_t>(dims.size())};
    for (auto d : dims)
        for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(d >> shift));
    out.insert(out.end(), values.begin(), values.end());
    return out;
}

// gzip (not zlib) framing: deflateInit2 with 16 + MAX_WBITS.
Bytes gzip_bytes(const Bytes& plain) {
    z_stream s{};
    REQUIRE(deflateInit2(&s, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    Bytes out(deflateBound(&s, plain.size()) + 32);
    s.next_in = const_cast<Bytef*>(plain.data());
    s.avail_in = static_cast<uInt>(plain.size());
    s.next_out = out.data();
    s.avail_out = static_cast<uInt>(out.size());
    REQUIRE(deflate(&s, Z_FINISH) == Z_STREAM_END);
    out.resize(s.total_out);
    deflateEnd(&s);
    return out;
}

void write_file(const fs::path& path, const Bytes& bytes) {
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                                static_cast<std::streamsize>(bytes.size()));
}

Bytes iota_bytes(std::size_t n) {
    Bytes v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(i * 7);
    return v;
}

// A tiny Fashion-MNIST-shaped split: n images of 2×3 and n labels.
void write_fake_split(const fs::path& dir, const std::string& prefix, std::uint32_t n_images, std::uint32_t n_labels,
                      std::uint8_t label = 3) {
    write_file(dir / (prefix + "-images-idx3-ubyte.gz"), gzip_bytes(idx_bytes({n_images, 2, 3}, iota_bytes(n_images * 6))));
    write_file(dir / (prefix + "-labels-idx1-ubyte.gz"), gzip_bytes(idx_bytes({n_labels}, Bytes(n_labels, label))));
}

std::vector<std::size_t> flatten(const std::vector<std::vector<std::size_t>>& batches) {
    std::vector<std::size_t> all;
    for (const auto& b : batches) all.insert(all.end(), b.begin(), b.end());
    return all;
}

}  // namespace

TEST_CASE("An IDX file reads back its dims and bytes whether gzip-compressed or not", "[data]") {
    test::TempDir tmp("data");
    const Bytes values = iota_bytes(2 * 3 * 4);
    const Bytes plain = idx_bytes({2, 3, 4}, values);

    SECTION("a plain file") {
        write_file(tmp.path / "a.idx", plain);
        const auto a = read_idx(tmp.path / "a.idx");
        REQUIRE(a.dims == std::vector<std::uint32_t>{2, 3, 4});
        REQUIRE(a.bytes == values);
    }
    SECTION("a gzip file") {
        write_file(tmp.path / "a.idx.gz", gzip_bytes(plain));
        const auto a = read_idx(tmp.path / "a.idx.gz");
        REQUIRE(a.dims == std::vector<std::uint32_t>{2, 3, 4});
        REQUIRE(a.bytes == values);
    }
    SECTION("the magic bytes decide, not the name") {
        write_file(tmp.path / "plain.gz", plain);
        write_file(tmp.path / "compressed.idx", gzip_bytes(plain));
        REQUIRE(read_idx(tmp.path / "plain.gz").bytes == values);
        REQUIRE(read_idx(tmp.path / "compressed.idx").bytes == values);
    }
    SECTION("concatenated gzip members read as one stream, as gzip allows") {
        Bytes two = gzip_bytes(Bytes(plain.begin(), plain.begin() + 9));
        const Bytes rest = gzip_bytes(Bytes(plain.begin() + 9, plain.end()));
        two.insert(two.end(), rest.begin(), rest.end());
        REQUIRE(parse_idx(two, "two members").bytes == values);
    }
    SECTION("a zero dimension gives an empty array") {
        const auto a = parse_idx(idx_bytes({0, 28, 28}, {}), "empty");
        REQUIRE(a.dims == std::vector<std::uint32_t>{0, 28, 28});
        REQUIRE(a.bytes.empty());
    }
}

TEST_CASE("A malformed IDX file is refused with a message naming the file and the problem", "[data]") {
    test::TempDir tmp("data");
    const Bytes plain = idx_bytes({2, 3, 4}, iota_bytes(24));
    const auto refused = [&](const Bytes& bytes, const std::string& problem) {
        const auto path = tmp.path / "bad.idx";
        write_file(path, bytes);
        INFO("expected a DataError mentioning: " << problem);
        REQUIRE_THROWS_WITH(read_idx(path), Contains(path.string()) && Contains(problem));
    };

    SECTION("a missing file names its path and how to install the data") {
        const auto path = tmp.path / "no-such-images-idx3-ubyte.gz";
        REQUIRE_THROWS_AS(read_idx(path), DataError);
        REQUIRE_THROWS_WITH(read_idx(path), Contains(path.string()) &&
                                                Contains("sudo apt-get install dataset-fashion-mnist") &&
                                                Contains("MMGEN_DATA") && Contains("--data-dir"));
    }
    SECTION("a directory is not a file") {
        REQUIRE_THROWS_WITH(read_idx(tmp.path), Contains("is a directory"));
    }
    SECTION("an empty file") { refused({}, "too short for an IDX header"); }
    SECTION("wrong magic: the first two bytes must be zero") {
        Bytes b = plain;
        b[0] = 0x12;
        refused(b, "magic bytes 12 00 08 03");
    }
    SECTION("wrong magic: only unsigned bytes (0x08) are supported") {
        Bytes b = plain;
        b[2] = 0x0D;  // float
        refused(b, "element type 0x0d");
    }
    SECTION("wrong magic: rank 0 and rank 5 are outside 1..4") {
        refused({0, 0, 8, 0}, "rank 0");
        refused(idx_bytes({1, 1, 1, 1, 1}, {9}), "rank 5");
    }
    SECTION("the header ends inside the dims") { refused(Bytes(plain.begin(), plain.begin() + 9), "ends inside"); }
    SECTION("absurd dims: more than 1e9 bytes") { refused(idx_bytes({60000, 1000, 1000}, {}), "more than 1e9"); }
    SECTION("absurd dims: a product that overflows") {
        refused(idx_bytes({0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF}, {}), "more than 1e9");
    }
    SECTION("truncated plain data") { refused(Bytes(plain.begin(), plain.end() - 1), "truncated"); }
    SECTION("trailing garbage after the values") {
        Bytes b = plain;
        b.push_back(0);
        refused(b, "trailing data");
    }
    SECTION("a truncated gzip stream") {
        const Bytes gz = gzip_bytes(plain);
        refused(Bytes(gz.begin(), gz.end() - 6), "ends early");
        refused(Bytes(gz.begin(), gz.begin() + 10), "ends early");
    }
    SECTION("a gzip stream whose checksum does not match") {
        Bytes gz = gzip_bytes(plain);
        gz[gz.size() - 5] ^= 0xFF;  // inside the CRC-32/length trailer
        refused(gz, "corrupt gzip data");
    }
    SECTION("garbage after the gzip stream") {
        Bytes gz = gzip_bytes(plain);
        gz.push_back('x');
        refused(gz, "trailing garbage after the gzip stream");
    }
    SECTION("a gzip stream holding more values than the dims say") {
        Bytes more = plain;
        more.push_back(1);
        refused(gzip_bytes(more), "trailing data");
    }
    SECTION("a gzip stream holding fewer values than the dims say") {
        refused(gzip_bytes(Bytes(plain.begin(), plain.end() - 1)), "truncated");
    }
}

TEST_CASE("Every file in the IDX corpus loads if its name starts with 'valid' and is refused otherwise", "[data]") {
    const fs::path dir = fs::path(MMGEN_SOURCE_DIR) / "tests" / "corpus" / "idx";
    int valid = 0, refused = 0;
    for (const auto& entry : fs::directory_iterator(dir)) {
        const auto name = entry.path().filename().string();
        INFO("corpus file " << name);
        if (name.rfind("valid", 0) == 0) {
            REQUIRE_NOTHROW(read_idx(entry.path()));
            ++valid;
        } else {
            REQUIRE_THROWS_AS(read_idx(entry.path()), DataError);
            ++refused;
        }
    }
    REQUIRE(valid >= 3);
    REQUIRE(refused >= 15);
}

TEST_CASE("Fashion-MNIST loading checks that the images and labels belong together", "[data]") {
    test::TempDir tmp("data");

    SECTION("a consistent split loads with its sizes") {
        write_fake_split(tmp.path, "t10k", 5, 5);
        const auto d = load_fashion_mnist(tmp.path, "test");
        REQUIRE(d.n == 5);
        REQUIRE(d.rows == 2);
        REQUIRE(d.cols == 3);
        REQUIRE(d.images == iota_bytes(30));
        REQUIRE(d.labels == Bytes(5, 3));
        REQUIRE(std::vector<std::uint8_t>(d.image(1).begin(), d.image(1).end()) ==
                Bytes(d.images.begin() + 6, d.images.begin() + 12));
        REQUIRE_THROWS_AS(d.image(5), std::out_of_range);
    }
    SECTION("uncompressed files are found when the .gz ones are absent") {
        write_file(tmp.path / "train-images-idx3-ubyte", idx_bytes({1, 2, 3}, iota_bytes(6)));
        write_file(tmp.path / "train-labels-idx1-ubyte", idx_bytes({1}, {9}));
        REQUIRE(load_fashion_mnist(tmp.path, "train").labels == Bytes{9});
    }
    SECTION("image and label counts must agree") {
        write_fake_split(tmp.path, "train", 5, 4);
        REQUIRE_THROWS_WITH(load_fashion_mnist(tmp.path, "train"), Contains("4 labels") && Contains("5 images"));
    }
    SECTION("labels must name one of the 10 classes") {
        write_fake_split(tmp.path, "train", 3, 3, 10);
        REQUIRE_THROWS_WITH(load_fashion_mnist(tmp.path, "train"), Contains("label 10 at index 0"));
    }
    SECTION("images must be (n, rows, cols)") {
        write_file(tmp.path / "train-images-idx3-ubyte.gz", gzip_bytes(idx_bytes({2, 6}, iota_bytes(12))));
        write_file(tmp.path / "train-labels-idx1-ubyte.gz", gzip_bytes(idx_bytes({2}, {1, 2})));
        REQUIRE_THROWS_WITH(load_fashion_mnist(tmp.path, "train"), Contains("3 dims"));
    }
    SECTION("a missing directory names the file and the install command") {
        const auto dir = tmp.path / "nowhere";
        REQUIRE_THROWS_WITH(load_fashion_mnist(dir, "test"),
                            Contains((dir / "t10k-images-idx3-ubyte.gz").string()) &&
                                Contains("apt-get install dataset-fashion-mnist"));
    }
    SECTION("the split is train or test") {
        REQUIRE_THROWS_AS(load_fashion_mnist(tmp.path, "validation"), std::invalid_argument);
    }
}

TEST_CASE("The default data directory is MMGEN_DATA when set, else the Debian package's", "[data]") {
    const char* before = std::getenv("MMGEN_DATA");
    const std::string saved = before ? before : "";
    ::setenv("MMGEN_DATA", "/tmp/my-fashion", 1);
    CHECK(default_data_dir() == fs::path("/tmp/my-fashion"));
    ::unsetenv("MMGEN_DATA");
    CHECK(default_data_dir() == fs::path("/usr/share/datasets/fashion-mnist"));
    if (before) ::setenv("MMGEN_DATA", saved.c_str(), 1);
}

TEST_CASE("The installed Fashion-MNIST test split holds 10000 labelled 28x28 images", "[data][fashion-mnist]") {
    const auto d = load_fashion_mnist("/usr/share/datasets/fashion-mnist", "test");
    REQUIRE(d.n == 10000);
    REQUIRE(d.rows == 28);
    REQUIRE(d.cols == 28);
    REQUIRE(d.images.size() == 10000u * 28 * 28);
    REQUIRE(d.labels.size() == 10000);
    std::vector<int> per_class(kNumClasses);
    for (auto label : d.labels) {
        REQUIRE(label < kNumClasses);
        ++per_class[label];
    }
    for (std::size_t c = 0; c < kNumClasses; ++c) {
        INFO("class " << c << " (" << kClassNames[c] << ")");
        CHECK(per_class[c] == 1000);  // the test split is balanced
    }
    CHECK(*std::max_element(d.images.begin(), d.images.end()) == 255);
    CHECK(std::string(kClassNames[9]) == "Ankle boot");
}

TEST_CASE("The Batcher deals every index once per epoch in a seeded order", "[data]") {
    SECTION("the same seed gives the same order") {
        Rng a(7), b(7);
        Batcher ba(100, 16, a), bb(100, 16, b);
        REQUIRE(ba.epoch_batches() == bb.epoch_batches());
        REQUIRE(ba.epoch_batches() == bb.epoch_batches());
    }
    SECTION("a different seed gives a different order, and so does the next epoch") {
        Rng a(7), b(8);
        Batcher ba(100, 16, a), bb(100, 16, b);
        const auto first = ba.epoch_batches();
        REQUIRE(first != bb.epoch_batches());
        REQUIRE(first != ba.epoch_batches());
    }
    SECTION("an epoch's order depends only on the rng state at its start") {
        Rng rng(3);
        Batcher batcher(50, 8, rng);
        batcher.epoch_batches();
        const auto state = rng.state();
        const auto epoch2 = batcher.epoch_batches();
        rng.set_state(state);
        REQUIRE(batcher.epoch_batches() == epoch2);
    }
    SECTION("every index appears exactly once per epoch") {
        Rng rng(1);
        Batcher batcher(103, 10, rng);
        for (int epoch = 0; epoch < 3; ++epoch) {
            auto all = flatten(batcher.epoch_batches());
            std::sort(all.begin(), all.end());
            std::vector<std::size_t> expected(103);
            std::iota(expected.begin(), expected.end(), std::size_t{0});
            REQUIRE(all == expected);
        }
    }
    SECTION("the last batch is smaller, or dropped with drop_last") {
        Rng rng(1);
        Batcher keep(10, 4, rng), drop(10, 4, rng, /*drop_last=*/true);
        const auto kept = keep.epoch_batches();
        REQUIRE(kept.size() == 3);
        REQUIRE(keep.batches_per_epoch() == 3);
        REQUIRE(kept.back().size() == 2);
        const auto dropped = drop.epoch_batches();
        REQUIRE(dropped.size() == 2);
        REQUIRE(drop.batches_per_epoch() == 2);
        for (const auto& b : dropped) REQUIRE(b.size() == 4);
        const auto used = flatten(dropped);
        REQUIRE(std::set<std::size_t>(used.begin(), used.end()).size() == 8);
    }
    SECTION("a limit uses only the first examples") {
        Rng rng(1);
        Batcher quick(60000, 32, rng, false, 100);
        REQUIRE(quick.size() == 100);
        const auto all = flatten(quick.epoch_batches());
        REQUIRE(all.size() == 100);
        REQUIRE(*std::max_element(all.begin(), all.end()) == 99);
        Batcher clamped(10, 4, rng, false, 1000);
        REQUIRE(clamped.size() == 10);
    }
    SECTION("every ordering of three items is about equally likely (Fisher–Yates is unbiased)") {
        Rng rng(11);
        Batcher batcher(3, 3, rng);
        std::map<std::vector<std::size_t>, int> count;
        for (int i = 0; i < 6000; ++i) ++count[batcher.epoch_batches().front()];
        REQUIRE(count.size() == 6);  // a Sattolo-style off-by-one would never leave an item in place
        for (const auto& [order, n] : count) {
            INFO("order " << order[0] << order[1] << order[2]);
            CHECK(n > 850);
            CHECK(n < 1150);
        }
    }
    SECTION("impossible configurations are refused") {
        Rng rng(1);
        REQUIRE_THROWS_AS(Batcher(10, 0, rng), std::invalid_argument);
        REQUIRE_THROWS_AS(Batcher(0, 4, rng), std::invalid_argument);
        REQUIRE_THROWS_WITH(Batcher(3, 4, rng, true), Contains("no full batch"));
    }
}

TEST_CASE("images_to_tensor maps bytes linearly, 0 to lo and 255 to hi", "[data]") {
    Dataset d;
    d.n = 3;
    d.rows = 1;
    d.cols = 3;
    d.images = {0, 255, 51, 255, 0, 102, 1, 2, 3};
    d.labels = {4, 7, 9};
    const std::vector<std::size_t> idx = {1, 0};

    SECTION("to (0, 1)") {
        const Tensor x = images_to_tensor(d, idx, 0, 1);
        REQUIRE(x.shape() == Shape{2, 3});
        REQUIRE(x.to_vector() == std::vector<real>{1, 0, real(0.4), 0, 1, real(0.2)});
    }
    SECTION("to (-1, 1)") {
        const Tensor x = images_to_tensor(d, idx, -1, 1);
        CHECK(x.at(0, 0) == 1);
        CHECK(x.at(0, 1) == -1);
        CHECK_THAT(x.at(0, 2), Catch::Matchers::WithinAbs(-1 + 2 * 102.0 / 255, 1e-6));
    }
    SECTION("labels follow the same indices") { REQUIRE(labels_of(d, idx) == std::vector<std::size_t>{7, 4}); }
    SECTION("an index outside the dataset is refused") {
        const std::vector<std::size_t> bad = {3};
        REQUIRE_THROWS_AS(images_to_tensor(d, bad, 0, 1), std::out_of_range);
        REQUIRE_THROWS_AS(labels_of(d, bad), std::out_of_range);
    }
}
