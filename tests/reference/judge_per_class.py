#!/usr/bin/env python3
"""How often chapter 01's CNN evaluator — the judge of every later chapter — puts the *real*
Fashion-MNIST test images of each class in their class: the ceiling a generator's class
coherence is read against (chapter 06 README §1.4).

    python3 tests/reference/judge_per_class.py --json plots/06_cross_modal_gans/variants/judge_per_class_2026-12-02.json

The evaluator is rebuilt in PyTorch from data/checkpoints/01_tensors_autograd/evaluator.safetensors
by train_dcgan_twin.py's Evaluator; its overall accuracy must equal the one the file records, or
the script stops. Seconds on one thread.
"""
import argparse

import numpy as np
import torch

from train_dcgan_twin import CLASS_NAMES, Evaluator, load_labels
from train_vae_twin import load_images
from twin_common import command_line, write_json


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--evaluator", default="data/checkpoints/01_tensors_autograd/evaluator.safetensors")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    torch.set_num_threads(1)
    evaluator = Evaluator(args.evaluator)
    _, logits = evaluator.features_and_logits(load_images(args.data_dir, "test"))
    predicted, labels = logits.argmax(1).numpy(), load_labels(args.data_dir)
    overall = float((predicted == labels).mean())
    if abs(overall - evaluator.test_accuracy) > 1e-3:
        raise SystemExit(f"the rebuilt evaluator scores {overall:.4f}, its file says {evaluator.test_accuracy:.4f}")
    per_class = [float((predicted[labels == c] == c).mean()) for c in range(len(CLASS_NAMES))]
    for name, accuracy in zip(CLASS_NAMES, per_class):
        print(f"{name:12s} {accuracy:.3f}")
    print(f"{'all':12s} {overall:.4f}")
    if args.json:
        write_json(args.json, {"note": "chapter 01's CNN evaluator on the 10,000 real test images, per class; "
                                       "written by tests/reference/judge_per_class.py",
                               "command": command_line(), "classes": CLASS_NAMES, "accuracy_per_class": per_class,
                               "accuracy": overall, "test_images": int(labels.size),
                               "test_images_per_class": np.bincount(labels, minlength=10).tolist()})


if __name__ == "__main__":
    main()
