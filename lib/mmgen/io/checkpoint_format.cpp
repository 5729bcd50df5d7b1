// The safetensors format on bytes in memory: encode, parse (with every check), match against
// the tensors a model expects, copy. The layout is described in checkpoint.hpp.
#include <mmgen/io/checkpoint.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <set>

namespace mmgen::safetensors {

// The data section is stored little-endian and copied with memcpy, which needs a
// little-endian host (every platform the chapters run on).
static_assert(std::endian::native == std::endian::little, "safetensors I/O assumes a little-endian host");

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

namespace {

[[noreturn]] void fail(const std::string& name, const std::string& problem) {
    throw CheckpointError("checkpoint '" + name + "': " + problem);
}

bool parse_dtype(const std::string& s, Dtype& out) {
    static const std::pair<const char*, Dtype> known[] = {
        {"F32", Dtype::f32}, {"F64", Dtype::f64}, {"I64", Dtype::i64}, {"U64", Dtype::u64}};
    for (const auto& [text, dtype] : known)
        if (s == text) {
            out = dtype;
            return true;
        }
    return false;
}

std::uint64_t read_u64_le(const std::uint8_t* p) {
    std::uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
}

// a · b, or false if it overflows
bool multiply(std::size_t a, std::size_t b, std::size_t& out) {
    if (b != 0 && a > SIZE_MAX / b) return false;
    out = a * b;
    return true;
}

// A JSON value that must be a non-negative integer (nlohmann stores those as unsigned).
bool as_size(const json& v, std::size_t& out) {
    if (!v.is_number_unsigned()) return false;
    out = v.get<std::uint64_t>();
    return true;
}

std::string range_string(const Entry& e) {
    std::string s = "[";  // (built step by step: GCC 12 warns falsely on "[" + std::string)
    s += std::to_string(e.begin);
    s += ", ";
    s += std::to_string(e.end);
    return s + "]";
}

Entry parse_entry(const std::string& file, const std::string& key, const json& v, std::size_t data_size) {
    const std::string where = "tensor '" + key + "'";
    if (key.empty()) fail(file, "a tensor has an empty name");
    if (!v.is_object()) fail(file, where + ": header entry is not a JSON object");
    for (const auto& [field, value] : v.items())
        if (field != "dtype" && field != "shape" && field != "data_offsets")
            fail(file, where + ": unknown field '" + field + "' (expected dtype, shape, data_offsets)");
    if (!v.contains("dtype") || !v.contains("shape") || !v.contains("data_offsets"))
        fail(file, where + ": header entry needs dtype, shape and data_offsets");

    Entry e;
    e.name = key;
    const json& dtype = v.at("dtype");
    if (!dtype.is_string()) fail(file, where + ": dtype is not a string");
    if (!parse_dtype(dtype.get<std::string>(), e.dtype))
        fail(file, where + ": unknown dtype '" + dtype.get<std::string>() + "' (known: F32, F64, I64, U64)");

    const json& shape = v.at("shape");
    if (!shape.is_array()) fail(file, where + ": shape is not an array");
    std::size_t numel = 1;
    for (const auto& d : shape) {
        std::size_t dim;
        if (!as_size(d, dim)) fail(file, where + ": shape holds a value that is not a non-negative integer");
        e.shape.push_back(dim);
        if (!multiply(numel, dim, numel)) fail(file, where + ": shape " + shape_string(e.shape) + " overflows");
    }

    const json& offsets = v.at("data_offsets");
    if (!offsets.is_array() || offsets.size() != 2 || !as_size(offsets[0], e.begin) || !as_size(offsets[1], e.end))
        fail(file, where + ": data_offsets must be two non-negative integers [begin, end]");
    if (e.end < e.begin) fail(file, where + ": data_offsets " + range_string(e) + " end before they begin");
    if (e.end > data_size)
        fail(file, where + ": data_offsets " + range_string(e) + " lie outside the data section of " +
                       std::to_string(data_size) + " bytes");
    std::size_t bytes;
    if (!multiply(numel, dtype_size(e.dtype), bytes) || bytes != e.end - e.begin)
        fail(file, where + ": shape " + shape_string(e.shape) + " of " + dtype_name(e.dtype) + " needs " +
                       std::to_string(numel) + " × " + std::to_string(dtype_size(e.dtype)) +
                       " bytes but data_offsets " + range_string(e) + " hold " + std::to_string(e.end - e.begin));
    return e;
}

// The ranges, in order of offset, must tile [0, data_size): no overlap, no gap, nothing left over.
void check_layout(const std::string& file, const std::vector<Entry>& by_offset, std::size_t data_size) {
    std::size_t covered = 0;  // the data section is covered up to here
    const Entry* previous = nullptr;
    for (const auto& entry : by_offset) {
        const Entry* e = &entry;
        if (e->begin < covered)
            fail(file, "tensor '" + e->name + "' data_offsets " + range_string(*e) + " overlap tensor '" +
                           previous->name + "' " + range_string(*previous));
        if (e->begin > covered)
            fail(file, "bytes [" + std::to_string(covered) + ", " + std::to_string(e->begin) +
                           ") of the data section belong to no tensor");
        covered = e->end;
        previous = e;
    }
    if (covered != data_size)
        fail(file, "the data section has " + std::to_string(data_size) + " bytes but the tensors cover only " +
                       std::to_string(covered) + " (trailing bytes)");
}

std::map<std::string_view, const Entry*> index_by_name(const File& file) {
    std::map<std::string_view, const Entry*> index;
    for (const auto& e : file.entries) index.emplace(e.name, &e);
    return index;
}

Metadata parse_metadata(const std::string& file, const json& v) {
    if (!v.is_object()) fail(file, "__metadata__ is not a JSON object");
    Metadata out;
    for (const auto& [key, value] : v.items()) {
        if (!value.is_string()) fail(file, "__metadata__ value of '" + key + "' is not a string");
        out.emplace(key, value.get<std::string>());
    }
    return out;
}

}  // namespace

const char* dtype_name(Dtype dtype) {
    switch (dtype) {
        case Dtype::f32: return "F32";
        case Dtype::f64: return "F64";
        case Dtype::i64: return "I64";
        case Dtype::u64: return "U64";
    }
    return "?";
}

std::size_t dtype_size(Dtype dtype) { return dtype == Dtype::f32 ? 4 : 8; }

const Entry* File::find(std::string_view name) const {
    for (const auto& e : entries)
        if (e.name == name) return &e;
    return nullptr;
}

std::vector<std::uint8_t> encode(const NamedTensors& tensors, const Metadata& metadata) {
    ordered_json header = ordered_json::object();
    if (!metadata.empty()) header["__metadata__"] = metadata;
    std::set<std::string> seen;
    std::size_t offset = 0;
    for (const auto& [name, t] : tensors) {
        if (name.empty() || name == "__metadata__")
            throw std::invalid_argument("save_checkpoint: invalid tensor name '" + name + "'");
        if (!seen.insert(name).second) throw std::invalid_argument("save_checkpoint: tensor name '" + name + "' repeats");
        if (!t.defined()) throw std::invalid_argument("save_checkpoint: tensor '" + name + "' is undefined");
        const std::size_t bytes = t.numel() * sizeof(real);
        header[name] = {{"dtype", dtype_name(kRealDtype)}, {"shape", t.shape()}, {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
    }
    std::string text;
    try {
        text = header.dump();
    } catch (const nlohmann::json::exception&) {
        throw std::invalid_argument("save_checkpoint: a tensor name or metadata string is not valid UTF-8");
    }
    text.append((8 - text.size() % 8) % 8, ' ');  // pad: the data section starts 8-byte aligned

    std::vector<std::uint8_t> out(8 + text.size() + offset);
    const std::uint64_t n = text.size();
    std::memcpy(out.data(), &n, 8);
    std::memcpy(out.data() + 8, text.data(), text.size());
    std::uint8_t* data = out.data() + 8 + text.size();
    for (const auto& [name, t] : tensors) {
        const auto values = t.data();
        if (!values.empty()) std::memcpy(data, values.data(), values.size_bytes());
        data += values.size_bytes();
    }
    return out;
}

File parse(std::span<const std::uint8_t> bytes, const std::string& name) {
    if (bytes.size() < 8)
        fail(name, "file is " + std::to_string(bytes.size()) + " bytes long, too short for a safetensors header");
    const std::uint64_t header_size = read_u64_le(bytes.data());
    if (header_size > kMaxHeaderBytes)
        fail(name, "header length " + std::to_string(header_size) + " is larger than 100 MB (not a safetensors file?)");
    if (header_size > bytes.size() - 8)
        fail(name, "header length " + std::to_string(header_size) + " exceeds the " + std::to_string(bytes.size() - 8) +
                       " bytes after it (truncated file?)");
    const auto header_bytes = bytes.subspan(8, header_size);

    json header;
    try {
        header = json::parse(header_bytes.begin(), header_bytes.end());
    } catch (const json::exception& e) {
        fail(name, std::string("header is not valid JSON (") + e.what() + ")");
    }
    if (!header.is_object()) fail(name, "header is not a JSON object");

    File out;
    out.data = bytes.subspan(8 + header_size);
    for (const auto& [key, value] : header.items()) {
        if (key == "__metadata__") out.metadata = parse_metadata(name, value);
        else out.entries.push_back(parse_entry(name, key, value, out.data.size()));
    }
    // the order they were written in (the JSON object itself comes back sorted by name)
    std::sort(out.entries.begin(), out.entries.end(), [](const Entry& a, const Entry& b) {
        return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
    });
    check_layout(name, out.entries, out.data.size());
    return out;
}

void check_matches(const File& file, const NamedTensors& expected, const std::string& name) {
    std::set<std::string> wanted;
    for (const auto& [key, t] : expected) {
        if (!wanted.insert(key).second) throw std::invalid_argument("load_checkpoint: tensor name '" + key + "' repeats");
        if (!t.defined()) throw std::invalid_argument("load_checkpoint: tensor '" + key + "' is undefined");
    }
    // Names first: a checkpoint of another architecture is best described by what differs.
    const auto index = index_by_name(file);
    std::vector<std::string> missing, unexpected;
    for (const auto& [key, t] : expected)
        if (!index.count(key)) missing.push_back(key);
    for (const auto& e : file.entries)
        if (!wanted.count(e.name)) unexpected.push_back(e.name);
    if (!missing.empty() || !unexpected.empty()) {
        auto list = [](const std::vector<std::string>& names) {
            std::string s;
            for (std::size_t i = 0; i < names.size() && i < 5; ++i) s += (i ? ", '" : "'") + names[i] + "'";
            if (names.size() > 5) s += " and " + std::to_string(names.size() - 5) + " more";
            return s;
        };
        std::string problem = "does not match the model (a checkpoint of another architecture?):";
        if (!missing.empty()) problem += " missing tensor" + std::string(missing.size() > 1 ? "s " : " ") + list(missing) + ";";
        if (!unexpected.empty())
            problem += " unexpected tensor" + std::string(unexpected.size() > 1 ? "s " : " ") + list(unexpected) +
                       " that the model does not have;";
        problem.pop_back();
        fail(name, problem);
    }
    for (const auto& [key, t] : expected) {
        const Entry& e = *index.at(key);
        if (e.dtype != Dtype::f32 && e.dtype != Dtype::f64)
            fail(name, "tensor '" + key + "' has dtype " + dtype_name(e.dtype) + " but the model expects " +
                           dtype_name(kRealDtype) + " (F32 and F64 load; integer tensors do not)");
        if (e.shape != t.shape())
            fail(name, "tensor '" + key + "' has shape " + shape_string(e.shape) + " but the model expects " +
                           t.shape_str());
    }
}

void copy_into(const File& file, const NamedTensors& expected) {
    const auto index = index_by_name(file);
    for (const auto& [key, handle] : expected) {
        const Entry& e = *index.at(key);
        Tensor t = handle;  // a handle: writing through it writes the caller's tensor
        auto out = t.data();
        if (e.end - e.begin != out.size() * dtype_size(e.dtype) || (e.dtype != Dtype::f32 && e.dtype != Dtype::f64))
            throw std::logic_error("safetensors::copy_into: tensor '" + key + "' was not checked with check_matches");
        const std::uint8_t* src = file.data.data() + e.begin;
        for (std::size_t i = 0; i < out.size(); ++i) {
            if (e.dtype == Dtype::f32) {
                float v;
                std::memcpy(&v, src + 4 * i, 4);
                out[i] = static_cast<real>(v);
            } else {
                double v;
                std::memcpy(&v, src + 8 * i, 8);
                out[i] = static_cast<real>(v);
            }
        }
    }
}

}  // namespace mmgen::safetensors
