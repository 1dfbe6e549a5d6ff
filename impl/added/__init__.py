"""Activations added with ``backprop-spec add-activation``, one generated module each.

Every module here defines ``ACTIVATION``, an `impl.activations.Activation`;
`register_all` adds them to the registry when `impl.activations` loads.
"""

from __future__ import annotations

import importlib
import pkgutil

import numpy


def like(z, value):
    """``value`` as an array with the shape of ``z`` and its float type (float32 stays float32)."""
    z = numpy.asarray(z)
    dtype = numpy.result_type(z, 1.0)
    return numpy.array(numpy.broadcast_to(numpy.asarray(value, dtype=dtype), z.shape))


def register_all() -> None:
    """Import every module of this package and register its ``ACTIVATION``."""
    from impl.activations import register

    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        register(module.ACTIVATION)
