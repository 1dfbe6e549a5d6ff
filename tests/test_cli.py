"""The backprop-spec command line, run as a user runs it."""

import subprocess
import sys

import numpy as np
import pytest

from impl import Network
from spec import cli


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
    assert "ok   dL/dW(1)[1,0] = sum_n delta(1)[1] a(0)[0]" in out
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
            for l in range(net.L - 1, 0, -1):
                deltas[n][l] = net.W[l + 1].T * deltas[n][l + 1]
        return deltas

    correct = network.backprop_deltas
    monkeypatch.setattr(network, "backprop_deltas", forget_sigma_prime)
    assert cli.main(["prove", "--sizes", "2,2,1"]) == 1
    out = capsys.readouterr().out
    assert "FAIL dL/dW(1)[0,0]" in out
    assert "NOT PROVEN: 3 of 9 parameters" in out


def test_derive_sigmoid():
    code, out, _ = run("derive", "sigmoid")
    assert code == 0
    assert "f(z)  = 1/(1 + exp(-z))" in out
    assert "g(a) = a*(1 - a)" in out
    assert "proven" in out


def test_derive_latex():
    code, out, _ = run("derive", "tanh", "--latex")
    assert code == 0
    assert r"f(z) = \tanh{\left(z \right)}" in out
    assert "g(a) = 1 - a^{2}" in out


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


def test_train_digits_reaches_a_good_test_accuracy():
    code, out, err = run("train", "--task", "digits", "--quiet")
    assert code == 0, err
    accuracy = float(out.split("test accuracy:")[1].split()[0])
    assert accuracy >= 0.9


@pytest.mark.parametrize(
    "args, message",
    [
        (["train", "--epochs", "0"], "epochs"),
        (["train", "--lr", "nan"], "lr"),
        (["train", "--lr", "-1"], "lr"),
        (["train", "--batch-size", "0"], "batch_size"),
        (["train", "--activation", "nope"], "activation: expected one of"),
        (["train", "--loss", "hinge"], "loss"),
        (["train", "--reduction", "max"], "reduction"),
        (["train", "--sizes", "3,2,1"], "--sizes: the xor task needs 2 inputs and 1 outputs"),
        (["train", "--output-activation", "tanh", "--loss", "bce"], "output_activation"),
        (["train", "--save", "/nonexistent-dir/x.npz"], "--save"),
        (["prove", "--sizes", "2"], "--sizes"),
        (["prove", "--samples", "0"], "samples"),
        (["derive", "nope"], "activation: unknown name"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, message):
    code, out, err = run(*args)
    assert code == 2
    assert message in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) <= 5  # argparse adds its usage lines, nothing more


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
