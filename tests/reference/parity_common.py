"""Shared by the <model>_parity.py scripts: read the safetensors file the C++ parity test
(tests/test_parity.cpp) wrote, and compare mmgen's numbers with PyTorch's.

The file holds, under fixed prefixes:
    param.<name>    the model's weights, named as mmgen's named_parameters() names them
    buffer.<name>   batch norm's running statistics before the forward passes (named_buffers())
    input.<name>    the batch and the noise
    output.<name>   mmgen's loss terms (shape ()), and the running statistics after the passes
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
import torch.nn.functional as F

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


def buffers_of(tensors):
    """Batch norm's running statistics as they were before mmgen's forward passes, under mmgen's
    names; sequential() moves them as mmgen's passes did."""
    return {name[len("buffer."):]: t.clone() for name, t in tensors.items() if name.startswith("buffer.")}


def sequential(params, prefix, x, layers, buffers=None):
    """mmgen's nn::Sequential, child by child. layers[i] describes child i, whose parameters are
    <prefix>.<i>.weight and <prefix>.<i>.bias (no bias in the file: the layer has none). The
    index is the one in mmgen's names, so the children without parameters (activations,
    reshapes) keep their place in the list. A layer is one of
        ("linear",)                     y = x Wᵀ + b,  W (out, in)
        ("conv", stride, padding)       nn::Conv2d,  W (C_out, C_in, k, k) — PyTorch's layout
        ("conv_t", stride, padding)     nn::ConvTranspose2d,  W (C_in, C_out, k, k) — PyTorch's too
        ("batch_norm", momentum, eps)   nn::BatchNorm in training mode (below)
        ("relu",)  ("leaky_relu", slope)  ("tanh",)
        ("flatten",)                    (B, …) → (B, n)
        ("unflatten", shape)            (B, n) → (B, *shape); a −1 in shape is worked out
    Batch norm normalises with the batch's statistics (biased variance). With `buffers` it also
    moves <prefix>.<i>.running_mean / running_var in place, as mmgen does: PyTorch's convention
    and mmgen's are the same, running ← (1 − momentum)·running + momentum·batch statistic, the
    variance unbiased (× m/(m − 1), m values per channel) there. buffers=None leaves the running
    statistics alone: a frozen module, as models::generator_step holds D.
    """
    for i, (kind, *args) in enumerate(layers):
        name = f"{prefix}.{i}"
        weight, bias = params.get(f"{name}.weight"), params.get(f"{name}.bias")
        if kind == "linear":
            x = F.linear(x, weight, bias)
        elif kind == "conv":
            x = F.conv2d(x, weight, bias, stride=args[0], padding=args[1])
        elif kind == "conv_t":
            x = F.conv_transpose2d(x, weight, bias, stride=args[0], padding=args[1])
        elif kind == "batch_norm":
            momentum, eps = args
            running = (None, None) if buffers is None else (buffers[f"{name}.running_mean"], buffers[f"{name}.running_var"])
            x = F.batch_norm(x, *running, weight, bias, training=True, momentum=momentum, eps=eps)
        elif kind == "relu":
            x = torch.relu(x)
        elif kind == "leaky_relu":
            x = F.leaky_relu(x, args[0])
        elif kind == "tanh":
            x = torch.tanh(x)
        elif kind == "flatten":
            x = x.reshape(x.shape[0], -1)
        elif kind == "unflatten":
            x = x.reshape(x.shape[0], *args[0])
        else:
            raise ValueError(f"{name}: unknown layer {kind}")
    return x


def vae_comparison(title, tensors, metadata, dtype, tolerance, params, encoder, decoder):
    """A VAE's −ELBO (models::Vae::negative_elbo), its two terms and the gradient of every
    parameter, for encoder x (B, 784) → (μ, log σ²) side by side (B, 2·latent) and decoder
    z (B, latent) → logits (B, 784):
        z        μ + exp(½ log σ²) ⊙ ε                                   (reparameterisation)
        −ELBO    Σ_pixels BCE(logits, x) / B  +  β · ½ Σ (μ² + σ² − 1 − log σ²) / B
    """
    x, eps = tensors["input.x"], tensors["input.eps"]  # (B, 784), (B, latent)
    beta = float(metadata["beta"])
    batch, latent = eps.shape

    encoded = encoder(x)                                             # (B, 2·latent)
    mu, logvar = encoded[:, :latent], encoded[:, latent:]
    z = mu + torch.exp(0.5 * logvar) * eps                           # (B, latent)
    logits = decoder(z)                                              # (B, 784)
    reconstruction = F.binary_cross_entropy_with_logits(logits, x, reduction="sum") / batch
    kl = 0.5 * torch.sum(mu ** 2 + torch.exp(logvar) - 1 - logvar) / batch
    loss = reconstruction + beta * kl

    c = Comparison(title, dtype, tolerance)
    c.add("output.loss", tensors["output.loss"], loss)
    c.add("output.reconstruction", tensors["output.reconstruction"], reconstruction)
    c.add("output.kl", tensors["output.kl"], kl)
    grads = torch.autograd.grad(loss, list(params.values()), allow_unused=True)
    c.add_gradients(tensors, "", list(params), grads)
    return c


# models/gan.hpp's losses on D's logits (B, 1), each a mean over the batch
def discriminator_loss(real_logits, fake_logits, real_label):
    """L_D = BCE(ℓ_real, r) + BCE(ℓ_fake, 0); r < 1 is one-sided label smoothing."""
    bce = F.binary_cross_entropy_with_logits
    return bce(real_logits, torch.full_like(real_logits, real_label)) + bce(fake_logits, torch.zeros_like(fake_logits))


def generator_loss_non_saturating(fake_logits):
    """−mean log D(G(z)) = BCE(ℓ_fake, 1)."""
    return F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))


def generator_loss_minimax(fake_logits):
    """mean log(1 − D(G(z))) = −BCE(ℓ_fake, 0)."""
    return -F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))


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
            if g is None and key in tensors:  # the loss does not reach this parameter
                g = torch.zeros_like(tensors[key])
            self.add_from_file(tensors, key, g)

    def add_buffers(self, tensors, buffers):
        """mmgen's output.<name> against PyTorch's running statistic <name> after the passes."""
        for name, value in buffers.items():
            self.add_from_file(tensors, f"output.{name}", value)

    def add_from_file(self, tensors, key, theirs):
        """mmgen's tensors[key] against PyTorch's `theirs`; a failure if the file lacks it."""
        if key not in tensors:
            self.rows.append((key, float("inf"), "missing from the file"))
        else:
            self.add(key, tensors[key], theirs)

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
