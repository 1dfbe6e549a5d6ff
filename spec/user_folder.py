"""The user folder of added activations: where ``add-activation`` writes and ``remove-activation`` deletes.

The folder rule is `impl._user_folder`'s (imported from there, so it is written
once): ``$BACKPROP_SPEC_HOME/activations`` when ``BACKPROP_SPEC_HOME`` is set,
otherwise ``$XDG_DATA_HOME/backprop-spec/activations`` (by default
``~/.local/share/backprop-spec/activations``). Nothing inside the package is
ever written. Two files per added activation NAME:

* an entry in the registry ``activations.json`` (`registry_path`): the name, the
  expression in SymPy's printed form, the parameters and the description;
  `spec.activations` registers it at import;
* the generated NumPy module ``act_NAME.py`` (`module_path`), which
  `impl.activations` loads at import (see `impl._added`).

Every change is a read-modify-write of the registry under an exclusive lock
(``fcntl.flock`` on the folder's ``.lock``), so two commands running at once
both succeed or one is refused, and no entry is lost; every file is written to
a temporary file in the folder and renamed into place (``os.replace``), so a
reader sees the old file or the new one, never half of one. The module is
written before the entry and removed after it: an interrupted command can
leave a module without an entry (an orphan), which `listing` shows and
`remove` deletes, never an entry whose module is half-written.

This module is imported by the parent process of ``add-activation``, which
only checks and writes files: the symbolic work happens in a child process.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

from impl import _atomic
from impl._user_folder import (  # noqa: F401  (the one folder rule, re-exported)
    ENV_VAR, LOCK_NAME, MODULE_PREFIX, REGISTRY_NAME, RegistryError, entry_names, folder, module_names,
    module_path, read_entries, registry_path,
)

#: The keys of an entry of the registry.
ENTRY_KEYS = ("name", "expr", "params", "description")
#: The old name of `RegistryError`.
AddedFileError = RegistryError


class UserFolderError(ValueError):
    """The user folder cannot be created or written: one line naming the folder, the reason and the fix."""


def display_path(path: Path) -> str:
    """``path`` as shown in messages (the full path: the folder is outside the project)."""
    return str(path)


def entry_label(i: int, entry) -> str:
    """``entry 3 ('mish')`` for messages."""
    name = entry.get("name") if isinstance(entry, dict) else None
    return f"entry {i}" + (f" ({name!r})" if isinstance(name, str) and len(name) <= 60 else "")


def _cannot_write(where: Path, err: OSError) -> UserFolderError:
    reason = err.strerror or type(err).__name__
    return UserFolderError(
        f"{ENV_VAR}: cannot write to the folder of added activations {where} ({reason}); "
        f"set {ENV_VAR} to a writable folder; nothing was written"
    )


def check_writable(where: Path | None = None) -> Path:
    """Refuse early a folder that cannot be created or written; the folder (not created here).

    Raises:
        UserFolderError: the folder, or the nearest existing folder above it, is not a
            writable directory.
    """
    where = Path(where if where is not None else folder())
    existing = where
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    if not existing.is_dir():
        raise _cannot_write(where, NotADirectoryError(20, "not a directory", str(existing)))
    if not os.access(existing, os.W_OK | os.X_OK):
        raise _cannot_write(where, PermissionError(13, "permission denied", str(existing)))
    return where


@contextlib.contextmanager
def locked(where: Path | None = None):
    """Create the folder if needed and hold its lock file exclusively for the block; yields the folder.

    Raises:
        UserFolderError: the folder or its lock file cannot be created.
    """
    import fcntl

    where = Path(where if where is not None else folder())
    try:
        where.mkdir(parents=True, exist_ok=True)
        handle = open(where / LOCK_NAME, "a+b")
    except OSError as err:
        raise _cannot_write(where, err) from None
    with handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield where
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder, renamed into place.

    The one atomic write of the project (`impl._atomic.replace_text`, which
    `Network.save` uses too), with its errors said in this folder's terms.

    Raises:
        UserFolderError: the folder is not writable or the disk is full; ``path`` is unchanged.
    """
    path = Path(path)
    try:
        _atomic.replace_text(path, text)
    except OSError as err:
        raise _cannot_write(path.parent, err) from None


def _registry_text(entries: list) -> str:
    return json.dumps(entries, indent=2) + "\n"


def add(entry: dict, code: str, where: Path | None = None) -> list[Path]:
    """Write the module of ``entry``, then append ``entry`` to the registry, under the folder's lock.

    Returns:
        The two files written: the registry and the module.

    Raises:
        ValueError: the name already has an entry (remove it first with
            ``remove-activation``) or a module without one; the registry cannot be read.
        UserFolderError: the folder cannot be written; nothing is left half-written.
    """
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
        raise TypeError(f"entry: expected a dict with a str 'name', got {entry!r}"[:200])
    if not isinstance(code, str):
        raise TypeError(f"code: expected the module's text (str), got {type(code).__name__}")
    name = entry["name"]
    with locked(where) as here:
        registry, path = registry_path(here), module_path(name, here)
        entries = read_entries(registry)
        if name in entry_names(entries):
            raise ValueError(
                f"NAME: an activation called {name!r} was already added (in {registry}); "
                f"remove it first with: backprop-spec remove-activation {name}"
            )
        if path.exists():
            raise ValueError(
                f"NAME: {path} exists with no entry in {registry} (left by an interrupted command); "
                f"remove it with: backprop-spec remove-activation {name}"
            )
        write_atomically(path, code)
        try:
            write_atomically(registry, _registry_text([*entries, entry]))
        except BaseException:
            path.unlink(missing_ok=True)
            raise
    return [registry, path]


def remove(name: str, where: Path | None = None) -> list[Path]:
    """Remove the entry called ``name`` from the registry, then its module, under the folder's lock.

    Returns:
        The files changed or deleted (the registry if it had an entry, the module if it existed).

    Raises:
        ValueError: there is neither an entry nor a module called ``name``; nothing changes.
        UserFolderError: the folder cannot be written.
    """
    if not isinstance(name, str):
        raise TypeError(f"NAME: expected a str, got {type(name).__name__}")
    where = Path(where if where is not None else folder())
    registry, path = registry_path(where), module_path(name, where)
    if not where.is_dir() or (name not in entry_names(read_entries(registry)) and not path.exists()):
        raise ValueError(
            f"NAME: no added activation called {name!r} in {where} "
            "(see backprop-spec remove-activation --list)"
        )
    changed = []
    with locked(where):
        entries = read_entries(registry)
        kept = [e for e in entries if not (isinstance(e, dict) and e.get("name") == name)]
        if len(kept) != len(entries):
            write_atomically(registry, _registry_text(kept))
            changed.append(registry)
        if path.exists():
            try:
                path.unlink()
            except OSError as err:
                raise _cannot_write(where, err) from None
            changed.append(path)
    if not changed:
        raise ValueError(f"NAME: no added activation called {name!r} in {where} (removed meanwhile)")
    return changed


def listing(where: Path | None = None) -> list[tuple[str, str]]:
    """Every added activation in the folder as ``(name, what)``, orphans and missing modules included.

    ``what`` is the stored expression, or says what is wrong: a module with no
    entry (an orphan) or an entry with no module.

    Raises:
        RegistryError: the registry cannot be read.
    """
    where = Path(where if where is not None else folder())
    entries = read_entries(registry_path(where))
    modules = set(module_names(where))
    rows = []
    for entry in entries:
        if not (isinstance(entry, dict) and isinstance(entry.get("name"), str)):
            rows.append(("?", f"an entry that is not an object with a name: {json.dumps(entry)[:60]}"))
            continue
        name = entry["name"]
        what = f"f(z) = {entry.get('expr')}"
        if name not in modules:
            what += f"  (no module {module_path(name, where).name}: remove it with remove-activation {name})"
        rows.append((name, what))
    listed = set(entry_names(entries))
    rows += [
        (name, f"orphan: {module_path(name, where).name} has no entry (remove it with remove-activation {name})")
        for name in sorted(modules - listed)
    ]
    return rows
