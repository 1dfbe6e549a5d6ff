"""Observe mode: scripts, notebooks and layer objects that train when run, and files that cannot run.

Two galleries of programs that train when run:

* ``gallery/blind_scripts/``: written by a tester who had not read verify, from the styles'
  descriptions; its ``truth.json`` is checked here independently of ``spec/`` and ``impl/``
  (``_check_truth.check``: each observed step against -lr times the central-difference gradient of
  the stated loss, the bug's line repaired and then right, a file that cannot run failing at the
  stated line);
* ``gallery/scripts/``: the project's own, with the words its reports must hold.

verify must give each the right verdict (exit 0 right, 1 wrong, 2 cannot run, with the cause and
line first), and name the line of at least 80 % of the bugs whose line the truth states.
"""

import importlib.util
import json
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

GALLERY = Path(__file__).parent / "gallery"
HERE = GALLERY / "scripts"
TRUTH = json.loads((HERE / "truth.json").read_text())
BLIND = GALLERY / "blind_scripts"
BLIND_TRUTH = {e["file"]: e for e in json.loads((BLIND / "truth.json").read_text())}


def _checker():
    spec_ = importlib.util.spec_from_file_location("blind_check_truth", BLIND / "_check_truth.py")
    module = importlib.util.module_from_spec(spec_)
    spec_.loader.exec_module(module)
    return module


@cache
def _verify(path: str, *options):
    cli = Path(sys.executable).with_name("backprop-spec")
    done = subprocess.run([str(cli), "verify", path, *options], capture_output=True, text=True, timeout=180)
    return done.returncode, done.stdout, done.stderr


def _first_line(err: str) -> str:
    return next(line for line in err.splitlines() if line.strip() and "[your code]" not in line)


@pytest.mark.parametrize("name", sorted(TRUTH))
def test_script_verdict(name):
    entry = TRUTH[name]
    code, out, err = _verify(str(HERE / name))
    assert code == entry["exit"], out + err
    shown = out if entry["exit"] != 2 or "cannot run" not in err and "cannot drive" not in err else err
    for words in entry["words"]:
        assert words in shown, shown
    if entry["kind"] == "cannot_run":
        assert _first_line(err).startswith(f"cannot verify {HERE / name}: cannot "), err


@pytest.mark.parametrize("name", ["trask_syn.py", "bug_slope_on_z.py", "xor_notebook.ipynb"])
def test_json_stays_valid_while_the_script_prints(name):
    code, out, err = _verify(str(HERE / name), "--json")
    report = json.loads(out)
    assert report["ok"] == (TRUTH[name]["exit"] == 0)
    assert "[your code]" in err or name.endswith(".ipynb")


def test_blind_truth_lists_every_file():
    files = sorted(p.name for p in BLIND.iterdir() if p.suffix in (".py", ".ipynb") and not p.name.startswith("_"))
    assert sorted(BLIND_TRUTH) == files


@pytest.mark.parametrize("name", sorted(BLIND_TRUTH))
def test_blind_truth_holds(name):
    """(a) the truth itself, by finite differences, without spec/ or impl/."""
    _checker().check(BLIND_TRUTH[name])


def _where(entry) -> str:
    """How a located line starts: ``line 29 (`` in a script, ``cell 8, line 12 (`` in a notebook."""
    line = entry["bug"]["line"]
    return f"{line} (" if isinstance(line, str) else f"line {line} ("


@pytest.mark.parametrize("name", sorted(BLIND_TRUTH))
def test_blind_verdict(name):
    """(b) verify's verdict: right, wrong, or the cause and line of a file that cannot run."""
    entry = BLIND_TRUTH[name]
    code, out, err = _verify(str(BLIND / name), "--json")
    if entry["kind"] == "cannot_run":
        assert code == 2, out + err
        first = json.loads(out)["protocol_error"]
        assert first.startswith("cannot run ") and f"{name}:{entry['cause']['line']}:" in first, first
        return
    report = json.loads(out)
    assert code == (0 if entry["correct"] else 1), out + err
    assert report["ok"] is entry["correct"]


def _located():
    bugs = {n: e for n, e in BLIND_TRUTH.items() if e.get("bug") and e["bug"].get("line")}
    bugs |= {n: {"bug": {"line": e["line"]}} for n, e in TRUTH.items() if e.get("line")}
    located, missed = [], []
    for name, entry in bugs.items():
        folder = BLIND if name in BLIND_TRUTH else HERE
        _, out, _ = _verify(str(folder / name), "--json")
        said = json.loads(out).get("located", [])
        (located if said and said[0].startswith(_where(entry)) else missed).append((name, entry["bug"]["line"], said[:1]))
    assert len(bugs) >= 10
    return bugs, located, missed


def test_most_bugs_are_located_to_their_line():
    """The line of the mistake: at least 80 % of the bugs whose line the truth states (the issue's bar)."""
    bugs, located, missed = _located()
    assert len(located) >= 0.8 * len(bugs), f"located {len(located)} of {len(bugs)}; missed: {missed}"


