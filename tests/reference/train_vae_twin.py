#!/usr/bin/env python3
"""The PyTorch twin of chapter 03's default run: the pytorch/examples VAE on Fashion-MNIST, the
configuration lib/mmgen/models/vae.hpp reproduces, trained and scored the way the chapter is.
It gives the "PyTorch twin" column of chapters/03_vae/README.md's results table.

    python3 tests/reference/train_vae_twin.py                       # 10 epochs, seed 1
    python3 tests/reference/train_vae_twin.py --epochs 10 --seed 1 --threads 2 --data-dir /usr/share/datasets/fashion-mnist

(Debian's python3-torch and python3-numpy; the data from the dataset-fashion-mnist package.)
Not run by scripts/test.sh: it trains for minutes. The parity of one step with mmgen, to 1e-9
in double, is tests/reference/vae_parity.py's job; this script shows where training ends up.

    model     784 → 400 → (μ, log σ²) 20 + 20;  20 → 400 → 784 logits;  PyTorch's default init
    training  Adam, lr 1e-3, batch 128, shuffled each epoch; pixels x/255 ∈ [0, 1]
    −ELBO     Σ_pixels BCE(logits, x) + ½ Σ (μ² + σ² − 1 − log σ²), per image (nats)
    scores    test −ELBO over the 10,000 test images (one ε each); −log p(x) by the importance-
              weighted bound with K = 1000 samples on the first 1,000 test images
"""
import argparse
import gzip
import json
import math
import pathlib
import time

import numpy as np
import torch
import torch.nn.functional as F


def load_images(data_dir, split):
    """uint8 IDX images as (N, 784) float32 in [0, 1]."""
    name = {"train": "train-images-idx3-ubyte.gz", "test": "t10k-images-idx3-ubyte.gz"}[split]
    with gzip.open(pathlib.Path(data_dir) / name, "rb") as f:
        blob = f.read()
    n, rows, cols = (int.from_bytes(blob[4 * i:4 * i + 4], "big") for i in (1, 2, 3))
    pixels = np.frombuffer(blob, dtype=np.uint8, offset=16).reshape(n, rows * cols)
    return torch.from_numpy(pixels.astype(np.float32) / 255.0)


class Vae(torch.nn.Module):
    def __init__(self, pixels=784, hidden=400, latent=20):
        super().__init__()
        self.latent = latent
        self.encoder = torch.nn.Sequential(torch.nn.Linear(pixels, hidden), torch.nn.ReLU(),
                                           torch.nn.Linear(hidden, 2 * latent))
        self.decoder = torch.nn.Sequential(torch.nn.Linear(latent, hidden), torch.nn.ReLU(),
                                           torch.nn.Linear(hidden, pixels))

    def encode(self, x):
        out = self.encoder(x)
        return out[:, :self.latent], out[:, self.latent:]

    def terms(self, x):
        """(reconstruction, kl) summed over the batch, one ε per image."""
        mu, logvar = self.encode(x)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        reconstruction = F.binary_cross_entropy_with_logits(self.decoder(z), x, reduction="sum")
        kl = 0.5 * torch.sum(mu ** 2 + torch.exp(logvar) - 1 - logvar)
        return reconstruction, kl

    @torch.no_grad()
    def iw_bound(self, x, k, chunk=1000):
        """log p(x) ≥ log (1/K) Σₖ p(x|zₖ) p(zₖ) / q(zₖ|x), one value per image."""
        mu, logvar = self.encode(x)
        log_2pi = math.log(2 * math.pi)
        bounds = []
        for b in range(x.shape[0]):
            log_w = []
            for start in range(0, k, chunk):
                n = min(chunk, k - start)
                eps = torch.randn(n, self.latent)
                z = mu[b] + torch.exp(0.5 * logvar[b]) * eps                       # (n, latent)
                log_px = -F.binary_cross_entropy_with_logits(self.decoder(z), x[b].expand(n, -1),
                                                             reduction="none").sum(1)
                log_pz = -0.5 * (z ** 2 + log_2pi).sum(1)
                log_qz = -0.5 * (logvar[b] + (z - mu[b]) ** 2 * torch.exp(-logvar[b]) + log_2pi).sum(1)
                log_w.append(log_px + log_pz - log_qz)
            log_w = torch.cat(log_w)
            bounds.append(torch.logsumexp(log_w, 0) - math.log(k))
        return torch.stack(bounds)


def train_epoch(model, adam, train, batch_size):
    """One shuffled pass of Adam on the mean −ELBO of each batch (the last one smaller);
    returns the mean training −ELBO per image."""
    model.train()
    total = 0.0
    for idx in torch.randperm(train.shape[0]).split(batch_size):
        x = train[idx]
        reconstruction, kl = model.terms(x)
        loss = (reconstruction + kl) / x.shape[0]
        adam.zero_grad()
        loss.backward()
        adam.step()
        total += loss.item() * x.shape[0]
    return total / train.shape[0]


@torch.no_grad()
def test_terms(model, test):
    """Mean reconstruction and KL per image over `test`, one ε per image."""
    rec, kl = 0.0, 0.0
    for x in test.split(1000):
        r, k = model.terms(x)
        rec, kl = rec + r.item(), kl + k.item()
    return rec / test.shape[0], kl / test.shape[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--iw-samples", type=int, default=1000)
    parser.add_argument("--iw-images", type=int, default=1000)
    parser.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)

    train, test = load_images(args.data_dir, "train"), load_images(args.data_dir, "test")
    model = Vae()
    adam = torch.optim.Adam(model.parameters(), lr=1e-3)
    start = time.perf_counter()
    history = []
    for epoch in range(1, args.epochs + 1):
        train_neg_elbo = train_epoch(model, adam, train, args.batch_size)
        rec, kl = test_terms(model, test)
        history.append({"epoch": epoch, "train_neg_elbo": train_neg_elbo, "test_neg_elbo": rec + kl,
                        "test_reconstruction": rec, "test_kl": kl})
        print(f"epoch {epoch:2d}: train −ELBO {train_neg_elbo:8.3f}   test −ELBO {rec + kl:8.3f} "
              f"(reconstruction {rec:.3f} + KL {kl:.3f})   {time.perf_counter() - start:6.1f} s", flush=True)
    train_seconds = time.perf_counter() - start
    nll_iw = -model.iw_bound(test[:args.iw_images], args.iw_samples).mean().item()
    figures = {"test_neg_elbo": history[-1]["test_neg_elbo"], "test_reconstruction": history[-1]["test_reconstruction"],
               "test_kl": history[-1]["test_kl"], "test_nll_iw": nll_iw, "iw_samples": args.iw_samples,
               "iw_images": args.iw_images, "train_seconds": train_seconds, "epochs": args.epochs,
               "seed": args.seed, "threads": args.threads, "torch": torch.__version__, "history": history}
    print(f"test −ELBO {figures['test_neg_elbo']:.2f}, −log p(x) IW (K = {args.iw_samples}, first "
          f"{args.iw_images} test images) {nll_iw:.2f}; {train_seconds:.1f} s of training")
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
