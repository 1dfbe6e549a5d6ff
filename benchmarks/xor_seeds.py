"""How often does a 2-2-1 sigmoid network solve XOR? Count over 100 seeds.

Compares the tutorial's settings (weights and biases ~ N(0, 1) drawn with
``np.random.seed(s)``, learning rate 0.1, 10,000 full-batch epochs, half squared
error summed over the samples) with the defaults of ``backprop-spec train``.
A run "solves" XOR when all four outputs fall on the right side of 0.5.

Run: ``python benchmarks/xor_seeds.py [--seeds 100]`` (about a minute per setting).
"""

from __future__ import annotations

import argparse
import json

import numpy as np
from scipy.special import expit

from impl import Network
from spec.cli.defaults import XOR_DEFAULTS
from spec.cli.tasks import xor


def tutorial_run(seed: int, lr: float = 0.1, epochs: int = 10000) -> bool:
    """The tutorial's algorithm in column layout, with its global-seed initialisation."""
    np.random.seed(seed)
    W1, b1 = np.random.randn(2, 2), np.random.randn(2, 1)
    W2, b2 = np.random.randn(1, 2), np.random.randn(1, 1)
    data = xor()
    X, y = data.X_train.T, data.Y_train.T
    for _ in range(epochs):
        a1 = expit(W1 @ X + b1)
        a2 = expit(W2 @ a1 + b2)
        delta2 = (a2 - y) * a2 * (1 - a2)
        delta1 = (W2.T @ delta2) * a1 * (1 - a1)
        W2 -= lr * delta2 @ a1.T
        b2 -= lr * delta2.sum(axis=1, keepdims=True)
        W1 -= lr * delta1 @ X.T
        b1 -= lr * delta1.sum(axis=1, keepdims=True)
    out = expit(W2 @ expit(W1 @ X + b1) + b2)
    return bool(np.all((out >= 0.5) == (y == 1)))


def network_run(seed: int, init: str, lr: float, epochs: int) -> bool:
    data = xor()
    net = Network((2, 2, 1), seed=seed, init=init).fit(data.X_train, data.Y_train, epochs=epochs, lr=lr)
    return bool(np.all(net.predict(data.X_train) == data.Y_train[:, 0]))


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=100)
    args = parser.parse_args(argv)
    seeds = range(args.seeds)
    d = XOR_DEFAULTS
    results = {
        "seeds": args.seeds,
        "tutorial (np.random.seed, N(0,1), lr 0.1, 10000 epochs)": sum(map(tutorial_run, seeds)),
        "impl.Network, init normal, lr 0.1, 10000 epochs": sum(
            network_run(s, "normal", 0.1, 10000) for s in seeds
        ),
        f"impl.Network defaults (init {d['init']}, lr {d['lr']}, {d['epochs']} epochs)": sum(
            network_run(s, d["init"], d["lr"], d["epochs"]) for s in seeds
        ),
    }
    print(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main()
