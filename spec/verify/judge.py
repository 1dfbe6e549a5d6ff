r"""Verify someone's backprop code against the spec, and say what is wrong with it.

`verify_file` reads a class in whatever style it is written (`spec.verify.discover`:
its parameters, layout, depth, methods and learning rate), runs it in a child
process (`spec.verify.sandbox`) through scenarios at several architectures, and
compares what it does with the spec:

1. **Forward pass.** The output must be the spec's
   \(a^{(D)}\) for some registered activations, hidden (elementwise) and
   output (softmax too: outputs that are probability vectors equal to
   softmax(z)); which ones is *found*, not assumed (or pinned with ``activation``).
2. **Update.** A correct step changes every parameter by exactly
   \(\Delta\theta = -\eta\, c\, \partial L/\partial\theta\), where \(L\) is
   the summed loss of an entry of `spec.losses` whose declared requirement
   the output meets (every one is searched, `spec.losses.names()`) and \(c\)
   the factor of the code's convention (`factors`): 1 for the loss as its
   entry writes it, without the entry's constant (2 for mse: the whole sum
   of squares), \(1/o\) for a mean over the \(o\) outputs, times \(1/N\) for
   a mean over the \(N\) samples; or one step per sample in turn. The
   convention that explains *every* scenario is named in the verdict. With
   a learning rate written into the code, \(\eta c\) is measured and must be
   the same constant throughout. Outputs on the probability simplex get
   probability vectors as targets (one-hot and soft), code that takes
   integer class labels gets one-hot targets as labels.
3. **Diagnosis.** When nothing matches, every known mistake is tried as a
   variant of the spec's recurrence (`spec.verify.recurrence`) at every layer, and
   those that explain every scenario, the passing ones included, are named
   with the layer and the fix; failing that, the ratio of the code's update
   to the spec's, per layer, names a constant factor, a sign or a mean.

`verify_gradient_function` checks a plain function in this process (for
code one trusts, from Python).
"""

from __future__ import annotations

import functools
import json
import re
import dataclasses
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from spec import activations as spec_activations
from spec import losses as spec_losses
from impl import _ratio
from spec.verify import sandbox, text
from spec.verify import discover
from spec.verify import locate, observe
from spec.verify import recurrence as vm
from spec.verify.describe import describe
from spec.verify.families import (  # noqa: F401  (re-exported: the judge's words)
    LOSS_WORDS,
    _closed_text,
    _targets,
    accepted_families,
    loss_words,
    same_error_without_slope,
)
from spec.oracle import Oracle

#: A match means relative agreement to this (float64 code agrees to ~1e-15).
RTOL = 1e-7
#: Learning rates per draw: this many, log-uniform in this range, drawn from the seed (not fixed
#: constants an implementation could single out).
LEARNING_RATES, LR_RANGE = 3, (0.01, 0.6)
#: Draws per architecture: (label, weight scale, samples, 0/1 targets).
DRAWS = (
    ("moderate weights", 1.0, 1, False),
    ("moderate weights", 1.0, 4, False),
    ("large weights", 3.0, 5, False),
    ("0/1 targets", 1.0, 6, True),
    ("a larger batch", 1.0, 33, False),
)
REDUCTIONS = ("sum", "mean")


class ProtocolError(Exception):
    """The file cannot be loaded, or its code cannot be driven (exit 2)."""


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
    """The verdict, how the code was read, the convention found, and what is wrong."""

    ok: bool
    activation: str
    loss: str
    reduction: str
    scenarios: int
    discovery: list[str] = field(default_factory=list)
    convention: str | None = None
    failed_scenario: str | None = None
    forward_ok: bool = True
    parameters: list[ParameterResult] = field(default_factory=list)
    diagnosis: list[str] = field(default_factory=list)
    error: str | None = None
    output_lines: int = 0
    quantity: str = "update"  # what the table compares: "update", or "gradient" for code that returns them
    undecided: bool = False  # the code could be read but not judged (its forward pass matches no registered activations)
    why_undecided: str | None = None  # another reason it could not be judged (the checker ran out of time)
    located: list[str] = field(default_factory=list)  # the line where the code departs from the spec (`locate`)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)

    @property
    def findings(self) -> list[str]:
        """What is wrong, in words: the code's misbehaviour, the diagnosis, and where the code departs (empty on PASS)."""
        return [*([self.error] if self.error else []), *self.diagnosis, *self.located]

    def _repr_html_(self) -> str:
        """The report in a notebook: the verdict as a heading, the rest as the command line prints it."""
        import html

        head, *rest = str(self).splitlines()  # already escaped: the user's text adds no line and moves no cursor
        colour = "#1b5e20" if self.ok else "#8a6d00" if self.undecided else "#b71c1c"
        return (f'<div class="backprop-spec-report"><p style="font-weight:bold;color:{colour}">{html.escape(head)}</p>'
                f"<pre>{html.escape(chr(10).join(rest))}</pre></div>")

    def __str__(self) -> str:
        lines = []
        if self.discovery:
            lines.append("read the code as:")
            lines += [f"  {line}" for line in self.discovery]
        if self.ok:
            lines.insert(0, f"PASS: {self.convention} (all {self.scenarios} scenarios)")
            return _shown(lines)
        if self.undecided:
            head = f"cannot judge: {self.why_undecided or 'the forward pass matches no registered activations'}"
        elif not self.forward_ok:
            head = "the forward pass is not the spec's"
        elif self.error:
            head = "the code misbehaved"
        else:
            head = f"{self.activation}: the {'gradients' if 'gradient' in self.loss else 'updates'} are not the spec's"
        lines.insert(0, f"{'UNDECIDED' if self.undecided else 'FAIL'}: {head}")
        if self.failed_scenario:
            lines.append(f"first failing scenario: {self.failed_scenario}")
        if self.error:
            lines.append(f"  {self.error}")
        if not self.forward_ok:
            lines.append("  the forward pass differs from the spec's")
        if self.parameters:
            lines.append(f"  in that scenario, each parameter's {self.quantity} against the spec's for {self.loss}:")
            for p in self.parameters:
                mark = "ok  " if p.ok else "BAD "
                lines.append(
                    f"    {mark}{p.name}: relative error {p.rel_error:.2e}; worst entry {p.worst}: "
                    f"expected {p.expected:+.6e}, got {p.actual:+.6e}"
                )
        if self.diagnosis:
            lines.append("  diagnosis:")
            lines += [f"    - {d}" for d in self.diagnosis]
        if self.located:
            lines.append("  where the code departs from the spec:")
            lines += [f"    - {d}" for d in self.located]
        return _shown(lines)


def _shown(lines: list[str]) -> str:
    """The report's lines joined, each escaped: text from the user's code never adds a line or moves the cursor."""
    return "\n".join(text.escape(line, limit=10**6) for line in lines)


# --- scenarios --------------------------------------------------------------------------------


@dataclass
class Observation:
    """One scenario as driven: the parameters set, the data, what came back (math layout)."""

    label: str
    arch: tuple
    before: dict
    X: np.ndarray
    Y: np.ndarray
    lr: float | None
    output: np.ndarray
    after: dict  # parameters after the step, or the gradients returned
    loss_value: float | None = None  # the loss the step returned with its gradients (``(loss, grads)``)

    @property
    def N(self) -> int:
        return self.X.shape[1]


#: What the targets of the scenarios are: values in (0, 1) per entry (and 0/1), probability vectors
#: (one-hot and soft, for outputs on the simplex), or one-hot vectors handed to code that takes
#: integer class labels (`spec.verify.discover.Binding.targets`).
TARGETS = ("values", "simplex", "labels")




def _scenario_inputs(arch, params, seed, lr_known, targets="values"):
    """``(label, before, X, Y, lr)`` for every draw and learning rate at one architecture.

    The parameters, inputs and learning rates are the same whatever ``targets``
    (`TARGETS`) is; probability targets come from a stream of their own.
    """
    rng = np.random.default_rng([seed, *arch])
    trng = np.random.default_rng([seed, *arch, 1])
    out = []
    for k, (label, scale, N, far) in enumerate(DRAWS):
        before = discover.random_params(params, arch, rng, scale)
        X = rng.normal(size=(arch[0], N))
        Y = _targets(rng, "values", arch[-1], N, far=far)
        if targets != "values":
            # one-hot for one sample, large weights and the 0/1 draw; soft, or mixed in the large batch
            soft = targets == "simplex" and not far and N > 1 and scale == 1.0 and ("mixed" if N > 20 else True)
            Y = _targets(trng, targets, arch[-1], N, soft=soft)
            label = label.replace("0/1 targets", "one-hot targets")
            label += {"labels": ", integer labels", "simplex": ""}[targets]
            if targets == "simplex" and soft:
                label += ", one-hot and soft targets" if soft == "mixed" else ", soft targets"
        lrs = np.exp(rng.uniform(*np.log(LR_RANGE), LEARNING_RATES)).round(4) if lr_known else (None,)
        for lr in lrs:
            lr = None if lr is None else float(lr)
            shown = f", lr {lr:g}" if lr is not None else ""
            out.append((f"sizes {'-'.join(map(str, arch))}, {label}, {N} sample{'s' if N > 1 else ''}{shown}",
                        before, X, Y, lr))
    return out


def _on_simplex(output) -> bool:
    """Whether every sample's outputs are a probability vector (softmax): in [0, 1], summing to 1 over 2+ units."""
    return (output.ndim == 2 and output.shape[0] > 1 and bool(np.all(np.isfinite(output)))
            and bool(np.all(output >= 0)) and float(np.max(np.abs(output.sum(axis=0) - 1))) <= 1e-9)


def _run_all(driver: discover.Driver, b: discover.Binding, seed: int, report: Report,
             targets_as: str | None = None) -> list[Observation] | None:
    """Drive every scenario; on misbehaviour, record it in ``report`` and return None.

    Targets are values in (0, 1) unless the code takes integer labels; when the
    first scenario at an architecture shows outputs on the probability simplex
    (softmax), its scenarios are driven again with probability vectors as
    targets, as cross-entropy's a - y presumes.
    """
    observations = []
    said = False
    for arch in b.archs:
        targets = "labels" if b.targets == "labels" else (targets_as or "values")
        inputs = _scenario_inputs(arch, b.params[arch], seed, b.lr_known or b.step_returns_gradients, targets)
        k = 0
        while k < len(inputs):
            label, before, X, Y, lr = inputs[k]
            report.scenarios += 1
            try:
                out, after = driver.run(b, arch, before, X, Y, lr)
            except discover.ShapeChanged as err:
                _stop(report, label, str(err))
                if err.param is not None:  # the step to run again with its lines recorded (`_locate_driven`)
                    report.reshaped = (err.param, tuple(err.shape), arch, before, X, Y, lr)
                return None
            except sandbox.UserError as err:
                _stop(report, label, f"{err.request} {err}; valid input at this architecture must work")
                report.diagnosis += _shape_hint(str(err), X.shape[1])
                report.located = _raised_at(err, b)
                return None
            except sandbox.SandboxError as err:
                _stop(report, label, f"{err.request} {err}")
                return None
            if k == 0 and targets == "values" and targets_as is None and _on_simplex(out):
                targets = "simplex"
                inputs = _scenario_inputs(arch, b.params[arch], seed, b.lr_known or b.step_returns_gradients, targets)
                report.scenarios -= 1
                if not said:
                    report.discovery.append("outputs: a probability vector per sample (they sum to 1 over the units): "
                                            "the targets given are probability vectors too, one-hot and soft")
                    said = True
                continue
            observations.append(Observation(label, arch, before, X, Y, lr, out, after,
                                            getattr(driver, "last_loss", None)))
            k += 1
    return observations


def _shape_hint(text: str, samples: int | None = None) -> list[str]:
    """A diagnosis for NumPy's complaints about shapes (a ValueError), which sizes that all differ bring out."""
    import re

    if "ValueError" not in text or not any(k in text for k in ("shape", "broadcast", "matmul", "aligned", "dimension")):
        return []
    shapes = [tuple(int(n) for n in re.findall(r"\d+", m)) for m in re.findall(r"\(([\d, ]+)\)", text)]
    with_n = [samples in shape for shape in shapes if shape]
    # a per-sample array (one dimension the sample count) against a parameter-shaped one
    if samples is not None and samples > 1 and any(with_n) and not all(with_n):
        return [f"a shape holds {samples}, the number of samples, where a parameter's shape belongs: something "
                "is not summed over the samples (a bias's gradient, say: sum delta over the samples' axis)"]
    return ["the shapes do not fit at sizes whose widths all differ: usually a missing (or extra) transpose, "
            "a product of the wrong two arrays (e.g. a layer's gradient from the wrong layer's activations), "
            "or a size written into the code"]


def _raised_at(err, b: discover.Binding) -> list[str]:
    """``line 27 (...): raised here`` when the code raised in the user's own file (the line of the mistake)."""
    return _raised_line(f"(at {err.where}", b.source_lines, b.source_name, err.type_name)


def _raised_line(message: str, lines: list, name: str, kind: str = "") -> list[str]:
    """The located line of a message ``... raised ValueError: ... (at FILE:LINE in f)`` about the user's file."""
    m = re.search(r"\(at ([^:()]+):(\d+)", message or "")
    if m is None or not lines or m.group(1) != name:
        return []
    line = int(m.group(2))
    shown = locate.source_line(lines, line)
    kind = kind or (re.search(r"raised (\w+)", message) or [None, "an exception"])[1]
    return [f"line {line}{f' ({shown})' if shown else ''}: raised {kind} here"]


def _stop(report: Report, label: str, error: str) -> None:
    report.ok, report.failed_scenario, report.error, report.parameters = False, label, error, []


# --- the forward pass: which activations ------------------------------------------------------


def hidden_name(hidden) -> str:
    """The hidden layers' activation, or one per layer (``softplus, elu``)."""
    return ", ".join(h.name for h in hidden) if isinstance(hidden, tuple) else hidden.name


def _net(obs: Observation, b: discover.Binding, hidden, output, values=None) -> vm.Net:
    """The scenario's network in the math's layout; ``hidden`` is one activation or one per hidden layer."""
    params = b.params[obs.arch]
    values = obs.before if values is None else values
    D = len(obs.arch) - 1
    W, bias = [None] * (D + 1), [None] * (D + 1)
    for p in params:
        (W if p.kind == "W" else bias)[p.layer] = values[p.key]
    hiddens = list(hidden) if isinstance(hidden, tuple) else [hidden] * (D - 1)
    return vm.Net([None, *hiddens, output], W, bias)


def _forward_error(obs, b, hidden, output, skip_biases=()) -> float:
    net = _net(obs, b, hidden, output)
    with np.errstate(all="ignore"):
        expected = net.forward(obs.X, skip_biases)[1][-1]
    if expected.shape != obs.output.shape or not np.all(np.isfinite(expected)) or not np.all(np.isfinite(obs.output)):
        return np.inf
    return float(np.max(np.abs(expected - obs.output)) / max(np.max(np.abs(expected)), 1e-12))


def identify_activations(observations, b, hidden=None, output=None, skip_biases=(), mixed=True):
    """The (hidden, output) activations whose forward pass is the code's in every scenario, or None.

    Hidden layers are elementwise (`spec.activations.names(elementwise=True)`:
    verify's recurrence multiplies by f'(z) entry by entry there); the output
    may be a vector activation too (softmax: outputs summing to 1, equal to softmax(z)).
    """
    names = spec_activations.names(elementwise=True)
    hiddens = [hidden] if hidden else names
    outputs = [output] if output else spec_activations.names()
    depth = len(observations[0].arch) - 1
    for h in hiddens if depth > 1 else hiddens[:1]:
        for o in outputs:
            H, O = spec_activations.get(h), spec_activations.get(o)
            if all(_forward_error(obs, b, H, O, skip_biases) <= b.rtol for obs in observations):
                return H, O
    # another activation in each hidden layer (only where every scenario has the same depth)
    if mixed and hidden is None and depth > 2 and len({len(o.arch) for o in observations}) == 1:
        return _mixed_hidden(observations, b, names, outputs, depth, skip_biases)
    return None


#: Most forward passes `identify_activations` tries for mixed hidden activations: every
#: combination while there are at most this many, else layer by layer.
MAX_COMBINATIONS = 2000


def _mixed_hidden(observations, b, names, outputs, depth, skip_biases):
    """Hidden layers with different activations: every combination when few, else a search one layer at a time.

    With 12 registered activations a 7-layer network has 12^6 = 3 million combinations: too many
    to try. Layer by layer, each hidden layer in turn takes the activation that brings the first
    scenario's output closest to the code's, the others held, for a few sweeps over the layers;
    the work grows with the depth (at most `SWEEPS` x depth x activations x outputs passes), not
    exponentially, and a code whose activation is not registered ends in None just as fast.
    """
    import itertools

    first = observations[0]

    def fits(H, O):
        return _forward_error(first, b, H, O, skip_biases) <= b.rtol and all(
            _forward_error(obs, b, H, O, skip_biases) <= b.rtol for obs in observations
        )

    acts = [spec_activations.get(n) for n in names]
    for o in outputs:
        O = spec_activations.get(o)
        if len(acts) ** (depth - 1) <= MAX_COMBINATIONS:
            for H in itertools.product(acts, repeat=depth - 1):
                if fits(H, O):
                    return H, O
            continue
        # start from the single activation that fits best, then improve one layer at a time
        H = list(min(((a,) * (depth - 1) for a in acts), key=lambda h: _forward_error(first, b, h, O, skip_biases)))
        for _ in range(SWEEPS):
            changed = False
            for l in range(depth - 1):
                best = min(acts, key=lambda a: _forward_error(first, b, (*H[:l], a, *H[l + 1:]), O, skip_biases))
                if best is not H[l]:
                    H[l], changed = best, True
            if fits(tuple(H), O):
                return tuple(H), O
            if not changed:
                break
    return None


#: Sweeps over the hidden layers of the layer-by-layer search.
SWEEPS = 4


def _closest_forward(observations, b, hidden=None, output=None):
    names = spec_activations.names(elementwise=True)
    best = (np.inf, None, None)
    for h in [hidden] if hidden else names:
        for o in [output] if output else spec_activations.names():
            H, O = spec_activations.get(h), spec_activations.get(o)
            err = max(_forward_error(obs, b, H, O) for obs in observations)
            if err < best[0]:
                best = (err, H, O)
    return best


# --- the updates: conventions and mistakes ---------------------------------------------------------


@dataclass(frozen=True)
class Factor:
    """A loss convention: a positive factor on the gradient of the loss, summed over the samples, as its entry writes it.

    The factors are the same for every loss (`factors`): ``"plain"`` the loss
    of the `spec.losses` entry; ``"bare"`` without the constant its expression
    carries (mse's 1/2: the sum of squares itself); ``"mean_outputs"`` and
    ``"bare_mean_outputs"`` the same averaged over the output units. A mean
    over the samples is a mode (`MODES`), not a factor.
    """

    key: str
    text: str
    scale: float
    per_output: bool

    def value(self, outputs: int) -> float:
        return self.scale / outputs if self.per_output else self.scale






@functools.lru_cache(maxsize=None)
def factors(family: vm.Family) -> tuple[Factor, ...]:
    """The conventions of one loss: plain, without the entry's constant (if it has one), and averaged over the outputs."""
    c = float(family.coefficient)
    out = [Factor("plain", loss_words(family, "plain"), 1.0, False)]
    if c != 1.0:
        out += [Factor("bare", loss_words(family, "bare"), 1 / c, False),
                Factor("bare_mean_outputs", loss_words(family, "bare_mean_outputs"), 1 / c, True)]
    out.append(Factor("mean_outputs", loss_words(family, "mean_outputs"), 1.0, True))
    return tuple(out)


MODES = ("batch", "mean", "sequential")


@dataclass
class Match:
    """A way of computing the update that explains every scenario."""

    variant: vm.Variant
    family: vm.Family
    factor: Factor
    mode: str
    eta: float | None  # the measured step, when the learning rate is written into the code


def _observed_update(obs: Observation, b: discover.Binding):
    """The change of every parameter (or minus the returned gradient), ordered like the binding's list."""
    params = b.params[obs.arch]
    if b.step_returns_gradients:
        return [-obs.after[p.key] for p in params]
    return [obs.after[p.key] - obs.before[p.key] for p in params]


def _predicted(obs, b, hidden, output, variant, family, step, mode):
    net = _net(obs, b, hidden, output)
    with np.errstate(all="ignore"):
        dW, db = vm.expected_update(net, obs.X, obs.Y, family, variant, step, mode, lr=obs.lr)
    out = []
    for p in b.params[obs.arch]:
        out.append(dW[p.layer] if p.kind == "W" else db[p.layer])
    return out


def _close(observed, predicted, rtol=RTOL, narrow=None) -> bool:
    """Whether every parameter's update matches, to ``rtol`` of its largest entry (float64 code).

    ``narrow``: for code whose parameters are float32 (or float16), ``(eps, stored, N)``: its
    machine epsilon, each parameter's ``|before| + |after|`` (an update read as the difference
    of two stored numbers is off by up to about eps times them) and the batch size. Each entry
    must then match within that storage error plus the rounding of the update's own sums,
    ``32 N eps`` of the parameter's largest entry: a bound from the arithmetic, so that 0.15 %
    too large an update fails in float32 as it does in float64.
    """
    scale = max((float(np.max(np.abs(p))) for p in predicted), default=0.0)
    for k, (o, p) in enumerate(zip(observed, predicted)):
        # a NaN compares false with everything: a non-finite update never matches
        if o.shape != p.shape or not np.all(np.isfinite(p)) or not np.all(np.isfinite(o)):
            return False
        largest = max(float(np.max(np.abs(p))), 1e-9 * scale, 1e-300)
        if narrow is None:
            if float(np.max(np.abs(o - p))) > rtol * largest:
                return False
            continue
        eps, stored, N = narrow
        # |observed - predicted| <= 8 eps (|before| + |after|) + 32 N eps max|predicted|, entry by entry
        if np.any(np.abs(o - p) > 8 * eps * stored[k] + 32 * N * eps * largest):
            return False
    return True


def _narrow(obs: Observation, b: discover.Binding):
    """``(eps, stored, N)`` for `_close` when the code's parameters are float32 or float16, else None."""
    if b.dtype == "float64":
        return None
    eps = float(np.finfo(np.dtype(b.dtype)).eps)
    params = b.params[obs.arch]
    if b.step_returns_gradients:
        stored = [np.zeros_like(obs.after[p.key]) for p in params]  # gradients: no difference of stored numbers
    else:
        stored = [np.abs(obs.before[p.key]) + np.abs(obs.after[p.key]) for p in params]
    return eps, stored, obs.N


#: The most samples an observed pass may hold to be tried as one step per sample in turn.
SEQUENTIAL_OBSERVED = 64


def _explains(observations, b, hidden, output, variant, family, factor, mode, lr_known) -> Match | None:
    """Whether one way of computing the update explains every scenario (measuring the step if need be)."""
    if mode == "sequential" and b.step_returns_gradients:
        return None
    if mode == "sequential" and b.observed and max(o.N for o in observations) > SEQUENTIAL_OBSERVED:
        # a script's pass over many samples is one batch step: its per-sample loop, if it has one, is the
        # loop observed (one sample a pass); trying it sample by sample costs a gradient per sample
        return None
    eta = None
    if not lr_known:
        # the step eta * c from the single-sample scenarios, where every mode agrees
        etas = []
        # a script observed on its own data may have no single-sample step: the step is then measured
        # on its batches, in the mode tried (a rate and a mean over the samples cannot be told apart there)
        fit_all = b.observed and not any(obs.N == 1 for obs in observations)
        for obs in observations:
            if obs.N != 1 and not fit_all:
                continue
            unit = _predicted(obs, b, hidden, output, variant, family, 1.0, mode if fit_all else "batch")
            seen = _observed_update(obs, b)
            if variant.stale:
                # the stale weights move by the step itself, so the update is not linear in it: the step is
                # measured on the output layer, whose update the stale weights do not touch (checked below)
                top = [k for k, p in enumerate(b.params[obs.arch]) if p.layer == len(obs.arch) - 1]
                seen, unit = [seen[k] for k in top], [unit[k] for k in top]
            s = vm.fit_step(seen, unit, b.rtol)
            if s is None or s <= 0:
                return None
            etas.append(s / factor.value(obs.arch[-1]))
        if not etas or not np.allclose(etas, etas[0], rtol=1e-6):
            return None
        eta = etas[0]
    for obs in observations:
        lr = 1.0 if b.step_returns_gradients else (obs.lr if lr_known else eta)
        step = lr * factor.value(obs.arch[-1])
        predicted = _predicted(obs, b, hidden, output, variant, family, step, mode)
        if not _close(_observed_update(obs, b), predicted, b.rtol, _narrow(obs, b)):
            return None
    return Match(variant, family, factor, mode, eta)




def _families(output, loss, only=None):
    """``(family, factors)`` to search: the pinned loss as its entry writes it, or every loss the output admits.

    ``only``: one loss with every convention of it (a loss read into the code, such as
    cross-entropy on logits).
    """
    if only is not None:
        family = vm.family(only)
        return [(family, factors(family) if loss is None else factors(family)[:1])]
    if loss is not None:
        family = vm.family(loss)
        return [(family, factors(family)[:1])]
    return [(f, factors(f)) for f in accepted_families(output)]


@dataclass(frozen=True)
class OwnLoss:
    """The loss a step returns with its gradients, recognised as a registered loss under some conventions."""

    family: vm.Family
    inner: object  # the activation the loss applies to the outputs (logits), or None
    forms: frozenset  # {(factor key, mode)} whose value it is in every scenario

    def form(self) -> tuple:
        """``(factor, mode)``: the simplest of its forms (plain before averaged over the outputs, a mean first)."""
        order = [f.key for f in factors(self.family)]
        factor_key, mode = min(self.forms, key=lambda fm: (order.index(fm[0]), fm[1] != "mean"))
        return next(f for f in factors(self.family) if f.key == factor_key), mode

    def words(self) -> str:
        factor, mode = self.form()
        on = f" of {self.inner.name}(outputs)" if self.inner is not None else ""
        return f"{factor.text}{on}, {'averaged' if mode == 'mean' else 'summed'} over the samples"


def own_returned_loss(observations, b, output, pairs) -> OwnLoss | None:
    """Which registered loss the number a step returns with its gradients is, in every scenario, or None.

    ``(loss, grads) = net.loss(X, y)``: the gradients must be that loss's. Its value
    is compared with every registered loss of the outputs (or of softmax/sigmoid of
    them, for code returning logits) under every convention: half or whole, summed or
    averaged over the samples and the outputs. Only one loss may fit.
    """
    if not observations or any(o.loss_value is None for o in observations):
        return None
    found = []
    for inner, family in [(None, f) for f in accepted_families(output)] + list(pairs):
        forms = None
        for o in observations:
            with np.errstate(all="ignore"):
                A = o.output if inner is None else inner.numpy_f(o.output)
                total = family.value(A, o.Y)
            v = o.loss_value
            if not (np.isfinite(total) and np.isfinite(v)):
                forms = set()
                break
            here = {(f.key, mode) for f in factors(family) for mode in ("batch", "mean")
                    if abs(total * f.value(o.output.shape[0]) / (o.N if mode == "mean" else 1) - v)
                    <= 1e-6 * max(abs(v), 1e-12)}
            forms = here if forms is None else forms & here
            if not forms:
                break
        if forms:
            found.append(OwnLoss(family, inner, frozenset(forms)))
    return found[0] if len({f.family.name for f in found}) == 1 else None


def _first_family(output, loss) -> vm.Family:
    """The loss a report compares against when no convention fits: the pinned one, else the first the output admits."""
    if loss is not None:
        return vm.family(loss)
    return next(iter(accepted_families(output)), vm.families()[0])


def _modes(reduction, b):
    if reduction == "sum":
        return ("batch", "sequential")
    if reduction == "mean":
        return ("mean",)
    return MODES


def find_match(observations, b, hidden, output, variant, loss=None, reduction=None, only=None) -> Match | None:
    lr_known = b.lr_known or b.step_returns_gradients
    own = b.own_loss  # the loss the code returns with its gradients: theirs must be exactly its gradients
    for family, factors in _families(output, loss, only):
        if own is not None and family.name != own.family.name:
            continue
        for factor in factors:
            for mode in _modes(reduction, b):
                if own is not None and (factor.key, mode if mode != "sequential" else "batch") not in own.forms \
                        and (factor.key, "mean" if mode == "sequential" else None) not in own.forms:
                    continue
                match = _explains(observations, b, hidden, output, variant, family, factor, mode, lr_known)
                if match is not None:
                    return match
    return None


@dataclass
class Found:
    """What the judge read a failing step as: the mistake's variant, the convention, the activations."""

    variant: vm.Variant
    match: Match
    hidden: object
    output: object
    observations: list


def loss_phrase(m: Match) -> str:
    """The loss convention of a match in words, e.g. "the mean over samples of 1/2 * sum of squared errors"."""
    loss = m.factor.text
    if m.mode == "mean":
        if m.factor.key == "bare_mean_outputs" and "bare_mean_entries" in LOSS_WORDS.get(m.family.name, {}):
            return loss_words(m.family, "bare_mean_entries")
        return f"the mean over samples of {loss}"
    if m.mode == "sequential":
        return f"{loss}, one step per sample in turn"
    return f"{loss}, summed over samples"


def convention_text(m: Match, hidden, output, b: discover.Binding, depth: int, logits=None) -> str:
    """E.g. "exact gradient descent of the mean over samples of 1/2 * sum of squared errors; tanh hidden, sigmoid output".

    ``logits``: the `LogitReading` that explains the updates (``output`` is then the identity the
    forward pass reads as, and the loss applies ``logits.inner``).
    """
    loss = loss_phrase(m)
    acts = f"{output.name} output" if depth == 1 else f"{hidden_name(hidden)} hidden, {output.name} output"
    if logits is not None:
        acts += f" ({logits.says()})"
    what = "exact gradients" if b.step_returns_gradients else "exact gradient descent"
    text = f"{what} of {loss}; {acts}"
    if b.targets == "labels":
        text += "; integer class labels as targets"
    for other in same_error_without_slope(m.family, output) if b.targets != "labels" and logits is None else ():
        # the loss's output error is another loss's dl/da: that loss with the output's derivative left out
        short = loss_words(other, "short")
        slope = "the output derivative f'(z)" if output.elementwise else f"the {output.name} Jacobian of the output"
        text += (f"; note: for {short} the same update would mean {slope} is missing "
                 f"(pin --loss {other.name} to check {short})")
    if m.eta is not None:
        text += f"; the learning rate written in the code gives a step of {m.eta:.6g}"
        if m.factor.key == "plain" and m.family.coefficient != 1:
            text += (f" (equivalently {m.eta * float(m.family.coefficient):.6g} on "
                     f"{loss_words(m.family, 'bare').replace(' (no 1/2)', ' without the 1/2')})")
    if not b.has_biases:
        text += "; no biases"
    return text




# --- logits: the loss applies the output activation ------------------------------------------------

#: What code whose forward pass returns logits (read as an identity output) may leave to the loss:
#: the output activation the loss applies, and the registered loss it feeds (PyTorch's
#: CrossEntropyLoss: softmax then cross-entropy; BCEWithLogitsLoss: sigmoid then binary
#: cross-entropy). The output error expected is the spec's proven fused delta of that pair
#: (`spec.losses`: softmax with ce, a sum(y) - y; sigmoid with bce, a - y), with a = f(z) of the logits z.
LOGIT_LOSSES = (("softmax", "ce"), ("sigmoid", "bce"))


@dataclass
class LogitReading:
    """The code read as returning logits, its loss applying ``inner`` to them; its scenarios' observations."""

    inner: object  # the spec's activation the loss applies (softmax, sigmoid)
    family: vm.Family
    observations: list
    simplex_targets: bool  # the scenarios were driven again with probability vectors as targets

    def closed(self) -> str:
        """The spec's fused output error in words: ``a_k - y_k`` (softmax, targets summing to 1), ``a - y``."""
        from spec.proof import plain

        if not self.inner.elementwise:
            return _closed_text(self.family, self.inner)
        return plain(self.family.loss.output_delta(self.inner.name).in_a)

    def says(self) -> str:
        return (f"the forward pass returns logits and the loss applies {self.inner.name} to them: "
                f"{loss_words(self.family)} on logits, delta = {self.closed()} with a = {self.inner.name}(z)")


def _logit_pairs(output, loss):
    """The (activation, loss) pairs of `LOGIT_LOSSES` worth trying for an identity output (and a pinned loss)."""
    if output.name != "identity" or not output.elementwise:
        return []
    pairs = []
    for inner_name, loss_name in LOGIT_LOSSES:
        if inner_name not in spec_activations.names() or loss_name not in spec_losses.names():
            continue
        if loss is not None and loss != loss_name:
            continue
        inner, family = spec_activations.get(inner_name), vm.family(loss_name)
        # only a pair whose fused output error the spec proves (the closed form is what the code computes)
        if family.accepts(inner) and family.closed_delta(inner, 3) is not None:
            pairs.append((inner, family))
    return pairs


class _LogitReadings:
    """The logit readings of one check, driven again (probability targets for softmax) only when first needed."""

    def __init__(self, driver, b, seed, observations, pairs):
        self.driver, self.b, self.seed, self.observations, self.pairs = driver, b, seed, observations, pairs
        self._readings = None

    def __iter__(self):
        if self._readings is None:
            self._readings = []
            for inner, family in self.pairs:
                again = not inner.elementwise and self.b.targets != "labels"
                obs = self.observations
                if again:
                    # cross-entropy after softmax presumes probability vectors as targets: one-hot and soft
                    scratch = Report(True, "", "", "", 0)
                    obs = _run_all(self.driver, self.b, self.seed, scratch, targets_as="simplex")
                    if obs is None:
                        continue
                self._readings.append(LogitReading(inner, family, obs, again))
        return iter(self._readings)


def _discovery_line(r: LogitReading) -> str:
    line = (f"outputs: logits (the output layer's z, read as an identity output); the loss applies "
            f"{r.inner.name} to them ({loss_words(r.family)} on logits)")
    if r.simplex_targets:
        line += ": the scenarios were driven again with probability vectors as targets, one-hot and soft"
    return line


def _candidates(hidden, output, b: discover.Binding) -> list:
    """Every registered mistake (`spec.verify.mistakes`) at every place in the deepest network ``b`` was driven at."""
    from spec.verify import mistakes

    deepest = max(len(a) for a in b.archs) - 1  # one candidate names a layer in every architecture
    ctx = mistakes.Context(hidden, output, deepest, b.has_biases, sequential=True,
                           lr_known=b.lr_known and not b.step_returns_gradients)
    return mistakes.candidates(ctx)






def _ratio_diagnosis(observations, b, hidden, output, depth):
    """A constant factor, sign, mean or learning rate that explains each layer's updates.

    Returns ``(diagnosis lines, family, odd)``: ``odd`` the parameters (kind,
    layer) found to differ from the rest, for the table; ``([], None, None)``
    when no such pattern fits.

    Per layer and scenario, the factor s with (the code's update) = s * (the
    spec's update for 1/2 * sum of squares, summed, at the scenario's learning
    rate). A correct layer's s is a convention's factor (the same in every
    layer); the layer whose s differs from the others' by a constant, a sign,
    1/N or the learning rate is named.
    """
    fits = {}  # layer -> [(s, obs)]
    for family in accepted_families(output):
        fits = {}
        for obs in observations:
            lr = 1.0 if b.step_returns_gradients else (obs.lr or 1.0)
            pred = _predicted(obs, b, hidden, output, vm.SPEC, family, lr, "batch")
            seen = _observed_update(obs, b)
            params = b.params[obs.arch]
            D = len(obs.arch) - 1
            for k, p in enumerate(params):
                # one unit per parameter: a layer's weights, a layer's bias
                key = (p.kind, "out" if p.layer == D else p.layer)
                fit = vm.fit_step([seen[k]], [pred[k]], b.rtol)
                if fit is None:
                    break
                fits.setdefault(key, []).append((fit, obs))
            else:
                continue
            fits = None
            break
        if fits:
            break
    if not fits:
        return [], None, None
    texts, odd = _ratio_patterns(fits, b, family)
    return texts, family, odd


def _broadcast_bias(before, after) -> bool:
    """Whether a parameter of shape ``before`` became ``after`` by gaining rows (a bias plus a per-sample delta)."""
    before, after = tuple(before), tuple(after)
    if len(before) == 1 and len(after) == 2:
        before = (1, *before) if after[1] == before[0] else (*before, 1)
    return (len(before) == len(after) and before != after
            and all(b == a or b == 1 for b, a in zip(before, after)) and 1 in before)


def _ratio_patterns(fits, b, family):
    """The pattern of per-parameter factors ``fits`` (see `_ratio_diagnosis`): ``(lines, odd keys)``."""

    def steady(values):
        return np.allclose(values, values[0], rtol=1e-6)

    layers = list(fits)

    def unit_name(key):
        kind, l = key
        where = "the output layer" if l == "out" else f"hidden layer {l}"
        return f"{where}'s {'weights' if kind == 'W' else 'bias'}"

    names = {key: unit_name(key) for key in layers}
    first = fits[layers[0]]
    lrs = [1.0 if b.step_returns_gradients or not b.lr_known else o.lr for _, o in first]
    Ns = [o.N for _, o in first]
    Os = [o.arch[-1] for _, o in first]

    def convention(l):
        """The layer's constant factor on the gradient, summed or averaged over samples (and outputs)."""
        values = [s for s, _ in fits[l]]
        for how, scale in (("sum", [1] * len(Ns)), ("mean", Ns), ("sum", Os), ("mean", [n * o for n, o in zip(Ns, Os)])):
            if steady([v * k for v, k in zip(values, scale)]):
                return values[0] * scale[0], how
        return None

    everywhere = [convention(l) for l in layers]
    if all(c is not None for c in everywhere) and len({(round(c[0], 9), c[1]) for c in everywhere}) == 1:
        k, how = everywhere[0]
        if how == "mean":
            return ["every update is 1/N of the spec's for N samples: the code averages over the batch where the "
                    "pinned --reduction sum adds (without the pin, verify finds the mean itself)"], ()
        if _ratio.detect([k]).kind == "sign" or (k < 0 and not b.lr_known and not b.step_returns_gradients):
            # with the rate unknown (a number written into the step), any negative factor is a rate
            # times -1: the sign is the mistake, |k| the code's step size
            size = "" if _ratio.detect([k]).kind == "sign" else f" (a step of {-k:.6g} along the gradient)"
            return ["every update has the wrong sign: the parameters move up the gradient"
                    f"{size} (use param -= lr * gradient)"], ()
        return [f"every {'gradient' if b.step_returns_gradients else 'update'} is {k:.6g} times the spec's for "
                f"{loss_words(family)}: a constant factor that is no loss convention (a stray factor in the "
                "output error, or the learning rate scaled inside the step)"], ()
    # one layer (its weights and bias), or one parameter, differs: the others agree on a convention
    by_layer = {}
    for key in layers:
        by_layer.setdefault(key[1], []).append(key)
    candidates = [(keys, f"layer {'the output layer' if l == 'out' else f'hidden layer {l}'}")
                  for l, keys in by_layer.items() if len(keys) > 1]
    candidates += [([key], names[key]) for key in layers]
    for odd, name in candidates:
        name = name.removeprefix("layer ")
        if len(by_layer.get(odd[0][1], [])) > 1 and len(odd) == 1:
            name = names[odd[0]]
        others = [m for m in layers if m not in odd]
        if not others:
            continue
        conv = [convention(m) for m in others]
        if any(c is None for c in conv) or len({(round(c[0], 9), c[1]) for c in conv}) != 1:
            continue
        ref = others[0]
        rels = [[s / r for (s, _), (r, _) in zip(fits[m], fits[ref])] for m in odd]
        if any(not np.allclose(r, rels[0], rtol=1e-6) for r in rels):
            continue
        # the odd parameters' factor relative to the others', per scenario, named by the shared detector
        found = _ratio.detect(rels[0], Ns, lrs if b.lr_known else None)
        kind = None if found is None else found.kind
        if kind in (None, "one"):
            continue
        if kind == "sign":
            return [f"the update of {name} has the wrong sign (it moves up the gradient)"], odd
        if kind == "zero":
            return [f"{name} is never updated (its change is 0 while the other parameters move)"], odd
        if kind in ("factor", "twice", "half"):
            return [f"the updates of {name} are {found.value:.6g} times the other parameters': a constant factor "
                    "in that gradient (its convention differs from the rest)"], odd
        if kind == "mean":
            return [f"{name} averages its gradient over the samples where the other parameters sum it"], odd
        if kind == "sum":
            return [f"{name} sums its gradient over the samples where the other parameters average it"], odd
        if kind == "lr":
            return [f"the learning rate multiplies the update of {name} twice"], odd
    return [], None


def _table(obs: Observation, b, hidden, output, family, step: float, mode: str, good=None):
    """Per parameter, the worst entry of the code's update against the spec's, in one scenario.

    The spec's update is computed for ``family``, ``mode`` and ``step`` (the
    learning rate times the convention's factor); with ``good`` (the keys of
    the parameters that follow a common convention), the step is instead the
    one those parameters take, so that only the odd ones show as BAD.
    """
    pred = _predicted(obs, b, hidden, output, vm.SPEC, family, step, mode)
    seen = _observed_update(obs, b)
    params = b.params[obs.arch]
    if good is not None:
        D = len(obs.arch) - 1
        idx = [k for k, p in enumerate(params) if (p.kind, "out" if p.layer == D else p.layer) in good]
        unit = _predicted(obs, b, hidden, output, vm.SPEC, family, 1.0, "batch")
        s = vm.fit_step([seen[k] for k in idx], [unit[k] for k in idx], b.rtol) if idx else None
        if s is not None:
            pred = [s * u for u in unit]
    rows = []
    for p, o, e in zip(params, seen, pred):
        if b.step_returns_gradients:
            o, e = -o, -e
        entry = p.name if not p.fold else f"{p.kind}{p.layer}"
        if p.kind == "W" and p.transposed and not p.fold and o.ndim == 2:
            o, e = o.T, e.T  # the worst entry as the code indexes it
        rows.append(_worst(_display(p), o, e, entry, b.rtol))
    return rows


def _display(p: discover.Param) -> str:
    """The parameter's name in the code, with its name in the math when they differ: ``syn0 (W1)``."""
    canonical = f"{p.kind}{p.layer}"
    if p.fold:
        return f"{canonical} ({'bias column' if p.kind == 'b' else 'weight columns'} of {p.name})"
    return canonical if p.name == canonical else f"{p.name} ({canonical})"


def _worst(name, actual, expected, entry=None, rtol=RTOL):
    # a NaN or infinite entry is the worst of all
    err = np.where(np.isfinite(actual), np.abs(actual - expected), np.inf)
    k = np.unravel_index(int(np.argmax(err)), err.shape)
    rel = float(np.max(err) / max(np.max(np.abs(expected)), 1e-300))
    if not np.isfinite(rel):
        rel = float("inf")
    index = ", ".join(map(str, k))
    entry = entry or name.split(" ")[0]
    return ParameterResult(name, rel <= rtol, rel, f"{entry}[{index}]", float(expected[k]), float(actual[k]))


# --- the whole check --------------------------------------------------------------------------------


def _split_target(target: str) -> tuple[Path, str | None]:
    """``FILE.py[:CLASS]`` into the path and the class name (None when omitted)."""
    if not isinstance(target, str) or not target.strip():
        raise ProtocolError(f"FILE.py[:CLASS]: expected a file such as net.py or net.py:Net, got {target!r}")
    path_text, sep, name = target.rpartition(":")
    if not sep or not name.isidentifier():
        path_text, name = target, None
    path = Path(path_text)
    try:
        exists, regular = path.exists(), path.is_file()
    except (OSError, ValueError) as err:  # a name too long, a NUL byte
        raise ProtocolError(f"FILE.py[:CLASS]: cannot open {str(path)[:80]!r}: {getattr(err, 'strerror', None) or err}") from None
    if not exists:
        raise ProtocolError(f"FILE.py[:CLASS]: no such file: {str(path)!r}")
    if not regular:
        raise ProtocolError(f"FILE.py[:CLASS]: {str(path)!r} is not a regular file")
    return path, name


def verify_file(target: str, activation=None, loss=None, reduction=None, seed=0, timeout=20.0,
                output_activation=None, forward=None, step=None, layout=None) -> Report:
    """Check the backprop class of ``FILE.py[:CLASS]`` against the spec, running it in a child process.

    Args:
        target: ``FILE.py`` or ``FILE.py:CLASS`` (the class may be omitted when the
            file has one with a forward and a training method).
        activation: Pin the hidden layers' activation (default: found from the forward pass).
        output_activation: Pin the output layer's activation (default: found).
        loss: Pin a registered loss (``spec.losses.names()``: ``"mse"``, 1/2 * sum of squares, ``"bce"``,
            ``"ce"``), as its entry writes it (default: the convention is found among every loss the output admits).
        reduction: Pin ``"sum"`` or ``"mean"`` over the samples (default: found).
        seed: Seed of the random scenarios.
        timeout: Seconds for everything the code runs, import included.
        forward: Name the forward method (default: found by name).
        step: Name the training method (default: found by name).
        layout: ``"samples_features"`` or ``"features_samples"``, the layout of X
            (default: found by running the code).

    Raises:
        ProtocolError: the file cannot be imported, or its code cannot be driven.
    """
    if loss is not None:
        spec_losses.get(loss)  # an unknown loss: a ValueError naming the registered ones
    for option, value in (("activation", activation), ("output_activation", output_activation)):
        if value is not None:
            spec_activations.get(value)
    if activation is not None:
        spec_activations.require_elementwise(spec_activations.get(activation), "activation (the hidden layers')")
    path, name = _split_target(target)
    try:
        source = observe.prepare(path)
    except observe.CannotRun as err:
        raise ProtocolError(str(err)) from None
    pins = (activation, loss, reduction, seed, output_activation)
    observing = path.suffix == ".ipynb" or (name is None and (source.skipped or observe.trains_when_run(source.text)))
    with sandbox.Sandbox(path, timeout=timeout) as box:
        try:
            if observing:
                done = _observe_file(box, path, source, pins)
                if isinstance(done, Report):
                    return done
                # its loops trained nothing: its classes or functions (as the run left them) are driven as usual
                module = done
            else:
                module = box.load(what=f"importing {path.name}")
        except sandbox.UserError as err:
            cause = observe.cause(path, source.text, err)
            raise ProtocolError(cause or f"importing {path} {err}") from None
        except sandbox.SandboxError as err:
            raise ProtocolError(f"importing {path} {err}") from None
        undriven = None  # nothing to drive, in a file that trains under its __main__ guard: observed instead
        try:
            functional = discover.functional_pair(module, name)
            if functional and (name is not None or not _has_candidate_class(module)):
                driver = discover.FunctionDriver(box, *functional)
                binding = driver.discover()
            else:
                driver, binding = _pick_and_discover(box, module, path, name, forward, step, layout)
        except discover.CodeFailed as err:
            if err.error is not None and (cause := observe.cause(path, source.text, err.error)):
                raise ProtocolError(cause) from None  # a name never defined: the file cannot run, said first
            # built, but its forward or training method failed however it was called: a finding
            report = _failed_while_reading(f"sizes {'-'.join(map(str, err.arch))}, while reading the code", err.text,
                                           box, discover._samples_for(err.arch))
            report.located = _raised_line(err.text, source.text.splitlines(), path.name)
            return report
        except discover.DiscoveryError as err:
            wrong = observe.misspelt_init(source.text)
            if wrong:  # the real cause, not the shapes it led to
                raise ProtocolError(f"cannot drive {path.name}: {wrong}: Python never calls it, so the object is "
                                    f"built without its parameters ({err})") from None
            if observing or name is not None or not observe.trains_when_run(source.text, guarded=True):
                raise ProtocolError(str(err)) from None
            undriven = err
        except (sandbox.TimedOut, sandbox.Died, sandbox.Misbehaved) as err:
            # it ended, hung or broke the protocol while being read: misbehaviour, not a layout question
            return _failed_while_reading("while reading the code", f"{err.request} {err}", box)
        except sandbox.RequestFailed as err:
            raise ProtocolError(f"{err.request}: {err}") from None
        if undriven is None:
            stopped = module.get("stopped")
            if isinstance(stopped, dict) and isinstance(stopped.get("line"), int):
                where = "" if stopped.get("function") in (None, "<module>") else f" in {stopped.get('function')}"
                binding.lines.append(
                    f"importing the file started its training (the loop at line {stopped['line']}{where}): verify "
                    "stopped it after 3 passes and drove the code it defines with its own scenarios")
            binding.lines.append(
                f"your code ran in its own process; confined: {str(module.get('confinement', 'none'))[:1000]}")
            binding.source_lines, binding.source_name = source.text.splitlines(), path.name
            report = judge(driver, binding, activation, output_activation, loss, reduction, seed)
            _locate_driven(report, driver, binding, box, source.text.splitlines())
            report.output_lines = box.output.lines
            return report
    # run as a script, in a process of its own, and watched
    with sandbox.Sandbox(path, timeout=timeout) as box:
        try:
            done = _observe_file(box, path, source, pins)
        except ProtocolError as err:
            if str(err).startswith("cannot run "):
                raise  # why the script cannot run comes first
            raise ProtocolError(f"{undriven}; run as a script under its __main__ guard: {err}") from None
        except sandbox.SandboxError as err:
            raise ProtocolError(f"{undriven}; run as a script: {err}") from None
        if isinstance(done, Report):
            return done
        raise ProtocolError(str(undriven))


def _locate_driven(report: Report, driver, b: discover.Binding, box, source_lines: list) -> None:
    """For a failing class or functions: the failing scenario's step once more, its lines recorded, then `_locate`."""
    if getattr(report, "own_loss_mismatch", False):
        return
    reshaped = getattr(report, "reshaped", None)
    if reshaped is not None:
        param, shape, arch, before, X, Y, lr = reshaped
        box.recording = []
        try:
            driver.run(b, arch, before, X, Y, lr)
        except (sandbox.SandboxError, discover.ShapeChanged):
            pass  # it changes the shape again: the records up to there are what is wanted
        finally:
            records, box.recording = locate.records_of(box.recording), None
        kind = "d" + param.kind
        for r in records:
            last = locate.leaf(r.name)
            if tuple(r.value.shape) == shape and (last == locate.leaf(param.name)
                                                  or locate._NAMES[kind].search(last)):
                shown = locate.source_line(source_lines, r.line)
                report.located = [f"line {r.line}{f' ({shown})' if shown else ''}: {text.escape(r.name, 60)} gets "
                                  f"shape {shape}, where {param.name} has {tuple(param.shape)}"]
                break
        return
    found = getattr(report, "found", None)
    if report.ok or report.undecided or found is None or not found.observations:
        return
    obs = next((o for o in found.observations if o.label == report.failed_scenario), found.observations[0])
    box.recording = []
    try:
        driver.run(b, obs.arch, obs.before, obs.X, obs.Y, obs.lr)
        records = locate.records_of(box.recording)
    except (sandbox.SandboxError, discover.ShapeChanged):
        return  # the line is a help, not the verdict: without it the report stands
    finally:
        box.recording = None
    _locate(report, b, obs, records, source_lines, lambda line: f"line {line}")


def _observe_file(box, path: Path, source, pins) -> Report | dict:
    """Observe mode (`spec.verify.observe`): run the script or notebook, watch its loop, judge what it did.

    When the run ends and no loop trained, the module as the run left it (`sandbox.Sandbox.load`'s
    description) for a file that defines classes or functions, to be driven as usual.
    """
    activation, loss, reduction, seed, output_activation = pins
    try:
        stubs = observe.display_stubs(source.text)
        reply, arrays, confinement = box.observe(source.text, observe.ITERATIONS, what=f"running {path.name}",
                                                 stubs=stubs)
    except sandbox.UserError as err:
        cause = observe.cause(path, source.text, err, source)
        if cause:
            raise ProtocolError(cause) from None
        if err.loops:  # it failed inside its loops: the code misbehaved while being watched
            return _failed_while_reading("while observing the script's loop", f"{err.request} {err}", box)
        raise ProtocolError(f"cannot run {path.name}: {err}") from None
    except (sandbox.TimedOut, sandbox.Died, sandbox.Misbehaved) as err:
        # nothing came back from the run: nothing could be judged
        raise ProtocolError(f"{err.request} {err}") from None
    except sandbox.RequestFailed as err:
        raise ProtocolError(f"{err.request}: {err}") from None
    if not reply["found"]:
        module = reply.get("module")
        if path.suffix != ".ipynb" and observe.defines_code(source.text) and isinstance(module, dict) and \
                isinstance(module.get("classes"), dict) and isinstance(module.get("functions"), dict):
            return dict(module, confinement=confinement)
        raise ProtocolError(
            f"{path.name} ran to its end and no loop in it changed the same float arrays in {observe.ITERATIONS} "
            "iterations in a row: verify saw nothing train (a class with forward and training methods, or "
            "forward and gradient functions, can be driven instead)")
    try:
        seen = observe.identify(reply, arrays, source, path, Observation, identify_activations)
    except observe.Reshaped as err:
        report = _failed_while_reading(f"the file's own data, {err.loop}", str(err), box)
        if all(_broadcast_bias(before, after) for _, before, after in err.changed):
            names = ", ".join(name for name, _, _ in err.changed)
            report.diagnosis = [f"the bias gradient ({names}) is not summed over the samples: the update then "
                                "broadcasts the bias to one row per sample (sum delta over the samples and keep "
                                "the bias's shape)"]
        if err.line:
            shown = locate.source_line(source.text.splitlines(), err.line)
            report.located = [f"{source.where(err.line)} ({shown}): the first line of the loop that assigns "
                              f"{', '.join(name for name, _, _ in err.changed)}"]
        return report
    except discover.DiscoveryError as err:
        raise ProtocolError(str(err)) from None
    if stubs:
        seen.binding.lines.append(f"stood in for {', '.join(stubs)} (display only, not installed where verify runs): "
                                  "their calls did nothing")
    seen.binding.lines.append(f"your code ran in its own process; confined: {str(confinement)[:1000]}")
    if seen.missing_outputs and not _outputs_from_the_step(seen, activation, output_activation, loss, reduction):
        report = Report(False, "unknown", loss or "unknown", reduction or "unknown", len(seen.observations),
                        discovery=list(seen.binding.lines), undecided=True)
        report.why_undecided = (
            "the file keeps no array of the batch's outputs, and no registered activations make its step gradient "
            "descent (or its exact opposite) of a registered loss: verify cannot tell its activations; give it a "
            "forward function or method that returns the outputs")
        report.output_lines = box.output.lines
        return report
    records = locate.records_from(reply.get("records"), arrays)
    own = observe.own_loss(records, seen.observations[-1]) if loss is None else None
    if own is not None:
        # the loss the code says it minimises is the one its step is judged against
        loss = own.family.name
        seen.binding.lines.append(
            f"the code's own loss: {source.where(own.line)} computes {own.words}: the step is "
            "judged against it")
    report = judge(observe.ObservedDriver(box, seen.observations), seen.binding, activation, output_activation,
                   loss, reduction, seed)
    report.output_lines = box.output.lines
    _check_written_rate(report, seen, source, records, own)
    if records:
        # the records are the last observed iteration, line by line
        _locate(report, seen.binding, seen.observations[-1], records, source.text.splitlines(), source.where)
    return report


def _outputs_from_the_step(seen, activation, output_activation, loss, reduction) -> bool:
    """For a batch whose outputs the file never keeps: the activations whose backprop explains the step.

    Every registered pair (hidden elementwise, output any) is tried: its forward pass gives the
    outputs, and the pair is kept when the spec's step under some convention explains every
    observed step, or its exact opposite does (gradient ascent, which the judge then names).
    The observations get that pair's outputs; False when no pair explains them.
    """
    hiddens = [activation] if activation else spec_activations.names(elementwise=True)
    outputs = [output_activation] if output_activation else spec_activations.names()
    b, observations = seen.binding, seen.observations
    depth = len(observations[0].arch) - 1
    for sign in (1.0, -1.0):
        trial = observations if sign > 0 else [dataclasses.replace(
            o, after={k: o.before[k] - (o.after[k] - o.before[k]) for k in o.after}) for o in observations]
        for h in hiddens if depth > 1 else hiddens[:1]:
            for o in outputs:
                H, O = spec_activations.get(h), spec_activations.get(o)
                with np.errstate(all="ignore"):
                    for obs in trial:
                        obs.output = _net(obs, b, H, O).forward(obs.X)[1][depth]
                    m = find_match(trial, b, H, O, vm.SPEC, loss, reduction)
                if m is not None:
                    for obs, t in zip(observations, trial):
                        obs.output = t.output
                    return True
    return False


def _missing_constants(ratio: float, N: int, n: int) -> str:
    """What a step ``ratio`` times its loss's gradient leaves out or adds, in words (the 2 of a square, the 1/N of a mean)."""
    left_out = {0.5: "the 2 of the square's derivative", float(N): "the 1/N of the mean over the samples",
                N / 2: "the 2 of the square's derivative and the 1/N of the mean", float(n): "the 1/outputs of the mean "
                "over the outputs", float(n * N): "the 1/(N x outputs) of the mean over every entry"}
    added = {2.0: "a factor 2 that its loss's gradient does not have (a 1/2 missing from the loss, or a 2 too many)",
             1.0 / N: "an extra 1/N (a mean over the samples taken twice)",
             1.0 / n: "an extra 1/outputs (a mean over the outputs taken twice)"}
    hit = next((f"leaves out {words}" for k, words in left_out.items() if abs(ratio - k) <= 1e-6 * k), None)
    hit = hit or next((f"has {words}" for k, words in added.items() if abs(ratio - k) <= 1e-6 * k), None)
    return f": the step {hit}, so the rate in effect is {ratio:.6g} times the one written" if hit else ""


def _check_written_rate(report: Report, seen, source, records=(), own=None) -> None:
    """A passing script whose step is not its own learning rate times a convention's constant fails.

    The step measured on the file's own data is exact gradient descent for some rate;
    when the code names its rate (``lr = 0.5`` used in the updates), the step must be
    that rate times one of the constants a loss convention puts on the gradient (1, 2,
    1/2, 1/N, 1/outputs and their products): a step of lr/N² is gradient descent of no
    stated loss with that rate (a mean taken twice, say).
    """
    found = getattr(report, "found", None)
    if not report.ok or found is None or found.match.eta is None:
        return
    rate = observe.written_rate(seen, source.text)
    if rate is None:
        return
    name, lr = rate
    report.discovery = [f"the learning rate: {name} = {lr:g}, named in the code and used in its updates (the step "
                        "size is measured and held against it)" if line.startswith("the learning rate: written")
                        else line for line in report.discovery]
    m, obs = found.match, seen.observations[-1]
    n, N = obs.arch[-1], obs.X.shape[1]
    step = m.eta * m.factor.value(n) / (N if m.mode == "mean" else 1)
    constants = {k / d for k in (1.0, 2.0, 0.5) for d in (1, N, n, N * n)}
    if own is not None and own.scales:
        # the code computes its loss: the step must be its rate times that loss's gradient, nothing else
        if any(abs(step - lr * k) <= 1e-6 * abs(step) for k in own.scales):
            return
        report.ok = False
        report.failed_scenario = seen.observations[-1].label
        report.diagnosis = [
            f"the step is exact gradient descent of {loss_phrase(m)}, but against the loss the code computes "
            f"({own.words}) it is {step / (lr * own.scales[0]):.6g} x {name} x its gradient, where gradient descent "
            f"on it takes {name} x its gradient"
            + _missing_constants(step / (lr * own.scales[0]), N, n)]
    elif any(abs(step - lr * k) <= 1e-6 * abs(step) for k in constants):
        return
    else:
        report.ok = False
        report.failed_scenario = seen.observations[-1].label
        report.diagnosis = [
            f"the step is exact gradient descent of {loss_phrase(m)} with a step of {step:.6g} on its summed gradient, "
            f"but the code's learning rate {name} = {lr:g} times no convention's constant (1, 2, 1/2, 1/N = 1/{N}, "
            f"1/outputs) gives it: the step is {step / lr:.6g} x {name}, e.g. a mean over the samples taken twice"]
    report.convention = None
    # the line: the first gradient or error term whose constant neither a convention nor the rate explains
    net = _net(obs, seen.binding, found.hidden, found.output)
    ok = lambda k: any(abs(k - c) <= 1e-6 * k or abs(k - lr * c) <= 1e-6 * k for c in constants)  # noqa: E731
    with np.errstate(all="ignore"):
        spot = locate.odd_constant(list(records), source.text.splitlines(), net, obs.X, obs.Y, m.family, ok,
                                   source.where)
    if spot is not None:
        report.located = [spot.text]


def _locate(report: Report, b: discover.Binding, obs: Observation, records: list, source_lines: list, where) -> None:
    """The line where the code departs from the spec (`spec.verify.locate`), into ``report.located``."""
    found = getattr(report, "found", None)
    if report.ok or report.undecided or found is None:
        return
    m = found.match
    params = b.params[obs.arch]
    if any(p.fold for p in params):
        return  # a bias folded into the weights' array: no layer's quantity has the array's shape
    X, Y = obs.X, obs.Y
    if m.mode == "sequential":  # one step per sample: the first sample's step comes first
        X, Y = X[:, :1], Y[:, :1]
    c = m.factor.value(obs.arch[-1]) / (X.shape[1] if m.mode == "mean" else 1)
    # the step on the summed loss's gradient: the learning rate times the convention's factor
    step = (obs.lr if obs.lr is not None else (m.eta or 1.0)) * c
    failing = set()
    for row in report.parameters:
        if not row.ok:
            failing |= {(p.kind, p.layer) for p in params if _display(p) == row.name}
    net = _net(obs, b, found.hidden, found.output)
    named = {(p.kind, p.layer): (p.name, obs.before[p.key]) for p in params}
    with np.errstate(all="ignore"):
        spot = locate.locate(records, source_lines, net, X, Y, m.family, found.variant, step, c, named,
                             sorted(failing), where, rtol=max(locate.RTOL, 10 * b.rtol),
                             changes={(p.kind, p.layer): obs.after[p.key] - obs.before[p.key] for p in params
                                      if not b.step_returns_gradients})
    if spot is not None:
        report.located = [spot.text]


def _described(binding: discover.Binding) -> discover.Binding:
    """The binding with its lines: how the class was read, in words (`spec.verify.describe`)."""
    return dataclasses.replace(binding, lines=describe(binding))


def _pick_and_discover(box, module, path, name, forward, step, layout):
    """The class to check and how to drive it; of several candidates, the one holding the deepest network.

    A file with layer classes and a network class made of them (``Layer`` and
    ``Network``, ``Dense`` and ``Sequential``) has several classes with forward
    and training methods: each is read, and the one whose parameters make the
    most layers is the network.
    """
    candidates = discover.candidate_classes(module, path, name)
    found, errors = [], []
    for cls in candidates:
        driver = discover.Driver(box, module, cls, forward, step, layout)
        try:
            found.append((driver, _described(driver.discover())))
        except discover.CodeFailed as err:
            if len(candidates) == 1:
                raise
            errors.append(err)
        except discover.DiscoveryError as err:
            if len(candidates) == 1:
                raise
            errors.append(err)
    if not found:
        if errors and isinstance(errors[0], discover.CodeFailed):
            raise errors[0]
        raise discover.DiscoveryError(
            f"{path} defines several candidate classes ({', '.join(candidates)}) and none could be driven: "
            f"name one as {path}:CLASS ({errors[0] if errors else ''})"
        )
    depth = {id(b): len(b.archs[0]) - 1 for _, b in found}
    deepest = max(depth.values())
    best = [(d, b) for d, b in found if depth[id(b)] == deepest]
    if len(best) > 1:
        names = ", ".join(b.cls for _, b in best)
        raise discover.DiscoveryError(f"{path} defines several classes that read as whole networks ({names}): "
                                      f"name one as {path}:CLASS")
    driver, binding = best[0]
    if len(candidates) > 1:
        others = ", ".join(c for c in candidates if c != binding.cls)
        binding.lines.insert(1, f"(of the classes {binding.cls}, {others}: the one holding the whole network)")
    return driver, binding


def _has_candidate_class(module) -> bool:
    try:
        discover.candidate_classes(module, "", None)
    except discover.DiscoveryError:
        return False
    return True


def _failed_while_reading(label: str, text: str, box, samples=None) -> Report:
    report = Report(False, "unknown", "unknown", "unknown", 0, failed_scenario=label, error=text,
                    diagnosis=_shape_hint(text, samples))
    report.output_lines = box.output.lines
    return report


@dataclass
class Check:
    """What one `judge` call knows so far, handed from stage to stage."""

    driver: object
    b: discover.Binding
    activation: str | None
    output_activation: str | None
    loss: str | None
    reduction: str | None
    seed: int
    report: Report
    pins: str = ""
    observations: list | None = None
    hidden: object = None
    output: object = None
    pairs: list = field(default_factory=list)  # the logit readings worth trying (identity output)
    logits: object = None  # their `_LogitReadings`

    @property
    def depth(self) -> int:
        """The number of weight layers at the first architecture."""
        return len(self.b.archs[0]) - 1


def _stage_unsupported(c: Check) -> Report | None:
    """An architecture the code failed at while being read (not a limitation of the reading): stop there."""
    for arch, failure, limitation in c.b.unsupported:
        if not limitation:
            suffix = ("; valid input at this architecture must work"
                      if " raised " in failure or "called sys.exit" in failure else "")
            _stop(c.report, f"sizes {'-'.join(map(str, arch))}", failure + suffix)
            c.report.diagnosis += _shape_hint(failure, discover._samples_for(arch))
            c.report.located = _raised_line(failure, c.b.source_lines, c.b.source_name)
            return c.report
    return None


def _stage_drive(c: Check) -> Report | None:
    """Drive every scenario; misbehaviour ends the check (recorded by `_run_all`)."""
    observed = getattr(c.driver, "observed", None)
    if observed is not None:  # a script's own iterations (`spec.verify.observe`): nothing more to drive
        c.report.scenarios = len(observed)
        c.observations = list(observed)
        return None
    c.observations = _run_all(c.driver, c.b, c.seed, c.report)
    return c.report if c.observations is None else None


def _stage_forward(c: Check) -> Report | None:
    """Which activations the forward pass is; none: the forward diagnosis (a bias left out, the closest pair)."""
    report, b, observations, depth = c.report, c.b, c.observations, c.depth
    activation, output_activation = c.activation, c.output_activation
    found = identify_activations(observations, b, activation, output_activation or (activation if activation and depth == 1 else None))
    if found is not None:
        c.hidden, c.output = found
        report.activation = (f"{c.output.name} output" if depth == 1
                             else f"{hidden_name(c.hidden)} hidden, {c.output.name} output")
        c.pairs = _logit_pairs(c.output, c.loss)
        return None
    err, H, O = _closest_forward(observations, b, activation, output_activation)
    report.ok, report.forward_ok = False, False
    no_bias = None
    if b.has_biases:
        # the forward pass without one layer's bias, or without all of them
        for skipped in [(l,) for l in range(1, depth + 1)] + [tuple(range(1, depth + 1))]:
            found_ = identify_activations(observations, b, activation, output_activation, skip_biases=skipped)
            if found_ is not None:
                no_bias = (found_, skipped)
                break
    first = next(o for o in observations if _forward_error(o, b, H, O) > b.rtol) if H is not None else observations[0]
    report.failed_scenario = first.label
    if no_bias:
        (H, O), skipped = no_bias
        which = "every layer" if len(skipped) == depth > 1 else (
            "the output layer" if skipped == (depth,) else f"layer {skipped[0]}")
        report.diagnosis.append(
            f"the forward pass leaves out the bias of {which}: it is exactly the spec's ({H.name} hidden, "
            f"{O.name} output) with that bias 0; add b to W a there")
    elif H is not None:
        acts = f"{O.name} output" if depth == 1 else f"{H.name} hidden, {O.name} output"
        report.diagnosis.append(
            f"the forward pass is the spec's for no registered activations; closest: {acts}, relative error "
            f"{err:.2e}. The spec's is z = W a + b, a = f(z) in each layer: a forward pass that also does "
            "something else (scales the inputs, drops units) cannot be checked; an activation that is not "
            "registered (a leaky ReLU of another slope, say) can be added with add-activation")
        if activation is None and output_activation is None:
            # nothing pinned: the code may be right about an activation the spec does not know, so
            # this is no verdict (exit 2), not a mismatch; pinned, it is a mismatch (exit 1)
            report.undecided = True
    return report


def _stage_own_loss(c: Check) -> Report | None:
    """A step that returns its loss with its gradients: they must be that loss's gradients, not another convention's.

    Gradients exact for the summed cross-entropy returned beside the averaged one are
    wrong by a factor N (a 1/N dropped): a FAIL naming both, where the spec alone would
    have found a convention that fits.
    """
    if c.loss is not None or c.reduction is not None:
        return None
    own = own_returned_loss(c.observations, c.b, c.output, c.pairs)
    if own is None:
        return None
    b = c.b
    if b.step_returns_gradients:
        c.report.discovery.append(f"the code's own loss: {b.step} returns, with its gradients, {own.words()}: the "
                                  "gradients must be exactly its gradients")
    elif b.lr_known:
        c.report.discovery.append(f"the code's own loss: {b.loss_method} gives {own.words()}: each update must be "
                                  "the learning rate times its gradient")
    else:
        # a step written into the code is measured: any constant of the loss is absorbed in it
        own = dataclasses.replace(own, forms=frozenset((f.key, m) for f in factors(own.family) for m in MODES))
        c.report.discovery.append(f"the code's own loss: {b.loss_method} gives {own.words()}: the updates must be "
                                  "gradient descent of it")
    observations, output = c.observations, c.output
    if own.inner is None:
        match = find_match(observations, c.b, c.hidden, output, vm.SPEC)
    else:
        # the code returns logits: its loss applies softmax (or a sigmoid) to them
        reading = next(iter(_LogitReadings(c.driver, c.b, c.seed, c.observations, [(own.inner, own.family)])), None)
        if reading is None:
            return None
        observations, output = reading.observations, reading.inner
        match = find_match(observations, c.b, c.hidden, output, vm.SPEC, only=own.family.name)
    c.b.own_loss = own
    if match is None or (match.family.name == own.family.name and (match.factor.key, match.mode) in own.forms):
        return None  # the later stages judge under the code's own loss
    c.report.ok = False
    said = loss_phrase(match)
    if b.step_returns_gradients:
        c.report.diagnosis = [f"the gradients are exact for {said}, but the loss the code returns with them is "
                              f"{own.words()}: they are not the gradients of its own loss" + _own_loss_fix(match, own)]
    else:
        c.report.diagnosis = [f"the updates are exact gradient descent of {said}, but the code's own loss "
                              f"({b.loss_method}) is {own.words()}: the step does not descend the loss the code "
                              "computes" + _own_loss_fix(match, own)]
    factor, mode = own.form()
    reference = Match(vm.SPEC, own.family, factor, mode, None)
    c.report.found = Found(vm.SPEC, reference, c.hidden, output, observations)
    c.report.loss, c.report.reduction = loss_phrase(reference), _reduction_name(reference)
    c.report.own_loss_mismatch = True  # the whole gradient's constant: no one line departs
    _first_failing_table(c.report, observations, c.b, c.hidden, output, reference)
    return c.report


def _own_loss_fix(match, own) -> str:
    """How to make gradients found for ``match`` those of the code's own loss."""
    factor, mode = own.form()
    if match.family.name == own.family.name and match.factor.key == factor.key:
        return (" (divide every gradient by the number of samples N)" if mode == "mean"
                else " (do not divide the gradients by N)")
    return ""


#: The regularisation strength a step that takes one (``reg``, ``lambd``, ``lmbda``) is driven with again.
REG_STRENGTH = 0.37
#: L2 conventions: the gradient's coefficient on W over the strength, and the term the loss adds.
_L2_FORMS = (
    (1.0, "lambda/2 * sum(W^2)"), (2.0, "lambda * sum(W^2)"), ("1/N", "lambda/(2N) * sum(W^2)"),
    ("2/N", "lambda/N * sum(W^2)"),
)


def _check_regularisation(c: Check) -> None:
    """A passing step that takes a regularisation strength: driven again with it, its L2 part named or failed.

    The same scenarios with ``reg = REG_STRENGTH``: the update's difference from the
    spec's unregularised one must be the rate times c * W for every weight (and 0, or
    the same c * b, for the biases). c is named among the L2 conventions; where the
    code returns or computes its loss, c must be twice the coefficient of the sum of
    squares that loss adds (so half the L2 gradient, reg * W for reg * sum(W^2), fails).
    """
    b, report = c.b, c.report
    found = getattr(report, "found", None)
    if not any(r.role == "reg" for r in b.step_args) or found is None or found.match.mode == "sequential":
        return
    m, lam = found.match, REG_STRENGTH
    arch = b.archs[0]
    picked = [o for o in found.observations if o.arch == arch and o.N > 1][:3]
    coefficients, biases_too, own = [], False, []
    for o in picked:
        try:
            out, after = c.driver.run(b, o.arch, o.before, o.X, o.Y, o.lr, reg=lam)
        except (sandbox.SandboxError, discover.ShapeChanged) as err:
            text = f"{err.request} {err}" if isinstance(err, sandbox.SandboxError) else str(err)
            report.ok = False
            _stop(report, f"{o.label}, {b.step_args[[r.role for r in b.step_args].index('reg')].name} {lam:g}", text)
            return
        ro = Observation(o.label, o.arch, o.before, o.X, o.Y, o.lr, out, after, getattr(c.driver, "last_loss", None))
        rate = 1.0 if b.step_returns_gradients else (o.lr if b.lr_known else m.eta)
        step = rate * m.factor.value(o.arch[-1])
        predicted = _predicted(ro, b, found.hidden, found.output, m.variant, m.family, step, m.mode)
        observed = _observed_update(ro, b)
        for p, seen, spec in zip(b.params[o.arch], observed, predicted):
            d, w = seen - spec, o.before[p.key]
            k = -float(np.sum(d * w)) / (rate * float(np.sum(w * w)))
            exact = float(np.max(np.abs(d + rate * k * w))) <= 1e-6 * max(float(np.max(np.abs(d))), 1e-12) + 1e-12
            if p.kind == "W" or abs(k) * float(np.max(np.abs(w))) > 1e-9 * max(float(np.max(np.abs(spec))), 1e-12):
                if not exact:
                    _regularisation_fails(c, ro, f"with {lam:g} as the regularisation strength, the update of "
                                          f"{p.name} differs from the unregularised one by something that is not "
                                          "a multiple of its weights (L2 regularisation adds c * W to the gradient)")
                    return
                coefficients.append(k)
                biases_too |= p.kind == "b"
        if ro.loss_value is not None and o.loss_value is not None:
            # the loss's L2 coefficient, over the weights' squares alone and with the biases'
            weights = sum(float(np.sum(o.before[p.key] ** 2)) for p in b.params[o.arch] if p.kind == "W")
            every = sum(float(np.sum(o.before[p.key] ** 2)) for p in b.params[o.arch])
            own.append((2 * (ro.loss_value - o.loss_value) / weights, 2 * (ro.loss_value - o.loss_value) / every))
    if not coefficients:
        return
    k = coefficients[0]
    name = b.step_args[[r.role for r in b.step_args].index("reg")].name
    if not np.allclose(coefficients, k, rtol=1e-6):
        _regularisation_fails(c, ro, f"with {name} = {lam:g}, the weights' regularisation terms differ from "
                              "layer to layer or scenario to scenario (L2 adds the same c * W to every weight's gradient)")
        return
    # the loss's coefficient, over the squares it really sums: the weights' alone, or the biases' too
    N = picked[0].N
    weights_only = [w for w, _ in own] if own and np.allclose([w for w, _ in own], own[0][0], rtol=1e-6) else None
    with_biases = [a for _, a in own] if own and np.allclose([a for _, a in own], own[0][1], rtol=1e-6) else None
    if biases_too and with_biases and abs(k - with_biases[0]) <= 1e-6 * abs(k):
        weights_only = None  # the loss penalises the biases too, as the update does
    elif biases_too and weights_only and abs(k - weights_only[0]) <= 1e-6 * abs(k):
        _regularisation_fails(c, ro, f"with {name} = {lam:g}, the biases are decayed too (their update adds "
                              f"{k / lam:.6g} * {name} * b), but the L2 term of the code's own loss sums the weights' "
                              "squares only: regularise the weights alone, or add the biases' squares to the loss")
        return
    expected = weights_only or with_biases
    if expected and abs(k - expected[0]) > 1e-6 * abs(expected[0]):
        e = expected[0]
        _regularisation_fails(c, ro, (
            f"with {name} = {lam:g}, the regularisation adds {k / lam:.6g} * {name} * W to the gradients, but "
            f"the L2 term of the code's own loss adds {e / lam:.6g} * {name} * W: "
            + ("half the L2 gradient (the 2 of the square's derivative is missing)" if abs(k * 2 - e) <= 1e-6 * e
               else "twice the L2 gradient" if abs(k - 2 * e) <= 1e-6 * e
               else "the regularisation gradient is not that of the loss")))
        return
    form = next((text for ratio, text in _L2_FORMS
                 if abs(k - lam * (ratio if not isinstance(ratio, str) else float(ratio[0]) / N)) <= 1e-6 * abs(k)), None)
    if form is None:
        _regularisation_fails(c, ro, f"with {name} = {lam:g}, the regularisation adds {k:.6g} * W to the "
                              f"gradients ({k / lam:.6g} * {name}): no L2 convention (lambda or lambda/2 times the sum "
                              "of squares, divided by N or not) gives it")
        return
    report.convention = (report.convention or "") + (
        f"; L2 regularisation {form.replace('lambda', name)}{', biases included' if biases_too else ''} "
        f"(driven with {name} = {lam:g} too)")
    report.discovery.append(f"regularisation: the step takes {name}; driven with {name} = 0 and {lam:g}: it adds "
                            f"{form.replace('lambda', name)} to the loss" + (", the biases' squares too" if biases_too else ""))


def _regularisation_fails(c: Check, obs, text: str) -> None:
    """The passing report turned into a FAIL about regularisation."""
    c.report.ok = False
    c.report.convention = None
    c.report.failed_scenario = f"{obs.label}, with regularisation"
    c.report.diagnosis = [text]


def _stage_pinned_loss_fits(c: Check) -> Report | None:
    """A pinned loss that cannot follow the output (bce after tanh, ce after a sigmoid): said, not computed."""
    loss, output = c.loss, c.output
    if loss is None or vm.family(loss).accepts(output) or c.pairs:
        return None
    try:
        spec_losses.get(loss).check_output_activation(output)
    except ValueError as err:
        reason = str(err).removeprefix("output_activation: ")
    c.report.ok = False
    c.report.diagnosis = [f"the pinned --loss {loss} does not fit the code's {output.name} output: {reason}; the "
                          f"losses that do: {', '.join(f.name for f in accepted_families(output))}"]
    return c.report


def _pinned_on_logits(c: Check) -> bool:
    """A pinned loss the output cannot take, but a logit reading can (--loss ce with logits, say)."""
    return c.loss is not None and not vm.family(c.loss).accepts(c.output)


def _stage_convention(c: Check) -> Report | None:
    """The spec's recurrence under some convention explains every scenario: PASS, the convention named."""
    if _pinned_on_logits(c):
        return None
    match = find_match(c.observations, c.b, c.hidden, c.output, vm.SPEC, c.loss, c.reduction)
    if match is None:
        return None
    c.report.convention = convention_text(match, c.hidden, c.output, c.b, c.depth)
    c.report.loss, c.report.reduction = _loss_name(match), _reduction_name(match)
    c.report.found = Found(vm.SPEC, match, c.hidden, c.output, c.observations)
    return c.report


def _stage_logits(c: Check) -> Report | None:
    """An identity output the identity's losses do not explain, read as logits with the activation in the loss: PASS."""
    # the code may return logits and apply softmax or a sigmoid inside its loss (cross-entropy on logits)
    c.logits = _LogitReadings(c.driver, c.b, c.seed, c.observations, c.pairs)
    for r in c.logits if c.pairs else ():
        match = find_match(r.observations, c.b, c.hidden, r.inner, vm.SPEC, c.loss, c.reduction, only=r.family.name)
        if match is not None:
            c.report.convention = convention_text(match, c.hidden, c.output, c.b, c.depth, logits=r)
            c.report.found = Found(vm.SPEC, match, c.hidden, r.inner, r.observations)
            c.report.loss, c.report.reduction = _loss_name(match), _reduction_name(match)
            c.report.discovery.append(_discovery_line(r))
            c.report.scenarios = len(r.observations)
            return c.report
    c.report.ok = False  # every later stage is a failure
    return None


def _stage_pinned_logits(c: Check) -> Report | None:
    """With a loss pinned that only logits can take: a mistake read on logits, or why nothing fits."""
    if not _pinned_on_logits(c):
        return None
    if _logit_diagnosis(c.report, c.logits, c.b, c.hidden, c.output, c.depth, c.loss, c.reduction):
        return c.report
    loss, output = c.loss, c.output
    reason = f"the {loss} loss needs {spec_losses.REQUIREMENTS[spec_losses.get(loss).requires][1]}"
    c.report.diagnosis = [f"the pinned --loss {loss} does not fit the code's {output.name} output: {reason}; read as "
                          f"logits with the activation applied inside the loss, no known mistake explains the "
                          f"updates either; the losses that fit the output: "
                          f"{', '.join(f.name for f in accepted_families(output))}"]
    return c.report


def _stage_non_finite(c: Check) -> Report | None:
    """A step that leaves NaN or infinite parameters from finite ones: said, with its table."""
    b, report = c.b, c.report
    broken = next(((o, p) for o in c.observations for p in b.params[o.arch]
                   if not np.all(np.isfinite(o.after[p.key]))), None)
    if broken is None:
        return None
    obs, p = broken
    report.diagnosis = [f"the training step leaves {p.name} with NaN or infinite entries (first in scenario "
                        f"{obs.label}), from finite parameters and data"]
    report.failed_scenario = obs.label
    family = _first_family(c.output, c.loss)
    report.parameters = _table(obs, b, c.hidden, c.output, family,
                               (obs.lr or 1.0) * factors(family)[0].value(obs.arch[-1]), "batch")
    return report


def _stage_soft_targets(c: Check) -> Report | None:
    """Right for one-hot targets, not for soft ones (the targets turned into labels by an argmax, say)."""
    soft = [o for o in c.observations if not _one_hot(o.Y)]
    one_hot = [o for o in c.observations if _one_hot(o.Y)]
    if not (soft and one_hot):
        return None
    m = find_match(one_hot, c.b, c.hidden, c.output, vm.SPEC, c.loss, c.reduction)
    if m is None:
        return None
    output = c.output
    closed = None if output.elementwise else _closed_text(m.family, output)
    c.report.diagnosis = [
        f"the updates are exact for one-hot targets ({loss_phrase(m)}) but not for soft targets "
        "(probability vectors that are not one-hot): the targets are used as if one-hot, e.g. turned into "
        "labels by an argmax; the loss's gradient holds for any probability vector y"
        + (f" (delta = {closed} after {output.name})" if closed else "")]
    _first_failing_table(c.report, c.observations, c.b, c.hidden, output, m)
    c.report.loss, c.report.reduction = loss_phrase(m), _reduction_name(m)
    return c.report


def _stage_mistakes(c: Check) -> Report | None:
    """The first registered mistake that explains every scenario (`spec.verify.mistakes`), with its table.

    In the registry's order, simplest first; a second only if it needs another
    loss (cross-entropy where the first needs squares).
    """
    explained = []  # (text, match, candidate)
    for cand in _candidates(c.hidden, c.output, c.b):
        if cand.shadowed_by and any(e.mistake.key == cand.shadowed_by for _, _, e in explained):
            continue  # the same numbers as a mistake already said, whose diagnosis says so
        m = find_match(c.observations, c.b, c.hidden, c.output, cand.variant, c.loss, c.reduction)
        if m is not None and all(m.family is not other.family for _, other, _ in explained):
            explained.append((f"{cand.text} (with {loss_phrase(m)})" if c.loss is None else cand.text, m, cand))
    if not explained:
        return None
    c.report.diagnosis = [text for text, _, _ in explained]
    # what `locate` needs to find the line (an attribute, not a field: not part of the JSON report)
    c.report.found = Found(explained[0][2].variant, explained[0][1], c.hidden, c.output, c.observations)
    return _finish(c, explained[0][1])


def _stage_logit_mistakes(c: Check) -> Report | None:
    """A registered mistake with the code read as returning logits."""
    if c.pairs and _logit_diagnosis(c.report, c.logits, c.b, c.hidden, c.output, c.depth, c.loss, c.reduction):
        return c.report
    return None


def _stage_ratios(c: Check) -> Report:
    """Last: each layer's update against the spec's names a factor, a sign, a mean (`_ratio_diagnosis`), or nothing."""
    report, b = c.report, c.b
    report.diagnosis, family, odd = _ratio_diagnosis(c.observations, b, c.hidden, c.output, c.depth)
    # the convention the code seems to follow, from the single-sample scenarios
    single = [o for o in c.observations if o.N == 1]
    reference = find_match(single, b, c.hidden, c.output, vm.SPEC, c.loss, c.reduction) if single else None
    good = None
    if odd:
        good = {key for o in c.observations for key in _keys(o, b)} - set(odd)
        reference = Match(vm.SPEC, family, factors(family)[0], "batch", None)
    _finish(c, reference, good)
    if not report.diagnosis and c.loss is None and c.reduction is None:
        report.diagnosis = ["no known mistake explains every scenario (the table shows where the update differs)"]
    elif not report.diagnosis:
        report.diagnosis = [f"no known mistake explains every scenario under the pinned convention ({c.pins}); "
                            "without the pins, verify looks for the convention itself"]
    return report


def _finish(c: Check, reference, good=None) -> Report:
    """The failing report's loss, reduction and table against ``reference`` (a default convention when None)."""
    report = c.report
    if reference is None:
        family = _first_family(c.output, c.loss)
        reference = Match(vm.SPEC, family, factors(family)[0], "mean" if c.reduction == "mean" else "batch", None)
    if getattr(report, "found", None) is None:  # no mistake named: the spec's quantities against the reference
        report.found = Found(vm.SPEC, reference, c.hidden, c.output, c.observations)
    report.loss = "the step the other parameters take" if good else loss_phrase(reference)
    report.reduction = "per scenario" if good else _reduction_name(reference)
    _first_failing_table(report, c.observations, c.b, c.hidden, c.output, reference, good)
    return report


#: The stages of `judge`, in order: each returns the finished report, or None to pass on.
STAGES = (
    _stage_unsupported,
    _stage_drive,
    _stage_forward,
    _stage_own_loss,
    _stage_pinned_loss_fits,
    _stage_convention,
    _stage_logits,
    _stage_pinned_logits,
    _stage_non_finite,
    _stage_soft_targets,
    _stage_mistakes,
    _stage_logit_mistakes,
    _stage_ratios,
)


def judge(driver, b: discover.Binding, activation=None, output_activation=None, loss=None, reduction=None, seed=0) -> Report:
    """Drive the scenarios and compare them with the spec (see the module docstring), stage by stage (`STAGES`)."""
    pins = ", ".join(f"{k} {v}" for k, v in (("activation", activation), ("output activation", output_activation),
                                              ("loss", loss), ("reduction", reduction)) if v)
    report = Report(True, activation or "found from the forward pass", loss or "mse", reduction or "sum", 0,
                    discovery=list(b.lines))
    if pins:
        report.discovery.append(f"pinned: {pins}")
    check = Check(driver, b, activation, output_activation, loss, reduction, seed, report, pins)
    box = getattr(driver, "box", None) or getattr(getattr(driver, "runner", None), "box", None)
    for count, stage in enumerate(STAGES):
        # the checker's own comparisons count against --timeout too, not only the user's code
        if box is not None and box.remaining() <= 0:
            report.ok, report.undecided = False, True
            report.why_undecided = (f"the checker's own comparisons did not finish within the time limit of "
                                    f"{box.timeout:g} s ({count} of {len(STAGES)} stages done); raise --timeout")
            return report
        done = stage(check)
        if done is not None:
            if done.ok:
                _check_regularisation(check)
            return done
    raise AssertionError("the last stage always returns a report")  # pragma: no cover


def _logit_diagnosis(report, logits, b, hidden, output, depth, loss, reduction) -> bool:
    """The first known mistake that explains every scenario with the code read as returning logits, into ``report``.

    Tried only once the identity output's own losses and mistakes explain nothing (so code that
    is squared error on an identity output, with a mistake, keeps its diagnosis).
    """
    for r in logits:
        for c in _candidates(hidden, r.inner, b):
            if c.shadowed_by:
                continue  # the softmax Jacobian's diagonal on top is the same numbers as the Jacobian twice, said there
            m = find_match(r.observations, b, hidden, r.inner, c.variant, loss, reduction, only=r.family.name)
            if m is None:
                continue
            # (the squared-error reading of the same numbers is about softmax outputs, which this code does not return)
            text = c.short
            report.diagnosis = [f"read as logits with {r.inner.name} applied inside the loss ({loss_words(r.family)} "
                                f"on logits, delta = {r.closed()} with a = {r.inner.name}(z)): {text} "
                                f"(with {loss_phrase(m)})"]
            report.activation += f" (logits; {r.inner.name} inside the loss)"
            report.discovery.append(_discovery_line(r))
            report.loss, report.reduction = loss_phrase(m), _reduction_name(m)
            _first_failing_table(report, r.observations, b, hidden, r.inner, m)
            return True
    return False


def _first_failing_table(report, observations, b, hidden, output, reference: Match, good=None) -> None:
    """The parameter table of the first scenario whose update differs from ``reference``'s, into ``report``."""
    report.quantity = "gradient" if b.step_returns_gradients else "update"
    for obs in observations:
        lr = 1.0 if b.step_returns_gradients else (obs.lr if obs.lr is not None else (reference.eta or 1.0))
        step = lr * reference.factor.value(obs.arch[-1])
        table = _table(obs, b, hidden, output, reference.family, step, reference.mode, good)
        if not all(r.ok for r in table):
            report.failed_scenario, report.parameters = obs.label, table
            return


def _one_hot(Y) -> bool:
    """Whether every column of the targets is one-hot."""
    return Y.shape[0] > 1 and bool(np.all((Y == 0) | (Y == 1))) and bool(np.all(Y.sum(axis=0) == 1))


def _keys(obs, b):
    D = len(obs.arch) - 1
    return [(p.kind, "out" if p.layer == D else p.layer) for p in b.params[obs.arch]]


def _loss_name(m: Match) -> str:
    """A short name of the convention for `Report.loss`: the registry name, or e.g. ``sse`` for mse without its 1/2."""
    names = LOSS_WORDS.get(m.family.name, {}).get("names", {})
    if m.factor.key in names:
        return names[m.factor.key]
    name, bare = m.family.name, f"{m.family.name} x {1 / m.family.coefficient}"
    return {"plain": name, "bare": bare, "mean_outputs": f"{name} over outputs",
            "bare_mean_outputs": f"{bare} over outputs"}[m.factor.key]


def _reduction_name(m: Match) -> str:
    return {"batch": "sum", "mean": "mean", "sequential": "per-sample steps"}[m.mode]


# --- a plain gradient function -----------------------------------------------------------


def verify_gradient_function(
    fn, sizes=(2, 2, 1), activation="sigmoid", output_activation=None, loss="mse", reduction="sum", seed=0, draws=5
) -> Report:
    r"""Check ``fn(weights, biases, X, Y) -> (dW, db)`` against the spec, in this process.

    ``weights[l-1]`` has shape ``(n_l, n_{l-1})``, ``biases[l-1]`` shape ``(n_l,)``,
    ``X`` shape ``(samples, features)``, ``Y`` shape ``(samples, outputs)``; ``dW``
    and ``db`` are lists of the same shapes. ``draws`` random parameter and data
    sets are tried (moderate and large weights; probability vectors as targets for a
    softmax output). The function runs here: use this
    for code you trust; ``backprop-spec verify`` runs code in a separate process.
    """
    output_activation = output_activation or activation
    oracle = Oracle(sizes, activation, output_activation, loss, reduction)
    rng = np.random.default_rng(seed)
    report = Report(True, activation, loss, reduction, 0)
    report.convention = f"the gradients of {loss} ({reduction} over samples), {activation} hidden, {output_activation} output"
    for draw in range(draws):
        scale = 1.0 if draw % 2 == 0 else 3.0
        weights = [scale * rng.normal(size=(m, n)) for n, m in zip(sizes[:-1], sizes[1:])]
        biases = [scale * rng.normal(size=m) for m in sizes[1:]]
        X = rng.normal(size=(4 + draw, sizes[0]))
        if spec_activations.get(output_activation).output_set == "simplex":
            # probability vectors, one-hot and soft in turn (cross-entropy's a - y presumes them)
            Y = _targets(rng, "simplex", sizes[-1], 4 + draw, soft=draw % 2 == 1).T
        else:
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
            # one constant ratio for every parameter: named by the shared detector (impl._ratio)
            found = _ratio.detect(values, X.shape[0]) if len(values) == len(ratios) else None
            if found is not None and found.kind not in ("lr",):
                words = {
                    "mean": "every gradient is 1/N of the spec's: a mean over samples where the spec sums",
                    "sum": "every gradient is N times the spec's: a sum over samples where the spec averages",
                    "sign": "every gradient has the wrong sign",
                }
                report.diagnosis.append(words.get(found.kind, f"every gradient is {values[0]:.6g} times the spec's"))
            return report
    return report
