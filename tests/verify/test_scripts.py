"""Observe mode: scripts, notebooks and layer objects that train when run, and files that cannot run.

The expected verdicts are in ``gallery/scripts/truth.json``: the exit code and the words
the report (or, for a file that cannot run, its first line) must hold.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent / "gallery" / "scripts"
TRUTH = json.loads((HERE / "truth.json").read_text())


def _verify(name, *options):
    cli = Path(sys.executable).with_name("backprop-spec")
    done = subprocess.run([str(cli), "verify", str(HERE / name), *options], capture_output=True, text=True, timeout=120)
    return done.returncode, done.stdout, done.stderr


@pytest.mark.parametrize("name", sorted(TRUTH))
def test_script_verdict(name):
    entry = TRUTH[name]
    code, out, err = _verify(name)
    assert code == entry["exit"], out + err
    shown = out if entry["exit"] != 2 or "cannot run" not in err and "cannot drive" not in err else err
    # the checker's first line (the user's own printed lines are prefixed "[your code]")
    first = next(line for line in shown.splitlines() if line.strip() and "[your code]" not in line)
    for words in entry["words"]:
        assert words in shown, shown
    if entry["kind"] == "cannot_run":
        assert first.startswith(f"cannot verify {HERE / name}: cannot "), first


@pytest.mark.parametrize("name", ["trask_syn.py", "bug_slope_on_z.py", "xor_notebook.ipynb"])
def test_json_stays_valid_while_the_script_prints(name):
    code, out, err = _verify(name, "--json")
    report = json.loads(out)
    assert report["ok"] == (TRUTH[name]["exit"] == 0)
    assert "[your code]" in err or name.endswith(".ipynb")
