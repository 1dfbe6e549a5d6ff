"""Pictures of a training run (matplotlib, imported only when a plot is asked for)."""

from __future__ import annotations

import numpy as np


def training(net, data, task: str, path: str) -> None:
    """Save the loss curve, and for XOR the decision boundary, to ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = 2 if task == "xor" else 1
    fig, axes = plt.subplots(1, panels, figsize=(5 * panels, 4), squeeze=False)
    ax = axes[0, 0]
    ax.plot(np.arange(1, len(net.history) + 1), net.history)
    ax.set_xlabel("epoch")
    ax.set_ylabel(f"loss ({net.loss}, {net.reduction})")
    ax.set_yscale("log")
    ax.set_title("training loss")
    if task == "xor":
        decision_boundary(net, data, axes[0, 1])
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def decision_boundary(net, data, ax) -> None:
    """Shade the network's output over the unit square and mark the four XOR points."""
    grid = np.linspace(-0.25, 1.25, 121)
    gx, gy = np.meshgrid(grid, grid)
    out = net.forward(np.column_stack([gx.ravel(), gy.ravel()]))[:, 0].reshape(gx.shape)
    image = ax.contourf(gx, gy, out, levels=20, cmap="RdBu_r", vmin=0, vmax=1)
    ax.contour(gx, gy, out, levels=[0.5], colors="k", linewidths=1.5)
    ax.figure.colorbar(image, ax=ax, label="network output")
    targets = data.Y_train[:, 0]
    ax.scatter(*data.X_train.T, c=targets, cmap="RdBu_r", vmin=0, vmax=1, edgecolors="k", s=120)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title("decision boundary (output = 0.5)")
