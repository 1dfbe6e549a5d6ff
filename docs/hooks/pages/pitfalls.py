"""The "Common pitfalls" page: each mistake shown with a proof or a measurement made at build time."""

from __future__ import annotations

import functools

import numpy as np
import sympy as sp
from scipy.special import expit

from spec import activations
from spec.activations import a
from spec.losses import mse, y
from spec.network import sigma
from spec.oracle import Oracle
from spec.proof import Proof, reduce_to_zero
from spec.cli.tasks import xor as xor_task

from . import common, loss_page, training_page, xor
from .common import display, mark, proof_mark, tex

# --- 1. delta is dL/dz, not dL/da ------------------------------------------------------


def dz_not_da():
    Z = sp.Symbol("z2", real=True)
    lab = {Z: "z^{(2)}", a: "a^{(2)}"}
    dL_da = mse.d_da.subs(a, sigma(Z))
    dL_dz = sp.diff(mse.expr.subs(a, sigma(Z)), Z)
    ratio = sp.cancel(dL_dz / dL_da)
    proof = Proof("dL/dz / dL/da = sigma'(z)", reduce_to_zero(ratio - sp.diff(sigma(Z), Z)) is not None, "cancel")
    return display(
        rf"\frac{{\partial L}}{{\partial a^{{(2)}}}} &= {tex(mse.d_da, lab)}",
        rf"\delta^{{(2)}} = \frac{{\partial L}}{{\partial z^{{(2)}}}} &= {tex(dL_dz.subs(sigma(Z), a), lab)}",
        rf"\frac{{\partial L / \partial z^{{(2)}}}}{{\partial L / \partial a^{{(2)}}}} &= {tex(ratio, lab)}",
    ) + proof_mark(proof, what="the ratio of dL/dz to dL/da")


# --- column-layout gradients, right and wrong ---------------------------------------


def tutorial_weights(seed=0):
    W1, b1, W2, b2 = (p[0] for p in xor.tutorial_initial([seed]))
    return W1, b1, W2, b2


def seed_style_gradients(W1, b1, W2, b2, mistake=None):
    """The tutorial's backward pass as gradients (column layout), optionally with one mistake."""
    data = xor_task()
    X, Y = data.X_train.T, data.Y_train.T
    z1 = W1 @ X + b1
    a1 = expit(z1)
    z2 = W2 @ a1 + b2
    a2 = expit(z2)

    def slope(a_, z_):
        if mistake == "derivative-on-z":
            return z_ * (1 - z_)  # the output-form derivative x(1 - x) handed z instead of a
        return a_ * (1 - a_)

    delta2 = (a2 - Y) if mistake == "no-derivative" else (a2 - Y) * slope(a2, z2)
    delta1 = (W2.T @ delta2) * slope(a1, z1)
    return [delta1 @ X.T, delta2 @ a1.T], [delta1.sum(axis=1), delta2.sum(axis=1)]


def spec_gradients(W1, b1, W2, b2):
    data = xor_task()
    return Oracle((2, 2, 1)).gradients([W1, W2], [b1[:, 0], b2[:, 0]], data.X_train, data.Y_train)


def _flat(dW, db):
    return np.concatenate([np.ravel(g) for g in (*dW, *db)])


def relative_error(params, mistake):
    want = _flat(*spec_gradients(*params))
    got = _flat(*seed_style_gradients(*params, mistake=mistake))
    return float(np.linalg.norm(got - want) / np.linalg.norm(want))


def _trained_tutorial_params(seed=0):
    """The tutorial's network for one seed after its 10,000 epochs (the vectorised trainer, one seed)."""
    W1, b1, W2, b2 = xor.train_tutorial([seed])
    return W1[0], b1[0], W2[0], b2[0]


@functools.lru_cache(maxsize=None)
def gradient_errors():
    cases = {
        "the tutorial's initial weights, seed 0": tutorial_weights(0),
        "the same network after training": _trained_tutorial_params(0),
    }
    out = {}
    for label, params in cases.items():
        out[label] = {m: relative_error(params, m) for m in (None, "no-derivative", "derivative-on-z")}
    correct = max(v[None] for v in out.values())
    if correct > 1e-12:
        raise common.BuildFailure(f"the correct seed-style gradients differ from the spec by {correct:.2e}")
    return out


def gradient_table():
    rows = []
    names = {None: "correct: `sigmoid_derivative(a)`", "no-derivative": r"\(\delta^{(2)} := \partial L/\partial a^{(2)}\) (the slope left out)",
             "derivative-on-z": "`sigmoid_derivative(z)`: x(1 - x) handed z"}
    errors = gradient_errors()
    for mistake, text in names.items():
        rows.append((text, *(common.fmt(errors[label][mistake], 3) for label in errors)))
    return common.table(["backward pass", *[f"relative error, {label}" for label in errors]], rows) + mark(
        ("measured at build time against spec.oracle.Oracle", "measured")
    )


def derivative_on_z():
    """g(z) next to sigma'(z) at the pre-activations the tutorial's seed-0 network sees on XOR."""
    s = activations.get("sigmoid")
    g = sp.lambdify(a, s.output_form, "numpy")
    W1, b1, W2, b2 = tutorial_weights(0)
    X = xor_task().X_train.T
    z1 = (W1 @ X + b1)[0]
    rows = []
    for zi in z1:
        rows.append((f"{zi:.4f}", f"{float(s.derived(1).numpy(np.array(zi))):.4f}", f"{float(g(expit(zi))):.4f}", f"{float(g(zi)):.4f}"))
    return display(rf"g(a) = {tex(s.output_form)}, \qquad \sigma'(z) = g\left(\sigma(z)\right) \ne g(z)") + common.table(
        [r"\(z^{(1)}_1\) on the 4 XOR inputs", r"\(\sigma'(z)\)", r"\(g(\sigma(z))\)", r"\(g(z)\)"], rows
    ) + mark(("measured at build time", "measured"))


# --- 2. the printed loss is not the loss the updates follow ---------------------------


def loss_ratio_symbolic():
    N = 4
    e = sp.symbols(f"e1:{N + 1}", real=True)
    lab = {s: f"e_{{{i + 1}}}" for i, s in enumerate(e)}
    printed = sum(x**2 for x in e) / N
    followed = sum(mse.expr.subs({a: x, y: 0}) for x in e)
    ratio = sp.cancel(printed / followed)
    grad_ratio = sp.cancel(sp.diff(printed, e[0]) / sp.diff(followed, e[0]))
    ok = ratio == sp.Rational(2, N) and grad_ratio == sp.Rational(2, N)
    proof = Proof("mean((y-a)^2) / sum(1/2 (a-y)^2) = 2/N", ok, "cancel")
    return display(
        rf"\text{{printed}} &= {tex(printed, lab)}, \qquad \text{{followed}} = {tex(followed, lab)} \qquad (e_n = a_n - y_n,\ N = {N})",
        rf"\frac{{\text{{printed}}}}{{\text{{followed}}}} &= {tex(ratio)}, \qquad "
        rf"\frac{{\partial\, \text{{printed}} / \partial e_1}}{{\partial\, \text{{followed}} / \partial e_1}} = {tex(grad_ratio)}",
    ) + proof_mark(proof, what="the loss ratio")


def loss_ratio_measured():
    net, data, _ = training_page.trained()
    X, Y = data.X_train, data.Y_train
    out = net.forward(X)
    printed = float(np.mean((Y - out) ** 2))
    followed = net.loss_value(X, Y)
    ratio = printed / followed
    N = len(X)
    if abs(ratio - 2 / N) > 1e-12:
        raise common.BuildFailure(f"printed/followed loss ratio {ratio} is not 2/N")
    rows = [
        ("`np.mean((y - output) ** 2)`, as the tutorial prints", common.fmt(printed, 6)),
        (f"{loss_page.sum_of_losses()}, what the updates descend (`net.loss_value`)", common.fmt(followed, 6)),
        ("ratio", f"{ratio:.12f} (2/N = {2 / N:g})"),
    ]
    return common.table(["loss of the trained 2-2-1 network (CLI defaults, seed 0)", "value"], rows) + mark(
        ("measured at build time", "measured")
    )


BLOCKS = {
    "dz-not-da": dz_not_da,
    "gradient-errors": gradient_table,
    "derivative-on-z": derivative_on_z,
    "loss-ratio": loss_ratio_symbolic,
    "loss-ratio-measured": loss_ratio_measured,
}
