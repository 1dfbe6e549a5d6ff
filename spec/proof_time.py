r"""How long `prove_backprop` will take, estimated from the network's size before it starts.

`prove` uses this to refuse up front a request that cannot finish within
``--timeout``, instead of starting it and stopping at the limit.

The model, one per method, log-linear in four counts:

$$
t \approx e^{c_0}\, N^{c_N}\, P^{c_P}\, Q^{c_Q}\, e^{c_{ce} [\text{loss} = ce]},
$$

with \(N\) the samples, \(P = \sum_l (n_{l-1} n_l + n_l)\) the parameters
and \(Q = \sum_l n_l \prod_{m > l} n_m\) the paths from every unit to the
output, which is the number of terms of backprop's error terms
\(\delta^{(l)}\) once expanded (what ``expand`` has to cancel). The
downstream method's work follows \(Q\) (one derivative per unit, as large
as the network after it) plus a share per parameter; the nested method
differentiates the whole network once per parameter, about \(P \times Q\).
Depth enters through \(Q\); a separate depth term did not improve the fit.

Why fitted constants and not a calibration run on the user's machine: the
estimate is then instant, the same for the same request, and testable;
a calibration proof costs time on every call, and on a shared, busy machine
it would measure the load of the moment. A faster CPU is covered by the
margin `REFUSE_FACTOR` instead.
"""

from __future__ import annotations

import math

#: ``(c0, cN, cP, cQ, c_ce)`` per method, for seconds as `prove_backprop` counts them.
#: Fitted by least squares on log(seconds) (``python -m benchmarks.prove_times --fit``) to the proofs in
#: benchmarks/results/prove_times.jsonl that finished in at least 0.3 s, each timed in its own process on a
#: 2-vCPU Intel Xeon with SymPy 1.14 while other work shared the machine: the grid of widths 2 to 6, 2 to 4
#: layers (2,2,1 ... 6,6,6,6,6), 1, 2, 4 and 8 samples, mse (sigmoid output) and ce (softmax output), plus
#: larger checks (64,32,10; 20,20,20; 10,10,10,10; 8,8,8,8,8; 20,20,20,20 with 1 and 8 samples, 26 s and 270 s,
#: downstream; 8,8,4; 4,5,5,3; 10,10,10; 8,8,8,8; 10,10,4 with ce, nested).
PROOF_TIME_FIT = {
    "downstream": (-5.67, 0.746, 0.511, 0.605, 0.803),
    "nested": (-7.16, 0.918, 1.148, 0.691, 0.818),
}
#: Only finished proofs are in the fit: the nested method's largest ce proofs stopped at the 60 s cap and the
#: estimate is low for them (6,6,6,6 with ce, 1 sample: over 60 s, estimated 21 s). A low estimate only lets a
#: request run to its timeout, as before; a high one refuses, so the margin below is for that side.
#: Over the fitted measurements, the fit was off by at most this factor either way (estimate / measured).
FIT_FACTOR = 2.5

#: `prove` refuses a request whose estimate exceeds the timeout: waiting the whole timeout to be told
#: NOT PROVEN helps nobody. The estimate can be up to `FIT_FACTOR` too high, so the refusal names a timeout
#: that covers that (`suggested_timeout`): a refused request is one command away from running, never blocked.
REFUSE_FACTOR = 1.0


def parameter_count(sizes) -> int:
    """P = sum over layers of n(l-1) n(l) weights and n(l) biases."""
    return sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))


def path_count(sizes) -> int:
    """Q = sum over layers l of n(l) times the product of the widths after l: every unit's paths to the output."""
    paths, downstream = 0, 1
    for n_l in reversed(sizes[1:]):
        paths += n_l * downstream
        downstream *= n_l
    return paths


def estimate_seconds(sizes, samples: int, method: str = "downstream", loss: str = "mse") -> float:
    """The fitted model's seconds for `prove_backprop` on this request (ce's own constant; other losses as mse)."""
    c0, c_N, c_P, c_Q, c_ce = PROOF_TIME_FIT[method]
    log_t = (
        c0 + c_N * math.log(samples) + c_P * math.log(parameter_count(sizes))
        + c_Q * math.log(path_count(sizes)) + (c_ce if loss == "ce" else 0.0)
    )
    return math.exp(log_t)


def cannot_finish(estimate: float, timeout: float) -> bool:
    """Whether the estimate says the proof cannot finish in ``timeout``: estimate > `REFUSE_FACTOR` * timeout."""
    return estimate > REFUSE_FACTOR * timeout


def suggested_timeout(estimate: float) -> int:
    """A --timeout that lets the proof finish even where the estimate is `FIT_FACTOR` too low (whole seconds)."""
    return int(math.ceil(FIT_FACTOR * estimate / 10.0) * 10)


def duration(seconds: float) -> str:
    """``"40 s"``, ``"12 min"``, ``"3.5 h"``: the estimate as a person reads it, to two figures."""
    if seconds < 10:
        return f"{seconds:.2g} s"
    if seconds < 600:
        return f"{seconds:.0f} s"  # (in seconds, to compare with --timeout)
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
