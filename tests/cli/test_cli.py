"""The backprop-spec command line, run as a user runs it."""

import subprocess
import sys

import numpy as np
import pytest

from impl import Network
from spec.cli import commands as cli


def run(*args):
    """Run the CLI in a subprocess: exit code, stdout, stderr."""
    proc = subprocess.run(
        [sys.executable, "-m", "spec.cli", *args], capture_output=True, text=True, timeout=600
    )
    return proc.returncode, proc.stdout, proc.stderr


def test_prove_the_tutorial_network():
    code, out, _ = run("prove", "--sizes", "2,2,1", "--activation", "sigmoid", "--loss", "mse")
    assert code == 0
    # one line per parameter: 2*2 + 2 + 2*1 + 1 = 9
    assert out.count("ok   dL/d") == 9
    assert "ok   dL/dW(1)[2,1] = sum_n delta(1)[2] a(0)[1]" in out
    assert "delta = a*(1 - a)*(a - y)" in out
    assert "PROVEN: 9 of 9 parameters" in out


@pytest.mark.parametrize(
    "args, n_params",
    [
        (["--sizes", "3,4,2", "--activation", "tanh", "--loss", "mse"], 26),
        (["--sizes", "2,3,3,1", "--loss", "bce"], 25),
    ],
)
def test_prove_other_networks(args, n_params):
    code, out, _ = run("prove", *args)
    assert code == 0
    assert f"PROVEN: {n_params} of {n_params} parameters" in out


def test_prove_exits_1_when_a_proof_fails(monkeypatch, capsys):
    from spec import network

    def forget_sigma_prime(net, loss, scale, s, ds):
        deltas = correct(net, loss, scale, s, ds)
        for n in range(net.samples):
            for l in range(net.D - 1, 0, -1):
                deltas[n][l] = net.W[l + 1].T * deltas[n][l + 1]
        return deltas

    correct = network.backprop_deltas
    monkeypatch.setattr(network, "backprop_deltas", forget_sigma_prime)
    assert cli.main(["prove", "--sizes", "2,2,1"]) == 1
    out = capsys.readouterr().out
    assert "FAIL dL/dW(1)[1,1]" in out
    assert "NOT PROVEN: 3 of 9 parameters" in out


def test_derive_sigmoid():
    code, out, _ = run("derive", "sigmoid")
    assert code == 0
    assert "f(z)  = 1/(1 + e^(−z))" in out
    assert "f'(z) = e^(−z)/(1 + e^(−z))²" in out
    assert "g(a) = a·(1 − a)" in out
    assert "values: f(z) ∈ (0, 1)" in out
    assert "proven" in out


#: What `derive` must never print: SymPy's class names and its ASCII infinity.
SYMPY_INTERNALS = ("Piecewise(", "Interval", "Eq(", "Ne(", "Abs(", "sign(", "**", "Union", "FiniteSet", "Reals")


@pytest.mark.parametrize("name", __import__("spec.activations").activations.names())
def test_derive_prints_readable_math_once_per_fact(name):
    code, out, _ = run("derive", name)
    assert code == 0
    for internal in SYMPY_INTERNALS:
        assert internal not in out, (internal, out)
    assert not __import__("re").search(r"\boo\b", out), out
    lines = [line.strip() for line in out.splitlines() if line.strip()]
    assert len(lines) == len(set(lines)), out
    # each numeric check is stated once: one for f' = g(a), one for f'' = h(a)
    assert out.count("g(f(z)) = f'(z) numerically") <= 1 and out.count("h(f(z)) = f''(z) numerically") <= 1
    assert out.count("checked at") <= 2
    if __import__("spec.activations").activations.get(name).elementwise:
        assert "f''(z) = " in out and "second output form:" in out


def test_derive_prints_the_second_derivative_and_its_output_form():
    code, out, _ = run("derive", "sigmoid")
    assert code == 0
    assert "f''(z) = −(e^z − 1)·e^z/(e^z + 1)³" in out
    assert "h(a) = a·(1 − 2·a)·(1 − a)" in out and "chain rule" in out
    assert "sigmoid: f''(z) = h(f(z)) with h(a) = a·(1 − 2·a)·(1 − a): proven (cancel)" in out
    _, out, _ = run("derive", "tanh")
    assert "h(a) = −2·a·(1 − a²)" in out
    _, out, _ = run("derive", "elu")
    assert "f'' jumps at z = 0: 1 from the left, 0 from the right; f''(0) = 1 is the left piece's" in out
    _, out, _ = run("derive", "softsign")
    assert "f''(z) = −2·sgn(z)/(|z| + 1)³" in out
    assert "f'' jumps at z = 0: 2 from the left, −2 from the right; f''(0) = 0 is the mean of the two sides" in out
    _, out, _ = run("derive", "gelu")
    assert "second output form: none" in out and "while f'' there is 0.208573 and 0.61493" in out


def test_derive_exits_1_when_a_second_derivative_proof_fails(monkeypatch, capsys):
    from spec import activations
    from spec.proof import Proof

    # a failing proof of the second order only (derived(2).proofs); the first order's stay as they are
    proofs = activations.Derived.proofs
    monkeypatch.setattr(activations.Derived, "proofs", property(
        lambda self: [Proof("made up", False, "x")] if self.order == 2 else proofs.fget(self)))
    assert cli.main(["derive", "sigmoid"]) == 1
    assert "made up: NOT PROVEN" in capsys.readouterr().out
    assert cli.main(["derive", "sigmoid", "--latex"]) == 1


def test_derive_shows_true_kinks_and_ranges():
    _, out, _ = run("derive", "softsign")
    assert "f'(z) = 1/(|z| + 1)²" in out
    assert "values: f(z) ∈ (−1, 1)" in out
    assert "no kink" in out and "kink at" not in out
    _, out, _ = run("derive", "relu")
    assert "values: f(z) ∈ [0, ∞)" in out
    assert "kink at z = 0: slope 0 from the left, 1 from the right" in out
    _, out, _ = run("derive", "hard_tanh")
    assert "values: f(z) ∈ [−1, 1]" in out and "kink at z = −1" in out and "kink at z = 1" in out


def test_derive_latex():
    code, out, _ = run("derive", "tanh", "--latex")
    assert code == 0
    assert r"f(z) = \tanh{\left(z \right)}" in out
    assert "g(a) = 1 - a^{2}" in out
    assert r"f''(z) = h(a), \quad h(a) = - 2 a \left(1 - a^{2}\right)" in out
    _, out, _ = run("derive", "silu", "--latex")
    assert "% no second output form: f is not one-to-one" in out


def test_train_xor_defaults_solve_it_with_seed_0():
    code, out, err = run("train")
    assert code == 0, err
    assert "solved XOR" in out
    lines = [line for line in out.splitlines() if "XOR" in line and "network:" in line]
    values = [float(line.rsplit(":", 1)[1]) for line in lines]
    assert len(values) == 4
    assert values[0] < 0.1 and values[1] > 0.9 and values[2] > 0.9 and values[3] < 0.1
    assert "epoch 10000/10000" in err  # the progress bar


def test_train_xor_save_and_plot(tmp_path):
    model, plot = tmp_path / "xor.npz", tmp_path / "xor.png"
    code, out, err = run("train", "--epochs", "3000", "--save", str(model), "--plot", str(plot), "--quiet")
    assert code == 0, err
    assert plot.stat().st_size > 10_000
    net = Network.load(model)
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
    printed = [float(line.rsplit(":", 1)[1]) for line in out.splitlines() if "network:" in line]
    np.testing.assert_allclose(net.forward(X)[:, 0], printed, atol=5e-5)


def _test_accuracy(out):
    return float(out.split("test accuracy:")[1].split()[0])


def test_train_digits_uses_softmax_with_cross_entropy_and_beats_scikit_learn():
    # the default: a softmax output with cross-entropy, hidden size 32, 30 epochs
    code, out, err = run("train", "--task", "digits", "--quiet")
    assert code == 0, err
    assert "sizes 64,32,10, sigmoid/softmax, loss ce (sum)" in out and "epochs 30" in out
    accuracy = _test_accuracy(out)
    # scikit-learn's MLPClassifier (its defaults: softmax output, log-loss, adam) with the same
    # hidden size, the same number of epochs and the same train/test split
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    from spec.cli import tasks

    data = tasks.digits(seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # 30 epochs is fewer than it would like
        reference = MLPClassifier(hidden_layer_sizes=(32,), max_iter=30, random_state=0)
        reference.fit(data.X_train, data.Y_train.argmax(1))
    assert accuracy >= reference.score(data.X_test, data.Y_test.argmax(1))
    assert accuracy >= 0.95


def test_train_digits_keeps_the_old_setup_behind_options():
    code, out, err = run("train", "--task", "digits", "--quiet", "--loss", "mse")
    assert code == 0, err
    assert "sigmoid/sigmoid, loss mse (sum)" in out
    assert _test_accuracy(out) >= 0.9
    code, out, err = run("train", "--task", "digits", "--quiet", "--loss", "ce", "--output-activation", "sigmoid")
    assert code == 2 and "--output-activation: loss 'ce' needs" in err and "'sigmoid'" in err


@pytest.mark.parametrize(
    "args, message",
    [
        (["train", "--epochs", "0"], "epochs"),
        (["train", "--lr", "nan"], "lr"),
        (["train", "--lr", "-1"], "lr"),
        (["train", "--batch-size", "0"], "--batch-size: "),
        (["train", "--activation", "nope"], "--activation: expected one of"),
        (["train", "--loss", "hinge"], "loss"),
        (["train", "--reduction", "max"], "reduction"),
        (["train", "--sizes", "3,2,1"], "--sizes: the xor task needs 2 inputs and 1 outputs"),
        (["train", "--output-activation", "tanh", "--loss", "bce"], "--output-activation"),
        (["train", "--save", "/nonexistent-dir/x.npz"], "--save"),
        # an output target that cannot take a file is refused before training, not after
        (["train", "--save", "/tmp"], "--save: '/tmp' is a folder"),
        (["train", "--save", "/tmp/x.npz/"], "--save: expected a file name such as net.npz, got '/tmp/x.npz/'"),
        (["train", "--save", "/dev/full"], "--save: '/dev/full' is not a regular file"),
        (["train", "--plot", "/nonexistent-dir/x.png"], "--plot: cannot write '/nonexistent-dir/x.png'"),
        (["train", "--seed", "-1"], "argument --seed: expected a non-negative int, got -1"),
        (["train", "--task", "digits", "--seed", "-3"], "--seed"),
        (["prove", "--sizes", "2"], "--sizes"),
        (["prove", "--samples", "0"], "--samples: expected an int from 1 to 64, got 0"),
        (["prove", "--samples", "100000"], "--samples: expected an int from 1 to 64"),
        # refused before any symbolic work: 1860 parameters
        (["prove", "--sizes", "128,128,10"], "--sizes: 128,128,10 has 17802 parameters"),
        (["prove", "--sizes", "2,200,1"], "--sizes: layers of at most 128 units"),
        (["prove", "--sizes", "2,40,1", "--method", "nested"], "--sizes: layers of at most 32 units"),
        (["prove", "--method", "fast"], "--method"),
        (["prove", "--sizes", "1,1,1,1,1,1,1,1,1,1,1"], "--sizes: at most 8 layers"),
        (["prove", "--timeout", "-1"], "--timeout"),
        (["derive", "nope"], "NAME: unknown name 'nope'"),
        (["prove", "--output-activation", "foo"], "--output-activation: unknown name 'foo'"),
        (["train", "--sizes", "2,0,1"], "argument --sizes: expected at least two positive ints"),
        (["train", "--epochs", "1.5"], "argument --epochs: expected a positive int, got '1.5'"),
        (["train", "--epochs", "10" * 20], "argument --epochs: expected an int from 1 to 100,000,000"),
        (["train", "--plot", "/tmp/curve.txt"], "--plot: expected a picture file ending in"),
        (["train", "--save", "a\nb/x.npz"], "--save: cannot write 'a\\nb/x.npz'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, message):
    code, out, err = run(*args)
    assert code == 2
    assert message in err
    assert "Traceback" not in err
    # one line, argparse's errors included
    assert len(err.strip().splitlines()) == 1, err
    assert message in err


def test_prove_stops_at_its_time_limit_and_says_how_far_it_got(monkeypatch, capsys):
    from spec import proof_time

    # 64-32-10 has 2,410 parameters: far more than 1 s of work on any machine. The estimate
    # (about 10 s, over 1 s) would refuse it up front; told it is quick, the proof starts and meets the limit.
    monkeypatch.setattr(proof_time, "estimate_seconds", lambda *args: 0.0)
    code = cli.main(["prove", "--sizes", "64,32,10", "--timeout", "1", "--quiet"])
    err = capsys.readouterr().err
    assert code == 1
    line = err.strip().splitlines()[-1]
    assert line.startswith("NOT PROVEN: stopped after") and "of 2410 parameters checked" in line
    assert "raise --timeout to finish" in line and "Traceback" not in err


@pytest.mark.parametrize(
    "args, request_words",
    [
        # about 2.5 min by the estimate (4.5 min measured), 10 s allowed
        (["--sizes", "20,20,20,20", "--samples", "8", "--timeout", "10"], "--sizes 20,20,20,20 with --samples 8"),
        # about 3.5 min by the estimate (59 of 330 parameters in 2 min measured), 20 s allowed
        (["--method", "nested", "--sizes", "10,10,10,10", "--samples", "3", "--timeout", "20"],
         "--sizes 10,10,10,10 with --samples 3 (--method nested"),
        # the two requests the audit ran, with the default --timeout 120
        (["--sizes", "20,20,20,20", "--samples", "8"], "--sizes 20,20,20,20 with --samples 8"),
        (["--method", "nested", "--sizes", "10,10,10,10", "--samples", "3"],
         "--sizes 10,10,10,10 with --samples 3 (--method nested"),
    ],
)
def test_prove_refuses_up_front_what_cannot_finish_in_its_timeout(args, request_words):
    code, out, err = run("prove", *args)
    assert code == 2
    assert out == "" and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("backprop-spec: error: " + request_words)
    assert "by the estimate" in err and "over --timeout" in err
    assert "use fewer --samples or smaller --sizes, or raise --timeout (--timeout " in err
    # nothing was started: no proof, no time limit met
    assert "PROVEN" not in err and "stopped after" not in err


def test_prove_refuses_before_any_symbolic_work(monkeypatch, capsys):
    from spec import network

    def must_not_run(*args, **kwargs):
        raise AssertionError("prove_backprop ran")

    monkeypatch.setattr(network, "prove_backprop", must_not_run)
    assert cli.main(["prove", "--sizes", "20,20,20,20", "--samples", "8", "--timeout", "10"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "would take about 148 s" in captured.err


def test_the_timeout_a_refusal_names_lets_the_proof_run():
    """The advice is a contract: the --timeout the refusal names runs the proof."""
    import re

    code, out, err = run("prove", "--timeout", "0.01")
    assert code == 2 and "over --timeout 0.01 s" in err, err
    suggested = re.search(r"\(--timeout (\d+) allows", err).group(1)
    code, out, err = run("prove", "--timeout", suggested)
    assert code == 0, err
    assert "PROVEN: 9 of 9 parameters" in out


def test_a_small_proof_is_not_refused_even_with_a_short_timeout():
    # 2-2-1: about 0.035 s by the estimate, far under 5 s
    code, out, err = run("prove", "--timeout", "5")
    assert code == 0, err
    assert "PROVEN: 9 of 9 parameters" in out


def test_the_estimate_is_within_its_stated_factor_of_every_measured_proof():
    import json
    from pathlib import Path

    from spec import proof_time

    # The measurements the constants were fitted to (benchmarks/prove_times.py): a ratio, no clock here.
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "results" / "prove_times.jsonl"
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    finished = [r for r in rows if not r.get("stopped") and r["seconds"] >= 0.3]
    assert len(finished) > 100
    for r in finished:
        ratio = proof_time.estimate_seconds(r["sizes"], r["samples"], r["method"], r["loss"]) / r["seconds"]
        assert 1 / proof_time.FIT_FACTOR <= ratio <= proof_time.FIT_FACTOR, r
    # the largest finished proof of each method is among them, not extrapolated to
    for method in ("downstream", "nested"):
        assert max(r["seconds"] for r in finished if r["method"] == method) > 20


def test_prove_shows_progress_on_long_proofs():
    lines = []

    class Stream:
        def isatty(self):
            return False

        def write(self, text):
            lines.append(text)

        def flush(self):
            pass

    from spec.network import prove_backprop

    bar = cli.ProgressBar(0, stream=Stream(), label="parameter")
    result = prove_backprop((3, 4, 2), progress=bar.update_count, method="nested")
    assert result.ok
    # the nested method reports each parameter: a line at every tenth of the 26, the last one complete
    assert len(lines) == 13 and lines[-1].strip() == "[" + "#" * 30 + "] parameter 26/26"


def test_a_progress_bar_with_a_delay_draws_nothing_for_quick_work():
    lines = []
    stream = type("S", (), {"isatty": lambda self: False, "write": lambda self, t: lines.append(t), "flush": lambda self: None})()
    bar = cli.ProgressBar(0, stream=stream, label="parameter", delay=60.0)
    for done in range(1, 11):
        bar.update_count(done, 10)
    bar.close()
    assert lines == []


def test_ctrl_c_during_train_is_one_line_and_exit_130(tmp_path):
    import signal
    import time

    import os

    proc = subprocess.Popen(
        [sys.executable, "-m", "spec.cli", "train", "--epochs", "100000000"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ, PYTHONUNBUFFERED="1"),
    )
    # wait until training starts (its first line), then interrupt it
    assert proc.stdout.readline().startswith("training xor")
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert err.strip().splitlines()[-1] == "backprop-spec: train interrupted"
    assert "Traceback" not in err


@pytest.mark.parametrize("quiet", [[], ["--quiet"]])
def test_train_that_diverges_says_so_in_one_line_and_exits_1(tmp_path, quiet):
    saved = tmp_path / "net.npz"
    code, out, err = run("train", "--output-activation", "identity", "--lr", "1e300", "--epochs", "5",
                         "--save", str(saved), *quiet)
    assert code == 1
    line = err.strip().splitlines()[-1]
    assert line.startswith("backprop-spec: train diverged: fit diverged at epoch 1")
    assert "a smaller --lr" in line and "--reduction mean" in line
    assert "Traceback" not in err and "Warning" not in err and "final loss" not in out
    # nothing is saved from a diverged run
    assert not saved.exists()


def test_train_digits_without_scikit_learn_says_how_to_install_it():
    code = (
        "import sys; sys.modules['sklearn'] = None\n"
        "from spec.cli import main\n"
        "sys.exit(main(['train', '--task', 'digits']))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 2
    assert "needs scikit-learn" in proc.stderr and "pip install 'backprop-spec[digits]'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_train_in_float32():
    code, out, err = run("train", "--task", "digits", "--quiet", "--dtype", "float32")
    assert code == 0, err
    assert out.splitlines()[0].endswith(", float32") and _test_accuracy(out) >= 0.95
    code, out, err = run("train", "--dtype", "float16")
    assert code == 2 and "--dtype" in err and "float16" in err


def test_a_loss_that_needs_more_outputs_is_named_as_the_loss_option(capsys):
    """``train --task xor --loss ce``: the user gave --loss, so the error names --loss (not --output-activation)."""
    from impl import losses as impl_losses

    code = cli.main(["train", "--task", "xor", "--loss", "ce", "--epochs", "1"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("backprop-spec: error: --loss: 'ce' ") and "--output-activation" not in err
    # the advice names every loss the XOR network can take, from the registry
    for name in impl_losses.names():
        assert (f"--loss {name}" in err) is (impl_losses.get(name).default_output != "softmax")
