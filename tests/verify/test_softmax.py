"""`verify` on softmax classifiers with cross-entropy, and its loss families driven by the registry.

The gallery is tests/verify/gallery/softmax: hand-written NumPy classifiers in the styles real
code uses, one-hot targets or integer labels, correct or with one planted mistake. What each
file computes is stated here (`GALLERY`) and checked first against finite differences of the
cross-entropy of the class's *own* forward pass, independently of `spec/` and of `verify`;
then `verify FILE.py --json`, nothing pinned, must find the convention of a correct file and
the mistake of a buggy one.

The losses `verify` searches are `spec.losses.names()`: a loss registered there is searched
too, with no edit to `verify` (`test_a_loss_registered_in_the_spec_is_searched_by_verify`).
"""

import importlib.util
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from spec import activations
from spec import losses as spec_losses
from spec.verify import judge as verify
from spec.verify import discover
from spec.verify import recurrence as vm
from tests.verify import gallery_harness

SOFTMAX = Path(__file__).resolve().parent / "gallery" / "softmax"
SEED_STYLE = Path(__file__).resolve().parent / "gallery" / "correct_seed_style.py"


# Per file: the class; how to build it at sizes (n_in, n_hidden, n_out) or a list; its parameters
# (arrays on the object); its forward pass as (samples, classes) probabilities from X (samples,
# features); one training step from X, one-hot Y (samples, classes) or labels, and lr; the
# loss (cross-entropy summed or averaged over the batch, or a step per sample); the verdict.
GALLERY = {
    "correct_onehot_columns.py": dict(
        cls="SoftmaxClassifier", build=lambda C, s: C(*s),
        params=lambda n: [n.W1, n.b1, n.W2, n.b2],
        forward=lambda n, X: n.forward(X.T).T,
        step=lambda n, X, Y, y, lr: (n.forward(X.T), n.backward(X.T, Y.T, lr)),
        update="sum", targets="one-hot", correct=True, mismatched=[],
    ),
    "correct_labels_rows_mean.py": dict(
        cls="TwoLayerNet", build=lambda C, s: C(*s),
        params=lambda n: [n.params[k] for k in ("W1", "b1", "W2", "b2")],
        forward=lambda n, X: n.forward(X)[0],
        step=lambda n, X, Y, y, lr: n.train_step(X, y, lr),
        update="mean", targets="labels", correct=True, mismatched=[],
    ),
    "correct_labels_no_bias_sum.py": dict(
        cls="Classifier", build=lambda C, s: C(*s),
        params=lambda n: [n.w_hidden, n.w_out],
        forward=lambda n, X: n.feedforward(X),
        step=lambda n, X, Y, y, lr: n.train(X, y, lr),
        update="sum", targets="labels", correct=True, mismatched=[],
    ),
    "correct_sizes_list_per_sample.py": dict(
        cls="Network", build=lambda C, s: C(list(s)),
        params=lambda n: [p for pair in zip(n.weights, n.biases) for p in pair],
        forward=lambda n, X: n.feedforward(X),
        step=lambda n, X, Y, y, lr: n.sgd_step(X, Y, lr),
        update="per_sample", targets="one-hot", correct=True, mismatched=[],
    ),
    "bug_jacobian_twice.py": dict(
        cls="MLP", build=lambda C, s: C(list(s)),
        params=lambda n: [p for pair in zip(n.weights, n.biases) for p in pair],
        forward=lambda n, X: n.forward(X),
        step=lambda n, X, Y, y, lr: n.backward(X, Y, lr),
        update="mean", targets="one-hot", correct=False, mismatched=[0, 1, 2, 3],
        diagnosis="in the output layer, softmax's derivative is applied twice",
    ),
    "bug_mean_sum_mismatch.py": dict(
        cls="NeuralNetwork", build=lambda C, s: C(*s),
        params=lambda n: [n.parameters[k] for k in ("W1", "b1", "W2", "b2")],
        forward=lambda n, X: n.forward_propagation(X.T).T,
        step=lambda n, X, Y, y, lr: n.train_step(X.T, Y.T, lr),
        update="mean", targets="one-hot", correct=False, mismatched=[0, 1],
        diagnosis="hidden layer 1 sums its gradient over the samples where the other parameters average it",
    ),
}

SIZES = (4, 6, 3)
LR = 0.3
N = 5


def _load(name):
    spec = importlib.util.spec_from_file_location(f"softmax_gallery_{name[:-3]}", SOFTMAX / name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _expected_update(entry, module, X, Y, rng):
    """-lr * the gradient of the cross-entropy of the class's own forward pass (gallery_harness's central
    differences), a whole batch at once or sample after sample; and the class's own update."""
    net = entry["build"](getattr(module, entry["cls"]), SIZES)
    for p in entry["params"](net):
        p[...] = rng.normal(size=p.shape)
    before = [p.copy() for p in entry["params"](net)]
    probe = entry["build"](getattr(module, entry["cls"]), SIZES)  # a copy whose parameters the differences move
    loss = gallery_harness.LOSSES["ce_mean" if entry["update"] == "mean" else "ce_sum"]

    def loss_on(rows):
        def loss_of(arrays):
            for p, v in zip(entry["params"](probe), arrays):
                p[...] = v
            return loss(entry["forward"](probe, X[rows]), Y[rows])

        return loss_of

    update = "per_sample" if entry["update"] == "per_sample" else "full_batch"
    expected = gallery_harness.expected_updates(loss_on, before, len(X), LR, update)
    labels = Y.argmax(axis=1)
    entry["step"](net, X.copy(), Y.copy(), labels.copy(), LR)
    actual = [p - v for p, v in zip(entry["params"](net), before)]
    return expected, actual


@pytest.mark.parametrize("name", sorted(GALLERY))
def test_the_gallery_computes_what_it_is_said_to(name):
    entry = GALLERY[name]
    module = _load(name)
    rng = np.random.default_rng(12)
    X = rng.normal(size=(N, SIZES[0]))
    Y = np.eye(SIZES[-1])[rng.integers(0, SIZES[-1], N)]
    expected, actual = _expected_update(entry, module, X, Y, rng)
    for k, (e, a) in enumerate(zip(expected, actual)):
        rel = np.max(np.abs(a - e)) / np.max(np.abs(e))
        if k in entry["mismatched"]:
            assert rel > 1e-3, (name, k, rel)
        else:
            assert rel < 1e-6, (name, k, rel)
    # the forward pass is a softmax: every row a probability vector
    P = entry["forward"](entry["build"](getattr(module, entry["cls"]), SIZES), X)
    assert P.shape == (N, SIZES[-1]) and np.allclose(P.sum(axis=1), 1)


def _verify(name, *options):
    proc = subprocess.run(
        [sys.executable, "-m", "spec.cli", "verify", str(SOFTMAX / name), "--json", *options],
        capture_output=True, text=True, timeout=600,
    )
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture(scope="module")
def reports():
    # two at a time: each run is a process of its own driving another process
    with ThreadPoolExecutor(2) as pool:
        return dict(zip(GALLERY, pool.map(_verify, GALLERY)))


@pytest.mark.parametrize("name", [n for n, e in GALLERY.items() if e["correct"]])
def test_correct_softmax_classifiers_pass_as_cross_entropy(reports, name):
    code, out, err = reports[name]
    entry = GALLERY[name]
    assert code == 0, out + err
    report = json.loads(out)
    text = report["convention"]
    assert "softmax output" in text
    assert {
        "sum": "exact gradient descent of cross-entropy, summed over samples",
        "mean": "exact gradient descent of the mean over samples of cross-entropy",
        "per_sample": "exact gradient descent of cross-entropy, one step per sample in turn",
    }[entry["update"]] in text
    assert report["loss"] == "ce"
    labels = "targets: integer class labels, shape (samples,) (targets given as arrays of values raised)"
    if entry["targets"] == "labels":
        assert labels in report["discovery"]
        assert "integer class labels as targets" in text
    else:
        assert labels not in report["discovery"]
        # one-hot and soft targets: said, and in the scenarios' labels
        assert any(line.startswith("outputs: a probability vector per sample") for line in report["discovery"])
        assert "for squared error the same update would mean the softmax Jacobian of the output is missing" in text


@pytest.mark.parametrize("name", [n for n, e in GALLERY.items() if not e["correct"]])
def test_buggy_softmax_classifiers_fail_with_the_right_diagnosis(reports, name):
    code, out, err = reports[name]
    assert code == 1, out + err
    report = json.loads(out)
    assert report["ok"] is False and report["forward_ok"] is True
    assert report["activation"].endswith("softmax output")
    assert len(report["diagnosis"]) == 1, report["diagnosis"]
    assert GALLERY[name]["diagnosis"] in report["diagnosis"][0]


def test_the_jacobian_applied_twice_is_told_in_the_spec_s_terms(reports):
    report = json.loads(reports["bug_jacobian_twice.py"][1])
    (text,) = report["diagnosis"]
    # the closed form and the diagonal come from the spec's entries, the loss named by its convention
    assert "delta = a_k - y_k" in text and "a_k*(1 - a_k)" in text
    assert text.endswith("(with the mean over samples of cross-entropy)")
    # the first scenario's table: every parameter off
    assert all(not p["ok"] for p in report["parameters"])


def test_pinned_losses_that_do_not_fit_the_output_are_said():
    code, out, _ = _verify("correct_onehot_columns.py", "--loss", "bce")
    assert code == 1
    (text,) = json.loads(out)["diagnosis"]
    assert text.startswith("the pinned --loss bce does not fit the code's softmax output: the bce loss needs outputs in (0, 1)")
    # the losses the registry pairs with a softmax output (mse and ce, and any loss added later)
    fitting = [name for name in spec_losses.names() if spec_losses.get(name).accepts(activations.get("softmax"))]
    assert {"mse", "ce"} <= set(fitting) and "bce" not in fitting
    assert text.endswith(f"the losses that do: {', '.join(fitting)}")
    proc = subprocess.run([sys.executable, "-m", "spec.cli", "verify", str(SEED_STYLE), "--loss", "ce"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 1
    assert "the pinned --loss ce does not fit the code's sigmoid output" in proc.stdout


def test_pinning_cross_entropy_on_a_softmax_classifier_passes():
    code, out, err = _verify("correct_labels_rows_mean.py", "--loss", "ce", "--reduction", "mean")
    assert code == 0, out + err
    assert "pinned: loss ce, reduction mean" in json.loads(out)["discovery"]


def test_the_project_s_own_softmax_classifier_passes(tmp_path):
    user = tmp_path / "classifier.py"
    user.write_text(
        "from impl import Network\n\n\n"
        "class Classifier(Network):\n"
        "    def __init__(self, sizes):\n"
        "        super().__init__(sizes, activation='tanh', output_activation='softmax', loss='ce', reduction='mean')\n"
    )
    proc = subprocess.run([sys.executable, "-m", "spec.cli", "verify", f"{user}:Classifier"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("PASS: exact gradient descent of the mean over samples of cross-entropy; tanh hidden, "
                                  "softmax output")


# --- the loss families come from the registry ------------------------------------------


def test_the_families_are_the_registry_s_losses():
    assert [f.name for f in vm.families()] == list(spec_losses.names())
    # what each output accepts comes from the entries' declarations (a loss added later joins in)
    for name in ("softmax", "sigmoid", "tanh"):
        act = activations.get(name)
        expected = {loss for loss in spec_losses.names() if spec_losses.get(loss).accepts(act)}
        assert {f.name for f in verify.accepted_families(act)} == expected, name
    assert {"mse", "ce"} <= {f.name for f in verify.accepted_families(activations.get("softmax"))}
    assert "bce" in {f.name for f in verify.accepted_families(activations.get("sigmoid"))}
    assert "ce" not in {f.name for f in verify.accepted_families(activations.get("tanh"))}


def test_an_unknown_loss_is_an_error_naming_the_choices(tmp_path):
    choices = ", ".join(spec_losses.names())
    with pytest.raises(ValueError, match=f"unknown name 'hinge'; expected one of {choices}"):
        verify.verify_file(str(SEED_STYLE), loss="hinge")
    proc = subprocess.run([sys.executable, "-m", "spec.cli", "verify", str(SEED_STYLE), "--loss", "hinge"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 2
    assert f"--loss: expected one of {choices}, got 'hinge'" in proc.stderr


def test_the_hidden_activation_must_be_elementwise():
    proc = subprocess.run([sys.executable, "-m", "spec.cli", "verify", str(SEED_STYLE), "--activation", "softmax"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 2
    assert "--activation: softmax is a vector activation" in proc.stderr
    assert "pin it as --output-activation softmax" in proc.stderr


QUARTIC = """
import numpy as np


class Regressor:
    \"\"\"tanh hidden, linear output, trained on the sum of (output - y)**4 / 4.\"\"\"

    def __init__(self, n_in, n_hidden, n_out):
        rng = np.random.default_rng(0)
        self.W1, self.b1 = rng.normal(size=(n_hidden, n_in)), np.zeros((n_hidden, 1))
        self.W2, self.b2 = rng.normal(size=(n_out, n_hidden)), np.zeros((n_out, 1))

    def forward(self, X):
        self.h = np.tanh(self.W1 @ X + self.b1)
        self.out = self.W2 @ self.h + self.b2
        return self.out

    def backward(self, X, y, lr):
        d2 = (self.out - y) ** 3
        d1 = (self.W2.T @ d2) * (1 - self.h ** 2)
        self.W2 -= lr * d2 @ self.h.T
        self.b2 -= lr * d2.sum(axis=1, keepdims=True)
        self.W1 -= lr * d1 @ X.T
        self.b1 -= lr * d1.sum(axis=1, keepdims=True)
"""


def test_a_loss_registered_in_the_spec_is_searched_by_verify(tmp_path, monkeypatch):
    user = tmp_path / "quartic.py"
    user.write_text(QUARTIC)
    before = verify.verify_file(str(user))
    assert not before.ok  # no registered loss explains it
    from spec.activations import a
    from spec.losses import y

    scratch = spec_losses.Loss("quartic", (a - y) ** 4 / 4, None, "A quarter of the fourth power of the error.")
    monkeypatch.setattr(spec_losses, "_REGISTRY", spec_losses._REGISTRY.copy())
    spec_losses.register(scratch)
    assert "quartic" in [f.name for f in vm.families()]
    report = verify.verify_file(str(user))
    assert report.ok, str(report)
    assert report.loss == "quartic"
    assert report.convention.startswith(
        "exact gradient descent of the quartic loss (the sum over the outputs of (a - y)**4/4), summed over samples; "
        "tanh hidden, identity output"
    )
    # its conventions are the generic ones, named from the entry: without its 1/4, over the outputs
    assert [f.key for f in verify.factors(vm.family("quartic"))] == ["plain", "bare", "bare_mean_outputs", "mean_outputs"]
    # and pinned by name like any other
    assert verify.verify_file(str(user), loss="quartic").ok


# --- pieces -------------------------------------------------------------------------


def test_the_closed_forms_are_the_spec_s_and_agree_with_the_jacobian():
    rng = np.random.default_rng(3)
    softmax, sigmoid = activations.get("softmax"), activations.get("sigmoid")
    ce, bce, mse = vm.family("ce"), vm.family("bce"), vm.family("mse")
    assert ce.divides_by_output and bce.divides_by_output and not mse.divides_by_output
    for n in (2, 3, 7):
        z = rng.normal(size=(n, 9))
        a = softmax.numpy_f(z)
        Y = rng.dirichlet(np.ones(n), 9).T * rng.uniform(0.5, 2, 9)  # targets summing to c != 1 as well
        closed = ce.closed_delta(softmax, n)
        assert closed is not None
        np.testing.assert_allclose(closed(a, Y), a * Y.sum(axis=0) - Y, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(vm.vjp(softmax, z, ce.dl_da(a, Y)), closed(a, Y), rtol=1e-9, atol=1e-12)
        # squared error after softmax has no closed form used: J^T (a - y), by the spec's Jacobian
        J = softmax.numpy_jacobian(z)
        np.testing.assert_allclose(mse.delta(softmax, z, a, Y), np.einsum("iks,is->ks", J, a - Y), rtol=1e-12)
        np.testing.assert_allclose(vm.jacobian_diagonal(softmax, z), a * (1 - a), rtol=1e-12)
    z = rng.normal(size=(3, 4)) * 20
    a, Y = sigmoid.numpy_f(z), rng.uniform(size=(3, 4))
    np.testing.assert_allclose(bce.delta(sigmoid, z, a, Y), a - Y, rtol=1e-15)
    # a pair the loss does not admit has no closed form
    assert ce.closed_delta(sigmoid, 3) is None and bce.closed_delta(softmax, 3) is None


def test_targets_and_labels():
    rng = np.random.default_rng(0)
    inputs = verify._scenario_inputs((3, 5, 4), [], 0, True, "simplex")
    plain = verify._scenario_inputs((3, 5, 4), [], 0, True, "values")
    assert len(inputs) == len(plain) == 15
    for (label, _, X, Y, lr), (_, _, X0, _, lr0) in zip(inputs, plain):
        np.testing.assert_array_equal(X, X0)  # the same inputs and learning rates whatever the targets
        assert lr == lr0
        np.testing.assert_allclose(Y.sum(axis=0), 1, rtol=1e-12)
        assert np.all(Y >= 0)
    assert any("soft targets" in label for label, *_ in inputs)
    assert any("one-hot and soft targets" in label for label, *_ in inputs)
    labels = verify._scenario_inputs((3, 5, 4), [], 0, True, "labels")
    for label, _, _, Y, _ in labels:
        assert "integer labels" in label
        np.testing.assert_array_equal(np.eye(4)[:, discover.one_hot_to_labels(Y)], Y)
    assert verify._on_simplex(np.array([[0.2, 0.5], [0.8, 0.5]]))
    assert not verify._on_simplex(np.array([[0.2, 0.5], [0.7, 0.5]]))
    assert not verify._on_simplex(np.array([[1.0, 1.0]]))  # one unit: not a probability vector's worth
    with pytest.raises(ValueError):
        discover.one_hot_to_labels(rng.dirichlet(np.ones(3), 4).T)


ARGMAX = """
import numpy as np


def softmax(z):
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


class Net:
    def __init__(self, n_in, n_hidden, n_out):
        rng = np.random.default_rng(0)
        self.W1, self.b1 = rng.normal(size=(n_hidden, n_in)), np.zeros((n_hidden, 1))
        self.W2, self.b2 = rng.normal(size=(n_out, n_hidden)), np.zeros((n_out, 1))

    def forward(self, X):
        self.H = np.tanh(self.W1 @ X + self.b1)
        self.P = softmax(self.W2 @ self.H + self.b2)
        return self.P

    def backward(self, X, Y, lr):
        # one-hot targets back to labels: right for one-hot Y only
        labels = Y.argmax(axis=0)
        d2 = self.P.copy()
        d2[labels, np.arange(X.shape[1])] -= 1
        d1 = (self.W2.T @ d2) * (1 - self.H ** 2)
        self.W2 -= lr * d2 @ self.H.T
        self.b2 -= lr * d2.sum(axis=1, keepdims=True)
        self.W1 -= lr * d1 @ X.T
        self.b1 -= lr * d1.sum(axis=1, keepdims=True)
"""


def test_code_right_for_one_hot_targets_only_is_told_so(tmp_path):
    user = tmp_path / "argmax.py"
    user.write_text(ARGMAX)
    report = verify.verify_file(str(user))
    assert not report.ok and report.forward_ok
    (text,) = report.diagnosis
    assert text.startswith("the updates are exact for one-hot targets (cross-entropy, summed over samples) but not "
                           "for soft targets")
    assert "soft targets" in report.failed_scenario
    # the same code with its targets one-hot everywhere is right: the one-hot scenarios pass
    assert "(delta = a_k - y_k after softmax)" in text


def test_gradient_function_api_with_softmax_and_cross_entropy():
    from impl import Network

    def gradients(weights, biases, X, Y, reduction="mean"):
        net = Network([weights[0].shape[1]] + [w.shape[0] for w in weights], activation="tanh",
                      output_activation="softmax", loss="ce", reduction=reduction)
        net.weights, net.biases = weights, biases
        return net.gradients(X, Y)

    report = verify.verify_gradient_function(gradients, sizes=(3, 5, 4), activation="tanh",
                                             output_activation="softmax", loss="ce", reduction="mean")
    assert report.ok, str(report)
    report = verify.verify_gradient_function(lambda *a: gradients(*a, reduction="sum"), sizes=(3, 5, 4),
                                             activation="tanh", output_activation="softmax", loss="ce",
                                             reduction="mean")
    assert not report.ok and "N times the spec's" in report.diagnosis[0]
