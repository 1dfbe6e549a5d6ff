"""Argument checks for the public entry points of `impl`.

Each public method runs these once, up front, before touching any state, so
a rejected call leaves the network exactly as it was. Messages name the
argument, say what was expected and what was given. A value of the wrong
kind raises TypeError; a value of the right kind but out of range raises
ValueError.
"""

from __future__ import annotations

import functools
import math
import numbers
import os
from collections.abc import Sequence

import numpy as np

from impl import activations, losses

REDUCTIONS = ("sum", "mean")
INITS = ("normal", "xavier")
#: Training precisions (`Network`'s ``dtype``).
DTYPES = ("float64", "float32")

#: At most this many layers of weights, ``len(sizes) - 1`` (every step loops over the layers in Python).
MAX_LAYERS = 1000
#: The memory assumed where the machine's cannot be read.
FALLBACK_MEMORY = 16 * 2**30
#: A network's parameters may take at most this fraction of the machine's memory:
#: its gradients, and the trainer's copies, need as much again and more.
PARAMETER_SHARE = 0.5


def _is_int(value) -> bool:
    # bool is a subclass of int, but True is not a layer width or an epoch count
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def positive_int(value, arg: str) -> int:
    """An int >= 1 (``epochs``, ``batch_size``...)."""
    if not _is_int(value):
        raise TypeError(f"{arg}: expected a positive int, got {value!r} ({type(value).__name__})")
    if value < 1:
        raise ValueError(f"{arg}: expected a positive int, got {value}")
    return int(value)


def optional_positive_int(value, arg: str) -> int | None:
    """``None`` or an int >= 1."""
    return None if value is None else positive_int(value, arg)


def learning_rate(value, arg: str = "lr") -> float:
    """A finite real number > 0."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{arg}: expected a number > 0, got {value!r:.80} ({type(value).__name__})")
    number = real(value, arg, "a finite number > 0")
    if not math.isfinite(number) or number <= 0:
        raise ValueError(f"{arg}: expected a finite number > 0, got {number}")
    return number


def real(value, arg: str, expected: str) -> float:
    """``float(value)`` for a real number; ValueError for one beyond float64's range (an int of 400 digits)."""
    try:
        return float(value)
    except OverflowError:
        raise ValueError(f"{arg}: expected {expected}, got {_int_text(value)}, beyond float64's range") from None


def flag(value, arg: str) -> bool:
    """A bool."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{arg}: expected True or False, got {value!r} ({type(value).__name__})")
    return bool(value)


def optional_callable(value, arg: str):
    """``None`` or something callable."""
    if value is not None and not callable(value):
        raise TypeError(f"{arg}: expected a callable or None, got {type(value).__name__}")
    return value


def seed(value):
    """``None`` or a non-negative int, as accepted by ``np.random.default_rng``."""
    if value is None:
        return None
    if not _is_int(value):
        raise TypeError(f"seed: expected None or a non-negative int, got {value!r} ({type(value).__name__})")
    if value < 0:
        raise ValueError(f"seed: expected None or a non-negative int, got {value}")
    return int(value)


def sizes(value) -> tuple[int, ...]:
    r"""Layer widths, input first: 2 to ``MAX_LAYERS + 1`` positive ints whose parameters fit in memory.

    The float64 parameters, \(\sum_l n_l (n_{l-1} + 1)\) numbers, may take at most
    `PARAMETER_SHARE` of `memory_bytes`; the count is checked before anything is allocated.
    """
    if isinstance(value, np.ndarray):
        if value.ndim != 1:
            raise ValueError(f"sizes: expected a 1-D sequence of layer widths, got shape {value.shape}")
        if value.size > MAX_LAYERS + 1:
            raise ValueError(_too_many_layers(value.size))
        value = value.tolist()
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise TypeError(f"sizes: expected a sequence of ints such as (2, 2, 1), got {type(value).__name__}")
    if len(value) < 2:
        raise ValueError(
            f"sizes: expected at least 2 layer widths (input and output), got {list(value)}"
        )
    if len(value) > MAX_LAYERS + 1:
        raise ValueError(_too_many_layers(len(value)))
    for position, width in enumerate(value):
        if not _is_int(width):
            raise TypeError(
                f"sizes: expected int layer widths, got {width!r} ({type(width).__name__}) "
                f"at position {position}"
            )
        if width < 1:
            raise ValueError(
                f"sizes: expected positive layer widths, got {_int_text(width)} at position {position}"
            )
    widths = tuple(int(width) for width in value)
    _fits_in_memory(widths)
    return widths


def _too_many_layers(count: int) -> str:
    return (
        f"sizes: expected at most {MAX_LAYERS + 1} layer widths ({MAX_LAYERS} layers of weights), "
        f"got {count:,}"
    )


def parameter_count(sizes) -> int:
    r"""Number of weights and biases: \(\sum_l n_l (n_{l-1} + 1)\)."""
    return sum(n_out * (n_in + 1) for n_in, n_out in zip(sizes[:-1], sizes[1:]))


def _fits_in_memory(sizes) -> None:
    count = parameter_count(sizes)
    memory = memory_bytes()
    limit = int(memory * PARAMETER_SHARE)
    if 8 * count > limit:
        raise ValueError(
            f"sizes: {_short(sizes)} has {_count(count)} parameters ({_bytes(8 * count)} as float64); "
            f"a network may take at most {PARAMETER_SHARE:.0%} of this machine's {_bytes(memory)} of "
            f"memory ({_bytes(limit)}), since its gradients and training need as much again"
        )


@functools.lru_cache(maxsize=1)
def memory_bytes() -> int:
    """The machine's memory in bytes: physical memory, or a lower cgroup limit.

    `FALLBACK_MEMORY` where neither can be read (``os.sysconf`` is missing on Windows).
    """
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        memory = 0
    if memory <= 0:
        memory = FALLBACK_MEMORY
    # a container's limit (cgroup v2, then v1), where one is set and lower
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            with open(path) as handle:
                limit = int(handle.read(64).strip())
        except (OSError, ValueError):
            continue
        if 0 < limit < memory:
            memory = limit
    return memory


def work_memory(what: str, parts, memory: int | None = None) -> None:
    """Refuse a call whose new arrays would not fit in memory, before it allocates them.

    Args:
        what: The call, e.g. ``"fit"``.
        parts: ``(description, argument, bytes)`` for each group of arrays the
            call allocates; the message names the argument of the largest.
        memory: The machine's memory; `memory_bytes` by default.
    """
    memory = memory_bytes() if memory is None else memory
    total = sum(size for _, _, size in parts)
    if total <= memory:
        return
    _, arg, _ = max(parts, key=lambda part: part[2])
    listed = "; ".join(f"{description}: {_bytes(size)}" for description, _, size in parts if size)
    advice = {
        "batch_size": "use a smaller batch_size",
        "X": "pass fewer samples at a time",
        "sizes": "use smaller layers",
    }[arg]
    raise ValueError(
        f"{arg}: {what} needs about {_bytes(total)} of new arrays ({listed}); "
        f"this machine has {_bytes(memory)} of memory: {advice}"
    )


def _int_text(value: int) -> str:
    """An int for a message; one too long to print usefully (or at all) is described instead."""
    value = int(value)
    if value.bit_length() <= 64:
        return str(value)
    digits = int(value.bit_length() * math.log10(2)) + 1
    return f"{'-' if value < 0 else ''}<an int of about {digits:,} digits>"


def _count(value: int) -> str:
    """A count for a message: ``1,000,001,000,000`` or ``1.2e+30``."""
    if value < 10**15:
        return f"{value:,}"
    if value.bit_length() < 1000:
        return f"{float(value):.3g}"
    return f"about 1e{int(value.bit_length() * math.log10(2))}"


def _bytes(value: int) -> str:
    """A size in binary units: ``7.28 TiB``."""
    value = int(value)
    if value < 1024:
        return f"{value} B"
    if value >= 1024**7:
        return f"{_count(value)} B"
    for power, unit in enumerate(("KiB", "MiB", "GiB", "TiB", "PiB", "EiB"), start=1):
        if value < 1024 ** (power + 1) or unit == "EiB":
            return f"{value / 1024**power:.3g} {unit}"


def choice(value, arg: str, allowed: Sequence[str]) -> str:
    """One of a fixed set of names."""
    if not isinstance(value, str):
        raise TypeError(f"{arg}: expected a name (str), got {value!r} ({type(value).__name__})")
    if value not in allowed:
        raise ValueError(f"{arg}: expected one of {', '.join(allowed)}, got {value!r}")
    return value


def activation(value, arg: str) -> activations.Activation:
    """The registered activation named ``value``."""
    return activations.get(choice(value, arg, activations.names()))


def loss(value, arg: str = "loss") -> losses.Loss:
    """The registered loss named ``value``."""
    return losses.get(choice(value, arg, losses.names()))


def _numeric(value, arg: str) -> np.ndarray:
    # Bools, ints and floats become float64 (no copy when already float64).
    try:
        array = np.asarray(value)
    except (ValueError, TypeError) as error:
        raise ValueError(f"{arg}: expected a rectangular numeric array, got {error}") from None
    if array.dtype.kind not in "biuf":
        given = "" if isinstance(value, np.ndarray) else f" (from {type(value).__name__})"
        raise TypeError(
            f"{arg}: expected a numeric array (bool, int or float), got dtype {array.dtype}{given}"
        )
    wide = array.dtype.kind == "f" and array.dtype.itemsize > 8
    # a longdouble beyond float64's range becomes inf, refused below, without a warning
    with np.errstate(over="ignore"):
        array = array.astype(np.float64, copy=False)
    finite = np.isfinite(array)
    if not finite.all():
        where = tuple(int(i) for i in np.argwhere(~finite)[0])
        cause = " (beyond float64's range)" if wide and np.isfinite(np.asarray(value)[where]) else ""
        raise ValueError(f"{arg}: expected finite values, got {array[where]}{cause} at index {where}")
    return array


def inputs(X, n_in: int, dtype=np.float64) -> np.ndarray:
    """``X`` as a finite float64 array of shape ``(samples, n_in)``, samples >= 1.

    ``dtype``: the precision the values will be computed in (a float32 network's):
    each must be finite there too (1e39 is finite in float64, inf in float32).
    """
    X = _numeric(X, "X")
    if X.ndim != 2 or X.shape[1] != n_in:
        raise ValueError(
            f"X: expected a 2-D array of shape (samples, {n_in}), got shape {X.shape}"
        )
    if X.shape[0] == 0:
        raise ValueError(f"X: expected at least one sample, got shape {X.shape}")
    representable(X, "X", dtype)
    return X


def representable(values: np.ndarray, arg: str, dtype) -> None:
    """Every entry of the float64 array ``values`` is finite in ``dtype`` (float32's largest is about 3.4e38)."""
    dtype = np.dtype(dtype)
    if dtype == np.float64 or values.size == 0:
        return
    largest = float(np.finfo(dtype).max)
    too_big = np.abs(values) > largest
    if too_big.any():
        where = tuple(int(i) for i in np.argwhere(too_big)[0])
        raise ValueError(
            f"{arg}: expected values a {dtype.name} network can hold (|x| <= {largest:.4g}), "
            f"got {values[where]} at index {where}"
        )


def targets(Y, n_samples: int, n_out: int, loss: losses.Loss) -> np.ndarray:
    """``Y`` as a finite float64 array of shape ``(n_samples, n_out)``.

    A 1-D ``Y`` of shape ``(samples,)`` is accepted when ``n_out == 1``; with
    several outputs a 1-D ``Y`` of integers (or bools) is read as class labels
    ``0 .. n_out - 1`` and becomes one-hot rows.
    """
    if n_out > 1 and _is_label_vector(Y):
        return one_hot(labels(Y, n_samples, n_out), n_out)
    Y = _numeric(Y, "Y")
    if Y.ndim == 1 and n_out == 1:
        Y = Y.reshape(-1, 1)
    if Y.ndim != 2 or Y.shape[1] != n_out:
        if n_out == 1:
            expected = "(samples,) or (samples, 1)"
        else:
            expected = f"(samples, {n_out}), or integer class labels 0..{n_out - 1} of shape (samples,)"
        given = f"{Y.dtype} values of shape {Y.shape}" if Y.ndim == 1 and n_out > 1 else f"shape {Y.shape}"
        hint = " (labels held as floats: pass Y.astype(int))" if Y.ndim == 1 and n_out > 1 else ""
        raise ValueError(f"Y: expected an array of shape {expected}, got {given}{hint}")
    if Y.shape[0] != n_samples:
        raise ValueError(
            f"Y: expected {n_samples} samples to match X, got {Y.shape[0]} (shape {Y.shape})"
        )
    if loss.targets is not None:
        low, high = loss.targets
        if Y.min() < low or Y.max() > high:
            raise ValueError(
                f"Y: loss {loss.name!r} expects targets in [{low:g}, {high:g}], "
                f"got values in [{Y.min():g}, {Y.max():g}]"
            )
    return Y


def _is_label_vector(Y) -> bool:
    """True for a 1-D array (or list) of integers or bools: class labels."""
    if isinstance(Y, np.ndarray):
        return Y.ndim == 1 and Y.dtype.kind in "biu"
    try:
        array = np.asarray(Y)
    except (ValueError, TypeError):
        return False
    return array.ndim == 1 and array.dtype.kind in "biu"


def labels(y, n_samples: int, n_classes: int, arg: str = "Y") -> np.ndarray:
    """Class labels ``y``, shape ``(n_samples,)``, each an int in ``0 .. n_classes - 1``, as int64."""
    try:
        array = np.asarray(y)
    except (ValueError, TypeError) as error:
        raise ValueError(f"{arg}: expected a 1-D array of integer class labels, got {error}") from None
    if array.ndim != 1 or array.dtype.kind not in "biu":
        raise TypeError(
            f"{arg}: expected a 1-D array of integer class labels, got {array.dtype} of shape {array.shape}"
        )
    if array.shape[0] != n_samples:
        raise ValueError(f"{arg}: expected {n_samples} labels to match X, got {array.shape[0]}")
    if array.size:
        bad = np.flatnonzero((array < 0) | (array >= n_classes))
        if bad.size:
            raise ValueError(
                f"{arg}: class labels must lie in 0..{n_classes - 1} (one per output unit), "
                f"got {array[bad[0]]} at index {int(bad[0])}"
            )
    return array.astype(np.int64)


def one_hot(labels: np.ndarray, n_classes: int) -> np.ndarray:
    """Rows of the identity: row ``n`` has a 1 in column ``labels[n]``."""
    out = np.zeros((labels.shape[0], n_classes))
    out[np.arange(labels.shape[0]), labels] = 1.0
    return out


def parameters(weights, biases, sizes, owner: str = "", dtype=None) -> None:
    """Check the structure of the parameters against ``sizes``, in O(layers).

    ``weights`` and ``biases`` must be lists with one array per layer, each
    ``weights[l-1]`` a real floating ndarray of shape ``(n_l, n_{l-1})``
    and each ``biases[l-1]`` one of shape ``(n_l,)``. Values are not looked
    at (that would cost as much as the work itself); `trainable` does.
    ``owner`` prefixes the names in messages (``"net."`` for ``net.weights``).
    """
    D = len(sizes) - 1
    expected = f"{D} array{'' if D == 1 else 's'} (one per layer, sizes {_short(sizes)})"
    for group, values in (("weights", weights), ("biases", biases)):
        if not isinstance(values, list):
            raise TypeError(f"{owner}{group}: expected a list of {expected}, got {type(values).__name__}")
        if len(values) != D:
            raise ValueError(f"{owner}{group}: expected {expected}, got {len(values)}")
    for l in range(1, D + 1):
        for name, math_name, value, shape in (
            (f"{owner}weights[{l - 1}]", f"W[{l}]", weights[l - 1], (sizes[l], sizes[l - 1])),
            (f"{owner}biases[{l - 1}]", f"b[{l}]", biases[l - 1], (sizes[l],)),
        ):
            if not isinstance(value, np.ndarray) or value.dtype.kind != "f":
                kind = f"dtype {value.dtype}" if isinstance(value, np.ndarray) else type(value).__name__
                raise TypeError(f"{name}: expected a float ndarray of shape {shape} for {math_name}, got {kind}")
            if dtype is not None and np.dtype(dtype) != np.float64 and value.dtype != np.dtype(dtype):
                # a float32 network computes in float32: a float64 array would make it mixed precision
                raise TypeError(
                    f"{name}: this network computes in {np.dtype(dtype).name}, got a {value.dtype} array for "
                    f"{math_name}; assign value.astype(np.{np.dtype(dtype).name}) (mixed precision is refused)"
                )
            if value.shape != shape:
                raise ValueError(
                    f"{name}: expected shape {shape} for {math_name} "
                    f"(layer {l}: {sizes[l - 1]} -> {sizes[l]} units), got {value.shape}"
                )


def trainable(weights, biases, sizes, dtype=None) -> None:
    """Check that `fit` and `step` can update the parameters in place, before any work.

    On top of `parameters`: every array must be writeable (training writes its
    results into these arrays) and hold finite values.
    """
    parameters(weights, biases, sizes, dtype=dtype)
    for group, values in (("weights", weights), ("biases", biases)):
        for index, value in enumerate(values):
            if not value.flags.writeable:
                raise ValueError(f"{group}[{index}]: training updates it in place, but the array is read-only")
            if not np.isfinite(value).all():
                raise ValueError(f"{group}[{index}]: expected finite values")


def _short(sizes) -> str:
    """``sizes`` for a message: in full up to 8 widths, else its ends."""
    text = [_int_text(width) for width in sizes]
    if len(text) <= 8:
        return f"({', '.join(text)}{',' if len(text) == 1 else ''})"
    return f"({', '.join(text[:3])}, ..., {', '.join(text[-2:])}; {len(text)} widths)"
