"""`backprop-spec verify` on a gallery of correct and planted-bug implementations."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from impl import Network
from spec import verify

GALLERY = Path(__file__).resolve().parent / "verify_gallery"


def run(*args):
    proc = subprocess.run(
        [sys.executable, "-m", "spec.cli", "verify", *args], capture_output=True, text=True, timeout=600
    )
    return proc.returncode, proc.stdout, proc.stderr


@pytest.mark.parametrize(
    "target", ["correct_seed_style.py:Net", "correct_per_sample.py:PerSample", "correct_einsum.py:EinsumNet"]
)
def test_correct_variants_pass(target):
    code, out, err = run(str(GALLERY / target))
    assert code == 0, out + err
    assert out.startswith("PASS") and "27 scenarios" in out


@pytest.mark.parametrize(
    "target, options",
    [
        ("ProjectNet", []),
        ("ProjectNetTanhMean", ["--activation", "tanh", "--reduction", "mean"]),
        ("ProjectNetBCE", ["--loss", "bce"]),
    ],
)
def test_the_projects_trainer_passes_through_an_adapter(target, options):
    code, out, err = run(str(GALLERY / f"project_adapter.py:{target}"), *options)
    assert code == 0, out + err


@pytest.mark.parametrize(
    "bug, diagnosis",
    [
        ("bug_mean_not_sum", "every gradient is 1/N of the spec's"),
        ("bug_factor_layer1", "the gradients of layer 1 only (W1, b1) are 2 times the spec's"),
        ("bug_sign_flip", "every update has the wrong sign"),
        ("bug_derivative_on_z", "is applied to z instead of to the layer's output a"),
        ("bug_derivative_of_output", "evaluated at the layer's output a instead of at z"),
        ("bug_missing_derivative", "the activation derivative is missing in the output error"),
        ("bug_bias_mean", "the biases' gradients (b2) are averaged over the batch"),
        ("bug_stale_weights", "uses W2 after it was already updated"),
        ("bug_forward_no_bias", "forward(X) differs from the spec's forward pass"),
        ("bug_raises", "raised ValueError"),
        ("bug_wrong_shape", "after backward, b1 has shape (2,), expected (2, 1)"),
    ],
)
def test_planted_bugs_fail_with_the_right_diagnosis(bug, diagnosis):
    code, out, err = run(str(GALLERY / f"{bug}.py:Net"))
    assert code == 1, out + err
    assert out.startswith("FAIL")
    assert diagnosis in out
    # only the right diagnosis: no other known mistake claimed alongside
    assert out.count("    - ") <= 1


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
    assert report["ok"] is False and report["scenarios"] == 27
    assert [p["name"] for p in report["parameters"]] == ["W1", "b1", "W2", "b2"]
    assert all(p["actual"] == pytest.approx(-p["expected"]) for p in report["parameters"])
    assert "wrong sign" in report["diagnosis"][0]


@pytest.mark.parametrize(
    "target, message",
    [
        ("proto_no_W2.py:Net", "Net(2, 3, 1): has no W2"),
        ("proto_bad_init.py:Net", "cannot be called with three sizes"),
        ("proto_syntax_error.py:Net", "SyntaxError"),
        ("correct_seed_style.py:Nope", "has no class named 'Nope' (classes defined there: Net)"),
        ("missing_file.py:Net", "no such file"),
        ("project_adapter.py", "several candidate classes (ProjectNet, ProjectNetBCE, ProjectNetTanhMean)"),
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
