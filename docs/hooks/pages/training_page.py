"""The "Training on XOR" page: one run with the CLI's defaults, and how often 100 seeds solve XOR."""

from __future__ import annotations

import functools
import os
import tempfile
import time

import numpy as np

from spec.cli import XOR_DEFAULTS
from spec.tasks import xor as xor_task

from . import common, loss_page, xor
from .common import mark

SEED = 0
RUN_PNG = "img/training-xor-run.png"
SEEDS_PNG = "img/training-xor-seeds.png"


@functools.lru_cache(maxsize=None)
def trained():
    """``impl.Network`` trained exactly as ``backprop-spec train`` does with its XOR defaults and --seed 0."""
    from impl import Network

    d = XOR_DEFAULTS
    data = xor_task()
    start = time.perf_counter()
    net = Network(d["sizes"], "sigmoid", "sigmoid", "mse", "sum", seed=SEED, init=d["init"])
    net.fit(data.X_train, data.Y_train, epochs=d["epochs"], lr=d["lr"])
    return net, data, time.perf_counter() - start


def run_png() -> bytes:
    """The CLI's own --plot picture (spec.plots.training): loss curve and decision boundary."""
    common.pyplot()
    from spec import plots

    net, data, _ = trained()
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "run.png")
        plots.training(net, data, "xor", path)
        with open(path, "rb") as handle:
            return handle.read()


SETTINGS = (
    ("tutorial", "the tutorial's code: N(0, 1) weights and biases from `np.random.seed(s)`, lr 0.1, 10,000 epochs"),
    ("network_normal", "`impl.Network`, same settings, N(0, 1) from its own seeded generator"),
    ("defaults", "`backprop-spec train` defaults: init {init}, lr {lr:g}, {epochs:,} epochs"),
)


def seeds_png() -> bytes:
    plt = common.pyplot()
    study = xor.seed_study()
    fig, ax = plt.subplots(figsize=(8.5, 1.9))
    labels = ["tutorial", "impl, N(0, 1), lr 0.1", "CLI defaults"]
    grid = np.array([study[key] for key, _ in SETTINGS], dtype=float)
    from matplotlib.colors import ListedColormap

    ax.imshow(grid, aspect="auto", cmap=ListedColormap(["#d9480f", "#2b8a3e"]), vmin=0, vmax=1, interpolation="nearest")
    ax.set_yticks(range(len(labels)), [f"{lab} ({int(row.sum())}/100)" for lab, row in zip(labels, grid)])
    ax.set_xticks(range(0, xor.SEEDS, 10))
    ax.set_xticks(np.arange(-0.5, xor.SEEDS), minor=True)
    ax.grid(which="minor", axis="x", color="white", lw=0.5)
    ax.tick_params(which="minor", length=0)
    ax.set_xlabel("seed (green: XOR solved, orange: stuck)")
    return common.png(fig)


def images() -> dict[str, bytes]:
    return {RUN_PNG: run_png(), SEEDS_PNG: seeds_png()}


def settings():
    d = XOR_DEFAULTS
    rows = [
        ("layer sizes", ", ".join(map(str, d["sizes"]))),
        ("activation (hidden and output)", "sigmoid"),
        ("loss", f"`mse`: {loss_page.sum_of_losses()} over the 4 samples"),
        ("initialisation", f"`{d['init']}`"),
        ("learning rate", f"{d['lr']:g}"),
        ("epochs", f"{d['epochs']:,} (full batch: one update per epoch)"),
        ("seed", str(SEED)),
    ]
    return common.table(["setting", "value"], rows)


def run():
    net, data, seconds = trained()
    X, Y = data.X_train, data.Y_train
    return (
        f"\n![Loss per epoch (log scale) and the trained network's output over the plane]({RUN_PNG})\n\n"
        f"Training took {seconds:.2f} s while this page was built. The loss (half the squared error, summed) "
        f"went from {common.fmt(net.history[0], 4)} before the first update to "
        f"{common.fmt(net.loss_value(X, Y), 4)} after the last.\n"
    )


def predictions():
    net, data, _ = trained()
    out = net.forward(data.X_train)[:, 0]
    rows = []
    for x, target, value in zip(data.X_train, data.Y_train[:, 0], out):
        verdict = "✓" if (value >= 0.5) == (target == 1) else "✗"
        rows.append((int(x[0]), int(x[1]), int(target), f"{value:.4f}", int(value >= 0.5), verdict))
    return common.table([r"\(x_1\)", r"\(x_2\)", "XOR", "network output", "class (output ≥ 0.5)", ""], rows) + mark(
        ("measured at build time", "measured")
    )


def seed_counts():
    study = xor.seed_study()
    d = XOR_DEFAULTS
    rows = []
    for key, text in SETTINGS:
        rows.append((text.format(**d), f"**{int(study[key].sum())} of {xor.SEEDS}**", f"{study[key + '_seconds']:.1f} s"))
    return (
        common.table(["setting", "solved XOR", f"time for all {xor.SEEDS} seeds"], rows)
        + f"\n![Which seeds solve XOR, per setting]({SEEDS_PNG})\n\n"
        + mark(("measured at build time, 100 networks trained at once", "measured"))
    )


def stuck_example():
    study = xor.seed_study()
    seed = int(np.flatnonzero(~study["tutorial"])[0])
    out = xor.tutorial_outputs(xor.train_tutorial([seed]))[0]
    data = xor_task()
    rows = [(f"({int(x[0])}, {int(x[1])})", int(t), f"{v:.4f}", "✓" if (v >= 0.5) == (t == 1) else "✗")
            for x, t, v in zip(data.X_train, data.Y_train[:, 0], out)]
    return f"Seed {seed}, after 10,000 epochs:\n" + common.table(["input", "XOR", "output", ""], rows) + mark(
        ("measured at build time", "measured")
    )


def count(key: str) -> int:
    return int(xor.seed_study()[key].sum())


BLOCKS = {
    "settings": settings,
    "run": run,
    "predictions": predictions,
    "seed-counts": seed_counts,
    "stuck-example": stuck_example,
    "count-tutorial": lambda: str(count("tutorial")),
    "count-defaults": lambda: str(count("defaults")),
    "count-network-normal": lambda: str(count("network_normal")),
    "fail-tutorial": lambda: str(xor.SEEDS - count("tutorial")),
}
