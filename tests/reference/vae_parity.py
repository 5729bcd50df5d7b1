#!/usr/bin/env python3
"""Chapter 03's VAE (lib/mmgen/models/vae.{hpp,cpp}) in PyTorch, float64: the −ELBO and the
gradient of every parameter, from the weights, batch and noise mmgen used.

    python3 tests/reference/vae_parity.py FILE.safetensors     (FILE from tests/test_parity.cpp)

    encoder  x (B, 784) → Linear → ReLU (B, 400) → Linear (B, 40) → μ, log σ² (B, 20) each
    z        μ + exp(½ log σ²) ⊙ ε                                   (reparameterisation)
    decoder  z (B, 20) → Linear → ReLU (B, 400) → Linear → logits (B, 784)
    −ELBO    Σ_pixels BCE(logits, x) / B  +  β · ½ Σ (μ² + σ² − 1 − log σ²) / B
"""
import torch
import torch.nn.functional as F

from parity_common import Comparison, main, mlp, params_of


def compute(tensors, metadata, dtype, tolerance):
    params = params_of(tensors)
    x, eps = tensors["input.x"], tensors["input.eps"]  # (B, 784), (B, latent)
    beta = float(metadata["beta"])
    batch, latent = eps.shape

    encoded = mlp(params, "encoder", x, torch.relu)                  # (B, 2·latent)
    mu, logvar = encoded[:, :latent], encoded[:, latent:]
    z = mu + torch.exp(0.5 * logvar) * eps                           # (B, latent)
    logits = mlp(params, "decoder", z, torch.relu)                   # (B, 784)
    reconstruction = F.binary_cross_entropy_with_logits(logits, x, reduction="sum") / batch
    kl = 0.5 * torch.sum(mu ** 2 + torch.exp(logvar) - 1 - logvar) / batch
    loss = reconstruction + beta * kl

    c = Comparison("VAE −ELBO (chapter 03)", dtype, tolerance)
    c.add("output.loss", tensors["output.loss"], loss)
    c.add("output.reconstruction", tensors["output.reconstruction"], reconstruction)
    c.add("output.kl", tensors["output.kl"], kl)
    grads = torch.autograd.grad(loss, list(params.values()), allow_unused=True)
    c.add_gradients(tensors, "", list(params), grads)
    return c


if __name__ == "__main__":
    main(compute)
