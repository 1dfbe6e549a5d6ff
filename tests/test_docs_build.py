"""The documentation site builds with ``mkdocs build --strict`` (warnings are errors)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_mkdocs_build_strict(tmp_path):
    mkdocs = Path(sys.executable).parent / "mkdocs"
    assert mkdocs.exists(), "mkdocs is not installed in this environment: run `make test`"
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    proc = subprocess.run(
        [str(mkdocs), "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT, capture_output=True, text=True, timeout=600, env=env,
    )
    assert proc.returncode == 0, proc.stderr
    assert "WARNING" not in proc.stderr
    proofs = (tmp_path / "site" / "proofs" / "index.html").read_text()
    # the generated proof output is on the page
    assert "PROVEN: 9 of 9 parameters" in proofs
    assert "PROVEN: 25 of 25 parameters" in proofs
    add = (tmp_path / "site" / "add-activation" / "index.html").read_text()
    # the worked example is generated: derivative, proven output form, generated code
    assert "f'(z) = 1/(z**2 + 1)" in add
    assert "output form: g(a) = 1/(tan(a)**2 + 1)" in add
    assert "df_from_output" in add and "numpy.tan" in add  # the generated code
    shutil.rmtree(tmp_path / "site")
