"""Pictures of a training run (matplotlib, imported only when a plot is asked for)."""

from __future__ import annotations

import numpy as np


def training(net, data, task: str, path: str) -> None:
    """Save the loss curve, and for XOR the decision boundary, to ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = 2 if task == "xor" else 1
    with plt.rc_context({"font.size": 11}):
        fig, axes = plt.subplots(1, panels, figsize=(5.5 * panels, 4.4), squeeze=False)
        ax = axes[0, 0]
        ax.plot(np.arange(1, len(net.history) + 1), net.history)
        ax.set_xlabel("epoch")
        ax.set_ylabel(f"loss ({net.loss}, {net.reduction})")
        ax.set_yscale("log")
        ax.set_title("training loss")
        ax.grid(True, which="major", alpha=0.3)
        if task == "xor":
            decision_boundary(net, data, axes[0, 1])
        fig.tight_layout()
        fig.savefig(path, dpi=120)
    plt.close(fig)


def decision_boundary(net, data, ax) -> None:
    """Shade the network's output over the unit square and mark the four XOR points.

    The points are drawn white with a black edge, a circle for target 0 and a
    square for target 1, so they stand out on either colour of the shading.
    """
    grid = np.linspace(-0.25, 1.25, 121)
    gx, gy = np.meshgrid(grid, grid)
    out = net.forward(np.column_stack([gx.ravel(), gy.ravel()]))[:, 0].reshape(gx.shape)
    image = ax.contourf(gx, gy, out, levels=np.linspace(0, 1, 21), cmap="RdBu_r", vmin=0, vmax=1)
    ax.contour(gx, gy, out, levels=[0.5], colors="k", linewidths=1.5)
    ax.figure.colorbar(image, ax=ax, label="network output", ticks=np.linspace(0, 1, 6))
    targets = data.Y_train[:, 0]
    for target, marker in ((0, "o"), (1, "s")):
        points = data.X_train[targets == target]
        ax.scatter(*points.T, marker=marker, s=150, facecolors="white", edgecolors="black", linewidths=2,
                   zorder=3, label=f"target {target} (XOR {'true' if target else 'false'})")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, frameon=False)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_aspect("equal")
    ax.set_title("decision boundary (output = 0.5)")
