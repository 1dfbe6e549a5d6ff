r"""A fully connected network trained by backpropagation, in plain NumPy.

Notation (as in the derivation). Layers are counted from 1 to \(D\);
\(a^{(0)}\) is the input. For one sample, as a column vector,

$$
z^{(l)} = W^{(l)} a^{(l-1)} + b^{(l)}, \qquad a^{(l)} = f(z^{(l)}),
$$

$$
\delta^{(D)} = \frac{\partial L}{\partial z^{(D)}}, \qquad
\delta^{(l-1)} = \left(W^{(l)}\right)^T \delta^{(l)} \odot f'(z^{(l-1)}),
$$

$$
\frac{\partial L}{\partial W^{(l)}} = \delta^{(l)} \left(a^{(l-1)}\right)^T,
\qquad \frac{\partial L}{\partial b^{(l)}} = \delta^{(l)}.
$$

In the code a batch is stored with one sample per row, so every
per-sample column vector above becomes a row and every formula is its
transpose: ``z[l]`` has shape ``(samples, n_l)`` and
``W[l]`` has shape ``(n_l, n_{l-1})``. Summing the per-sample weight
gradients over the batch is then a single matrix product.
"""

from __future__ import annotations

import numpy as np

from impl import _persist, _sgd, _validate, losses

__all__ = ["Diverged", "Network"]


class Diverged(ArithmeticError):
    """Training diverged: the loss or a parameter became inf or nan.

    Raised by `Network.fit` and `Network.step` as soon as a batch's loss, or
    the parameters its update would give, are not finite. Nothing non-finite
    is ever kept: the network holds the last finite parameters, those from
    before the update that failed (`Network.step` leaves the network as it
    was), and `Network.history` the losses of the epochs completed before it.

    Attributes:
        epoch: The epoch (counted from 0) of the failing batch; ``None``
            from `Network.step`.
        batch: The batch within that epoch (from 0); ``None`` from `Network.step`
            and when the epoch's total loss overflowed.
        lr: The learning rate.
        loss: The failing batch's loss before its update, reduced like the
            network's loss: inf or nan when the loss itself diverged, finite
            when it was the update that overflowed.
        cause: ``"loss"`` (the loss before the update is not finite),
            ``"parameters"`` (the update made a parameter inf or nan) or
            ``"epoch loss"`` (the epoch's sum of finite batch losses
            overflowed).
    """

    def __init__(self, message, epoch=None, batch=None, lr=None, loss=None, cause=None):
        super().__init__(message)
        self.epoch = epoch
        self.batch = batch
        self.lr = lr
        self.loss = loss
        self.cause = cause


class Network:
    r"""A multilayer perceptron with one activation for the hidden layers.

    Args:
        sizes: Layer widths, input first, e.g. ``(2, 2, 1)`` for the
            tutorial's 2-2-1 network. Two to 1001 positive ints (at most
            1000 layers of weights), whose float64 parameters take at most
            half of the machine's memory: ``(10**6, 10**6)`` is refused with
            a ValueError before anything is allocated.
        activation: Name of the hidden layers' activation.
        output_activation: Name of the output layer's activation; ``None``
            means the loss's usual one: ``"sigmoid"`` (the tutorial's output)
            for ``"mse"`` and ``"bce"``, ``"softmax"`` for ``"ce"``.
        loss: A name from ``impl.losses.names()``: ``"mse"`` (per sample
            \(\tfrac12\sum (a-y)^2\)), ``"bce"`` (per sample
            \(-\sum [y\log a + (1-y)\log(1-a)]\), outputs in [0, 1]) or
            ``"ce"`` (per sample \(-\sum y \log a\), after a softmax: the
            classifier's loss, with \(\delta^{(D)} = a - y\)).
        reduction: ``"sum"`` adds the per-sample losses (the tutorial's
            updates follow this sum); ``"mean"`` divides it by the number of
            samples.
        seed: Seed for ``np.random.default_rng``; the network keeps that
            generator for initialisation and for shuffling in `fit`.
        init: ``"normal"`` draws every weight and bias from
            \(\mathcal N(0, 1)\) (as the tutorial does); ``"xavier"`` draws
            weights from \(\mathcal N(0, 2/(n_{in}+n_{out}))\) and sets
            biases to 0.
        dtype: ``"float64"``, or ``"float32"`` to train in single precision:
            `weights` and `biases` are float32 (drawn in float64 and rounded,
            so both precisions start from the same network up to rounding),
            and `fit`, `step`, `forward` and `predict` compute in float32.
            `loss_value` and `gradients` (and so ``impl.gradcheck``) still
            compute in float64, from the float32 parameters' exact values.
            Arrays assigned into a float32 network's `weights` or `biases`
            must be float32 (a float64 one is refused naming it, not mixed
            in), and inputs and targets must be finite in float32 (1e39 is
            refused naming ``X`` or ``Y``, not turned into inf).

    Attributes:
        weights: ``weights[l-1]`` is \(W^{(l)}\), shape ``(n_l, n_{l-1})``, of the network's dtype.
        biases: ``biases[l-1]`` is \(b^{(l)}\), shape ``(n_l,)``, of the network's dtype.
        history: Loss per epoch of the last `fit` call.
    """

    def __init__(
        self,
        sizes,
        activation="sigmoid",
        output_activation=None,
        loss="mse",
        reduction="sum",
        seed=None,
        init="normal",
        dtype="float64",
    ):
        init = _validate.choice(init, "init", _validate.INITS)
        self._configure(sizes, activation, output_activation, loss, reduction, seed, dtype)
        try:
            self._initialise(init)
        except MemoryError:
            # sizes passed the memory rule, but the machine has less free memory than that
            count = _validate.parameter_count(self._sizes)
            raise MemoryError(
                f"sizes: {_validate._short(self._sizes)}: out of memory drawing the {count:,} initial "
                f"parameters ({_validate._bytes(8 * count)} as float64); free some memory or use smaller layers"
            ) from None

    def _configure(self, sizes, activation, output_activation, loss, reduction, seed, dtype="float64") -> None:
        """Check and set everything but the parameters (empty lists); allocates nothing large."""
        sizes = _validate.sizes(sizes)
        dtype = _validate.choice(dtype, "dtype", _validate.DTYPES)
        hidden = _validate.activation(activation, "activation")
        loss_fn = _validate.loss(loss)
        output = _validate.activation(
            loss_fn.default_output if output_activation is None else output_activation, "output_activation"
        )
        reduction = _validate.choice(reduction, "reduction", _validate.REDUCTIONS)
        seed = _validate.seed(seed)
        losses.check_output_activation(loss_fn, output)
        if output.output_set == "simplex" and sizes[-1] < 2:
            raise ValueError(
                f"output_activation: {output.name!r} over {sizes[-1]} output unit is the constant 1, "
                f"with nothing to learn; give sizes ending in 2 or more outputs, got {list(sizes)}"
            )

        self._sizes = sizes
        self._hidden = hidden
        self._output = output
        self._loss = loss_fn
        self._reduction = reduction
        self._dtype = np.dtype(dtype)
        self._rng = np.random.default_rng(seed)
        self.weights: list[np.ndarray] = []
        self.biases: list[np.ndarray] = []
        self.history: list[float] = []

    def _initialise(self, init) -> None:
        """Draw the starting weights and biases with the network's generator."""
        for n_in, n_out in zip(self._sizes[:-1], self._sizes[1:]):
            if init == "normal":
                # W[l], b[l] ~ N(0, 1) entrywise
                self.weights.append(self._rng.standard_normal((n_out, n_in)))
                self.biases.append(self._rng.standard_normal(n_out))
            else:
                # W[l] ~ N(0, 2 / (n_in + n_out)) entrywise (Glorot), b[l] = 0
                W = self._rng.standard_normal((n_out, n_in))
                W *= np.sqrt(2.0 / (n_in + n_out))
                self.weights.append(W)
                self.biases.append(np.zeros(n_out))
        if self._dtype != np.float64:
            # drawn in float64, then rounded: the same network as the float64 one, to float32 precision
            self.weights = [W.astype(self._dtype) for W in self.weights]
            self.biases = [b.astype(self._dtype) for b in self.biases]

    # --- configuration, read-only ------------------------------------------

    @property
    def sizes(self) -> tuple[int, ...]:
        """Layer widths, input first."""
        return self._sizes

    @property
    def activation(self) -> str:
        """Name of the hidden layers' activation."""
        return self._hidden.name

    @property
    def output_activation(self) -> str:
        """Name of the output layer's activation."""
        return self._output.name

    @property
    def loss(self) -> str:
        """Name of the loss."""
        return self._loss.name

    @property
    def reduction(self) -> str:
        """``"sum"`` or ``"mean"``."""
        return self._reduction

    @property
    def dtype(self) -> str:
        """``"float64"`` or ``"float32"``: the precision of the parameters and of training."""
        return self._dtype.name

    def __repr__(self) -> str:
        return (
            f"Network(sizes={list(self._sizes)}, activation={self.activation!r}, "
            f"output_activation={self.output_activation!r}, loss={self.loss!r}, "
            f"reduction={self.reduction!r}{'' if self.dtype == 'float64' else f', dtype={self.dtype!r}'})"
        )

    # --- the mathematics, unvalidated ----------------------------------------

    def _forward(self, X):
        """Forward pass on checked input; returns the lists ``z`` and ``a``.

        ``z[l]`` and ``a[l]`` for ``l = 1..D`` have shape ``(samples, n_l)``;
        ``a[0]`` is ``X`` and ``z[0]`` is ``None``.
        """
        W = [None, *self.weights]
        b = [None, *self.biases]
        D = len(W) - 1
        z = [None] * (D + 1)
        a = [None] * (D + 1)
        a[0] = X
        for l in range(1, D + 1):
            f = self._output.f if l == D else self._hidden.f
            # z[l] = a[l-1] W[l]^T + b[l]   (rows are samples: the transpose of z = W a + b)
            z[l] = a[l - 1] @ W[l].T + b[l]
            # a[l] = f(z[l])
            a[l] = f(z[l])
        return z, a

    def _loss_value(self, z, a, Y) -> float:
        """Loss of a forward pass, with the reduction applied."""
        D = len(a) - 1
        total = self._loss.value(z[D], a[D], Y, self._output)
        return total / Y.shape[0] if self._reduction == "mean" else total

    def _backward(self, z, a, Y):
        """Gradients of the reduced loss from a forward pass on checked data.

        Returns:
            ``(dW, db)``, lists indexed like `weights` and `biases`.
        """
        W = [None, *self.weights]
        D = len(W) - 1
        delta = [None] * (D + 1)
        dW = [None] * (D + 1)
        db = [None] * (D + 1)
        # delta[D] = dL/dz[D], from the loss, one row per sample
        delta[D] = self._loss.delta_out(z[D], a[D], Y, self._output)
        if self._reduction == "mean":
            # the mean divides the summed loss by N, so every delta scales by 1/N
            delta[D] = delta[D] / Y.shape[0]
        for l in range(D, 0, -1):
            # dW[l] = sum over samples of delta[l] a[l-1]^T
            dW[l] = delta[l].T @ a[l - 1]
            # db[l] = sum over samples of delta[l]
            db[l] = delta[l].sum(axis=0)
            if l > 1:
                # delta[l-1] = J(z[l-1])^T (W[l]^T delta[l]), as rows (delta[l] W[l]) J; for an
                # elementwise activation J is diagonal: (W[l]^T delta[l]) * f'(z[l-1])
                delta[l - 1] = self._hidden.vjp(z[l - 1], a[l - 1], delta[l] @ W[l])
        return dW[1:], db[1:]

    def __getstate__(self):
        # the trainer's buffers are scratch space (possibly large): copies and
        # pickles of the network leave them out and make their own when trained
        state = self.__dict__.copy()
        state.pop("_sgd_trainer", None)
        return state

    def _pass_memory(self, what, rows, arrays, gradients=False) -> None:
        """Refuse a forward (and backward) pass on ``rows`` samples that would not fit in memory."""
        width = sum(self._sizes[1:])
        parts = [(f"{arrays} arrays of {rows:,} samples per layer, widths {_validate._short(self._sizes)}",
                  "X", 8 * arrays * rows * width)]
        if gradients:
            parts.append(("the gradients", "sizes", 8 * _validate.parameter_count(self._sizes)))
        _validate.work_memory(what, parts)

    def _training_memory(self, what, batch_rows, data_rows, shuffled, batch_arg) -> None:
        """Refuse a `step` or `fit` whose buffers would not fit in memory, before it allocates them."""
        sizes = self._sizes
        count = _validate.parameter_count(sizes)
        # the trainer's two copies of the parameters and its gradient, made once per network
        trainer = 0 if "_sgd_trainer" in self.__dict__ else 8 * 3 * count
        # per batch shape: z[l], delta[l], [a[l] | 1] and a temporary f'(z[l]), rows x n_l each, the
        # output's a - y and delta, and with shuffling the batch's gathered inputs [x | 1] and targets
        batch = 8 * batch_rows * (4 * sum(sizes[1:]) + len(sizes) + 2 * sizes[-1]
                                  + (sizes[0] + 1 + sizes[-1] if shuffled else 0))
        # [X | 1], made once
        data = 8 * data_rows * (sizes[0] + 1)
        _validate.work_memory(what, [
            (f"training copies of the {count:,} parameters", "sizes", trainer),
            (f"buffers for batches of {batch_rows:,} samples, widths {_validate._short(sizes)}", batch_arg, batch),
            (f"copies of the {data_rows:,} samples", "X", data),
        ])

    def _check_data(self, X, Y, dtype=np.float64):
        """``X`` and ``Y`` validated; ``dtype`` the precision they will be computed in (`step`, `fit`)."""
        X = _validate.inputs(X, self._sizes[0], dtype)
        Y = _validate.targets(Y, X.shape[0], self._sizes[-1], self._loss)
        _validate.representable(Y, "Y", dtype)
        return X, Y

    # --- public API, validated -------------------------------------------

    def forward(self, X) -> np.ndarray:
        """Output of the network, shape ``(samples, n_out)``, for ``X`` of shape ``(samples, features)``.

        Computed in the network's dtype (float32 for ``dtype="float32"``).

        Where the arithmetic leaves float64's range (inputs or weights near
        1e308), the result holds inf or nan, as IEEE arithmetic gives it,
        and no warning is printed; `fit` and `step` raise `Diverged` instead.
        """
        _validate.parameters(self.weights, self.biases, self._sizes, dtype=self._dtype)
        X = _validate.inputs(X, self._sizes[0], self._dtype)
        self._pass_memory("forward", X.shape[0], 2)
        with np.errstate(all="ignore"):
            # in the network's precision (float32 inputs meet float32 parameters)
            return self._forward(X.astype(self._dtype, copy=False))[1][-1]

    def loss_value(self, X, Y) -> float:
        """Loss on ``(X, Y)``, with the reduction applied (inf or nan, without a warning, where it overflows)."""
        _validate.parameters(self.weights, self.biases, self._sizes, dtype=self._dtype)
        X, Y = self._check_data(X, Y)
        self._pass_memory("loss_value", X.shape[0], 2)
        with np.errstate(all="ignore"):
            z, a = self._forward(X)
            return self._loss_value(z, a, Y)

    def gradients(self, X, Y):
        """Gradients of the loss on ``(X, Y)``, reduction applied, computed in float64 whatever the dtype.

        Returns:
            ``(dW, db)``: lists of arrays shaped like `weights` and `biases`
            (inf or nan, without a warning, where the arithmetic overflows).
        """
        _validate.parameters(self.weights, self.biases, self._sizes, dtype=self._dtype)
        X, Y = self._check_data(X, Y)
        self._pass_memory("gradients", X.shape[0], 4, gradients=True)
        with np.errstate(all="ignore"):
            z, a = self._forward(X)
            return self._backward(z, a, Y)

    def step(self, X, Y, lr) -> float:
        """One gradient-descent step on ``(X, Y)``; returns the loss before it.

        This is the step `fit` takes (``impl._sgd``): the update
        ``-lr * gradients(X, Y)`` up to rounding.

        Raises:
            Diverged: The loss or the updated parameters are not finite; the
                network is left unchanged.
        """
        X, Y = self._check_data(X, Y, self._dtype)
        lr = _validate.learning_rate(lr)
        _validate.trainable(self.weights, self.biases, self._sizes, dtype=self._dtype)
        self._training_memory("step", X.shape[0], X.shape[0], False, "X")
        try:
            trainer = self._trainer()
            trainer.load(self.weights, self.biases)
            with np.errstate(all="ignore"):
                loss = trainer.step(_sgd.augment(X, self._dtype), Y.astype(self._dtype, copy=False), lr)
        except _sgd.NonFinite as failure:
            raise self._diverged(failure, lr, X.shape[0]) from None
        except MemoryError:
            raise self._out_of_memory("step", X.shape[0]) from None
        trainer.store(self.weights, self.biases)
        return loss / X.shape[0] if self._reduction == "mean" else loss

    def _diverged(self, failure, lr, rows, epoch=None, batch=None, batches=None, completed=0) -> Diverged:
        """The `Diverged` error for a `impl._sgd.NonFinite` raised by a step on ``rows`` samples."""
        loss = failure.loss / rows if self._reduction == "mean" and failure.what != "epoch loss" else failure.loss
        if failure.what == "parameters":
            cause = f"the update with lr={lr:g} made a parameter inf or nan (the batch's loss was {loss:.6g})"
        elif failure.what == "loss":
            cause = f"the loss before the update is {loss}, at parameters that are still finite"
        else:
            cause = f"the epoch's loss, the sum of its finite batch losses, overflowed to {loss}"
        epochs = f"history the {completed} completed epoch{'' if completed == 1 else 's'}"
        if epoch is None:
            where, kept = "step diverged", "The network is unchanged."
        elif failure.what == "epoch loss":
            where = f"fit diverged at epoch {epoch} (after its {batches} batches)"
            kept = f"The network keeps its parameters, still finite, and {epochs}."
        else:
            where = f"fit diverged at epoch {epoch}, batch {batch} (of {batches} per epoch)"
            kept = f"The network keeps the last finite parameters, from before that update, and {epochs}."
        advice = "Try a smaller lr"
        if self._reduction == "sum":
            advice += ', or reduction="mean" (with "sum" the step grows with the batch size)'
        advice += ", or inputs scaled to about unit size."
        return Diverged(f"{where}: {cause}. {kept} {advice}", epoch, batch, lr, loss, failure.what)

    def _trainer(self):
        """The buffered trainer of ``impl._sgd``, made once per network."""
        if "_sgd_trainer" not in self.__dict__:
            self._sgd_trainer = _sgd.Trainer(
                self._sizes, self._hidden, self._output, self._loss, self._reduction == "mean", self._dtype
            )
        return self._sgd_trainer

    def fit(self, X, Y, epochs=1000, lr=0.5, batch_size=None, shuffle=True, callback=None):
        """Train by (mini-batch) gradient descent.

        Args:
            X: Inputs, shape ``(samples, features)``.
            Y: Targets, shape ``(samples, n_out)``, or ``(samples,)`` if ``n_out == 1``;
                with several outputs, also integer class labels ``0 .. n_out - 1``
                of shape ``(samples,)``, turned into one-hot rows.
            epochs: Number of passes over the data.
            lr: Learning rate.
            batch_size: Samples per update; ``None`` (or ``>= samples``) means
                the full batch, one update per epoch.
            shuffle: Reorder the samples each epoch, with the network's own
                generator, when there is more than one batch.
            callback: Called as ``callback(epoch, loss)`` after each epoch,
                ``epoch`` counting from 0 and ``loss == history[epoch]``. It
                sees the current `weights` and `biases`, and training goes on
                from whatever values it leaves in them. If it leaves them
                unusable (not a list of writeable float arrays of the right
                shapes, or not finite), fit raises a TypeError or ValueError
                starting ``"callback: after epoch E, weights..."`` and the
                network gets back the parameters the callback was given. If
                the callback raises, fit stops and lets the exception through;
                the network keeps what the callback left when that is usable
                (an early stop that restores the best weights keeps them),
                else the parameters the callback was given.

        Returns:
            ``self``. `history` holds one float per epoch: the batch
            losses of that epoch, each taken before its update, summed and
            reduced over the whole data set. With the full batch,
            ``history[e]`` is the loss at the start of epoch ``e``.

        Raises:
            Diverged: A batch's loss, or the parameters its update gives, are
                not finite (too large a learning rate, most often). Training
                stops there; the network keeps the last finite parameters and
                `history` the completed epochs. No NumPy overflow warning is
                printed on the way.
        """
        X, Y = self._check_data(X, Y, self._dtype)
        epochs = _validate.positive_int(epochs, "epochs")
        lr = _validate.learning_rate(lr)
        batch_size = _validate.optional_positive_int(batch_size, "batch_size")
        shuffle = _validate.flag(shuffle, "shuffle")
        callback = _validate.optional_callable(callback, "callback")
        _validate.trainable(self.weights, self.biases, self._sizes, dtype=self._dtype)

        n = X.shape[0]
        if batch_size is None or batch_size >= n:
            batch_size = n
        reorder = shuffle and batch_size < n
        self._training_memory("fit", batch_size, n, reorder, "batch_size")
        self.history = []
        # the caller's floating-point error handling, for the callback
        outer = np.geterr()
        # True while weights and biases, not the trainer, hold the current parameters
        handed_out = False

        def after_epoch(epoch):
            # the callback sees the current parameters, and what it changes in
            # them (clipping, a learning-rate schedule's restart...) is trained on
            nonlocal handed_out
            trainer.store(self.weights, self.biases)
            handed_out = True
            with np.errstate(**outer):
                callback(epoch, self.history[-1])
            self._check_after_callback(epoch)
            trainer.load(self.weights, self.biases)
            handed_out = False

        try:
            trainer = self._trainer()
            trainer.load(self.weights, self.biases)
            # overflow on the way to a non-finite loss or update is what the
            # trainer's checks catch (and turn into Diverged): no warnings
            with np.errstate(all="ignore"):
                trainer.fit(X, Y.astype(self._dtype, copy=False), epochs, lr, batch_size, self.history,
                            self._rng if reorder else None, None if callback is None else after_epoch)
        except _sgd.NonFinite as failure:
            self._take_back(trainer)
            batches = -(-n // batch_size)
            raise self._diverged(failure, lr, failure.rows, failure.epoch, failure.batch, batches,
                                 failure.epoch) from None
        except BaseException as error:
            # the callback raised or broke the parameters (what it left stays if it
            # is usable), or training was interrupted between two steps
            if "_sgd_trainer" in self.__dict__ and (not handed_out or not self._usable()):
                self._take_back(self._sgd_trainer)
            if isinstance(error, MemoryError) and not handed_out:
                raise self._out_of_memory("fit", batch_size) from None
            raise
        trainer.store(self.weights, self.biases)
        return self

    def _out_of_memory(self, what, batch_rows) -> MemoryError:
        """The MemoryError for a `step` or `fit` that ran out of memory despite the estimate."""
        arg = "batch_size" if what == "fit" else "X"
        return MemoryError(
            f"{arg}: {what} ran out of memory training on batches of {batch_rows:,} samples through "
            f"widths {_validate._short(self._sizes)} ({_validate.parameter_count(self._sizes):,} parameters); "
            f"free some memory, or use a smaller {'batch_size' if what == 'fit' else 'batch'} or smaller layers. "
            "The network keeps its last parameters."
        )

    def _usable(self) -> bool:
        """Whether `fit` could go on training from `weights` and `biases` as they are."""
        try:
            _validate.trainable(self.weights, self.biases, self._sizes, dtype=self._dtype)
        except (TypeError, ValueError):
            return False
        return True

    def _check_after_callback(self, epoch) -> None:
        """Raise, naming the callback, if it left parameters that training cannot go on from."""
        try:
            _validate.trainable(self.weights, self.biases, self._sizes, dtype=self._dtype)
        except (TypeError, ValueError) as error:
            raise type(error)(
                f"callback: after epoch {epoch}, {error}. fit stopped; the network keeps the "
                f"parameters of the end of epoch {epoch}, as they were given to the callback"
            ) from None

    def _take_back(self, trainer) -> None:
        """Put the trainer's current parameters into `weights` and `biases`, in place if they allow it."""
        try:
            _validate.parameters(self.weights, self.biases, self._sizes, dtype=self._dtype)
            in_place = all(p.flags.writeable for p in self.weights + self.biases)
        except (TypeError, ValueError):
            in_place = False
        if in_place:
            trainer.store(self.weights, self.biases)
        else:
            self.weights, self.biases = trainer.copies()

    def predict(self, X) -> np.ndarray:
        """Class labels, shape ``(samples,)``, int.

        With one output: 1 where the output is >= 0.5, else 0. With several:
        the index of the largest output (the most probable class after a softmax).
        """
        out = self.forward(X)
        if out.shape[1] == 1:
            return (out[:, 0] >= 0.5).astype(int)
        return np.argmax(out, axis=1)

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, one row per sample.

        After a softmax, the outputs themselves (each row sums to 1). With one
        output whose values lie in [0, 1] (a sigmoid), two columns, P(class 0)
        and P(class 1), as scikit-learn gives them. With several such outputs
        (independent sigmoids), the outputs.

        Raises:
            ValueError: The output activation's values are not probabilities
                (e.g. ``tanh`` or ``identity``).
        """
        out_act = self._output
        if out_act.output_set != "simplex" and not (0.0 <= out_act.range[0] and out_act.range[1] <= 1.0):
            raise ValueError(
                f"predict_proba: the output activation {out_act.name!r} takes values in "
                f"{out_act.range_text()}, not probabilities; use forward for its outputs"
            )
        out = self.forward(X)
        if out.shape[1] == 1:
            # P(class 0) = 1 - p, P(class 1) = p
            return np.hstack([1.0 - out, out])
        return out

    def score(self, X, y) -> float:
        """Accuracy: the fraction of samples whose `predict` label equals the true label.

        Args:
            X: Inputs, shape ``(samples, features)``.
            y: The true classes: integer labels of shape ``(samples,)``, or
                targets shaped like the outputs (one-hot rows, whose largest
                entry is the label; with one output, 1 where >= 0.5).
        """
        _validate.parameters(self.weights, self.biases, self._sizes, dtype=self._dtype)
        X = _validate.inputs(X, self._sizes[0])
        n_out = self._sizes[-1]
        if _validate._is_label_vector(y) and (n_out > 1 or np.ndim(y) == 1):
            truth = _validate.labels(y, X.shape[0], max(n_out, 2), "y")
        else:
            Y = _validate.targets(y, X.shape[0], n_out, losses.mse).reshape(X.shape[0], n_out)
            truth = (Y[:, 0] >= 0.5).astype(int) if n_out == 1 else np.argmax(Y, axis=1)
        return float(np.mean(self.predict(X) == truth))

    # --- persistence ------------------------------------------------------

    def save(self, path) -> None:
        """Write the network to ``path`` (an ``.npz`` holding numeric arrays only).

        The file is written at exactly ``path``; no suffix is added. It is
        checked first with the same rules `load` applies, so whatever `save`
        writes, `load` reads back equal (weights, biases, history, the
        configuration and the random generator's state).

        Raises:
            TypeError: ``path`` is not a str or path; `weights`, `biases` or
                `history` are not lists of float arrays and floats (float16,
                float32 and float64 are written exactly as float64; wider
                floats are refused rather than rounded).
            ValueError: A parameter or a loss in `history` is not finite
                (e.g. ``"weights[1]: expected finite values, got nan at index
                (0, 1)"``), a list has the wrong length or an array the wrong
                shape, or ``path`` names something other than a regular file
                (a directory, a FIFO). A refused save opens nothing: an
                existing file is left as it was.
            OSError: The file cannot be written.
        """
        _persist.save(self, path)

    @classmethod
    def load(cls, path) -> "Network":
        """Read a network written by `save`.

        Never unpickles, and never lets a file make it allocate more than the
        network the file describes (whose shapes are checked, from the
        archive's directory and the arrays' headers, before any data is
        read): a file that claims more than it holds, a decompression bomb, a
        configuration of a few bytes asking for gigabytes are refused at once.
        Only regular files are opened; a FIFO or a device is refused without
        waiting on it.

        Raises:
            TypeError: ``path`` is not a str or path.
            ValueError: Naming ``path``: the file is missing, not a regular
                file, unreadable, foreign or inconsistent, with the reason.
        """
        return _persist.load(cls, path)
