"""Writing a file so that a failure never leaves it half written.

`replace_file` writes to a temporary file in the target's own folder, flushes
it to the disk, and only then renames it over the target (``os.replace``,
atomic on POSIX and Windows within one file system). Whatever goes wrong
before the rename (a full disk, an exception in the writer, the process
killed), the old file is left exactly as it was; a temporary file left by a
killed process is named ``.NAME.*.tmp`` beside the target.

A target that is a symbolic link is written through the link (the link's
destination is replaced, the link kept). The new file keeps an existing
target's permission bits; a new one gets the usual ``0o666`` less the umask.

Standard library only: `impl` uses it for `Network.save`, and ``spec`` for
the files ``add-activation`` writes.
"""

from __future__ import annotations

import os
import stat
import tempfile
from typing import BinaryIO, Callable


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def replace_file(path, write: Callable[[BinaryIO], None]) -> None:
    """Call ``write(handle)`` on a temporary file, then rename it over ``path``.

    Raises:
        OSError: the folder cannot be written, the disk is full, ... (``path`` unchanged).
        Whatever ``write`` raises (``path`` unchanged, the temporary file removed).
    """
    target = os.path.realpath(os.fspath(path))
    folder, name = os.path.split(target)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    fd, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder or ".")
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise
    _sync_folder(folder or ".")


def replace_text(path, text: str) -> None:
    """`replace_file` with ``text`` encoded as UTF-8."""
    replace_file(path, lambda handle: handle.write(text.encode("utf-8")))


def _sync_folder(folder: str) -> None:
    """Flush the rename itself to the disk where the platform allows it (not on Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
