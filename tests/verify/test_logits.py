"""`verify` on code whose forward pass returns logits and whose loss applies softmax or a sigmoid.

The gallery tests/verify/gallery/logits states its truth in its truth.json, checked with every
other gallery's by tests/verify/test_gallery.py. Here: code with an identity output and squared
error keeps its own verdicts (`test_an_identity_output_with_squared_error_keeps_its_verdicts`).
"""

import json
from pathlib import Path

from spec.verify import judge as verify
from tests.verify import gallery_harness

LOGITS = Path(__file__).resolve().parent / "gallery" / "logits"


def test_a_mistake_on_logits_is_blamed_on_some_parameters():
    # its words are in logits/truth.json (tests/verify/test_gallery.py); here the first scenario's table
    code, out, _ = gallery_harness.run_verify(str(LOGITS / "bug_ce_logits_jacobian_on_top.py"), "--json")
    assert code == 1
    report = json.loads(out)
    assert report["parameters"] and not all(p["ok"] for p in report["parameters"])


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
