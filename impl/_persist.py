"""Saving and loading a `impl.network.Network` as an ``.npz`` file.

The archive is a zip of ``.npy`` members, stored uncompressed (as
``np.savez`` writes them), holding numeric arrays only:

* ``format``: the bytes of `MARKER` as uint8;
* ``config``: the configuration as UTF-8 JSON, as uint8, at most
  `MAX_CONFIG_BYTES`;
* ``W1..WL``, ``b1..bL``: float64 weights and biases, finite;
* ``history``: float64 losses of the last ``fit``, finite.

The configuration includes the state of the network's random generator, so
training resumed after a load continues exactly as it would have.

`save` and `load` run the same checks (`_check_config`, `_check_layout`,
`_check_values`) on what is written and on what is read, so that whatever
`save` accepts, `load` gives back. `load` never unpickles, and it reads a
file in an order that bounds what a hostile file can cost:

1. the path must name a regular file (opened without blocking, so a FIFO
   or a device is refused, not waited on);
2. the zip directory: member names, count, that every member is stored
   uncompressed and that their sizes add up to no more than the file;
3. the ``format`` and ``config`` members, each capped in size;
4. the ``.npy`` header of every other member (a few hundred bytes each):
   dtype and shape against the configuration, and the member's size
   against the bytes that shape must hold;
5. only then the data, with reads bounded by those sizes.

Nothing larger than the file itself is allocated before step 5, and no
network is built (and no random weights drawn) before all of it passed.
"""

from __future__ import annotations

import io
import json
import math
import numbers
import os
import re
import stat
import warnings
import zipfile

import numpy as np

from impl import _atomic, _validate, losses

MARKER = b"backprop-spec impl.Network"
VERSION = 1
_CONFIG_KEYS = {"version", "sizes", "activation", "output_activation", "loss", "reduction", "rng"}
#: Largest ``config`` member, in bytes of JSON, either side will handle.
MAX_CONFIG_BYTES = 64 * 1024
#: Largest ``.npy`` header (magic, length and the header dict) `load` reads.
MAX_HEADER_BYTES = 4096
#: Data is read in pieces of this size, straight into the arrays.
_CHUNK = 1 << 20
_MEMBER = re.compile(r"(format|config|history|[Wb][1-9][0-9]{0,3})\.npy")
_FLOAT64 = ("<f8", ">f8")


class _Bad(Exception):
    """A reason the file (or the network to save) breaks the format.

    ``key`` is the member it concerns (``"W2"``, ``"history"``...), or ``None``.
    """

    def __init__(self, reason: str, key: str | None = None):
        super().__init__(reason)
        self.key = key

    def __str__(self) -> str:
        reason = self.args[0]
        return f"{self.key}: {reason}" if self.key else reason

    def attribute(self) -> str:
        """The message with the member named as the network's attribute (``weights[1]`` for W2)."""
        key, reason = self.key, self.args[0]
        if key and key[0] in "Wb" and key[1:].isdigit():
            key = f"{'weights' if key[0] == 'W' else 'biases'}[{int(key[1:]) - 1}]"
        return f"{key or 'config'}: {reason}"


# --- the checks save and load share ---------------------------------------------


def _check_config(config) -> dict:
    """The configuration, checked: keys, version, sizes (within memory), names, generator state."""
    # "dtype" came with float32 training; files written before it are float64 networks
    if not isinstance(config, dict) or set(config) - {"dtype"} != _CONFIG_KEYS:
        got = sorted(config)[:20] if isinstance(config, dict) else type(config).__name__
        raise _Bad(f"config should have keys {sorted(_CONFIG_KEYS)}, got {got}")
    if config["version"] != VERSION:
        raise _Bad(f"unsupported format version {config['version']!r:.40} (this reader knows {VERSION})")
    try:
        sizes = _validate.sizes(config["sizes"])
        output = _validate.activation(config["output_activation"], "output_activation")
        _validate.activation(config["activation"], "activation")
        loss = _validate.loss(config["loss"])
        _validate.choice(config["reduction"], "reduction", _validate.REDUCTIONS)
        _validate.choice(config.get("dtype", "float64"), "dtype", _validate.DTYPES)
        losses.check_output_activation(loss, output)
        # the generator's setter checks the bit generator's name and the state's fields
        np.random.default_rng(0).bit_generator.state = config["rng"]
    except (TypeError, ValueError, KeyError, OverflowError) as error:
        raise _Bad(f"inconsistent config ({error})") from None
    return {**config, "sizes": sizes}


def _expected_layout(sizes) -> dict[str, tuple[str, tuple | None]]:
    """Member -> (kind, shape): ``"u1"`` bytes or ``"f8"`` floats; shape ``None`` means any 1-D length."""
    layout = {"format": ("u1", None), "config": ("u1", None), "history": ("f8", None)}
    for l in range(1, len(sizes)):
        layout[f"W{l}"] = ("f8", (sizes[l], sizes[l - 1]))
        layout[f"b{l}"] = ("f8", (sizes[l],))
    return layout


def _check_layout(sizes, described) -> None:
    """``described`` maps member -> (dtype, shape); both must be what ``sizes`` implies."""
    expected = _expected_layout(sizes)
    if set(described) != set(expected):
        raise _Bad(f"entries should be {_names(expected)}, got {_names(described)}")
    for key, (kind, shape) in expected.items():
        dtype, got = described[key]
        right_dtype = dtype.str in _FLOAT64 if kind == "f8" else dtype == np.uint8
        right_shape = len(got) == 1 if shape is None else got == shape
        if not (right_dtype and right_shape):
            want = f"of shape {shape}" if shape else "1-D"
            raise _Bad(f"should be {'float64' if kind == 'f8' else 'uint8'} {want}, got {dtype} of shape {got}", key)
    if described["config"][1][0] > MAX_CONFIG_BYTES:
        raise _Bad(f"is {described['config'][1][0]:,} bytes of JSON; at most {MAX_CONFIG_BYTES:,}", "config")


def _check_values(arrays, dtype="float64") -> None:
    """Every weight, bias and loss must be finite, the weights and biases in the network's ``dtype`` too.

    A float32 network stores float64 copies: 1e39 is finite there but would
    load as inf, so it is refused by name instead.
    """
    largest = float(np.finfo(np.dtype(dtype)).max)
    for key, value in arrays.items():
        if value.dtype.kind == "f" and not np.isfinite(value).all():
            where = tuple(int(i) for i in np.argwhere(~np.isfinite(value))[0])
            raise _Bad(f"expected finite values, got {value[where]} at index {where}", key)
        if key != "history" and value.dtype.kind == "f" and value.size and np.abs(value).max() > largest:
            where = tuple(int(i) for i in np.argwhere(np.abs(value) > largest)[0])
            raise _Bad(f"expected values that {dtype} can hold (|x| <= {largest:.4g}), got {value[where]} "
                       f"at index {where}", key)


def _names(keys) -> str:
    keys = sorted(keys)
    return str(keys) if len(keys) <= 12 else f"[{', '.join(map(repr, keys[:12]))}, ... ({len(keys):,} in all)]"


# --- save -------------------------------------------------------------------------


def _check_path(path):
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path: expected a str or os.PathLike, got {type(path).__name__}")
    name = os.fspath(path)
    if ("\0" if isinstance(name, str) else b"\0") in name:
        raise ValueError(f"path: {name!r} contains a NUL character")


def _as_bytes_array(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype=np.uint8)


def _history(values) -> np.ndarray:
    """``net.history`` as float64: a list (or tuple, or 1-D array) of real numbers."""
    if isinstance(values, np.ndarray):
        if values.ndim != 1 or values.dtype.kind not in "iuf":
            raise TypeError(f"history: expected a list of floats (one loss per epoch), got an array of "
                            f"dtype {values.dtype} and shape {values.shape}")
    elif isinstance(values, (list, tuple)):
        for index, value in enumerate(values):
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
                raise TypeError(f"history[{index}]: expected a float (a loss), got {type(value).__name__}")
    else:
        raise TypeError(f"history: expected a list of floats (one loss per epoch), got {type(values).__name__}")
    try:
        return np.asarray(values, dtype=np.float64)
    except OverflowError:
        raise ValueError("history: expected finite values, got an int too large for float64") from None


def _arrays(net) -> dict[str, np.ndarray]:
    """What `save` writes, checked as `load` will check it."""
    _validate.parameters(net.weights, net.biases, net.sizes)
    for group, values in (("weights", net.weights), ("biases", net.biases)):
        for index, value in enumerate(values):
            if value.dtype.itemsize > 8:
                raise TypeError(
                    f"{group}[{index}]: save writes float64, which cannot hold {value.dtype} values "
                    "exactly; convert with .astype(np.float64) first"
                )
    config = {
        "version": VERSION,
        "sizes": list(net.sizes),
        "activation": net.activation,
        "output_activation": net.output_activation,
        "loss": net.loss,
        "reduction": net.reduction,
        "dtype": net.dtype,
        "rng": net._rng.bit_generator.state,
    }
    arrays = {
        "format": _as_bytes_array(MARKER),
        "config": _as_bytes_array(json.dumps(config).encode("utf-8")),
        "history": _history(net.history),
    }
    for l, (W_l, b_l) in enumerate(zip(net.weights, net.biases), start=1):
        arrays[f"W{l}"] = np.asarray(W_l, dtype=np.float64)
        arrays[f"b{l}"] = np.asarray(b_l, dtype=np.float64)
    try:
        _check_config(config)
        _check_layout(net.sizes, {key: (value.dtype, value.shape) for key, value in arrays.items()})
        _check_values(arrays)
    except _Bad as reason:
        raise ValueError(reason.attribute()) from None
    return arrays


def _require_writable_target(path) -> None:
    """``path`` is a regular file or does not exist yet (a FIFO, a folder or a device is refused)."""
    name = os.fspath(path)
    try:
        kind = _kind(os.stat(name).st_mode)
    except FileNotFoundError:
        kind = None
    if kind not in (None, "regular file"):
        raise ValueError(f"path: {name!r} is a {kind}, not a regular file; save writes a regular file")


def save(net, path) -> None:
    """Write ``net`` to ``path`` exactly (no suffix added), replacing an existing file whole.

    Everything is checked before anything is written, and the archive goes to a
    temporary file in the same folder that is renamed over ``path`` only once it
    is complete (`impl._atomic.replace_file`): a refused save, a full disk or a
    process killed mid-write leaves an existing file as it was.
    """
    _check_path(path)
    arrays = _arrays(net)
    _require_writable_target(path)
    _atomic.replace_file(path, lambda handle: np.savez(handle, **arrays))


# --- load -------------------------------------------------------------------------


def _kind(mode) -> str:
    for test, kind in (
        (stat.S_ISREG, "regular file"), (stat.S_ISDIR, "directory"), (stat.S_ISFIFO, "FIFO (named pipe)"),
        (stat.S_ISCHR, "character device"), (stat.S_ISBLK, "block device"), (stat.S_ISSOCK, "socket"),
    ):
        if test(mode):
            return kind
    return "special file"


def _open_regular(path):
    """``(file, size)`` for a regular file; opening never blocks (a FIFO is refused, not waited on)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(os.fspath(path), flags)
    except OSError as error:
        raise _Bad(f"cannot open it ({error.strerror or error})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _Bad(f"it is a {_kind(info.st_mode)}, not a regular file")
        return os.fdopen(fd, "rb"), info.st_size
    except BaseException:
        os.close(fd)
        raise


def _members(archive, file_size) -> dict[str, zipfile.ZipInfo]:
    """The members by name (``"W1"``...), checked from the zip directory alone."""
    infos = archive.infolist()
    most = 3 + 2 * _validate.MAX_LAYERS
    if len(infos) > most:
        raise _Bad(f"it has {len(infos):,} entries; a saved network has at most {most:,}")
    members = {}
    for info in infos:
        match = _MEMBER.fullmatch(info.filename)
        if match is None:
            raise _Bad(f"unexpected entry {info.filename[:80]!r}")
        if match.group(1) in members:
            raise _Bad(f"entry {info.filename!r} appears twice")
        members[match.group(1)] = info
    layers = sum(key[0] == "W" for key in members)
    expected = {"format", "config", "history"} | {f"{p}{l}" for p in "Wb" for l in range(1, layers + 1)}
    if set(members) != expected:
        raise _Bad(f"entries should be {_names(expected)}, got {_names(members)}")
    for key, info in members.items():
        if info.compress_type != zipfile.ZIP_STORED or info.flag_bits & 0x1:
            raise _Bad("is compressed or encrypted; save stores every entry as it is", key)
        if info.compress_size != info.file_size:
            raise _Bad(f"declares {info.file_size:,} bytes but stores {info.compress_size:,}", key)
    if sum(info.file_size for info in infos) > file_size:
        raise _Bad(f"its entries claim more bytes than the {file_size:,} of the file")
    return members


def _header(archive, key, info):
    """``(dtype, shape, offset)`` from the ``.npy`` header of a member, reading at most `MAX_HEADER_BYTES`."""
    with archive.open(info) as member:
        head = io.BytesIO(member.read(min(info.file_size, MAX_HEADER_BYTES)))
    try:
        # a malformed (Python 2 style) header only warns: refuse it instead
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            version = np.lib.format.read_magic(head)
            if version == (1, 0):
                shape, fortran_order, dtype = np.lib.format.read_array_header_1_0(head, MAX_HEADER_BYTES)
            elif version == (2, 0):
                shape, fortran_order, dtype = np.lib.format.read_array_header_2_0(head, MAX_HEADER_BYTES)
            else:
                raise ValueError(f"unsupported .npy version {version}")
    except Exception as error:  # a foreign header fails in many ways; all mean "not ours"
        raise _Bad(f"is not a .npy array save wrote ({type(error).__name__}: {str(error)[:200]})", key) from None
    if fortran_order:
        raise _Bad("is stored in Fortran order; save writes C order", key)
    return dtype, shape, head.tell()


def _read_data(archive, key, info, dtype, shape, offset) -> np.ndarray:
    """The member's array, read in bounded pieces straight into a new array."""
    out = np.empty(shape, dtype=dtype)
    view = memoryview(out.reshape(-1).view(np.uint8))
    with archive.open(info) as member:
        if len(member.read(offset)) != offset:
            raise _Bad("ends inside its header", key)
        done = 0
        while done < view.nbytes:
            chunk = member.read(min(_CHUNK, view.nbytes - done))
            if not chunk:
                raise _Bad(f"ends after {done:,} of its {view.nbytes:,} bytes of data", key)
            view[done : done + len(chunk)] = chunk
            done += len(chunk)
        if member.read(1):
            raise _Bad("holds more data than its shape", key)
    return out if dtype.isnative else out.astype(dtype.newbyteorder("="))


def _check_size(key, info, dtype, shape, offset) -> None:
    """The member must hold its header and exactly the data its shape needs (checked before reading it)."""
    expected = offset + dtype.itemsize * math.prod(shape)
    if info.file_size != expected:
        raise _Bad(f"is {info.file_size:,} bytes, but its header and shape {shape} make {expected:,}", key)


def _read(archive, file_size):
    """Config, weights, biases and history of an open archive, checked before any data is read."""
    members = _members(archive, file_size)
    headers = {}
    for key in ("format", "config"):
        info = members[key]
        if info.file_size > MAX_HEADER_BYTES + MAX_CONFIG_BYTES:
            raise _Bad(f"is {info.file_size:,} bytes; at most {MAX_HEADER_BYTES + MAX_CONFIG_BYTES:,}", key)
        headers[key] = _header(archive, key, info)
        dtype, shape, _ = headers[key]
        if dtype != np.uint8 or len(shape) != 1:
            raise _Bad(f"should be 1-D uint8, got {dtype} of shape {shape}", key)
        _check_size(key, info, *headers[key])
    small = {key: _read_data(archive, key, members[key], *headers[key]).tobytes() for key in headers}
    if small["format"] != MARKER:
        raise _Bad("format marker does not match: not a file written by impl.Network.save")
    try:
        config = json.loads(small["config"].decode("utf-8"))
    except (ValueError, RecursionError) as error:
        raise _Bad(f"config is not valid UTF-8 JSON ({str(error)[:200]})") from None
    config = _check_config(config)
    sizes = config["sizes"]
    # history, W1, b1, W2, ...: in the order of the layers, so that messages are reproducible
    layout = [key for key in _expected_layout(sizes) if key not in headers]
    if set(members) != set(headers) | set(layout):
        raise _Bad(f"entries should be {_names(_expected_layout(sizes))}, got {_names(members)}")
    for key in layout:
        headers[key] = _header(archive, key, members[key])
    _check_layout(sizes, {key: (dtype, shape) for key, (dtype, shape, _) in headers.items()})
    for key in layout:
        _check_size(key, members[key], *headers[key])
    arrays = {key: _read_data(archive, key, members[key], *headers[key]) for key in layout}
    _check_values(arrays, config.get("dtype", "float64"))
    D = len(sizes) - 1
    weights = [arrays[f"W{l}"] for l in range(1, D + 1)]
    biases = [arrays[f"b{l}"] for l in range(1, D + 1)]
    return config, weights, biases, [float(h) for h in arrays["history"]]


def load(cls, path):
    """Rebuild a network saved by `save`; ValueError naming ``path`` if it cannot."""
    _check_path(path)
    try:
        handle, file_size = _open_regular(path)
        with handle:
            try:
                with zipfile.ZipFile(handle) as archive:
                    config, weights, biases, history = _read(archive, file_size)
            except (_Bad, MemoryError):
                raise
            except Exception as error:  # a foreign file fails in many ways; all mean "not ours"
                raise _Bad(f"cannot read it as an .npz archive ({type(error).__name__}: {str(error)[:200]})") from None
    except _Bad as reason:
        raise ValueError(f"path: {os.fspath(path)!r} is not a saved impl.Network: {reason}") from None
    # built without drawing random weights: every shape has been checked
    net = cls.__new__(cls)
    net._configure(
        config["sizes"], config["activation"], config["output_activation"], config["loss"], config["reduction"], None,
        config.get("dtype", "float64"),
    )
    net._rng.bit_generator.state = config["rng"]
    if net.dtype != "float64":
        # written exactly as float64 by save; back to the network's own precision
        weights = [W.astype(net.dtype) for W in weights]
        biases = [b.astype(net.dtype) for b in biases]
    net.weights, net.biases, net.history = weights, biases, history
    return net
