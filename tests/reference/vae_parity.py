#!/usr/bin/env python3
"""Chapter 03's VAE (lib/mmgen/models/vae.{hpp,cpp}) in PyTorch, float64: the −ELBO and the
gradient of every parameter, from the weights, batch and noise mmgen used.

    python3 tests/reference/vae_parity.py FILE.safetensors     (FILE from tests/test_parity.cpp)

    encoder  x (B, 784) → Linear → ReLU (B, 400) → Linear (B, 40) → μ, log σ² (B, 20) each
    decoder  z (B, 20) → Linear → ReLU (B, 400) → Linear → logits (B, 784)
    −ELBO    parity_common.vae_comparison
"""
import torch

from parity_common import main, mlp, params_of, vae_comparison


def compute(tensors, metadata, dtype, tolerance):
    params = params_of(tensors)
    return vae_comparison("VAE −ELBO (chapter 03)", tensors, metadata, dtype, tolerance, params,
                          encoder=lambda x: mlp(params, "encoder", x, torch.relu),
                          decoder=lambda z: mlp(params, "decoder", z, torch.relu))


if __name__ == "__main__":
    main(compute)
