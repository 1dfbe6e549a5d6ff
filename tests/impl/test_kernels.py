"""impl._kernels: every sigmoid kernel meets the accuracy bars, whichever one this CPU would pick.

The choice is made at import from the CPU's SIMD features; here each kernel
is forced in turn (``_kernels.SIGMOID``), on arrays large enough that the
forced kernel really runs, and checked against mpmath at 40 digits.
"""

import subprocess
import sys
import warnings

import mpmath
import numpy as np
import pytest
from scipy.special import expit

from impl import _kernels, activations

mpmath.mp.dps = 40
TINY = np.finfo(np.float64).tiny
# [-30, 30] densely (the bars), the tails out to where sigma underflows
Z = np.concatenate([np.linspace(-30.0, 30.0, 6001), np.linspace(-740.0, 740.0, 2001)])


def _mp(fn):
    return np.array([float(fn(mpmath.mpf(float(v)))) for v in Z])


SIGMA = _mp(lambda x: 1 / (1 + mpmath.exp(-x)))
SIGMA_SLOPE = _mp(lambda x: mpmath.exp(-x) / (1 + mpmath.exp(-x)) ** 2)
SILU = _mp(lambda x: x / (1 + mpmath.exp(-x)))


@pytest.fixture(params=_kernels.KERNELS)
def kernel(request, monkeypatch):
    monkeypatch.setattr(_kernels, "SIGMOID", request.param)
    monkeypatch.setattr(_kernels, "SIGMOID32", request.param)
    return request.param


def _relative(got, exact):
    normal = np.abs(exact) > TINY
    return np.abs(got[normal] - exact[normal]) / np.abs(exact[normal])


def test_the_forced_kernel_is_the_one_that_runs(kernel, monkeypatch):
    calls = []
    monkeypatch.setattr(_kernels, "sigmoid_exp_into", lambda z, out: calls.append(z.size) or out.fill(0.5))
    out = np.empty(_kernels.SMALL)
    _kernels.sigmoid_into(np.zeros(_kernels.SMALL), out)
    assert calls == ([_kernels.SMALL] if kernel == "exp" else [])
    # small arrays always take expit
    calls.clear()
    _kernels.sigmoid_into(np.zeros(3), np.empty(3))
    assert calls == []


@pytest.mark.parametrize("name, exact", [("sigmoid", SIGMA), ("silu", SILU)])
def test_f_within_1e12_relative_on_every_kernel(kernel, name, exact):
    act = activations.get(name)
    got = act.f(Z)
    core = np.abs(Z) <= 30
    assert _relative(got[core], exact[core]).max() <= 1e-12
    # the tails: within 1e-12 relative down to z = -708, where e^{-z} is still finite;
    # below, where sigma < 1e-307, within an absolute 1e-305 (times |z| for silu)
    assert _relative(got[Z > -708], exact[Z > -708]).max() <= 1e-12
    assert np.all(np.abs(got[Z < -708] - exact[Z < -708]) <= 1e-305 * np.maximum(1, np.abs(Z[Z < -708])))


def test_sigmoid_slope_within_1e10_relative_on_every_kernel(kernel):
    got = activations.get("sigmoid").df(Z)
    assert _relative(got, SIGMA_SLOPE).max() <= 1e-10


def test_in_place_kernel_agrees_with_the_function_on_every_kernel(kernel):
    for dtype in (np.float64, np.float32):
        z = Z.astype(dtype)
        out = np.empty_like(z)
        activations.get("sigmoid").f_into(z, out)
        assert out.dtype == dtype
        np.testing.assert_allclose(out, activations.get("sigmoid").f(z), rtol=4 * np.finfo(dtype).eps,
                                   atol=2 * np.finfo(dtype).tiny)
        # in place, as the gradient checker does, and into a strided view, as the trainer does
        inplace = z.copy()
        activations.get("sigmoid").f_into(inplace, inplace)
        np.testing.assert_array_equal(inplace, out)
        wide = np.ones((z.size, 2), dtype=dtype)
        activations.get("sigmoid").f_into(z, wide[:, 0])
        np.testing.assert_array_equal(wide[:, 0], out)
        assert (wide[:, 1] == 1).all()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_finite_and_warning_free_at_the_extremes_on_every_kernel(kernel, dtype):
    big = 1e300 if dtype == np.float64 else 3e38
    z = np.tile(np.array([-big, -1e4, -800.0, -709.5, -30.0, 0.0, 30.0, 800.0, 1e4, big], dtype=dtype), 64)
    sig, silu = activations.get("sigmoid"), activations.get("silu")
    out = np.empty_like(z)
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        values = [sig.f(z), sig.df(z), silu.f(z), silu.df(z)]
        sig.f_into(z, out)
    for v in values + [out]:
        assert v.dtype == dtype and np.isfinite(v).all()
    assert (values[0] >= 0).all() and (values[0] <= 1).all()
    assert (values[2] >= activations.get("silu").range[0]).all()
    # NaN stays NaN
    z[0] = np.nan
    assert np.isnan(sig.f(z)[0]) and np.isnan(sig.df(z)[0])


def test_choice_follows_the_simd_features_or_the_environment():
    code = "from impl import _kernels; print(_kernels.SIGMOID, _kernels.describe()['chosen_by'])"
    for forced in _kernels.KERNELS:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                             env={"BACKPROP_SPEC_SIGMOID": forced, "PATH": ""}).stdout.split()
        assert out == [forced, "BACKPROP_SPEC_SIGMOID"]
    default = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                             env={"PATH": ""}).stdout.split()
    assert default[0] == ("exp" if _kernels.simd_features().get("AVX512F") else "expit")
    assert _kernels.SIGMOID32 == "exp" or not _kernels.simd_features().get("AVX2")
    bad = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"BACKPROP_SPEC_SIGMOID": "fast", "PATH": ""})
    assert bad.returncode != 0 and "BACKPROP_SPEC_SIGMOID: expected one of exp, expit, got 'fast'" in bad.stderr


def test_trainer_kernel_meets_the_bars_on_every_kernel(kernel):
    # the trainer's version: no cap on the exponent (it runs with floating-point errors ignored),
    # a scratch array, a strided output as the trainer's a[l] left of its column of ones
    for dtype, bound in ((np.float64, 1e-12), (np.float32, 4 * np.finfo(np.float32).eps)):
        z = Z.astype(dtype)
        wide = np.ones((z.size, 2), dtype=dtype)
        work = np.empty_like(z)
        with np.errstate(all="ignore"):
            _kernels.sigmoid_train_into(z, wide[:, 0], work)
        got = wide[:, 0]
        assert got.dtype == dtype and (wide[:, 1] == 1).all()
        # the exact value at the rounded input: mpmath's for float64, float64 expit of the float32 input
        # for float32 (rounding z to float32 moves sigma by up to |z| eps32 relative in the tail)
        exact = SIGMA if dtype == np.float64 else expit(z.astype(np.float64))
        fine = np.abs(exact) > np.finfo(dtype).tiny
        assert (np.abs(got[fine] - exact[fine]) / exact[fine]).max() <= bound
        # where sigma is below the smallest normal number: 0 or that tiny value, never more
        assert np.all(got[~fine] <= 2 * np.finfo(dtype).tiny) and np.isfinite(got).all()


def test_trainer_kernel_gives_the_exact_limits_far_out(kernel):
    z = np.tile(np.array([-1e300, -1e4, -800.0, 0.0, 800.0, 1e4, 1e300]), 100)
    out, work = np.empty_like(z), np.empty_like(z)
    with np.errstate(all="ignore"):
        _kernels.sigmoid_train_into(z, out, work)
    np.testing.assert_array_equal(out[:7], [0.0, 0.0, 0.0, 0.5, 1.0, 1.0, 1.0])
