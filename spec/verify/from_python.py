"""`verify` from Python and notebooks: a class, a function, a file or source text, checked in the sandbox.

`verify(MyNet)` writes the class's source (with the imports and the functions
and classes of its module it refers to) to a private temporary folder and runs
``backprop-spec verify`` on it, in the same sandbox as the command line: the
code runs in a separate, confined process, never in the caller's. A class
defined in a notebook cell works too, as long as its source can be read
(`inspect.getsource`) and what it uses is a module, or a function or class
whose source can be read.
"""

from __future__ import annotations

import ast
import inspect
import linecache
import re
import tempfile
import textwrap
import types
from pathlib import Path

from spec.verify.judge import ProtocolError, Report, verify_file


def verify(target, *, activation=None, output_activation=None, loss=None, reduction=None, timeout=20.0,
           seed=0) -> Report:
    """Check backprop code against the spec, from Python; returns the `Report` the command line prints.

    Args:
        target: A class or a function (its source is read with `inspect`), a path (``"net.py"`` or
            ``"net.py:MyNet"``), or Python source text holding a class or a training script.
        activation: Pin the hidden activation (``--activation``); ``None`` lets verify find it.
        output_activation: Pin the output activation (``--output-activation``).
        loss: Pin the loss (``--loss``).
        reduction: Pin ``"sum"`` or ``"mean"`` over the samples (``--reduction``).
        timeout: Seconds the code may take (``--timeout``).
        seed: The seed of the scenarios (``--seed``).

    Returns:
        The `Report`: ``.ok``, ``.convention``, ``.findings``; ``str(report)`` is the text the command
        line prints, and a notebook shows it as HTML.

    Raises:
        TypeError: ``target`` is none of these.
        ProtocolError: the code cannot be read or run (its cause is the message, as the command
            line's first line).
    """
    options = dict(activation=activation, output_activation=output_activation, loss=loss, reduction=reduction,
                   timeout=timeout, seed=seed)
    if isinstance(target, Path) or (isinstance(target, str) and "\n" not in target and target.strip()
                                    and re.fullmatch(r"[^\s]+\.(py|ipynb)(:\w+)?", target.strip())):
        return verify_file(str(target), **options)
    if isinstance(target, str):
        return _verify_text(target, None, options)
    if inspect.isclass(target) or inspect.isfunction(target):
        return _verify_text(_source_of(target), target.__name__ if inspect.isclass(target) else None, options)
    raise TypeError(f"target: expected a class, a function, a path to a .py or .ipynb file, or source text, "
                    f"got {type(target).__name__}")


def _verify_text(text: str, name: str | None, options: dict) -> Report:
    """``text`` written to a private temporary folder and verified there (``name``: the class to check)."""
    with tempfile.TemporaryDirectory(prefix="backprop-spec-") as folder:
        path = Path(folder) / "your_code.py"
        path.write_text(text)
        return verify_file(f"{path}:{name}" if name else str(path), **options)


def _own_source(obj) -> str:
    """The source of a class or function: `inspect.getsource`, else (a class defined in a notebook cell, which
    Python cannot find by itself) the cell its methods were compiled from, read back and cut to the class."""
    try:
        return textwrap.dedent(inspect.getsource(obj))
    except (OSError, TypeError) as err:
        failure = err
    if inspect.isclass(obj):
        for f in (f for f in vars(obj).values() if inspect.isfunction(f)):
            cell = "".join(linecache.getlines(f.__code__.co_filename))
            try:
                tree = ast.parse(cell)
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name == obj.__name__:
                    return textwrap.dedent(ast.get_source_segment(cell, node, padded=True))
    raise ProtocolError(f"cannot read the source of {obj.__name__}: {failure}; pass the file's path instead")


def _source_of(obj) -> str:
    """The object's source, after the imports and the module's functions and classes it refers to."""
    own = _own_source(obj)
    methods = [f for f in vars(obj).values() if inspect.isfunction(f)] if inspect.isclass(obj) else [obj]
    # the namespace the code was defined in: a function's globals (a notebook's, say), else its module's
    scope = methods[0].__globals__ if methods else vars(inspect.getmodule(obj) or types.ModuleType("empty"))
    imports, parts, done = [], [], {obj.__name__}

    def used(source: str) -> list[str]:
        return [n for n in dict.fromkeys(re.findall(r"\b([A-Za-z_]\w*)\b", source)) if n in scope and n not in done]

    pending = used(own)
    while pending:
        name = pending.pop(0)
        if name in done:
            continue
        done.add(name)
        value = scope[name]
        if isinstance(value, types.ModuleType):
            imports.append(f"import {value.__name__} as {name}" if value.__name__ != name else f"import {name}")
        elif inspect.isclass(value) or inspect.isfunction(value):
            module = getattr(value, "__module__", "")
            if module not in (None, "__main__", getattr(obj, "__module__", None)):
                imports.append(f"from {module} import {value.__name__} as {name}")
                continue
            try:
                source = _own_source(value)
            except ProtocolError:
                continue  # its source cannot be read: the code will say what is missing when it runs
            parts.append(source)
            pending += used(source)
    return "\n".join(imports) + "\n\n\n" + "\n\n".join([*parts, own])
