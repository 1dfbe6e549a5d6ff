"""Checks truth.json against the programs themselves, with finite differences (not a pytest file).

Run:  python tests/verify/gallery/blind_scripts2/_check_truth.py

For every file that can run, the program is executed as it is (a notebook cell by cell in one
namespace, IPython magics and shell lines replaced by `pass`), under a trace that snapshots the
parameters named in truth.json each time the first line of the training loop's body is reached:
consecutive snapshots bracket exactly one step (one sample for per_sample, one mini-batch for
mini_batch, the whole batch otherwise); the first STEPS steps are taken, then the run is stopped
(line events of comprehension frames on the step line are ignored).  Each step is compared with
-lr x the central-difference gradient (h = 1e-6, computed in long double so that tiny gradients
keep their digits) of the STATED loss through a forward pass written here from the entry's
convention alone (layout, orientation, activations), on sample k (per_sample: the files do not
shuffle), on the rows of mini-batch k (mini_batch: reproduced independently by batch_rows from
observe.batches -- seed, the RNG draws the program makes before its first shuffle, one shuffle
per epoch -- not read from the program's variables) or on all of the inputs.  A correct file agrees within 1e-6 relative (norm of the
difference over norm of the expected change, over the steps) in every parameter; a buggy one differs by more than 1e-3 in exactly the
parameters of bug.mismatched and agrees in the others.  Then the bug is repaired by replacing
its line(s) (FIXES below, the first one being bug.line) and every parameter must agree.

For a cannot_run file: it is run with no stdin, from this folder, and the line of the innermost traceback frame
in the file (or of the SyntaxError) must be cause.line.
"""

import json
import random
import subprocess
import sys
import traceback
from pathlib import Path

import nbformat
import numpy as np

HERE = Path(__file__).resolve().parent
FD_STEP = 1e-6
MATCH, MISMATCH = 1e-6, 1e-3
STEPS = 3

# text of the first line of the loop body that starts every step
STEP_AT = {
    "nn_class_loop.py": "nn.feedforward()",
    "main_functions_bce.py": "A1, A2 = forward(X, W1, b1, W2, b2)",
    "class_main_guard.py": "net.forward(X)",
    "minibatch_sgd.py": "h = np.tanh(xb @ W1 + b1)",
    "sequential_layers.py": "out = forward(layers, X)",
    "nielsen_minibatch.py": "weights, biases = update_mini_batch(mini_batch, eta, weights, biases)",
    "notebook_timed.ipynb": "a1, a2 = forward(X)",
    "softmax_relu_3class.py": "hidden = np.maximum(0, X @ W1 + b1)",
    "tanh_regression_2out.py": "h = np.tanh(x @ w_in + b_in)",
    "print_every_100.py": "z1 = X @ W1 + b1",
    "bug_class_bias_sum.py": "nn.feedforward()",
    "bug_functions_deriv_on_z.py": "Z1 = X @ W1 + b1",
    "bug_class_guard_stale_w2.py": "out = model.forward(X)",
    "bug_minibatch_layer1_sum.py": "z1 = xb @ W1 + b1",
    "bug_layers_transposed_grad.py": "    h = data",
    "bug_nielsen_ascent.py": "chunk = [data[i] for i in order[k:k + batch]]",
    "notebook_multilabel.ipynb": "hid, out = forward(features)",
    "bug_softmax_times_sigmoid_deriv.py": "z1 = X @ W1 + b1",
    "relu_regression_losses.py": "z1 = x @ w1 + b1",
}

# repairs: {text of the wrong line: the line as it should be}, in the order the lines run
FIXES = {
    "bug_class_bias_sum.py": {
        "db1 = np.sum(d_hidden)": "db1 = np.sum(d_hidden, axis=0, keepdims=True)",
    },
    "bug_functions_deriv_on_z.py": {
        "dZ1 = dA1 * dsigmoid(Z1)": "dZ1 = dA1 * dsigmoid(A1)",
    },
    "bug_class_guard_stale_w2.py": {  # W2 + lr * dW2 is the W2 of the forward pass (to rounding)
        "delta1 = (delta2 @ self.W2.T) * (1 - self.H ** 2)":
            "delta1 = (delta2 @ (self.W2 + self.lr * dW2).T) * (1 - self.H ** 2)",
    },
    "bug_minibatch_layer1_sum.py": {
        "dW1 = xb.T @ dz1": "dW1 = xb.T @ dz1 / B",
        "db1 = dz1.sum(axis=0)": "db1 = dz1.sum(axis=0) / B",
    },
    "bug_layers_transposed_grad.py": {
        "self.grad_W = grad.T @ self.inp": "self.grad_W = self.inp.T @ grad",
    },
    "bug_nielsen_ascent.py": {
        "weights = [w + (eta / len(chunk)) * nw": "weights = [w - (eta / len(chunk)) * nw for w, nw in zip(weights, nabla_w)]",
        "biases = [b + (eta / len(chunk)) * nb": "biases = [b - (eta / len(chunk)) * nb for b, nb in zip(biases, nabla_b)]",
    },
    "notebook_multilabel.ipynb": {
        "dW2 = lr * hid.T @ err": "dW2 = hid.T @ err",
    },
    "bug_softmax_times_sigmoid_deriv.py": {
        "d_logits = (probs - onehot) * probs * (1 - probs) / n": "d_logits = (probs - onehot) / n",
    },
    "relu_regression_losses.py": {
        "d_out = 2 * (out - y) / len(x) * relu_grad(out)": "d_out = 2 * (out - y) / len(x)",
    },
}


def batch_rows(spec, n, k):
    """Rows of the data that step k (counted from 0) trains on, reproduced from the truth's batches spec:
    the RNG is seeded as the program seeds it, the draws the program makes before its first shuffle
    are replayed, then one shuffle per epoch; batch j of an epoch is order[j*size:(j+1)*size]."""
    size = spec["size"]
    per_epoch = -(-n // size)
    epoch, j = divmod(k, per_epoch)
    if spec["rng"] == "numpy":  # np.random.seed(seed); draws; np.random.permutation(n) every epoch
        saved = np.random.get_state()
        try:
            np.random.seed(spec["seed"])
            for draw in spec["draws_before"]:
                eval("np.random." + draw)
            for _ in range(epoch + 1):
                order = np.random.permutation(n)
        finally:
            np.random.set_state(saved)
    elif spec["rng"] == "random":  # random.seed(seed); random.shuffle(the list) in place every epoch
        r = random.Random(spec["seed"])
        for draw in spec["draws_before"]:
            eval("r." + draw)
        order = list(range(n))
        for _ in range(epoch + 1):
            r.shuffle(order)  # shuffle permutes by index only: the same moves as on the program's list
        order = np.array(order)
    else:
        raise ValueError(spec["rng"])
    return order[j * size:(j + 1) * size]


ACT = {
    "identity": lambda z: z,
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0),
    "softmax": lambda z: np.exp(z - z.max(1, keepdims=True)) / np.exp(z - z.max(1, keepdims=True)).sum(1, keepdims=True),
}


def _bce(A, Y):
    return -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A))


LOSS = {  # A, Y: samples x outputs
    "half_sse": lambda A, Y: 0.5 * np.sum((A - Y) ** 2),
    "sse": lambda A, Y: np.sum((A - Y) ** 2),
    "mean_samples_half_sse": lambda A, Y: 0.5 * np.sum((A - Y) ** 2) / len(A),
    "mean_samples_sse": lambda A, Y: np.sum((A - Y) ** 2) / len(A),
    "mean_all_entries": lambda A, Y: np.mean((A - Y) ** 2),
    "bce_sum": _bce,
    "bce_mean": lambda A, Y: _bce(A, Y) / len(A),
    "ce_sum": lambda A, Y: -np.sum(Y * np.log(A)),
    "ce_mean": lambda A, Y: -np.sum(Y * np.log(A)) / len(A),
}


# ---------------------------------------------------------------- running a program

class Stop(Exception):
    pass


class _Shell:
    def run_line_magic(self, *args):
        pass

    def system(self, *args):
        pass


def units(name, fixes=None):
    """[(filename, source)] to run in one namespace; fixes replace lines (indentation kept)."""
    path = HERE / name
    if name.endswith(".ipynb"):
        nb = nbformat.read(path, as_version=4)
        cells = [(f"{path}#cell{k}", c.source) for k, c in enumerate(nb.cells, 1) if c.cell_type == "code"]
    else:
        cells = [(str(path), path.read_text())]
    out = []
    for fname, src in cells:
        lines = src.split("\n")
        for i, line in enumerate(lines):
            if line.lstrip().startswith(("%", "!")):
                lines[i] = line[: len(line) - len(line.lstrip())] + "pass"
            for wrong, right in (fixes or {}).items():
                if wrong in line:
                    lines[i] = line[: len(line) - len(line.lstrip())] + right
        out.append((fname, "\n".join(lines)))
    return out


def where(name, text):
    """(filename as run, line number) of the unique line containing text."""
    hits = [(f, i) for f, src in units(name) for i, l in enumerate(src.split("\n"), 1) if text in l]
    assert len(hits) == 1, (name, text, hits)
    return hits[0]


# a comprehension on the step line runs in its own frame, with line events of the same line
COMPREHENSIONS = ("<listcomp>", "<setcomp>", "<dictcomp>", "<genexpr>")


def steps(entry, fixes=None):
    """The parameters at the start of each of the first STEPS + 1 steps as the program runs, and its data."""
    name, ob = entry["file"], entry["observe"]
    step_file, step_line = where(name, STEP_AT[name])
    exprs = ob["params"] + [ob["inputs"], ob["targets"]]
    snaps = []

    def local(frame, event, arg):
        if event == "line" and frame.f_lineno == step_line and frame.f_code.co_name not in COMPREHENSIONS:
            ns = {**frame.f_globals, **frame.f_locals}
            snaps.append([np.array(eval(e, ns), dtype=float) for e in exprs])
            if len(snaps) == STEPS + 1:
                raise Stop
        return local

    def tracer(frame, event, arg):
        return local if frame.f_code.co_filename == step_file else None

    ns = {"__name__": "__main__", "get_ipython": lambda: _Shell()}
    sys.settrace(tracer)
    try:
        for fname, src in units(name, fixes):
            exec(compile(src, fname, "exec"), ns)
    except Stop:
        pass
    finally:
        sys.settrace(None)
    assert len(snaps) == STEPS + 1, f"{name}: the step line ran {len(snaps)} times"
    k = len(ob["params"])
    return [s[:k] for s in snaps], snaps[0][k], snaps[0][k + 1]


# ---------------------------------------------------------------- the stated network and loss

def stated_loss(entry, params, X, Y, k=0):
    c, ob = entry["convention"], entry["observe"]
    fs = ob["layout"] == "features_samples"
    A = X.T if fs else X
    T = Y.T if fs else Y
    n_out = ob["sizes"][-1]
    if T.ndim == 1:
        T = np.eye(n_out)[T.astype(int)] if c["output_activation"] == "softmax" else T[:, None]
    if c["update"] == "per_sample":  # step k is sample k
        A, T = A[k:k + 1], T[k:k + 1]
    elif c["update"] == "mini_batch":  # step k is the k-th mini-batch, as batch_rows reproduces it
        rows = batch_rows(ob["batches"], len(A), k)
        A, T = A[rows], T[rows]
    per_layer = 1 if ob["biases"] == "none" else 2
    layers = [params[i:i + per_layer] for i in range(0, len(params), per_layer)]
    for j, layer in enumerate(layers):
        W = layer[0]
        Z = A @ W if ob["weights"] == "in_out" else A @ W.T
        if per_layer == 2:
            Z = Z + layer[1].reshape(1, -1)
        A = ACT[c["hidden_activation"] if j < len(layers) - 1 else c["output_activation"]](Z)
    return LOSS[c["loss"]](A, T)


def fd_gradient(f, params):
    grads = []
    for p in params:
        g = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            old = p[idx]
            p[idx] = old + FD_STEP
            up = f(params)
            p[idx] = old - FD_STEP
            down = f(params)
            p[idx] = old
            g[idx] = (up - down) / (2 * FD_STEP)
        grads.append(g)
    return grads


def relative_errors(entry, fixes=None):
    snaps, X, Y = steps(entry, fixes)
    X, Y = X.astype(np.longdouble), Y.astype(np.longdouble)
    shapes = [p.shape for p in snaps[0]]
    diffs, expects = [[] for _ in shapes], [[] for _ in shapes]
    for k in range(STEPS):
        before, after = snaps[k], snaps[k + 1]
        if [p.shape for p in before] != shapes:  # a bias broadcast to another shape: its error is already inf
            break
        grads = fd_gradient(lambda ps: stated_loss(entry, ps, X, Y, k), [p.astype(np.longdouble) for p in before])
        for i, (b, a, g) in enumerate(zip(before, after, grads)):
            expected = -entry["observe"]["lr"] * g.astype(float)
            expects[i].append(expected.ravel())
            diffs[i].append(np.full(b.size, np.inf) if a.shape != b.shape else ((a - b) - expected).ravel())
    return [float(np.linalg.norm(np.concatenate(d)) / np.linalg.norm(np.concatenate(e))) for d, e in zip(diffs, expects)]


def fmt(params, errs):
    return ", ".join(f"{p} {e:.1e}" for p, e in zip(params, errs))


# ---------------------------------------------------------------- cannot_run

def failing_line(name):
    proc = subprocess.run([sys.executable, str(HERE / name)], stdin=subprocess.DEVNULL, cwd=HERE,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0, name
    lines = [l for l in proc.stderr.splitlines() if l.strip().startswith(f'File "{HERE / name}", line ')]
    last_error = proc.stderr.strip().splitlines()[-1]
    return int(lines[-1].split("line ")[1].split(",")[0]), last_error


def check(entry) -> str:
    """One entry's truth, checked as the module docstring says; the line printed for it (AssertionError if it fails)."""
    name = entry["file"]
    if entry["kind"] == "cannot_run":
        line, error = failing_line(name)
        assert line == entry["cause"]["line"], (line, entry["cause"])
        return f"{name:38s} cannot run: line {line}: {error}"
    params = entry["observe"]["params"]
    errs = relative_errors(entry)
    if entry["correct"]:
        assert all(e < MATCH for e in errs), errs
        return f"{name:38s} correct: {fmt(params, errs)}"
    bug = entry["bug"]
    off = [p for p, e in zip(params, errs) if e > MISMATCH]
    assert all(e < MATCH or e > MISMATCH for e in errs), errs
    assert sorted(off) == sorted(bug["mismatched"]), (off, bug["mismatched"])
    fixes = FIXES[name]
    first = where(name, next(iter(fixes)))
    line = first[1] if not name.endswith(".ipynb") else f"cell {first[0].split('#cell')[1]}, line {first[1]}"
    assert line == bug["line"], (line, bug["line"])
    fixed = relative_errors(entry, fixes)
    assert all(e < MATCH for e in fixed), fixed
    return f"{name:38s} bug at {line}: {fmt(params, errs)}\n{'':38s} repaired: {fmt(params, fixed)}"


def main():
    entries = json.loads((HERE / "truth.json").read_text())
    files = sorted(p.name for p in HERE.iterdir() if p.suffix in (".py", ".ipynb") and not p.name.startswith("_"))
    assert sorted(e["file"] for e in entries) == files, "truth.json and the folder disagree"
    failures = 0
    for entry in entries:
        try:
            print(check(entry))
        except Exception:
            failures += 1
            print(f"{entry['file']}: FAILED")
            traceback.print_exc()
    print("all agree" if not failures else f"{failures} FAILED")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
