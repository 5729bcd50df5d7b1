#!/usr/bin/env python3
"""Chapter 05's DCGAN (lib/mmgen/models/dcgan.{hpp,cpp}) in training mode, in PyTorch, float64:
one discriminator step and one generator step as models::discriminator_step and
models::generator_step take them (lib/mmgen/models/gan.cpp), from the weights, running
statistics, batch and noise mmgen used. Compared: L_D and the gradients of D's parameters, the
non-saturating L_G and the gradients of G's parameters, and every batch norm's running
statistics after the passes.

    python3 tests/reference/dcgan_parity.py FILE.safetensors    (FILE from tests/test_parity.cpp)

    fake = G(z)       one pass through G's batch norms: batch statistics, running ones moved once
    L_D               BCE(D(real), r) + BCE(D(fake.detach()), 0): two passes through D, each batch
                      normalised with its own statistics, D's running statistics moved twice
                      (real first); only D's parameters get gradients
    L_G               BCE(D(fake), 1) with D frozen: batch statistics again, but D's running
                      statistics are put back as they were; only G's parameters get gradients
"""
import torch

from parity_common import (Comparison, buffers_of, discriminator_loss, generator_loss_non_saturating, main,
                           params_of, sequential)


# DcganGenerator's and DcganDiscriminator's nn::Sequential children in the default
# configuration (strided convolutions, batch norm on), in order: entry i holds the layer mmgen
# names net.<i>. Every convolution is k4 s2 p1. Before a batch norm a layer has no bias (β is
# its bias), so generator.net.0, generator.net.4 and discriminator.net.2 have weights only.
def generator_layers(bn):
    return [("linear",), ("unflatten", (-1, 7, 7)), bn, ("relu",),   # (B, 2c, 7, 7)
            ("conv_t", 2, 1), bn, ("relu",),                          # (B, c, 14, 14)
            ("conv_t", 2, 1), ("tanh",), ("flatten",)]                # (B, 784) in [−1, 1]


def discriminator_layers(bn, slope):
    return [("conv", 2, 1), ("leaky_relu", slope),                   # (B, d, 14, 14)
            ("conv", 2, 1), bn, ("leaky_relu", slope),               # (B, 2d, 7, 7)
            ("flatten",), ("linear",)]                               # (B, 1) logits


def compute(tensors, metadata, dtype, tolerance):
    params, buffers = params_of(tensors), buffers_of(tensors)
    slope, real_label = float(metadata["leaky_slope"]), float(metadata["real_label"])
    bn = ("batch_norm", float(metadata["bn_momentum"]), float(metadata["bn_eps"]))
    g_names = [n for n in params if n.startswith("generator.")]
    d_names = [n for n in params if n.startswith("discriminator.")]
    real_batch, z = tensors["input.real"], tensors["input.z"]  # (B, 784), (B, latent)

    def D(x, running):  # x (B, 784) → logits (B, 1); running=None: D's running statistics untouched
        return sequential(params, "discriminator.net", x.reshape(-1, 1, 28, 28), discriminator_layers(bn, slope), running)

    fake = sequential(params, "generator.net", z, generator_layers(bn), buffers)  # (B, 784)

    c = Comparison("DCGAN in training mode (chapter 05)", dtype, tolerance)
    real_logits = D(real_batch, buffers)        # discriminator_step's two calls, in its order
    fake_logits = D(fake.detach(), buffers)
    loss_d = discriminator_loss(real_logits, fake_logits, real_label)
    c.add("output.loss_d", tensors["output.loss_d"], loss_d)
    c.add_gradients(tensors, "d.", d_names, torch.autograd.grad(loss_d, [params[n] for n in d_names]))

    loss_g = generator_loss_non_saturating(D(fake, None))
    c.add("output.loss_g_ns", tensors["output.loss_g_ns"], loss_g)
    c.add_gradients(tensors, "g_ns.", g_names, torch.autograd.grad(loss_g, [params[n] for n in g_names]))

    c.add_buffers(tensors, buffers)  # G's after one pass, D's after discriminator_step's two
    return c


if __name__ == "__main__":
    main(compute)
