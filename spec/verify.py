r"""Verify someone's backprop code against the spec, and say what is wrong with it.

Two entry points:

* `verify_class` drives a *seed-style* class (``__init__(input, hidden,
  output)``, attributes ``W1 (hidden, input)``, ``b1 (hidden, 1)``,
  ``W2 (output, hidden)``, ``b2 (output, 1)``, ``forward(X)`` with ``X`` of
  shape ``(features, samples)``, ``backward(X, y, learning_rate)`` updating
  the attributes in place) through many scenarios and compares its forward
  pass and its parameter updates with the spec's;
* `verify_gradient_function` checks a plain function
  ``(weights, biases, X, Y) -> (dW, db)`` (the layout of ``impl.Network``).

A correct update is exactly \(\Delta\theta = -\eta\,\partial L/\partial\theta\),
linear in the learning rate \(\eta\). So the class is run at several
architectures (the tutorial's 2-2-1 and sizes that all differ), several draws
(including large weights and targets far from the output), batches of several
samples and several learning rates. When an update does not match, the
implied gradient \(-\Delta\theta/\eta\) is compared with the gradients that
known mistakes would produce, and every mistake that explains *all*
scenarios is reported as the diagnosis.
"""

from __future__ import annotations

import functools
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from spec import sandbox
from spec.oracle import Oracle

#: Architectures (input, hidden, output): the tutorial's, then all-different sizes.
ARCHITECTURES = ((2, 2, 1), (3, 5, 2), (5, 3, 4))
LEARNING_RATES = (0.1, 0.5, 0.013)
#: A match means relative agreement to this (float64 code agrees to ~1e-15).
RTOL = 1e-7
PARAMS = ("W1", "b1", "W2", "b2")


class ShapeMismatch(Exception):
    """A parameter changed shape during ``backward``."""


class ProtocolError(Exception):
    """The file cannot be loaded, or the class does not follow the seed-style protocol (exit 2)."""


@dataclass
class Scenario:
    """One run: architecture, parameters, data, learning rate."""

    sizes: tuple
    W1: np.ndarray
    b1: np.ndarray
    W2: np.ndarray
    b2: np.ndarray
    X: np.ndarray  # (features, samples), as the seed-style class takes it
    y: np.ndarray  # (outputs, samples)
    lr: float
    label: str


@dataclass
class ParameterResult:
    name: str
    ok: bool
    rel_error: float
    worst: str
    expected: float
    actual: float


@dataclass
class Report:
    """The verdict: ``ok``, per-parameter results of the worst scenario, the diagnosis."""

    ok: bool
    activation: str
    loss: str
    reduction: str
    scenarios: int
    failed_scenario: str | None = None
    forward_ok: bool = True
    parameters: list[ParameterResult] = field(default_factory=list)
    diagnosis: list[str] = field(default_factory=list)
    error: str | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)

    def __str__(self) -> str:
        head = f"{self.activation} activation, {self.loss} loss, {self.reduction} over samples"
        if self.ok:
            return (
                f"PASS: forward pass and updates of W1, b1, W2, b2 match the spec in all "
                f"{self.scenarios} scenarios ({head})"
            )
        lines = [f"FAIL ({head})", f"  first failing scenario: {self.failed_scenario}"]
        if self.error:
            lines.append(f"  {self.error}")
        if not self.forward_ok:
            lines.append("  forward(X) differs from the spec's forward pass")
        if self.parameters:
            lines.append("  update of each parameter, expected -lr * dL/dparam from the spec:")
            for p in self.parameters:
                mark = "ok  " if p.ok else "BAD "
                lines.append(
                    f"    {mark}{p.name}: relative error {p.rel_error:.2e}; worst entry {p.worst}: "
                    f"expected {p.expected:+.6e}, got {p.actual:+.6e}"
                )
        if self.diagnosis:
            lines.append("  diagnosis:")
            lines += [f"    - {d}" for d in self.diagnosis]
        elif self.parameters or not self.forward_ok:
            lines.append("  diagnosis: no known mistake explains every scenario")
        return "\n".join(lines)


# --- loading: the user's file runs in a child process -------------------------------------


def _split_target(target: str) -> tuple[Path, str | None]:
    """``FILE.py[:CLASS]`` into the path and the class name (None when omitted)."""
    if not isinstance(target, str) or not target.strip():
        raise ProtocolError(f"FILE.py[:CLASS]: expected a file such as net.py or net.py:Net, got {target!r}")
    path_text, sep, name = target.rpartition(":")
    if not sep or not name.isidentifier() or "/" in name:
        path_text, name = target, None
    path = Path(path_text)
    if not path.is_file():
        raise ProtocolError(f"FILE.py[:CLASS]: no such file: {path}")
    return path, name


def _pick_class(module: dict, path: Path, name: str | None) -> str:
    classes = {n: c for n, c in module["classes"].items() if c["defined_here"]}
    if name is not None:
        if name not in module["classes"]:
            found = ", ".join(sorted(classes)) or "none"
            raise ProtocolError(f"{path} has no class named {name!r} (classes defined there: {found})")
        return name
    candidates = [n for n, c in classes.items() if "forward" in c["methods"] and "backward" in c["methods"]]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise ProtocolError(f"{path} defines no class with forward and backward methods; name one as {path}:CLASS")
    raise ProtocolError(f"{path} defines several candidate classes ({', '.join(sorted(candidates))}): name one as {path}:CLASS")


class SeedStyle:
    """Drives a seed-style class in the sandbox: attributes W1 b1 W2 b2, forward(X), backward(X, y, lr)."""

    def __init__(self, box: sandbox.Sandbox, cls: str, methods: dict):
        self.box, self.cls = box, cls
        missing = [m for m in ("forward", "backward") if "signature" not in methods.get(m, {})]
        if missing:
            raise ProtocolError(f"{cls} has no method {' or '.join(missing)}")
        init = methods.get("__init__", {}).get("signature")
        if init is not None and not _binds(init[1:], 3):
            names = ", ".join(p["name"] for p in init[1:])
            raise ProtocolError(
                f"{cls}(input_size, hidden_size, output_size) cannot be called with three sizes: "
                f"its __init__ takes ({names})"
            )

    def new(self, sizes) -> int:
        i, h, o = sizes
        return self.box.new(self.cls, [i, h, o], what=f"{self.cls}({i}, {h}, {o})")

    def get(self, handle, sizes) -> dict:
        try:
            arrays = self.box.get(handle, [[{"attr": p}] for p in PARAMS], what=f"reading {', '.join(PARAMS)}")
        except sandbox.RequestFailed as err:
            i, h, o = sizes
            raise ProtocolError(f"{self.cls}({i}, {h}, {o}): {err} (needs W1 b1 W2 b2 as arrays)") from None
        return dict(zip(PARAMS, arrays))

    def set(self, handle, params: dict) -> None:
        self.box.set(
            handle, [[{"attr": p}] for p in PARAMS], [params[p] for p in PARAMS], what=f"setting {', '.join(PARAMS)}"
        )

    def forward(self, handle, X) -> np.ndarray:
        value, arrays = self.box.call(
            handle, "forward", [{"array": 0}], [X], what=f"{self.cls}.forward(X) with X of shape {X.shape}"
        )
        if value.get("kind") != "array":
            raise ShapeMismatch(f"forward(X) returned {_kind(value)}, expected an array of shape (outputs, samples)")
        return arrays[value["index"]]

    def step(self, handle, X, y, lr) -> None:
        self.box.call(
            handle, "backward", [{"array": 0}, {"array": 1}, lr], [X, y],
            what=f"{self.cls}.backward(X, y, {lr}) with y of shape {y.shape}",
        )


def _binds(params: list[dict], n: int) -> bool:
    """Whether a signature (without self) accepts ``n`` positional arguments."""
    positional = [p for p in params if p["kind"] in ("POSITIONAL_ONLY", "POSITIONAL_OR_KEYWORD")]
    if any(p["kind"] == "VAR_POSITIONAL" for p in params):
        return sum(not p["has_default"] for p in positional) <= n
    required = sum(not p["has_default"] for p in positional)
    keyword_only_required = any(p["kind"] == "KEYWORD_ONLY" and not p["has_default"] for p in params)
    return required <= n <= len(positional) and not keyword_only_required


def _kind(value: dict) -> str:
    """What a call returned, in words, from the sandbox's description of it."""
    kind = value.get("kind")
    if kind == "other":
        return f"a {value.get('type')}"
    if kind == "None":
        return "None"
    if kind == "too large":
        return f"an array of {value.get('size')} values (too large to be the output)"
    return f"a {kind}"


# --- scenarios ---------------------------------------------------------------------


def scenarios(loss: str, seed: int = 0) -> list[Scenario]:
    """Architectures x draws x learning rates, each with a batch of several samples."""
    rng = np.random.default_rng(seed)
    out = []
    for sizes in ARCHITECTURES:
        i, h, o = sizes
        for draw, (scale, far) in enumerate([(1.0, False), (4.0, False), (1.0, True)]):
            n = (4, 7, 5)[draw]
            W1, b1 = scale * rng.normal(size=(h, i)), scale * rng.normal(size=(h, 1))
            W2, b2 = scale * rng.normal(size=(o, h)), scale * rng.normal(size=(o, 1))
            X = rng.normal(size=(i, n))
            if loss == "bce" or not far:
                y = rng.uniform(size=(o, n))
            else:
                y = rng.choice([-2.0, 3.0], size=(o, n))  # far outside the output's range
            if far and loss == "bce":
                y = rng.choice([0.0, 1.0], size=(o, n))
            kind = ("moderate weights", "large weights", "targets far from the output")[draw]
            for lr in LEARNING_RATES:
                out.append(
                    Scenario(sizes, W1, b1, W2, b2, X, y, lr, f"sizes {i}-{h}-{o}, {kind}, {n} samples, lr {lr}")
                )
    return out


# --- the spec's expectations and the known mistakes ---------------------------------------


def _act_functions(oracle: Oracle):
    hidden, output = oracle.hidden, oracle.output
    return hidden.numpy_f, hidden.numpy_df, output.numpy_f, output.numpy_df


def spec_gradients(oracle: Oracle, s: Scenario):
    """dL/dW1, dL/db1, dL/dW2, dL/db2 from the spec, in the seed's shapes."""
    (dW1, dW2), (db1, db2) = oracle.gradients([s.W1, s.W2], [s.b1.ravel(), s.b2.ravel()], s.X.T, s.y.T)
    return {"W1": dW1, "b1": db1.reshape(-1, 1), "W2": dW2, "b2": db2.reshape(-1, 1)}


def _variant(
    oracle: Oracle, s: Scenario, *, d_hidden=None, d_output=None, bias1="sum", bias2="sum", stale=False, scale=1.0
):
    """Backprop with one deliberate mistake, in the seed's column layout.

    ``d_hidden(z, a)`` / ``d_output(z, a)`` replace f'(z); ``bias1``/``bias2`` say how
    each layer's bias gradient reduces the batch; ``stale`` computes layer 1 with the
    already-updated W2; ``scale`` multiplies delta(2).
    """
    f, df, g, dg = _act_functions(oracle)
    z1 = s.W1 @ s.X + s.b1
    a1 = f(z1)
    z2 = s.W2 @ a1 + s.b2
    a2 = g(z2)
    N = s.X.shape[1]
    mean = oracle.reduction == "mean"
    if oracle.loss.name == "bce" and oracle.output.name == "sigmoid" and d_output is None:
        delta2 = a2 - s.y
    else:
        dl_da = (a2 - s.y) if oracle.loss.name == "mse" else (a2 - s.y) / (a2 * (1 - a2))
        delta2 = dl_da * (dg(z2) if d_output is None else d_output(z2, a2))
    delta2 = delta2 * scale / (N if mean else 1)
    dW2 = delta2 @ a1.T
    W2 = s.W2 - s.lr * dW2 if stale else s.W2
    delta1 = (W2.T @ delta2) * (df(z1) if d_hidden is None else d_hidden(z1, a1))
    dW1 = delta1 @ s.X.T

    def reduce(d, bias):
        if bias == "sum":
            return d.sum(axis=1, keepdims=True)
        if bias == "mean":
            return d.mean(axis=1, keepdims=True)
        if bias == "first":
            return d[:, :1]
        return np.full((d.shape[0], 1), d.sum())  # "all": summed over outputs too

    return {"W1": dW1, "b1": reduce(delta1, bias1), "W2": dW2, "b2": reduce(delta2, bias2)}


def _mistakes(oracle: Oracle):
    """(diagnosis, gradient function of a scenario) for each known mistake."""
    act, out = oracle.hidden, oracle.output
    mistakes = []
    g_h, g_o = act.output_form, out.output_form
    if g_h is not None or g_o is not None:
        from sympy import lambdify

        from spec.activations import a as a_symbol

        gh = None if g_h is None else lambdify(a_symbol, g_h, modules=["scipy", "numpy"])
        go = None if g_o is None else lambdify(a_symbol, g_o, modules=["scipy", "numpy"])
        both = {}
        if gh is not None:
            both["d_hidden"] = lambda z, a_: np.broadcast_to(gh(z), z.shape)
        if go is not None:
            both["d_output"] = lambda z, a_: np.broadcast_to(go(z), z.shape)
        mistakes.append((
            f"the output-form derivative (for {act.name}: g(a) = {g_h}) is applied to z instead of to the "
            "layer's output a: e.g. sigmoid_derivative(z) = z * (1 - z); pass it the activation a = f(z)",
            lambda s, kw=both: _variant(oracle, s, **kw),
        ))
    mistakes.append((
        "the derivative f'(z) is evaluated at the layer's output a instead of at z (e.g. "
        "sigmoid(a) * (1 - sigmoid(a))): either use f'(z), or the output form g(a) = a (1 - a)",
        lambda s: _variant(
            oracle, s, d_hidden=lambda z, a_: act.numpy_df(a_), d_output=lambda z, a_: out.numpy_df(a_)
        ),
    ))
    one = lambda z, a_: np.ones_like(z)  # noqa: E731
    mistakes += [
        ("the activation derivative is missing in the output error: delta2 must be dL/da2 * f'(z2)",
         lambda s: _variant(oracle, s, d_output=one)),
        ("the activation derivative is missing in the hidden error: delta1 must be W2^T delta2 * f'(z1)",
         lambda s: _variant(oracle, s, d_hidden=one)),
        ("the activation derivative is missing in both error terms", lambda s: _variant(oracle, s, d_hidden=one, d_output=one)),
    ]
    wrong_bias = {
        "mean": "averaged over the batch while the weights' are summed: sum delta over samples (axis=1)",
        "first": "taken from the first sample only: sum delta over all samples (axis=1, keepdims=True)",
        "all": "summed over outputs as well as samples (np.sum without axis=1)",
    }
    for how, text in wrong_bias.items():
        for layers, which in (("b1 and b2", ("bias1", "bias2")), ("b1", ("bias1",)), ("b2", ("bias2",))):
            kw = {k: how for k in which}
            mistakes.append((
                f"the biases' gradients ({layers}) are {text}", lambda s, kw=kw: _variant(oracle, s, **kw)
            ))
    mistakes += [
        ("the hidden layer's update uses W2 after it was already updated: compute delta1 before changing W2",
         lambda s: _variant(oracle, s, stale=True)),
    ]
    return mistakes


def _close(actual: dict, expected: dict) -> bool:
    return all(
        np.shape(actual[p]) == np.shape(expected[p])
        and np.max(np.abs(actual[p] - expected[p])) <= RTOL * max(np.max(np.abs(expected[p])), 1e-12)
        for p in PARAMS
    )


def _ratios(implied: dict, expected: dict) -> dict:
    """Per parameter, the least-squares factor c with implied ~ c * expected, if it fits to 1e-6."""
    out = {}
    for p in PARAMS:
        e, i = np.ravel(expected[p]), np.ravel(implied[p])
        if e.shape != i.shape or not np.any(e):
            out[p] = None
            continue
        c = float(e @ i / (e @ e))
        out[p] = c if np.max(np.abs(i - c * e)) <= 1e-6 * np.max(np.abs(i)) + 1e-15 else None
    return out


def _scale_diagnosis(all_ratios: list[dict], scenario_list) -> list[str]:
    """Name a constant factor that explains every scenario, globally or in one layer."""
    if not all_ratios or any(r[p] is None for r in all_ratios for p in PARAMS):
        return []
    per_param = {p: [r[p] for r in all_ratios] for p in PARAMS}
    N = [s.X.shape[1] for s in scenario_list]

    def constant(values):
        return np.allclose(values, values[0], rtol=1e-6)

    if all(constant(v) for v in per_param.values()):
        cs = {p: per_param[p][0] for p in PARAMS}
        if np.allclose(list(cs.values()), cs["W1"], rtol=1e-6):
            c = cs["W1"]
            if np.isclose(c, -1):
                return ["every update has the wrong sign: the parameters move up the gradient "
                        "(use param -= lr * gradient)"]
            return [f"every gradient is {c:.6g} times the spec's (a constant factor, e.g. a missing or "
                    "extra 1/2 in the loss, or a learning rate scaled inside backward)"]
        layer1 = np.isclose(cs["W1"], cs["b1"], rtol=1e-6)
        layer2 = np.isclose(cs["W2"], cs["b2"], rtol=1e-6)
        if layer1 and layer2:
            for layer, c, other in ((1, cs["W1"], cs["W2"]), (2, cs["W2"], cs["W1"])):
                if np.isclose(other, 1) and not np.isclose(c, 1):
                    return [f"the gradients of layer {layer} only (W{layer}, b{layer}) are {c:.6g} times the spec's: "
                            f"a constant factor in that layer's error term"]
    # a factor that follows the batch size: mean versus sum
    for p in PARAMS:
        if not np.allclose(np.array(per_param[p]) * np.array(N), 1, rtol=1e-6):
            break
    else:
        return ["every gradient is 1/N of the spec's for N samples: the code averages the loss over the "
                "batch (a mean) where the spec sums it; use --reduction mean if that is what you intend"]
    for p in PARAMS:
        if not np.allclose(np.array(per_param[p]) / np.array(N), 1, rtol=1e-6):
            break
    else:
        return ["every gradient is N times the spec's for N samples: the code sums over the batch where the "
                "spec averages (--reduction mean); use --reduction sum if that is what you intend"]
    return []


# --- driving a seed-style class ---------------------------------------------------------


@functools.lru_cache(maxsize=None)
def _oracle(sizes, activation, loss, reduction) -> Oracle:
    return Oracle(sizes, activation, activation, loss, reduction)



def _worst(name, actual, expected):
    err = np.abs(actual - expected)
    k = np.unravel_index(int(np.argmax(err)), err.shape)
    rel = float(np.max(err) / max(np.max(np.abs(expected)), 1e-300))
    return ParameterResult(
        name, rel <= RTOL, rel, f"{name}[{', '.join(map(str, k))}]", float(expected[k]), float(actual[k])
    )


def _run(driver: SeedStyle, s: Scenario):
    """Drive one scenario: (forward output, updates); raises with what the code did."""
    handle = driver.new(s.sizes)
    start = {p: getattr(s, p) for p in PARAMS}
    driver.set(handle, start)
    out = driver.forward(handle, s.X)
    driver.step(handle, s.X, s.y, s.lr)
    after = driver.get(handle, s.sizes)
    updates = {}
    for p in PARAMS:
        if after[p].shape != start[p].shape:
            raise ShapeMismatch(
                f"after backward, {p} has shape {after[p].shape}, expected {start[p].shape}: backward must "
                "update the parameters in place, keeping their shapes"
            )
        updates[p] = after[p] - start[p]
    return out, updates


def _check_shapes(driver: SeedStyle) -> None:
    """The parameters of ``CLASS(2, 3, 1)`` must have the seed-style shapes."""
    handle = driver.new((2, 3, 1))
    params = driver.get(handle, (2, 3, 1))
    shapes = {"W1": (3, 2), "b1": (3, 1), "W2": (1, 3), "b2": (1, 1)}
    for p, shape in shapes.items():
        if params[p].shape != shape:
            raise ProtocolError(f"{driver.cls}(2, 3, 1).{p} has shape {params[p].shape}, expected {shape}")


def verify_file(target: str, activation="sigmoid", loss="mse", reduction="sum", seed=0, timeout=20.0) -> Report:
    """Check the seed-style class of ``FILE.py[:CLASS]`` against the spec, running it in a child process.

    The file is imported in a `spec.sandbox.Sandbox` (never in this process), with
    ``timeout`` seconds for everything it runs. What the code does wrong while
    being driven (raising, exiting, hanging, wrong shapes) is a failed report;
    what stops it from being driven at all is a `ProtocolError`.

    Raises:
        ProtocolError: the file cannot be imported, has no such class, or the
            class does not follow the seed-style protocol.
    """
    path, name = _split_target(target)
    with sandbox.Sandbox(path, timeout=timeout) as box:
        try:
            module = box.load(what=f"importing {path.name}")
        except sandbox.SandboxError as err:
            raise ProtocolError(f"importing {path} {err}") from None
        cls = _pick_class(module, path, name)
        driver = SeedStyle(box, cls, module["classes"][cls]["methods"])
        try:
            _check_shapes(driver)
        except sandbox.SandboxError as err:
            raise ProtocolError(f"{err.request} {err}") from None
        return _verify_driver(driver, activation, loss, reduction, seed)


def _verify_driver(driver: SeedStyle, activation, loss, reduction, seed) -> Report:
    report = Report(True, activation, loss, reduction, 0)
    runs = []  # (scenario, implied gradients, spec gradients, forward ok)
    for s in scenarios(loss, seed):
        oracle = _oracle(s.sizes, activation, loss, reduction)
        report.scenarios += 1
        try:
            out, updates = _run(driver, s)
        except ShapeMismatch as err:
            return _stop(report, s, str(err))
        except sandbox.UserError as err:
            return _stop(report, s, f"{err.request} {err}; valid input at this architecture must work")
        except sandbox.SandboxError as err:
            return _stop(report, s, f"{err.request} {err}")
        expected_out = oracle.forward([s.W1, s.W2], [s.b1.ravel(), s.b2.ravel()], s.X.T).T
        forward_ok = out.shape == expected_out.shape and np.allclose(out, expected_out, rtol=1e-9, atol=1e-12)
        expected = spec_gradients(oracle, s)
        implied = {p: -updates[p] / s.lr for p in PARAMS}
        runs.append((s, implied, expected, forward_ok))
        if report.ok and (not forward_ok or not _close(implied, expected)):
            report.ok = False
            report.failed_scenario = s.label
            report.forward_ok = forward_ok
            report.parameters = [_worst(p, updates[p], -s.lr * expected[p]) for p in PARAMS]
    if report.ok:
        return report
    if not all(run[3] for run in runs):
        report.diagnosis.append(
            "forward(X) differs from the spec's forward pass (z = W a + b, a = f(z) in each layer); "
            "the updates cannot be judged until it matches"
        )
        return report
    # The known mistakes that explain every scenario, the passing ones included.
    explained = []
    for text, gradient in _mistakes(Oracle((2, 2, 1), activation, activation, loss, reduction)):
        try:
            if all(_close(implied, gradient(s)) for s, implied, _, _ in runs):
                explained.append(text)
        except (ValueError, FloatingPointError):
            continue
    failures = [run for run in runs if not _close(run[1], run[2])]
    ratios = [_ratios(implied, expected) for _, implied, expected, _ in failures]
    report.diagnosis = explained or _scale_diagnosis(ratios, [run[0] for run in failures])
    return report


def _stop(report: Report, s: Scenario, error: str) -> Report:
    """The code misbehaved in scenario ``s``: a failure that names that scenario with the error.

    If an earlier scenario already mismatched, its table stays with its own
    label and this error is reported as a second finding, with its own.
    """
    if report.ok:
        report.ok, report.failed_scenario, report.error = False, s.label, error
        report.parameters = []
    else:
        report.error = f"later, in scenario {s.label}: {error}"
    return report


# --- a plain gradient function -----------------------------------------------------------


def verify_gradient_function(
    fn, sizes=(2, 2, 1), activation="sigmoid", output_activation=None, loss="mse", reduction="sum", seed=0, draws=5
) -> Report:
    r"""Check ``fn(weights, biases, X, Y) -> (dW, db)`` against the spec.

    ``weights[l-1]`` has shape ``(n_l, n_{l-1})``, ``biases[l-1]`` shape ``(n_l,)``,
    ``X`` shape ``(samples, features)``, ``Y`` shape ``(samples, outputs)``; ``dW``
    and ``db`` are lists of the same shapes. ``draws`` random parameter and data
    sets are tried (moderate and large weights).
    """
    output_activation = output_activation or activation
    oracle = Oracle(sizes, activation, output_activation, loss, reduction)
    rng = np.random.default_rng(seed)
    report = Report(True, activation, loss, reduction, 0)
    for draw in range(draws):
        scale = 1.0 if draw % 2 == 0 else 3.0
        weights = [scale * rng.normal(size=(m, n)) for n, m in zip(sizes[:-1], sizes[1:])]
        biases = [scale * rng.normal(size=m) for m in sizes[1:]]
        X = rng.normal(size=(4 + draw, sizes[0]))
        Y = rng.uniform(size=(4 + draw, sizes[-1]))
        report.scenarios += 1
        label = f"draw {draw}: sizes {'-'.join(map(str, sizes))}, weight scale {scale}, {X.shape[0]} samples"
        dW_spec, db_spec = oracle.gradients(weights, biases, X, Y)
        try:
            dW, db = fn([w.copy() for w in weights], [b.copy() for b in biases], X.copy(), Y.copy())
            got = {f"dW[{l + 1}]": np.asarray(g, float) for l, g in enumerate(dW)}
            got |= {f"db[{l + 1}]": np.asarray(g, float) for l, g in enumerate(db)}
        except Exception as err:
            report.ok, report.failed_scenario = False, label
            report.error = f"raised {type(err).__name__}: {err}"
            return report
        want = {f"dW[{l + 1}]": g for l, g in enumerate(dW_spec)} | {f"db[{l + 1}]": g for l, g in enumerate(db_spec)}
        results = []
        for name, expected in want.items():
            actual = got.get(name)
            if actual is None or actual.shape != expected.shape:
                report.ok, report.failed_scenario = False, label
                report.error = f"{name} has shape {None if actual is None else actual.shape}, expected {expected.shape}"
                return report
            results.append(_worst(name, actual, expected))
        if not all(r.ok for r in results):
            report.ok, report.failed_scenario, report.parameters = False, label, results
            ratios = {r.name: None for r in results}
            for name, expected in want.items():
                e, i = expected.ravel(), got[name].ravel()
                if np.any(e):
                    c = float(e @ i / (e @ e))
                    if np.max(np.abs(i - c * e)) <= 1e-6 * max(np.max(np.abs(i)), 1e-300):
                        ratios[name] = c
            values = [c for c in ratios.values() if c is not None]
            if len(values) == len(ratios) and np.allclose(values, values[0], rtol=1e-6):
                c = values[0]
                N = X.shape[0]
                if np.isclose(c, 1 / N):
                    report.diagnosis.append("every gradient is 1/N of the spec's: a mean over samples where the spec sums")
                elif np.isclose(c, N):
                    report.diagnosis.append("every gradient is N times the spec's: a sum over samples where the spec averages")
                elif np.isclose(c, -1):
                    report.diagnosis.append("every gradient has the wrong sign")
                else:
                    report.diagnosis.append(f"every gradient is {c:.6g} times the spec's")
            return report
    return report
