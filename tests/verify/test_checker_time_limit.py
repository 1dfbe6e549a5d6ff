"""The checker's own work counts against --timeout: past it the report says so (UNDECIDED, exit 2), naming the limit."""

import time
from pathlib import Path

from spec.verify import judge

SEED_STYLE = Path(__file__).resolve().parent / "gallery" / "correct_seed_style.py"


def test_comparisons_past_the_time_limit_end_in_a_clear_undecided_report(monkeypatch):
    def slow_stage(check):
        # a stand-in for a comparison that takes too long: it waits out the session's time budget
        box = check.driver.runner.box if hasattr(check.driver, "runner") else check.driver.box
        time.sleep(max(box.remaining(), 0) + 0.05)
        return None

    stages = list(judge.STAGES)
    monkeypatch.setattr(judge, "STAGES", (stages[0], stages[1], slow_stage, *stages[2:]))
    report = judge.verify_file(str(SEED_STYLE), timeout=8)
    assert not report.ok and report.undecided
    text = str(report)
    assert text.startswith("UNDECIDED: cannot judge: the checker's own comparisons did not finish within "
                           f"the time limit of 8 s (3 of {len(stages) + 1} stages done); raise --timeout"), text


def test_without_the_slow_stage_the_same_file_passes():
    assert judge.verify_file(str(SEED_STYLE), timeout=8).ok
