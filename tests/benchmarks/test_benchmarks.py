"""The benchmark harness (benchmarks/) cannot rot: its contestants compute the same thing, and a smoke run works.

No timing is asserted anywhere here: timings belong to `make bench` and
benchmarks/results/latest.json, not to the test suite.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
if not (ROOT / "benchmarks" / "peers.py").is_file():
    # e.g. the throwaway copies of spec/, impl/ and tests/ made by tests/extend/test_add_activation.py
    pytest.skip("the benchmarks are not part of this copy of the project", allow_module_level=True)

from benchmarks import peers, run, workloads  # noqa: E402


def _missing_peers() -> list[str]:
    import importlib.util

    return [name for name in ("torch", "sklearn", "threadpoolctl") if importlib.util.find_spec(name) is None]


@pytest.fixture(scope="module")
def peers_installed():
    """Skip, saying why, when the benchmark's peers are not installed; fail instead with REQUIRE_TORCH=1 (CI)."""
    import os

    missing = _missing_peers()
    if missing:
        reason = (
            f"{', '.join(missing)} not installed: the peers of the benchmark come with "
            "`make install-bench` (pip install -e '.[bench]')"
        )
        if os.environ.get("REQUIRE_TORCH") == "1":
            pytest.fail(reason + " (REQUIRE_TORCH=1)")
        pytest.skip(reason + " (set REQUIRE_TORCH=1 to make this a failure)")


def _digits(samples):
    X, Y = workloads.digits()
    return X[:samples], Y[:samples]


def _assert_same(params, expected, atol=1e-10):
    assert len(params) == len(expected)
    for (W, b), (W0, b0) in zip(params, expected):
        assert W.shape == W0.shape and b.shape == b0.shape
        np.testing.assert_allclose(W, W0, rtol=0, atol=atol)
        np.testing.assert_allclose(b, b0, rtol=0, atol=atol)


@pytest.mark.parametrize("batch_size", [32, None])
def test_project_numpy_and_torch_train_identically(batch_size, peers_installed):
    """From the same weights and the same batch order, one epoch of each gives the same weights."""
    X, Y = _digits(100)  # 100 = 3 * 32 + 4: a short last batch too
    start = peers.init_params((64, 16, 10), seed=1)
    trained = {}
    for name in ("project", "numpy", "torch"):
        trainer = peers.CONTESTANTS[name](X, Y, start, lr=0.05, batch_size=batch_size, shuffle=False)
        trainer.train(2)
        trained[name] = trainer.params()
    # the epochs moved the weights, by more than the tolerance
    assert max(np.abs(W - W0).max() for (W, _), (W0, _) in zip(trained["project"], start)) > 1e-3
    _assert_same(trained["numpy"], trained["project"])
    _assert_same(trained["torch"], trained["project"])


def test_tutorial_loop_equals_project_on_xor():
    """The tutorial's column-layout loop and impl.Network.fit agree epoch for epoch on XOR."""
    X, Y = workloads.xor()
    start = peers.init_params((2, 2, 1), seed=3, init="normal")
    project = peers.Project(X, Y, start, lr=0.1)
    tutorial = peers.TutorialXOR(X, Y, start, lr=0.1)
    project.train(25)
    tutorial.train(25)
    assert max(np.abs(W - W0).max() for (W, _), (W0, _) in zip(project.params(), start)) > 1e-3
    _assert_same(tutorial.params(), project.params())


def test_sklearn_peer_is_the_same_network_shape(peers_installed):
    """scikit-learn gets one-hot targets: multilabel, so sigmoid outputs, as the notes of the results say."""
    X, Y = _digits(64)
    trainer = peers.Sklearn(X, Y, peers.init_params((64, 16, 10)), lr=0.05, batch_size=32)
    trainer.train(1)
    assert trainer.model.out_activation_ == "logistic"
    assert [W.shape for W, _ in trainer.params()] == [(16, 64), (10, 16)]


def test_flop_count():
    """The FLOP count of one epoch, against the products written out for one full and one short batch."""
    sizes, samples, batch = (64, 512, 10), 300, 256
    per_row = 2 * (64 * 512 + 512 * 10) + 2 * (64 * 512 + 512 * 10) + 2 * (512 * 10)  # forward, dW, delta
    update = 2 * (64 * 512 + 512 * 10)
    assert workloads.matmul_flops(sizes, samples, batch) == per_row * samples + 2 * update


@pytest.fixture(scope="module")
def smoke(tmp_path_factory, peers_installed):
    out = tmp_path_factory.mktemp("bench") / "results.json"
    assert run.main(["--smoke", "--out", str(out)]) == 0
    return json.loads(out.read_text())


def test_smoke_run_schema(smoke):
    """A smoke run of every workload and sweep writes the documented JSON."""
    assert smoke["schema"] == 1 and smoke["smoke"] is True
    m = smoke["machine"]
    assert m["cpu"] and m["usable_cpus"] >= 1
    assert {"internal_api", "version", "architecture", "num_threads"} <= set(m["numpy_blas"])
    assert {"OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"} <= set(m["blas_env"])
    assert m["torch"]["version"] and m["sklearn"]["version"]

    ids = [w["id"] for w in smoke["workloads"]]
    assert ids == ["digits-b32", "digits-b32-f32", "xor", "flops", "gradcheck", "spec", "prove-digits", "prove-methods"]
    # which sigmoid kernel ran, and why
    assert m["kernels"]["sigmoid"] in ("exp", "expit") and m["kernels"]["chosen_by"]
    reps = smoke["reps"]
    for w in smoke["workloads"]:
        assert w["title"] and w["description"] and w["goals"]
        for c in w["contestants"].values():
            assert len(c["times"]) == w["reps"] <= reps and all(t > 0 for t in c["times"])
            assert c["median"] == pytest.approx(float(np.median(c["times"])))
        for g in w["goals"]:
            assert len(g["per_rep"]) == w["reps"]
            assert g["median"] == pytest.approx(float(np.median(g["per_rep"])))
            assert isinstance(g["met"], bool)
    w = {w["id"]: w for w in smoke["workloads"]}
    assert set(w["digits-b32"]["contestants"]) == {"project", "numpy", "torch", "sklearn"}
    assert {g["peer"] for g in w["digits-b32"]["goals"]} == {"project", "numpy", "torch", "sklearn"} - {"project"}
    assert set(w["digits-b32-f32"]["contestants"]) == {"project32", "project", "numpy32", "torch32"}
    assert all("gflops_median" in c for c in w["flops"]["contestants"].values() if not c.get("diagnostic"))
    assert w["flops"]["contestants"]["sigmoid"]["diagnostic"]
    # every gradient check, the project's and torch's, passed on the same network
    assert all(c["all_checks_passed"] for c in w["gradcheck"]["contestants"].values())
    assert w["spec"]["contestants"]["project"]["all_checks_passed"]
    # both proof workloads proved every parameter, by both methods
    assert all(c["all_checks_passed"] for x in ("prove-digits", "prove-methods") for c in w[x]["contestants"].values())
    assert len(smoke["summary"]) == sum(len(x["goals"]) for x in smoke["workloads"])

    assert set(smoke["sweeps"]) == {"hidden", "batch_size"}
    for s in smoke["sweeps"].values():
        assert set(s["contestants"]) == {"project", "numpy", "torch", "sklearn"}
        for c in s["contestants"].values():
            assert len(c["median"]) == len(s["values"]) and all(t > 0 for t in c["median"])


def test_performance_page_renders_from_any_results(smoke, tmp_path):
    """docs/hooks/pages/performance.py renders every block and plot from a results file."""
    path = tmp_path / "results.json"
    path.write_text(json.dumps(smoke))
    sys.path.insert(0, str(ROOT / "docs" / "hooks"))
    try:
        from pages import performance
    finally:
        sys.path.remove(str(ROOT / "docs" / "hooks"))
    data = performance.results(path)
    for name, render in performance.RENDERERS.items():
        text = render(data)
        assert isinstance(text, str) and text.strip(), name
    assert "smoke run" in performance.run_info(data)
    images = performance.images(path)
    assert set(images) == {performance.GOALS_PNG, performance.SCALING_PNG}
    assert all(png.startswith(b"\x89PNG") for png in images.values())


def test_float32_contestants_follow_the_float64_loop(peers_installed):
    """The float32 rows train the same network: one epoch from the same weights, equal to float32 precision."""
    X, Y = _digits(100)
    start = peers.init_params((64, 16, 10), seed=1)
    trained = {}
    for name in ("project", "project32", "numpy32", "torch32"):
        trainer = peers.CONTESTANTS[name](X, Y, start, lr=0.05, batch_size=32, shuffle=False)
        trainer.train(2)
        trained[name] = trainer.params()
    for name in ("project32", "numpy32", "torch32"):
        for (W, b), (W0, b0) in zip(trained[name], trained["project"]):
            assert W.dtype == np.float32 and b.dtype == np.float32, name
            # 8 steps of float32 rounding on weights of size ~1: measured ~1e-6
            np.testing.assert_allclose(W, W0, rtol=0, atol=2e-5)
            np.testing.assert_allclose(b, b0, rtol=0, atol=2e-5)


def test_spec_workload_derives_every_kind_of_activation():
    """The spec row derives every registered activation; a vector one (softmax) by its Jacobian."""
    import json
    import subprocess
    import sys

    from spec import activations

    names = (activations.names(elementwise=True)[0], *activations.names(elementwise=False))
    proc = subprocess.run([sys.executable, "-c", workloads.spec_script(names, ((2, 2, 1),))],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["activations"] == list(names) and result["proven"]
