"""Saving and loading a `impl.network.Network` as an ``.npz`` file.

The archive holds numeric arrays only, so it loads with
``allow_pickle=False``:

* ``format``: the bytes of `MARKER` as uint8;
* ``config``: the configuration as UTF-8 JSON, as uint8;
* ``W1..WL``, ``b1..bL``: float64 weights and biases;
* ``history``: float64 losses of the last ``fit``.

The configuration includes the state of the network's random generator, so
training resumed after a load continues exactly as it would have.
"""

from __future__ import annotations

import json
import os

import numpy as np

MARKER = b"backprop-spec impl.Network"
VERSION = 1
_CONFIG_KEYS = {"version", "sizes", "activation", "output_activation", "loss", "reduction", "rng"}


def _as_bytes_array(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype=np.uint8)


def _check_path(path):
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path: expected a str or os.PathLike, got {type(path).__name__}")


def save(net, path) -> None:
    """Write ``net`` to ``path`` exactly (no suffix added)."""
    _check_path(path)
    config = {
        "version": VERSION,
        "sizes": list(net.sizes),
        "activation": net.activation,
        "output_activation": net.output_activation,
        "loss": net.loss,
        "reduction": net.reduction,
        "rng": net._rng.bit_generator.state,
    }
    arrays = {
        "format": _as_bytes_array(MARKER),
        "config": _as_bytes_array(json.dumps(config).encode("utf-8")),
        "history": np.asarray(net.history, dtype=np.float64),
    }
    for l, (W_l, b_l) in enumerate(zip(net.weights, net.biases), start=1):
        arrays[f"W{l}"] = np.asarray(W_l, dtype=np.float64)
        arrays[f"b{l}"] = np.asarray(b_l, dtype=np.float64)
    with open(path, "wb") as handle:
        np.savez(handle, **arrays)


class _Bad(Exception):
    """A reason the file is not a saved network (turned into ValueError)."""


def _read(path) -> dict[str, np.ndarray]:
    # Open the file here rather than in np.load, which leaks its own handle
    # when the zip directory turns out to be corrupt.
    try:
        with open(path, "rb") as handle:
            archive = np.load(handle, allow_pickle=False)
            if not isinstance(archive, np.lib.npyio.NpzFile):
                raise _Bad("not an .npz archive")
            with archive:
                arrays = {key: archive[key] for key in archive.files}
    except _Bad:
        raise
    except Exception as error:  # a foreign file fails in many ways; all mean "not ours"
        raise _Bad(f"cannot read it as an .npz archive ({type(error).__name__}: {error})") from None
    for key, value in arrays.items():
        if not isinstance(value, np.ndarray):  # a zip member that is not a .npy
            raise _Bad(f"entry {key!r} is not an array")
    return arrays


def _bytes(arrays, key) -> bytes:
    value = arrays.get(key)
    if value is None:
        raise _Bad(f"missing entry {key!r}")
    if value.dtype != np.uint8 or value.ndim != 1:
        raise _Bad(f"entry {key!r} should be 1-D uint8, got {value.dtype} of shape {value.shape}")
    return value.tobytes()


def _config(arrays) -> dict:
    if _bytes(arrays, "format") != MARKER:
        raise _Bad("format marker does not match: not a file written by impl.Network.save")
    try:
        config = json.loads(_bytes(arrays, "config").decode("utf-8"))
    except (ValueError, RecursionError) as error:
        raise _Bad(f"config is not valid UTF-8 JSON ({error})") from None
    if not isinstance(config, dict) or set(config) != _CONFIG_KEYS:
        got = sorted(config) if isinstance(config, dict) else type(config).__name__
        raise _Bad(f"config should have keys {sorted(_CONFIG_KEYS)}, got {got}")
    if config["version"] != VERSION:
        raise _Bad(f"unsupported format version {config['version']!r} (this reader knows {VERSION})")
    return config


def _parameters(arrays, sizes):
    n_layers = len(sizes) - 1
    expected = {"format", "config", "history"}
    expected |= {f"W{l}" for l in range(1, n_layers + 1)}
    expected |= {f"b{l}" for l in range(1, n_layers + 1)}
    if set(arrays) != expected:
        raise _Bad(f"entries should be {sorted(expected)}, got {sorted(arrays)}")
    weights, biases = [], []
    for l in range(1, n_layers + 1):
        for key, shape, into in (
            (f"W{l}", (sizes[l], sizes[l - 1]), weights),
            (f"b{l}", (sizes[l],), biases),
        ):
            value = arrays[key]
            if value.dtype != np.float64 or value.shape != shape:
                raise _Bad(
                    f"{key} should be float64 of shape {shape}, got {value.dtype} of shape {value.shape}"
                )
            if not np.isfinite(value).all():
                raise _Bad(f"{key} holds non-finite values")
            into.append(value)
    history = arrays["history"]
    if history.dtype != np.float64 or history.ndim != 1:
        raise _Bad(f"history should be 1-D float64, got {history.dtype} of shape {history.shape}")
    return weights, biases, [float(h) for h in history]


def load(cls, path):
    """Rebuild a network saved by `save`; ValueError naming ``path`` if it cannot."""
    _check_path(path)
    try:
        arrays = _read(path)
        config = _config(arrays)
        try:
            net = cls(
                config["sizes"],
                activation=config["activation"],
                output_activation=config["output_activation"],
                loss=config["loss"],
                reduction=config["reduction"],
            )
            net._rng.bit_generator.state = config["rng"]
        except (TypeError, ValueError, KeyError) as error:
            raise _Bad(f"inconsistent config ({error})") from None
        net.weights, net.biases, net.history = _parameters(arrays, net.sizes)
    except _Bad as reason:
        raise ValueError(f"path: {os.fspath(path)!r} is not a saved impl.Network: {reason}") from None
    return net
