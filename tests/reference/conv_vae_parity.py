#!/usr/bin/env python3
"""Chapter 05's convolutional VAE (lib/mmgen/models/conv_vae.{hpp,cpp}, its networks in
conv_nets.cpp) in PyTorch, float64: the −ELBO, its two terms and the gradient of every
parameter, from the weights, batch and noise mmgen used.

    python3 tests/reference/conv_vae_parity.py FILE.safetensors    (FILE from tests/test_parity.cpp)

    encoder  x (B, 784) → (B, 1, 28, 28) → Conv(k4 s2 p1) → ReLU (B, c₁, 14, 14)
             → Conv(k4 s2 p1) → ReLU (B, c₂, 7, 7) → flatten → Linear → μ, log σ² (B, latent) each
    decoder  z (B, latent) → Linear → ReLU → (B, c₂, 7, 7) → ConvT(k4 s2 p1) → ReLU (B, c₁, 14, 14)
             → ConvT(k4 s2 p1) (B, 1, 28, 28) → flatten → logits (B, 784)
    −ELBO    parity_common.vae_comparison, as for chapter 03's VAE
"""
from parity_common import main, params_of, sequential, vae_comparison

# conv_encoder and conv_decoder's nn::Sequential children, in order: entry i holds the layer
# whose weights mmgen names encoder.<i>.weight / decoder.<i>.weight (the Unflatten at index 0
# is why the encoder's first convolution is encoder.1). Every convolution is k4 s2 p1: the
# kernel size comes with the weight, stride and padding are written here.
ENCODER = [("unflatten", (1, 28, 28)),
           ("conv", 2, 1), ("relu",),       # (B, c₁, 14, 14)
           ("conv", 2, 1), ("relu",),       # (B, c₂, 7, 7)
           ("flatten",), ("linear",)]       # (B, 2·latent)
DECODER = [("linear",), ("relu",),
           ("unflatten", (-1, 7, 7)),       # (B, c₂, 7, 7): c₂ from the Linear's width
           ("conv_t", 2, 1), ("relu",),     # (B, c₁, 14, 14)
           ("conv_t", 2, 1), ("flatten",)]  # (B, 784) logits


def compute(tensors, metadata, dtype, tolerance):
    params = params_of(tensors)
    return vae_comparison("convolutional VAE −ELBO (chapter 05)", tensors, metadata, dtype, tolerance, params,
                          encoder=lambda x: sequential(params, "encoder", x, ENCODER),
                          decoder=lambda z: sequential(params, "decoder", z, DECODER))


if __name__ == "__main__":
    main(compute)
