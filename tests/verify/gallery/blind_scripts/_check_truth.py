"""Checks truth.json against the programs themselves, with finite differences (not a pytest file).

Run:  python tests/verify/gallery/blind_scripts/_check_truth.py

For every file that can run, the program is executed as it is (a notebook cell by cell in one
namespace, IPython magics and shell lines replaced by `pass`), under a trace that snapshots the
parameters named in truth.json each time the first line of the training loop's body is reached:
consecutive snapshots bracket exactly one step (one sample for per_sample, the whole batch
otherwise); the first STEPS steps are taken, then the run is stopped.  Each step is compared with
-lr x the central-difference gradient (h = 1e-6, computed in long double so that tiny gradients
keep their digits) of the STATED loss through a forward pass written here from the entry's
convention alone (layout, orientation, activations), on sample k (per_sample: the files do not
shuffle) or all of the inputs.  A correct file agrees within 1e-6 relative (norm of the
difference over norm of the expected change, over the steps) in every parameter; a buggy one differs by more than 1e-3 in exactly the
parameters of bug.mismatched and agrees in the others.  Then the bug is repaired by replacing
its line(s) (FIXES below, the first one being bug.line) and every parameter must agree.

For a cannot_run file: it is run with no stdin and the line of the innermost traceback frame
in the file (or of the SyntaxError) must be cause.line.
"""

import json
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
    "blog_syn0_syn1.py": "l0 = X",
    "per_sample_rows.py": "x = X[i:i + 1]",
    "per_sample_vector.py": "x = points[i]",
    "column_params_dict.py": "A2, cache = forward(X, params)",
    "relu_sse_regression.py": "z = x @ w1 + b1",
    "relu_mse_regression.py": "hidden_pre = features @ W1 + b1",
    "train_function.py": "hidden = sigmoid(X @ W1)",
    "dense_layers_spiral.py": "dense1.forward(X)",
    "notebook_xor.ipynb": "hid = sigmoid(X @ w_hidden + b_hidden)",
    "exported_notebook.py": "H = np.tanh(X_train @ W1 + b1)",
    "bug_blog_deriv_on_z.py": "hidden_in = inputs @ w_ih",
    "bug_per_sample_hidden_no_deriv.py": "inp = samples[i].reshape(1, -1)",
    "bug_train_output_no_deriv_mse.py": "a1 = sigmoid(X @ W1 + b1)",
    "bug_stale_w2.py": "H = np.tanh(X @ W1 + b1)",
    "bug_bias_broadcast.py": "z1 = X @ W1 + b1",
    "bug_transposed_square.py": "Ah = np.tanh(Wh @ X + bh)",
    "bug_ascent_vector.py": "x = data[k]",
    "bug_bias_no_m.py": "Z1 = W1 @ X + b1",
    "notebook_moons_tanh.ipynb": "Z1 = data @ W1 + b1",
    "bug_softmax_double_m.py": "hidden = sigmoid(X @ W1 + b1)",
}

# repairs: {text of the wrong line: the line as it should be}, in the order the lines run
FIXES = {
    "bug_blog_deriv_on_z.py": {
        "d_final = error * sigmoid_derivative(final_in)": "d_final = error * sigmoid_derivative(final_out)",
        "* sigmoid_derivative(hidden_in)": "d_hidden = d_final.dot(w_ho.T) * sigmoid_derivative(hidden_out)",
    },
    "bug_per_sample_hidden_no_deriv.py": {
        "hidden_error = out_error @ weights_hidden_output.T":
            "hidden_error = (out_error @ weights_hidden_output.T) * hidden * (1 - hidden)",
    },
    "bug_train_output_no_deriv_mse.py": {
        "d_out = 2 * (y_hat - y) / n": "d_out = 2 * (y_hat - y) / n * y_hat * (1 - y_hat)",
    },
    "bug_stale_w2.py": {  # W2 + lr * H.T @ g_out is the W2 of the forward pass (to rounding)
        "g_hid = (g_out @ W2.T) * (1 - H ** 2)": "g_hid = (g_out @ (W2 + lr * H.T @ g_out).T) * (1 - H ** 2)",
    },
    "bug_bias_broadcast.py": {
        "b2 = b2 - learning_rate * delta_out": "b2 = b2 - learning_rate * delta_out.sum(axis=0, keepdims=True)",
        "b1 = b1 - learning_rate * delta_hidden": "b1 = b1 - learning_rate * delta_hidden.sum(axis=0, keepdims=True)",
    },
    "bug_transposed_square.py": {
        "dZh = (Wo @ dZo) * (1 - Ah ** 2)": "dZh = (Wo.T @ dZo) * (1 - Ah ** 2)",
    },
    "bug_ascent_vector.py": {
        "W2 += 0.3 * np.outer(hid, d_out)": "W2 -= 0.3 * np.outer(hid, d_out)",
        "b2 += 0.3 * d_out": "b2 -= 0.3 * d_out",
        "W1 += 0.3 * np.outer(x, d_hid)": "W1 -= 0.3 * np.outer(x, d_hid)",
        "b1 += 0.3 * d_hid": "b1 -= 0.3 * d_hid",
    },
    "bug_bias_no_m.py": {
        "db2 = np.sum(dZ2, axis=1, keepdims=True)": "db2 = np.sum(dZ2, axis=1, keepdims=True) / m",
        "db1 = np.sum(dZ1, axis=1, keepdims=True)": "db1 = np.sum(dZ1, axis=1, keepdims=True) / m",
    },
    "notebook_moons_tanh.ipynb": {
        "dZ1 = dA1 * (1 - Z1 ** 2)": "dZ1 = dA1 * (1 - A1 ** 2)",
    },
    "bug_softmax_double_m.py": {
        "dW2 = hidden.T @ dscores / m": "dW2 = hidden.T @ dscores",
        "db2 = np.sum(dscores, axis=0, keepdims=True) / m": "db2 = np.sum(dscores, axis=0, keepdims=True)",
        "dW1 = X.T @ dhidden / m": "dW1 = X.T @ dhidden",
        "db1 = np.sum(dhidden, axis=0, keepdims=True) / m": "db1 = np.sum(dhidden, axis=0, keepdims=True)",
    },
}

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


def steps(entry, fixes=None):
    """The parameters at the start of each of the first STEPS + 1 steps as the program runs, and its data."""
    name, ob = entry["file"], entry["observe"]
    step_file, step_line = where(name, STEP_AT[name])
    exprs = ob["params"] + [ob["inputs"], ob["targets"]]
    snaps = []

    def local(frame, event, arg):
        if event == "line" and frame.f_lineno == step_line:
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
    proc = subprocess.run([sys.executable, str(HERE / name)], stdin=subprocess.DEVNULL,
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
