r"""Gradient descent with preallocated buffers: the inner loop of `Network.fit`.

`Network.gradients` returns \(\partial L / \partial \theta\) and is
written for clarity and for accuracy in the tails. Training repeats one step
thousands of times on batches of a fixed shape, so this module does the same
mathematics with every buffer allocated once and written with ``out=``.

Two rearrangements make the step cheap without changing its mathematics:

* **The bias is a row of the transposed weights.** Layer \(l\) keeps
  \(V^{(l)} = [\,W^{(l)} \mid b^{(l)}\,]^T\), shape
  \((n_{l-1} + 1, n_l)\), and the activations keep a last column of ones,
  \(\tilde a^{(l-1)} = [\,a^{(l-1)} \mid 1\,]\) (one sample per row).
  Then \(z^{(l)} = \tilde a^{(l-1)} V^{(l)}\) is one matrix product, and
  so is the whole gradient of the layer,
  \(\tilde a^{(l-1)T} \delta^{(l)} = [\,\partial L/\partial W^{(l)}
  \mid \partial L/\partial b^{(l)}\,]^T\): its last row is the sum of
  \(\delta^{(l)}\) over the samples. Stored transposed, the weights are
  the product's right factor as BLAS reads it fastest: on the EPYC
  (AVX-512) the 64-to-128 layer's forward product took 11 µs instead of
  18 µs for a batch of 32, and \(W^{(l)T}\), the rows of \(V^{(l)}\) but
  the last, is a contiguous block of it.
* **The learning rate enters once.** Every later \(\delta\) and every
  gradient is linear in \(\delta^{(D)}\), so \(\delta^{(D)}\) is scaled by
  \(\eta\) (and by \(1/N\) for the mean) and the updates are plain
  subtractions.

Where an activation has an output form, \(f'\) is computed from the output
(\(\sigma' = a(1-a)\), the tutorial's ``x * (1 - x)``, proven equal to
\(\sigma'(z)\) by the spec), which saves a second pass of ``exp``, as
PyTorch's autograd does for the sigmoid. The step then differs from
\(-\eta\,\partial L/\partial \theta\) of `Network.gradients` by
rounding only: \(1 - a\) has an absolute error of at most half a unit in
the last place of 1, so a unit saturated beyond \(|z| \approx 37\), whose true
slope is below \(10^{-16}\), gets slope 0.

**Divergence is caught without slowing the step.** The parameters of every
layer live in one flat vector \(\theta\), and there are two of them: the
step writes \(\theta - \eta\,\partial L/\partial\theta\) into the other
one in a single subtraction, checks it with a single dot product
(\(\theta \cdot \theta\) is finite unless an entry is inf or nan, or the
sum of squares overflows, in which case every entry is looked at) and only
then makes it the current one.
A step whose loss or update is not finite raises `NonFinite` and leaves the
current parameters, the last finite ones, as they were. The one subtraction
replaces one per layer, which pays for part of the dot product.
"""

from __future__ import annotations

import math

import numpy as np

from impl import losses as _losses


def augment(X, dtype=np.float64):
    r"""``X`` with a last column of ones, \(\tilde a^{(0)} = [\,X \mid 1\,]\), as ``dtype``."""
    out = np.empty((X.shape[0], X.shape[1] + 1), dtype=dtype)
    out[:, :-1] = X
    out[:, -1] = 1.0
    return out


class NonFinite(ArithmeticError):
    """A step whose loss, or whose updated parameters, are not finite; nothing was changed.

    Attributes:
        what: ``"loss"`` (the loss before the update is inf or nan) or
            ``"parameters"`` (the update would make a parameter inf or nan).
        loss: The batch's loss before the update, summed over its samples.
    """

    def __init__(self, what: str, loss: float):
        super().__init__(what, loss)
        self.what = what
        self.loss = loss


def _slope(act):
    """``(g, from_output)``: f' as a function of the output where the activation has a reviewed output form.

    A starting implementation written by ``add-activation`` (``reviewed=False``)
    keeps to ``df(z)`` until someone has looked at its tails. A vector
    activation (softmax) has no slope to multiply by: ``None``, and the step
    applies its ``backward`` instead.
    """
    if not act.elementwise:
        return None
    if act.df_from_output is not None and act.reviewed:
        return act.df_from_output, True
    return act.df, False


def _ignore_work(f_into):
    """``(z, out, work) -> f_into(z, out)``: for activations with no use for the trainer's scratch array."""

    def into(z, out, work):
        f_into(z, out)

    return into


def _layer_views(theta, shapes):
    """``[None, V[1], ..., V[L]]``: consecutive pieces of the flat vector ``theta``, as matrices."""
    views, offset = [None], 0
    for rows, cols in shapes:
        views.append(theta[offset : offset + rows * cols].reshape(rows, cols))
        offset += rows * cols
    return views


class Trainer:
    """The parameters of one network as augmented matrices, and the step that updates them.

    Args:
        sizes: Layer widths, input first.
        hidden: The hidden layers' `impl.activations.Activation`.
        output: The output layer's activation.
        loss: The `impl.losses.Loss`.
        mean: Divide each batch's loss by its number of samples.
        dtype: float64 or float32: the parameters, the buffers and all the arithmetic.
    """

    def __init__(self, sizes, hidden, output, loss, mean, dtype=np.float64):
        self.dtype = np.dtype(dtype)
        self.sizes = sizes
        self.L = len(sizes) - 1
        self.f = [None] + [hidden] * (self.L - 1) + [output]
        # f_into[l](z, out, work) writes f(z) into out, with work a contiguous scratch array
        self.f_into = [None] + [act.f_train or _ignore_work(act.f_out or act.f_into) for act in self.f[1:]]
        # slope[l] = (g, from_output): f'(z[l]) is g(a[l]) (a reviewed output form) or g(z[l])
        self.slope = [None] + [_slope(act) for act in self.f[1:]]
        self.loss = loss
        # the half squared error's fast path multiplies (a - y) by a slope: elementwise outputs only
        self.half_squared = loss is _losses.mse and output.elementwise
        self.mean = mean
        # V[l] = [W[l] | b[l]]^T, shape (n_{l-1} + 1, n_l), stored one after another in theta
        shapes = [(n_in + 1, n_out) for n_in, n_out in zip(sizes[:-1], sizes[1:])]
        size = sum(rows * cols for rows, cols in shapes)
        # two copies of theta: the current parameters and the next step's;
        # side s holds (theta, V, WT), WT[l] = W[l]^T the rows of V[l] but the last
        self._sides = []
        for _ in range(2):
            theta = np.empty(size, dtype=self.dtype)
            V = _layer_views(theta, shapes)
            self._sides.append((theta, V, [None] + [M[:-1] for M in V[1:]]))
        self.side = 0
        # lr dL/dtheta, laid out like theta; dV[l] is its piece for layer l
        self.dtheta = np.empty(size, dtype=self.dtype)
        self.dV = _layer_views(self.dtheta, shapes)
        self._buffers = {}

    @property
    def V(self):
        """The current ``[None, [W[1] | b[1]]^T, ...]``."""
        return self._sides[self.side][1]

    def load(self, weights, biases):
        """Copy ``weights[l-1]`` and ``biases[l-1]`` into the current ``V[l]``."""
        for V, W, b in zip(self.V[1:], weights, biases):
            V[:-1] = W.T
            V[-1] = b

    def store(self, weights, biases):
        """Copy the current ``V[l]`` back into the arrays ``weights[l-1]`` and ``biases[l-1]``, in place."""
        for V, W, b in zip(self.V[1:], weights, biases):
            W[...] = V[:-1].T
            b[...] = V[-1]

    def copies(self):
        """New arrays ``(weights, biases)`` holding the current parameters."""
        V = self.V[1:]
        return [np.ascontiguousarray(M[:-1].T) for M in V], [M[-1].copy() for M in V]

    def _for_rows(self, rows):
        """Buffers for a batch of ``rows`` samples, made once per batch shape.

        At most two shapes are kept (`fit`'s full batches and its shorter last
        one), so that `Network.step` on ever new batch sizes holds no more.
        """
        if rows not in self._buffers:
            if len(self._buffers) >= 2:
                self._buffers.clear()
            # z[l], delta[l]: (rows, n_l); a1[l] = [a[l] | 1]: (rows, n_l + 1); a[l] is a view of it
            dtype = self.dtype
            z = [None] + [np.empty((rows, n), dtype=dtype) for n in self.sizes[1:]]
            delta = [None] + [np.empty((rows, n), dtype=dtype) for n in self.sizes[1:]]
            a1 = [None] + [np.ones((rows, n + 1), dtype=dtype) for n in self.sizes[1:]]
            a = [None] + [buffer[:, :-1] for buffer in a1[1:]]
            self._buffers[rows] = (z, a1, a, delta, delta[-1].reshape(-1))
        return self._buffers[rows]

    def step(self, Xa, Y, lr) -> float:
        r"""One gradient-descent step on a batch; returns its loss before the step, summed over samples.

        Raises `NonFinite`, with the parameters unchanged, when the loss or
        the updated parameters are not finite. Call it under
        ``np.errstate(all="ignore")``: the arithmetic that overflows on the
        way there would warn.

        Args:
            Xa: The batch's inputs with a column of ones, from `augment`.
            Y: Its targets, shape ``(rows, n_L)``.
            lr: The learning rate \(\eta\).
        """
        L, f, f_into, slope, dV, side = self.L, self.f, self.f_into, self.slope, self.dV, self.side
        theta, V, WT = self._sides[side]
        theta_next = self._sides[1 - side][0]
        z, a1, a, delta, residual = self._for_rows(Xa.shape[0])
        a1[0] = Xa
        for l in range(1, L + 1):
            # z[l] = [a[l-1] | 1] [W[l] | b[l]]^T = a[l-1] W[l]^T + b[l]
            np.matmul(a1[l - 1], V[l], out=z[l])
            # a[l] = f(z[l]), left of the column of ones (delta[l], not needed yet, as scratch)
            f_into[l](z[l], a[l], delta[l])

        aL = a[L]
        if self.half_squared:
            # a[L] - y, used by the loss and by delta[L]
            np.subtract(aL, Y, out=delta[L])
            # loss = 1/2 sum over samples and outputs of (a[L] - y)^2
            loss = 0.5 * float(np.dot(residual, residual))
            # delta[L] = (a[L] - y) * f'(z[L])
            g, from_output = slope[L]
            delta[L] *= g(aL) if from_output else g(z[L])
        else:
            loss = self.loss.value(z[L], aL, Y, f[L])
            delta[L][...] = self.loss.delta_out(z[L], aL, Y, f[L])
        if not math.isfinite(loss):
            a1[0] = None
            raise NonFinite("loss", loss)
        # the factor lr (and 1/N for the mean) that every update carries (as a
        # Python float, which keeps a float32 delta float32)
        delta[L] *= lr / Xa.shape[0] if self.mean else lr

        for l in range(L, 0, -1):
            # lr [dL/dW[l] | dL/db[l]]^T = lr [a[l-1] | 1]^T delta[l]
            np.matmul(a1[l - 1].T, delta[l], out=dV[l])
            if l > 1:
                # delta[l-1] = delta[l] W[l] * f'(z[l-1])
                np.matmul(delta[l], WT[l].T, out=delta[l - 1])
                if slope[l - 1] is None:
                    # a vector activation: delta[l-1] = (delta[l] W[l]) J(z[l-1])
                    delta[l - 1][...] = f[l - 1].backward(z[l - 1], a[l - 1], delta[l - 1])
                else:
                    g, from_output = slope[l - 1]
                    delta[l - 1] *= g(a[l - 1]) if from_output else g(z[l - 1])
        # keep no reference to the caller's data
        a1[0] = None
        # theta_next = theta - lr dL/dtheta: V[l] - lr [dL/dW[l] | dL/db[l]]^T for every l at once
        np.subtract(theta, self.dtheta, out=theta_next)
        # theta_next . theta_next is inf or nan if an entry is; if it overflowed, look at every entry
        if not math.isfinite(theta_next.dot(theta_next)) and not np.isfinite(theta_next).all():
            raise NonFinite("parameters", loss)
        self.side = 1 - side
        return loss
