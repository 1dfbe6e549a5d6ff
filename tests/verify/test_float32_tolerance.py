"""Float32 code is held to float32's rounding, not to a loose constant: 0.15 % too large an update fails.

The class is the styles2 gallery's float32 network (checked there against finite
differences); each variant multiplies every update by a factor, in float32 and,
for comparison, the same class in float64.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest

SOURCE = (Path(__file__).resolve().parent / "gallery" / "styles2" / "c21_float32.py").read_text()
UPDATES = re.compile(r"self\.(W1|W2|b1|b2) -= lr \*")


def variant(factor: str, dtype: str) -> str:
    """The gallery class with every update times ``factor``, its arrays in ``dtype``."""
    code, count = UPDATES.subn(lambda m: f"self.{m.group(1)} -= np.{dtype}({factor}) * lr *", SOURCE)
    assert count == 4, "the four updates of the gallery class were not all found"
    return code.replace("np.float32", f"np.{dtype}")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("factor, exit_code", [("1", 0), ("1.0015", 1)])
def test_a_planted_factor_fails_in_float32_as_in_float64(tmp_path, dtype, factor, exit_code):
    path = tmp_path / "net.py"
    path.write_text(variant(factor, dtype))
    proc = subprocess.run([sys.executable, "-m", "spec.cli", "verify", str(path)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == exit_code, proc.stdout + proc.stderr
    if exit_code:
        # the table names the factor: every parameter off by 1.5e-3 relative
        assert re.findall(r"BAD (W1|b1|W2|b2): relative error 1\.50e-03", proc.stdout) == ["W1", "b1", "W2", "b2"]
    if dtype == "float32":
        assert "parameters in float32: each update must match to within float32's rounding" in proc.stdout
