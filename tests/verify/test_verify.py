"""`backprop-spec verify` on a gallery of correct and planted-bug implementations."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from impl import Network
from spec.verify import judge as verify

GALLERY = Path(__file__).resolve().parent / "gallery"


def run(*args):
    proc = subprocess.run(
        [sys.executable, "-m", "spec.cli", "verify", *args], capture_output=True, text=True, timeout=600
    )
    return proc.returncode, proc.stdout, proc.stderr


#: What each seed-style gallery file computes and how verify must read it (its finite-difference
#: truth is checked in test_gallery_seed_ground_truth.py).
TRUTH = json.loads((GALLERY / "truth.json").read_text())


@pytest.mark.parametrize("name", [n for n, e in TRUTH.items() if e["verify"]["exit"] == 0])
def test_correct_variants_pass(name):
    entry = TRUTH[name]
    code, out, err = run(str(GALLERY / f"{name}:{entry['class']}"), *entry["verify"]["options"])
    assert code == 0, out + err
    assert out.startswith(f"PASS: {entry['verify']['words']}")


@pytest.mark.parametrize(
    "target, options, convention",
    [
        ("ProjectNet", [], "1/2 * sum of squared errors, summed over samples; sigmoid hidden, sigmoid output"),
        ("ProjectNetTanhMean", [], "the mean over samples of 1/2 * sum of squared errors; tanh hidden, tanh output"),
        ("ProjectNetTanhMean", ["--activation", "tanh", "--reduction", "mean"], "tanh hidden, tanh output"),
        ("ProjectNetBCE", [], "binary cross-entropy, summed over samples; sigmoid hidden, sigmoid output"),
        ("ProjectNetBCE", ["--loss", "bce"], "binary cross-entropy"),
    ],
)
def test_the_projects_trainer_passes_through_an_adapter(target, options, convention):
    code, out, err = run(str(GALLERY / f"project_adapter.py:{target}"), *options)
    assert code == 0, out + err
    assert convention in out.splitlines()[0]


def test_the_projects_trainer_passes_with_no_adapter(tmp_path):
    # impl.Network as it is: sizes list, weights/biases lists, X (samples, features), step(X, Y, lr)
    user = tmp_path / "mine.py"
    user.write_text("from impl import Network\n")
    code, out, err = run(f"{user}:Network")
    assert code == 0, out + err
    assert "weights: weights[0], weights[1], stored (out, in)" in out
    assert "forward: forward(X) with X as (samples, features)" in out
    assert "driven at sizes 3-5-2, 4-3-5, 6-11-3, 3-5-4-2" in out


@pytest.mark.parametrize("name", [n for n, e in TRUTH.items() if e["verify"]["exit"] == 1])
def test_planted_bugs_fail_with_the_right_diagnosis(name):
    entry = TRUTH[name]
    diagnosis = entry["verify"]["words"]
    code, out, err = run(str(GALLERY / f"{name}:{entry['class']}"), *entry["verify"]["options"])
    assert code == 1, out + err
    assert out.startswith("FAIL")
    assert diagnosis in out
    # only the right diagnosis: no other known mistake claimed alongside
    assert out.count("    - ") <= 1


def test_a_mean_is_a_convention_when_nothing_is_pinned():
    code, out, err = run(str(GALLERY / "bug_mean_not_sum.py:Net"))
    assert code == 0, out + err
    assert "the mean over samples of 1/2 * sum of squared errors" in out.splitlines()[0]


def test_code_without_the_output_derivative_is_cross_entropy_for_a_sigmoid_output():
    # (a - y) with no f'(z) is exactly the gradient of cross-entropy: said, with the caveat
    code, out, err = run(str(GALLERY / "bug_missing_derivative.py:Net"))
    assert code == 0, out + err
    first = out.splitlines()[0]
    assert "binary cross-entropy" in first and "pin --loss mse" in first


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


@pytest.mark.parametrize(
    "target, message",
    [
        ("proto_no_W2.py:Net", "forward returned an array of shape (3, 7), and no attribute holds an output"),
        ("proto_bad_init.py:Net", "Net() has no float arrays whose shapes chain from the inputs to the outputs"),
        ("proto_syntax_error.py:Net", "SyntaxError"),
        ("correct_seed_style.py:Nope", "has no class named 'Nope' (classes defined there: Net)"),
        ("missing_file.py:Net", "no such file"),
        ("project_adapter.py", "several classes that read as whole networks (ProjectNet, ProjectNetTanhMean, ProjectNetBCE)"),
    ],
)
def test_cannot_load_or_not_seed_style_exits_2(target, message):
    code, out, err = run(str(GALLERY / target))
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_bad_options_exit_2_before_running_user_code(tmp_path):
    marker = tmp_path / "ran"
    script = tmp_path / "user.py"
    script.write_text(f"open({str(marker)!r}, 'w').close()\nclass Net: pass\n")
    code, _, err = run(f"{script}:Net", "--activation", "nope")
    assert code == 2 and "activation" in err
    assert not marker.exists()


def test_the_sum_reduction_flags_a_mean_implementation_and_the_mean_reduction_accepts_it():
    code, _, _ = run(str(GALLERY / "bug_mean_not_sum.py:Net"), "--reduction", "mean")
    assert code == 0


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

