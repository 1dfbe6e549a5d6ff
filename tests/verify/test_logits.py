"""`verify` on code whose forward pass returns logits and whose loss applies softmax or a sigmoid.

The gallery is tests/verify/gallery/logits. What each file computes is stated here (`GALLERY`)
and checked first against finite differences of the class's *own* loss on its own logits
(cross-entropy of softmax(logits), binary cross-entropy of sigmoid(logits)), independently of
`spec/` and of `verify`; then `verify FILE.py --json`, nothing pinned, must read the logits, pass
a correct file and diagnose a buggy one. Code with an identity output and squared error keeps its
own verdicts (`test_an_identity_output_with_squared_error_and_a_mistake_still_fails`).
"""

import importlib.util
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from spec.verify import judge as verify
from tests.verify import gallery_harness

LOGITS = Path(__file__).resolve().parent / "gallery" / "logits"


# Per file: class, parameters, logits (samples, outputs) from X (samples, features), one step,
# the loss of the logits (gallery_harness.LOSSES) and whether it is averaged over the batch, the verdict.
GALLERY = {
    "correct_ce_logits_labels.py": dict(
        cls="LogitNet", params=lambda n: [n.W1, n.b1, n.W2, n.b2], logits=lambda n, X: n.forward(X),
        step=lambda n, X, Y, lr: n.step(X, Y.argmax(axis=1), lr), loss="ce_logits", mean=True,
        targets="labels", correct=True,
    ),
    "correct_bce_logits.py": dict(
        cls="BinaryLogitClassifier", params=lambda n: [n.W1, n.b1, n.W2, n.b2], logits=lambda n, X: n.forward(X.T).T,
        step=lambda n, X, Y, lr: n.backward(X.T, Y.T, lr), loss="bce_logits", mean=False,
        targets="values", correct=True,
    ),
    "bug_ce_logits_jacobian_on_top.py": dict(
        cls="SoftmaxRegressionMLP", params=lambda n: [n.W1, n.b1, n.W2, n.b2], logits=lambda n, X: n.forward(X),
        step=lambda n, X, Y, lr: n.train(X, Y, lr), loss="ce_logits", mean=True, targets="one-hot",
        correct=False,
        diagnosis="in the output layer, softmax's derivative is applied twice",
    ),
}

SIZES = (4, 6, 3)
LR = 0.3
N = 5


def _load(name):
    spec = importlib.util.spec_from_file_location(f"logits_gallery_{name[:-3]}", LOGITS / name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", sorted(GALLERY))
def test_the_gallery_computes_what_it_is_said_to(name):
    entry, module = GALLERY[name], _load(name)
    rng = np.random.default_rng(5)
    X = rng.normal(size=(N, SIZES[0]))
    if entry["targets"] == "values":
        Y = rng.uniform(size=(N, SIZES[-1]))
        Y[:2] = Y[:2] > 0.5  # 0/1 targets and soft ones
    else:
        Y = np.eye(SIZES[-1])[rng.integers(0, SIZES[-1], N)]
    net = getattr(module, entry["cls"])(*SIZES)
    for p in entry["params"](net):
        p[...] = rng.normal(size=p.shape)
    before = [p.copy() for p in entry["params"](net)]
    loss = gallery_harness.LOSSES[f"{entry['loss']}_{'mean' if entry['mean'] else 'sum'}"]

    def loss_of(arrays):
        # the class's own loss of its own logits, at the parameters the differences move
        for p, v in zip(entry["params"](net), arrays):
            p[...] = v
        return loss(entry["logits"](net, X), Y)

    expected = [-LR * g for g in gallery_harness.fd_gradient(loss_of, before)]
    for p, v in zip(entry["params"](net), before):
        p[...] = v
    # the forward pass returns logits: not probabilities
    S = entry["logits"](net, X)
    assert S.shape == (N, SIZES[-1]) and (np.any(S < 0) or np.any(S > 1))
    entry["step"](net, X.copy(), Y.copy(), LR)
    for k, (e, p, v) in enumerate(zip(expected, entry["params"](net), before)):
        rel = np.max(np.abs(p - v - e)) / np.max(np.abs(e))
        if entry["correct"]:
            assert rel < 1e-6, (name, k, rel)
        else:
            assert rel > 1e-3, (name, k, rel)


def _verify(target, *options):
    proc = subprocess.run([sys.executable, "-m", "spec.cli", "verify", str(target), "--json", *options],
                          capture_output=True, text=True, timeout=600)
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture(scope="module")
def reports():
    with ThreadPoolExecutor(2) as pool:
        return dict(zip(GALLERY, pool.map(lambda n: _verify(LOGITS / n), GALLERY)))


def test_cross_entropy_on_logits_passes(reports):
    code, out, err = reports["correct_ce_logits_labels.py"]
    assert code == 0, out + err
    report = json.loads(out)
    assert report["loss"] == "ce" and report["reduction"] == "mean"
    assert report["convention"].startswith(
        "exact gradient descent of the mean over samples of cross-entropy; tanh hidden, identity output (the forward "
        "pass returns logits and the loss applies softmax to them: cross-entropy on logits, delta = a_k - y_k with "
        "a = softmax(z))")
    assert "integer class labels as targets" in report["convention"]
    assert "note: for squared error" not in report["convention"]
    assert any(line.startswith("outputs: logits") for line in report["discovery"])


def test_binary_cross_entropy_on_logits_passes(reports):
    code, out, err = reports["correct_bce_logits.py"]
    assert code == 0, out + err
    report = json.loads(out)
    assert report["loss"] == "bce" and report["reduction"] == "sum"
    assert ("relu hidden, identity output (the forward pass returns logits and the loss applies sigmoid to them: "
            "binary cross-entropy on logits, delta = a - y with a = sigmoid(z))") in report["convention"]


def test_a_mistake_on_logits_is_diagnosed(reports):
    code, out, err = reports["bug_ce_logits_jacobian_on_top.py"]
    assert code == 1, out + err
    report = json.loads(out)
    assert report["ok"] is False and report["forward_ok"] is True
    assert report["activation"] == "sigmoid hidden, identity output (logits; softmax inside the loss)"
    (text,) = report["diagnosis"]
    assert text.startswith("read as logits with softmax applied inside the loss (cross-entropy on logits, "
                           "delta = a_k - y_k with a = softmax(z)): ")
    assert GALLERY["bug_ce_logits_jacobian_on_top.py"]["diagnosis"] in text
    assert text.endswith("(with the mean over samples of cross-entropy)")
    assert "read as squared error" not in text
    assert report["parameters"] and not all(p["ok"] for p in report["parameters"])
    # the scenarios were driven again with probability vectors as targets
    assert any("driven again with probability vectors" in line for line in report["discovery"])


def test_pinning_cross_entropy_on_logits_passes():
    code, out, err = _verify(LOGITS / "correct_ce_logits_labels.py", "--loss", "ce")
    assert code == 0, out + err
    assert "the loss applies softmax" in json.loads(out)["convention"]
    code, out, _ = _verify(LOGITS / "correct_bce_logits.py", "--loss", "ce")
    assert code == 1
    assert json.loads(out)["diagnosis"][0].startswith("the pinned --loss ce does not fit the code's identity output")


REGRESSOR = """
import numpy as np


class Regressor:
    \"\"\"tanh hidden, identity output, half the sum of squared errors{doc}.\"\"\"

    def __init__(self, n_in, n_hidden, n_out):
        rng = np.random.default_rng(0)
        self.W1, self.b1 = rng.normal(size=(n_hidden, n_in)), np.zeros((n_hidden, 1))
        self.W2, self.b2 = rng.normal(size=(n_out, n_hidden)), np.zeros((n_out, 1))

    def forward(self, X):
        self.h = np.tanh(self.W1 @ X + self.b1)
        self.out = self.W2 @ self.h + self.b2
        return self.out

    def backward(self, X, y, lr):
        d2 = self.out - y
        d1 = (self.W2.T @ d2) * (1 - self.h ** 2)
        self.W2 -= lr * d2 @ self.h.T
        self.b2 -= lr * {b2}
        self.W1 -= lr * d1 @ X.T
        self.b1 -= lr * d1.sum(axis=1, keepdims=True)
"""


def test_an_identity_output_with_squared_error_keeps_its_verdicts(tmp_path):
    right = tmp_path / "right.py"
    right.write_text(REGRESSOR.format(doc="", b2="d2.sum(axis=1, keepdims=True)"))
    report = verify.verify_file(str(right))
    assert report.ok and report.loss == "mse" and "logits" not in report.convention
    wrong = tmp_path / "wrong.py"
    wrong.write_text(REGRESSOR.format(doc=", the output bias averaged", b2="d2.mean(axis=1, keepdims=True)"))
    report = verify.verify_file(str(wrong))
    assert not report.ok and report.forward_ok
    assert report.activation == "tanh hidden, identity output"
    assert len(report.diagnosis) == 1 and "logits" not in report.diagnosis[0]
    assert "the bias gradient of the output layer is averaged over the samples" in report.diagnosis[0]


def test_an_identity_output_no_loss_explains_still_fails(tmp_path):
    odd = tmp_path / "odd.py"
    # a stray factor 3 in the output error: neither squared error nor cross-entropy on logits
    odd.write_text(REGRESSOR.format(doc="", b2="d2.sum(axis=1, keepdims=True)").replace("d2 = self.out - y",
                                                                                        "d2 = 3 * np.tanh(self.out - y)"))
    report = verify.verify_file(str(odd))
    assert not report.ok and report.forward_ok
    assert not any("logits" in d for d in report.diagnosis)
