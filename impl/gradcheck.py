r"""Gradient checking: backpropagation against finite differences of the loss.

`check` compares every entry of the analytic gradient, ``net.gradients(X,
Y)``, with a numerical derivative of the same network's loss (same
activations, same loss, same reduction), computed without any of the
backpropagation code. Two numerical methods:

* ``"central"``: \( \frac{\partial L}{\partial \theta} \approx
  \frac{L(\theta + h) - L(\theta - h)}{2h} \), valid for
  every activation away from its kinks;
* ``"complex"``: the complex step \( \frac{\partial L}{\partial
  \theta} \approx \operatorname{Im} L(\theta + ih) / h \), which
  subtracts nothing and so is accurate to rounding, but needs a loss that is
  analytic in \( \theta \), i.e. smooth activations only.

All parameters are checked at once. Copy \( p \) of the network differs
from the base network in its parameter \( \theta_p \) alone, so the copies
are stacked along a leading axis and pushed through one batched forward pass
(in chunks, so that each chunk's arrays stay in the CPU caches). Because a
copy differs in one entry, its forward pass can start late: changing
\( W^{(l)}_{jk} \) or \( b^{(l)}_j \) leaves \( z^{(1)}, \dots,
z^{(l-1)} \) and every row of \( z^{(l)} \) but row \( j \) as they are in
the base pass (per sample, \( z^{(l)} \) is a column vector),

$$
z^{(l)}_j \leftarrow z^{(l)}_j + h\, u, \qquad
u = \frac{\partial z^{(l)}_j}{\partial \theta}
  = a^{(l-1)}_k \text{ (weight) or } 1 \text{ (bias)},
$$

so only layers \( l, \dots, D \) are recomputed per copy, with
\( z^{(m)} \) of shape ``(copies, n_m, samples)``, and for the output layer
only the loss terms of output \( j \). This is the same function of
\( \theta \) the network computes, at the same perturbed point; it only
skips arithmetic whose result is already known.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from impl import _ratio, _validate
from impl.activations import Activation
from impl.losses import Loss, mse
from impl.network import Network

__all__ = ["METHODS", "ParameterCheck", "Report", "check"]

METHODS = ("central", "complex")

# The check computes in float64 whatever the parameters' dtype.
_EPS = np.finfo(np.float64).eps
# Central step h = eps^(1/3) max(1, |theta|). The central difference has
# truncation error ~ h^2 |L'''| / 6 and rounding error ~ eps |L| / h; their sum
# is smallest for h ~ eps^(1/3) (about 6e-6), where both are ~ eps^(2/3)
# (about 4e-11) in relative terms. The step grows with |theta| so that it stays
# many units in the last place of theta.
_CENTRAL_FACTOR = _EPS ** (1 / 3)
# Complex step: Im L(theta + ih) = h L'(theta) - h^3 L'''(theta) / 6 + ..., and
# nothing is subtracted, so h can be tiny: with h = 1e-20 the h^2 term lies
# ~1e-40 below the derivative, far under rounding.
_COMPLEX_STEP = 1e-20

# Default relative tolerances.
# central: its own error is ~1e-10 relative on well-scaled networks (see
# above) and rarely above 1e-7 (the truncation error grows as (h u)^2, u the
# input or activation multiplying the step), so 1e-6 leaves margin, while a
# real bug (a missing factor, a wrong index, a wrong derivative) is off by far
# more than 1e-6.
# complex: both sides are accurate to rounding, ~1e-15 relative times the
# cancellation in the sums over samples; 1e-10 leaves room for that
# cancellation and still rejects anything but rounding.
_DEFAULT_RTOL = {"central": 1e-6, "complex": 1e-10}

# Relative error is |analytic - numeric| / max(|analytic|, |numeric|, floor).
# An entry much smaller than the gradient as a whole (a saturated unit, an
# input near 0) carries the same *absolute* rounding error as the large
# entries, so its relative error says nothing; the floor keeps such an entry
# from failing on rounding alone. It is the larger of
#   scale = 1e-3 of the largest numerical gradient entry: below it an entry is
#     held to an absolute error of rtol * scale. Both sides' rounding is
#     ~1e-16 of the largest entry (times the cancellation in the sums over
#     samples), i.e. ~1e-13 relative to the floor, under both tolerances.
#     The check stays sharp: an entry 1e-5 of the largest and wrong by 1% is
#     off by 1e-7 of the largest, 1e-4 relative to the floor, and fails.
#   noise / rtol, noise a bound on the numerical method's own rounding error
#     for that entry (below): an entry never fails by less than that bound.
#     This matters for central differences where the loss is large next to the
#     gradient (saturated outputs, many samples).
_SCALE_FRACTION = 1e-3
# noise = _NOISE_ULPS * eps * 2 (sum of |loss terms| the step moves) / 2h for
# central differences (each term is rounded once in L(theta + h) and once in
# L(theta - h), and so is the z it comes from), and _NOISE_ULPS * eps * (sum of
# |Im loss terms|) / h for the complex step (the cancellation in the sum).
# Measured on random networks, the central rounding error was a median 0.04 and
# at most ~0.2 of this bound wherever truncation did not dominate.
_NOISE_ULPS = 8.0

# Target size of the widest array of one chunk of copies. Below 128 KiB, glibc's
# default mmap threshold, freed arrays are handed straight back to the next
# chunk; above it every chunk maps fresh pages from the OS and pays a page
# fault per 4 KiB (measured: 2-3 times slower overall). Small chunks also stay
# in the CPU caches through the chain of elementwise steps. Never above ~256 MB.
_CHUNK_BYTES = 120 * 1024
_MAX_CHUNK_BYTES = 256 * 2**20
# Chunks run in this many threads at once (NumPy releases the GIL in its loops).
# One: on the 2-vCPU machine the benchmarks run on, the full check of a
# 64-32-10 network took a median 33.7 ms in one thread and 43.6 ms in two
# (BLAS limited to one thread; 59.7 and 62.2 ms with OpenBLAS's own threads
# spinning beside them): the chunks are too small for two threads to beat
# their handing the GIL back and forth. The code runs any number.
_THREADS = 1


@dataclass
class ParameterCheck:
    r"""The check of one parameter array, e.g. \( W^{(1)} \).

    Attributes:
        name: ``"W[l]"`` or ``"b[l]"``, layers counted from 1 (``W[l]`` is
            ``net.weights[l-1]``, ``b[l]`` is ``net.biases[l-1]``).
        analytic: The network's gradient, float64, shaped like the parameter.
        numeric: The finite-difference gradient, same shape.
        abs_error: \( |\text{analytic} - \text{numeric}| \) per entry.
        rel_error: ``abs_error / max(|analytic|, |numeric|, scale, noise /
            rtol)`` per entry (see `Report`); ``inf`` where either side is
            not finite.
        noise: Bound on the numerical method's own rounding error per entry.
        worst: Index of the entry with the largest ``rel_error``.
        ok: Every entry's ``rel_error`` is within the tolerance.
    """

    name: str
    analytic: np.ndarray
    numeric: np.ndarray
    abs_error: np.ndarray
    rel_error: np.ndarray
    noise: np.ndarray
    worst: tuple[int, ...]
    ok: bool

    @property
    def max_rel_error(self) -> float:
        """Largest relative error over the entries."""
        return float(self.rel_error[self.worst])

    @property
    def max_abs_error(self) -> float:
        """Largest absolute error over the entries."""
        return float(self.abs_error.max())

    def entry(self, index) -> str:
        """Name of one entry, e.g. ``"W[1][0, 2]"`` or ``"b[2][3]"``."""
        return f"{self.name}[{', '.join(str(int(i)) for i in index)}]"


@dataclass
class Report:
    r"""Result of `check`.

    An entry with analytic value \( g \), numeric value \( \hat g \) and
    rounding bound \( \nu \) passes when
    \( |g - \hat g| \le \max(\text{rtol} \max(|g|, |\hat g|),\
    \text{rtol} \cdot \text{scale},\ \nu) \), i.e. when its relative error
    \( |g - \hat g| / \max(|g|, |\hat g|, \text{scale}, \nu / \text{rtol}) \)
    is at most rtol.

    Attributes:
        ok: Every entry of every parameter passed.
        max_rel_error: Largest relative error over all entries.
        worst: The entry with that error, e.g. ``"W[1][0, 2]"``.
        method: ``"central"`` or ``"complex"``.
        tolerance: The relative tolerance rtol.
        scale: The floor under the denominator for tiny entries (1e-3 of
            the largest numerical gradient entry, or ``atol / rtol``).
        parameters: One `ParameterCheck` per array, in the order
            ``W[1], b[1], W[2], b[2], ...``.
        hint: A likely cause when the failures fit a known pattern, else ``None``.
    """

    ok: bool
    max_rel_error: float
    worst: str
    method: str
    tolerance: float
    scale: float
    parameters: list[ParameterCheck] = field(repr=False)
    hint: str | None = None

    def parameter(self, name: str) -> ParameterCheck:
        """The check of the parameter called ``name`` (``"W[1]"``, ``"b[2]"``...)."""
        for item in self.parameters:
            if item.name == name:
                return item
        known = ", ".join(p.name for p in self.parameters)
        raise KeyError(f"name: no parameter {name!r}; known: {known}")

    def __str__(self) -> str:
        worst = max(self.parameters, key=lambda p: p.max_rel_error)
        i = worst.worst
        lines = [
            f"gradient check {'PASS' if self.ok else 'FAIL'}: method={self.method}, "
            f"rtol={self.tolerance:.0e}, scale={self.scale:.3g}",
            f"worst entry {self.worst}: analytic {worst.analytic[i]:.17g}, "
            f"numeric {worst.numeric[i]:.17g}, rel error {self.max_rel_error:.3g}",
        ]
        if self.hint:
            lines.append(f"likely cause: {self.hint}")
        name_w = max(4, max(len(p.name) for p in self.parameters))
        shape_w = max(5, max(len(str(p.analytic.shape)) for p in self.parameters))
        lines.append(
            f"{'name':<{name_w}}  {'shape':<{shape_w}}  {'max abs err':>11}  "
            f"{'max rel err':>11}  worst entry"
        )
        for p in self.parameters:
            failing = int((p.rel_error > self.tolerance).sum())
            status = "ok" if p.ok else f"FAIL ({failing} of {p.rel_error.size} entries)"
            lines.append(
                f"{p.name:<{name_w}}  {str(p.analytic.shape):<{shape_w}}  "
                f"{p.max_abs_error:>11.3g}  {p.max_rel_error:>11.3g}  "
                f"{p.entry(p.worst)} {status}"
            )
        return "\n".join(lines)


# --- input checks -------------------------------------------------------------


def _tolerance(value, arg: str, positive: bool) -> float | None:
    """``None`` or a finite real number, > 0 (``positive``) or >= 0."""
    if value is None:
        return None
    if positive:
        return _validate.learning_rate(value, arg)
    if isinstance(value, (bool, np.bool_)) or not isinstance(
        value, (int, float, np.integer, np.floating)
    ):
        raise TypeError(f"{arg}: expected a number >= 0, got {value!r} ({type(value).__name__})")
    value = _validate.real(value, arg, "a finite number >= 0")
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{arg}: expected a finite number >= 0, got {value}")
    return value


def _parameters(net: Network):
    """``[None, W[1], ...]`` and ``[None, b[1], ...]`` as float64, checked against ``net.sizes``."""
    _validate.parameters(net.weights, net.biases, net.sizes, owner="net.")
    W, b = [None], [None]
    for l in range(1, len(net.sizes)):
        for name, value, out in (
            (f"net.weights[{l - 1}]: W[{l}]", net.weights[l - 1], W),
            (f"net.biases[{l - 1}]: b[{l}]", net.biases[l - 1], b),
        ):
            # float32 (or float16) parameters are checked at their exact float64 values
            value = value.astype(np.float64)
            if not np.isfinite(value).all():
                raise ValueError(f"{name} holds non-finite values")
            out.append(value)
    return W, b


# --- the batched forward pass -------------------------------------------------


class _Batched:
    """Loss terms of many one-entry perturbations of one network, batched.

    Holds the base forward pass and evaluates, for a chunk of copies of layer
    ``l``, the loss terms their perturbations change. Per sample the math
    uses column vectors; here the samples run along the last axis, so base
    arrays are ``(n_m, samples)`` (the transposes of the network's ``z[m]``
    and ``a[m]``) and a chunk's arrays are ``(copies, n_m, samples)``, with
    the longest axis innermost for the elementwise steps.
    """

    def __init__(self, W, b, hidden: Activation, output: Activation, loss: Loss, X, Y):
        self.W, self.b = W, b
        self.D = D = len(W) - 1
        self.hidden, self.output, self.loss = hidden, output, loss
        self.samples = X.shape[0]
        z, a = [None] * (D + 1), [None] * (D + 1)
        a[0] = np.ascontiguousarray(X.T)
        for l in range(1, D + 1):
            # z[l] = W[l] a[l-1] + b[l]   (n_l, samples)
            z[l] = W[l] @ a[l - 1] + b[l][:, None]
            # a[l] = f(z[l])
            a[l] = _apply(output if l == D else hidden, z[l])
        self.z, self.a = z, a
        # du[l][k] = dz[l]_j / dW[l][j, k] = a[l-1]_k (per sample), and
        # du[l][-1] = dz[l]_j / db[l][j] = 1: a bias copy takes k = -1
        self.du = [None] + [np.vstack([a[l - 1], np.ones(self.samples)]) for l in range(1, D + 1)]
        self.YT = np.ascontiguousarray(Y.T)
        # column j of W[l] is row j of WT[l]
        self.WT = [None] + [np.ascontiguousarray(W[l].T) for l in range(1, D + 1)]

    def terms(self, l: int, j, k, step):
        """Loss terms that change when copy ``p`` moves one parameter of layer ``l``.

        Args:
            l: Layer of the perturbed parameters, 1..D.
            j: Row (unit) of each copy's parameter, shape ``(P,)``.
            k: Column for a weight ``W[l][j, k]``, -1 for the bias ``b[l][j]``.
            step: Signed step per copy, real or imaginary, shape ``(P,)``.

        Returns:
            For the output layer, the terms of output ``j`` alone, shape
            ``(P, samples)``; for a hidden layer, all terms, shape
            ``(P, n_L, samples)``. Every term left out is the same in every
            copy as in the base network.
        """
        D, hidden = self.D, self.hidden
        # z[l]_j of each copy: the base row plus step * dz[l]_j / dtheta   (P, samples)
        zj = self.z[l][j] + step[:, None] * self.du[l][k]
        act = self.output if l == D else hidden
        if not act.elementwise:
            # a vector activation: a change in z[l]_j moves every a[l]_i, so each copy
            # gets its whole z[l], the base one with row j replaced   (P, n_l, samples)
            zl = np.repeat(self.z[l][None].astype(zj.dtype), zj.shape[0], axis=0)
            zl[np.arange(zj.shape[0]), j] = zj
            if l == D:
                # every output's terms change
                return self._output_terms(zl, self.YT)
            # da = a[l] - base a[l], every row   (P, n_l, samples)
            da = _apply(hidden, zl) - self.a[l]
            # z[l+1] = base z[l+1] + W[l+1] da
            zm = _affine(self.W[l + 1], da, None)
            zm += self.z[l + 1]
        elif l == D:
            # a[D]_j = f(z[D]_j); only output j's terms change
            return self._output_terms(zj, self.YT[j])
        else:
            # a[l]_j = f(z[l]_j), the only row of a[l] that changes, and by how much
            da = hidden.f(zj) - self.a[l][j]
            # z[l+1] = W[l+1] a[l] + b[l+1] = base z[l+1] + W[l+1][:, j] da   (P, n_{l+1}, samples)
            zm = self.WT[l + 1][j][:, :, None] * da[:, None, :]
            zm += self.z[l + 1]
        for m in range(l + 1, D):
            # a[m] = f(z[m])
            am = _apply(hidden, zm)
            # z[m+1] = W[m+1] a[m] + b[m+1]: every copy uses the base W[m+1]
            zm = _affine(self.W[m + 1], am, self.b[m + 1])
        # a[D] = f(z[D]), every output
        return self._output_terms(zm, self.YT)

    def _output_terms(self, zL, y):
        """Loss terms from the output layer's ``z``, which the caller no longer needs.

        For the half squared error with real copies, every step is written into
        ``zL`` itself (no temporaries: this is where the check spends its time).
        """
        output = self.output
        if not output.elementwise:
            # a vector activation and the loss act along the units, axis -2 here and
            # the last axis in impl: compute on the transposes
            return _output_terms_units_last(self.loss, output, zL, y)
        if self.loss is mse and not np.iscomplexobj(zL):
            # a[D] = f(z[D]), in place
            output.f_into(zL, zL)
            # terms = 1/2 (a[D] - y)^2, in place
            np.subtract(zL, y, out=zL)
            np.square(zL, out=zL)
            zL *= 0.5
            return zL
        # elementwise: the terms of each entry depend on that entry alone, in any layout
        return self.loss.loss_terms(zL, output.f(zL), y, output)

    def chunk_size(self, l: int, itemsize: int) -> int:
        """Copies of layer ``l`` per chunk, so that its widest array holds about `_CHUNK_BYTES`."""
        # a vector activation in layer l gives every copy the whole z[l]
        first = l if not (self.output if l == self.D else self.hidden).elementwise else l + 1
        widest = max((self.W[m].shape[0] for m in range(first, self.D + 1)), default=1)
        per_copy = itemsize * self.samples * widest
        return int(max(1, min(_CHUNK_BYTES, _MAX_CHUNK_BYTES) // per_copy))


def _affine(W, a, b):
    """``W a + b`` for every copy in ``a`` (copies, n_in, samples), real or complex; ``b=None`` for ``W a``."""
    if np.iscomplexobj(a):
        # two real products instead of one complex product against a real W
        out = np.matmul(W, a.real) + 1j * np.matmul(W, a.imag)
    else:
        out = np.matmul(W, a)
    if b is not None:
        out += b[:, None]
    return out


def _apply(act: Activation, z):
    """``f(z)`` for ``z`` laid out ``(..., n_units, samples)``, as here.

    An elementwise activation does not care about the layout. A vector one
    (softmax) acts along the units, which impl keeps on the last axis, so it
    is applied to the transpose.
    """
    if act.elementwise:
        return act.f(z)
    return np.swapaxes(act.f(np.swapaxes(z, -1, -2)), -1, -2)


def _output_terms_units_last(loss: Loss, output: Activation, zL, y):
    """Loss terms of a vector output activation, ``zL`` and ``y`` laid out ``(..., n_L, samples)``."""
    zT = np.swapaxes(zL, -1, -2)
    yT = np.swapaxes(y, -1, -2)
    return np.swapaxes(loss.loss_terms(zT, output.f(zT), yT, output), -1, -2)


def _layer_copies(batched: _Batched, method: str, l: int):
    """Where the copies of layer ``l`` put their step, chunk by chunk.

    The parameters of layer ``l`` are numbered ``W[l]`` row by row, then ``b[l]``.

    Returns:
        ``(h, units, index, j, k, step)``: each parameter's step and row
        ``j``, shape ``(P,)``; then, one row per chunk, the parameter number
        of each copy and its ``j``, ``k`` and signed step (see
        `_Batched.terms`). Central chunks hold each parameter twice, at +h
        and at -h. The last chunk is padded by repeating the last parameter.
    """
    W, b = batched.W[l], batched.b[l]
    n_out, n_in = W.shape
    theta = np.concatenate([W.ravel(), b])
    P = theta.size
    # W[l][j, k] is parameter j n_in + k; b[l][j] is parameter n_out n_in + j, with k = -1
    j = np.concatenate([np.repeat(np.arange(n_out), n_in), np.arange(n_out)])
    k = np.concatenate([np.tile(np.arange(n_in), n_out), np.full(n_out, -1)])
    if method == "central":
        # h = eps^(1/3) max(1, |theta|), per parameter (see _CENTRAL_FACTOR)
        h = _CENTRAL_FACTOR * np.maximum(1.0, np.abs(theta))
    else:
        h = np.full(P, _COMPLEX_STEP)
    # central: two real copies per parameter; complex: one complex copy (16 bytes)
    c = min(P, batched.chunk_size(l, 16))
    chunks = -(-P // c)
    index = np.minimum(np.arange(chunks * c), P - 1).reshape(chunks, c)
    if method == "central":
        # copies theta + h, then theta - h, in every chunk
        both = np.hstack([index, index])
        return h, j, index, j[both], k[both], np.hstack([h[index], -h[index]])
    return h, j, index, j[index], k[index], 1j * h[index]


def _numeric_gradients(batched: _Batched, method: str, mean: bool):
    """Finite-difference gradient of every parameter and its rounding bound.

    Returns:
        ``(numeric, noise)``, each a list ``[W[1], b[1], W[2], ...]`` of
        arrays shaped like the parameters.
    """
    D = batched.D
    # the base network's loss terms, (n_L, samples), for the rounding bound
    base = np.abs(_output_terms_units_last(batched.loss, batched.output, batched.z[D], batched.YT))
    # a step in W[D][j, :] or b[D][j] moves output j's terms alone, unless the output
    # activation mixes the units (softmax), when it moves them all
    output_moves_one = batched.output.elementwise
    jobs, layers = [], []
    for l in range(1, D + 1):
        h, units, index, j, k, step = _layer_copies(batched, method, l)
        derivative = np.empty(h.size)
        if method == "central":
            # rounding bound: each term the step moves is rounded in L(theta + h) and
            # in L(theta - h); a step in a hidden layer moves every term, one in
            # W[D][j, :] or b[D][j] the terms of output j
            # (the base terms stand in for the perturbed ones, which differ by O(h))
            moved = base.sum(axis=1)[units] if l == D and output_moves_one else base.sum()
            # noise = ulps * eps * 2 sum |terms| / 2h
            noise = _NOISE_ULPS * _EPS * moved / h
        else:
            noise = np.empty(h.size)
        layers.append((batched.W[l].shape, derivative, noise))
        for i in range(index.shape[0]):
            jobs.append((l, derivative, noise, index[i], j[i], k[i], step[i]))

    def run(job):
        l, derivative, noise, index, j, k, step = job
        if method == "central":
            c = index.size
            both = batched.terms(l, j, k, step).reshape(2, c, -1)
            # L(theta + h) - L(theta - h), term by term: the terms no copy changes
            # cancel exactly, and differencing before summing keeps the rounding of
            # a large sum out of a small difference
            diff = (both[0] - both[1]).sum(axis=1)
            # dL/dtheta ~ (L(theta + h) - L(theta - h)) / 2h
            derivative[index] = diff / (2 * step[:c])
        else:
            h = step.imag
            changed = batched.terms(l, j, k, step).imag.reshape(index.size, -1)
            # dL/dtheta ~ Im L(theta + ih) / h; the terms left out are real
            derivative[index] = changed.sum(axis=1) / h
            # rounding bound: the cancellation in the sum of the terms' derivatives
            noise[index] = _NOISE_ULPS * _EPS * np.abs(changed).sum(axis=1) / h

    def run_quietly(job):
        # a worker thread starts with NumPy's default error handling, not the caller's
        with np.errstate(all="ignore"):
            run(job)

    workers = min(_THREADS, len(jobs))
    if workers > 1:
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(run_quietly, jobs))
    else:
        for job in jobs:
            run(job)

    numeric, bounds = [], []
    for (n_out, n_in), derivative, noise in layers:
        if mean:
            # Loss = (1/N) sum over samples
            derivative /= batched.samples
            noise /= batched.samples
        numeric += [derivative[: n_out * n_in].reshape(n_out, n_in), derivative[n_out * n_in :]]
        bounds += [noise[: n_out * n_in].reshape(n_out, n_in), noise[n_out * n_in :]]
    return numeric, bounds


# --- comparison -------------------------------------------------------------


def _compare(names, analytic, numeric, noise, rtol: float, atol: float | None):
    """One `ParameterCheck` per parameter, and the scale used."""
    if atol is not None:
        # |g - n| / max(|g|, |n|, atol / rtol) <= rtol  <=>  |g - n| <= max(rtol max(|g|, |n|), atol)
        scale = atol / rtol
    else:
        # the numerical gradient is the reference: a wrong analytic one cannot move the floor
        largest = max(float(np.max(np.abs(n), initial=0.0, where=np.isfinite(n))) for n in numeric)
        scale = _SCALE_FRACTION * largest
    # above 0 even for an all-zero gradient (then an exact match is 0 / tiny = 0)
    scale = max(scale, np.finfo(np.float64).tiny)
    checks = []
    for name, g, n, nu in zip(names, analytic, numeric, noise):
        abs_error = np.abs(g - n)
        # rel = |g - n| / max(|g|, |n|, scale, noise / rtol)
        floor = np.maximum(scale, nu / rtol)
        with np.errstate(invalid="ignore"):
            rel_error = abs_error / np.maximum(np.maximum(np.abs(g), np.abs(n)), floor)
        # NaN or inf on either side is a failure, never a silent pass
        rel_error = np.where(np.isfinite(g) & np.isfinite(n) & np.isfinite(floor), rel_error, np.inf)
        worst = tuple(int(i) for i in np.unravel_index(np.argmax(rel_error), rel_error.shape))
        checks.append(
            ParameterCheck(
                name=name,
                analytic=g,
                numeric=n,
                abs_error=abs_error,
                rel_error=rel_error,
                noise=nu,
                worst=worst,
                ok=bool(rel_error.max() <= rtol),
            )
        )
    return checks, scale


def _hint(
    checks: list[ParameterCheck], method: str, rtol: float, scale: float, samples: int
) -> str | None:
    """A likely cause when the failing entries fit a known pattern, else ``None``."""
    failing = [p for p in checks if not p.ok]
    if not failing:
        return None
    bad_entries = sum(int((p.rel_error > rtol).sum()) for p in failing)
    if bad_entries == 1:
        p = failing[0]
        return f"only {p.entry(p.worst)} is wrong; every other entry matches (an index slip?)"
    # analytic / numeric over the failing entries that are clearly nonzero
    ratios = np.concatenate(
        [
            p.analytic[bad] / p.numeric[bad]
            for p in failing
            for bad in [(p.rel_error > rtol) & (np.abs(p.numeric) > scale)]
        ]
    )
    found = _ratio.detect(ratios, samples, rtol=1e-3, close=1e-3) if ratios.size else None
    if found is not None and found.kind != "lr":
        words = {
            "sign": "the analytic gradient has the wrong sign (the gradient of -L?)",
            "sum": f"the analytic gradient is {samples} (the number of samples) "
                   "times the loss's: a sum where the loss takes the mean?",
            "mean": f"the analytic gradient is 1/{samples} (one over the number "
                    "of samples) of the loss's: a mean where the loss takes the sum?",
            "twice": "the analytic gradient is twice the loss's: the 1/2 of the squared error dropped?",
            "half": "the analytic gradient is half the loss's: a stray factor 1/2?",
        }
        c = float(np.median(ratios))
        return words.get(found.kind, f"every failing entry is off by the same factor: analytic = {c:.6g} * numeric")
    for p in failing:
        g, n = p.analytic, p.numeric
        if g.ndim == 2 and g.shape[0] == g.shape[1] > 1:
            if np.allclose(g, n.T, rtol=rtol, atol=rtol * scale):
                return f"{p.name} is transposed"
    if len(failing) == 1 and len(checks) > 1:
        return f"only {failing[0].name} is wrong; every other parameter matches"
    if method == "central" and max(p.max_rel_error for p in failing) < 1e-3:
        # the truncation error ~ (h u)^2 |f'''| / 6 grows with the inputs and
        # activations u that multiply the step, and with saturation
        return (
            "small disagreements only: possibly the truncation error of central differences "
            '(large inputs or activations); confirm with method="complex" if the activations '
            "are smooth, or loosen rtol"
        )
    return None


def check(net, X, Y, method="central", rtol=None, atol=None) -> Report:
    r"""Check every gradient of ``net`` against finite differences of its loss.

    The analytic gradient is ``net.gradients(X, Y)``; the numerical one
    differentiates the network's own loss on ``(X, Y)`` (its activations,
    loss and reduction) with respect to each weight and bias, all of them
    in one batched pass (see the module docstring). Parameters held as
    float32 (or float16) are upcast to float64 and checked at those exact
    values: the check always computes in float64 (complex128 for the
    complex step), and its steps come from the float64 machine epsilon.

    An entry passes when its relative error
    \( |g - \hat g| / \max(|g|, |\hat g|, \text{scale}, \nu / \text{rtol}) \)
    is at most ``rtol``, with \( g \) the analytic value, \( \hat g \) the
    numeric one and \( \nu \) a bound on the numerical method's rounding
    error for that entry; see `Report`.

    Args:
        net: An `impl.Network`; it is not modified.
        X: Inputs, shape ``(samples, features)``.
        Y: Targets, shape ``(samples, n_out)``, or ``(samples,)`` if ``n_out == 1``.
        method: ``"central"``: central differences with
            \( h = \epsilon^{1/3} \max(1, |\theta|) \), for any activation
            (a pre-activation within \( h \) of a kink, such as ReLU at 0,
            gives a meaningless numeric value there: keep data away from
            kinks). ``"complex"``: the complex step
            \( \operatorname{Im} L(\theta + ih) / h \),
            \( h = 10^{-20} \), accurate to rounding, for smooth activations only.
        rtol: Relative tolerance; ``None`` means 1e-6 for central and 1e-10
            for complex.
        atol: Absolute tolerance for entries too small for a relative test:
            sets ``scale = atol / rtol``. ``None`` means ``scale`` = 1e-3 of
            the largest numerical gradient entry.

    Returns:
        A `Report`; ``str(report)`` is a readable summary.

    Raises:
        TypeError: ``net`` is not an `impl.Network`, or an argument has the
            wrong type, or ``net.weights``/``net.biases`` is not a list of
            float arrays.
        ValueError: Bad ``X``, ``Y``, ``method``, ``rtol`` or ``atol``;
            ``net.weights`` or ``net.biases`` of the wrong length (one array
            per layer), parameters of the wrong shape or not finite; ``method="complex"``
            with an activation that is not smooth.
    """
    if not isinstance(net, Network):
        raise TypeError(f"net: expected an impl.Network, got {type(net).__name__}")
    method = _validate.choice(method, "method", METHODS)
    rtol = _tolerance(rtol, "rtol", positive=True)
    atol = _tolerance(atol, "atol", positive=False)
    loss: Loss = net._loss
    X = _validate.inputs(X, net.sizes[0])
    Y = _validate.targets(Y, X.shape[0], net.sizes[-1], loss)
    W, b = _parameters(net)
    L = len(W) - 1
    if method == "complex":
        used = [("activation", net._hidden)] if L > 1 else []
        for arg, act in used + [("output_activation", net._output)]:
            if not act.smooth:
                raise ValueError(
                    f'method: "complex" needs activations analytic on the whole real line, '
                    f"but {arg} {act.name!r} is not smooth (it has a kink); "
                    f'use method="central"'
                )
    if rtol is None:
        rtol = _DEFAULT_RTOL[method]

    # values beyond float64's range become inf or nan, and fail the check, without warnings
    with np.errstate(all="ignore"):
        return _check(net, X, Y, W, b, method, rtol, atol)


def _check(net, X, Y, W, b, method, rtol, atol) -> Report:
    """`check` on validated arguments."""
    D = len(W) - 1
    dW, db = net.gradients(X, Y)
    names, analytic = [], []
    for l in range(1, D + 1):
        for name, g, like in ((f"W[{l}]", dW[l - 1], W[l]), (f"b[{l}]", db[l - 1], b[l])):
            g = np.asarray(g)
            if g.shape != like.shape:
                raise ValueError(
                    f"net: gradients() returned shape {g.shape} for {name}, expected {like.shape}"
                )
            names.append(name)
            analytic.append(g.astype(np.float64))

    batched = _Batched(W, b, net._hidden, net._output, net._loss, X, Y)
    numeric, noise = _numeric_gradients(batched, method, net.reduction == "mean")
    checks, scale = _compare(names, analytic, numeric, noise, rtol, atol)

    worst = max(checks, key=lambda p: p.max_rel_error)
    return Report(
        ok=all(p.ok for p in checks),
        max_rel_error=worst.max_rel_error,
        worst=worst.entry(worst.worst),
        method=method,
        tolerance=rtol,
        scale=scale,
        parameters=checks,
        hint=_hint(checks, method, rtol, scale, X.shape[0]),
    )
