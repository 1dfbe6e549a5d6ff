"""Ground truth for the second gallery of styles in tests/verify/gallery/styles2/.

truth.json says, per file, what the class computes: its activations, loss and update, and
for a buggy one the parameters its mistake touches. This test checks those claims
independently of `verify` and of the project's own code:

- the forward pass is rewritten here from the stated activations, layout and weight
  orientation, and must agree with the class's own (for the two files whose forward pass
  is not the spec's network, it must not, and the rewritten one with their twist must);
- one training step is taken through the class's own methods (the table DRIVE below says
  which), and the change of every parameter is compared with -lr times the central-difference
  gradient (float64) of the stated loss through the class's own forward pass (per-sample
  files: the same sequence, sample by sample);
- correct files must match everywhere (1e-6; the float32 file 2e-3) and under no other
  convention; buggy files must mismatch in the parameters their mistake touches and match in
  the others; a shape-dependent mistake must raise where truth.json says.

Parameters are reached through their paths in truth.json (`layers[0].W`, `W[1]`,
`layers[0]['W']`), read with getattr and indexing: nothing is evaluated as code.
"""

import ast
import copy
import json
import time
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from tests.verify import gallery_harness as h
from tests.verify.gallery_harness import ACTIVATIONS, MATCH, MISMATCH, get_param, parse_path, seeded, set_param

GALLERY = Path(__file__).resolve().parent / "gallery" / "styles2"
TRUTH = json.loads((GALLERY / "truth.json").read_text())
FILES = list(TRUTH)

LR = 0.3  # the learning rate given to every class (as an argument or an attribute)
N = 7  # samples per batch: differs from every layer width used, so (N, K) and (K, N) cannot be confused
MATCH_FLOAT32 = 2e-3  # the agreement (gallery_harness.MATCH) for a class that keeps its parameters in float32

LAYOUTS = {"samples_features", "features_samples"}
ORIENTATIONS = {"in_out", "out_in"}
UPDATES = {"full_batch", "per_sample"}
BUG_KINDS = {
    "bias_not_summed", "stale_weights", "mean_sum_mixed", "sign", "sign_all", "derivative_wrong_argument",
    "derivative_missing_output", "derivative_missing_hidden", "missing_transpose", "factor_one_layer",
    "lr_twice", "wrong_activation_derivative", "preactivation_as_input", "derivative_of_wrong_layer",
    "parameter_not_updated",
}


# --- the mathematics: gallery_harness's (ACTIVATIONS, LOSSES) ---------------------------

LOSSES = {k: h.LOSSES[k] for k in h.ELEMENTWISE_LOSSES}


def hidden_activations(entry):
    hidden = entry["hidden_activation"]
    depth = len(entry["sizes"]) - 1
    return list(hidden) if isinstance(hidden, list) else [hidden] * (depth - 1)


def reference_forward(entry, arrays, X, hidden=None, inputs=lambda X: X):
    """The stated network on X (samples, features): output (samples, outputs).

    `hidden` replaces the stated hidden activations, `inputs` transforms X first: the twists of
    the two files whose forward pass is not the spec's.
    """
    names = [*(hidden or hidden_activations(entry)), entry["output_activation"]]
    A = inputs(X)
    for name, W, b in zip(names, arrays[::2], arrays[1::2]):
        W = np.asarray(W, dtype=float)
        if W.ndim == 1:  # a single output's weights stored as a vector
            W = W[:, None]
        if entry["weights"] == "out_in":
            W = W.T
        f = ACTIVATIONS[name] if isinstance(name, str) else name
        A = f(A @ W + np.asarray(b, dtype=float).reshape(-1))
    return A


def _standardise(X):
    return (X - X.mean(axis=0)) / (X.std(axis=0) + 1e-8)


def _leaky_0_1(z):
    return np.where(z > 0, z, 0.1 * z)


#: The forward passes that are not the spec's network: how they differ (see their notes).
NOT_THE_SPEC = {
    "c20_normalise_in_forward.py": dict(inputs=_standardise),
    "c27_leaky_slope_0_1.py": dict(hidden=[_leaky_0_1]),
}


# --- driving a class: how to build it, run its forward pass and take one training step ---
# build(C, sizes, lr, X, Y), forward(net, X), step(net, X, Y, lr); X and Y in the file's layout.


def _sized(C, sizes, lr, X, Y):
    return C(*sizes)


def _forward(name):
    return lambda net, X: getattr(net, name)(X)


def _step_lr(name):
    return lambda net, X, Y, lr: getattr(net, name)(X, Y, lr)


def _step(name):
    return lambda net, X, Y, lr: getattr(net, name)(X, Y)


def _c07_build(C, sizes, lr, X, Y):
    net = C(hidden=sizes[1], lr=lr)
    net.fit(X, Y, epochs=0)  # makes the weights, takes no step
    return net


def _c08_build(C, sizes, lr, X, Y):
    net = C(*sizes)
    net.eta = lr
    return net


def _c08_step(net, X, Y, lr):
    net.forward_propagation(X)
    net.back_propagation(X, Y)


FORWARD, BACKWARD = _forward("forward"), _step_lr("backward")
DRIVE = {
    "c01_layer_objects.py": (_sized, FORWARD, _step_lr("train")),
    "b02_layer_objects_bias_not_summed.py": (_sized, FORWARD, BACKWARD),
    "c03_keras_dense_activation.py": (_sized, _forward("predict"), _step_lr("train_step")),
    "b04_keras_stale_weights.py": (_sized, FORWARD, _step_lr("train_step")),
    "c05_mlp_layer_dicts.py": (lambda C, sizes, lr, X, Y: C(list(sizes), lr=lr), FORWARD, _step("backward")),
    "b06_layer_dicts_mean_one_layer.py": (lambda C, sizes, lr, X, Y: C(*sizes, lr=lr), FORWARD, _step("backward")),
    "c07_lazy_fit.py": (_c07_build, _forward("predict"), lambda net, X, Y, lr: net.fit(X, Y, epochs=1)),
    "c08_forward_propagation_eta.py": (_c08_build, _forward("forward_propagation"), _c08_step),
    "b09_feed_forward_back_prop_sign.py": (
        lambda C, sizes, lr, X, Y: C(*sizes, alpha=lr), _forward("feed_forward"), _step("back_prop")),
    "c10_lists_batch_per_sample.py": (
        _sized, lambda net, X: net.predict(X.tolist()), lambda net, X, Y, lr: net.train(X.tolist(), Y.tolist(), lr)),
    "c11_1d_labels_leaky_bce.py": (
        lambda C, sizes, lr, X, Y: C(sizes[0], sizes[1], learning_rate=lr), FORWARD,
        lambda net, X, Y, lr: net.train_step(X, Y[:, 0])),
    "c12_softplus_elu_two_hidden.py": (_sized, FORWARD, BACKWARD),
    "b13_elu_derivative_wrong_place.py": (_sized, FORWARD, BACKWARD),
    "c14_tanh_output_mse_dot.py": (_sized, _forward("feedforward"), _step_lr("backpropagate")),
    "b15_tanh_output_missing_derivative.py": (_sized, FORWARD, BACKWARD),
    "c16_sizes_list_three_hidden.py": (
        lambda C, sizes, lr, X, Y: C(list(sizes), lr=lr), _forward("predict"), _step("train_on_batch")),
    "b17_sizes_list_missing_transpose.py": (
        lambda C, sizes, lr, X, Y: C(list(sizes), learning_rate=lr), FORWARD, _step("backward")),
    "c18_einsum_cached_sigmoid.py": (_sized, FORWARD, _step_lr("sgd_step")),
    "b19_einsum_factor_two_one_layer.py": (lambda C, sizes, lr, X, Y: C(*sizes, lr=lr), FORWARD, _step("train")),
    "c20_normalise_in_forward.py": (_sized, FORWARD, BACKWARD),
    "c21_float32.py": (_sized, FORWARD, BACKWARD),
    "b22_alpha_lr_twice_hidden.py": (lambda C, sizes, lr, X, Y: C(*sizes, alpha=lr), FORWARD, _step("train")),
    "b23_tanh_hidden_sigmoid_derivative.py": (_sized, FORWARD, BACKWARD),
    "b24_relu_mask_on_output_ge0.py": (_sized, FORWARD, BACKWARD),
    "b25_preactivation_as_input.py": (_sized, FORWARD, BACKWARD),
    "b26_two_hidden_wrong_layer_z.py": (_sized, FORWARD, BACKWARD),
    "c27_leaky_slope_0_1.py": (_sized, FORWARD, BACKWARD),
    "c28_compute_apply_gradients.py": (
        _sized, FORWARD, lambda net, X, Y, lr: net.apply_gradients(net.compute_gradients(X, Y), lr)),
    "c29_per_sample_outer_tanh_sse.py": (_sized, _forward("predict"), _step_lr("train")),
    "c30_dict_by_layer_index.py": (
        lambda C, sizes, lr, X, Y: C(*sizes, learning_rate=lr), FORWARD, _step("backward_pass")),
    "c31_fit_with_epochs.py": (_sized, _forward("predict"), lambda net, X, Y, lr: net.fit(X, Y, epochs=1, lr=lr)),
    "b32_hidden_bias_not_updated.py": (lambda C, sizes, lr, X, Y: C(*sizes, rate=lr), FORWARD, _step("backward")),
    "b33_gradient_ascent_all.py": (_sized, FORWARD, BACKWARD),
}


# --- parameter paths: `name`, `.name`, `[0]`, `['key']` (gallery_harness.parse_path) -----


def test_parameter_paths_parse():
    assert parse_path("W1") == [("attr", "W1")]
    assert parse_path("layers[0].W") == [("attr", "layers"), ("item", 0), ("attr", "W")]
    assert parse_path("layers[2]['b']") == [("attr", "layers"), ("item", 2), ("item", "b")]
    assert parse_path("hidden.weights") == [("attr", "hidden"), ("attr", "weights")]
    for bad in ("", ".W", "W[x]", "W()", "W[0]+1"):
        with pytest.raises(AssertionError):
            parse_path(bad)


# --- building and stepping -------------------------------------------------------------------


def load(file):
    return h.load(GALLERY / file)


def as_float32_exact(a):
    """Values a float32 class reads exactly, so it and the float64 reference see the same data."""
    return a.astype(np.float32).astype(float)


def make_data(entry, sizes, n, rng):
    """X (samples, features) and Y (samples, outputs) in the range of the output activation."""
    X = rng.normal(size=(n, sizes[0]))
    out = entry["output_activation"]
    if out == "sigmoid":
        Y = rng.uniform(0.05, 0.95, size=(n, sizes[-1]))
    elif out == "tanh":
        Y = rng.uniform(-0.9, 0.9, size=(n, sizes[-1]))
    else:
        Y = rng.normal(size=(n, sizes[-1]))
    return as_float32_exact(X), as_float32_exact(Y)


def in_layout(entry, A):
    return A if entry["layout"] == "samples_features" else A.T.copy()


def as_samples_outputs(entry, out, n, n_out):
    out = np.asarray(out, dtype=float)
    if out.ndim == 1 and n_out == 1:
        out = out[:, None]
    if entry["layout"] == "features_samples":
        out = out.T
    assert out.shape == (n, n_out), f"forward output of shape {out.shape}, expected ({n}, {n_out}) after the layout"
    return out


def build(file, sizes, X, Y, lr, rng):
    """The class, built and given random parameters of its own shapes and dtypes.

    Returns the object and the parameters as float64 arrays (exactly the values it holds).
    """
    entry = TRUTH[file]
    make, _, _ = DRIVE[file]
    net = make(getattr(load(file), entry["class"]), sizes, lr, in_layout(entry, X), in_layout(entry, Y))
    arrays = []
    for path in entry["params"]:
        current = get_param(net, path)
        value = rng.normal(0.0, 0.7, size=np.shape(current))
        if isinstance(current, np.ndarray):
            value = value.astype(current.dtype)
            set_param(net, path, value.copy())
        else:  # a bias kept as a Python float
            value = float(value)
            set_param(net, path, value)
        arrays.append(np.asarray(value, dtype=float))
    return net, arrays


def class_forward(file, net, X):
    entry = TRUTH[file]
    _, forward, _ = DRIVE[file]
    return as_samples_outputs(entry, forward(net, in_layout(entry, X)), len(X), entry["sizes"][-1])


def with_params(file, net, arrays):
    """A copy of net holding the given parameters in float64 (a float kept a float)."""
    ref = copy.deepcopy(net)
    for path, a in zip(TRUTH[file]["params"], arrays):
        set_param(ref, path, a.copy() if a.ndim else float(a))
    return ref


def expected_updates(file, net, arrays, X, Y, lr, loss, update):
    """Parameter changes of one step of gradient descent on `loss` through the class's own forward pass.

    Central differences in float64 (gallery_harness), full-batch or sample by sample.
    """
    ref = with_params(file, net, arrays)

    def loss_on(rows):
        def loss_of(arrs):
            for path, a in zip(TRUTH[file]["params"], arrs):
                set_param(ref, path, a.copy() if a.ndim else float(a))
            return LOSSES[loss](class_forward(file, ref, X[rows]), Y[rows])

        return loss_of

    return h.expected_updates(loss_on, arrays, len(X), lr, update)


def take_step(file, net, X, Y, lr):
    entry = TRUTH[file]
    _, _, step = DRIVE[file]
    step(net, in_layout(entry, X), in_layout(entry, Y), lr)
    return [np.asarray(get_param(net, p), dtype=float) for p in entry["params"]]


def relative_errors(file, before, after, expected):
    """Per parameter: ||actual change - expected change|| / ||expected change|| (gallery_harness.relative_errors)."""
    return h.relative_errors(TRUTH[file]["params"], before, after, expected)


def match_tolerance(file, net):
    dtypes = {np.asarray(get_param(net, p)).dtype for p in TRUTH[file]["params"]}
    return MATCH_FLOAT32 if np.dtype(np.float32) in dtypes else MATCH


def raises_at_entry_sizes(entry):
    bug = entry["bug"]
    return bool(bug) and "raises_when" in bug and bug["raises_when"]["sizes"] == entry["sizes"]


@cache
def one_step(file, n=N):
    """(net before the step, parameters before, X, Y, parameters after, tolerance) at the entry's sizes."""
    entry = TRUTH[file]
    rng = seeded(file, n)
    X, Y = make_data(entry, entry["sizes"], n, rng)
    net, before = build(file, entry["sizes"], X, Y, LR, rng)
    keep = copy.deepcopy(net)
    after = take_step(file, net, X, Y, LR)
    return keep, before, X, Y, after, match_tolerance(file, keep)


# --- the checks ----------------------------------------------------------------------------


def test_every_file_has_an_entry_and_a_drive():
    files = {p.name for p in GALLERY.glob("*.py")} - {"__init__.py"}
    assert files == set(TRUTH) == set(DRIVE)
    correct = [f for f, e in TRUTH.items() if e["correct"]]
    assert len(correct) == 18 and len(TRUTH) - len(correct) == 15
    assert all(f.startswith("c") == TRUTH[f]["correct"] for f in TRUTH)


@pytest.mark.parametrize("file", FILES)
def test_entry_is_well_formed(file):
    from spec import activations

    e = TRUTH[file]
    assert e["layout"] in LAYOUTS and e["weights"] in ORIENTATIONS and e["update"] in UPDATES
    assert e["loss"] in LOSSES
    depth = len(e["sizes"]) - 1
    assert len(e["params"]) == 2 * depth
    hidden = e["hidden_activation"]
    if isinstance(hidden, list):
        assert len(hidden) == depth - 1 and len(set(hidden)) > 1
    names = [e["output_activation"]] + ([] if hidden is None else hidden_activations(e))
    for name in names:
        assert name in activations.names() and name in ACTIVATIONS
    if e["loss"] == "mean_all_entries":
        # with 1 output it is mean_samples_sse, with 2 mean_samples_half_sse: 3 tell them apart
        assert e["sizes"][-1] > 2
    if e["loss"].startswith("bce"):
        assert e["output_activation"] == "sigmoid"
    v = e["verify"]
    assert v["exit"] in (0, 1, 2)
    if e["correct"]:
        assert e["bug"] is None
        # correct code is never failed (exit 1); where verify cannot express its forward pass it is
        # undecided (exit 2), as it is for code it cannot drive
        assert v["exit"] in (0, 2)
        assert (v.get("forward_is_spec") is False) == (file in NOT_THE_SPEC)
        if v["exit"] != 0:  # correct code verify cannot drive or express: said why
            assert v["note"]
    else:
        bug = e["bug"]
        assert v["exit"] == 1 and "forward_is_spec" not in v
        assert bug["kind"] in BUG_KINDS and bug["description"]
        assert bug["mismatched"] == "all" or (bug["mismatched"] and set(bug["mismatched"]) < set(e["params"]))
    assert (hidden is None) == (file == "c27_leaky_slope_0_1.py")


#: Names a file would use to read or write anything (or to run code it builds).
FILE_IO = {
    "open", "save", "savez", "savez_compressed", "savetxt", "load", "loadtxt", "genfromtxt", "fromfile", "tofile",
    "memmap", "DataSource", "__import__", "exec", "eval", "compile", "input",
}


@pytest.mark.parametrize("file", FILES)
def test_file_is_plain_numpy_reads_and_writes_nothing_and_imports_fast(file):
    tree = ast.parse((GALLERY / file).read_text())
    imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not any(isinstance(n, ast.ImportFrom) for n in ast.walk(tree))
    assert imported == {"numpy"}
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | {
        n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    assert not used & FILE_IO, used & FILE_IO
    start = time.perf_counter()
    load(file)
    assert time.perf_counter() - start < 0.5


@pytest.mark.parametrize("file", FILES)
def test_forward_is_the_stated_network(file):
    e = TRUTH[file]
    rng = seeded(file)
    X, Y = make_data(e, e["sizes"], N, rng)
    net, arrays = build(file, e["sizes"], X, Y, LR, rng)
    out = class_forward(file, net, X)
    tol = dict(rtol=1e-10, atol=1e-12) if match_tolerance(file, net) == MATCH else dict(rtol=1e-5, atol=1e-6)
    if file in NOT_THE_SPEC:
        for name in ACTIVATIONS:  # not the stated network, nor one with another hidden activation
            assert not np.allclose(out, reference_forward(e, arrays, X, hidden=[name] * (len(e["sizes"]) - 2)),
                                   rtol=1e-3, atol=1e-3), name
        np.testing.assert_allclose(out, reference_forward(e, arrays, X, **NOT_THE_SPEC[file]), **tol)
    else:
        np.testing.assert_allclose(out, reference_forward(e, arrays, X), **tol)


@pytest.mark.parametrize("file", [f for f in FILES if not raises_at_entry_sizes(TRUTH[f])])
def test_one_step_against_finite_differences(file):
    e = TRUTH[file]
    net, before, X, Y, after, tol = one_step(file)
    expected = expected_updates(file, net, before, X, Y, LR, e["loss"], e["update"])
    assert all(np.linalg.norm(d) > 1e-6 for d in expected), "a parameter the step would not change"
    errors = relative_errors(file, before, after, expected)
    if e["correct"]:
        assert max(errors.values()) < tol, errors
    else:
        wrong = set(e["params"] if e["bug"]["mismatched"] == "all" else e["bug"]["mismatched"])
        assert all(errors[p] > MISMATCH for p in wrong), errors
        assert all(errors[p] < tol for p in e["params"] if p not in wrong), errors


def other_conventions(entry):
    """Every other loss (cross-entropy only for a sigmoid output) and update mode."""
    for loss in LOSSES:
        if loss.startswith("bce") and entry["output_activation"] != "sigmoid":
            continue
        for update in sorted(UPDATES):
            if (loss, update) != (entry["loss"], entry["update"]):
                yield loss, update


@pytest.mark.parametrize("file", [f for f in FILES if not raises_at_entry_sizes(TRUTH[f])])
def test_no_other_convention_explains_the_step(file):
    """A correct file matches only its stated convention; a mistake is not another convention.

    Conventions that give the same step at the entry's sizes are one convention there and are
    skipped (per sample, a mean over samples is the sum).
    """
    e = TRUTH[file]
    net, before, X, Y, after, tol = one_step(file)
    stated = expected_updates(file, net, before, X, Y, LR, e["loss"], e["update"])
    distinct = 0
    for loss, update in other_conventions(e):
        expected = expected_updates(file, net, before, X, Y, LR, loss, update)
        if max(relative_errors(file, before, [b + d for b, d in zip(before, stated)], expected).values()) < MATCH:
            continue
        distinct += 1
        errors = relative_errors(file, before, after, expected)
        assert max(errors.values()) > MISMATCH, f"the step also matches loss={loss}, update={update}"
    assert distinct >= 5


RAISING = [f for f in FILES if TRUTH[f]["bug"] and "raises_when" in TRUTH[f]["bug"]]


@pytest.mark.parametrize("file", RAISING)
def test_shape_dependent_bug_raises_where_truth_says(file):
    e = TRUTH[file]
    claim = e["bug"]["raises_when"]
    rng = seeded(file, "raises")
    X, Y = make_data(e, claim["sizes"], N, rng)
    net, _ = build(file, claim["sizes"], X, Y, LR, rng)
    with pytest.raises(Exception) as info:
        take_step(file, net, X, Y, LR)
    assert type(info.value).__name__ == claim["exception"]


@pytest.mark.parametrize("file", [f for f in FILES if TRUTH[f]["bug"] and TRUTH[f]["bug"].get("right_with_one_sample")])
def test_mistake_that_needs_several_samples_is_right_with_one(file):
    e = TRUTH[file]
    net, before, X, Y, after, tol = one_step(file, 1)
    expected = expected_updates(file, net, before, X, Y, LR, e["loss"], e["update"])
    assert max(relative_errors(file, before, after, expected).values()) < tol
