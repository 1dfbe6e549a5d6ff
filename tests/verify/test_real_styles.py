"""`verify` on the gallery of real-world styles (tests/verify/gallery/real), with no adapter and no options.

Every class there was written by the project in a style real code uses (no
biases, samples by features, other names, lists and dicts of parameters,
per-sample loops, hard-coded learning rates, other loss conventions, two
hidden layers); expected.json says what each one computes, and
tests/verify/test_gallery_real_ground_truth.py checks that against finite
differences, independently of `verify`. Here `verify` must find all of it by
itself: the right verdict, the convention of a correct class, the mistake of
a buggy one.
"""

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

REAL = Path(__file__).resolve().parent / "gallery" / "real"
EXPECTED = json.loads((REAL / "expected.json").read_text())

#: How a convention of expected.json reads in verify's verdict.
LOSS_WORDS = {
    "half_sse": "1/2 * sum of squared errors, summed over samples",
    "sse": "sum of squared errors (no 1/2), summed over samples",
    "mean_samples_half_sse": "the mean over samples of 1/2 * sum of squared errors",
    "mean_samples_sse": "the mean over samples of sum of squared errors (no 1/2)",
    "mean_all_entries": "the mean of squared errors over every entry",
    "bce_sum": "binary cross-entropy, summed over samples",
    "bce_mean": "the mean over samples of binary cross-entropy",
}
#: How each planted mistake reads in verify's diagnosis (any one of the phrases).
BUG_WORDS = {
    "derivative_wrong_argument": ["is given z instead of the layer's output a", "evaluated at the layer's output a instead of at z"],
    "derivative_missing_hidden": ["is missing in the error term of hidden layer"],
    "derivative_missing_output": ["is missing in the error term of the output layer"],
    "derivative_missing_both": ["is missing in every error term"],
    "stale_weights": ["with the weights above it already updated"],
    "bias_not_summed": ["averaged over the samples while the weights' are summed", "taken from the first sample only"],
    "bias_wrong_axis": ["summed over the units as well as the samples", "has shape"],
    "sign": ["has the wrong sign"],
    "factor_one_layer": ["times the other parameters'"],
    "mean_sum_mixed": ["averages its gradient over the samples", "sums its gradient over the samples"],
    "missing_transpose": ["a missing (or extra) transpose"],
    "first_layer_input": ["a layer's gradient from the wrong layer's activations"],
    "lr_twice": ["the learning rate multiplies the update"],
    "stale_activations": ["reuses activations from one forward pass"],
    "error_not_delta": ["its raw error dL/da"],
}


def _verify(name):
    entry = EXPECTED[name]
    proc = subprocess.run(
        [sys.executable, "-m", "spec.cli", "verify", f"{REAL / name}:{entry['class']}", "--json"],
        capture_output=True, text=True, timeout=600,
    )
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture(scope="module")
def reports():
    # two at a time: each run is a process of its own driving another process
    with ThreadPoolExecutor(2) as pool:
        return dict(zip(EXPECTED, pool.map(_verify, EXPECTED)))


def test_every_kind_of_planted_bug_has_its_words():
    kinds = {e["bug"]["kind"] for e in EXPECTED.values() if e["bug"]}
    assert kinds <= set(BUG_WORDS), kinds - set(BUG_WORDS)


@pytest.mark.parametrize("name", [n for n, e in EXPECTED.items() if e["correct"]])
def test_correct_classes_pass_with_their_convention_named(reports, name):
    code, out, err = reports[name]
    entry = EXPECTED[name]
    assert code == 0, out + err
    report = json.loads(out)
    convention = entry["convention"]
    text = report["convention"]
    depth = entry["style"]["depth"]
    if depth > 1:
        assert f"{convention['hidden_activation']} hidden, {convention['output_activation']} output" in text
    assert f"{convention['output_activation']} output" in text
    fixed = entry["style"]["lr"].startswith(("hard-coded", "none"))
    loss = convention["loss"]
    if convention["update"] == "per_sample":
        assert "one step per sample in turn" in text
    elif fixed and loss in ("half_sse", "sse"):
        # with the learning rate in the code, 1/2 * SSE at step s is SSE at step s/2: both are said
        assert "sum of squared errors" in text and "summed over samples" in text
    else:
        assert LOSS_WORDS[loss] in text, text
    if entry["style"]["biases"] == "none":
        assert "no biases" in text


@pytest.mark.parametrize("name", [n for n, e in EXPECTED.items() if not e["correct"]])
def test_buggy_classes_fail_with_the_right_diagnosis(reports, name):
    code, out, err = reports[name]
    entry = EXPECTED[name]
    assert code == 1, out + err
    report = json.loads(out)
    assert report["ok"] is False
    found = " | ".join(report["diagnosis"] + [report["error"] or ""])
    assert any(words in found for words in BUG_WORDS[entry["bug"]["kind"]]), found


def test_discovery_is_printed_for_every_class(reports):
    for name, (code, out, _) in reports.items():
        report = json.loads(out)
        if code == 0:
            lines = report["discovery"]
            assert lines[0].startswith(f"class {EXPECTED[name]['class']}, built as"), name
            assert any(line.startswith("weights: ") for line in lines), name
            assert any(line.startswith("training step: ") for line in lines), name
