#!/usr/bin/env python3
"""The PyTorch twin of chapter 05's DCGAN (build/bin/ch05_convolutional --part dcgan): the same
two networks (lib/mmgen/models/dcgan.cpp) built from PyTorch's standard modules with their
default initialisation, trained with the same loop and scored by the same judge — chapter 01's
CNN evaluator, its weights read from mmgen's checkpoint. It checks the issue's "a PyTorch twin
of exactly this recipe takes about 100 s per epoch here; after 6 epochs it covers 8 classes at
≥ 5%, after 10 all 10, with an FD 0.59× the MLP GAN's".

    python3 tests/reference/train_dcgan_twin.py                     # the issue's recipe: 10 epochs, constant lr
    python3 tests/reference/train_dcgan_twin.py --lr-decay --epochs 8   # chapter 05's default recipe
    python3 tests/reference/train_dcgan_twin.py --epochs 1 --train-limit 2000 --scored 1000   # a smoke test
    nice -n 10 python3 tests/reference/train_dcgan_twin.py --json plots/05_convolutional/variants/pytorch_dcgan_twin.json

(Debian's python3-torch and python3-numpy; the data from the dataset-fashion-mnist package; the
evaluator from data/checkpoints/01_tensors_autograd/evaluator.safetensors, which
build/bin/ch01_tensors_autograd writes.) Not run by scripts/test.sh: it trains for 24 minutes
here (2 threads). One step's parity with mmgen, to 1e-9 in double, is dcgan_parity.py's job; this script
shows where training ends up.

    G         z (B, 64) → Linear(64 → 3136, no bias) → (B, 64, 7, 7) → BatchNorm2d → ReLU
              → ConvTranspose2d(64→32, k4 s2 p1, no bias) → BatchNorm2d → ReLU (B, 32, 14, 14)
              → ConvTranspose2d(32→1, k4 s2 p1) → tanh (B, 1, 28, 28)
    D         x (B, 1, 28, 28) → Conv2d(1→32, k4 s2 p1) → LeakyReLU 0.2 (B, 32, 14, 14)
              → Conv2d(32→64, k4 s2 p1, no bias) → BatchNorm2d → LeakyReLU 0.2 (B, 64, 7, 7)
              → flatten → Linear(3136 → 1) → logit
    init      PyTorch's defaults, U(±1/√fan-in) — what mmgen's --init pytorch reproduces
    training  per step: z ~ N(0, I); D on the real batch (pixels x/255·2 − 1) and on G(z).detach(),
              each through D's batch norm on its own, BCE to 1 and 0; then G with the
              non-saturating loss through the just-updated D, D's running statistics put back
              as models::generator_step does; Adam 2e-4, β = (0.5, 0.999) for both, batch 128,
              the last short batch of an epoch dropped; --lr-decay: the lr held for the first
              half of the steps, then linear to 0 (chapter 05's default)
    scores    G in eval mode; --scored samples (10,000) from N(0, I) after every epoch: the
              Fréchet distance of the evaluator's 128 features to the 10,000 test images', and
              the classes the evaluator gives them (how many hold ≥ 5%)
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

from parity_common import load_safetensors
from train_vae_twin import load_images
from twin_common import command_line, write_json

# Fashion-MNIST's labels 0–9, in order.
CLASS_NAMES = ["T-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot"]

NOTE = ("PyTorch twin of chapter 05's DCGAN (build/bin/ch05_convolutional --part dcgan): the networks of "
        "lib/mmgen/models/dcgan.cpp from torch.nn modules with PyTorch's default initialisation, float32; "
        "Adam 2e-4, beta1 0.5, batch 128, non-saturating loss, images in [-1, 1]; scored by chapter 01's CNN "
        "evaluator (data/checkpoints/01_tensors_autograd/evaluator.safetensors) on --scored samples against "
        "the 10,000 test images; written by tests/reference/train_dcgan_twin.py")


def generator(latent=64, c=32):
    nn = torch.nn
    return nn.Sequential(
        nn.Linear(latent, 2 * c * 7 * 7, bias=False), nn.Unflatten(1, (2 * c, 7, 7)),    # (B, 64, 7, 7)
        nn.BatchNorm2d(2 * c), nn.ReLU(),
        nn.ConvTranspose2d(2 * c, c, 4, stride=2, padding=1, bias=False),                 # (B, 32, 14, 14)
        nn.BatchNorm2d(c), nn.ReLU(),
        nn.ConvTranspose2d(c, 1, 4, stride=2, padding=1), nn.Tanh())                     # (B, 1, 28, 28)


def discriminator(d=32, slope=0.2):
    nn = torch.nn
    return nn.Sequential(
        nn.Conv2d(1, d, 4, stride=2, padding=1), nn.LeakyReLU(slope),                    # (B, 32, 14, 14)
        nn.Conv2d(d, 2 * d, 4, stride=2, padding=1, bias=False), nn.BatchNorm2d(2 * d),  # (B, 64, 7, 7)
        nn.LeakyReLU(slope), nn.Flatten(), nn.Linear(2 * d * 7 * 7, 1))                  # (B, 1) logits


class Evaluator:
    """Chapter 01's CNN (lib/mmgen/models/cnn_classifier.hpp) in evaluation mode — batch norm on
    its running statistics, no dropout — from mmgen's safetensors file:
        body.0 conv 3×3 p1 (no bias), .1 BN, .2 ReLU, .3 max-pool 2, .4 conv 3×3 p1, .5 BN, .6 ReLU,
        .7 max-pool 2, .8 flatten, .9 Linear (no bias), .10 BN, .11 ReLU → features (B, 128);
        head.0 dropout, .1 Linear → logits (B, 10)."""

    def __init__(self, path):
        self.t, self.metadata, _ = load_safetensors(path)  # float64 tensors
        self.test_accuracy = float(self.metadata.get("test_accuracy", "nan"))

    def _bn(self, x, name):
        t = self.t
        return F.batch_norm(x, t[f"{name}.running_mean"], t[f"{name}.running_var"], t[f"{name}.weight"],
                            t[f"{name}.bias"], training=False, eps=1e-5)

    @torch.no_grad()
    def features_and_logits(self, x, chunk=1000):
        """x (N, 784) in [0, 1] → features (N, 128) and logits (N, 10), float64."""
        t, feats, logits = self.t, [], []
        for part in x.double().split(chunk):
            h = part.reshape(-1, 1, 28, 28)
            h = F.max_pool2d(torch.relu(self._bn(F.conv2d(h, t["body.0.weight"], padding=1), "body.1")), 2)
            h = F.max_pool2d(torch.relu(self._bn(F.conv2d(h, t["body.4.weight"], padding=1), "body.5")), 2)
            f = torch.relu(self._bn(F.linear(h.flatten(1), t["body.9.weight"]), "body.10"))
            feats.append(f)
            logits.append(F.linear(f, t["head.1.weight"], t["head.1.bias"]))
        return torch.cat(feats), torch.cat(logits)


def moments(features):
    """Mean and covariance (unbiased, as mmgen's mean_and_covariance) of (N, d) features."""
    mu = features.mean(0)
    centred = features - mu
    return mu, centred.T @ centred / (features.shape[0] - 1)


def frechet_distance(a, b):
    """‖μ₁ − μ₂‖² + tr C₁ + tr C₂ − 2 tr (C₁^½ C₂ C₁^½)^½, as lib/mmgen/report/metrics.cpp computes it."""
    (mu1, c1), (mu2, c2) = a, b
    w, v = torch.linalg.eigh((c1 + c1.T) / 2)
    root1 = (v * w.clamp(min=0).sqrt()) @ v.T
    m = root1 @ c2 @ root1
    lam = torch.linalg.eigvalsh((m + m.T) / 2).clamp(min=0)
    return max(0.0, ((mu1 - mu2) ** 2).sum().item() + (c1.trace() + c2.trace()).item() - 2 * lam.sqrt().sum().item())


@torch.no_grad()
def score(g, evaluator, reference, n, latent, seed):
    """FD and class histogram of n samples of G (eval mode) on the evaluator."""
    g.eval()
    z = torch.randn(n, latent, generator=torch.Generator().manual_seed(seed))
    images = torch.cat([(g(part) + 1) / 2 for part in z.split(1000)]).reshape(n, 784)  # [−1, 1] → [0, 1]
    g.train()
    features, logits = evaluator.features_and_logits(images)
    histogram = np.bincount(logits.argmax(1).numpy(), minlength=10)
    return {"fd": frechet_distance(moments(features), reference), "class_histogram": histogram.tolist(),
            "classes_at_least_5pct": int((histogram >= 0.05 * n).sum())}


def linear_decay(lr, step, total, fraction):
    """Held for the first (1 − fraction) of the steps, then linear to 0 at the last (optim::linear_decay)."""
    start = (1 - fraction) * total
    return lr if step < start else lr * max(0.0, (total - step) / (total - start))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=2e-4)
    parser.add_argument("--lr-decay", action="store_true", help="chapter 05's schedule: linear to 0 over the last half")
    parser.add_argument("--latent", type=int, default=64)
    parser.add_argument("--train-limit", type=int, default=0,
                        help="train on the first N training images only (0: all 60,000; smoke tests)")
    parser.add_argument("--scored", type=int, default=10000, help="samples scored after every epoch")
    parser.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--evaluator", default="data/checkpoints/01_tensors_autograd/evaluator.safetensors")
    parser.add_argument("--mlp-gan-fd", type=float, default=None,
                        help="chapter 02's MLP GAN FD on the same judge, for the ratio (default: from "
                             "plots/05_convolutional/metrics.json's mlp_gan_fd when it exists)")
    parser.add_argument("--json", help="also write the figures to this file (after every epoch)")
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)

    evaluator = Evaluator(args.evaluator)
    test = load_images(args.data_dir, "test")
    test_features, test_logits = evaluator.features_and_logits(test)
    reference = moments(test_features)
    accuracy = (test_logits.argmax(1).numpy() == load_labels(args.data_dir)).mean()
    if not math.isclose(accuracy, evaluator.test_accuracy, abs_tol=1e-3):
        raise SystemExit(f"the evaluator rebuilt in PyTorch scores {accuracy:.4f} on the test set, its file says "
                         f"{evaluator.test_accuracy:.4f}: the rebuild does not match mmgen's network")
    mlp_gan_fd = args.mlp_gan_fd if args.mlp_gan_fd is not None else chapter05_figure("mlp_gan_fd")
    print(f"evaluator: test accuracy {accuracy:.4f} (its file: {evaluator.test_accuracy:.4f}); "
          f"MLP GAN FD {mlp_gan_fd}", flush=True)

    train = load_images(args.data_dir, "train") * 2 - 1  # (N, 784) in [−1, 1], like tanh
    if args.train_limit:
        train = train[:args.train_limit]
    g, d = generator(args.latent), discriminator()
    g_adam = torch.optim.Adam(g.parameters(), lr=args.lr, betas=(0.5, 0.999))
    d_adam = torch.optim.Adam(d.parameters(), lr=args.lr, betas=(0.5, 0.999))
    d_bn = [m for m in d.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    steps_per_epoch = train.shape[0] // args.batch_size
    total_steps, step = args.epochs * steps_per_epoch, 0
    print(f"G {sum(p.numel() for p in g.parameters())} parameters, D {sum(p.numel() for p in d.parameters())}; "
          f"{train.shape[0]} training images, {steps_per_epoch} steps an epoch; torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads", flush=True)
    bce = F.binary_cross_entropy_with_logits
    history, start = [], time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        epoch_start, sums = time.perf_counter(), np.zeros(4)
        for idx in torch.randperm(train.shape[0])[:steps_per_epoch * args.batch_size].split(args.batch_size):
            if args.lr_decay:
                for group in g_adam.param_groups + d_adam.param_groups:
                    group["lr"] = linear_decay(args.lr, step, total_steps, 0.5)
            real = train[idx].reshape(-1, 1, 28, 28)
            fake = g(torch.randn(idx.shape[0], args.latent))
            # 1. D: real → 1, fake.detach() → 0, each batch through D's batch norm on its own
            real_logits, fake_logits = d(real), d(fake.detach())
            loss_d = bce(real_logits, torch.ones_like(real_logits)) + bce(fake_logits, torch.zeros_like(fake_logits))
            d_adam.zero_grad()
            loss_d.backward()
            d_adam.step()
            # 2. G: D(G(z)) → 1 through the updated D; D's running statistics kept as they were
            saved = [(m.running_mean.clone(), m.running_var.clone()) for m in d_bn]
            g_logits = d(fake)
            loss_g = bce(g_logits, torch.ones_like(g_logits))
            g_adam.zero_grad()
            loss_g.backward()
            g_adam.step()
            for m, (mean, var) in zip(d_bn, saved):
                m.running_mean.copy_(mean), m.running_var.copy_(var)
            sums += [loss_d.item(), loss_g.item(), torch.sigmoid(real_logits).mean().item(),
                     torch.sigmoid(fake_logits).mean().item()]
            step += 1
        train_seconds = time.perf_counter() - epoch_start
        scores = score(g, evaluator, reference, args.scored, args.latent, args.seed + 3000)
        means = sums / steps_per_epoch
        row = {"epoch": epoch, "d_loss": means[0], "g_loss": means[1], "d_real": means[2], "d_fake": means[3],
               **scores, "fd_over_mlp_gan": scores["fd"] / mlp_gan_fd if mlp_gan_fd else None,
               "train_seconds": train_seconds, "score_seconds": time.perf_counter() - epoch_start - train_seconds}
        history.append(row)
        print(f"epoch {epoch:2d}: L_D {means[0]:.3f}  L_G {means[1]:.3f}  D(x) {means[2]:.3f}  D(G(z)) {means[3]:.3f}  "
              f"FD {scores['fd']:.2f}  classes ≥ 5% {scores['classes_at_least_5pct']}  {train_seconds:.1f} s "
              f"training  {time.perf_counter() - start:.1f} s in all", flush=True)
        if args.json:
            write_json(args.json, {
                "note": NOTE, "command": command_line(), "status": f"epoch {epoch} of {args.epochs} done",
                "epochs": args.epochs, "seed": args.seed, "threads": args.threads, "batch_size": args.batch_size,
                "lr": args.lr, "lr_decay": args.lr_decay, "latent": args.latent, "train_images": train.shape[0],
                "scored_samples": args.scored, "evaluator_accuracy": float(accuracy), "mlp_gan_fd": mlp_gan_fd,
                "init": "pytorch default", "dtype": "float32", "torch": torch.__version__,
                "dcgan_fd": scores["fd"], "dcgan_classes_at_least_5pct": scores["classes_at_least_5pct"],
                "dcgan_class_histogram": scores["class_histogram"],
                "seconds_per_epoch": sum(h["train_seconds"] for h in history) / len(history), "history": history})


def load_labels(data_dir):
    """The test labels (10,000,) as a numpy array."""
    with gzip.open(pathlib.Path(data_dir) / "t10k-labels-idx1-ubyte.gz", "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=8).astype(np.int64)


def chapter05_figure(key):
    """A figure of chapter 05's committed metrics.json, or None."""
    path = pathlib.Path("plots/05_convolutional/metrics.json")
    return json.loads(path.read_text()).get(key) if path.exists() else None


if __name__ == "__main__":
    main()
