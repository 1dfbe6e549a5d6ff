"""The child process of `spec.verify.sandbox`: it imports the user's file and runs their code on request.

Run as a script (``python -P _child.py FILE.py``), never imported by
the checker. It imports only the standard library and NumPy, holds the user's
objects, and answers requests read from one pipe on another:

* ``load``: import the file (as a module, not as ``__main__``) and describe
  its classes and functions;
* ``new``: instantiate a class, describe the instance's attributes;
* ``get`` / ``set``: read or replace a value at a path (attribute, list index,
  dict key) inside an object;
* ``call``: call a method or function with arrays and numbers, return what it
  returned, converted to plain float64 arrays;
* ``describe``: the attributes of an object, again (after a call, say).

Nothing it sends back is executable: a JSON header and NumPy ``.npy`` arrays,
which the checker loads with ``allow_pickle=False``. Every exception, even
``SystemExit``, is caught and reported with the user's file and line. The
checker judges; this process only runs code and reports what happened.
"""

from __future__ import annotations

import importlib.util
import inspect
import io
import json
import os
import re
import struct
import sys
import traceback
import types

import numpy as np

#: Largest array sent back (float64 values); a bigger one is reported, not sent.
MAX_VALUES = 4_000_000
#: How deep `describe` looks into lists, tuples and dicts of parameters.
MAX_DEPTH = 3
#: How many entries of one container `describe` lists.
MAX_ENTRIES = 64
#: Address space of the process running the user's code, and of each process it starts (bytes).
MAX_MEMORY = 4 * 2**30
#: Largest file the user's code may write (bytes; `spec.verify.sandbox.MAX_FOLDER`).
MAX_FILE = 256 * 2**20


class Reply(Exception):
    """A request failed in a way the checker should hear about as a plain error."""


# --- framing: 8-byte length, then the payload ------------------------------------------


def _read_exact(fd: int, n: int) -> bytes:
    chunks, left = [], n
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _read_frame(fd: int) -> bytes:
    (n,) = struct.unpack(">Q", _read_exact(fd, 8))
    return _read_exact(fd, n)


def _write_frame(fd: int, payload: bytes) -> None:
    data = struct.pack(">Q", len(payload)) + payload
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _array_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def _array_from(payload: bytes) -> np.ndarray:
    return np.load(io.BytesIO(payload), allow_pickle=False)


# --- what the user's values look like ----------------------------------------------------


def _float_array(value):
    """``value`` as a float64 ndarray if it is a real numeric array (not a bool, not a str), else None."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "fiu" or value.dtype.kind == "b":
            return None
        return np.asarray(value, dtype=np.float64)
    return None


def _where_in_user_code(err: BaseException, user_file: str | None) -> str:
    """``file:line in function`` of the deepest frame in the user's file (else the deepest frame)."""
    if isinstance(err, SyntaxError) and err.filename:
        return f"{os.path.basename(err.filename)}:{err.lineno}"
    frames = traceback.extract_tb(err.__traceback__)
    ours = [f for f in frames if user_file and os.path.abspath(f.filename) == user_file]
    if not ours:
        # not the user's file itself: the deepest frame that is not Python's import machinery
        ours = [f for f in frames if not f.filename.startswith("<frozen")]
    if not ours:
        return ""
    frame = ours[-1]
    return f"{os.path.basename(frame.filename)}:{frame.lineno} in {frame.name}"


def _describe_value(value, depth=0):
    """A JSON description of a value: arrays by shape, numbers by value, containers by entries."""
    array = _float_array(value)
    if array is not None:
        return {"kind": "array", "shape": list(array.shape), "dtype": str(value.dtype)}
    if isinstance(value, bool):
        return {"kind": "bool", "value": value}
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        number = float(value)
        return {"kind": "number", "value": number if np.isfinite(number) else str(number)}
    if isinstance(value, (list, tuple)) and depth < MAX_DEPTH:
        return {
            "kind": type(value).__name__,
            "length": len(value),
            "entries": [_describe_value(v, depth + 1) for v in value[:MAX_ENTRIES]],
        }
    if isinstance(value, dict) and depth < MAX_DEPTH:
        entries = {}
        for key, v in list(value.items())[:MAX_ENTRIES]:
            if isinstance(key, (str, int)) and not isinstance(key, bool):
                entries[str(key)] = {"key": key, **_describe_value(v, depth + 1)}
        return {"kind": "dict", "length": len(value), "entries": entries}
    if inspect.isroutine(value) or inspect.isclass(value) or isinstance(value, (types.ModuleType, str, bytes)):
        return {"kind": "callable" if callable(value) else "other", "type": type(value).__name__}
    if depth < MAX_DEPTH and isinstance(getattr(value, "__dict__", None), dict):
        # an object inside the object (a layer, an inner network): its attributes too
        return {"kind": "object", "type": type(value).__name__, "attributes": _describe_object(value, depth + 1)}
    return {"kind": "other", "type": type(value).__name__}


def _describe_object(obj, depth=0):
    """An instance's attributes: its ``__dict__``, then the values of its class's properties.

    Reading a property runs the user's code: any exception is caught, and the
    property is then described as an error.
    """
    attributes = {}
    state = getattr(obj, "__dict__", None)
    if isinstance(state, dict):
        for name, value in list(state.items())[: 4 * MAX_ENTRIES]:
            if isinstance(name, str):
                attributes[name] = _describe_value(value, depth)
    for name, member in inspect.getmembers_static(type(obj)):
        if isinstance(member, property) and name not in attributes and not name.startswith("__"):
            try:
                attributes[name] = _describe_value(getattr(obj, name), depth)
            except BaseException as err:  # the user's property may raise anything
                where = _where_in_user_code(err, None)
                attributes[name] = {"kind": "error", "type": type(err).__name__,
                                    "message": f"{type(err).__name__}: {_safe_str(err)}" + (f" (at {where})" if where else "")}
    return attributes


def _signature(fn):
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    params = []
    for p in sig.parameters.values():
        entry = {"name": p.name, "kind": p.kind.name, "has_default": p.default is not inspect.Parameter.empty}
        if entry["has_default"] and isinstance(p.default, (int, float)) and not isinstance(p.default, bool):
            entry["default"] = float(p.default)
        params.append(entry)
    return params


def _describe_module(module, path):
    """Classes and functions defined in the user's file, with their methods' signatures."""
    classes, functions = {}, {}
    for name, value in list(vars(module).items()):
        if name.startswith("__"):
            continue
        defined_here = getattr(value, "__module__", None) == module.__name__
        if inspect.isclass(value):
            methods = {}
            for attr, member in inspect.getmembers_static(value):
                if attr.startswith("__") and attr not in ("__init__", "__call__"):
                    continue
                if isinstance(member, (staticmethod, classmethod)):
                    member = member.__func__
                if isinstance(member, property):
                    methods[attr] = {"property": True}
                elif inspect.isfunction(member):
                    methods[attr] = {"signature": _signature(member), "line": member.__code__.co_firstlineno}
            classes[name] = {"defined_here": defined_here, "methods": methods}
        elif inspect.isfunction(value):
            functions[name] = {
                "defined_here": defined_here,
                "signature": _signature(value),
                "line": value.__code__.co_firstlineno,
            }
    return {"classes": classes, "functions": functions, "path": path}


# --- observe mode: a script that trains when run -----------------------------------------


class _Observed(BaseException):
    """Raised from the tracer once enough iterations of the training loop are seen: the script stops there."""


class _NoIPython:
    """What ``get_ipython()`` returns in observe mode: every attribute a no-op."""

    def __init__(self, *args, **kwargs):
        pass

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


class _Nothing:
    """Stands in for a display-only object (a figure, a progress bar, a display handle): every use does nothing."""

    def __init__(self, *args, **kwargs):
        self._items = args[0] if args and hasattr(args[0], "__iter__") else None

    def __getattr__(self, name):
        return _Nothing()

    def __call__(self, *args, **kwargs):
        return _Nothing(*args)

    def __iter__(self):
        return iter(self._items if self._items is not None else ())

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _stub_module(name: str):
    """A module standing in for a display-only package the user's environment has and this one lacks.

    ``tqdm(iterable)`` (and ``trange``) give back the iteration itself; everything else does nothing.
    """
    module = types.ModuleType(name)
    module.__path__ = []  # a package: its submodules (IPython.display, tqdm.auto) are stubs too

    def progress(iterable=None, *args, **kwargs):
        return iterable if iterable is not None else _Nothing()

    module.tqdm = progress
    module.trange = lambda *args, **kwargs: range(*args)
    module.__getattr__ = lambda attr: _Nothing()
    return module


#: Arrays larger than this are not copied at every iteration (only referenced: data, not parameters).
SNAPSHOT_VALUES = 200_000
#: How many arrays one snapshot holds at most.
SNAPSHOT_ARRAYS = 256


def _loop_lines(source: str) -> set:
    import ast

    return {node.lineno for node in ast.walk(ast.parse(source)) if isinstance(node, (ast.For, ast.While))}


#: Attribute names of a learning rate, kept when they are numbers on an object (``optimizer.learning_rate``).
_RATE_NAME = re.compile(r"^(lr|learning_?rate|alpha|eta|step_?size|l_?rate|learn_?rate)$", re.I)


def _scope(frame) -> dict:
    """``{path: array}`` for the float arrays in the frame's globals, locals and objects in them."""
    found = {}
    seen = set()

    def walk(path, value, depth):
        if len(found) >= SNAPSHOT_ARRAYS or id(value) in seen:
            return
        if isinstance(value, np.ndarray):
            if value.dtype.kind in "fiub" and value.size > 0:  # integer data too (inputs, labels)
                found[path] = value
            return
        if isinstance(value, (float, np.floating)) and not isinstance(value, bool) and (
                depth == 0 or (depth <= 2 and _RATE_NAME.match(str(path[-1][1])))):
            # a number: one sample's target, say (never a parameter); an object's learning rate (optimizer.lr)
            found[path] = np.asarray(float(value))
            return
        if depth >= 3 or isinstance(value, (str, bytes, int, float, type, types.ModuleType)) or inspect.isroutine(value):
            return
        seen.add(id(value))
        if isinstance(value, (list, tuple)):
            for k, v in enumerate(value[:MAX_ENTRIES]):
                walk(path + (("key", k),), v, depth + 1)
        elif isinstance(value, dict):
            for k, v in list(value.items())[:MAX_ENTRIES]:
                if isinstance(k, (str, int)) and not isinstance(k, bool):
                    walk(path + (("key", k),), v, depth + 1)
        else:
            state = getattr(value, "__dict__", None)
            if isinstance(state, dict):
                for k, v in list(state.items())[:MAX_ENTRIES]:
                    if isinstance(k, str) and not k.startswith("__"):
                        walk(path + (("attr", k),), v, depth + 1)

    names = dict(frame.f_globals)
    if frame.f_locals is not frame.f_globals:
        names.update(frame.f_locals)

    def size(item):
        # containers first, the smallest first: a mini-batch of ten (x, y) pairs is seen before the whole
        # training list that shares its pairs (and before the cap on arrays is reached), and the layers of a
        # model list before the loop variable that last pointed at one of them; then everything else
        value = item[1]
        if isinstance(value, (list, tuple, dict)):
            return 0, len(value)
        return 1, 0

    for name, value in sorted(names.items(), key=size):
        if not name.startswith("__"):
            walk((("attr", name),), value, 0)
    return found


#: What one recorded window may hold: line events, and (line, name, array) records.
RECORD_EVENTS = 20_000
RECORD_ENTRIES = 2_000
#: Total float64 values of the recorded arrays sent back.
RECORD_VALUES = 4_000_000


class Recorder:
    """Records which float arrays each line of the user's file sets, in the order the lines ran.

    Between two line events of one frame (or a line and the frame's return) the
    arrays in the frame's scope that are new or changed were set by the earlier
    line; each becomes a record ``(line, function, path, copy)``. A call made by a
    line is recorded inside the callee first, then the caller's own assignment.
    Used for one window at a time (one iteration of a training loop, one driven
    call), so that the checker can find the line whose value departs from the spec.
    """

    def __init__(self, user_file):
        self.user_file = user_file
        self.frames = {}  # frame -> (line, {path: copy})
        self.records, self.events, self.full = [], 0, False

    def start(self):
        self.frames, self.records, self.events, self.full = {}, [], 0, False

    def see(self, frame, event, arg=None):
        """One line or return event of a frame of the user's file (``arg``: the value a return returns)."""
        if self.full:
            return
        self.events += 1
        if self.events > RECORD_EVENTS or len(self.records) > RECORD_ENTRIES:
            self.full = True
            return
        now = {p: a for p, a in _scope(frame).items() if a.size <= SNAPSHOT_VALUES}
        line, before = self.frames.get(frame, (None, None))
        if line is not None:
            for path, array in now.items():
                old = before.get(path)
                if old is None or old.shape != array.shape or not np.array_equal(old, array, equal_nan=True):
                    self.records.append((line, frame.f_code.co_name, path, array.copy()))
        if event == "return":
            self.frames.pop(frame, None)
            # what the function returns is a line's value too (return grad @ self.W.T)
            if isinstance(arg, np.ndarray) and arg.dtype.kind == "f" and 0 < arg.size <= SNAPSHOT_VALUES:
                self.records.append((frame.f_lineno, frame.f_code.co_name, (("attr", "(returned)"),), arg.copy()))
        else:
            self.frames[frame] = (frame.f_lineno, {p: a.copy() for p, a in now.items()})

    def answer(self):
        """``(records, arrays)``: each record ``[line, function, path key, array index]``."""
        records, arrays, total = [], [], 0
        for line, function, path, array in self.records:
            total += array.size
            if total > RECORD_VALUES:
                self.full = True
                break
            records.append([line, function, _path_key(path), len(arrays)])
            arrays.append(np.asarray(array, dtype=np.float64))
        return records, arrays


#: Names of gradients kept between steps (not parameters, though they change every pass).
_GRADIENT_NAMES = __import__("re").compile(r"grad|nabla|^d[A-Z_]|^d(w|b)\d*$|^delta|velocit|momentum", 2)


class Observer:
    """Watches a script train: snapshots the float arrays in scope at every pass through a loop's header.

    A loop's pass k (its header reached for the k-th time) closes iteration k. The
    arrays that existed when the loop was entered and that change in every
    iteration, the same ones each time, are its parameters; once one loop has
    shown ``iterations`` such iterations in a row, `_Observed` stops the script.
    """

    def __init__(self, user_file, source, iterations, namespace):
        self.user_file, self.iterations, self.namespace = user_file, iterations, namespace
        self.lines = _loop_lines(source)
        self.loops = {}  # (code, line) -> state
        self.found = None
        # the lines of the candidate loop's latest iteration (`Recorder`), for the line of a mistake
        self.recorder, self.recording = Recorder(user_file), None

    def global_trace(self, frame, event, arg):
        if frame.f_code.co_filename != self.user_file:
            return None
        return self.local_trace

    def local_trace(self, frame, event, arg):
        if self.recording is not None and event in ("line", "return"):
            self.recorder.see(frame, event, arg)
        if event == "line" and frame.f_lineno in self.lines:
            self.hit(frame)
        return self.local_trace

    def hit(self, frame):
        key = (frame.f_code, frame.f_lineno)
        arrays = _scope(frame)
        snap = {p: (a.copy() if a.size <= SNAPSHOT_VALUES else a) for p, a in arrays.items()}
        state = self.loops.get(key)
        if state is None:
            self.loops[key] = {"entry": set(snap), "snaps": [snap], "params": None, "records": None,
                               "entry_shapes": {p: list(a.shape) for p, a in snap.items()}}
            return
        previous = state["snaps"][-1]
        changed = tuple(p for p in snap if p in state["entry"] and p in previous and previous[p].shape == snap[p].shape
                        and snap[p].dtype.kind == "f" and snap[p].ndim > 0 and snap[p].size <= SNAPSHOT_VALUES
                        and not np.array_equal(previous[p], snap[p]))
        # a training step moves most entries of some parameter; a loop filling an array (one-hot
        # targets, a row at a time) changes a sliver of it: not a training loop
        if changed and max(np.mean(previous[p] != snap[p]) for p in changed) < 0.1:
            changed = ()
        # nor is a loop that only writes into entries that were still zero (an array filled block by block)
        if changed and all(np.all(previous[p][previous[p] != snap[p]] == 0) for p in changed):
            changed = ()
        # a gradient accumulated sample by sample (nabla_w += ...) is not a parameter being trained
        changed = tuple(p for p in changed
                        if not _GRADIENT_NAMES.search(next((str(n) for k, n in reversed(p) if k == "attr"), "")))
        # and a step moves some parameter by a fraction of itself; a loop that replaces its arrays wholesale
        # (h = layer.forward(h) through layers of one width) is a forward pass, not training
        if changed and min(float(np.linalg.norm(snap[p] - previous[p])) / max(float(np.linalg.norm(previous[p])), 1e-300)
                           for p in changed) >= 0.5:
            changed = ()
        if not changed or changed != state["params"]:
            state["params"] = changed or None
            state["snaps"] = [previous]
        state["snaps"].append(snap)
        if self.recording == key:
            # the iteration that just ended, line by line (the one between the last two snapshots)
            state["records"] = (self.recorder.records, self.recorder.full)
        if state["params"]:
            if self.recording != key:
                state["records"] = None
            self.recording = key
            self.recorder.start()
        elif self.recording == key:
            self.recording = None
        if state["params"] and len(state["snaps"]) > self.iterations:
            self.found = (key, state)
            raise _Observed()

    def answer(self):
        if self.found is None:
            return {"found": False, "loops": len(self.loops)}, []  # the module is described by `Child.observe`
        (code, line), state = self.found
        params = list(state["params"])
        out, header_steps = [], []
        last = {}
        for snap in state["snaps"]:
            entries = {}
            for path, array in snap.items():
                if array.size > MAX_VALUES:
                    continue
                before = last.get(path)
                if before is not None and out[before].shape == array.shape and np.array_equal(out[before], array):
                    entries[_path_key(path)] = before
                    continue
                out.append(np.asarray(array, dtype=np.float64))
                last[path] = len(out) - 1
                entries[_path_key(path)] = len(out) - 1
            header_steps.append(entries)
        reply = {"found": True, "line": line, "function": code.co_name, "params": [_path_key(p) for p in params],
                 "entry": sorted(_path_key(p) for p in state["entry"]), "snapshots": header_steps,
                 "entry_shapes": {_path_key(p): state["entry_shapes"][p] for p in params}}
        if state["records"] is not None:
            self.recorder.records, full = state["records"]
            records, arrays = self.recorder.answer()
            reply["records"] = [[ln, fn, key, index + len(out)] for ln, fn, key, index in records]
            reply["records_complete"] = not (full or self.recorder.full)
            out += arrays
        return reply, out


#: Values in one packed chunk (`_pack`), and chunks in one answer.
PACK_VALUES = 4_000_000
PACK_CHUNKS = 12


def _pack(arrays) -> tuple[list, list]:
    """Many arrays as a few: ``(table, chunks)``, ``table[k] = [chunk, offset, shape]`` for ``arrays[k]``.

    An answer carries at most 64 arrays; a script's snapshots and a step's recorded
    lines are more, so they travel flattened into chunks of `PACK_VALUES` values.
    """
    table, chunks, current, used = [], [], [], 0
    for array in arrays:
        flat = np.ravel(np.asarray(array, dtype=np.float64))
        if flat.size > PACK_VALUES:
            raise Reply(f"an array of {flat.size} values is more than {PACK_VALUES}")
        if used + flat.size > PACK_VALUES:
            chunks.append(np.concatenate(current) if current else np.zeros(0))
            current, used = [], 0
            if len(chunks) >= PACK_CHUNKS:
                raise Reply(f"more than {PACK_CHUNKS * PACK_VALUES} values to send back")
        table.append([len(chunks), used, list(np.shape(array))])
        current.append(flat)
        used += flat.size
    if current:
        chunks.append(np.concatenate(current))
    return table, chunks


def _loops_of(err) -> int:
    try:
        value = getattr(err, "_observed_loops", 0)
    except BaseException:
        return 0
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _path_key(path) -> str:
    """A path as JSON text: ``[["attr", "dense1"], ["attr", "weights"]]``."""
    return json.dumps([list(step) for step in path])


# --- the request loop ------------------------------------------------------------------


class Child:
    def __init__(self, requests: int, replies: int, confinement: str = "none"):
        self.requests, self.replies = requests, replies
        self.confinement = confinement
        self.module = None
        self.user_file = None
        self.objects: dict[int, object] = {}
        self.returns: dict[int, object] = {}

    def serve(self) -> None:
        while True:
            try:
                header = json.loads(_read_frame(self.requests).decode("utf-8"))
                arrays = [_array_from(_read_frame(self.requests)) for _ in range(header.get("arrays", 0))]
            except EOFError:
                return
            try:
                result, out_arrays = self.handle(header, arrays)
                reply = {"ok": True, **result}
            except Reply as err:
                reply, out_arrays = {"ok": False, "error": str(err), "kind": "request"}, []
            except BaseException as err:  # the user's code may raise anything, SystemExit included
                reply = {
                    "ok": False,
                    "kind": "exception",
                    "type": type(err).__name__,
                    "error": _safe_str(err),
                    "where": _where_in_user_code(err, self.user_file),
                    "loops": _loops_of(err),
                }
                out_arrays = []
            reply["arrays"] = len(out_arrays)
            reply["id"] = header.get("id")
            _write_frame(self.replies, json.dumps(reply).encode("utf-8"))
            for array in out_arrays:
                _write_frame(self.replies, _array_bytes(array))

    # --- requests ---

    def handle(self, header, arrays):
        op = header.get("op")
        if op == "measure":
            # asked and answered before the user's code is imported: once it runs it could forge any
            # answer of this process, so the checker takes the confinement from this one only
            measured = measure(os.environ.get("TMPDIR"), os.path.dirname(os.path.abspath(header["path"])))
            return {"confinement": f"{measured}; {self.confinement}"}, []
        if op == "load":
            return self.load(header["path"]), []
        if op == "observe":
            return self.observe(header["path"], header["source"], int(header.get("iterations", 3)),
                                header.get("stubs", []))
        if op == "new":
            obj = self.resolve(header["target"])
            instance = obj(*self.values(header.get("args", []), arrays), **self.kwargs(header, arrays))
            handle = len(self.objects) + 1
            self.objects[handle] = instance
            return {"handle": handle, "attributes": _describe_object(instance)}, []
        if op == "describe":
            return {"attributes": _describe_object(self.objects[header["handle"]])}, []
        if op == "get":
            out, described = [], []
            for path in header["paths"]:
                value = self.lookup(header["handle"], path)
                array = _float_array(value)
                if array is None and isinstance(value, (int, float, np.integer, np.floating)):
                    array = np.asarray(float(value))
                if array is None:
                    raise Reply(f"{_path_text(path)} is a {type(value).__name__}, not a numeric array")
                if array.size > MAX_VALUES:
                    raise Reply(f"{_path_text(path)} has {array.size} values, more than {MAX_VALUES}")
                out.append(array)
                described.append(list(array.shape))
            return {"shapes": described}, out
        if op == "set":
            for path, array in zip(header["paths"], arrays):
                self.assign(header["handle"], path, array.copy())
            return {}, []
        if op == "call":
            fn = self.resolve(header["target"], header.get("handle"))
            args, kwargs = self.values(header.get("args", []), arrays), self.kwargs(header, arrays)
            recorder = Recorder(self.user_file) if header.get("record") else None
            if recorder is not None:
                # the lines of the user's file this call runs, each with the arrays it set (`Recorder`)
                def trace(frame, event, arg):
                    if frame.f_code.co_filename != self.user_file:
                        return None

                    def local(frame, event, arg):
                        if event in ("line", "return"):
                            recorder.see(frame, event, arg)
                        return local
                    return local
                sys.settrace(trace)
            try:
                value = fn(*args, **kwargs)
            finally:
                sys.settrace(None)
            # kept, so that a later call can be given what this one returned (a forward pass's cache)
            self.returns[header.get("id")] = value
            for old in sorted(self.returns)[:-8]:
                del self.returns[old]
            encoded, out = self.encode(value)
            reply = {"value": encoded}
            if recorder is not None:
                records, recorded = recorder.answer()
                reply["records"] = records
                reply["records_complete"] = not recorder.full
                reply["packed"], chunks = _pack(recorded)
                out = out + chunks
            return reply, out
        raise Reply(f"unknown request {op!r}")

    def load(self, path):
        self.user_file = os.path.abspath(path)
        folder = os.path.dirname(self.user_file)
        sys.path.insert(0, folder)
        sys.argv = [self.user_file]
        # the name a plain `import net` would give it (unless that would replace a loaded module)
        name = os.path.splitext(os.path.basename(self.user_file))[0]
        if not name.isidentifier() or name in sys.modules:
            name = f"{name if name.isidentifier() else 'user_module'}_checked"
        spec_ = importlib.util.spec_from_file_location(name, self.user_file)
        if spec_ is None or spec_.loader is None:
            raise Reply(f"cannot import {path} as Python")
        module = importlib.util.module_from_spec(spec_)
        sys.modules[spec_.name] = module
        # training at import (net.train(X, y, 10**6) at the bottom of the file) is stopped after a few passes of
        # its loop, as observe mode stops a script: the classes and functions defined above it are what is driven
        try:
            with open(self.user_file, encoding="utf-8", errors="replace") as f:
                observer = Observer(self.user_file, f.read(), 3, module.__dict__)
        except (OSError, SyntaxError, ValueError):
            observer = None
        if observer is not None:
            sys.settrace(observer.global_trace)
        stopped = None
        try:
            spec_.loader.exec_module(module)
        except _Observed:
            (code, line), _ = observer.found
            stopped = {"line": line, "function": code.co_name}
        finally:
            sys.settrace(None)
        self.module = module
        described = _describe_module(module, path)
        if stopped is not None:
            described["stopped"] = stopped
        return described

    def observe(self, path, source, iterations, stubs=()):
        """Run ``source`` (the user's file, or a notebook's cells) as ``__main__`` under a tracer; see `Observer`."""
        self.user_file = os.path.abspath(path)
        folder = os.path.dirname(self.user_file)
        sys.path.insert(0, folder)
        sys.argv = [self.user_file]
        code = compile(source, self.user_file, "exec")
        module = types.ModuleType("__main__")
        module.__file__ = self.user_file
        module.__builtins__ = __builtins__
        module.get_ipython = _NoIPython
        for name in stubs:  # display-only packages missing here (IPython, tqdm): stand-ins that do nothing
            if isinstance(name, str) and name.replace(".", "").isidentifier():
                sys.modules.setdefault(name, _stub_module(name))
        observer = Observer(self.user_file, source, iterations, module.__dict__)
        sys.settrace(observer.global_trace)
        try:
            exec(code, module.__dict__)
        except _Observed:
            pass
        except BaseException as err:
            try:  # how far it got: a failure inside a training loop is the code misbehaving, not a missing module
                err._observed_loops = len(observer.loops)
            except BaseException:
                pass
            raise
        finally:
            sys.settrace(None)
        self.module = module
        reply, arrays = observer.answer()
        if not reply["found"]:  # nothing trained: what the run defined may still be driven
            reply["module"] = _describe_module(module, path)
        reply["packed"], chunks = _pack(arrays)
        return reply, chunks

    def resolve(self, target, handle=None):
        """A callable by name: ``Class``, ``function`` or, with a handle, ``method`` of that object."""
        if handle is not None:
            owner = self.objects[handle]
            return getattr(owner, target)
        value = getattr(self.module, target, None)
        if value is None:
            raise Reply(f"the file has no {target!r}")
        return value

    def values(self, specs, arrays):
        return [self.value(s, arrays) for s in specs]

    def kwargs(self, header, arrays):
        return {k: self.value(v, arrays) for k, v in header.get("kwargs", {}).items()}

    def value(self, spec, arrays):
        if isinstance(spec, dict) and "array" in spec:
            if spec.get("as") == "int64":
                # integer class labels: arrays travel as float64, holding small whole numbers exactly
                return arrays[spec["array"]].astype(np.int64)
            return arrays[spec["array"]].copy()
        if isinstance(spec, dict) and "handle" in spec:
            return self.objects[spec["handle"]]
        if isinstance(spec, dict) and "list" in spec:
            return [self.value(v, arrays) for v in spec["list"]]
        if isinstance(spec, dict) and "pairs" in spec:
            # a mini-batch as a list of (x, y) tuples
            return [(arrays[i].copy(), arrays[j].copy()) for i, j in spec["pairs"]]
        if isinstance(spec, dict) and "returned" in spec:
            # (part of) what an earlier call returned, as that call returned it
            value = self.returns[spec["returned"]]
            for k in spec.get("index", []):
                value = value[k]
            return value
        return spec

    def lookup(self, handle, path):
        value = self.objects[handle]
        for k, step in enumerate(path):
            try:
                value = getattr(value, step["attr"]) if "attr" in step else value[step["key"]]
            except (AttributeError, KeyError, IndexError, TypeError) as err:
                where = _path_text(path[: k + 1])
                raise Reply(f"has no {where} ({type(err).__name__}: {_safe_str(err)})") from None
        return value

    def assign(self, handle, path, array):
        owner = self.lookup(handle, path[:-1])
        last = path[-1]
        try:
            old = getattr(owner, last["attr"]) if "attr" in last else owner[last["key"]]
        except Exception:
            old = None
        # keep what the code had: its float type (float32 stays float32), a number stays a number
        if isinstance(old, np.ndarray) and old.dtype.kind == "f" and old.shape == array.shape:
            array = array.astype(old.dtype)
        elif isinstance(old, (float, np.floating)) and array.size == 1:
            array = type(old)(array.reshape(()))
        if "attr" in last:
            setattr(owner, last["attr"], array)
        else:
            owner[last["key"]] = array

    def encode(self, value, depth=0):
        """What a call returned: arrays as arrays, tuples and lists entry by entry, the rest by kind."""
        out = []

        def walk(v, d):
            if isinstance(v, (list, tuple)) and d < MAX_DEPTH:
                # the container's own length and items, never a subclass's __iter__ or __len__
                base = list if isinstance(v, list) else tuple
                n = base.__len__(v)
                if n > MAX_ENTRIES:
                    return {"kind": "other", "type": f"{type(v).__name__} of {n} items"}
                items = [base.__getitem__(v, k) for k in range(n)]
                return {"kind": base.__name__, "entries": [walk(e, d + 1) for e in items]}
            if isinstance(v, dict) and d < MAX_DEPTH and len(v) <= MAX_ENTRIES:
                return {
                    "kind": "dict",
                    "entries": {str(k): walk(e, d + 1) for k, e in v.items() if isinstance(k, (str, int))},
                }
            array = None
            if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
                array = np.asarray(float(v))
            elif isinstance(v, np.ndarray):
                array = _float_array(v)
            elif v is not None and not isinstance(v, (str, bytes, bool)) and hasattr(v, "__array__"):
                try:  # a torch tensor, a NumPy matrix, ...
                    array = _float_array(np.asarray(v))
                except Exception:
                    array = None
            if array is not None:
                if array.size > MAX_VALUES:
                    return {"kind": "too large", "size": int(array.size)}
                out.append(np.ascontiguousarray(array))
                return {"kind": "array", "index": len(out) - 1, "shape": list(array.shape)}
            if v is None:
                return {"kind": "None"}
            return {"kind": "other", "type": type(v).__name__}

        return walk(value, depth), out


def _safe_str(err: BaseException) -> str:
    """The exception's message as one line of printable text (it goes into the checker's report)."""
    try:
        text = str(err).strip()
    except BaseException:
        text = "(its message could not be printed)"
    return printable(text[:2000])


def printable(text: str) -> str:
    """Control characters (newlines, escape sequences) shown as escapes: user text cannot fake report lines."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _path_text(path) -> str:
    text = ""
    for step in path:
        text += f".{step['attr']}" if "attr" in step else f"[{step['key']!r}]"
    return text.lstrip(".")


# --- Landlock: what the user's code may touch (Linux 5.13+; signals and sockets from 6.12) -------

_LANDLOCK_CREATE_RULESET, _LANDLOCK_ADD_RULE, _LANDLOCK_RESTRICT_SELF = 444, 445, 446
#: Every file-system right that writes: writing, truncating, creating, removing, linking.
_FS_WRITE = {1: 1 << 1 | 0b1111111110000, 2: 1 << 13, 3: 1 << 14}  # by the ABI that added them
_FS_FILE_WRITE = 1 << 1 | 1 << 14  # the write rights that apply to a single file (/dev/null)


def confine(writable: str) -> str:
    """Forbid this process, and all it starts, to write outside ``writable``, to signal or connect to
    processes outside it (the checker), and to use TCP; reading stays allowed (imports need it).

    Uses Landlock through its system calls. Returns what was applied, for the
    checker's report; where the kernel has no Landlock, nothing is applied.
    """
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        abi = libc.syscall(_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    except (OSError, AttributeError):
        return "none (no Landlock)"
    if abi < 1:
        return "none (no Landlock in this kernel)"
    fs = sum(bits for version, bits in _FS_WRITE.items() if abi >= version)
    net = 0b11 if abi >= 4 else 0  # bind and connect TCP
    scoped = 0b11 if abi >= 6 else 0  # abstract unix sockets and signals outside the sandbox

    class RulesetAttr(ctypes.Structure):
        _fields_ = [("fs", ctypes.c_uint64), ("net", ctypes.c_uint64), ("scoped", ctypes.c_uint64)]

    class PathBeneath(ctypes.Structure):
        _pack_ = 1
        _fields_ = [("allowed", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]

    attr = RulesetAttr(fs, net, scoped)
    size = ctypes.sizeof(attr) if abi >= 6 else (16 if abi >= 4 else 8)
    ruleset = libc.syscall(_LANDLOCK_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if ruleset < 0:
        return "none (Landlock refused the rules)"
    try:
        for path, rights in ((writable, fs), ("/dev/null", _FS_FILE_WRITE & fs)):
            fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            try:
                rule = PathBeneath(rights, fd)
                libc.syscall(_LANDLOCK_ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(1), ctypes.byref(rule), ctypes.c_uint32(0))
            finally:
                os.close(fd)
        if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS, which restrict_self requires
            return "none (no_new_privs refused)"
        if libc.syscall(_LANDLOCK_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0)) != 0:
            return "none (Landlock restrict_self refused)"
    finally:
        os.close(ruleset)
    parts = ["no file writes outside a private folder"]
    if net:
        parts.append("no TCP")
    if scoped:
        parts.append("no signals to the checker")
    return f"Landlock ABI {abi}: " + ", ".join(parts)


def _size(n: int) -> str:
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= scale:
            return f"{n / scale:g} {unit}"
    return f"{n} bytes"


#: Whether this process set a per-user process limit (no cgroup counts its processes).
_NPROC_SET = False


def measure(writable: str | None, user_folder: str | None) -> str:
    """What confines this process, measured from inside it (not what was asked for)."""
    import resource
    import socket

    found = [f"uid {os.getuid()}"]
    try:
        with open("/proc/self/status") as handle:
            caps = next(line.split()[1] for line in handle if line.startswith("CapEff:"))
        found.append("no capabilities" if int(caps, 16) == 0 else f"capabilities {caps}")
    except (OSError, StopIteration, ValueError):
        pass
    try:
        names = [name for _, name in socket.if_nameindex()]
        found.append("network: " + (", ".join(names[:4]) if names else "none"))
    except OSError:
        pass
    try:
        found.append(f"{sum(e.isdigit() for e in os.listdir('/proc'))} processes visible")
    except OSError:
        pass
    for folder, label in ((user_folder, "your folder"), ("/usr", "/usr")):
        try:
            if folder and os.statvfs(folder).f_flag & os.ST_RDONLY:
                found.append(f"{label} read-only")
        except OSError:
            pass
    if writable:
        try:
            stat = os.statvfs(writable)
            found.append(f"writable folder {writable} (a file system of {_size(stat.f_blocks * stat.f_frsize)})")
        except OSError:
            pass
    found.append(f"{len(os.environ)} environment variables")
    for name, label in (("RLIMIT_AS", "address space"), ("RLIMIT_FSIZE", "file size"), ("RLIMIT_NPROC", "processes")):
        soft, _ = resource.getrlimit(getattr(resource, name))
        if soft != resource.RLIM_INFINITY and (name != "RLIMIT_NPROC" or _NPROC_SET):
            found.append(f"{label} {_size(soft) if name != 'RLIMIT_NPROC' else soft} per {'user' if name == 'RLIMIT_NPROC' else 'process'}")
    return ", ".join(found)


def _limit(name: str, value: int) -> None:
    import resource

    kind = getattr(resource, name)
    _, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)  # a lower hard limit already: keep it
    try:
        resource.setrlimit(kind, (value, value if hard == resource.RLIM_INFINITY else hard))
    except (ValueError, OSError):
        pass


def main() -> None:
    # no core file when the user's code crashes, at most 4 GiB of memory per process (a MemoryError,
    # not a machine brought to its knees), and files of at most MAX_FILE bytes (an error, not a full disk)
    _limit("RLIMIT_CORE", 0)
    _limit("RLIMIT_AS", MAX_MEMORY)
    _limit("RLIMIT_FSIZE", MAX_FILE)
    options = dict(arg.split("=", 1) for arg in sys.argv[4:] if "=" in arg)
    if "nproc" in options:  # no cgroup to count the processes: the per-user limit instead
        global _NPROC_SET
        _limit("RLIMIT_NPROC", int(options["nproc"]))
        _NPROC_SET = True
    try:  # this process dies with the checker (without bubblewrap nothing else ensures it)
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, 9, 0, 0, 0)  # PR_SET_PDEATHSIG, SIGKILL
    except (OSError, AttributeError):
        pass
    requests, replies = int(sys.argv[1]), int(sys.argv[2])
    # The user's prints go to standard error: the checker's standard output stays its own.
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    # Keep the protocol's pipes off the low descriptors a user's code might close or reuse.
    requests, replies = os.dup(requests), os.dup(replies)
    os.close(int(sys.argv[1]))
    os.close(int(sys.argv[2]))
    writable = sys.argv[3] if len(sys.argv) > 3 else None
    del sys.argv[1:]
    landlock = "no Landlock"
    if writable:
        # the only folder the user's code may write to; also its home and temporary folder
        os.environ["HOME"] = os.environ["TMPDIR"] = os.environ["MPLCONFIGDIR"] = writable
        landlock = confine(writable)
    try:
        Child(requests, replies, landlock).serve()
    except OSError:
        # the user's code closed or broke the pipes: the checker sees the process end
        os._exit(3)


if __name__ == "__main__":
    main()
