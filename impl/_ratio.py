"""Naming the pattern in the ratios of a computed gradient to the true one (NumPy only).

`impl.gradcheck` (analytic against finite differences) and `spec.verify`
(a user's update against the spec's) both end with the same question: the
failing numbers are off, but by what? `detect` answers it once: given the
ratios observed / expected (per entry, or per scenario), it names a
constant factor, a sign flip, a mean where a sum belongs (1/N), a sum where
a mean belongs (N), a learning rate applied twice, or nothing. The callers
word the answer for their readers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: What `detect` can name. ``"one"``: no difference; ``"zero"``: never changes; ``"sign"``: -1;
#: ``"mean"``: 1/N; ``"sum"``: N; ``"twice"``: 2; ``"half"``: 1/2; ``"factor"``: another constant;
#: ``"lr"``: proportional to the learning rate (applied twice).
KINDS = ("one", "zero", "sign", "mean", "sum", "twice", "half", "factor", "lr")


@dataclass(frozen=True)
class Pattern:
    """What the ratios show: one of `KINDS`, and the constant behind it (the factor for ``"factor"``)."""

    kind: str
    value: float


def _steady(values, rtol) -> bool:
    """Whether every value equals the first to ``rtol``."""
    return bool(np.allclose(values, values[0], rtol=rtol))


def _near(c, value, close) -> bool:
    """|c - value| <= close * |value|, or both 0."""
    return abs(c - value) <= close * abs(value)


def detect(ratios, samples=1, lrs=None, rtol=1e-6, close=1e-5) -> Pattern | None:
    """The pattern in ``ratios`` = observed / expected, or None when there is none.

    Args:
        ratios: One ratio per entry (or per scenario), finite.
        samples: The number of samples N behind each ratio: one number, or one per ratio.
        lrs: The learning rate behind each ratio (to name a learning rate applied twice), or None.
        rtol: How equal the ratios must be to count as one constant.
        close: How near the constant must be to a known value (-1, N, 1/N, 2, 1/2) to be named by it.

    A constant c = ratio names itself: 1, 0, -1 (``"sign"``), 1/N (``"mean"``),
    N (``"sum"``), 2, 1/2, or another ``"factor"``. Otherwise, with N varying,
    ratio * N constant is a mean (``"mean"``), ratio / N a sum (``"sum"``), and
    ratio / lr constant the learning rate once too often (``"lr"``).
    """
    r = np.asarray(ratios, float).ravel()
    if not r.size or not np.all(np.isfinite(r)):
        return None
    n = np.broadcast_to(np.asarray(samples, float), r.shape)
    if _steady(r, rtol):
        c = float(np.median(r))
        N = float(n[0]) if _steady(n, 0) else None
        if abs(c) <= 1e-12:
            return Pattern("zero", 0.0)
        for kind, value in (("one", 1.0), ("sign", -1.0)):
            if _near(c, value, close):
                return Pattern(kind, value)
        if N is not None and N > 1:
            # c = 1/N: a mean over the N samples where a sum belongs; c = N: the other way round
            for kind, value in (("mean", 1 / N), ("sum", N)):
                if _near(c, value, close):
                    return Pattern(kind, value)
        for kind, value in (("twice", 2.0), ("half", 0.5)):
            if _near(c, value, close):
                return Pattern(kind, value)
        return Pattern("factor", c)
    # ratio * N constant: divided by N (a mean); ratio / N constant: multiplied by N (a sum)
    if _steady(r * n, rtol):
        return Pattern("mean", float(r[0] * n[0]))
    if _steady(r / n, rtol):
        return Pattern("sum", float(r[0] / n[0]))
    if lrs is not None:
        lr = np.asarray(lrs, float).ravel()
        # ratio / lr constant: the learning rate multiplies the step once more
        if lr.shape == r.shape and np.all(lr > 0) and _steady(r / lr, rtol):
            return Pattern("lr", float(r[0] / lr[0]))
    return None
