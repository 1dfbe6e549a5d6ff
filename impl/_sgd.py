r"""Gradient descent with preallocated buffers: the loop of `Network.fit` and its step.

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

**Layouts.** Three, each named where it is used:

* *rows*: a batch, one sample per row. ``z[l]``, ``a[l]``, ``eta_delta[l]``
  have shape ``(rows, n_l)``; ``a1[l] = [a[l] | 1]`` shape ``(rows, n_l + 1)``
  (``a[l]`` is its left part, a view), and ``a1[0]`` is the batch's
  inputs from `augment`. Every formula is the transpose of the column form
  of the derivation (``z[l] = a[l-1] W[l]^T + b[l]``).
* *augmented*: ``V[l] = [W[l] | b[l]]^T``, shape ``(n_{l-1} + 1, n_l)``,
  consecutive pieces of the flat vector ``theta`` (and ``eta_dV[l]`` of
  ``eta_dtheta``, laid out alike).
* *the network's*: ``W[l]``, shape ``(n_l, n_{l-1})``, as in
  `Network.weights`; here a view of ``V[l]`` (its rows but the last,
  transposed), never a copy. `Trainer.load` and `Trainer.store` move
  parameters between the network's arrays and ``V``.

**Shuffling without copying the data set.** `Trainer.fit` makes
\([X \mid 1]\) once and, when the samples are reordered, draws a permutation
of the row indices each epoch and gathers each batch's rows into a buffer of
one batch (``np.take(..., out=...)``), which the step then reads from the
cache. The caller's arrays are only read.
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
        what: ``"loss"`` (the loss before the update is inf or nan),
            ``"parameters"`` (the update would make a parameter inf or nan)
            or ``"epoch loss"`` (the sum of an epoch's finite batch losses overflowed).
        loss: The batch's loss before the update, summed over its samples
            (for ``"epoch loss"``, that sum).
        epoch, batch, rows: Where `Trainer.fit` was (``None`` from a lone
            step; ``batch`` is ``None`` for ``"epoch loss"``): the epoch and
            batch counted from 0, and the batch's number of samples.
    """

    def __init__(self, what: str, loss: float, epoch=None, batch=None, rows=None):
        super().__init__(what, loss)
        self.what = what
        self.loss = loss
        self.epoch, self.batch, self.rows = epoch, batch, rows


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
        self.D = len(sizes) - 1
        self.f = [None] + [hidden] * (self.D - 1) + [output]
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
        # side s holds (theta, V, W), W[l] = V[l][:-1]^T a view in the network's layout
        self._sides = []
        for _ in range(2):
            theta = np.empty(size, dtype=self.dtype)
            V = _layer_views(theta, shapes)
            self._sides.append((theta, V, [None] + [M[:-1].T for M in V[1:]]))
        self.side = 0
        # eta dL/dtheta, laid out like theta; eta_dV[l] is its piece for layer l
        self.eta_dtheta = np.empty(size, dtype=self.dtype)
        self.eta_dV = _layer_views(self.eta_dtheta, shapes)
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
            # rows layout: z[l], eta_delta[l]: (rows, n_l); a1[l] = [a[l] | 1]: (rows, n_l + 1), a[l] a view
            # of it; r = a[D] - y (flat) and delta[D]: (rows, n_D), for the half squared error
            dtype, widths = self.dtype, self.sizes[1:]
            z = [None] + [np.empty((rows, n), dtype=dtype) for n in widths]
            eta_delta = [None] + [np.empty((rows, n), dtype=dtype) for n in widths]
            a1 = [None] + [np.ones((rows, n + 1), dtype=dtype) for n in widths]
            a = [None] + [buffer[:, :-1] for buffer in a1[1:]]
            r = np.empty(rows * widths[-1], dtype=dtype)
            delta_D = np.empty((rows, widths[-1]), dtype=dtype)
            self._buffers[rows] = (z, a1, a, eta_delta, r, delta_D)
        return self._buffers[rows]

    def step(self, Xa, Y, lr) -> float:
        r"""One gradient-descent step on a batch; returns its loss before the step, summed over samples.

        Raises `NonFinite`, with the parameters unchanged, when the loss or
        the updated parameters are not finite. Call it under
        ``np.errstate(all="ignore")``: the arithmetic that overflows on the
        way there would warn.

        Args:
            Xa: The batch's inputs with a column of ones, from `augment` (rows layout).
            Y: Its targets, shape ``(rows, n_D)``.
            lr: The learning rate \(\eta\).
        """
        D, f, f_into, slope, eta_dV, side = self.D, self.f, self.f_into, self.slope, self.eta_dV, self.side
        theta, V, W = self._sides[side]
        theta_next = self._sides[1 - side][0]
        z, a1, a, eta_delta, r, delta_D = self._for_rows(Xa.shape[0])
        a1[0] = Xa
        for l in range(1, D + 1):
            # z[l] = [a[l-1] | 1] [W[l] | b[l]]^T = a[l-1] W[l]^T + b[l]
            np.matmul(a1[l - 1], V[l], out=z[l])
            # a[l] = f(z[l]), left of the column of ones (eta_delta[l], not needed yet, as scratch)
            f_into[l](z[l], a[l], eta_delta[l])

        # eta: the factor lr (and 1/N for the mean) that every update carries, taken into delta[D]
        # once (a Python float, which keeps float32 arithmetic float32)
        eta = lr / Xa.shape[0] if self.mean else lr
        if self.half_squared:
            # r = a[D] - y, used by the loss and by delta[D]
            np.subtract(a[D], Y, out=r.reshape(Y.shape))
            # loss = 1/2 sum over samples and outputs of (a[D] - y)^2
            loss = 0.5 * float(np.dot(r, r))
            # delta[D] = (a[D] - y) * f'(z[D])
            g, from_output = slope[D]
            np.multiply(r.reshape(Y.shape), g(a[D]) if from_output else g(z[D]), out=delta_D)
            # eta delta[D]
            np.multiply(delta_D, eta, out=eta_delta[D])
        else:
            loss = self.loss.value(z[D], a[D], Y, f[D])
            # eta delta[D] = eta dL/dz[D], from the loss
            np.multiply(self.loss.delta_out(z[D], a[D], Y, f[D]), eta, out=eta_delta[D])
        if not math.isfinite(loss):
            a1[0] = None
            raise NonFinite("loss", loss)

        for l in range(D, 0, -1):
            # eta [dL/dW[l] | dL/db[l]]^T = [a[l-1] | 1]^T (eta delta[l])
            np.matmul(a1[l - 1].T, eta_delta[l], out=eta_dV[l])
            if l > 1:
                # eta delta[l-1] = (eta delta[l]) W[l] * f'(z[l-1])
                np.matmul(eta_delta[l], W[l], out=eta_delta[l - 1])
                if slope[l - 1] is None:
                    # a vector activation: eta delta[l-1] = ((eta delta[l]) W[l]) J(z[l-1])
                    eta_delta[l - 1][...] = f[l - 1].backward(z[l - 1], a[l - 1], eta_delta[l - 1])
                else:
                    g, from_output = slope[l - 1]
                    eta_delta[l - 1] *= g(a[l - 1]) if from_output else g(z[l - 1])
        # keep no reference to the caller's data
        a1[0] = None
        # theta_next = theta - eta dL/dtheta: V[l] - eta [dL/dW[l] | dL/db[l]]^T for every l at once
        np.subtract(theta, self.eta_dtheta, out=theta_next)
        # theta_next . theta_next is inf or nan if an entry is; if it overflowed, look at every entry
        if not math.isfinite(theta_next.dot(theta_next)) and not np.isfinite(theta_next).all():
            raise NonFinite("parameters", loss)
        self.side = 1 - side
        return loss

    def fit(self, X, Y, epochs, lr, batch_size, history, rng=None, after_epoch=None) -> None:
        r"""Train for ``epochs`` passes over ``(X, Y)``, ``batch_size`` samples per step.

        Args:
            X: Inputs, shape ``(samples, n_0)``; only read.
            Y: Targets, shape ``(samples, n_D)``, of the trainer's dtype; only read.
            epochs, lr, batch_size: Checked by the caller; ``batch_size <= samples``.
            history: A list; after each epoch its loss is appended: the sum
                of its batches' losses before their updates, summed over the
                samples, divided by their number for the mean.
            rng: A NumPy generator: each epoch visits the samples in the
                order of ``rng.permutation(samples)``; ``None``: in order.
            after_epoch: Called as ``after_epoch(epoch)`` after each epoch's
                loss is appended. The current parameters are in ``V``; it
                may `store` and `load` them.

        Raises:
            NonFinite: From a step (``epoch``, ``batch`` and ``rows`` set), or
                ``"epoch loss"`` when an epoch's total overflowed; the
                parameters are those of the last finite step.
        """
        n = X.shape[0]
        # [X | 1]: the inputs with the column of ones that multiplies b[l], made once
        Xa = augment(X, self.dtype)
        if rng is not None:
            # one batch of gathered samples, refilled from a permutation for every batch
            Xb = np.empty((batch_size, Xa.shape[1]), dtype=self.dtype)
            Yb = np.empty((batch_size, Y.shape[1]), dtype=self.dtype)
        step = self.step
        starts = range(0, n, batch_size)
        batch = rows = 0
        for epoch in range(epochs):
            try:
                if batch_size == n:
                    # epoch loss = the loss before the single full-batch update (finite, or step raised)
                    rows = n
                    total = step(Xa, Y, lr)
                else:
                    order = None if rng is None else rng.permutation(n)
                    total = 0.0
                    for batch, start in enumerate(starts):
                        rows = min(batch_size, n - start)
                        if order is None:
                            Xs, Ys = Xa[start : start + rows], Y[start : start + rows]
                        else:
                            # the batch's samples in this epoch's order, gathered into the buffers
                            Xs, Ys = (Xb, Yb) if rows == batch_size else (Xb[:rows], Yb[:rows])
                            picked = order[start : start + rows]
                            np.take(Xa, picked, axis=0, out=Xs)
                            np.take(Y, picked, axis=0, out=Ys)
                        # epoch loss += sum over this batch's samples of L, before the update
                        total += step(Xs, Ys, lr)
                    if not math.isfinite(total):
                        raise NonFinite("epoch loss", total, epoch, None, n)
            except NonFinite as failure:
                if failure.epoch is None:
                    failure.epoch, failure.batch, failure.rows = epoch, batch, rows
                raise
            # history[epoch] = epoch loss, reduced over the whole data set
            history.append(total / n if self.mean else total)
            if after_epoch is not None:
                after_epoch(epoch)
