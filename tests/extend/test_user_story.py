"""The contract: what a user does with add-activation and remove-activation, exactly as README.md says.

A fresh user folder (BACKPROP_SPEC_HOME in a temporary directory); the README's
own command line, read from README.md so that this test breaks when the README
changes; then the tests that cover the new activation, run by the same
interpreter, including the files that used to fail because an activation was
added; then the command's printed advice, run exactly as printed; then
``remove-activation``, after which a fresh process no longer knows the name.
"""

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: The registry-driven test files: each parametrises over the registries, with the name in the id.
REGISTRY_DRIVEN = ["tests/spec", "tests/impl", "tests/cli"]
#: Files that failed (or silently skipped the 13th activation) once an activation was added.
ONCE_FAILING = ["tests/spec/test_activations.py", "tests/impl/test_activations.py"]


def readme_command(name: str) -> list[str]:
    """The README's ``add-activation NAME ...`` line, as the shell would split it."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if re.match(rf"\S*backprop-spec add-activation {name} ", line)]
    assert len(lines) == 1, f"README.md should show one add-activation {name} command line, found {lines}"
    return shlex.split(lines[0], comments=True)


def passed_count(output: str) -> int:
    """N from pytest's last line ``N passed ...``; 0 if nothing passed."""
    match = re.search(r"(\d+) passed", output.strip().splitlines()[-1] if output.strip() else "")
    return int(match.group(1)) if match else 0


def test_the_readme_story_add_test_and_remove(tmp_path):
    # (no "mish" in this name: the advice it runs, pytest -k mish, must not select this test again)
    env = dict(os.environ, BACKPROP_SPEC_HOME=str(tmp_path / "home"))
    env.pop("PYTEST_ADDOPTS", None)
    folder = tmp_path / "home" / "activations"

    def run(command, **kwargs):
        return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800, **kwargs)

    command = readme_command("mish")
    assert command[1:] == ["add-activation", "mish", "z * tanh(log(1 + exp(z)))"]
    added = run(command)
    assert added.returncode == 0, added.stderr
    assert (folder / "act_mish.py").is_file()
    assert [e["name"] for e in json.loads((folder / "activations.json").read_text())] == ["mish"]
    assert not (ROOT / "spec" / "added_activations.json").exists() and not (ROOT / "impl" / "added").exists()

    # the registry-driven tests run for mish, and pass
    pytest = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rfE"]
    mish = run([*pytest, "-v", "-k", "mish", *REGISTRY_DRIVEN])
    assert mish.returncode == 0, mish.stdout[-4000:]
    ran = [line for line in mish.stdout.splitlines() if "[mish" in line and "PASSED" in line]
    assert passed_count(mish.stdout) >= 10 and len(ran) >= 10, mish.stdout[-4000:]
    # the files that failed once mish existed now pass whole
    whole = run([*pytest, "-q", *ONCE_FAILING])
    assert whole.returncode == 0, whole.stdout[-4000:]
    assert passed_count(whole.stdout) > 0

    # the command's advice, run exactly as printed (from wherever the user is)
    advice = [line for line in added.stdout.splitlines() if line.startswith("then run its tests: ")]
    assert len(advice) == 1, added.stdout
    shell = advice[0].removeprefix("then run its tests: ")
    assert shell.startswith("cd ") and shlex.quote(sys.executable) in shell, shell
    followed = subprocess.run(shell, shell=True, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=3600)
    assert followed.returncode == 0, followed.stdout[-4000:] + followed.stderr[-2000:]
    assert passed_count(followed.stdout) >= 10, followed.stdout[-2000:]

    # remove it: both files gone, and a fresh process no longer lists it
    removed = run([command[0], "remove-activation", "mish"])
    assert removed.returncode == 0, removed.stderr
    assert not (folder / "act_mish.py").exists()
    assert json.loads((folder / "activations.json").read_text()) == []
    fresh = run([sys.executable, "-c", "import impl, spec.activations as s; print('mish' in s.names(), 'mish' in impl.activations.names())"])
    assert fresh.returncode == 0 and fresh.stdout.strip() == "False False", fresh.stdout + fresh.stderr
    again = run([command[0], "remove-activation", "mish"])
    assert again.returncode == 2 and again.stderr.startswith("backprop-spec: error: NAME: no added activation")
