"""Network.save / Network.load: exact round trip; foreign or corrupt files rejected."""

import json
import zipfile

import numpy as np
import pytest

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
