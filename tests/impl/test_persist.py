"""Network.save / Network.load: exact round trip; foreign or corrupt files rejected."""

import io
import json
import math
import os
import struct
import tempfile
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import event, given
from hypothesis import strategies as st

import impl
from impl import _persist

X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y = np.array([0.0, 1.0, 1.0, 0.0])


def _net():
    net = impl.Network([2, 3, 1], activation="tanh", loss="bce", reduction="mean", seed=8)
    return net.fit(X, Y, epochs=10, lr=0.3, batch_size=2)


def _arrays(path):
    with np.load(path, allow_pickle=False) as archive:
        return {key: archive[key] for key in archive.files}


def _write(path, arrays):
    with open(path, "wb") as handle:
        np.savez(handle, **arrays)


def test_round_trip_is_exact(tmp_path):
    net = _net()
    path = tmp_path / "model.npz"
    net.save(path)
    loaded = impl.Network.load(path)
    assert type(loaded) is impl.Network
    assert (loaded.sizes, loaded.activation, loaded.output_activation, loaded.loss, loaded.reduction) == (
        net.sizes, net.activation, net.output_activation, net.loss, net.reduction,
    )
    for p, q in zip(net.weights + net.biases, loaded.weights + loaded.biases):
        assert q.dtype == np.float64
        np.testing.assert_array_equal(p, q)
    assert loaded.history == net.history
    np.testing.assert_array_equal(loaded.forward(X), net.forward(X))


def test_training_resumes_identically_after_load(tmp_path):
    net = _net()
    net.save(tmp_path / "m.npz")
    loaded = impl.Network.load(str(tmp_path / "m.npz"))
    net.fit(X, Y, epochs=5, lr=0.3, batch_size=2)
    loaded.fit(X, Y, epochs=5, lr=0.3, batch_size=2)
    for p, q in zip(net.weights + net.biases, loaded.weights + loaded.biases):
        np.testing.assert_array_equal(p, q)


def test_saves_at_the_exact_path_with_numeric_arrays_only(tmp_path):
    path = tmp_path / "model.bin"
    _net().save(path)
    assert path.exists() and not (tmp_path / "model.bin.npz").exists()
    arrays = _arrays(path)
    assert set(arrays) == {"format", "config", "history", "W1", "b1", "W2", "b2"}
    assert all(a.dtype.kind in "uf" for a in arrays.values())
    config = json.loads(arrays["config"].tobytes())
    assert config["sizes"] == [2, 3, 1] and config["activation"] == "tanh"


class _Trap:
    """Unpickling this would create a file: proof that load never unpickles."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (_spring, (str(self.marker),))


def _spring(marker):
    open(marker, "w").close()


def test_pickle_containing_npz_is_rejected_without_unpickling(tmp_path):
    marker = tmp_path / "unpickled"
    arrays = _arrays(_saved(tmp_path))
    arrays["W1"] = np.array([_Trap(marker)], dtype=object)
    path = tmp_path / "evil.npz"
    _write(path, arrays)
    with pytest.raises(ValueError, match="^path: .*evil.npz"):
        impl.Network.load(path)
    assert not marker.exists()


def _saved(tmp_path):
    path = tmp_path / "good.npz"
    _net().save(path)
    return path


def _tamper(tmp_path, change):
    arrays = _arrays(_saved(tmp_path))
    change(arrays)
    path = tmp_path / "tampered.npz"
    _write(path, arrays)
    return path


def _config_edit(**updates):
    def change(arrays):
        config = json.loads(arrays["config"].tobytes())
        config.update(updates)
        arrays["config"] = np.frombuffer(json.dumps(config).encode(), dtype=np.uint8)
    return change


def _set(key, value):
    def change(arrays):
        arrays[key] = value
    return change


def _drop(key):
    def change(arrays):
        del arrays[key]
    return change


TAMPERING = {
    "wrong marker": _set("format", np.frombuffer(b"something else", dtype=np.uint8)),
    "marker as text": _set("format", np.array(_persist.MARKER.decode())),
    "config not json": _set("config", np.frombuffer(b"{not json", dtype=np.uint8)),
    "config not utf-8": _set("config", np.array([0xFF, 0xFE], dtype=np.uint8)),
    "config a list": _set("config", np.frombuffer(b"[1, 2]", dtype=np.uint8)),
    "config version": _config_edit(version=99),
    "config unknown activation": _config_edit(activation="nope"),
    "config bad sizes": _config_edit(sizes=[2, 0, 1]),
    "config sizes disagree with weights": _config_edit(sizes=[2, 4, 1]),
    "config extra key": _config_edit(extra=1),
    "config bad rng": _config_edit(rng={"bit_generator": "PCG64", "state": "x"}),
    "config bce after identity": _config_edit(output_activation="identity"),
    "missing weight": _drop("W2"),
    "missing config": _drop("config"),
    "extra entry": _set("W3", np.zeros((1, 1))),
    "weight wrong shape": _set("W1", np.zeros((2, 3))),
    "weight wrong dtype": _set("W1", np.zeros((3, 2), dtype=np.float32)),
    "weight nan": _set("b1", np.array([0.0, np.nan, 0.0])),
    "history 2-D": _set("history", np.zeros((2, 2))),
}


@pytest.mark.parametrize("case", TAMPERING)
def test_inconsistent_file_is_rejected(tmp_path, case):
    path = _tamper(tmp_path, TAMPERING[case])
    with pytest.raises(ValueError, match="^path: .*tampered.npz"):
        impl.Network.load(path)


def _random_npz(path):
    _write(path, {"a": np.random.default_rng(0).normal(size=(3, 3)), "b": np.arange(4)})


def _text(path):
    path.write_text("W1 = [[1, 2], [3, 4]]\n")


def _npy(path):
    with open(path, "wb") as handle:
        np.save(handle, np.arange(3.0))


def _empty(path):
    path.write_bytes(b"")


def _truncated(path):
    impl.Network([2, 2, 1], seed=0).save(path)
    path.write_bytes(path.read_bytes()[:200])


def _not_a_zip_member(path):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("format.npy", b"not an npy header")


FOREIGN = {
    "random npz": _random_npz,
    "text file": _text,
    "npy file": _npy,
    "empty file": _empty,
    "truncated npz": _truncated,
    "zip with junk member": _not_a_zip_member,
}


@pytest.mark.parametrize("case", FOREIGN)
def test_foreign_file_is_rejected(tmp_path, case):
    path = tmp_path / "foreign.npz"
    FOREIGN[case](path)
    with pytest.raises(ValueError, match="^path: .*foreign.npz"):
        impl.Network.load(path)


def test_missing_file_and_directory_are_rejected(tmp_path):
    for path in (tmp_path / "absent.npz", tmp_path):
        with pytest.raises(ValueError, match="^path: "):
            impl.Network.load(path)


def test_path_type_is_checked(tmp_path):
    with pytest.raises(TypeError, match="^path: "):
        impl.Network.load(3)
    with pytest.raises(TypeError, match="^path: "):
        _net().save(None)


# --- save refuses what load would refuse, before touching the file -------------------


def _kept(tmp_path):
    path = tmp_path / "model.npz"
    path.write_bytes(b"an existing file")
    return path


@pytest.mark.parametrize(
    "spoil, error, message",
    [
        (lambda n: n.weights[1].__setitem__((0, 1), np.nan), ValueError,
         "weights[1]: expected finite values, got nan at index (0, 1)"),
        (lambda n: n.biases[0].__setitem__(2, -np.inf), ValueError,
         "biases[0]: expected finite values, got -inf at index (2,)"),
        (lambda n: setattr(n, "weights", n.weights[:1]), ValueError,
         "weights: expected 2 arrays (one per layer, sizes (2, 3, 1)), got 1"),
        (lambda n: n.biases.__setitem__(1, np.zeros((1, 1))), ValueError,
         "biases[1]: expected shape (1,) for b[2] (layer 2: 3 -> 1 units), got (1, 1)"),
        (lambda n: setattr(n, "history", [0.5, float("nan")]), ValueError,
         "history: expected finite values, got nan at index (1,)"),
        (lambda n: setattr(n, "history", [0.5, "0.4"]), TypeError, "history[1]: expected a float (a loss), got str"),
        (lambda n: setattr(n, "history", None), TypeError,
         "history: expected a list of floats (one loss per epoch), got NoneType"),
        (lambda n: setattr(n, "history", [10**400]), ValueError,
         "history: expected finite values, got an int too large for float64"),
        (lambda n: n.weights.__setitem__(0, n.weights[0].astype(np.longdouble)), TypeError,
         f"weights[0]: save writes float64, which cannot hold {np.dtype(np.longdouble)} values exactly; "
         "convert with .astype(np.float64) first"),
    ],
)
def test_save_refuses_what_load_would_refuse_and_leaves_the_file_untouched(tmp_path, spoil, error, message):
    # a NaN network used to be saved, and then refused by load
    if np.dtype(np.longdouble).itemsize <= 8 and "longdouble" in message:
        pytest.skip("longdouble is float64 here")
    net = _net()
    spoil(net)
    path = _kept(tmp_path)
    with pytest.raises(error) as info:
        net.save(path)
    assert str(info.value) == message
    assert path.read_bytes() == b"an existing file"


def test_float32_and_float16_parameters_are_saved_exactly_as_float64(tmp_path):
    net = _net()
    net.weights[0] = net.weights[0].astype(np.float32)
    net.biases[1] = net.biases[1].astype(np.float16)
    net.history = np.array(net.history, dtype=np.float32)
    net.save(tmp_path / "m.npz")
    loaded = impl.Network.load(tmp_path / "m.npz")
    for p, q in zip(net.weights + net.biases, loaded.weights + loaded.biases):
        assert q.dtype == np.float64
        np.testing.assert_array_equal(p.astype(np.float64), q)
    assert loaded.history == [float(h) for h in net.history]


def _network_strategy():
    from impl import activations, losses

    def build(loss, names, sizes, reduction, seed, draws, history, dtypes, spoil):
        compatible = [n for n in activations.names() if losses.is_compatible(losses.get(loss), activations.get(n))]
        hidden, output = names[0] % len(activations.names()), names[1] % len(compatible)
        if activations.get(compatible[output]).output_set == "simplex":
            sizes = [*sizes[:-1], max(2, sizes[-1])]  # softmax over one unit is refused
        net = impl.Network(sizes, activation=activations.names()[hidden], output_activation=compatible[output],
                           loss=loss, reduction=reduction, seed=seed)
        net._rng.random(draws)  # the generator's state moves on
        for i, dtype in enumerate(dtypes[: len(net.weights)]):
            with np.errstate(over="ignore"):  # float16 overflows beyond 65504: inf, which save refuses
                net.weights[i] = net.weights[i].astype(dtype)
        net.history = history
        if spoil is not None:
            where, value = spoil
            target = (net.weights + net.biases)[where % (2 * len(net.weights))]
            with np.errstate(over="ignore"):  # 1e300 in a float32 array: inf
                target.reshape(-1)[0] = value
        return net

    floats = st.floats(allow_nan=True, allow_infinity=True, width=64)
    return st.builds(
        build,
        loss=st.sampled_from(losses.names()),
        names=st.tuples(st.integers(0, 100), st.integers(0, 100)),
        sizes=st.lists(st.integers(1, 4), min_size=2, max_size=4),
        reduction=st.sampled_from(["sum", "mean"]),
        seed=st.integers(0, 2**64 - 1),
        draws=st.integers(0, 5),
        history=st.one_of(
            st.lists(st.floats(allow_nan=False, allow_infinity=False), max_size=5),
            st.tuples(st.lists(floats, max_size=3), st.sampled_from([math.nan, math.inf, -math.inf])).map(
                lambda pair: [*pair[0], pair[1]]
            ),
            st.lists(st.integers(-(10**20), 10**20), max_size=3),
            st.sampled_from([["0.5"], [True], None, np.zeros((2, 2))]),
        ),
        dtypes=st.lists(st.sampled_from([np.float64, np.float32, np.float16]), max_size=3),
        spoil=st.one_of(st.none(), st.tuples(st.integers(0, 10), st.sampled_from([np.nan, np.inf, -np.inf, 1e300]))),
    )


@given(net=_network_strategy())
def test_anything_save_accepts_load_gives_back_and_anything_it_refuses_leaves_the_file(net):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.npz"
        path.write_bytes(b"before")
        try:
            net.save(path)
        except (TypeError, ValueError) as error:
            event(f"refused: {str(error).split(':')[0]}")
            assert path.read_bytes() == b"before"
            return
        event("saved")
        loaded = impl.Network.load(path)
    assert (loaded.sizes, loaded.activation, loaded.output_activation, loaded.loss, loaded.reduction) == (
        net.sizes, net.activation, net.output_activation, net.loss, net.reduction,
    )
    for p, q in zip(net.weights + net.biases, loaded.weights + loaded.biases):
        assert q.dtype == np.float64 and q.flags.writeable
        np.testing.assert_array_equal(np.asarray(p, dtype=np.float64), q)
    assert loaded.history == [float(h) for h in net.history]
    assert loaded._rng.bit_generator.state == net._rng.bit_generator.state


# --- hostile files: refused fast, naming the path, without allocating much ----------


def _npy(array) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def _npy_header(shape, descr="<f8", fortran=False, extra=0) -> bytes:
    """A version 1.0 .npy header alone (no data), padded as NumPy pads it, plus ``extra`` spaces."""
    text = repr({"descr": descr, "fortran_order": fortran, "shape": tuple(shape)}).encode()
    text += b" " * ((-(10 + len(text) + 1)) % 64 + extra) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text


def _raw_zip(path, members):
    """A zip written by hand, so that its directory can say anything.

    ``members``: ``(name, data, method, size, crc)``; ``size`` (the declared
    uncompressed size) and ``crc`` default to those of ``data``; method 0 is
    stored (its declared compressed size is then ``size`` too), 8 deflate.
    """
    out, directory = bytearray(), bytearray()
    for name, data, method, size, crc in members:
        size = len(data) if size is None else size
        crc = zlib.crc32(data) if crc is None else crc
        stored = size if method == 0 else len(data)
        offset, encoded = len(out), name.encode()
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0, crc, stored, size, len(encoded), 0)
        out += encoded + data
        directory += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0, crc, stored, size,
                                 len(encoded), 0, 0, 0, 0, 0, offset) + encoded
    start = len(out)
    out += directory + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(directory), start, 0)
    path.write_bytes(bytes(out))


def _member(name, data, method=0, size=None, crc=None):
    return (name, data, method, size, crc)


def _saved_arrays(net):
    """The arrays of ``net``'s file, as save writes them."""
    with tempfile.TemporaryDirectory() as folder:
        net.save(Path(folder) / "net.npz")
        return _arrays(Path(folder) / "net.npz")


def _saved_members(net):
    """The members of ``net``'s file, as (name, .npy bytes), to rebuild by hand."""
    return [(f"{key}.npy", _npy(value)) for key, value in _saved_arrays(net).items()]


def _deflated_zeros(mebibytes):
    """A raw deflate stream of ``mebibytes`` MiB of zeros, ~1 KB per MiB, made in milliseconds.

    Each MiB is compressed once and ends with a full flush (byte-aligned,
    history reset), so the same bytes decode to the next MiB as well.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = compressor.compress(bytes(2**20)) + compressor.flush(zlib.Z_FULL_FLUSH)
    return piece * mebibytes + compressor.flush()


def test_the_zip_bomb_helper_really_inflates_to_zeros():
    stream = _deflated_zeros(16)
    inflater = zlib.decompressobj(-15)
    data = inflater.decompress(stream)
    assert inflater.eof and len(data) == 16 * 2**20 and data.count(0) == len(data)


# CRC-32 of 2 GiB of zeros (zlib.crc32 over 2**31 zero bytes; 1 s to recompute)
_CRC_2GIB_ZEROS = 0x4DBDF21C


def _small_config_for(sizes):
    arrays = _saved_arrays(impl.Network([1, 2, 2, 1], seed=0))
    config = json.loads(arrays["config"].tobytes())
    config["sizes"] = sizes
    arrays["config"] = np.frombuffer(json.dumps(config).encode(), dtype=np.uint8)
    return arrays


def _hostile_16000_config(path):
    # 1 KB on disk, a config of sizes [1, 16000, 16000, 1]: 2 GB of weights had load build them first
    _write(path, _small_config_for([1, 16000, 16000, 1]))


def _hostile_16000_headers(path):
    # every member's header agrees with the config; none holds any data
    arrays = _small_config_for([1, 16000, 16000, 1])
    members = [_member(f"{k}.npy", _npy(arrays[k])) for k in ("format", "config", "history")]
    for l, (n_in, n_out) in enumerate([(1, 16000), (16000, 16000), (16000, 1)], start=1):
        members.append(_member(f"W{l}.npy", _npy_header((n_out, n_in))))
        members.append(_member(f"b{l}.npy", _npy_header((n_out,))))
    _raw_zip(path, members)


def _hostile_lying_directory(path):
    # as above, and the zip directory claims each member holds all its data
    arrays = _small_config_for([1, 16000, 16000, 1])
    members = [_member(f"{k}.npy", _npy(arrays[k])) for k in ("format", "config", "history")]
    for l, shape in enumerate([(16000, 1), (16000, 16000), (1, 16000)], start=1):
        header = _npy_header(shape)
        members.append(_member(f"W{l}.npy", header, size=len(header) + 8 * math.prod(shape)))
        members.append(_member(f"b{l}.npy", _npy_header(shape[:1]), size=128 + 8 * shape[0]))
    _raw_zip(path, members)


def _hostile_huge_sizes(path):
    # sizes [1, 100000, 100000, 1]: 80 GB; load raised a bare MemoryError
    _write(path, _small_config_for([1, 100000, 100000, 1]))


def _hostile_bomb_extra_member(path):
    # 2 MiB on disk: a good network plus 2 GiB of zeros, deflated (load reached 2.1 GB RSS)
    members = [_member(name, data) for name, data in _saved_members(_net())]
    members.append(_member("zeros.npy", _deflated_zeros(2048), method=8, size=2**31, crc=_CRC_2GIB_ZEROS))
    _raw_zip(path, members)


def _hostile_bomb_history(path):
    # the same 2 GiB, as the history member
    members = [_member(name, data) for name, data in _saved_members(_net()) if name != "history.npy"]
    members.append(_member("history.npy", _deflated_zeros(2048), method=8, size=2**31, crc=_CRC_2GIB_ZEROS))
    _raw_zip(path, members)


def _hostile_many_entries(path):
    _raw_zip(path, [_member(f"W{i}.npy", b"") for i in range(1, 2500)] + [_member(f"b{i}.npy", b"") for i in range(1, 2500)])


def _hostile_big_config(path):
    arrays = _saved_arrays(_net())
    config = arrays["config"].tobytes()[:-1] + b" " * 2**20 + b"}"
    arrays["config"] = np.frombuffer(config, dtype=np.uint8)
    _write(path, arrays)


def _hostile_long_header(path):
    members = dict(_saved_members(_net()))
    members["W1.npy"] = _npy_header((3, 2), extra=60_000) + bytes(48)
    _raw_zip(path, [_member(name, data) for name, data in members.items()])


def _hostile_config_header_claims_a_gigabyte(path):
    members = dict(_saved_members(_net()))
    members["config.npy"] = _npy_header((2**30,), descr="|u1") + b"{}"
    _raw_zip(path, [_member(name, data) for name, data in members.items()])


def _hostile_fortran(path):
    members = dict(_saved_members(_net()))
    members["W1.npy"] = _npy_header((3, 2), fortran=True) + bytes(48)
    _raw_zip(path, [_member(name, data) for name, data in members.items()])


def _hostile_duplicate(path):
    members = _saved_members(_net())
    _raw_zip(path, [_member(name, data) for name, data in members + members[-1:]])


def _hostile_bad_crc(path):
    members = dict(_saved_members(_net()))
    data = bytearray(members["W1.npy"])
    data[-1] ^= 0xFF
    _raw_zip(path, [_member(name, d, crc=zlib.crc32(members[name])) for name, d in {**members, "W1.npy": bytes(data)}.items()])


HOSTILE = {
    "16000x16000 config": (_hostile_16000_config, "W1: should be float64 of shape (16000, 1), got float64 of shape (2, 1)"),
    "16000x16000 headers, no data": (
        _hostile_16000_headers, "W1: is 128 bytes, but its header and shape (16000, 1) make 128,128"),
    "directory claims the data": (_hostile_lying_directory, "its entries claim more bytes than the"),
    "100000x100000 config": (_hostile_huge_sizes, "inconsistent config (sizes: (1, 100000, 100000, 1) has 10,000,400,001 parameters"),
    "2 GiB bomb, extra member": (_hostile_bomb_extra_member, "unexpected entry 'zeros.npy'"),
    "2 GiB bomb, history": (
        _hostile_bomb_history, "history: is compressed or encrypted; save stores every entry as it is"),
    "5000 entries": (_hostile_many_entries, "it has 4,998 entries; a saved network has at most 2,003"),
    "1 MiB config": (_hostile_big_config, " bytes; at most 69,632"),
    "60 KB header": (_hostile_long_header, "W1: is not a .npy array save wrote (ValueError: EOF: reading array header"),
    "config header claims 1 GiB": (
        _hostile_config_header_claims_a_gigabyte, "config: is 130 bytes, but its header and shape (1073741824,) make"),
    "Fortran order": (_hostile_fortran, "W1: is stored in Fortran order; save writes C order"),
    "duplicate entry": (_hostile_duplicate, "entry 'b2.npy' appears twice"),
    "bad CRC": (_hostile_bad_crc, "Bad CRC-32"),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_file_is_refused_fast_without_allocating_much(tmp_path, case):
    import time
    import tracemalloc

    make, reason = HOSTILE[case]
    path = tmp_path / "hostile.npz"
    make(path)
    assert path.stat().st_size < 3 * 2**20  # small on disk
    start = time.perf_counter()
    tracemalloc.start()
    try:
        with pytest.raises(ValueError) as info:
            impl.Network.load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    message = str(info.value)
    assert message.startswith(f"path: {str(path)!r} is not a saved impl.Network: ")
    assert reason in message, message
    assert peak < 50 * 2**20, f"{peak / 2**20:.0f} MiB"
    assert time.perf_counter() - start < 2.0


def test_big_endian_float64_members_load_as_native_float64(tmp_path):
    net = _net()
    arrays = _saved_arrays(net)
    arrays = {k: (v.astype(">f8") if v.dtype.kind == "f" else v) for k, v in arrays.items()}
    _write(tmp_path / "be.npz", arrays)
    loaded = impl.Network.load(tmp_path / "be.npz")
    for p, q in zip(net.weights + net.biases, loaded.weights + loaded.biases):
        assert q.dtype == np.float64 and q.dtype.isnative
        np.testing.assert_array_equal(p, q)


def _in_a_thread(call, timeout=5.0):
    """``call()``'s exception, or fail if it has not returned within ``timeout`` (instead of hanging)."""
    import threading

    outcome = {}

    def run():
        try:
            call()
        except BaseException as error:
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout)
    return thread.is_alive(), outcome.get("error")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs os.mkfifo")
def test_special_files_are_refused_without_blocking(tmp_path):
    fifo = tmp_path / "model.fifo"
    os.mkfifo(fifo)
    (tmp_path / "to-fifo.npz").symlink_to(fifo)
    (tmp_path / "to-zero.npz").symlink_to("/dev/zero")
    cases = {
        fifo: "it is a FIFO (named pipe), not a regular file",
        tmp_path / "to-fifo.npz": "it is a FIFO (named pipe), not a regular file",
        Path("/dev/zero"): "it is a character device, not a regular file",
        tmp_path / "to-zero.npz": "it is a character device, not a regular file",
        tmp_path: "it is a directory, not a regular file",
    }
    try:
        for path, reason in cases.items():
            hung, error = _in_a_thread(lambda: impl.Network.load(path))
            assert not hung, f"load({path}) blocked"
            assert type(error) is ValueError
            assert str(error) == f"path: {str(path)!r} is not a saved impl.Network: {reason}"
        # save does not wait for a reader either, and truncates nothing it refuses
        for path, kind in ((fifo, "FIFO (named pipe)"), (tmp_path, "directory")):
            hung, error = _in_a_thread(lambda: _net().save(path))
            assert not hung, f"save({path}) blocked"
            assert type(error) is ValueError
            assert str(error) == f"path: {str(path)!r} is a {kind}, not a regular file; save writes a regular file"
    finally:
        # release a reader or a writer that a regression left blocked on the FIFO
        for flags in (os.O_WRONLY | os.O_NONBLOCK, os.O_RDONLY | os.O_NONBLOCK):
            try:
                os.close(os.open(fifo, flags))
            except OSError:
                pass


def test_paths_with_a_nul_character_are_refused():
    for call in (lambda: impl.Network.load("model\0.npz"), lambda: _net().save("model\0.npz")):
        with pytest.raises(ValueError, match=r"^path: 'model\\x00.npz' contains a NUL character$"):
            call()


# --- a save that fails part-way never destroys the file it replaces ----------------


def _same_network(path, net):
    loaded = impl.Network.load(path)
    for p, q in zip(net.weights + net.biases, loaded.weights + loaded.biases):
        np.testing.assert_array_equal(p, q)


def _leftovers(folder, keep):
    return sorted(p.name for p in Path(folder).iterdir() if p.name not in keep)


def test_a_full_disk_during_save_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    old = _net()
    path = tmp_path / "model.npz"
    old.save(path)
    before = path.read_bytes()

    def full_disk(handle, **arrays):
        handle.write(b"PK\x03\x04 half an archive")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(_persist.np, "savez", full_disk)
    new = impl.Network([2, 3, 1], activation="tanh", seed=99)
    with pytest.raises(OSError, match="No space left"):
        new.save(path)
    assert path.read_bytes() == before
    _same_network(path, old)
    assert _leftovers(tmp_path, {"model.npz"}) == []


def test_a_save_killed_mid_write_leaves_the_old_file_loadable(tmp_path):
    """SIGKILL while the new archive is half written (the child stops there and says so)."""
    import signal
    import subprocess
    import sys

    old = _net()
    path = tmp_path / "model.npz"
    old.save(path)
    child = (
        "import sys, time, numpy as np, impl\n"
        "from impl import _persist\n"
        "def half(handle, **arrays):\n"
        "    handle.write(b'PK\\x03\\x04' + bytes(1 << 20)); handle.flush()\n"
        "    print('writing', flush=True); time.sleep(60)\n"
        "_persist.np.savez = half\n"
        "impl.Network([2, 50, 1], seed=1).save(sys.argv[1])\n"
    )
    with subprocess.Popen([sys.executable, "-c", child, str(path)], stdout=subprocess.PIPE, text=True) as proc:
        try:
            assert proc.stdout.readline().strip() == "writing"
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
    _same_network(path, old)
    # the half-written temporary stays beside it, under a name that cannot be mistaken for the file
    assert all(name.startswith(".model.npz.") and name.endswith(".tmp") for name in _leftovers(tmp_path, {"model.npz"}))


def test_save_through_a_symbolic_link_replaces_its_destination_and_keeps_the_link(tmp_path):
    real = tmp_path / "real.npz"
    link = tmp_path / "link.npz"
    _net().save(real)
    link.symlink_to(real)
    new = impl.Network([2, 3, 1], activation="tanh", seed=5)
    new.save(link)
    assert link.is_symlink()
    _same_network(real, new)


def test_save_keeps_the_permission_bits_of_the_file_it_replaces(tmp_path):
    path = tmp_path / "model.npz"
    _net().save(path)
    os.chmod(path, 0o640)
    impl.Network([2, 3, 1], seed=5).save(path)
    assert (path.stat().st_mode & 0o777) == 0o640


def test_a_float32_file_holding_a_value_float32_cannot_hold_is_refused_by_name(tmp_path):
    """1e39 is finite in the float64 copy the file stores, but inf in the float32 network it describes."""
    net = impl.Network([2, 3, 1], seed=0, dtype="float32")
    path = tmp_path / "m.npz"
    net.save(path)
    arrays = _arrays(path)
    arrays["W2"] = arrays["W2"].copy()
    arrays["W2"][0, 1] = 1e39
    _write(path, arrays)
    with pytest.raises(ValueError, match=r"W2: expected values that float32 can hold .* got 1e\+39 at index \(0, 1\)"):
        impl.Network.load(path)
    # the same value in a float64 network is fine
    net64 = impl.Network([2, 3, 1], seed=0)
    net64.save(path)
    arrays = _arrays(path)
    arrays["W2"] = arrays["W2"].copy()
    arrays["W2"][0, 1] = 1e39
    _write(path, arrays)
    assert impl.Network.load(path).weights[1][0, 1] == 1e39
