// The IDX reader: plain or gzip-compressed bytes → IdxArray, with every field checked.
//
// The file is read whole into memory and decompressed with zlib's inflate (not gzread):
// gzread passes non-gzip data through and ignores bytes after the gzip stream, while this
// reader must refuse trailing garbage, and the fuzzer drives the same code from memory.
#include <mmgen/io/data.hpp>

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <memory>

namespace mmgen::data {

namespace {

[[noreturn]] void fail(const std::string& name, const std::string& problem) {
    throw DataError("IDX file '" + name + "': " + problem);
}

std::string hex_byte(std::uint8_t b) {
    char s[3];
    std::snprintf(s, sizeof s, "%02x", b);
    return s;
}

std::string dims_string(const std::vector<std::uint32_t>& dims) {
    std::string s = "(";
    for (std::size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
    return s + ")";
}

bool is_gzip(std::span<const std::uint8_t> bytes) { return bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b; }

// Hands out the decoded bytes of a buffer in order: the buffer itself, or its gzip
// decompression (one or more concatenated gzip members, nothing after them).
class ByteSource {
public:
    ByteSource(std::span<const std::uint8_t> input, std::string name)
        : input_(input), name_(std::move(name)), gzip_(is_gzip(input)) {
        if (!gzip_) return;
        // 16 + MAX_WBITS: expect a gzip header and trailer (CRC-32 and length are checked)
        if (inflateInit2(&stream_, 16 + MAX_WBITS) != Z_OK) fail(name_, "zlib could not start decompressing");
        stream_open_ = true;
    }
    ~ByteSource() {
        if (stream_open_) inflateEnd(&stream_);
    }
    ByteSource(const ByteSource&) = delete;
    ByteSource& operator=(const ByteSource&) = delete;

    bool compressed() const { return gzip_; }

    // Up to n bytes into out; fewer only when the data ends. Throws on corrupt gzip data.
    std::size_t read(std::uint8_t* out, std::size_t n) { return gzip_ ? inflate_into(out, n) : copy_into(out, n); }

private:
    std::size_t copy_into(std::uint8_t* out, std::size_t n) {
        const std::size_t k = std::min(n, input_.size() - pos_);
        if (k) std::memcpy(out, input_.data() + pos_, k);
        pos_ += k;
        return k;
    }

    std::size_t inflate_into(std::uint8_t* out, std::size_t n) {
        std::size_t got = 0;
        while (got < n && !finished_) {
            if (stream_.avail_in == 0 && pos_ < input_.size()) {  // feed input in pieces zlib's uInt can count
                const std::size_t k = std::min<std::size_t>(input_.size() - pos_, 1u << 30);
                stream_.next_in = const_cast<Bytef*>(input_.data() + pos_);
                stream_.avail_in = static_cast<uInt>(k);
                pos_ += k;
            }
            const std::size_t want = std::min<std::size_t>(n - got, UINT_MAX);
            stream_.next_out = out + got;
            stream_.avail_out = static_cast<uInt>(want);
            const int rc = inflate(&stream_, Z_NO_FLUSH);
            got += want - stream_.avail_out;
            if (rc == Z_STREAM_END) {
                end_of_member();
            } else if (rc == Z_BUF_ERROR) {  // no progress possible: the input ran out mid-stream
                if (stream_.avail_in == 0 && pos_ == input_.size())
                    fail(name_, "the gzip stream ends early (truncated file?)");
            } else if (rc != Z_OK) {
                fail(name_, std::string("corrupt gzip data (") + (stream_.msg ? stream_.msg : "zlib error") + ")");
            }
        }
        return got;
    }

    // After a gzip member: another member may follow (gzip allows concatenation); anything
    // else after it is an error.
    void end_of_member() {
        const std::size_t left = stream_.avail_in + (input_.size() - pos_);
        if (left == 0) {
            finished_ = true;
            return;
        }
        const std::size_t at = input_.size() - left;
        if (!is_gzip(input_.subspan(at)))
            fail(name_, std::to_string(left) + " bytes of trailing garbage after the gzip stream");
        if (inflateReset(&stream_) != Z_OK) fail(name_, "zlib could not restart decompressing");
    }

    std::span<const std::uint8_t> input_;
    std::string name_;
    bool gzip_;
    std::size_t pos_ = 0;  // next input byte not yet handed to zlib (or copied)
    z_stream stream_{};
    bool stream_open_ = false;
    bool finished_ = false;
};

struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
};

// Files larger than this cannot hold an IDX array the reader accepts, compressed or not.
constexpr long long kMaxFileBytes = 2'000'000'000;

std::vector<std::uint8_t> read_whole_file(const std::filesystem::path& path) {
    const std::string name = path.string();
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (!std::filesystem::exists(status)) fail(name, std::string("file not found; ") + kInstallHint);
    if (std::filesystem::is_directory(status)) fail(name, "is a directory, not an IDX file");

    std::unique_ptr<std::FILE, FileCloser> file(std::fopen(name.c_str(), "rb"));
    if (!file) fail(name, std::string("cannot open: ") + std::strerror(errno));
    std::vector<std::uint8_t> bytes;
    std::uint8_t chunk[1 << 16];
    for (;;) {
        const std::size_t k = std::fread(chunk, 1, sizeof chunk, file.get());
        bytes.insert(bytes.end(), chunk, chunk + k);
        if (static_cast<long long>(bytes.size()) > kMaxFileBytes)
            fail(name, "larger than 2 GB, more than any IDX file the reader accepts");
        if (k < sizeof chunk) break;
    }
    if (std::ferror(file.get())) fail(name, std::string("read error: ") + std::strerror(errno));
    return bytes;
}

}  // namespace

IdxArray parse_idx(std::span<const std::uint8_t> file_bytes, const std::string& name) {
    ByteSource src(file_bytes, name);
    const std::string what = src.compressed() ? "decompressed data" : "file";

    // magic: 00 00 <element type> <rank>
    std::uint8_t magic[4];
    const std::size_t got_magic = src.read(magic, 4);
    if (got_magic < 4)
        fail(name, "the " + what + " is " + std::to_string(got_magic) + " bytes long, too short for an IDX header");
    if (magic[0] != 0 || magic[1] != 0)
        fail(name, "not an IDX file: magic bytes " + hex_byte(magic[0]) + " " + hex_byte(magic[1]) + " " +
                       hex_byte(magic[2]) + " " + hex_byte(magic[3]) + ", expected 00 00 08 <rank>");
    if (magic[2] != 0x08)
        fail(name, "IDX element type 0x" + hex_byte(magic[2]) + " is not supported, only unsigned bytes (0x08)");
    const std::size_t rank = magic[3];
    if (rank < 1 || rank > 4) fail(name, "IDX rank " + std::to_string(rank) + " is outside 1..4");

    // dims: rank big-endian u32
    IdxArray out;
    std::uint8_t dim_bytes[16];
    if (src.read(dim_bytes, 4 * rank) < 4 * rank)
        fail(name, "the " + what + " ends inside the header's " + std::to_string(rank) + " dimensions");
    std::size_t total = 1;
    bool too_big = false;
    for (std::size_t i = 0; i < rank; ++i) {
        const std::uint8_t* b = dim_bytes + 4 * i;
        const std::uint32_t d = (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) |
                                (std::uint32_t{b[2]} << 8) | std::uint32_t{b[3]};
        out.dims.push_back(d);
        if (d != 0 && total > kMaxIdxBytes / d) too_big = true;  // total · d would exceed the limit
        else total *= d;
    }
    // A zero dimension makes the array empty whatever the others say.
    if (too_big && std::find(out.dims.begin(), out.dims.end(), 0u) == out.dims.end())
        fail(name, "dims " + dims_string(out.dims) + " describe more than 1e9 bytes (damaged header?)");
    if (too_big) total = 0;

    // values: grown in chunks, so a header that promises much costs memory only as data arrives
    constexpr std::size_t kChunk = 1 << 20;
    while (out.bytes.size() < total) {
        const std::size_t have = out.bytes.size();
        const std::size_t want = std::min(kChunk, total - have);
        out.bytes.resize(have + want);
        const std::size_t got = src.read(out.bytes.data() + have, want);
        if (got < want)
            fail(name, "truncated: the " + what + " holds " + std::to_string(have + got) +
                           " bytes of values but the dims " + dims_string(out.dims) + " need " +
                           std::to_string(total));
    }
    std::uint8_t extra;
    if (src.read(&extra, 1) != 0)
        fail(name, "trailing data after the " + std::to_string(total) + " bytes of values the dims " +
                       dims_string(out.dims) + " describe");
    return out;
}

IdxArray read_idx(const std::filesystem::path& path) {
    const auto bytes = read_whole_file(path);
    return parse_idx(bytes, path.string());
}

}  // namespace mmgen::data
