#!/usr/bin/env python3
"""Chapter 02's GAN losses (lib/mmgen/models/gan.{hpp,cpp}) in PyTorch, float64: the
discriminator's loss and the two generator losses, and the gradient of every parameter each
one moves, from the weights, batch and noise mmgen used.

    python3 tests/reference/gan_parity.py FILE.safetensors     (FILE from tests/test_parity.cpp)

    G        z (B, latent) → [Linear → LeakyReLU(s)]… → Linear → tanh → x̃ (B, 784)
    D        x (B, 784) → [Linear → LeakyReLU(s)]… → Linear → logit ℓ (B, 1)
    L_D      BCE(ℓ_real, r) + BCE(ℓ_fake, 0), fake detached: only D's parameters get gradients
    L_G      non-saturating BCE(ℓ_fake, 1), or minimax −BCE(ℓ_fake, 0): only G's parameters
"""
import torch
import torch.nn.functional as F

from parity_common import (Comparison, discriminator_loss, generator_loss_minimax, generator_loss_non_saturating,
                           main, mlp, params_of)


def compute(tensors, metadata, dtype, tolerance):
    params = params_of(tensors)
    slope, real_label = float(metadata["leaky_slope"]), float(metadata["real_label"])
    act = lambda h: F.leaky_relu(h, slope)
    g_names = [n for n in params if n.startswith("generator.")]
    d_names = [n for n in params if n.startswith("discriminator.")]
    real_batch, z = tensors["input.real"], tensors["input.z"]  # (B, 784), (B, latent)

    fake = mlp(params, "generator.net", z, act, torch.tanh)    # (B, 784)
    D = lambda x: mlp(params, "discriminator.net", x, act)     # (B, 1) logits

    c = Comparison("GAN losses (chapter 02)", dtype, tolerance)
    real_logits, fake_logits = D(real_batch), D(fake.detach())
    loss_d = discriminator_loss(real_logits, fake_logits, real_label)
    c.add("output.loss_d", tensors["output.loss_d"], loss_d)
    c.add_gradients(tensors, "d.", d_names, torch.autograd.grad(loss_d, [params[n] for n in d_names]))

    for key, loss_of in (("g_ns", generator_loss_non_saturating),
                         ("g_mm", generator_loss_minimax)):
        loss_g = loss_of(D(fake))
        c.add(f"output.loss_{key}", tensors[f"output.loss_{key}"], loss_g)
        c.add_gradients(tensors, f"{key}.", g_names, torch.autograd.grad(loss_g, [params[n] for n in g_names], retain_graph=True))
    return c


if __name__ == "__main__":
    main(compute)
