#!/usr/bin/env python3
"""Chapter 04's MVAE objective (lib/mmgen/models/mvae.{hpp,cpp}) in PyTorch, float64, for every
fusion (poe, mopoe, moe, jmvae) with the MMD term on: each loss term and the gradient of every
parameter, from the weights, batch, captions and noise mmgen used.

    python3 tests/reference/mvae_parity.py FILE.safetensors    (FILE from tests/test_parity.cpp)

    experts   image: x → MLP → (μ, log σ²);  text: one embedding table per position → MLP → (μ, log σ²)
    q_s       product of N(0, I) and the experts in s:  1/σ² = 1 + Σₖ 1/σₖ²,  μ = σ² Σₖ μₖ/σₖ²
    z_s       μ_s + σ_s ⊙ ε_s;  moe/mopoe draw z from the mixture, stratified over the batch
    loss      λx rec_image + λy rec_text + β kl (+ α jmvae_kl) + δ MMD²(z, z_prior)
"""
import torch
import torch.nn.functional as F

from parity_common import Comparison, main, mlp, params_of


def product_of_experts(experts):
    """The prior N(0, I) times Gaussian experts [(μ, log σ²)], in closed form."""
    precision = 1 + sum(torch.exp(-lv) for _, lv in experts)
    mu = sum(m * torch.exp(-lv) for m, lv in experts) / precision
    return mu, -torch.log(precision)


def kl_to_prior(q, batch):
    mu, lv = q
    return 0.5 * torch.sum(mu ** 2 + torch.exp(lv) - lv - 1) / batch


def kl_between(q1, q2):  # per row (B)
    (m1, lv1), (m2, lv2) = q1, q2
    return 0.5 * torch.sum(lv2 - lv1 + (torch.exp(lv1) + (m1 - m2) ** 2) / torch.exp(lv2) - 1, dim=1)


def mmd_imq(a, b):
    c = 2.0 * a.shape[1]
    k = lambda u, v: torch.mean(c / (c + ((u[:, None, :] - v[None, :, :]) ** 2).sum(-1)))
    return k(a, a) + k(b, b) - 2 * k(a, b)


def compute(tensors, metadata, dtype, tolerance):
    params = params_of(tensors)
    m = {k: float(v) for k, v in metadata.items() if k.startswith("weight.")}
    L, V = int(metadata["caption_length"]), int(metadata["vocabulary"])
    x = tensors["input.x"]                                   # (B, 784)
    tokens = tensors["input.tokens"].long().reshape(-1)      # (B·L)
    batch = x.shape[0]
    noise = {k: tensors[f"input.noise.{k}"] for k in ("joint", "image", "text", "prior")}  # (B, latent)

    def expert(encoded):
        d = encoded.shape[1] // 2
        return encoded[:, :d], encoded[:, d:]

    rows = (torch.arange(tokens.numel()) % L) * V + tokens   # position p's table starts at row p·V
    c = Comparison("MVAE objective (chapter 04)", dtype, tolerance)
    for fusion in metadata["fusions"].split(","):
        ex = expert(mlp(params, "image_encoder", x, torch.relu))
        embedded = params["word_embedding.weight"][rows].reshape(batch, -1)   # (B, L·E)
        ey = expert(mlp(params, "text_encoder", embedded, torch.relu))
        sample = lambda q, eps: q[0] + torch.exp(0.5 * q[1]) * eps
        rec_x = lambda z: F.binary_cross_entropy_with_logits(
            mlp(params, "image_decoder", z, torch.relu), x, reduction="sum") / batch
        rec_y = lambda z: F.cross_entropy(
            mlp(params, "text_decoder", z, torch.relu).reshape(batch * L, V), tokens, reduction="sum") / batch
        kl = lambda q: kl_to_prior(q, batch)
        qxy, qx, qy = product_of_experts([ex, ey]), product_of_experts([ex]), product_of_experts([ey])
        terms = {}
        if fusion == "poe":
            zxy, zx, zy = sample(qxy, noise["joint"]), sample(qx, noise["image"]), sample(qy, noise["text"])
            terms["rec_image"] = rec_x(zxy) + rec_x(zx)
            terms["rec_text"] = rec_y(zxy) + rec_y(zy)
            terms["kl"] = kl(qxy) + kl(qx) + kl(qy) * m["weight.text_kl"]
            samples = torch.cat([zxy, zx, zy])
        elif fusion in ("mopoe", "moe"):
            subsets = ([(qxy, noise["joint"])] if fusion == "mopoe" else []) + [(qx, noise["image"]), (qy, noise["text"])]
            S = len(subsets)
            parts = []
            for s, (q, eps) in enumerate(subsets):
                begin, end = s * batch // S, (s + 1) * batch // S
                parts.append(sample((q[0][begin:end], q[1][begin:end]), eps[begin:end]))
            z = torch.cat(parts)
            terms["rec_image"], terms["rec_text"] = rec_x(z), rec_y(z)
            terms["kl"] = (sum(kl(q) for q, _ in subsets[:-1]) + kl(subsets[-1][0]) * m["weight.text_kl"]) / S
            samples = z
        elif fusion == "jmvae":
            zxy = sample(qxy, noise["joint"])
            terms["rec_image"], terms["rec_text"], terms["kl"] = rec_x(zxy), rec_y(zxy), kl(qxy)
            terms["jmvae_kl"] = torch.mean(kl_between(qxy, qx) + kl_between(qxy, qy))
            samples = zxy
        else:
            raise ValueError(f"unknown fusion {fusion}")
        terms["mmd"] = mmd_imq(samples, noise["prior"])
        loss = (m["weight.image"] * terms["rec_image"] + m["weight.text"] * terms["rec_text"] +
                m["weight.beta"] * terms["kl"] + m["weight.mmd"] * terms["mmd"])
        if "jmvae_kl" in terms:
            loss = loss + m["weight.alpha"] * terms["jmvae_kl"]
        terms["loss"] = loss
        for name, value in terms.items():
            c.add(f"output.{fusion}.{name}", tensors[f"output.{fusion}.{name}"], value)
        c.add_gradients(tensors, f"{fusion}.", list(params), torch.autograd.grad(loss, list(params.values()), allow_unused=True))
    return c


if __name__ == "__main__":
    main(compute)
