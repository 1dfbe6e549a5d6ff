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

Where bubblewrap (``bwrap``) is installed and works, the child runs inside it
(`bwrap_command`): its own user, network, pid, ipc, uts and cgroup
namespaces, no capabilities, an empty environment, the file system read-only
but for a size-limited private tmpfs, and only the folders Python, NumPy and
the user's file need. A cgroup (`Cgroup`) caps the processes and the memory
of the whole tree where one can be made. Where bubblewrap is missing or
fails, the child confines itself as far as the kernel lets it (Landlock,
limits); the report's confinement line says what was measured to apply.
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

from spec.verify import text

CHILD = Path(__file__).with_name("_child.py")
#: Largest frame accepted from the child (bytes): 4 million float64 values and a header.
MAX_FRAME = 40 * 2**20
#: Largest answer in all (its header and every array together), bytes: 64 arrays each just under
#: `MAX_FRAME` would otherwise take the checker to gigabytes.
MAX_ANSWER = 128 * 2**20
#: Lines of the user's own output passed on to standard error before the rest is only counted.
MAX_ECHOED_LINES = 200
#: Characters of one line of the user's output passed on; the rest of the line is dropped.
MAX_LINE = 500
#: Bytes read from the user's output at a time (never more is held, whatever it prints).
CHUNK = 1 << 16
#: Processes (and threads) the user's code may have at once, all together (a cgroup's pids.max).
MAX_PROCESSES = 64
#: Memory of all the user's processes together (a cgroup's memory limit, tmpfs pages included).
MAX_TREE_MEMORY = 4 * 2**30
#: Size of the private folder (its tmpfs under bubblewrap) and of any one file the code writes.
MAX_FOLDER = 256 * 2**20
#: Where the private folder is, inside bubblewrap (its HOME and TMPDIR).
INSIDE_FOLDER = "/tmp"


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
        self.loops, self.message = 0, ""  # loops the observed script had entered; the exception's own text


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
        self.recording = None  # a list while the lines of calls are recorded (`record`)
        self._answer_bytes = 0
        self.folder = None
        self.cgroup = None
        self.confined_by = self.bwrap_failed = ""
        # Whatever the code starts and leaves behind, even in a session of its own, becomes this
        # process's child when its parent ends (Linux), so that close() can find and kill it.
        _become_subreaper()
        self._children_before = set(_children())
        self.cgroup = Cgroup.make()
        try:
            self.process = self._start()
        except BaseException:
            if self.cgroup is not None:
                self.cgroup.remove()
            raise
        self._echo_thread = threading.Thread(target=self._pass_on_output, daemon=True)
        self._echo_thread.start()

    def _start(self) -> subprocess.Popen:
        """Start the child: inside bubblewrap where it works, else directly (with a folder on disk)."""
        requests_read, self._to_child = os.pipe()
        self._from_child, replies_write = os.pipe()
        fds = (requests_read, replies_write)
        try:
            bwrap = shutil.which("bwrap")
            if bwrap is not None and sys.platform.startswith("linux"):
                info_read, info_write = os.pipe()
                try:
                    command = bwrap_command(bwrap, self.path, fds, info_write)
                    process = self._popen(command, (*fds, info_write))
                    os.close(info_write)
                    # bubblewrap reports the sandbox's pid once it is set up; one that cannot set up
                    # its namespaces (no user namespaces here) exits with a message instead
                    started = _read_until_eof(info_read, time.monotonic() + 20)
                finally:
                    for fd in (info_read, info_write):
                        try:
                            os.close(fd)
                        except OSError:
                            pass
                if b"child-pid" in started:
                    self.confined_by = "bubblewrap"
                    return process
                self.bwrap_failed = _stop(process)
            # no bubblewrap: the one folder the code may write to (Landlock, where the kernel has it)
            self.folder = tempfile.mkdtemp(prefix="backprop-spec-verify-")
            command = [_python(), "-P", str(CHILD), str(fds[0]), str(fds[1]), self.folder]
            if self.cgroup is None:
                # no cgroup: a process limit per user (it counts all of this user's processes)
                command.append(f"nproc={MAX_PROCESSES + _processes_of(os.getuid())}")
            return self._popen(command, fds, child_env(self.folder))
        finally:
            os.close(requests_read)
            os.close(replies_write)

    def _popen(self, command, fds, env=None) -> subprocess.Popen:
        if self.cgroup is not None:
            # the shell joins the cgroup, then becomes the sandbox: nothing runs outside it
            command = ["/bin/sh", "-c", self.cgroup.join_script(), "sh", *command]
        return subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            pass_fds=fds,
            start_new_session=True,  # Ctrl-C reaches the checker only; close() kills the whole group
            env=env if env is not None else child_env(INSIDE_FOLDER),
        )

    def confinement(self, measured: str) -> str:
        """The report's confinement line: what the child measured, and the cgroup limits read back."""
        if self.confined_by:
            parts = [f"{self.confined_by}: {measured}"]
        elif self.bwrap_failed:
            parts = [f"bubblewrap failed ({self.bwrap_failed}): {measured}"]
        else:
            parts = [f"no bubblewrap: {measured}"]
        if self.cgroup is not None:
            parts.append(self.cgroup.describe(self.process.pid))
        else:
            parts.append("no cgroup (no limit on the number of processes or on their memory together)")
        return "; ".join(parts)

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
        if self.cgroup is not None:
            self.cgroup.remove()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)

    def _pass_on_output(self) -> None:
        """Pass the user's output on, line by line, reading fixed-size chunks: a line without end
        (gigabytes without a newline) is cut at `MAX_LINE` characters and the rest dropped."""
        fd = self.process.stdout.fileno()
        line, dropped = b"", False
        while True:
            try:
                chunk = os.read(fd, CHUNK)
            except OSError:
                break
            if not chunk:
                break
            *ends, rest = chunk.split(b"\n")
            for end in ends:
                self._echo_line(line + end if not dropped else line, dropped)
                line, dropped = b"", False
            if not dropped:
                line += rest
                if len(line) > 4 * MAX_LINE:  # enough bytes for MAX_LINE characters of UTF-8
                    line, dropped = line[: 4 * MAX_LINE], True
        if line or dropped:
            self._echo_line(line, dropped)
        self.process.stdout.close()

    def _echo_line(self, raw: bytes, cut: bool) -> None:
        self.output.lines += 1
        if self.output.echoed >= MAX_ECHOED_LINES:
            return
        self.output.echoed += 1
        line = raw.decode("utf-8", "replace")
        if cut or len(line) > MAX_LINE:
            line = line[:MAX_LINE] + "…"
        # escape sequences and other control characters shown, not obeyed
        line = text.escape(line, MAX_LINE + 1)
        try:
            self.echo.write(f"  [your code] {line}\n")
            self.echo.flush()
        except (OSError, ValueError):
            pass

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
        self._answer_bytes = 0  # what this answer has sent so far, against MAX_ANSWER
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
                error = UserError(text + (f" (at {where})" if where else ""), what, type_name, where)
                loops = reply.get("loops", 0)
                error.loops = loops if isinstance(loops, int) and not isinstance(loops, bool) else 0
                error.message = message
                raise error
            raise RequestFailed(str(reply.get("error", "the request failed")), what)
        return reply, out

    # --- typed requests: each answer is checked against what was asked -------------

    def load(self, what: str) -> dict:
        """Import the file; its classes and functions, as `spec.verify._child` describes them."""
        # the confinement is asked first, before the user's code runs and could forge the answer
        measured, _ = self.request({"op": "measure", "path": os.path.abspath(self.path)}, what=what)
        confinement = self.confinement(str(measured.get("confinement", "none"))[:600])
        reply, _ = self.request({"op": "load", "path": os.path.abspath(self.path)}, what=what)
        self._expect(isinstance(reply.get("classes"), dict) and isinstance(reply.get("functions"), dict), what)
        reply["confinement"] = confinement
        return reply

    def observe(self, source: str, iterations: int, what: str, stubs=()) -> tuple[dict, list[np.ndarray], str]:
        """Run ``source`` as the user's file, as ``__main__``, until its training loop has done ``iterations``.

        The answer (`spec.verify._child.Observer.answer`), its arrays, and the confinement line.
        """
        measured, _ = self.request({"op": "measure", "path": os.path.abspath(self.path)}, what=what)
        confinement = self.confinement(str(measured.get("confinement", "none"))[:600])
        reply, chunks = self.request({"op": "observe", "path": os.path.abspath(self.path), "source": source,
                                      "iterations": int(iterations), "stubs": list(stubs)}, what=what)
        arrays = self._unpack(reply.get("packed"), chunks, what)
        self._expect(isinstance(reply.get("found"), bool), what)
        if reply["found"]:
            snapshots = reply.get("snapshots")
            self._expect(isinstance(snapshots, list) and all(
                isinstance(s, dict) and all(isinstance(i, int) and 0 <= i < len(arrays) for i in s.values())
                for s in snapshots) and isinstance(reply.get("params"), list), what)
        return reply, arrays, confinement

    def _unpack(self, table, chunks: list, what: str) -> list[np.ndarray]:
        """The arrays the child packed (`spec.verify._child._pack`), each checked to lie inside its chunk."""
        self._expect(isinstance(table, list), what)
        out = []
        for entry in table:
            ok = (isinstance(entry, list) and len(entry) == 3 and all(isinstance(v, int) for v in entry[:2])
                  and isinstance(entry[2], list) and all(isinstance(d, int) and d >= 0 for d in entry[2])
                  and len(entry[2]) <= 8 and 0 <= entry[0] < len(chunks))
            self._expect(ok, what)
            chunk, offset, shape = entry
            size = int(np.prod(shape)) if shape else 1
            self._expect(chunks[chunk].ndim == 1 and 0 <= offset and offset + size <= chunks[chunk].size, what)
            out.append(chunks[chunk][offset:offset + size].reshape(shape))
        return out

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
        header = {"op": "call", "handle": handle, "target": target, "args": list(args), "kwargs": dict(kwargs or {})}
        if self.recording is not None:
            header["record"] = True
        reply, out = self.request(header, arrays, what=what)
        if self.recording is not None:
            # the lines the call ran, each with the arrays it set (`spec.verify.locate`); their arrays follow the value's
            records, table = reply.get("records"), reply.get("packed")
            self._expect(isinstance(table, list), what)
            chunks = len({t[0] for t in table if isinstance(t, list) and t and isinstance(t[0], int)})
            self._expect(chunks <= len(out), what)
            recorded = self._unpack(table, out[len(out) - chunks:], what)
            self._expect(isinstance(records, list) and all(
                isinstance(r, list) and len(r) == 4 and isinstance(r[3], int) and 0 <= r[3] < len(recorded)
                for r in records), what)
            self.recording += [r[:3] + [recorded[r[3]]] for r in records]
            out = out[:len(out) - chunks]
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
        self._answer_bytes += n
        if self._answer_bytes > MAX_ANSWER:
            self.close()
            raise Misbehaved(f"sent answers of more than {MAX_ANSWER} bytes in all for one request", what)
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
        # every string in it (names, messages) came from the user's code: escaped before anything reads it
        return text.clean(reply)

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
        if code is not None and code > 128 and self.confined_by == "bubblewrap":
            code = 128 - code  # bubblewrap exits with 128 + the signal that killed the child
        if code is not None and code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            return Died(f"crashed: the process running it was killed by {name}", what)
        return Died(f"ended the process running it, with exit status {code} (os._exit, or a crash)", what)


def _python() -> str:
    return sys.executable


def child_env(folder: str) -> dict:
    """The child's whole environment: what Python needs, nothing of the caller's (no secrets)."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": folder,
        "TMPDIR": folder,
        "MPLCONFIGDIR": folder,
        # plots of a script or notebook go nowhere: no display
        "MPLBACKEND": "Agg",
        "LANG": "C.UTF-8",
        # the child is one of many short processes: one BLAS thread each
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def _under(path: str, folders) -> bool:
    return any(path == f or path.startswith(f.rstrip("/") + "/") for f in folders)


def bwrap_command(bwrap: str, user_file: str, fds, info_fd: int) -> list[str]:
    """The bubblewrap command line that runs the child.

    New user (uid 65534, no capabilities), network (only ``lo``), pid, ipc,
    uts and cgroup namespaces, a new session, no nested user namespaces; the
    whole tree is killed when the checker ends, however it ends. Read-only:
    ``/usr`` (and ``/bin``, ``/lib*`` as they are there), the dynamic
    linker's cache, Python's prefixes, the folder NumPy is installed in, the
    project's ``impl`` package, ``_child.py`` and the user's file's folder. Writable: only a tmpfs of
    `MAX_FOLDER` bytes at `INSIDE_FOLDER`.
    """
    python = os.path.realpath(sys.executable)
    read_only = ["/usr", sys.base_prefix, sys.prefix, sys.base_exec_prefix, sys.exec_prefix,
                 os.path.dirname(os.path.dirname(python))]
    numpy_site = os.path.dirname(os.path.dirname(os.path.realpath(np.__file__)))
    read_only.append(numpy_site)
    # the project's own NumPy implementation, which a user's file may import (``from impl import ...``);
    # only that package, not the project around it
    import importlib.util

    impl = importlib.util.find_spec("impl")
    if impl is not None and impl.submodule_search_locations:
        read_only.extend(impl.submodule_search_locations)
    command = [
        bwrap, "--unshare-all", "--unshare-user", "--uid", "65534", "--gid", "65534", "--disable-userns",
        "--die-with-parent", "--new-session", "--cap-drop", "ALL",
        "--size", str(MAX_FOLDER), "--tmpfs", INSIDE_FOLDER,
        "--proc", "/proc", "--dev", "/dev",
    ]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            command += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            read_only.append(top)
    for extra in ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime"):
        if os.path.exists(extra):
            read_only.append(extra)
    user_folder = os.path.dirname(os.path.abspath(user_file))
    # the folder, for the imports of the files beside it; not "/" or the private folder itself
    read_only.append(user_file if _under(INSIDE_FOLDER, [user_folder]) else user_folder)
    read_only.append(str(CHILD))
    seen = []
    for path in read_only:
        path = os.path.abspath(path)
        if path in seen or not os.path.exists(path) or _under(path, [p for p in seen if os.path.isdir(p)]):
            continue
        seen.append(path)
        command += ["--ro-bind", path, path]
    command += ["--chdir", INSIDE_FOLDER, "--info-fd", str(info_fd), "--"]
    command += [sys.executable, "-P", str(CHILD), str(fds[0]), str(fds[1]), INSIDE_FOLDER]
    return command


def _read_until_eof(fd: int, deadline: float, limit: int = 4096) -> bytes:
    """What arrives on ``fd`` until it closes (or ``deadline``, or ``limit`` bytes)."""
    data = b""
    while len(data) < limit:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            break
        chunk = os.read(fd, limit)
        if not chunk:
            break
        data += chunk  # read to the end: bubblewrap dies of SIGPIPE if its reader leaves early
    return data


def _stop(process: subprocess.Popen) -> str:
    """Kill a child that did not start right; its first line of output (bubblewrap's error)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()
    said = b""
    if process.stdout is not None:
        said = process.stdout.read(500)
        process.stdout.close()
    text = said.decode("utf-8", "replace").strip().splitlines()
    return text[0][:200] if text else f"exit status {process.returncode}"


class Cgroup:
    """A fresh cgroup that caps the processes and memory of the whole sandbox, removed afterwards.

    Tries cgroup v2 (a delegated subtree with the ``pids`` and ``memory``
    controllers), then v1 (a child of this process's ``pids`` and ``memory``
    cgroups). `make` returns None where neither can be made (no permission,
    no controllers, not Linux).
    """

    PREFIX = "backprop-spec-"

    def __init__(self, version: int, folders: dict):
        self.version, self.folders = version, folders  # controller -> the cgroup's folder

    @classmethod
    def make(cls) -> "Cgroup | None":
        if not sys.platform.startswith("linux"):
            return None
        mine = _own_cgroups()
        for attempt in (cls._make_v2, cls._make_v1):
            try:
                made = attempt(mine)
            except OSError:
                made = None
            if made is not None:
                return made
        return None

    @classmethod
    def _name(cls) -> str:
        return f"{cls.PREFIX}{os.getpid()}-{time.monotonic_ns()}"

    @classmethod
    def _clean_stale(cls, parent: str) -> None:
        """Remove the empty cgroups a checker that was killed left behind (its pid is in the name)."""
        try:
            names = [n for n in os.listdir(parent) if n.startswith(cls.PREFIX)]
        except OSError:
            return
        for name in names:
            try:
                pid = int(name[len(cls.PREFIX):].split("-")[0])
                os.kill(pid, 0)
            except ProcessLookupError:
                try:
                    os.rmdir(os.path.join(parent, name))
                except OSError:
                    pass
            except (ValueError, PermissionError):
                pass

    @classmethod
    def _make_v2(cls, mine) -> "Cgroup | None":
        mount, path = _mount_point("cgroup2"), mine.get("")
        if mount is None or path is None:
            return None
        parent = os.path.join(mount, path.lstrip("/"))
        with open(os.path.join(parent, "cgroup.controllers")) as handle:
            if not {"pids", "memory"} <= set(handle.read().split()):
                return None
        cls._clean_stale(parent)
        folder = os.path.join(parent, cls._name())
        os.mkdir(folder)
        made = cls(2, {"pids": folder, "memory": folder})
        try:
            with open(os.path.join(folder, "pids.max"), "w") as handle:
                handle.write(str(MAX_PROCESSES))
            with open(os.path.join(folder, "memory.max"), "w") as handle:
                handle.write(str(MAX_TREE_MEMORY))
            with open(os.path.join(folder, "memory.swap.max"), "w") as handle:
                handle.write("0")
        except OSError:
            made.remove()
            return None
        return made

    @classmethod
    def _make_v1(cls, mine) -> "Cgroup | None":
        folders = {}
        made = cls(1, folders)
        try:
            for controller, limits in (
                ("pids", {"pids.max": MAX_PROCESSES}),
                ("memory", {"memory.limit_in_bytes": MAX_TREE_MEMORY}),
            ):
                mount, path = _mount_point("cgroup", controller), mine.get(controller)
                if mount is None or path is None:
                    made.remove()
                    return None
                parent = os.path.join(mount, path.lstrip("/"))
                cls._clean_stale(parent)
                folder = os.path.join(parent, cls._name())
                os.mkdir(folder)
                folders[controller] = folder
                for name, value in limits.items():
                    with open(os.path.join(folder, name), "w") as handle:
                        handle.write(str(value))
            try:  # no swap either, where swap is accounted
                with open(os.path.join(folders["memory"], "memory.memsw.limit_in_bytes"), "w") as handle:
                    handle.write(str(MAX_TREE_MEMORY))
            except OSError:
                pass
        except OSError:
            made.remove()
            return None
        return made

    def join_script(self) -> str:
        """A shell script that moves the shell into the cgroup, then runs its arguments in its place."""
        files = sorted({os.path.join(f, "cgroup.procs") for f in self.folders.values()})
        joins = "".join(f"echo $$ > '{f}' || exit 125; " for f in files)
        return joins + 'exec "$@"'

    def describe(self, pid: int) -> str:
        """The limits read back from the cgroup, if the sandbox is in it."""
        pids_folder, memory_folder = self.folders["pids"], self.folders["memory"]
        try:
            with open(os.path.join(pids_folder, "cgroup.procs")) as handle:
                inside = str(pid) in handle.read().split()
            with open(os.path.join(pids_folder, "pids.max")) as handle:
                processes = handle.read().strip()
            name = "memory.max" if self.version == 2 else "memory.limit_in_bytes"
            with open(os.path.join(memory_folder, name)) as handle:
                memory = int(handle.read().strip())
        except (OSError, ValueError):
            return "cgroup limits could not be read back"
        if not inside:
            return "cgroup made but the sandbox is not in it (no limit on processes or memory together)"
        return f"cgroup v{self.version}: at most {processes} processes, {memory / 2**30:g} GiB of memory, all together"

    def remove(self) -> None:
        for folder in set(self.folders.values()):
            for _ in range(50):
                try:
                    os.rmdir(folder)
                    break
                except FileNotFoundError:
                    break
                except OSError:  # the last processes are still being reaped
                    time.sleep(0.02)
        self.folders = {k: v for k, v in self.folders.items() if os.path.isdir(v)}


def _own_cgroups() -> dict:
    """This process's cgroup per controller ("" for cgroup v2), from /proc/self/cgroup."""
    found = {}
    try:
        with open("/proc/self/cgroup") as handle:
            for line in handle:
                _, controllers, path = line.rstrip("\n").split(":", 2)
                for controller in controllers.split(",") if controllers else [""]:
                    found[controller] = path
    except (OSError, ValueError):
        pass
    return found


def _mount_point(fstype: str, controller: str = "") -> str | None:
    """Where a cgroup file system (v2, or v1 with ``controller``) is mounted read-write (/proc/self/mountinfo)."""
    try:
        with open("/proc/self/mountinfo") as handle:
            lines = handle.readlines()
    except OSError:
        return None
    for line in lines:
        left, _, right = line.partition(" - ")
        fields, after = left.split(), right.split()
        if len(fields) < 6 or len(after) < 3 or after[0] != fstype:
            continue
        if "rw" not in fields[5].split(",") or fields[3] != "/":
            continue
        if controller and controller not in after[2].split(","):
            continue
        return fields[4]
    return None


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


def _processes_of(uid: int) -> int:
    """How many processes ``uid`` has now (from /proc; 0 where there is none)."""
    count = 0
    try:
        entries = [e for e in os.listdir("/proc") if e.isdigit()]
    except OSError:
        return 0
    for entry in entries:
        try:
            count += os.stat(f"/proc/{entry}").st_uid == uid
        except OSError:
            pass
    return count


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

