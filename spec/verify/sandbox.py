"""Run a user's code in a child process, with a time limit, and talk to it over pipes.

The checker (``backprop-spec verify``) never imports the code it checks: the
code may exit, hang, print, raise from a property, or tamper with whatever
shares its process. `Sandbox` starts ``spec/verify/_child.py`` in a new
process group, sends it requests (import the file, instantiate a class, set
and get parameters, call a method) and reads plain answers: a JSON header
and ``.npy`` arrays, loaded with ``allow_pickle=False``. Every answer is
checked here; the verdict is computed here, from the spec.

What goes wrong in the child becomes an exception of this module that says
what the user's code did, where, and during which request:

* `UserError`: the code raised (``SystemExit`` included), with its file and line;
* `TimedOut`: no answer within the time limit (an infinite loop, a prompt);
* `Died`: the process ended (``os._exit``, a crash, a signal);
* `Misbehaved`: the answer broke the protocol (the code wrote into its pipes).
"""

from __future__ import annotations

import io
import json
import os
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

CHILD = Path(__file__).with_name("_child.py")
#: Largest frame accepted from the child (bytes): 4 million float64 values and a header.
MAX_FRAME = 40 * 2**20
#: Lines of the user's own output passed on to standard error before the rest is only counted.
MAX_ECHOED_LINES = 200


class SandboxError(Exception):
    """Something the user's code did in the child process (a finding, not a crash of the checker)."""

    def __init__(self, message: str, request: str = ""):
        super().__init__(message)
        self.request = request


class UserError(SandboxError):
    """The user's code raised an exception: the message reads ``raised ValueError: ... (at net.py:12 in forward)``."""

    def __init__(self, message, request, type_name, where):
        super().__init__(message, request)
        self.type_name, self.where = type_name, where


class TimedOut(SandboxError):
    """The user's code gave no answer within the time limit."""


class Died(SandboxError):
    """The child process ended while running the user's code."""


class Misbehaved(SandboxError):
    """The child's answer broke the protocol."""


class RequestFailed(SandboxError):
    """A request that could not be carried out (no such attribute, not an array): the checker's question was wrong."""


@dataclass
class Output:
    """What the user's code printed, counted as it is passed on to standard error."""

    lines: int = 0
    echoed: int = 0


class Sandbox:
    """One child process running one user file, with a total time budget.

    Use as a context manager; `close` kills the process group.

    Args:
        path: The user's Python file.
        timeout: Seconds for the whole session (import and every call).
        echo: Where the user's printed output goes (standard error by default),
            with a prefix, at most `MAX_ECHOED_LINES` lines.
    """

    def __init__(self, path, timeout: float = 20.0, echo=None):
        self.path = str(path)
        self.timeout = float(timeout)
        self.deadline = time.monotonic() + self.timeout
        self.echo = sys.stderr if echo is None else echo
        self.output = Output()
        self.requests = 0
        requests_read, self._to_child = os.pipe()
        self._from_child, replies_write = os.pipe()
        env = dict(os.environ)
        # the child is one of many short processes: one BLAS thread each
        env.setdefault("OPENBLAS_NUM_THREADS", "1")
        env.setdefault("OMP_NUM_THREADS", "1")
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        # Whatever the code starts and leaves behind, even in a session of its own, becomes this
        # process's child when its parent ends (Linux), so that close() can find and kill it.
        _become_subreaper()
        self._children_before = set(_children())
        # the one folder the user's code may write to (Landlock, where the kernel has it)
        self.folder = tempfile.mkdtemp(prefix="backprop-spec-verify-")
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-P", str(CHILD), str(requests_read), str(replies_write), self.folder],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                pass_fds=(requests_read, replies_write),
                start_new_session=True,  # Ctrl-C reaches the checker only; close() kills the whole group
                env=env,
            )
        finally:
            os.close(requests_read)
            os.close(replies_write)
        self._echo_thread = threading.Thread(target=self._pass_on_output, daemon=True)
        self._echo_thread.start()

    # --- life cycle ---

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        """Kill the child and everything it started; idempotent."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL does not fail
            pass
        _kill_strays(self._children_before)
        for fd in (self._to_child, self._from_child):
            try:
                os.close(fd)
            except OSError:
                pass
        self._to_child = self._from_child = -1
        self._echo_thread.join(timeout=1)
        shutil.rmtree(self.folder, ignore_errors=True)

    def _pass_on_output(self) -> None:
        stream = self.process.stdout
        for raw in iter(stream.readline, b""):
            self.output.lines += 1
            if self.output.echoed < MAX_ECHOED_LINES:
                self.output.echoed += 1
                line = raw.decode("utf-8", "replace").rstrip("\n")
                # escape sequences and other control characters shown, not obeyed
                line = "".join(c if c.isprintable() or c == "\t" else repr(c)[1:-1] for c in line)
                try:
                    self.echo.write(f"  [your code] {line}\n")
                    self.echo.flush()
                except (OSError, ValueError):
                    pass
        stream.close()

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    # --- requests ---

    def request(self, header: dict, arrays=(), what: str = "") -> tuple[dict, list[np.ndarray]]:
        """Send one request and wait for its answer; raise a `SandboxError` for anything but success."""
        what = what or header.get("op", "")
        self.requests += 1
        header = dict(header, arrays=len(arrays), id=self.requests)
        try:
            self._send(json.dumps(header).encode("utf-8"))
            for array in arrays:
                buffer = io.BytesIO()
                np.save(buffer, np.ascontiguousarray(array, dtype=np.float64), allow_pickle=False)
                self._send(buffer.getvalue())
        except (BrokenPipeError, OSError):
            raise self._ended(what) from None
        reply = self._receive_header(what)
        out = [self._receive_array(what) for _ in range(reply["arrays"])]
        if reply.get("id") != self.requests:
            # an answer to another request: something else wrote into the pipe
            self.close()
            raise Misbehaved("wrote an answer of its own into the checker's pipe", what)
        if not reply.get("ok"):
            if reply.get("kind") == "exception":
                type_name = str(reply.get("type", "Exception"))
                message = str(reply.get("error", ""))
                where = str(reply.get("where", ""))
                text = f"raised {type_name}: {message}" if message else f"raised {type_name}"
                if type_name == "SystemExit":
                    text = f"called sys.exit({message})"
                raise UserError(text + (f" (at {where})" if where else ""), what, type_name, where)
            raise RequestFailed(str(reply.get("error", "the request failed")), what)
        return reply, out

    # --- typed requests: each answer is checked against what was asked -------------

    def load(self, what: str) -> dict:
        """Import the file; its classes and functions, as `spec.verify._child` describes them."""
        reply, _ = self.request({"op": "load", "path": self.path}, what=what)
        self._expect(isinstance(reply.get("classes"), dict) and isinstance(reply.get("functions"), dict), what)
        return reply

    def new(self, target: str, args: list, what: str, kwargs=None, arrays=()) -> tuple[int, dict]:
        """Instantiate ``target(*args, **kwargs)``; the handle of the new object and its attributes.

        ``args`` are numbers, ``{"list": [...]}``, or ``{"array": k}`` for ``arrays[k]``.
        """
        reply, _ = self.request(
            {"op": "new", "target": target, "args": list(args), "kwargs": dict(kwargs or {})}, arrays, what=what
        )
        handle, attributes = reply.get("handle"), reply.get("attributes")
        self._expect(isinstance(handle, int) and not isinstance(handle, bool) and isinstance(attributes, dict), what)
        return handle, attributes

    def describe(self, handle: int, what: str) -> dict:
        """The object's attributes now (after a call, say)."""
        reply, _ = self.request({"op": "describe", "handle": handle}, what=what)
        attributes = reply.get("attributes")
        self._expect(isinstance(attributes, dict), what)
        return attributes

    def get(self, handle: int, paths: list, what: str) -> list[np.ndarray]:
        """The float64 arrays at ``paths`` inside the object (numbers come back as 0-d arrays)."""
        _, arrays = self.request({"op": "get", "handle": handle, "paths": paths}, what=what)
        self._expect(len(arrays) == len(paths), what)
        return arrays

    def set(self, handle: int, paths: list, arrays: list, what: str) -> None:
        """Put copies of ``arrays`` at ``paths`` inside the object."""
        self.request({"op": "set", "handle": handle, "paths": paths}, arrays, what=what)

    def call(self, handle: int | None, target: str, args: list, arrays: list, what: str, kwargs=None):
        """Call a method (or, with no handle, a function of the file); ``(value description, arrays)``.

        ``args`` and ``kwargs`` values are numbers, or ``{"array": k}`` for ``arrays[k]``.
        """
        reply, out = self.request(
            {"op": "call", "handle": handle, "target": target, "args": list(args), "kwargs": dict(kwargs or {})},
            arrays, what=what,
        )
        value = reply.get("value")
        self._expect(isinstance(value, dict) and _indices_fit(value, len(out)), what)
        self.last_call = self.requests  # refer to what it returned with {"returned": last_call}
        return value, out

    def _expect(self, condition: bool, what: str) -> None:
        if not condition:
            self.close()
            raise Misbehaved("sent an answer that does not fit the request", what)

    def _send(self, payload: bytes) -> None:
        data = memoryview(struct.pack(">Q", len(payload)) + payload)
        while data:
            left = self.remaining()
            if left <= 0:
                raise self._timed_out("")
            _, ready, _ = select.select([], [self._to_child], [], left)
            if not ready:
                continue
            written = os.write(self._to_child, data[: 1 << 16])
            data = data[written:]

    def _read(self, n: int, what: str) -> bytes:
        chunks, left = [], n
        while left:
            remaining = self.remaining()
            if remaining <= 0:
                raise self._timed_out(what)
            ready, _, _ = select.select([self._from_child], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(self._from_child, min(left, 1 << 20))
            if not chunk:
                raise self._ended(what)
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def _frame(self, what: str) -> bytes:
        (n,) = struct.unpack(">Q", self._read(8, what))
        if n > MAX_FRAME:
            self.close()
            raise Misbehaved(f"sent an answer of {n} bytes into the checker's pipe (at most {MAX_FRAME})", what)
        return self._read(n, what)

    def _receive_header(self, what: str) -> dict:
        payload = self._frame(what)
        try:
            reply = json.loads(payload.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            self.close()
            raise Misbehaved("wrote something other than an answer into the checker's pipe", what) from None
        if not isinstance(reply, dict) or not isinstance(reply.get("arrays"), int) or not 0 <= reply["arrays"] <= 64:
            self.close()
            raise Misbehaved("sent an answer the checker does not understand", what)
        return reply

    def _receive_array(self, what: str) -> np.ndarray:
        payload = self._frame(what)
        try:
            array = np.load(io.BytesIO(payload), allow_pickle=False)
        except Exception:  # a malformed .npy fails in many ways; all mean the protocol broke
            self.close()
            raise Misbehaved("sent an array the checker cannot read", what) from None
        if not isinstance(array, np.ndarray) or array.dtype != np.float64:
            self.close()
            raise Misbehaved("sent something other than a float64 array", what)
        return array

    def _timed_out(self, what: str) -> TimedOut:
        self.close()
        return TimedOut(
            f"gave no answer within the time limit of {self.timeout:g} s (an endless loop, a prompt "
            "waiting for input, or code that is slow: raise it with --timeout)",
            what,
        )

    def _ended(self, what: str) -> Died:
        try:
            code = self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            code = None
        self.close()
        if code is not None and code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            return Died(f"crashed: the process running it was killed by {name}", what)
        return Died(f"ended the process running it, with exit status {code} (os._exit, or a crash)", what)


def _indices_fit(value, n_arrays: int, depth: int = 0) -> bool:
    """Whether every array a call's description refers to was sent (and the description is well formed)."""
    if not isinstance(value, dict) or depth > 8:
        return False
    kind = value.get("kind")
    if kind == "array":
        index = value.get("index")
        return isinstance(index, int) and not isinstance(index, bool) and 0 <= index < n_arrays
    entries = value.get("entries")
    if kind in ("list", "tuple"):
        return isinstance(entries, list) and all(_indices_fit(e, n_arrays, depth + 1) for e in entries)
    if kind == "dict":
        return isinstance(entries, dict) and all(_indices_fit(e, n_arrays, depth + 1) for e in entries.values())
    return isinstance(kind, str)


def _become_subreaper() -> None:
    """Linux prctl: orphaned descendants are re-parented to this process (PR_SET_CHILD_SUBREAPER), and
    other processes of the same user cannot read or write its memory and file descriptors through
    /proc (PR_SET_DUMPABLE 0; root still can)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
        libc.prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE
    except (OSError, AttributeError):  # not Linux: the process group kill is all there is
        pass


def _children() -> list[int]:
    """The pids whose parent is this process (from /proc; empty where there is no /proc)."""
    me, found = os.getpid(), []
    try:
        entries = os.listdir("/proc")
    except OSError:
        return found
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == me:
            found.append(int(entry))
    return found


def _kill_strays(before: set[int], rounds: int = 20) -> None:
    """Kill and reap the children this process gained since ``before``: what the user's code left running.

    Each killed process's own children are re-parented here in turn (the
    subreaper), so this repeats until none are left.
    """
    for _ in range(rounds):
        strays = [pid for pid in _children() if pid not in before]
        if not strays:
            return
        for pid in strays:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for pid in strays:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        time.sleep(0.02)

