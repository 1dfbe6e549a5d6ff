"""Where ``add-activation`` writes, and how those files are read back (no SymPy here).

Two files per added activation NAME:

* an entry in ``spec/added_activations.json`` (`ADDED_FILE`): the name, the
  expression in SymPy's printed form, the parameters and the description;
  `spec.activations` registers it at import;
* the generated NumPy module ``impl/added/act_NAME.py`` (`module_path`):
  `impl.activations` loads it at import, under the private module name
  ``impl.added.act_NAME``. The fixed prefix keeps every generated module
  apart from every other name (a module ``numpy`` or ``importlib`` cannot shadow
  anything), and one that fails to load is reported by name instead of
  breaking ``import impl``.

This module is imported by the parent process of ``add-activation``, which
only checks and writes files: the symbolic work happens in a child process.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

SPEC_DIR = Path(__file__).resolve().parent
ROOT = SPEC_DIR.parent
#: One JSON entry per added activation.
ADDED_FILE = SPEC_DIR / "added_activations.json"
#: The generated NumPy modules.
IMPL_ADDED_DIR = ROOT / "impl" / "added"
#: Every generated module's file name starts with this.
MODULE_PREFIX = "act_"
#: The keys of an entry of `ADDED_FILE`.
ENTRY_KEYS = ("name", "expr", "params", "description")


def module_path(name: str) -> Path:
    """``impl/added/act_NAME.py``."""
    return IMPL_ADDED_DIR / f"{MODULE_PREFIX}{name}.py"


def display_path(path: Path) -> str:
    """``path`` relative to the project when it is inside it (for messages)."""
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


class AddedFileError(ValueError):
    """`ADDED_FILE` cannot be read as a list of entries."""


def read_entries(path: Path = ADDED_FILE) -> list:
    """The entries of ``path`` as stored (each checked later, one by one); ``[]`` if there is no file.

    Raises:
        AddedFileError: the file is not valid JSON or not a list; the message names the file.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as err:
        raise AddedFileError(f"{display_path(path)}: cannot be read ({err})") from None
    try:
        entries = json.loads(text)
    except (ValueError, RecursionError) as err:
        raise AddedFileError(f"{display_path(path)}: not valid JSON ({str(err)[:200]})") from None
    if not isinstance(entries, list):
        raise AddedFileError(f"{display_path(path)}: expected a JSON list of entries, got a {type(entries).__name__}")
    return entries


def entry_label(i: int, entry) -> str:
    """``entry 3 ('mish')`` for messages."""
    name = entry.get("name") if isinstance(entry, dict) else None
    return f"entry {i}" + (f" ({name!r})" if isinstance(name, str) and len(name) <= 60 else "")


def _write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same directory, then rename."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def add(entry: dict, code: str) -> list[Path]:
    """Write the module of ``entry`` and append ``entry`` to `ADDED_FILE`; nothing is left half-written.

    Raises:
        ValueError: the name is already in the file or its module exists.
    """
    name = entry["name"]
    entries = read_entries()
    if any(isinstance(e, dict) and e.get("name") == name for e in entries):
        raise ValueError(f"NAME: {display_path(ADDED_FILE)} already has an entry called {name!r}")
    path = module_path(name)
    if path.exists():
        raise ValueError(f"NAME: {display_path(path)} already exists")
    _write_atomically(path, code)
    try:
        _write_atomically(ADDED_FILE, json.dumps([*entries, entry], indent=2) + "\n")
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return [ADDED_FILE, path]
