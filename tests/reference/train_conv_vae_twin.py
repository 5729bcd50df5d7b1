#!/usr/bin/env python3
"""The PyTorch twin of chapter 05's convolutional VAE default run (build/bin/ch05_convolutional
--part vae): the same network (lib/mmgen/models/conv_nets.cpp) built from PyTorch's standard
modules with their default initialisation, trained with the same recipe and scored the same way.
It checks the issue's "a PyTorch twin of exactly this network and recipe reaches 242.99 and
238.79 after 10 epochs here, at about 80 s per epoch".

    python3 tests/reference/train_conv_vae_twin.py                  # 10 epochs, seed 1, 2 threads
    python3 tests/reference/train_conv_vae_twin.py --epochs 1 --train-limit 2000 --iw-images 20   # a smoke test
    nice -n 10 python3 tests/reference/train_conv_vae_twin.py --threads 2 \\
        --json plots/05_convolutional/variants/pytorch_twin.json

(Debian's python3-torch and python3-numpy; the data from the dataset-fashion-mnist package.)
Not run by scripts/test.sh: it trains for about 25 minutes here (21 of training, 3 of IW bound). The parity of one step with
mmgen, to 1e-9 in double, is tests/reference/conv_vae_parity.py's job; this script shows where
training ends up. The data loading, the −ELBO, the training epoch, the test pass and the
importance-weighted bound are train_vae_twin.py's (chapter 03's twin), imported from it: only
the networks differ.

    encoder   x (B, 784) → (B, 1, 28, 28) → Conv2d(1→32, k4 s2 p1) → ReLU (B, 32, 14, 14)
              → Conv2d(32→64, k4 s2 p1) → ReLU (B, 64, 7, 7) → flatten (B, 3136)
              → Linear(3136 → 40) = (μ, log σ²), 20 each
    decoder   z (B, 20) → Linear(20 → 3136) → ReLU → (B, 64, 7, 7) → ConvTranspose2d(64→32, k4 s2 p1)
              → ReLU (B, 32, 14, 14) → ConvTranspose2d(32→1, k4 s2 p1) (B, 1, 28, 28) → flatten → logits (B, 784)
    init      PyTorch's defaults (W, b ~ U(±1/√fan-in); for ConvTranspose2d PyTorch takes the fan-in
              from the weight's second axis, C_out·k²) — what mmgen's --init pytorch reproduces
    training  Adam, lr 1e-3, batch 128 (the last batch of an epoch smaller), shuffled each epoch;
              pixels x/255 ∈ [0, 1]; float32
    −ELBO     Σ_pixels BCE(logits, x) + ½ Σ (μ² + σ² − 1 − log σ²), per image (nats)
    scores    test −ELBO over the 10,000 test images (one ε each) after every epoch; −log p(x) by
              the importance-weighted bound with K = 1000 samples on the first 1,000 test images
"""
import argparse
import os
import time

import torch

from train_vae_twin import Vae, load_images, test_terms, train_epoch
from twin_common import command_line, write_json

NOTE = ("PyTorch twin of chapter 05's convolutional VAE default run (build/bin/ch05_convolutional --part vae): "
        "the network of lib/mmgen/models/conv_nets.cpp from torch.nn.Conv2d / ConvTranspose2d / Linear with "
        "PyTorch's default initialisation, float32; Adam 1e-3, batch 128, latent 20, Bernoulli likelihood on "
        "grey levels in [0, 1]; written by tests/reference/train_conv_vae_twin.py")


class ConvVae(Vae):
    """Chapter 03 twin's Vae (its terms() and iw_bound()) with chapter 05's convolutional networks.
    Both take and give flat images (B, 784), as mmgen's conv_encoder and conv_decoder do."""

    def __init__(self, latent=20, first=32, second=64):
        torch.nn.Module.__init__(self)
        self.latent = latent
        nn = torch.nn
        self.encoder = nn.Sequential(
            nn.Unflatten(1, (1, 28, 28)),                                          # (B, 1, 28, 28)
            nn.Conv2d(1, first, 4, stride=2, padding=1), nn.ReLU(),               # (B, 32, 14, 14)
            nn.Conv2d(first, second, 4, stride=2, padding=1), nn.ReLU(),          # (B, 64, 7, 7)
            nn.Flatten(),                                                         # (B, 3136)
            nn.Linear(second * 7 * 7, 2 * latent))                                # (B, 40): μ, log σ²
        self.decoder = nn.Sequential(
            nn.Linear(latent, second * 7 * 7), nn.ReLU(),                         # (B, 3136)
            nn.Unflatten(1, (second, 7, 7)),                                      # (B, 64, 7, 7)
            nn.ConvTranspose2d(second, first, 4, stride=2, padding=1), nn.ReLU(),  # (B, 32, 14, 14)
            nn.ConvTranspose2d(first, 1, 4, stride=2, padding=1),                 # (B, 1, 28, 28)
            nn.Flatten())                                                         # (B, 784) logits


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--latent", type=int, default=20)
    parser.add_argument("--train-limit", type=int, default=0,
                        help="train on the first N training images only (0: all 60,000; smoke tests)")
    parser.add_argument("--iw-samples", type=int, default=1000)
    parser.add_argument("--iw-images", type=int, default=1000)
    parser.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)

    train, test = load_images(args.data_dir, "train"), load_images(args.data_dir, "test")
    if args.train_limit:
        train = train[:args.train_limit]
    model = ConvVae(args.latent)
    parameters = sum(p.numel() for p in model.parameters())
    print(f"conv VAE, {parameters} parameters; {train.shape[0]} training images, {test.shape[0]} test images; "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads", flush=True)
    adam = torch.optim.Adam(model.parameters(), lr=args.lr)
    start = time.perf_counter()
    history = []
    for epoch in range(1, args.epochs + 1):
        epoch_start = time.perf_counter()
        train_neg_elbo = train_epoch(model, adam, train, args.batch_size)
        epoch_train = time.perf_counter() - epoch_start
        rec, kl = test_terms(model, test)
        epoch_seconds = time.perf_counter() - epoch_start
        history.append({"epoch": epoch, "train_neg_elbo": train_neg_elbo, "test_neg_elbo": rec + kl,
                        "test_reconstruction": rec, "test_kl": kl, "seconds": epoch_seconds,
                        "train_pass_seconds": epoch_train})
        print(f"epoch {epoch:2d}: train −ELBO {train_neg_elbo:8.3f}   test −ELBO {rec + kl:8.3f} "
              f"(reconstruction {rec:.3f} + KL {kl:.3f})   {epoch_seconds:5.1f} s "
              f"({epoch_train:5.1f} s training)   {time.perf_counter() - start:6.1f} s in all", flush=True)
        if args.json:  # the figures so far, in case the run is stopped before the end
            write_json(args.json, {"note": NOTE, "command": command_line(),
                                   "status": f"epoch {epoch} of {args.epochs} done", "history": history})
    train_seconds = time.perf_counter() - start
    model.eval()
    figures = {
        "note": NOTE,
        "command": command_line(),
        "niceness": os.nice(0),
        "test_neg_elbo": history[-1]["test_neg_elbo"], "test_reconstruction": history[-1]["test_reconstruction"],
        "test_kl": history[-1]["test_kl"], "test_images": test.shape[0],
        "test_nll_iw": None, "iw_samples": args.iw_samples, "iw_images": args.iw_images, "iw_seconds": None,
        "epochs": args.epochs, "seed": args.seed, "threads": args.threads, "batch_size": args.batch_size,
        "lr": args.lr, "latent": args.latent, "train_images": train.shape[0], "parameters": parameters,
        "init": "pytorch default", "dtype": "float32",
        "train_seconds": train_seconds,
        "seconds_per_epoch": train_seconds / args.epochs,
        "train_pass_seconds_per_epoch": sum(h["train_pass_seconds"] for h in history) / args.epochs,
        "torch": torch.__version__, "history": history,
        "test_neg_elbo_history": [h["test_neg_elbo"] for h in history],
    }
    if args.json:  # everything but the IW bound, the longest step after training
        write_json(args.json, dict(figures, status="training done; the IW bound is running"))
    print(f"training done in {train_seconds:.1f} s; the IW bound (K = {args.iw_samples}, first {args.iw_images} "
          f"test images) is running", flush=True)
    iw_start = time.perf_counter()
    nll_iw = -model.iw_bound(test[:args.iw_images], args.iw_samples).mean().item()
    figures["test_nll_iw"], figures["iw_seconds"] = nll_iw, time.perf_counter() - iw_start
    figures["status"] = "complete"
    print(f"test −ELBO {figures['test_neg_elbo']:.2f} (reconstruction {figures['test_reconstruction']:.2f} + KL "
          f"{figures['test_kl']:.2f}), −log p(x) IW (K = {args.iw_samples}, first {args.iw_images} test images) "
          f"{nll_iw:.2f}; {train_seconds:.1f} s of training ({figures['seconds_per_epoch']:.1f} s an epoch with "
          f"the test −ELBO, {figures['train_pass_seconds_per_epoch']:.1f} s without), {figures['iw_seconds']:.1f} s for the IW bound")
    if args.json:
        write_json(args.json, figures)


if __name__ == "__main__":
    main()
