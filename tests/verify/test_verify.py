"""`backprop-spec verify`: its report in detail, options, functional code and the Python API.

What it answers on each gallery file is checked in tests/verify/test_gallery.py, from truth.json.
"""

import json
from pathlib import Path

import pytest

from impl import Network
from spec.verify import judge as verify
from tests.verify import gallery_harness as h

GALLERY = Path(__file__).resolve().parent / "gallery"


def run(target, *options):
    """verify as the CLI runs it (gallery_harness.run_verify: a run the gallery test made is not made again)."""
    return h.run_verify(target, *options)


def test_the_projects_trainer_passes_with_no_adapter(tmp_path):
    # impl.Network as it is: sizes list, weights/biases lists, X (samples, features), step(X, Y, lr)
    user = tmp_path / "mine.py"
    user.write_text("from impl import Network\n")
    code, out, err = run(f"{user}:Network")
    assert code == 0, out + err
    assert "weights: weights[0], weights[1], stored (out, in)" in out
    assert "forward: forward(X) with X as (samples, features)" in out
    assert "driven at sizes 3-5-2, 4-3-5, 6-11-3, 3-5-4-2" in out


def test_a_report_names_the_worst_entry_with_expected_and_actual():
    code, out, _ = run(str(GALLERY / "bug_factor_layer1.py:Net"))
    assert code == 1
    line = next(l for l in out.splitlines() if "BAD W1" in l)
    expected = float(line.split("expected ")[1].split(",")[0])
    actual = float(line.split("got ")[1])
    assert actual == pytest.approx(2 * expected, rel=1e-9)
    assert "ok  W2" in out and "ok  b2" in out


def test_json_report():
    code, out, _ = run(str(GALLERY / "bug_sign_flip.py:Net"), "--json")
    assert code == 1
    report = json.loads(out)
    assert report["ok"] is False and report["scenarios"] == 45  # 3 architectures x 5 draws x 3 learning rates
    assert [p["name"] for p in report["parameters"]] == ["W1", "b1", "W2", "b2"]
    assert all(p["actual"] == pytest.approx(-p["expected"]) for p in report["parameters"])
    assert "wrong sign" in report["diagnosis"][0]
    assert "weights: W1, W2, stored (out, in); 2 layers (1 hidden)" in report["discovery"]


def test_a_file_that_does_not_exist_exits_2():
    # the gallery's files that cannot be loaded are in its truth.json (tests/verify/test_gallery.py)
    code, out, err = run(str(GALLERY / "missing_file.py:Net"))
    assert code == 2
    assert "no such file" in err
    assert "Traceback" not in err


def test_bad_options_exit_2_before_running_user_code(tmp_path):
    marker = tmp_path / "ran"
    script = tmp_path / "user.py"
    script.write_text(f"open({str(marker)!r}, 'w').close()\nclass Net: pass\n")
    code, _, err = run(f"{script}:Net", "--activation", "nope")
    assert code == 2 and "activation" in err
    assert not marker.exists()


# --- the Python API for a plain gradient function -------------------------------------


def _impl_gradients(weights, biases, X, Y, reduction="sum"):
    net = Network([w.shape[1] for w in weights[:1]] + [w.shape[0] for w in weights], reduction=reduction)
    net.weights, net.biases = weights, biases
    return net.gradients(X, Y)


def test_gradient_function_api_passes_a_correct_function():
    report = verify.verify_gradient_function(_impl_gradients, sizes=(3, 4, 2))
    assert report.ok and report.scenarios == 5


def test_gradient_function_api_diagnoses_a_mean():
    report = verify.verify_gradient_function(
        lambda *args: _impl_gradients(*args, reduction="mean"), sizes=(3, 4, 4, 2)
    )
    assert not report.ok
    assert "1/N" in report.diagnosis[0]
    worst = report.parameters[0]
    assert worst.actual == pytest.approx(worst.expected / 4, rel=1e-9)  # first draw: 4 samples


def test_gradient_function_api_reports_wrong_shapes():
    def transposed(weights, biases, X, Y):
        dW, db = _impl_gradients(weights, biases, X, Y)
        return [g.T for g in dW], db

    report = verify.verify_gradient_function(transposed, sizes=(3, 4, 2))
    assert not report.ok and "dW[1] has shape (3, 4), expected (4, 3)" in report.error


FUNCTIONAL = """
import numpy as np

def sigmoid(z):
    return 1 / (1 + np.exp(-z))

def forward(weights, biases, X):
    a = X
    for W, b in zip(weights, biases):
        a = sigmoid(a @ W.T + b)
    return a

def gradients(weights, biases, X, Y):
    acts = [X]
    for W, b in zip(weights, biases):
        acts.append(sigmoid(acts[-1] @ W.T + b))
    delta = (acts[-1] - Y) * acts[-1] * (1 - acts[-1])
    dW, db = [None] * len(weights), [None] * len(weights)
    for l in range(len(weights) - 1, -1, -1):
        dW[l] = delta.T @ acts[l]
        db[l] = delta.sum(axis=0)
        if l:
            delta = (delta @ weights[l]) * acts[l] * (1 - acts[l])
    return dW, db
"""


def test_functional_code_with_the_documented_signatures(tmp_path):
    good = tmp_path / "functions.py"
    good.write_text(FUNCTIONAL)
    code, out, err = run(str(good))
    assert code == 0, out + err
    assert out.startswith("PASS: exact gradients of 1/2 * sum of squared errors, summed over samples; sigmoid hidden")
    assert "driven at sizes 3-5-2, 4-3-5, 3-5-4-2" in out
    # the same with the output bias averaged over the samples
    bad = tmp_path / "functions_bug.py"
    bad.write_text(FUNCTIONAL.replace("db[l] = delta.sum(axis=0)", "db[l] = delta.sum(axis=0) if l else delta.mean(axis=0)"))
    code, out, err = run(str(bad))
    assert code == 1, out + err
    assert "the bias gradient of hidden layer 1 is averaged over the samples" in out



# --- real code's shapes met in the outside measurements (each written here in the project's words) ---------

SINGLE_OUTPUT = '''
import numpy as np


class OneOut:
    """Built with an output count, but its fit reshapes the targets into one column."""

    def __init__(self, n_in, n_hidden, n_out, lr):
        rng = np.random.default_rng(0)
        self.W1, self.W2 = rng.normal(size=(n_in, n_hidden)), rng.normal(size=(n_hidden, n_out))
        self.lr = lr

    def forward(self, X):
        self.h = 1 / (1 + np.exp(-X @ self.W1))
        self.out = 1 / (1 + np.exp(-self.h @ self.W2))
        return self.out

    def fit(self, X, y):
        y = y.reshape(y.shape[0], 1)
        out = self.forward(X)
        d2 = (out - y) * out * (1 - out)
        d1 = (d2 @ self.W2.T) * self.h * (1 - self.h)
        self.W2 -= self.lr * self.h.T @ d2
        self.W1 -= self.lr * X.T @ d1
'''


def test_single_output_code_that_reshapes_its_targets_is_driven_with_one_output(tmp_path):
    user = tmp_path / "one_out.py"
    user.write_text(SINGLE_OUTPUT)
    code, out, err = run(str(user))
    assert code == 0, out + err
    assert "driven at sizes 3-5-1, 4-3-1" in out
    assert "not driven at sizes 3-5-2: OneOut.fit(X, y) raised ValueError: cannot reshape" in out
    # a step that raises with several outputs for another reason is not read as single-output code
    other = tmp_path / "three_dims.py"
    other.write_text(SINGLE_OUTPUT.replace("y = y.reshape(y.shape[0], 1)", "y = y + np.ones((y.shape[0], 1, 1))"))
    code, out, err = run(str(other))
    assert code == 1 and "misbehaved" in out, out + err


def test_a_name_never_imported_in_a_method_is_the_cause_not_a_shape(tmp_path):
    # scipy used in a lambda without its import: one layout of X raises a shape error first, the other the NameError
    user = tmp_path / "no_import.py"
    user.write_text(SINGLE_OUTPUT.replace("self.h = 1 / (1 + np.exp(-X @ self.W1))",
                                          "self.h = scipy.special.expit(X @ self.W1)"))
    code, out, err = run(str(user))
    line = SINGLE_OUTPUT.splitlines().index("        self.h = 1 / (1 + np.exp(-X @ self.W1))") + 1
    assert code == 2, out + err
    assert f"cannot run no_import.py:{line}: NameError: 'scipy' is used but never defined or imported" in err, err


def test_mixed_tabs_are_a_taberror_and_python_2_is_said_with_its_line(tmp_path):
    user = tmp_path / "old.py"
    user.write_text("import numpy as np\n\ndef f(x):\n\tif x:\n        return 1\n\treturn 0\n\nprint f(1)\n")
    code, out, err = run(str(user))
    assert code == 2, out + err
    assert "cannot run old.py:5: TabError: inconsistent use of tabs and spaces" in err, err
    assert "this is Python 2 code (a print statement (print x), at line 8)" in err, err


def test_an_argument_left_to_its_default_does_not_shift_the_next_one(tmp_path):
    # MLP(sizes, activation="relu", lr=...): lr must go by name, not into activation's place
    user = tmp_path / "act.py"
    user.write_text(SINGLE_OUTPUT.replace("def __init__(self, n_in, n_hidden, n_out, lr):",
                                          "def __init__(self, n_in, n_hidden, n_out, activation='sigmoid', lr=0.1):\n"
                                          "        assert activation == 'sigmoid', activation")
                    .replace("        y = y.reshape(y.shape[0], 1)\n", ""))
    code, out, err = run(str(user))
    assert code == 0, out + err
    assert "built as OneOut(3, 5, 2, lr=lr)" in out


def test_one_sample_per_call_is_driven_sample_by_sample(tmp_path):
    # forward(x) and train(x, y) with 1-D x: np.outer(delta, x), biases of shape (n,) that a batch cannot broadcast to
    online = GALLERY / "course" / "per_sample_outer.py"
    code, out, err = run(str(online))
    assert code == 0, out + err
    assert "forward: forward(x) one sample per call" in out and "one step per sample in turn" in out
    wrong = tmp_path / "online_no_slope.py"
    text = online.read_text()
    assert "        d_h = (self.W2.T @ d_out) * (1 - self.h ** 2)\n" in text
    wrong.write_text(text.replace("        d_h = (self.W2.T @ d_out) * (1 - self.h ** 2)\n", "        d_h = self.W2.T @ d_out\n"))
    code, out, err = run(str(wrong))
    line = text.splitlines().index("        d_h = (self.W2.T @ d_out) * (1 - self.h ** 2)") + 1
    assert code == 1, out + err
    assert "the activation derivative (tanh') is missing in the error term of hidden layer 1" in out
    assert f"line {line} (d_h = self.W2.T @ d_out)" in out
