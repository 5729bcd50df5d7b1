#!/usr/bin/env python3
"""Writes the malformed-file corpus under tests/corpus/ (committed; rerun to regenerate).

tests/corpus/idx/*         IDX files; names starting with "valid" must load, every other must be refused
tests/corpus/checkpoint/*  safetensors files, checked against a model holding
                           weight (2, 3) and bias (2); again "valid*" loads, the rest is refused

The same files seed the fuzzers (scripts/fuzz.sh). Only the standard library is used.
"""
import gzip
import json
import pathlib
import struct

ROOT = pathlib.Path(__file__).resolve().parent.parent / "tests" / "corpus"


def write(subdir, name, data):
    path = ROOT / subdir / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def gz(data):
    return gzip.compress(data, mtime=0)  # mtime=0: the same bytes on every run


# --- IDX: magic 00 00 08 <rank>, big-endian u32 dims, then the bytes ---
def idx(dims, values, type_byte=0x08):
    return bytes([0, 0, type_byte, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + bytes(values)


images = idx([2, 3, 3], range(18))
labels = idx([4], [0, 9, 3, 1])

write("idx", "valid_images.idx", images)
write("idx", "valid_labels.idx.gz", gz(labels))
write("idx", "valid_two_gzip_members.gz", gz(images[:10]) + gz(images[10:]))
write("idx", "valid_empty_array.idx", idx([0, 28, 28], []))
write("idx", "empty_file", b"")
write("idx", "short_magic", b"\x00\x00")
write("idx", "wrong_magic", b"\x12\x34\x08\x01" + images[4:])
write("idx", "element_type_int32", idx([2], [0] * 8, type_byte=0x0C))
write("idx", "rank_zero", bytes([0, 0, 8, 0]))
write("idx", "rank_five", idx([1, 1, 1, 1, 1], [7]))
write("idx", "dims_truncated", images[:9])
write("idx", "dims_absurd", idx([60000, 28, 28, 28], []))
write("idx", "dims_overflow", idx([0xFFFFFFFF] * 4, []))
write("idx", "data_truncated", images[:-1])
write("idx", "trailing_garbage", images + b"\x00")
write("idx", "gzip_truncated.gz", gz(images)[:-6])
write("idx", "gzip_header_only.gz", gz(images)[:10])
corrupt = bytearray(gz(images))
corrupt[-5] ^= 0xFF  # inside the stored length/CRC trailer
write("idx", "gzip_bad_trailer.gz", bytes(corrupt))
write("idx", "gzip_trailing_garbage.gz", gz(images) + b"junk")
write("idx", "gzip_longer_than_dims.gz", gz(images + b"\x01\x02"))
write("idx", "gzip_magic_only", b"\x1f\x8b")
write("idx", "gzip_of_garbage.gz", gz(b"not an idx file at all"))


# --- safetensors: u64 header length, JSON header, data ---
def st(header, data, header_len=None):
    text = header if isinstance(header, bytes) else json.dumps(header).encode()
    n = len(text) if header_len is None else header_len
    return struct.pack("<Q", n) + text + data


def floats(fmt, values):
    return struct.pack("<%d%s" % (len(values), fmt), *values)


W = floats("f", [1, 2, 3, 4, 5, 6])  # weight (2, 3) as F32: 24 bytes
B = floats("f", [0.5, -0.5])  # bias (2): 8 bytes


def entry(dtype, shape, begin, end):
    return {"dtype": dtype, "shape": shape, "data_offsets": [begin, end]}


good = {
    "__metadata__": {"format": "pt"},
    "weight": entry("F32", [2, 3], 0, 24),
    "bias": entry("F32", [2], 24, 32),
}


def variant(**changes):
    header = json.loads(json.dumps(good))
    for key, value in changes.items():
        if value is None:
            del header[key]
        else:
            header[key] = value
    return header


write("checkpoint", "valid_f32.safetensors", st(good, W + B))
write("checkpoint", "valid_f64.safetensors",
      st({"bias": entry("F64", [2], 0, 16), "weight": entry("F64", [2, 3], 16, 64)},
         floats("d", [0.5, -0.5]) + floats("d", [1, 2, 3, 4, 5, 6])))
write("checkpoint", "empty.safetensors", b"")
write("checkpoint", "shorter_than_length.safetensors", b"\x10\x00\x00\x00\x00")
write("checkpoint", "header_length_huge.safetensors", st(good, W + B, header_len=1 << 40))
write("checkpoint", "header_length_past_end.safetensors", st(good, W + B, header_len=4096))
write("checkpoint", "header_not_json.safetensors", st(b"this is not json", W + B))
write("checkpoint", "header_cut_json.safetensors", st(json.dumps(good).encode()[:-3], W + B))
write("checkpoint", "header_array.safetensors", st([1, 2, 3], W + B))
write("checkpoint", "header_deeply_nested.safetensors", st(b"[" * 20000 + b"]" * 20000, b""))
write("checkpoint", "header_invalid_utf8.safetensors", st(b'{"w\xff": 1}', b""))
write("checkpoint", "data_truncated.safetensors", st(good, W + B[:4]))
write("checkpoint", "trailing_bytes.safetensors", st(good, W + B + b"\x00" * 8))
write("checkpoint", "offsets_out_of_range.safetensors", st(variant(bias=entry("F32", [2], 24, 4096)), W + B))
write("checkpoint", "offsets_reversed.safetensors", st(variant(bias=entry("F32", [2], 32, 24)), W + B))
write("checkpoint", "offsets_overlap.safetensors", st(variant(bias=entry("F32", [2], 16, 24)), W + B))
write("checkpoint", "offsets_gap.safetensors", st(variant(bias=entry("F32", [2], 28, 36)), W + b"\x00" * 4 + B))
write("checkpoint", "offsets_not_a_pair.safetensors", st(variant(bias={"dtype": "F32", "shape": [2], "data_offsets": [24]}), W + B))
write("checkpoint", "offsets_negative.safetensors", st(variant(bias=entry("F32", [2], -8, 0)), W + B))
write("checkpoint", "dtype_unknown.safetensors", st(variant(bias=entry("BF16", [2], 24, 28)), W + B[:4]))
write("checkpoint", "dtype_integer.safetensors", st(variant(bias=entry("I64", [2], 24, 40)), W + b"\x00" * 16))
write("checkpoint", "size_mismatch.safetensors", st(variant(bias=entry("F32", [3], 24, 32)), W + B))
write("checkpoint", "shape_negative.safetensors", st(variant(bias=entry("F32", [-2], 24, 32)), W + B))
write("checkpoint", "shape_float.safetensors", st(variant(bias=entry("F32", [2.0], 24, 32)), W + B))
write("checkpoint", "shape_overflow.safetensors", st(variant(bias=entry("F32", [2**62, 2**62], 24, 32)), W + B))
write("checkpoint", "entry_not_object.safetensors", st(variant(bias=[1, 2]), W + B))
write("checkpoint", "entry_unknown_field.safetensors", st(variant(bias={**entry("F32", [2], 24, 32), "strides": [1]}), W + B))
write("checkpoint", "metadata_not_string.safetensors", st(variant(__metadata__={"epoch": 3}), W + B))
write("checkpoint", "missing_tensor.safetensors", st(variant(bias=None), W))
write("checkpoint", "wrong_shape.safetensors", st(variant(weight=entry("F32", [3, 2], 0, 24)), W + B))
write("checkpoint", "extra_tensor.safetensors", st(variant(extra=entry("F32", [1], 32, 36)), W + B + B[:4]))
print("wrote", sum(1 for _ in ROOT.rglob("*") if _.is_file()), "files under", ROOT)
