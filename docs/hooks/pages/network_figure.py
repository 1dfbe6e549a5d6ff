"""The home page's picture of the 2-2-1 network, drawn by matplotlib as an inline SVG.

The labels are matplotlib mathtext (drawn as paths, so no font is needed).
Lines and labels are drawn in a placeholder colour that is then replaced by
``currentColor``, so the picture takes the text colour of the page: dark on
the light palette, light on the dark one. The nodes are filled with a
translucent blue that reads on both backgrounds.
"""

from __future__ import annotations

import io
import re

#: Drawn in this colour, then replaced by ``currentColor`` in the SVG text.
INK = "#010203"
#: Node fill per layer: translucent, so it tints either background.
FILL = {"input": "#8c8c8c", "hidden": "#3f7fd9", "output": "#e8590c"}
FILL_ALPHA = 0.28
RADIUS = 0.36

#: Node positions (x, y) in data units; layer columns at x = 0, 3.2, 6.4.
INPUTS = {1: (0.0, 2.3), 2: (0.0, 0.0)}
HIDDEN = {1: (3.2, 2.3), 2: (3.2, 0.0)}
OUTPUT = (6.4, 1.15)


def _node(ax, xy, text, kind):
    from matplotlib.patches import Circle

    ax.add_patch(Circle(xy, RADIUS, facecolor=FILL[kind], alpha=FILL_ALPHA, edgecolor="none", zorder=3))
    ax.add_patch(Circle(xy, RADIUS, facecolor="none", edgecolor=INK, lw=1.4, zorder=4))
    ax.text(*xy, text, ha="center", va="center", fontsize=15, color=INK, zorder=5)


def _point(start, end, t, inset=RADIUS):
    """The point a fraction ``t`` of the way along the edge between two node rims."""
    (x0, y0), (x1, y1) = start, end
    length = ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    a = (x0 + ux * inset, y0 + uy * inset)
    b = (x1 - ux * inset, y1 - uy * inset)
    return a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])


def _edge(ax, start, end, label, t, offset):
    """An arrow from rim to rim, labelled at fraction ``t`` and shifted by ``offset`` (data units)."""
    ax.annotate(
        "", xy=_point(start, end, 1), xytext=_point(start, end, 0),
        arrowprops=dict(arrowstyle="-|>", color=INK, lw=1.1, mutation_scale=12, shrinkA=0, shrinkB=0),
    )
    x, y = _point(start, end, t)
    ax.text(x + offset[0], y + offset[1], label, ha="center", va="center", fontsize=12, color=INK)


def _bias(ax, node, label, above):
    """A dashed arrow into ``node`` from above (or below), carrying the node's bias."""
    x, y = node
    sign = 1 if above else -1
    tail = (x, y + sign * (RADIUS + 0.55))
    ax.annotate(
        "", xy=(x, y + sign * RADIUS), xytext=tail,
        arrowprops=dict(arrowstyle="-|>", color=INK, lw=1.0, ls=(0, (3, 2)), mutation_scale=10, shrinkA=0, shrinkB=0),
    )
    ax.text(x, tail[1] + sign * 0.2, label, ha="center", va="bottom" if above else "top", fontsize=12, color=INK)


def draw(ax):
    """The 2-2-1 network: inputs, two sigmoid hidden units, one sigmoid output, every weight and bias."""
    for j, xy in INPUTS.items():
        _node(ax, xy, rf"$x_{j}$", "input")
    for j, xy in HIDDEN.items():
        _node(ax, xy, r"$\sigma$", "hidden")
    _node(ax, OUTPUT, r"$\sigma$", "output")
    # W(1)_jk joins input k to hidden unit j: the two straight edges are labelled
    # above their middle, the two crossing ones near their start, apart from each other.
    for j, end in HIDDEN.items():
        for k, start in INPUTS.items():
            label = rf"$W^{{(1)}}_{{{j}{k}}}$"
            if j == k:
                _edge(ax, start, end, label, 0.5, (0, 0.24 if j == 1 else -0.24))
            else:
                _edge(ax, start, end, label, 0.2, (0.1, 0.34 if k == 1 else -0.34))
    for k, start in HIDDEN.items():
        _edge(ax, start, OUTPUT, rf"$W^{{(2)}}_{{1{k}}}$", 0.5, (0.15, 0.34 if k == 1 else -0.34))
    for j, xy in HIDDEN.items():
        _bias(ax, xy, rf"$b^{{(1)}}_{j}$", above=j == 1)
        x, y = xy
        ax.text(x + 0.5, y + (-0.5 if j == 1 else 0.5), rf"$a^{{(1)}}_{j}$", ha="left", va="center",
                fontsize=12, color=INK)
    _bias(ax, OUTPUT, r"$b^{(2)}_1$", above=True)
    # the prediction leaves the output unit
    x, y = OUTPUT
    ax.annotate("", xy=(x + RADIUS + 0.9, y), xytext=(x + RADIUS, y),
                arrowprops=dict(arrowstyle="-|>", color=INK, lw=1.1, mutation_scale=12, shrinkA=0, shrinkB=0))
    ax.text(x + RADIUS + 1.0, y, r"$a^{(2)} = \hat{y}$", ha="left", va="center", fontsize=13, color=INK)
    for x, title in ((0.0, "input"), (3.2, "hidden layer"), (6.4, "output layer")):
        ax.text(x, -1.95, title, ha="center", va="center", fontsize=11, color=INK, alpha=0.75)
    ax.set_xlim(-0.6, 8.6)
    ax.set_ylim(-2.2, 3.45)
    ax.set_aspect("equal")
    ax.axis("off")


def svg() -> str:
    """The figure as an ``<svg>`` element for inline use: transparent, drawn in ``currentColor``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with plt.rc_context({"svg.hashsalt": "network-2-2-1", "svg.fonttype": "path", "mathtext.fontset": "cm"}):
        fig, ax = plt.subplots(figsize=(8.0, 4.4))
        draw(ax)
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", transparent=True, bbox_inches="tight", pad_inches=0.05,
                    metadata={"Date": None})
        plt.close(fig)
    text = buffer.getvalue()
    text = text[text.index("<svg"):]
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)  # matplotlib repeats every label's TeX in a comment
    text = re.sub(r"\n\s*\n", "\n", text)  # a blank line would end the HTML block in Markdown
    text = text.replace(INK, "currentColor")
    if INK in text or "currentColor" not in text:
        raise RuntimeError("network figure: the placeholder colour was not replaced")
    # scale with the page: drop the fixed size in pt, keep the viewBox
    text = re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r'<svg\1', text, count=1)
    return text.replace("<svg", '<svg role="img" aria-label="The 2-2-1 network: inputs x1 and x2, '
                        'two sigmoid hidden units, one sigmoid output, with every weight and bias"', 1)


def figure() -> str:
    return f'\n<div class="network-figure">\n{svg()}\n</div>\n'


BLOCKS = {"network-2-2-1": figure}
