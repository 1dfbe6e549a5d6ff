"""``add-activation`` with a time budget: the symbolic work in a child process, the writing in the parent.

SymPy cannot be interrupted reliably in-process (a ``solve`` or a huge
``mpmath`` evaluation ignores signals for a long time), so the whole plan
(parse, derive, the output-form search, the checks, printing the code) runs in
a child ``python -m spec.extend.sandbox``. The child reports each stage as it
starts and sends back plain data only: the JSON entry, the code text and the
report. At the deadline the parent kills it and names the stage that ran out
of time. Only after a successful plan does the parent write anything, after
checking the code's syntax tree once more (`spec.extend.codecheck`).

The parent imports no SymPy. The child runs with a memory limit, so that a
runaway evaluation fails with a MemoryError instead of exhausting the machine.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

from pathlib import Path

from spec import _lifetime, user_folder
from spec.extend import codecheck

#: Seconds the symbolic work may take by default; the whole command stays under 30 s.
DEFAULT_TIMEOUT = 20.0
MAX_TIMEOUT = 3600.0
#: Address space the child may use (bytes).
MEMORY_LIMIT = 4 * 2**30
#: The folder holding the packages ``spec`` and ``impl`` (the child imports them from there).
ROOT = Path(__file__).resolve().parents[2]
_UNDECIDED_STAGE = "checking symbolically that f and f' are real and finite on the whole real line"


def check_timeout(value) -> float:
    """``--timeout``: a number of seconds, more than 0 and at most `MAX_TIMEOUT`."""
    try:
        seconds = math.nan if isinstance(value, bool) else float(value)
    except (TypeError, ValueError):
        seconds = math.nan
    if not (0 < seconds <= MAX_TIMEOUT):
        raise ValueError(f"--timeout: expected a number of seconds above 0 and at most {MAX_TIMEOUT:g}, got {value!r}")
    return seconds


def plan_in_child(name, expr, params, description, timeout: float = DEFAULT_TIMEOUT) -> dict:
    """Run `spec.extend.add_activation.plan` in a child process; its result as plain data.

    Returns:
        ``{"entry": dict, "code": str, "module": str, "report": str}``.

    Raises:
        ValueError: the input was refused, or the work took longer than ``timeout``
            seconds (the child is killed); a one-line message.
    """
    timeout = check_timeout(timeout)
    for argument, value in (("NAME", name), ("EXPR", expr), ("--description", description)):
        if not isinstance(value, str):
            raise TypeError(f"{argument}: expected a string, got {type(value).__name__}")
    if params is not None and (isinstance(params, str) or not all(isinstance(p, str) for p in params)):
        raise TypeError(f"--param: expected a list of NAME=VALUE strings, got {params!r}"[:200])
    request = json.dumps({
        "name": name, "expr": expr, "params": list(params or []), "description": description,
        "parent": os.getpid(), "timeout": timeout,
    })
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    # -P: the current directory is not put on sys.path; -B: the child writes no .pyc files
    command = [sys.executable, "-P", "-B", "-m", "spec.extend.sandbox"]
    child = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        cwd=ROOT, env=env, text=True, encoding="utf-8", errors="replace",
    )
    try:
        out, err = child.communicate(request, timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        child.kill()
        out, err = child.communicate()
        timed_out = True
    except BaseException:
        # Ctrl-C (or anything else) in the parent: the child must not outlive it
        child.kill()
        child.wait()
        raise
    messages = []
    for line in out.splitlines():
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if isinstance(message, dict):
            messages.append(message)
    stages = [m["stage"] for m in messages if isinstance(m.get("stage"), str)]
    stage = stages[-1] if stages else "starting the planning process"
    if timed_out:
        undecided = (
            " so it could not be decided whether f and f' are real and finite everywhere: EXPR is refused."
            if stage == _UNDECIDED_STAGE else ""
        )
        raise ValueError(
            f"EXPR: {stage} took longer than {timeout:g} s;{undecided} nothing was written "
            f"(a simpler expression may help, or a larger --timeout)"
        )
    for message in messages:
        if "error" in message:
            raise ValueError(_one_line(str(message["error"])))
        if "result" in message:
            return message["result"]
    last = next((line for line in reversed(err.splitlines()) if line.strip()), "no output")
    raise ValueError(
        f"EXPR: the planning process stopped while {stage} (exit code {child.returncode}: {_one_line(last)[:200]}); "
        "nothing was written"
    )


def add(name, expr, params, description, timeout: float = DEFAULT_TIMEOUT) -> str:
    """The whole command: plan in a child, check the code, write the two files; the report to print.

    The user folder is checked before the symbolic work, so that a folder that
    cannot be written is refused at once (`spec.user_folder.UserFolderError`).
    """
    user_folder.check_writable()
    result = plan_in_child(name, expr, params, description, timeout)
    entry, code = result.get("entry"), result.get("code")
    if not (isinstance(entry, dict) and entry.get("name") == name and isinstance(code, str)):
        raise ValueError("NAME: the planning process sent back an unexpected result; nothing was written")
    if result.get("module") != str(user_folder.module_path(name)):
        raise ValueError(f"NAME: the planning process would write {result.get('module')!r}; nothing was written")
    try:
        codecheck.check_module(code, name)
    except codecheck.UnsafeCode as err:
        raise ValueError(f"EXPR: the generated code failed its safety check ({err}); nothing was written") from None
    user_folder.add(entry, code)
    return str(result.get("report", ""))


def _one_line(text: str) -> str:
    return " ".join(text.split())


# --- the child --------------------------------------------------------------------


def _limit_memory() -> None:
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = MEMORY_LIMIT if hard == resource.RLIM_INFINITY else min(MEMORY_LIMIT, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, ValueError, OSError):  # not on every platform
        pass


def main() -> int:
    """The child: read the request from stdin, report stages and the result as JSON lines on stdout."""
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8", buffering=1)
    sys.stdout = sys.stderr  # anything else printed goes to stderr, not into the protocol

    def send(message):
        channel.write(json.dumps(message) + "\n")
        channel.flush()

    stage = ["starting"]

    def progress(text):
        stage[0] = text
        send({"stage": text})

    try:
        request = json.loads(sys.stdin.read())
        # the planner dies with the command, however the command ends (SIGTERM, SIGHUP, SIGKILL),
        # and stops by itself past its time limit
        _lifetime.die_with_parent(int(request["parent"]))
        _lifetime.limit_cpu(float(request["timeout"]))
        _limit_memory()
        progress("loading SymPy and the registry")
        from spec.extend import add_activation

        params = add_activation.parse_params(request["params"])
        plan = add_activation.plan(request["name"], request["expr"], params, request["description"], progress=progress)
        written = [user_folder.registry_path(), plan.impl_path]
        send({"result": {
            "entry": plan.entry,
            "code": plan.impl_code,
            "module": str(plan.impl_path),
            "report": add_activation.report(plan, written),
        }})
    except ValueError as err:
        send({"error": str(err)})
    except MemoryError:
        send({"error": f"EXPR: {stage[0]} ran out of memory (the limit is {MEMORY_LIMIT // 2**30} GB); "
                       "nothing was written"})
    except RecursionError:
        send({"error": f"EXPR: {stage[0]}: the expression is nested too deeply for SymPy; nothing was written"})
    except Exception as err:  # SymPy failing on an odd input: still one line, exit 2
        detail = _one_line(str(err))[:200]
        send({"error": f"EXPR: SymPy failed while {stage[0]} ({type(err).__name__}: {detail}); nothing was written"})
    return 0


if __name__ == "__main__":
    sys.exit(main())
