"""Ground truth for the gallery of real-world backprop code in tests/verify/gallery/real/.

Every file there is described by an entry of expected.json: its class, how to build and
drive it, where its parameters live, its layout and conventions, and whether it is correct.
This test checks those claims independently of `verify` and of the project's own code:

- the forward pass is rewritten here from the stated activations, layout, weight
  orientation and bias shapes, and must agree with the class's own forward output;
- one training step is taken through the stated calls, and the change of every parameter
  is compared with -lr times the central-difference gradient (float64) of the stated loss,
  computed from that forward pass (per-sample files: the same sequence, sample by sample);
- correct files must match everywhere; buggy files must mismatch clearly, in exactly the
  parameters the entry lists, and match in the others.
"""

import ast
import json
import re
import time
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from tests.verify import gallery_harness as h
from tests.verify.gallery_harness import ACTIVATIONS, MATCH, MISMATCH, get_param, seeded, set_param

REAL = Path(__file__).resolve().parent / "gallery" / "real"
ENTRIES = json.loads((REAL / "expected.json").read_text())
FILES = sorted(ENTRIES)

LR = 0.3  # the learning rate passed wherever the code takes one
N = 5  # samples per batch: differs from every layer width used, so (N, K) and (K, N) cannot be confused
# (MATCH, MISMATCH: gallery_harness's; stale weights and stale activations are
# second-order effects, about 1e-2 at this learning rate, above MISMATCH)

LAYOUTS = {"samples_features", "features_samples"}
ORIENTATIONS = {"in_out", "out_in"}
BIASES = {"none", "(n,)", "(n,1)", "(1,n)", "folded_first_column"}
LOSS_NAMES = {"half_sse", "sse", "mean_samples_half_sse", "mean_samples_sse", "mean_all_entries", "bce_sum", "bce_mean"}
BUG_KINDS = {
    "derivative_wrong_argument", "derivative_missing_hidden", "derivative_missing_output",
    "derivative_missing_both", "stale_weights", "bias_not_summed", "bias_wrong_axis", "sign",
    "factor_one_layer", "mean_sum_mixed", "missing_transpose", "first_layer_input", "lr_twice",
    "stale_activations", "error_not_delta",
}


# --- the mathematics: gallery_harness's (ACTIVATIONS, LOSSES), in the entry's style ------

LOSSES = {k: h.LOSSES[k] for k in h.ELEMENTWISE_LOSSES}


def canonical_layers(entry, arrays):
    """(W (in, out), b (out,)) per layer, from the arrays as the class stores them."""
    style = entry["style"]
    arrays = [np.asarray(a, dtype=float) for a in arrays]
    layers = []
    for _ in range(style["depth"]):
        W = arrays.pop(0)
        if style["biases"] == "folded_first_column":
            b, W = W[:, 0], W[:, 1:]
        elif style["biases"] == "none":
            b = 0.0
        else:
            b = arrays.pop(0).reshape(-1)
        if W.ndim == 1:  # a single output's weights stored as a vector
            W = W[:, None]
        layers.append((W if style["weight_orientation"] == "in_out" else W.T, b))
    assert not arrays, "more parameters listed than the stated depth and biases use"
    return layers


def reference_forward(entry, arrays, X):
    """The stated network on X (samples, features): output (samples, outputs)."""
    conv = entry["convention"]
    layers = canonical_layers(entry, arrays)
    A = X
    for l, (W, b) in enumerate(layers):
        name = conv["output_activation"] if l == len(layers) - 1 else conv["hidden_activation"]
        A = ACTIVATIONS[name](A @ W + b)
    return A


def reference_loss(entry, arrays, X, Y):
    return LOSSES[entry["convention"]["loss"]](reference_forward(entry, arrays, X), Y)


def expected_updates(entry, arrays, X, Y, lr):
    """Parameter changes of one step of gradient descent on the stated loss (gallery_harness.expected_updates)."""
    def loss_on(rows):
        return lambda arrs: reference_loss(entry, arrs, X[rows], Y[rows])

    return h.expected_updates(loss_on, arrays, len(X), lr, entry["convention"]["update"])


# --- driving a class through its entry -----------------------------------------------------

def load(file):
    return h.load(REAL / file)


def make_data(entry, sizes, rng):
    """X (samples, features) and Y (samples, outputs) in the range of the output activation."""
    X = rng.normal(size=(N, sizes[0]))
    out = entry["convention"]["output_activation"]
    if out == "sigmoid":
        Y = rng.uniform(0.05, 0.95, size=(N, sizes[-1]))
    elif out == "tanh":
        Y = rng.uniform(-0.9, 0.9, size=(N, sizes[-1]))
    else:
        Y = rng.normal(size=(N, sizes[-1]))
    return X, Y


def context(entry, sizes, X, Y, lr):
    rows = entry["style"]["layout"] == "samples_features"
    ctx = {
        "X": X if rows else X.T.copy(),
        "Y": Y if rows else Y.T.copy(),
        "Y_flat": Y[:, 0].copy(),
        "pairs": [(X[i][:, None].copy(), Y[i][:, None].copy()) for i in range(len(X))],
        "lr": lr,
        "sizes": list(sizes),
        "n_in": sizes[0],
        "n_hidden": sizes[1],
        "n_out": sizes[-1],
    }
    return ctx


def resolve(value, ctx):
    if isinstance(value, str) and value.startswith("$"):
        m = re.fullmatch(r"\$sizes\[(\d+)\]", value)
        return ctx["sizes"][int(m[1])] if m else ctx[value[1:]]
    return value


def resolve_args(args, ctx):
    out = []
    for a in args:
        if isinstance(a, str) and a.startswith("*$"):
            out.extend(ctx[a[2:]])
        else:
            out.append(resolve(a, ctx))
    return out


def perform(net, c, ctx):
    kwargs = {k: resolve(v, ctx) for k, v in c.get("kwargs", {}).items()}
    result = getattr(net, c["call"])(*resolve_args(c["args"], ctx), **kwargs)
    if "save" in c:
        ctx[c["save"]] = result
    return result


def build(file, sizes, X, Y, lr, rng):
    """The class, built as its entry says, with random parameters of its own shapes."""
    entry = ENTRIES[file]
    ctx = context(entry, sizes, X, Y, lr)
    init = entry["drive"]["init"]
    net = getattr(load(file), entry["class"])(
        *resolve_args(init["args"], ctx), **{k: resolve(v, ctx) for k, v in init["kwargs"].items()}
    )
    arrays = []
    for path in entry["params"]:
        shape = np.shape(get_param(net, path))
        value = rng.normal(0.0, 0.7, size=shape)
        set_param(net, path, value.copy())
        arrays.append(value)
    if "set_lr" in entry["drive"]:
        set_param(net, entry["drive"]["set_lr"], lr)
    return net, ctx, arrays


def class_forward(entry, net, ctx):
    spec = entry["drive"]["forward"]
    result = perform(net, spec, ctx)
    how = spec["output"]
    if how == "return[0]":
        result = result[0]
    elif how.startswith("attr:"):
        result = getattr(net, how[5:])
    else:
        assert how == "return", how
    return np.asarray(result, dtype=float)


def as_samples_outputs(out, n_samples, n_out):
    if out.shape == (n_samples, n_out):
        return out
    if out.shape == (n_out, n_samples):
        return out.T
    if out.shape == (n_samples,) and n_out == 1:
        return out[:, None]
    raise AssertionError(f"forward output has shape {out.shape}, expected ({n_samples}, {n_out}) or its transpose")


def step_lr(entry):
    return entry["drive"].get("lr_value", LR)


# --- the checks ----------------------------------------------------------------------------


def test_every_file_has_an_entry_and_the_gallery_is_balanced():
    files = {p.name for p in REAL.glob("*.py")} - {"__init__.py"}
    assert files == set(ENTRIES)
    correct = [f for f, e in ENTRIES.items() if e["correct"]]
    buggy = [f for f, e in ENTRIES.items() if not e["correct"]]
    assert len(correct) >= 22 and len(buggy) >= 22
    assert all(f.startswith("correct_") for f in correct) and all(f.startswith("bug_") for f in buggy)


@pytest.mark.parametrize("file", FILES)
def test_entry_is_well_formed(file):
    from spec import activations

    e = ENTRIES[file]
    style, conv = e["style"], e["convention"]
    assert style["layout"] in LAYOUTS and style["weight_orientation"] in ORIENTATIONS
    assert style["biases"] in BIASES
    assert conv["loss"] in LOSS_NAMES
    assert conv["update"] == ("per_sample" if style["per_sample"] else "full_batch")
    for name in (conv["hidden_activation"], conv["output_activation"]):
        assert name in activations.names() and name in ACTIVATIONS
    assert len(e["sizes"]) == style["depth"] + 1
    if conv["loss"] == "mean_all_entries":
        # with 1 output it is mean_samples_sse, with 2 it is mean_samples_half_sse
        assert e["sizes"][-1] > 2
    per_layer = 1 if style["biases"] in ("none", "folded_first_column") else 2
    assert len(e["params"]) == per_layer * style["depth"]
    if e["correct"]:
        assert e["bug"] is None
    else:
        bug = e["bug"]
        assert bug["kind"] in BUG_KINDS and bug["description"]
        assert bug["mismatched"] and set(bug["mismatched"]) <= set(e["params"])


@pytest.mark.parametrize("file", FILES)
def test_file_imports_only_numpy_and_imports_fast(file):
    tree = ast.parse((REAL / file).read_text())
    imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert imported == {"numpy"}
    start = time.perf_counter()
    load(file)
    assert time.perf_counter() - start < 0.5


@pytest.mark.parametrize("file", FILES)
def test_forward_is_the_stated_network(file):
    e = ENTRIES[file]
    sizes = e["sizes"]
    rng = seeded(file)
    X, Y = make_data(e, sizes, rng)
    net, ctx, arrays = build(file, sizes, X, Y, step_lr(e), rng)
    out = as_samples_outputs(class_forward(e, net, ctx), N, sizes[-1])
    np.testing.assert_allclose(out, reference_forward(e, arrays, X), rtol=1e-10, atol=1e-12)


@cache
def one_step(file):
    """(parameters before, X, Y, lr, parameters after) for one step driven as the entry says."""
    e = ENTRIES[file]
    sizes = e["sizes"]
    rng = seeded(file, 1)
    X, Y = make_data(e, sizes, rng)
    lr = step_lr(e)
    net, ctx, arrays = build(file, sizes, X, Y, lr, rng)
    for c in e["drive"]["step"]:
        perform(net, c, ctx)
    after = [np.array(get_param(net, p), dtype=float) for p in e["params"]]
    return arrays, X, Y, lr, after


def relative_errors(entry, before, after, expected):
    """Per parameter: ||actual change - expected change|| / ||expected change|| (inf on a shape change)."""
    return h.relative_errors(entry["params"], before, after, expected)


@pytest.mark.parametrize("file", FILES)
def test_one_step_against_finite_differences(file):
    e = ENTRIES[file]
    before, X, Y, lr, after = one_step(file)
    expected = expected_updates(e, before, X, Y, lr)
    assert all(np.linalg.norm(d) > 1e-6 for d in expected), "a parameter the step would not change"
    errors = relative_errors(e, before, after, expected)
    if e["correct"]:
        assert max(errors.values()) < MATCH, errors
    else:
        wrong = set(e["bug"]["mismatched"])
        assert all(errors[p] > MISMATCH for p in wrong), errors
        assert all(errors[p] < MATCH for p in e["params"] if p not in wrong), errors


def other_conventions(entry):
    """The entry with every other loss (cross-entropy only for a sigmoid output) and update mode."""
    for loss in LOSSES:
        if loss.startswith("bce") and entry["convention"]["output_activation"] != "sigmoid":
            continue
        for update in ("full_batch", "per_sample"):
            if (loss, update) != (entry["convention"]["loss"], entry["convention"]["update"]):
                yield loss, update, {**entry, "convention": {**entry["convention"], "loss": loss, "update": update}}


@pytest.mark.parametrize("file", FILES)
def test_no_other_convention_explains_the_step(file):
    """A correct file matches only its stated convention; a planted bug is not another convention.

    Conventions that give the same step at the entry's sizes are one convention there, and are
    skipped: per sample, a mean over samples is the sum; with 2 outputs, np.mean((a - y)**2) is
    half the squared error averaged over samples.
    """
    e = ENTRIES[file]
    before, X, Y, lr, after = one_step(file)
    stated = expected_updates(e, before, X, Y, lr)
    distinct = 0
    for loss, update, alt in other_conventions(e):
        expected = expected_updates(alt, before, X, Y, lr)
        if max(relative_errors(e, before, [b + d for b, d in zip(before, stated)], expected).values()) < MATCH:
            continue
        distinct += 1
        errors = relative_errors(alt, before, after, expected)
        assert max(errors.values()) > MISMATCH, f"the step also matches loss={loss}, update={update}"
    assert distinct >= 5


RAISING = [f for f in FILES if not ENTRIES[f]["correct"] and "raises_when" in ENTRIES[f]["bug"]]


@pytest.mark.parametrize("file", RAISING)
def test_shape_dependent_bug_raises_where_the_entry_says(file):
    e = ENTRIES[file]
    claim = e["bug"]["raises_when"]
    sizes = claim["sizes"]
    rng = seeded(file, 2)
    X, Y = make_data(e, sizes, rng)
    net, ctx, _ = build(file, sizes, X, Y, step_lr(e), rng)
    with pytest.raises(Exception) as info:
        for c in e["drive"]["step"]:
            perform(net, c, ctx)
    assert type(info.value).__name__ == claim["exception"]
