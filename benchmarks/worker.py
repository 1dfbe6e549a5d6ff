"""One worker process per contestant, driven over a pipe.

Why processes: NumPy's OpenBLAS, scikit-learn's and PyTorch's OpenMP each
keep a pool of threads that spin for a while after every parallel call. In
one process on a 2-core machine they steal the cores from each other:
measured here, PyTorch ran about 7 times slower per epoch right after NumPy
had run in the same process, and NumPy about 1.5 times slower right after
PyTorch. A user runs one library at a time; so does this benchmark, each
contestant in its own process, the processes taking turns (only one runs at
any moment, the others wait on their pipe).

The worker times each call itself (``time.perf_counter`` around the call
alone), so the pipe's latency is not counted. Warnings raised in a worker
are sent back and re-raised in the parent, so none go unseen.
"""

from __future__ import annotations

import importlib
import multiprocessing
import time
import traceback
import warnings


def _resolve(path: str):
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def _serve(conn) -> None:
    jobs = {}
    while True:
        try:
            op, args = conn.recv()
        except EOFError:
            return
        if op == "stop":
            conn.send(("ok", None, []))
            return
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                if op == "setup":
                    key, factory, kwargs = args
                    jobs[key] = _resolve(factory)(**kwargs)
                    value = getattr(jobs[key], "info", None)
                elif op == "time":
                    (key,) = args
                    job = jobs[key]
                    start = time.perf_counter()
                    out = job.run()
                    value = (time.perf_counter() - start, out)
                elif op == "drop":
                    jobs.pop(args[0], None)
                    value = None
                elif op == "call":
                    function, kwargs = args
                    value = _resolve(function)(**kwargs)
                else:
                    raise ValueError(f"unknown operation {op!r}")
                status = "ok"
            except Exception:  # reported to the parent, which raises it
                status, value = "error", traceback.format_exc()
        found = [(w.category.__name__, str(w.message), f"{w.filename}:{w.lineno}") for w in caught]
        conn.send((status, value, found))


class WorkerError(RuntimeError):
    """A job failed inside a worker process; the message holds its traceback."""


class Worker:
    """A spawned Python process that builds jobs and times their ``run()``."""

    def __init__(self, name: str):
        self.name = name
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child,), name=f"bench-{name}", daemon=True)
        self._process.start()
        child.close()

    def _call(self, op, *args):
        self._conn.send((op, args))
        status, value, caught = self._conn.recv()
        for category, message, where in caught:
            warnings.warn(f"in the {self.name} worker, {category} at {where}: {message}", RuntimeWarning, stacklevel=3)
        if status != "ok":
            raise WorkerError(f"{self.name} worker:\n{value}")
        return value

    def setup(self, key: str, factory: str, **kwargs):
        """Build ``factory(**kwargs)`` (``"module:function"``) in the worker; returns its ``info``."""
        return self._call("setup", key, factory, kwargs)

    def time(self, key: str):
        """Run job ``key`` once; returns ``(seconds, what run() returned)``."""
        return self._call("time", key)

    def drop(self, key: str) -> None:
        self._call("drop", key)

    def call(self, function: str, **kwargs):
        """Call ``function(**kwargs)`` in the worker and return its (picklable) result."""
        return self._call("call", function, kwargs)

    def close(self) -> None:
        if self._process.is_alive():
            try:
                self._conn.send(("stop", ()))
                self._conn.recv()
            except (BrokenPipeError, EOFError, OSError):
                pass
            self._process.join(timeout=10)
            if self._process.is_alive():
                self._process.terminate()
                self._process.join(timeout=5)
        self._conn.close()


class Workers:
    """One worker per name, started on first use; a context manager that stops them all.

    `time` pauses for ``cooldown`` seconds whenever the worker to be timed is
    not the one timed last: the thread pools of the process that ran before
    keep spinning for a while after their last call (OpenBLAS's threads up
    to about 2^28 cycles, ~0.1 s), and on a 2-core machine that spinning
    takes the cores from whoever runs next (measured: PyTorch 5 to 10 times
    slower when started right after a NumPy process).
    """

    def __init__(self, cooldown: float = 0.3):
        self._workers: dict[str, Worker] = {}
        self.cooldown = cooldown
        self._last = None

    def __getitem__(self, name: str) -> Worker:
        if name not in self._workers:
            self._workers[name] = Worker(name)
        return self._workers[name]

    def time(self, name: str, key: str):
        """Time job ``key`` in worker ``name``, after a pause if another worker ran last."""
        if self._last != name and self.cooldown > 0:
            time.sleep(self.cooldown)
        self._last = name
        return self[name].time(key)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for worker in self._workers.values():
            worker.close()
        self._workers.clear()
