r"""Elementwise kernels chosen for the machine: the sigmoid two ways, one picked at import.

The logistic function \(\sigma(z) = 1 / (1 + e^{-z})\) has two stable
formulations, equally accurate and differently fast:

* ``"expit"``: ``scipy.special.expit``, one call, scalar code: about 5.5 ns
  per float64 value on an AMD EPYC (AVX-512) and on the AVX2 machine the
  benchmark ran on before.
* ``"exp"``: a few NumPy passes, ``1 / (1 + exp(-z))``. NumPy vectorises
  float64 ``exp`` with AVX-512F (0.9 ns per value measured on that EPYC)
  but not with AVX2 alone (5-7 ns there), so on AVX-512 the passes take
  about 2.2-3 ns per value and on AVX2 they lose to ``expit``. Below
  \(z \approx -709\), \(e^{-z}\) overflows: `sigmoid` lets it (under
  ``np.errstate``, so without a warning) and gets \(1/\infty = 0\), where
  \(\sigma(z) < 10^{-308}\); `sigmoid_into`, the trainer's in-place
  version, saves that context switch by capping the exponent at 709 (88
  in float32) and gets \(1/(1 + e^{709}) \approx 1.2 \cdot 10^{-308}\)
  there instead. Either way the absolute error is below \(10^{-308}\) (the
  cap would not do for `sigmoid` itself, whose value silu multiplies by
  \(z\), up to \(10^{300}\)).

Both are within 4 ulp (measured against mpmath: tests/impl/test_kernels.py)
of \(\sigma\) everywhere both are normal numbers, and in particular within
1e-12 relative on [-30, 30]. ``SIGMOID`` holds the choice, made once at
import from the SIMD features NumPy reports (``"exp"`` when the CPU has
AVX512F, else ``"expit"``), unless the environment variable
``BACKPROP_SPEC_SIGMOID`` names one (the tests and the benchmark force each
path that way, or by setting ``SIGMOID``). float32 has its own choice,
``SIGMOID32``: NumPy vectorises float32 ``exp`` for AVX2 as well. Arrays smaller than `SMALL`
values always take ``expit``: there one call's overhead costs more than the
arithmetic.

The sigmoid's derivative \(\sigma'(z) = \sigma(z)\sigma(-z)\) follows the
same choice: ``expit(z) * expit(-z)``, or with \(t = e^{-|z|}\) (which never
overflows) \(\sigma'(z) = t / (1 + t)^2\).
"""

from __future__ import annotations

import os

import numpy as np
from scipy.special import expit

#: The sigmoid formulations (see the module docstring).
KERNELS = ("exp", "expit")
#: Below this many values a single ``expit`` call is faster whatever the CPU.
SMALL = 512
#: Largest exponent passed to ``exp``, per dtype: e^cap is finite, so 1 + e^cap is too.
_CAP = {np.dtype(np.float64): 709.0, np.dtype(np.float32): 88.0}


def simd_features() -> dict[str, bool]:
    """The SIMD features NumPy found on this CPU (x86's AVX family, Arm's NEON/SVE), as NumPy reports them."""
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as features
    except ImportError:  # NumPy < 2
        from numpy.core._multiarray_umath import __cpu_features__ as features
    wanted = ("SSE42", "AVX", "FMA3", "AVX2", "AVX512F", "AVX512_SKX", "NEON", "ASIMD", "SVE")
    return {name: bool(features.get(name, False)) for name in wanted if name in features}


def _choose(dtype) -> str:
    forced = os.environ.get("BACKPROP_SPEC_SIGMOID")
    if forced:
        if forced not in KERNELS:
            raise ValueError(f"BACKPROP_SPEC_SIGMOID: expected one of {', '.join(KERNELS)}, got {forced!r}")
        return forced
    simd = simd_features()
    if dtype == np.float64:
        # NumPy vectorises float64 exp for AVX512F only (measured: see the module docstring)
        return "exp" if simd.get("AVX512F") else "expit"
    # and float32 exp for AVX2 with FMA3 as well (0.55 ns per value on the EPYC; expit 3.4 ns)
    return "exp" if simd.get("AVX512F") or (simd.get("AVX2") and simd.get("FMA3")) else "expit"


#: The sigmoid kernel this process uses for float64 arrays, ``"exp"`` or ``"expit"``.
SIGMOID = _choose(np.float64)
#: The same for float32 arrays.
SIGMOID32 = _choose(np.float32)


def describe() -> dict:
    """What the benchmark records: the kernel chosen, why, and the CPU's SIMD features."""
    forced = os.environ.get("BACKPROP_SPEC_SIGMOID")
    return {
        "sigmoid": SIGMOID,
        "sigmoid_float32": SIGMOID32,
        "chosen_by": "BACKPROP_SPEC_SIGMOID" if forced else "AVX512F present" if SIGMOID == "exp" else "no AVX512F",
        "simd": [name for name, present in simd_features().items() if present],
    }


def _uses_exp(z) -> bool:
    if z.size < SMALL or z.dtype not in _CAP:
        return False
    return (SIGMOID if z.dtype == np.float64 else SIGMOID32) == "exp"


def sigmoid_exp_into(z, out) -> None:
    r"""\(\sigma(z) = 1 / (1 + e^{-z})\) written into ``out`` (which may be ``z``) in five passes.

    The passes run in ``out`` when it is contiguous, else in a contiguous
    temporary with only the last one writing ``out`` (a strided view, such
    as the trainer's ``a[l]`` left of its column of ones): NumPy's SIMD loops
    need contiguous data, and strided passes cost about half as much again.
    """
    work = out if out.flags.c_contiguous else np.empty(out.shape, dtype=out.dtype)
    # t = min(-z, cap): e^t stays finite, so no overflow warning
    np.negative(z, out=work)
    np.minimum(work, _CAP[out.dtype], out=work)
    # sigma = 1 / (1 + e^t)
    np.exp(work, out=work)
    work += 1
    np.reciprocal(work, out=out)


def sigmoid_into(z, out) -> None:
    r"""\(\sigma(z)\) for real ``z`` into ``out`` (float64 or float32, ``z``'s shape), by the chosen kernel."""
    if _uses_exp(out):
        sigmoid_exp_into(z, out)
    else:
        expit(z, out=out)


def sigmoid_train_into(z, out, work) -> None:
    r"""`sigmoid_into` for the trainer: ``work`` is a contiguous scratch array of ``z``'s shape.

    The trainer runs under ``np.errstate(all="ignore")`` and checks its loss
    and parameters itself, so here \(e^{-z}\) may overflow to inf below
    \(z \approx -709\) (-88 in float32), giving \(1/\infty = 0\), the exact
    limit, and the cap's pass is not needed: four passes, in ``work``, with
    only the last writing ``out`` (the trainer's strided ``a[l]``).
    """
    if not _uses_exp(out):
        expit(z, out=out)
        return
    # sigma = 1 / (1 + e^{-z})
    np.negative(z, out=work)
    np.exp(work, out=work)
    work += 1
    np.reciprocal(work, out=out)


def sigmoid(z):
    r"""\(\sigma(z)\) for a real array ``z`` (ints become float64), by the chosen kernel.

    Exact limits in the tails: 0 where \(e^{-z}\) overflows, 1 where it underflows.
    """
    if z.dtype in _CAP and _uses_exp(z):
        out = np.negative(z)
        # e^{-z} = inf below z ~ -709 gives 1 / inf = 0, the limit, without a warning
        with np.errstate(over="ignore"):
            np.exp(out, out=out)
        out += 1
        np.reciprocal(out, out=out)
        return out
    return expit(z)


def sigmoid_slope_exp(z):
    r"""\(\sigma'(z) = t / (1 + t)^2\), \(t = e^{-|z|}\): symmetric, never overflows, no cancellation."""
    t = np.abs(z)
    np.negative(t, out=t)
    np.exp(t, out=t)
    d = t + 1
    d *= d
    t /= d
    return t


def sigmoid_slope(z):
    r"""\(\sigma'(z) = \sigma(z)\sigma(-z)\) for a real array ``z``, by the chosen kernel."""
    if z.dtype in _CAP and _uses_exp(z):
        return sigmoid_slope_exp(z)
    return expit(z) * expit(-z)
