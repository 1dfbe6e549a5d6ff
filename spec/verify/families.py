"""The losses `verify` searches, and how it says them.

Shared by the judge (`spec.verify.judge`) and the mistakes
(`spec.verify.mistakes`), below both: the loss families an output
activation admits, their names in words under each convention, the spec's
closed output errors after a vector activation in words, and which other
losses read the same numbers.
"""

from __future__ import annotations

import functools

import numpy as np

from spec import losses as spec_losses
from spec.verify import recurrence as vm


def _targets(rng, kind, o, N, soft=False, far=False):
    """Targets ``(o, N)`` of one scenario: see `TARGETS`; ``soft`` probability vectors, or alternately one-hot and soft."""
    if kind == "values":
        # 0/1 targets (valid for cross-entropy too), or anywhere in (0, 1)
        return rng.choice([0.0, 1.0], size=(o, N)) if far else rng.uniform(size=(o, N))
    one_hot = np.eye(o)[:, rng.integers(0, o, N)]
    if kind == "labels" or not soft:
        return one_hot
    # soft targets: a probability vector per sample (Dirichlet), every other one one-hot in a mixed batch
    Y = rng.dirichlet(np.ones(o), N).T
    if soft == "mixed":
        Y[:, ::2] = one_hot[:, ::2]
    return Y


#: How verdicts name the registered losses (words only: a loss not named here is named from its
#: spec entry, so a new loss needs no edit). Keys: the factors' keys, "bare_mean_entries" (the
#: bare loss averaged over samples and outputs), "short" (the loss in two words), "names" (Report.loss).
LOSS_WORDS = {
    "mse": {
        "plain": "1/2 * sum of squared errors", "bare": "sum of squared errors (no 1/2)",
        "bare_mean_outputs": "mean of squared errors over the outputs",
        "mean_outputs": "1/2 * mean of squared errors over the outputs",
        "bare_mean_entries": "the mean of squared errors over every entry (samples and outputs)",
        "short": "squared error",
        "names": {"plain": "mse", "bare": "sse", "bare_mean_outputs": "mse over outputs",
                  "mean_outputs": "1/2 mse over outputs"},
    },
    "bce": {"plain": "binary cross-entropy", "mean_outputs": "binary cross-entropy averaged over the outputs"},
    "ce": {"plain": "cross-entropy", "mean_outputs": "cross-entropy averaged over the outputs"},
}


def loss_words(family: vm.Family, key: str = "plain") -> str:
    """The words for ``family`` under the factor ``key`` (or ``"short"``, ``"bare_mean_entries"``)."""
    words = LOSS_WORDS.get(family.name, {})
    if key in words:
        return words[key]
    from spec.proof import plain

    base = words.get("plain") or f"the {family.name} loss (the sum over the outputs of {plain(family.loss.expr)})"
    bare = words.get("bare") or f"{base} without its factor {family.coefficient}"
    return {
        "plain": base, "bare": bare, "mean_outputs": f"{base} averaged over the outputs",
        "bare_mean_outputs": f"{bare} averaged over the outputs", "short": family.name,
    }.get(key)


def accepted_families(output) -> list[vm.Family]:
    """The registered losses (`spec.losses.names()`) whose declared requirement admits the output activation."""
    return [f for f in vm.families() if f.accepts(output)]


@functools.lru_cache(maxsize=None)
def same_error_without_slope(family: vm.Family, output) -> tuple[vm.Family, ...]:
    """The other losses the output admits whose dl/da equals ``family``'s output error (the slope cancelled in it).

    Sigmoid with binary cross-entropy gives delta = a - y, which is squared
    error's dl/da; softmax with cross-entropy the same (targets summing to 1).
    Decided numerically on random outputs and targets of the kind the output
    gives (probability vectors for a simplex).
    """
    rng = np.random.default_rng(0)
    z = rng.normal(size=(4, 6))
    with np.errstate(all="ignore"):
        a = output.numpy_f(z)
        Y = _targets(rng, "simplex" if output.output_set == "simplex" else "values", 4, 6, soft=True)
        mine = family.delta(output, z, a, Y)
        out = []
        for other in accepted_families(output):
            if other is family:
                continue
            theirs = other.dl_da(a, Y)
            if np.all(np.isfinite(mine)) and np.allclose(mine, theirs, rtol=1e-9, atol=1e-12):
                out.append(other)
    return tuple(out)


@functools.lru_cache(maxsize=None)
def _jacobian_diagonal_text(act) -> str:
    """The diagonal entry d a_i / d z_i of a vector activation through its outputs (softmax: a_i*(1 - a_i))."""
    import sympy as sp

    from spec.proof import plain, tidy

    G = act.jacobian_output_form(2)
    if G is None:
        return "d a_i / d z_i"
    a0 = act.As(2)[0]
    return plain(tidy(G[0, 0]).xreplace({a0: sp.Symbol("a_k")}))


@functools.lru_cache(maxsize=None)
def _closed_text(family: vm.Family, act) -> str | None:
    """The spec's output error of a loss after a vector activation, for targets summing to 1, in words (``a_k - y_k``)."""
    from spec.proof import plain

    try:
        general = spec_losses.general_output_delta(family.name, act.name)
    except (ValueError, NotImplementedError):
        return None
    form = general.in_a_unit_targets if general.in_a_unit_targets is not None else general.in_a
    return None if form is None else plain(form)
