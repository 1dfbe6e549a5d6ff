"""Child processes that never outlive the command that started them.

A command (``add-activation``, ``verify``) may be ended in ways that run none
of its Python clean-up: SIGTERM from a grader's ``timeout``, SIGHUP when the
terminal closes, SIGKILL. `die_with_parent`, called first thing in the child,
asks Linux to kill the child when its parent dies (``PR_SET_PDEATHSIG``) and
closes the race where the parent died before that request; `limit_cpu` caps
the child's own CPU time, so that even where neither applies it stops by
itself soon after its time limit.
"""

from __future__ import annotations

import math
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int) -> str:
    """Have this process killed (SIGKILL) when ``parent_pid``, its parent, ends; what applies, in words.

    Where the parent is already gone (the command ended while this process
    started), exit at once.
    """
    applied = "none (not Linux)"
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
                applied = "killed with its parent (PR_SET_PDEATHSIG)"
        except (OSError, AttributeError):
            applied = "none (prctl unavailable)"
    if os.getppid() != parent_pid:  # re-parented: the parent ended before the request took effect
        os._exit(1)
    return applied


def limit_cpu(seconds: float) -> None:
    """Stop this process (SIGXCPU, then SIGKILL) after ``seconds`` of CPU time, rounded up, plus one."""
    try:
        import resource

        limit = int(math.ceil(seconds)) + 1
        _, hard = resource.getrlimit(resource.RLIMIT_CPU)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_CPU, (limit, hard))
    except (ImportError, ValueError, OSError):  # not on every platform
        pass
