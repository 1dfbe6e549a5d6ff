"""Data for ``backprop-spec train``: XOR, and scikit-learn's bundled 8x8 digits."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TASKS = ("xor", "digits")


@dataclass(frozen=True)
class Task:
    """Training and test data, ``X`` as ``(samples, features)``, ``Y`` as ``(samples, outputs)``."""

    X_train: np.ndarray
    Y_train: np.ndarray
    X_test: np.ndarray
    Y_test: np.ndarray


def xor() -> Task:
    """The four XOR cases; the test set is the training set."""
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    Y = np.array([[0], [1], [1], [0]], dtype=float)
    return Task(X, Y, X, Y)


def digits(seed: int = 0, test_fraction: float = 0.25) -> Task:
    """The 1,797 8x8 digit images shipped with scikit-learn, pixels scaled to [0, 1], one-hot targets.

    A seeded, stratified-by-shuffle split holds ``test_fraction`` out for testing.
    """
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise ValueError(
            "--task digits: needs scikit-learn, which bundles the digits data; "
            "install it with: pip install 'backprop-spec[digits]'"
        ) from None
    data = load_digits()
    X = data.data / 16.0
    Y = np.eye(10)[data.target]
    order = np.random.default_rng(seed).permutation(len(X))
    n_test = int(round(test_fraction * len(X)))
    test, train = order[:n_test], order[n_test:]
    return Task(X[train], Y[train], X[test], Y[test])


def load(name: str, seed: int = 0) -> Task:
    """The task called ``name``."""
    if name == "xor":
        return xor()
    if name == "digits":
        return digits(seed)
    raise ValueError(f"task: expected one of {', '.join(TASKS)}, got {name!r}")
