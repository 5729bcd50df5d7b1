"""Shared by the <model>_parity.py scripts: read the safetensors file the C++ parity test
(tests/test_parity.cpp) wrote, and compare mmgen's numbers with PyTorch's.

The file holds, under fixed prefixes:
    param.<name>    the model's weights, named as mmgen's named_parameters() names them
    input.<name>    the batch and the noise
    output.<name>   mmgen's loss terms (shape ())
    grad.<...>      mmgen's gradient of a loss with respect to each parameter
and string metadata (the configuration and the loss weights).

The format (lib/mmgen/io/checkpoint.hpp): 8 bytes of little-endian header length N, N bytes of
JSON header {"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}},
then the data section. Debian has no python3-safetensors, so it is parsed here by hand.
"""
import json
import struct
import sys

import numpy as np
import torch

# Agreement required, relative to the largest magnitude of PyTorch's tensor: a file of F64
# values (mmgen_f64, the test's double build) must agree to 1e-9; F32 values (the float
# build) carry float's roundoff through a whole forward and backward pass.
TOLERANCE = {"F64": 1e-9, "F32": 1e-4}
_DTYPES = {"F64": "<f8", "F32": "<f4", "I64": "<i8", "U64": "<u8"}


def load_safetensors(path):
    """Returns ({name: float64 torch tensor}, metadata dict, the dtype of the real tensors)."""
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    data = blob[8 + n:]
    metadata = header.pop("__metadata__", {})
    tensors, dtypes = {}, set()
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        values = np.frombuffer(data[begin:end], dtype=_DTYPES[entry["dtype"]])
        tensors[name] = torch.from_numpy(values.astype(np.float64).reshape(entry["shape"]))
        dtypes.add(entry["dtype"])
    if len(dtypes) != 1:
        raise ValueError(f"{path}: expected one dtype for every tensor, found {sorted(dtypes)}")
    return tensors, metadata, dtypes.pop()


def params_of(tensors):
    """The weights as leaves that require a gradient, under mmgen's names."""
    return {name[len("param."):]: t.clone().requires_grad_(True)
            for name, t in tensors.items() if name.startswith("param.")}


def mlp(params, prefix, x, activation, last_activation=None):
    """mmgen's nn::Sequential of Linear layers (y = x Wᵀ + b) with `activation` between them,
    read from the parameter names <prefix>.<index>.weight / .bias."""
    indices = sorted(int(name[len(prefix) + 1:].split(".")[0])
                     for name in params if name.startswith(prefix + ".") and name.endswith(".weight"))
    for k, i in enumerate(indices):
        x = torch.nn.functional.linear(x, params[f"{prefix}.{i}.weight"], params.get(f"{prefix}.{i}.bias"))
        if k + 1 < len(indices):
            x = activation(x)
    return last_activation(x) if last_activation else x


class Comparison:
    """Collects (name, mmgen, PyTorch) pairs; worst relative error per tensor, one verdict."""

    def __init__(self, title, dtype, tolerance=None):
        self.title, self.dtype = title, dtype
        self.tolerance = tolerance if tolerance is not None else TOLERANCE[dtype]
        self.rows = []

    def add(self, name, ours, theirs):
        ours, theirs = ours.detach().double(), theirs.detach().double()
        if ours.shape != theirs.shape:
            self.rows.append((name, float("inf"), f"shape {tuple(ours.shape)} vs {tuple(theirs.shape)}"))
            return
        scale = theirs.abs().max().item() if theirs.numel() else 0.0
        diff = (ours - theirs).abs().max().item() if theirs.numel() else 0.0
        error = diff / scale if scale > 0 else diff
        self.rows.append((name, error, f"max |Δ| {diff:.3e} over max |x| {scale:.3e}"))

    def add_gradients(self, tensors, prefix, params, grads):
        """mmgen's grad.<prefix><name> against PyTorch's gradient of each parameter."""
        for name, g in zip(params, grads):
            key = f"grad.{prefix}{name}"
            if key not in tensors:
                self.rows.append((key, float("inf"), "missing from the file"))
                continue
            self.add(key, tensors[key], g if g is not None else torch.zeros_like(tensors[key]))

    def finish(self):
        """Prints one line per tensor and returns the exit code: 0 when every one agrees."""
        worst = max((row[1] for row in self.rows), default=float("inf"))
        failed = [row for row in self.rows if not row[1] <= self.tolerance]
        print(f"{self.title}: {len(self.rows)} tensors ({self.dtype}), worst relative error "
              f"{worst:.3e}, tolerance {self.tolerance:.0e}")
        for name, error, detail in self.rows:
            mark = "ok  " if error <= self.tolerance else "FAIL"
            print(f"  {mark} {name:48s} {error:.3e}  ({detail})")
        if not self.rows:
            print("  FAIL: nothing was compared")
            return 1
        if failed:
            print(f"{self.title}: {len(failed)} of {len(self.rows)} tensors disagree beyond {self.tolerance:.0e}")
            return 1
        return 0


def main(compute):
    """python3 <model>_parity.py FILE [--tolerance T]: exit 0 when mmgen and PyTorch agree."""
    args = sys.argv[1:]
    tolerance = None
    if "--tolerance" in args:
        i = args.index("--tolerance")
        tolerance = float(args[i + 1])
        del args[i:i + 2]
    if len(args) != 1:
        print(f"usage: {sys.argv[0]} FILE.safetensors [--tolerance T]", file=sys.stderr)
        sys.exit(2)
    torch.set_default_dtype(torch.float64)
    tensors, metadata, dtype = load_safetensors(args[0])
    comparison = compute(tensors, metadata, dtype, tolerance)
    sys.exit(comparison.finish())
