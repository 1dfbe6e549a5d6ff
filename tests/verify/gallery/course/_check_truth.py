"""Checks course/truth.json against the programs themselves, by finite differences.

Run:  python tests/verify/gallery/course/_check_truth.py      (NumPy only; not a pytest file)

For every entry the file is imported (never run as __main__), the model is built through the
file's own API on a small batch made here with a fixed seed (the entry's "check" configs), and

* the code's gradient of every parameter is taken from what the code gives: its grads dict,
  its returned tuple, the attributes its layers leave, or one update step divided by -lr;
* the expected gradient is the central difference (h = 1e-6) of the loss the code STATES
  (truth "loss": its kind, reduction and regularisation with lambda > 0 where it has one),
  computed here from the output of the code's own forward function;
* relative error = |code - expected| / |expected| (Frobenius norms, per parameter).

A correct file agrees within 1e-6 for every parameter; a buggy one differs by more than 1e-3
in exactly bug.mismatched and agrees in the others.  Then the bug is repaired by replacing its
line (FIXES below: line number, the wrong text, the right text; the first one is bug.line) and
every parameter must agree.  The code's own loss function, where it has one, must also equal
the stated loss at the check point ("own loss" column).  An entry with a "trap" is checked for
it too (see the README).  Prints a table; exits 1 on any disagreement.
"""

import importlib.util
import json
import sys
import types
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
H = 1e-6
MATCH, MISMATCH = 1e-6, 1e-3

# repairs: file -> [(1-based line, the line as written (stripped), the line as it should be)]
FIXES = {
    "bug_cs231n_no_divide_n.py": [
        (40, "dscores = probs - one_hot", "dscores = (probs - one_hot) / N")],
    "bug_cs231n_half_reg.py": [
        (48, "grads[name] += reg * self.params[name]", "grads[name] += 2 * reg * self.params[name]")],
    "bug_cs231n_relu_mask.py": [
        (44, "dhidden[hidden < 0] = 0", "dhidden[hidden <= 0] = 0")],
    "bug_dlai_db_without_m.py": [
        (75, "db = np.sum(dZ, axis=1, keepdims=True)", "db = np.sum(dZ, axis=1, keepdims=True) / m")],
    "bug_dlai_first_layer_no_relu_grad.py": [
        (107, 'grads["dW1"] = np.dot(grads["dA1"], A0.T) / m', 'grads["dW1"] = np.dot(dZ1, A0.T) / m')],
    "bug_dlai_l2_without_m.py": [
        (119, 'grads["dW" + str(l)] = grads["dW" + str(l)] + lambd * W',
         'grads["dW" + str(l)] = grads["dW" + str(l)] + (lambd / m) * W')],
    "bug_raschka_output_no_two.py": [
        (42, "delta_out = (a_out - y_onehot) / y_onehot.size * d_a_out__d_z_out",
         "delta_out = d_loss__d_a_out * d_a_out__d_z_out")],
    "bug_nnfs_relu_mask_on_dvalues.py": [
        (32, "self.dinputs[dvalues <= 0] = 0", "self.dinputs[self.inputs <= 0] = 0")],
    "bug_nnfs_bce_not_over_outputs.py": [
        (61, "self.dinputs = -(y_true / clipped_dvalues - (1 - y_true) / (1 - clipped_dvalues))",
         "self.dinputs = -(y_true / clipped_dvalues - (1 - y_true) / (1 - clipped_dvalues)) / outputs")],
    "bug_nielsen_decay_on_biases.py": [
        (80, "self.biases = [(1 - eta * (lmbda / n)) * b - (eta / len(mini_batch)) * nb",
         "self.biases = [b - (eta / len(mini_batch)) * nb")],
    "bug_nielsen_quadratic_delta.py": [
        (29, "return a - y", "return (a - y) * sigmoid_prime(z)")],
    "bug_loss_bce_update_sse.py": [
        (31, "delta2 = (out - y) * out * (1 - out) / N", "delta2 = (out - y) / N")],
    "bug_momentum_tanh_grad.py": [
        (34, "dz1 = da1 * (1 - self.a1)", "dz1 = da1 * (1 - self.a1 ** 2)")],
    "bug_label_used_as_value.py": [
        (30, "dlogits = (probs - y[:, None]) / n", "dlogits = (probs - np.eye(probs.shape[1])[y]) / n")],
    "bug_stale_w2.py": [  # W2 + lr * dW2 is the W2 the forward pass used (to rounding)
        (30, "d_h = (d_out @ self.W2.T) * (1 - self.h ** 2)",
         "d_h = (d_out @ (self.W2 + self.lr * dW2).T) * (1 - self.h ** 2)")],
}


# ----------------------------------------------------------------------------- loading

def load_source(name, source, path):
    module = types.ModuleType(name)
    module.__file__ = str(path)
    exec(compile(source, str(path), "exec"), module.__dict__)
    return module


def load(file, fixed=False):
    path = HERE / file
    source = path.read_text()
    if fixed:
        source = repair(file, source)
    return load_source("course_" + path.stem + ("_fixed" if fixed else ""), source, path)


def repair(file, source):
    lines = source.split("\n")
    for lineno, wrong, right in FIXES[file]:
        line = lines[lineno - 1]
        if line.strip() != wrong:
            raise AssertionError(f"{file}:{lineno} reads {line.strip()!r}, FIXES expects {wrong!r}")
        lines[lineno - 1] = line[: len(line) - len(line.lstrip())] + right
    return "\n".join(lines)


# ----------------------------------------------------------------------------- parameter access

class Param:
    """get() returns a float64 copy (0-d for a Python float), set(v) installs a fresh copy."""

    def __init__(self, get, set_):
        self._get, self._set = get, set_

    def get(self):
        return np.array(self._get(), dtype=float)

    def set(self, value):
        self._set(value)


def attr(obj, name, scalar=False):
    if scalar:
        return Param(lambda: getattr(obj, name), lambda v: setattr(obj, name, float(v)))
    return Param(lambda: getattr(obj, name), lambda v: setattr(obj, name, np.array(v, dtype=float)))


def item(container, key):
    def set_(v):
        container[key] = np.array(v, dtype=float)
    return Param(lambda: container[key], set_)


def list_item(obj, list_name, i):
    def set_(v):
        getattr(obj, list_name)[i] = np.array(v, dtype=float)
    return Param(lambda: getattr(obj, list_name)[i], set_)


def step_gradients(params, step, lr):
    """Gradients read off one update: -(after - before) / lr; the parameters are restored."""
    before = {k: p.get() for k, p in params.items()}
    step()
    grads = {k: -(params[k].get() - before[k]) / lr for k in params}
    for k, p in params.items():
        p.set(before[k])
    return grads


# ----------------------------------------------------------------------------- the stated loss

def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def stated_loss(spec, output, target, weights, sizes):
    """spec: truth "loss"; output: what the code's forward returned; target: one-hot / 0-1 /
    integer labels; weights: the penalised arrays; sizes: {"m": batch size, "n": training-set
    size, "samples_axis": axis of output that runs over samples}."""
    kind, reduction = spec["kind"], spec["reduction"]
    output = np.asarray(output, dtype=float)
    if kind == "squared_error":
        per_entry = spec.get("factor", 1.0) * (output - target) ** 2
    elif kind == "binary_cross_entropy":
        per_entry = -(target * np.log(output) + (1 - target) * np.log(1 - output))
    elif kind == "softmax_cross_entropy":
        probs = softmax(output) if spec["forward_returns"] == "scores" else output
        per_entry = -np.log(probs[np.arange(len(target)), target])
    else:
        raise ValueError(kind)
    if reduction == "mean":
        data = per_entry.mean()
    elif reduction == "sum":
        data = per_entry.sum()
    elif reduction == "sum_over_outputs_mean_over_samples":
        data = per_entry.sum() / output.shape[sizes.get("samples_axis", 0)]
    else:
        raise ValueError(reduction)
    reg = spec.get("regularization")
    if reg and weights:
        scale = eval(reg["scale"], {"__builtins__": {}},
                     {"lam": sizes["lam"], "m": sizes.get("m"), "n": sizes.get("n")})
        data = data + scale * sum(np.sum(w ** 2) for w in weights)
    return float(data)


# ----------------------------------------------------------------------------- adapters
# Each adapter builds the problem through the file's API and returns a Problem.

class Problem:
    def __init__(self, params, loss, grads, own_loss=None):
        self.params = params      # name -> Param
        self.loss = loss          # () -> stated loss, through the code's forward
        self.grads = grads        # () -> name -> the code's gradient
        self.own_loss = own_loss  # () -> the code's own loss value, or None


def rng_for(cfg):
    return np.random.RandomState(cfg.get("seed", 0))


def with_reg(entry, cfg):
    return {"lam": cfg.get("lam", 0.0), "m": cfg.get("m"), "n": cfg.get("n"), "samples_axis": 0}


def adapt_cs231n(mod, entry, cfg):
    rng = rng_for(cfg)
    np.random.seed(cfg["seed"])
    net = mod.TwoLayerNet(cfg["D"], cfg["H"], cfg["C"], std=cfg["std"])
    X, y = rng.randn(cfg["m"], cfg["D"]), rng.randint(0, cfg["C"], cfg["m"])
    reg = cfg["lam"]
    params = {k: item(net.params, k) for k in ("W1", "b1", "W2", "b2")}

    def loss():
        return stated_loss(entry["loss"], net.loss(X), y, [net.params["W1"], net.params["W2"]],
                           with_reg(entry, cfg))
    return Problem(params, loss, lambda: net.loss(X, y, reg=reg)[1], lambda: net.loss(X, y, reg=reg)[0])


def adapt_dlai(mod, entry, cfg):
    rng = rng_for(cfg)
    np.random.seed(cfg["seed"])
    dims, m, lam = cfg["layer_dims"], cfg["m"], cfg.get("lam", 0.0)
    parameters = mod.initialize_parameters_deep(dims)
    X = rng.randn(dims[0], m)
    Y = (rng.rand(1, m) > 0.5).astype(float)
    L = len(dims) - 1
    names = [f"{p}{l}" for l in range(1, L + 1) for p in ("W", "b")]
    params = {k: item(parameters, k) for k in names}
    sizes = {"lam": lam, "m": m, "samples_axis": 1}

    def loss():
        AL, _ = mod.L_model_forward(X, parameters)
        return stated_loss(entry["loss"], AL, Y, [parameters[f"W{l}"] for l in range(1, L + 1)], sizes)

    def grads():
        AL, caches = mod.L_model_forward(X, parameters)
        if entry["loss"].get("regularization"):
            g = mod.L_model_backward_with_regularization(AL, Y, caches, lam)
        else:
            g = mod.L_model_backward(AL, Y, caches)
        return {k: g["d" + k] for k in names}

    def own():
        AL, _ = mod.L_model_forward(X, parameters)
        if entry["loss"].get("regularization"):
            return mod.compute_cost_with_regularization(AL, Y, parameters, lam)
        return mod.compute_cost(AL, Y)
    return Problem(params, loss, grads, own)


def adapt_raschka(mod, entry, cfg):
    rng = rng_for(cfg)
    F, Hd, K, m = cfg["features"], cfg["hidden"], cfg["classes"], cfg["m"]
    model = mod.NeuralNetMLP(F, Hd, K, random_seed=cfg["seed"])
    X, y = rng.randn(m, F), rng.randint(0, K, m)
    onehot = np.eye(K)[y]
    names = ("weight_out", "bias_out", "weight_h", "bias_h")  # the order backward returns
    params = {k: attr(model, k) for k in names}

    def loss():
        return stated_loss(entry["loss"], model.forward(X)[1], onehot, [], {})

    def grads():
        a_h, a_out = model.forward(X)
        return dict(zip(names, model.backward(X, a_h, a_out, y)))
    return Problem(params, loss, grads, lambda: mod.mse_loss(y, model.forward(X)[1], K))


def adapt_nnfs(mod, entry, cfg):
    rng = rng_for(cfg)
    np.random.seed(cfg["seed"])
    chain = [getattr(mod, cls)(*args) for cls, args in cfg["network"]]
    head = getattr(mod, cfg["loss_class"])()
    combined = hasattr(head, "activation")  # softmax + cross-entropy in one object
    m, n_in = cfg["m"], cfg["network"][0][1][0]
    X = rng.randn(m, n_in)
    if cfg["targets"] == "labels":
        y = rng.randint(0, cfg["classes"], m)
    else:
        y = (rng.rand(m, cfg["network"][-2][1][1]) > 0.5).astype(float)
    dense = [layer for layer in chain if hasattr(layer, "weights")]
    params = {}
    for i, layer in enumerate(dense, start=1):
        params[f"dense{i}.weights"] = attr(layer, "weights")
        params[f"dense{i}.biases"] = attr(layer, "biases")

    def forward():
        out = X
        for layer in chain:
            layer.forward(out)
            out = layer.output
        if combined:
            value = head.forward(out, y)
            return head.output, value
        return out, head.calculate(out, y)

    def loss():
        return stated_loss(entry["loss"], forward()[0], y, [], {})

    def grads():
        out, _ = forward()
        head.backward(out, y)
        d = head.dinputs
        for layer in reversed(chain):
            layer.backward(d)
            d = layer.dinputs
        return {f"dense{i}.{w}": getattr(layer, "d" + w)
                for i, layer in enumerate(dense, start=1) for w in ("weights", "biases")}
    return Problem(params, loss, grads, lambda: forward()[1])


def adapt_nielsen(mod, entry, cfg):
    rng = rng_for(cfg)
    np.random.seed(cfg["seed"])
    sizes = cfg["sizes"]
    net = mod.Network(sizes, cost=getattr(mod, cfg["cost"]))
    batch = []
    for _ in range(cfg["m"]):
        x = rng.randn(sizes[0], 1)
        batch.append((x, np.eye(sizes[-1])[:, [rng.randint(sizes[-1])]]))
    eta, lam, n = cfg["eta"], cfg["lam"], cfg["n"]
    params = {}
    for i in range(len(sizes) - 1):
        params[f"weights[{i}]"] = list_item(net, "weights", i)
        params[f"biases[{i}]"] = list_item(net, "biases", i)
    targets = np.hstack([y for _, y in batch]).T
    reg_sizes = {"lam": lam, "m": cfg["m"], "n": n, "samples_axis": 0}

    def loss():
        out = np.hstack([net.feedforward(x) for x, _ in batch]).T
        return stated_loss(entry["loss"], out, targets, net.weights, reg_sizes)

    def grads():
        return step_gradients(params, lambda: net.update_mini_batch(batch, eta, lam, n), eta)

    def own():
        data = sum(net.cost.fn(net.feedforward(x), y) for x, y in batch) / len(batch)
        return data + 0.5 * (lam / n) * sum(np.linalg.norm(w) ** 2 for w in net.weights)
    return Problem(params, loss, grads, own)


def adapt_online(mod, entry, cfg):
    rng = rng_for(cfg)
    net = mod.OnlineNet(cfg["n_in"], cfg["hidden"], cfg["n_out"], lr=cfg["lr"], seed=cfg["seed"])
    x, y = rng.randn(cfg["n_in"]), rng.rand(cfg["n_out"])
    params = {k: attr(net, k) for k in ("W1", "b1", "W2", "b2")}
    own_value = []

    def loss():
        return stated_loss(entry["loss"], net.forward(x), y, [], {})

    def grads():
        return step_gradients(params, lambda: own_value.append(net.train(x, y)), net.lr)

    def own():
        grads()
        return own_value[-1]
    return Problem(params, loss, grads, own)


def adapt_bias_trick(mod, entry, cfg):
    rng = rng_for(cfg)
    W1, W2 = mod.init(cfg["n_in"], cfg["hidden"], cfg["n_out"], seed=cfg["seed"])
    state = {"W1": W1, "W2": W2}
    X, Y = rng.randn(cfg["m"], cfg["n_in"]), rng.randn(cfg["m"], cfg["n_out"])
    params = {k: item(state, k) for k in ("W1", "W2")}
    lr = cfg["lr"]

    def loss():
        return stated_loss(entry["loss"], mod.forward(state["W1"], state["W2"], X)[3], Y, [], {})

    def step():
        state["W1"], state["W2"] = mod.step(state["W1"], state["W2"], X, Y, lr)
    return Problem(params, loss, lambda: step_gradients(params, step, lr),
                   lambda: mod.mse(state["W1"], state["W2"], X, Y))


def adapt_scalar(mod, entry, cfg):
    rng = rng_for(cfg)
    net = mod.ScalarNet()
    examples = [tuple(row) for row in rng.rand(cfg["m"], 4)]
    params = {f"w{i}": attr(net, f"w{i}", scalar=True) for i in range(1, 9)}
    lr = cfg["lr"]

    def loss():
        out = np.array([net.forward(i1, i2)[2:] for i1, i2, _, _ in examples])
        return stated_loss(entry["loss"], out, np.array([e[2:] for e in examples]), [], {})
    return Problem(params, loss, lambda: step_gradients(params, lambda: net.train(examples, lr), lr),
                   lambda: net.total_error(examples))


def adapt_activation_string(mod, entry, cfg):
    rng = rng_for(cfg)
    sizes = cfg["sizes"]
    model = mod.MLP(sizes, activation=cfg["activation"], lr=0.1, seed=cfg["seed"])
    X, Y = rng.randn(cfg["m"], sizes[0]), rng.randn(cfg["m"], sizes[-1])
    params = {}
    for i in range(len(sizes) - 1):
        params[f"weights[{i}]"] = list_item(model, "weights", i)
        params[f"biases[{i}]"] = list_item(model, "biases", i)

    def grads():
        gW, gb = model.backward(X, Y)
        out = {f"weights[{i}]": g for i, g in enumerate(gW)}
        out.update({f"biases[{i}]": g for i, g in enumerate(gb)})
        return out
    return Problem(params, lambda: stated_loss(entry["loss"], model.forward(X), Y, [], {}), grads,
                   lambda: model.loss(X, Y))


def adapt_class_update(mod, entry, cfg):
    """A class whose update method takes one step (BinaryClassifier.update, Regressor.train_step)."""
    rng = rng_for(cfg)
    cls = getattr(mod, entry["api"]["class"])
    model = cls(cfg["n_in"], cfg["hidden"], lr=cfg["lr"], seed=cfg["seed"])
    X = rng.randn(cfg["m"], cfg["n_in"])
    if entry["loss"]["kind"] == "binary_cross_entropy":
        Y = (rng.rand(cfg["m"], 1) > 0.5).astype(float)
    else:
        Y = rng.randn(cfg["m"], 1)
    forward = getattr(model, entry["api"]["forward_method"])
    update = getattr(model, entry["api"]["update_method"])
    own = getattr(model, entry["api"]["loss_method"])
    params = {k: attr(model, k) for k in ("W1", "b1", "W2", "b2")}
    return Problem(params, lambda: stated_loss(entry["loss"], forward(X), Y, [], {}),
                   lambda: step_gradients(params, lambda: update(X, Y), model.lr),
                   lambda: own(X, Y))


def adapt_adam(mod, entry, cfg):
    rng = rng_for(cfg)
    p = mod.init_params(cfg["n_in"], cfg["hidden"], cfg["classes"], seed=cfg["seed"])
    X, y, wd = rng.randn(cfg["m"], cfg["n_in"]), rng.randint(0, cfg["classes"], cfg["m"]), cfg["lam"]
    params = {k: item(p, k) for k in ("W1", "b1", "W2", "b2")}

    def loss():
        return stated_loss(entry["loss"], mod.forward(p, X)[1], y, [p["W1"], p["W2"]],
                           {"lam": wd})

    def grads():
        cache, probs = mod.forward(p, X)
        return mod.backward(p, cache, probs, X, y, wd)
    return Problem(params, loss, grads, lambda: mod.loss_fn(p, X, y, wd))


def adapt_momentum(mod, entry, cfg):
    rng = rng_for(cfg)
    net = mod.Net(cfg["n_in"], cfg["hidden"], seed=cfg["seed"])
    X, y = rng.randn(cfg["m"], cfg["n_in"]), (rng.rand(cfg["m"], 1) > 0.5).astype(float)
    params = {k: item(net.params, k) for k in ("W1", "b1", "W2", "b2")}

    def grads():
        net.forward(X)
        return net.backward(y)
    return Problem(params, lambda: stated_loss(entry["loss"], net.forward(X), y, [], {}), grads,
                   lambda: net.loss(X, y))


def adapt_label(mod, entry, cfg):
    rng = rng_for(cfg)
    p = mod.init(cfg["n_in"], cfg["hidden"], cfg["classes"], seed=cfg["seed"])
    X, y = rng.randn(cfg["m"], cfg["n_in"]), rng.randint(0, cfg["classes"], cfg["m"])
    params = {k: item(p, k) for k in ("W1", "b1", "W2", "b2")}
    return Problem(params, lambda: stated_loss(entry["loss"], mod.predict_proba(p, X)[1], y, [], {}),
                   lambda: mod.gradients(p, X, y), lambda: mod.cross_entropy(p, X, y))


ADAPTERS = {
    "cs231n_TwoLayerNet": adapt_cs231n,
    "dlai_functions": adapt_dlai,
    "raschka_NeuralNetMLP": adapt_raschka,
    "nnfs_layers": adapt_nnfs,
    "nielsen_network2": adapt_nielsen,
    "online_per_sample": adapt_online,
    "bias_trick_functions": adapt_bias_trick,
    "scalar_weights_2_2_2": adapt_scalar,
    "activation_string_class": adapt_activation_string,
    "class_update_method": adapt_class_update,
    "grads_dict_adam": adapt_adam,
    "class_grads_momentum": adapt_momentum,
    "functions_grads_dict": adapt_label,
}


# ----------------------------------------------------------------------------- comparison

def finite_differences(problem, name):
    p = problem.params[name]
    base = p.get()
    grad = np.zeros_like(base)
    for idx in np.ndindex(base.shape):
        for sign in (+1, -1):
            v = base.copy()
            v[idx] += sign * H
            p.set(v)
            grad[idx] += sign * problem.loss() / (2 * H)
    p.set(base)
    return grad


def relative_errors(problem):
    code = problem.grads()
    out = {}
    for name in problem.params:
        expected = finite_differences(problem, name)
        got = np.asarray(code[name], dtype=float).reshape(expected.shape)
        out[name] = float(np.linalg.norm(got - expected) / max(np.linalg.norm(expected), 1e-300))
    return out


def own_loss_error(problem):
    if problem.own_loss is None:
        return 0.0
    stated, own = problem.loss(), float(problem.own_loss())
    return abs(own - stated) / max(abs(stated), 1e-300)


def check_entry(entry):
    """Returns (rows, problems): one row per check config and per pass (as written / repaired)."""
    file, rows, problems = entry["file"], [], []
    adapter = ADAPTERS[entry["style"]]
    bug = entry["bug"]
    if bug:
        fix = FIXES.get(file)
        if not fix:
            problems.append("no FIXES entry")
        else:
            lines = (HERE / file).read_text().split("\n")
            first_line, wrong, right = fix[0]
            if first_line != bug["line"]:
                problems.append(f"FIXES line {first_line} != bug.line {bug['line']}")
            if lines[bug["line"] - 1].strip() != wrong:
                problems.append(f"line {bug['line']} is {lines[bug['line'] - 1].strip()!r}")
            if bug.get("should_be") != right:
                problems.append("bug.should_be differs from FIXES")
    passes = [("as written", False)] + ([("repaired", True)] if bug else [])
    for label, fixed in passes:
        mod = load(file, fixed=fixed)
        for cfg in entry["check"]:
            # a check config may state its own loss (one file checked with two cost classes)
            prob = adapter(mod, dict(entry, loss=cfg["loss"]) if "loss" in cfg else entry, cfg)
            errors = relative_errors(prob)
            own = own_loss_error(prob)
            expect_bad = set(bug["mismatched"]) if (bug and not fixed) else set()
            if set(errors) != set(entry["params"]):
                problems.append(f"params {sorted(errors)} != truth {entry['params']}")
            bad = {k for k, e in errors.items() if e > MISMATCH}
            unclear = {k for k, e in errors.items() if MATCH < e <= MISMATCH}
            ok = bad == expect_bad and not unclear and own < 1e-9
            if not ok:
                problems.append(f"{label} {cfg.get('name', '')}: mismatched {sorted(bad)}, expected "
                                f"{sorted(expect_bad)}, unclear {sorted(unclear)}, own-loss {own:.1e}")
            rows.append((file, label, cfg.get("name", ""), errors, own, ok))
    trap = entry.get("trap")
    if trap:  # at the trap's config the code's gradient is that of the trap's loss instead
        mod = load(file)
        cfg = trap["check"]
        trap_entry = dict(entry, loss=dict(entry["loss"], **trap["loss"]))
        errors = relative_errors(ADAPTERS[entry["style"]](mod, trap_entry, cfg))
        ok = all(e < MATCH for e in errors.values())
        if not ok:
            problems.append(f"trap: {errors}")
        rows.append((file, "trap", cfg.get("name", ""), errors, 0.0, ok))
    return rows, problems


def main():
    truth = json.loads((HERE / "truth.json").read_text())
    on_disk = sorted(p.name for p in HERE.glob("*.py") if not p.name.startswith("_"))
    listed = sorted(e["file"] for e in truth)
    failures = []
    if on_disk != listed:
        failures.append(f"truth.json lists {listed}, folder has {on_disk}")
    if sorted(FIXES) != sorted(e["file"] for e in truth if e["bug"]):
        failures.append("FIXES keys differ from the buggy entries")
    print(f"{'file':40s} {'pass':10s} {'cfg':6s} {'own loss':>9s}  relative error per parameter")
    for entry in truth:
        if entry["correct"] != (entry["bug"] is None):
            failures.append(f"{entry['file']}: correct and bug disagree")
        rows, problems = check_entry(entry)
        for file, label, name, errors, own, ok in rows:
            errs = "  ".join(f"{k}={v:.1e}" for k, v in errors.items())
            print(f"{'ok ' if ok else 'BAD'} {file:36s} {label:10s} {name:6s} {own:9.1e}  {errs}")
        failures += [f"{entry['file']}: {p}" for p in problems]
    n_bug = sum(1 for e in truth if e["bug"])
    print(f"\n{len(truth)} files: {len(truth) - n_bug} correct, {n_bug} with one mistake")
    if failures:
        print("\nDISAGREEMENTS:")
        for f in failures:
            print("  " + f)
        return 1
    print("all entries agree with truth.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
