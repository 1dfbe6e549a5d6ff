"""Where activations added with ``backprop-spec add-activation`` live: the one rule (stdlib only).

They live outside the package, in the user's folder, so that adding one needs
no editable checkout and never changes a tracked file:

* ``$BACKPROP_SPEC_HOME/activations`` when the environment variable
  `ENV_VAR` (``BACKPROP_SPEC_HOME``) is set and not empty;
* otherwise ``$XDG_DATA_HOME/backprop-spec/activations``, that is
  ``~/.local/share/backprop-spec/activations`` when ``XDG_DATA_HOME`` is unset
  (or not an absolute path, as the XDG rules say).

The folder holds the registry ``activations.json`` (`REGISTRY_NAME`: one entry
per added activation, read by `spec.activations`), the generated NumPy modules
``act_NAME.py`` (read by `impl.activations`) and the lock file ``.lock`` that
``add-activation`` and ``remove-activation`` hold while they change it.

`impl` reads this module and nothing of `spec`; `spec.user_folder` imports the
rule from here, so it is written once.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

#: The environment variable that moves the folder: it is then ``$BACKPROP_SPEC_HOME/activations``.
ENV_VAR = "BACKPROP_SPEC_HOME"
#: The folder's name below ``$BACKPROP_SPEC_HOME`` and below ``$XDG_DATA_HOME/backprop-spec``.
SUBFOLDER = "activations"
#: The JSON registry: a list of entries ``{"name", "expr", "params", "description"}``.
REGISTRY_NAME = "activations.json"
#: The lock file held during a read-modify-write of the folder.
LOCK_NAME = ".lock"
#: Every generated module's file name starts with this.
MODULE_PREFIX = "act_"
#: ``act_NAME.py``, NAME as ``add-activation`` accepts it.
MODULE_FILE = re.compile(r"act_([a-z][a-z0-9_]{0,39})\.py")


def folder(environ=None) -> Path:
    """The folder of added activations under the environment ``environ`` (default `os.environ`).

    Nothing is created: the folder may not exist yet.
    """
    env = os.environ if environ is None else environ
    home = env.get(ENV_VAR, "")
    if home:
        return Path(home).expanduser() / SUBFOLDER
    data = env.get("XDG_DATA_HOME", "")
    if not data or not os.path.isabs(data):
        data = Path.home() / ".local" / "share"
    return Path(data) / "backprop-spec" / SUBFOLDER


def registry_path(where: Path | None = None) -> Path:
    """``activations.json`` in the folder ``where`` (default `folder`)."""
    return Path(where if where is not None else folder()) / REGISTRY_NAME


def module_path(name: str, where: Path | None = None) -> Path:
    """``act_NAME.py`` in the folder ``where`` (default `folder`)."""
    if not isinstance(name, str):
        raise TypeError(f"name: expected a str, got {type(name).__name__}")
    return Path(where if where is not None else folder()) / f"{MODULE_PREFIX}{name}.py"


def module_names(where: Path | None = None) -> list[str]:
    """The NAMEs of the files ``act_NAME.py`` in the folder, sorted; ``[]`` if there is no folder."""
    where = Path(where if where is not None else folder())
    try:
        files = sorted(p.name for p in where.iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return []
    return [m.group(1) for m in map(MODULE_FILE.fullmatch, files) if m is not None]


class RegistryError(ValueError):
    """The registry file cannot be read as a list of entries; the message names the file."""


def read_entries(path: Path | None = None) -> list:
    """The entries of the registry ``path`` as stored (each checked later); ``[]`` if there is none.

    Raises:
        RegistryError: the file cannot be read, is not valid JSON or is not a list.
    """
    path = Path(path if path is not None else registry_path())
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return []
    except (OSError, UnicodeDecodeError) as err:
        raise RegistryError(f"{path}: cannot be read ({err})") from None
    try:
        entries = json.loads(text)
    except (ValueError, RecursionError) as err:
        raise RegistryError(f"{path}: not valid JSON ({str(err)[:200]})") from None
    if not isinstance(entries, list):
        raise RegistryError(f"{path}: expected a JSON list of entries, got a {type(entries).__name__}")
    return entries


def entry_names(entries) -> list[str]:
    """The names of the entries that have a string name, in order."""
    return [e["name"] for e in entries if isinstance(e, dict) and isinstance(e.get("name"), str)]
