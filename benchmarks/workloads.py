r"""What is timed: jobs built inside the worker processes, and the workloads with their goals.

A *job* is an object with ``run()`` (timed, once per repetition) and an
optional ``info`` dict. Its factory is a module-level function, so that a
worker process can build it from its dotted name and keyword arguments.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np

from benchmarks import peers

# --- data -------------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def digits(samples: int | None = None):
    """All 1,797 digits (training and test split of ``spec.cli.tasks.digits`` together), one-hot targets."""
    from spec.cli.tasks import digits as load

    task = load(seed=0)
    X = np.ascontiguousarray(np.vstack([task.X_train, task.X_test]))
    Y = np.ascontiguousarray(np.vstack([task.Y_train, task.Y_test]))
    if samples is not None:
        X, Y = X[:samples].copy(), Y[:samples].copy()
    return X, Y


def xor():
    from spec.cli.tasks import xor as load

    task = load()
    return task.X_train, task.Y_train


DIGITS_SAMPLES = 1797

# --- training jobs ------------------------------------------------------------


class Training:
    """``epochs`` epochs of one contestant's training loop per ``run()``."""

    def __init__(self, contestant, task, sizes, lr, batch_size, epochs, seed=0, init="xavier", samples=None):
        X, Y = digits(samples) if task == "digits" else xor()
        params = peers.init_params(tuple(sizes), seed, init)
        self.trainer = peers.CONTESTANTS[contestant](X, Y, params, lr=lr, batch_size=batch_size, seed=seed)
        self.epochs = epochs
        self.info = {"samples": len(X), "epochs_per_run": epochs}

    def run(self):
        self.trainer.train(self.epochs)


def training(**kwargs):
    return Training(**kwargs)


def matmul_flops(sizes, samples, batch_size) -> float:
    """Floating-point operations of the matrix products of one epoch (forward, backward, update).

    Per batch of ``B`` rows, for each layer ``n_in -> n_out``: forward
    ``z = a W^T`` costs ``2 B n_in n_out``, the weight gradient
    ``delta^T a`` as much again, and the error sent back to the layer below,
    ``delta W``, as much again except for the first layer (nothing is sent
    to the input); the update ``W -= lr dW`` costs ``2 n_in n_out``.
    Elementwise work (sigmoid, biases) is not counted.
    """
    total = 0.0
    batches = [min(batch_size, samples - s) for s in range(0, samples, batch_size)]
    for B in batches:
        for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            products = 2 if l == 0 else 3
            total += products * 2.0 * B * n_in * n_out + 2.0 * n_in * n_out
    return total


class Matmul:
    """NumPy's own matrix product, ``n x n`` float64 (or ``dtype``): each ``run()`` returns the best of ``repeat`` products."""

    def __init__(self, n=1024, repeat=5, seed=0, dtype="float64"):
        import time

        self._time = time.perf_counter
        rng = np.random.default_rng(seed)
        self.A = rng.standard_normal((n, n)).astype(dtype)
        self.B = rng.standard_normal((n, n)).astype(dtype)
        self.out = np.empty((n, n), dtype=dtype)
        self.repeat = repeat
        self.flops = 2.0 * n**3
        self.info = {"n": n, "repeat": repeat, "dtype": dtype}

    def run(self):
        best = float("inf")
        for _ in range(self.repeat):
            start = self._time()
            np.matmul(self.A, self.B, out=self.out)
            best = min(best, self._time() - start)
        return {"seconds": best}


def matmul(**kwargs):
    return Matmul(**kwargs)


class SigmoidAlone:
    """A diagnostic, not a contestant: only the sigmoid of every activation of an epoch, once.

    For each batch, ``1 / (1 + exp(-z))`` on a ``(B, hidden)`` and a
    ``(B, outputs)`` array, as in the forward pass; no products, no
    derivative, no update. Its time is work every contestant does and the
    FLOP count leaves out.
    """

    def __init__(self, sizes, batch_size, epochs, samples=None, seed=0):
        n = samples or DIGITS_SAMPLES
        rng = np.random.default_rng(seed)
        self.z = [rng.standard_normal((n, width)) for width in sizes[1:]]
        self.batch_size, self.epochs, self.n = batch_size, epochs, n
        self.info = {"samples": n, "sigmoids_per_epoch": n * sum(sizes[1:])}

    def run(self):
        for _ in range(self.epochs):
            for start in range(0, self.n, self.batch_size):
                for z in self.z:
                    1.0 / (1.0 + np.exp(-z[start : start + self.batch_size]))


def sigmoid_alone(**kwargs):
    return SigmoidAlone(**kwargs)


# --- gradient checks ------------------------------------------------------------


def _gradcheck_problem(sizes, samples, seed):
    """A sigmoid MLP (MSE, summed) and ``samples`` digits: inputs, one-hot targets, initial parameters."""
    X, Y = digits()
    X, Y = X[:samples], Y[:samples, : sizes[-1]]
    params = peers.init_params(tuple(sizes), seed)
    return X, Y, params


class ProjectGradcheck:
    """``impl.gradcheck.check(net, X, Y, method)``: every parameter, one call."""

    def __init__(self, sizes, samples, method, seed=0):
        from impl import Network
        from impl.gradcheck import check

        self._check = check
        X, Y, params = _gradcheck_problem(sizes, samples, seed)
        self.net = Network(sizes, activation="sigmoid", loss="mse", reduction="sum", seed=seed)
        for l, (W, b) in enumerate(params):
            self.net.weights[l][...] = W
            self.net.biases[l][...] = b
        self.X, self.Y, self.method = X, Y, method
        n = sum(W.size + b.size for W, b in params)
        self.info = {"parameters": n, "samples": samples}

    def run(self):
        report = self._check(self.net, self.X, self.Y, method=self.method)
        return {"ok": bool(report.ok), "max_rel_error": float(report.max_rel_error)}


class TorchGradcheck:
    """``torch.autograd.gradcheck`` (full mode) of parameters -> loss, on the same network and data.

    The function takes all parameters as one flat float64 vector (so every
    one of them is perturbed) and returns the scalar loss
    \\( \\tfrac12 \\sum (a - y)^2 \\).
    """

    EPS, ATOL, RTOL = 1e-6, 1e-5, 1e-3

    def __init__(self, sizes, samples, seed=0):
        import torch

        self.torch = torch
        X, Y, params = _gradcheck_problem(sizes, samples, seed)
        self.X, self.Y = torch.from_numpy(X.copy()), torch.from_numpy(Y.copy())
        self.shapes = [(W.shape, b.shape) for W, b in params]
        flat = np.concatenate([np.concatenate([W.ravel(), b]) for W, b in params])
        self.theta = torch.from_numpy(flat).requires_grad_(True)
        self.info = {"parameters": int(flat.size), "samples": samples,
                     "eps": self.EPS, "atol": self.ATOL, "rtol": self.RTOL, "fast_mode": False}

    def loss(self, theta):
        torch = self.torch
        a, start = self.X, 0
        for (w_shape, b_shape) in self.shapes:
            n_w, n_b = w_shape[0] * w_shape[1], b_shape[0]
            W = theta[start : start + n_w].view(w_shape)
            b = theta[start + n_w : start + n_w + n_b]
            start += n_w + n_b
            a = torch.sigmoid(a @ W.T + b)
        return 0.5 * ((a - self.Y) ** 2).sum()

    def run(self):
        ok = self.torch.autograd.gradcheck(
            self.loss, (self.theta,), eps=self.EPS, atol=self.ATOL, rtol=self.RTOL,
            fast_mode=False, raise_exception=False,
        )
        return {"ok": bool(ok)}


def project_gradcheck(**kwargs):
    return ProjectGradcheck(**kwargs)


def torch_gradcheck(**kwargs):
    return TorchGradcheck(**kwargs)


# --- the spec, in a fresh process -------------------------------------------------

SPEC_SCRIPT = """
import json, time
start = time.perf_counter()
from spec import activations
from spec.network import prove_backprop
imported = time.perf_counter()
names = {names!r} or activations.names()
for name in names:
    act = activations.get(name)
    if act.elementwise:
        act.derivative
        act.output_form
        assert all(p.ok for p in act.derived(1).proofs), name
        # f'' and its output form h(a), as `derive` prints them
        act.derived(2).expr
        act.derived(2).output_form
        assert all(p.ok for p in act.derived(2).proofs), name
    else:
        # a vector activation (softmax): its Jacobian and output form for 3 units
        act.jacobian(3)
        assert all(p.ok for p in act.proofs(3)), name
proofs = [prove_backprop(sizes) for sizes in {sizes!r}]
done = time.perf_counter()
print(json.dumps({{"import": imported - start, "after_import": done - imported,
                  "activations": list(names), "proven": all(p.ok for p in proofs)}}))
"""


def spec_script(names=(), sizes=((2, 2, 1), (3, 4, 2))) -> str:
    """Python source that derives ``names`` (all registered if empty) and proves the networks ``sizes``."""
    return SPEC_SCRIPT.format(names=tuple(names), sizes=tuple(tuple(s) for s in sizes))


# --- the workloads -----------------------------------------------------------------


@dataclass
class Goal:
    """``metric`` of ``peer`` (median over repetitions) must be ``>= at_least`` or ``<= at_most``."""

    text: str
    metric: str  # "speedup", "fraction_of_peak" or "seconds"
    peer: str | None = None
    at_least: float | None = None
    at_most: float | None = None
    subject: str = "project"

    def met(self, value: float) -> bool:
        if self.at_least is not None and not value >= self.at_least:
            return False
        if self.at_most is not None and not value <= self.at_most:
            return False
        return True


@dataclass
class Contestant:
    name: str  # key in the results
    label: str
    worker: str  # the process it runs in
    factory: str
    kwargs: dict
    notes: str = ""
    per_run: float | None = None  # units per timed run, if not the workload's (NumPy's matmul: 1 product)
    diagnostic: bool = False  # timed alongside, but no goal and no FLOP rate


@dataclass
class Workload:
    id: str
    title: str
    description: str
    unit: str  # what one timed run is, e.g. "epoch"
    per_run: float  # divide a run's seconds by this to get seconds per unit
    contestants: list[Contestant]
    goals: list[Goal]
    settings: dict = field(default_factory=dict)
    flops_per_unit: float | None = None  # for a GFLOP/s workload


def _trainer(name, **kwargs):
    cls = peers.CONTESTANTS[name]
    return Contestant(name, cls.label, name, "benchmarks.workloads:training", dict(contestant=name, **kwargs),
                      (cls.__doc__ or "").strip().splitlines()[0])


def digits_epoch(smoke=False) -> Workload:
    samples = 160 if smoke else None
    epochs = 1 if smoke else 10
    common = dict(task="digits", sizes=(64, 128, 10), lr=0.05, batch_size=32, epochs=epochs, samples=samples)
    return Workload(
        id="digits-b32",
        title="Digits 64-128-10, batch 32, one epoch",
        description=(
            "Mini-batch SGD on the 1,797 8x8 digits (pixels scaled to [0, 1], one-hot targets), "
            "a 64-128-10 network with sigmoid units, batches of 32 drawn in a fresh random order each "
            "epoch, learning rate 0.05. Each timed run trains for several epochs; the time per epoch "
            "is reported."
        ),
        unit="epoch",
        per_run=epochs,
        contestants=[_trainer(n, **common) for n in ("project", "numpy", "torch", "sklearn")],
        goals=[
            Goal("≥3× faster than scikit-learn", "speedup", "sklearn", at_least=3.0),
            Goal("≥2× faster than PyTorch CPU float64", "speedup", "torch", at_least=2.0),
            Goal("≥1× the speed of the minimal NumPy loop", "speedup", "numpy", at_least=1.0),
        ],
        settings={"sizes": [64, 128, 10], "batch_size": 32, "lr": 0.05, "samples": samples or DIGITS_SAMPLES,
                  "epochs_per_run": epochs, "loss": "half squared error summed over the batch (scikit-learn: "
                  "binary cross-entropy averaged over the batch)", "shuffle": True},
    )


def digits_epoch_float32(smoke=False) -> Workload:
    samples = 160 if smoke else None
    epochs = 1 if smoke else 10
    common = dict(task="digits", sizes=(64, 128, 10), lr=0.05, batch_size=32, epochs=epochs, samples=samples)
    return Workload(
        id="digits-b32-f32",
        title="Digits 64-128-10, batch 32, one epoch, float32",
        description=(
            "The digits row in single precision: impl.Network(dtype=\"float32\") against the same network "
            "in float64 (the row above), the minimal NumPy loop on float32 arrays and PyTorch in float32."
        ),
        unit="epoch",
        per_run=epochs,
        contestants=[_trainer(n, **common) for n in ("project32", "project", "numpy32", "torch32")],
        goals=[
            Goal("float32 ≥1.5× faster than float64", "speedup", "project", at_least=1.5, subject="project32"),
            Goal("≥1× the speed of the minimal NumPy loop in float32", "speedup", "numpy32", at_least=1.0,
                 subject="project32"),
            Goal("≥2× faster than PyTorch CPU float32", "speedup", "torch32", at_least=2.0, subject="project32"),
        ],
        settings={"sizes": [64, 128, 10], "batch_size": 32, "lr": 0.05, "samples": samples or DIGITS_SAMPLES,
                  "epochs_per_run": epochs, "dtype": "float32", "loss": "half squared error summed over the batch",
                  "shuffle": True},
    )


def xor_run(smoke=False) -> Workload:
    epochs = 200 if smoke else 10000
    common = dict(task="xor", sizes=(2, 2, 1), lr=0.1, batch_size=None, epochs=epochs, init="normal")
    return Workload(
        id="xor",
        title=f"XOR 2-2-1, {epochs:,} full-batch epochs",
        description=(
            f"The tutorial's problem: the 4 XOR cases, a 2-2-1 sigmoid network, weights and biases "
            f"drawn from N(0, 1), learning rate 0.1, {epochs:,} full-batch epochs. One timed run is the "
            f"whole training."
        ),
        unit="run",
        per_run=1,
        contestants=[_trainer(n, **common) for n in ("project", "tutorial")],
        goals=[Goal("≥1.5× faster than the tutorial's loop", "speedup", "tutorial", at_least=1.5)],
        settings={"sizes": [2, 2, 1], "lr": 0.1, "epochs": epochs},
    )


def flops(smoke=False) -> Workload:
    samples = 256 if smoke else None
    hidden = 32 if smoke else 512
    epochs = 1 if smoke else 10
    n = 128 if smoke else 1024
    sizes = (64, hidden, 10)
    common = dict(task="digits", sizes=sizes, lr=0.001, batch_size=256, epochs=epochs, samples=samples)
    work = matmul_flops(sizes, samples or DIGITS_SAMPLES, 256)
    return Workload(
        id="flops",
        title=f"Digits 64-{hidden}-10, batch 256: arithmetic rate",
        description=(
            f"Training 64-{hidden}-10 with batches of 256, counted as the floating-point operations of "
            f"its matrix products (forward, backward and update: {work / 1e9:.3f} GFLOP per epoch) "
            f"divided by the time per epoch, against NumPy's own matrix product "
            f"({n}x{n} float64, the best of 5 products) measured in the same run, taking turns."
        ),
        unit="epoch",
        per_run=epochs,
        contestants=[
            _trainer("project", **common),
            _trainer("numpy", **common),
            Contestant("matmul", f"NumPy matmul {n}x{n}", "matmul", "benchmarks.workloads:matmul",
                       dict(n=n, repeat=5), "np.matmul of two float64 matrices, best of 5", per_run=1),
            _trainer("project32", **common),
            Contestant("matmul32", f"NumPy matmul {n}x{n} float32", "matmul", "benchmarks.workloads:matmul",
                       dict(n=n, repeat=5, dtype="float32"), "np.matmul of two float32 matrices, best of 5",
                       per_run=1),
            Contestant("sigmoid", "sigmoid alone (diagnostic)", "numpy", "benchmarks.workloads:sigmoid_alone",
                       dict(sizes=sizes, batch_size=256, epochs=epochs, samples=samples),
                       "1 / (1 + np.exp(-z)) once per activation of an epoch, nothing else: work that "
                       "counts no FLOPs", diagnostic=True),
        ],
        goals=[
            Goal("≥40% of the FLOP/s of NumPy's own matrix product", "fraction_of_peak", "matmul", at_least=0.40),
            Goal("float32: ≥40% of the FLOP/s of NumPy's float32 matrix product", "fraction_of_peak", "matmul32",
                 at_least=0.40, subject="project32"),
        ],
        settings={"sizes": list(sizes), "batch_size": 256, "samples": samples or DIGITS_SAMPLES,
                  "matmul_n": n, "gflop_per_epoch": work / 1e9},
        flops_per_unit=work,
    )


def gradcheck(smoke=False) -> Workload:
    sizes = (64, 4, 10) if smoke else (64, 32, 10)
    samples = 4 if smoke else 64
    common = dict(sizes=sizes, samples=samples)
    n = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
    return Workload(
        id="gradcheck",
        title=f"Full gradient check, {'-'.join(map(str, sizes))} sigmoid MLP, {samples} samples",
        description=(
            f"Checking all {n:,} parameters' gradients of a {'-'.join(map(str, sizes))} sigmoid network "
            f"(half squared error, summed over {samples} digits) against finite differences. "
            f"impl.gradcheck.check with central differences and with the complex step, against "
            f"torch.autograd.gradcheck in full mode (fast_mode=False, eps 1e-6, atol 1e-5, rtol 1e-3) "
            f"of the function parameters -> loss."
        ),
        unit="check",
        per_run=1,
        contestants=[
            Contestant("project-central", "impl.gradcheck, central", "project", "benchmarks.workloads:project_gradcheck",
                       dict(common, method="central"), "check(net, X, Y, method='central')"),
            Contestant("project-complex", "impl.gradcheck, complex step", "project",
                       "benchmarks.workloads:project_gradcheck", dict(common, method="complex"),
                       "check(net, X, Y, method='complex')"),
            Contestant("torch", "torch.autograd.gradcheck", "torch", "benchmarks.workloads:torch_gradcheck",
                       dict(common), "full mode: one perturbation per parameter, both signs"),
        ],
        goals=[
            Goal("central differences ≥25× faster than torch.autograd.gradcheck", "speedup", "torch",
                 at_least=25.0, subject="project-central"),
            Goal("complex step ≥20× faster than torch.autograd.gradcheck", "speedup", "torch",
                 at_least=20.0, subject="project-complex"),
        ],
        settings={"sizes": list(sizes), "samples": samples, "parameters": n},
    )


def main_workloads(smoke=False) -> list[Workload]:
    return [digits_epoch(smoke), digits_epoch_float32(smoke), xor_run(smoke), flops(smoke), gradcheck(smoke)]


#: The scaling sweeps: time per epoch on the digits against one setting, the other held fixed.
SWEEPS = {
    "hidden": {"values": [16, 32, 64, 128, 256, 512, 1024], "fixed": {"batch_size": 32},
               "label": "hidden width", "smoke": [16, 32]},
    "batch_size": {"values": [1, 4, 16, 64, 256, 1024], "fixed": {"hidden": 128},
                   "label": "batch size", "smoke": [8, 64]},
}
SWEEP_CONTESTANTS = ("project", "numpy", "torch", "sklearn")


#: Below this batch size a sweep point trains on a quarter of the digits and scales the time to the full epoch.
SWEEP_PARTIAL_BELOW = 16
SWEEP_PARTIAL_SAMPLES = 449


def sweep_contestants(hidden, batch_size, smoke=False, epochs=1) -> list[Contestant]:
    """The contestants of one sweep point; the time per update does not depend on which samples are used,
    so at batch sizes below `SWEEP_PARTIAL_BELOW` a quarter of the epoch is timed and scaled up."""
    if smoke:
        samples = 160
    else:
        samples = SWEEP_PARTIAL_SAMPLES if batch_size < SWEEP_PARTIAL_BELOW else None
    common = dict(task="digits", sizes=(64, hidden, 10), lr=0.01, batch_size=batch_size, epochs=epochs,
                  samples=samples)
    return [_trainer(n, **common) for n in SWEEP_CONTESTANTS]
