"""`verify` on softmax classifiers with cross-entropy, and its loss families driven by the registry.

The gallery tests/verify/gallery/softmax (hand-written classifiers, one-hot targets or integer
labels) states its truth in its truth.json, checked with every other gallery's by
tests/verify/test_gallery.py; here what its entries cannot say: losses pinned against the
registry, the closed forms, targets and labels, the Python API.

The losses `verify` searches are `spec.losses.names()`: a loss registered there is searched
too, with no edit to `verify` (`test_a_loss_registered_in_the_spec_is_searched_by_verify`).
"""

import json
import subprocess
import sys
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


def _verify(name, *options):
    """verify FILE --json on a softmax gallery file (gallery_harness.run_verify: made once per session)."""
    return gallery_harness.run_verify(str(SOFTMAX / name), "--json", *options)


def test_the_jacobian_applied_twice_fails_in_every_parameter():
    # its words are in softmax/truth.json (tests/verify/test_gallery.py); here the first scenario's table
    code, out, _ = gallery_harness.run_verify(str(SOFTMAX / "bug_jacobian_twice.py"), "--json")
    assert code == 1
    report = json.loads(out)
    assert report["parameters"] and all(not p["ok"] for p in report["parameters"])


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
