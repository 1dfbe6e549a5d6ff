"""`verify` on the second gallery of styles (tests/verify/gallery/styles2), with no options.

33 classes written for the project by a tester in styles of their own (layer objects,
Keras-like activation layers, float biases, another activation per hidden layer, float32,
lists as inputs, einsum, gradients returned and applied apart, lazy weights, epochs per
call); truth.json says what each one computes, and
tests/verify/test_gallery_styles2_ground_truth.py checks that against finite differences,
independently of `verify`. Here `verify FILE.py --json`, the class not named, must find all
of it by itself: the exit code truth.json gives, the convention of a correct class, the
mistake of a buggy one; and for the correct code it cannot express (inputs standardised in
the forward pass, a leaky ReLU of an unregistered slope) or drive (weights made in `fit`),
a failure or refusal saying so.
"""

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from tests.verify.test_real_styles import BUG_WORDS as REAL_BUG_WORDS
from tests.verify.test_real_styles import LOSS_WORDS

GALLERY = Path(__file__).resolve().parent / "gallery" / "styles2"
TRUTH = json.loads((GALLERY / "truth.json").read_text())

#: How each mistake reads in verify's diagnosis or error (any one of the phrases): the real
#: gallery's, and the kinds this gallery adds.
BUG_WORDS = {
    **REAL_BUG_WORDS,
    # with a (1, n) bias the unsummed (samples, n) delta cannot be subtracted: named from NumPy's error
    "bias_not_summed": [*REAL_BUG_WORDS["bias_not_summed"], "something is not summed over the samples"],
    "sign_all": ["every update has the wrong sign"],
    "wrong_activation_derivative": ["but its derivative is"],
    "preactivation_as_input": ["takes the layer below's pre-activation z instead of its output a"],
    "derivative_of_wrong_layer": ["the wrong layer's"],
    "parameter_not_updated": ["is never updated"],
}
#: Where the diagnosis must place the mistake, for those it can place (not the shape errors).
WHERE = {
    "b06_layer_dicts_mean_one_layer.py": "hidden layer 1",
    "b09_feed_forward_back_prop_sign.py": "hidden layer 1's bias",
    "b13_elu_derivative_wrong_place.py": "hidden layer 1",
    "b15_tanh_output_missing_derivative.py": "the output layer",
    "b19_einsum_factor_two_one_layer.py": "hidden layer 1",
    "b22_alpha_lr_twice_hidden.py": "hidden layer 1",
    "b23_tanh_hidden_sigmoid_derivative.py": "hidden layer 1 is tanh, but its derivative is sigmoid's",
    "b24_relu_mask_on_output_ge0.py": "hidden layer 1",
    "b25_preactivation_as_input.py": "the output layer",
    "b32_hidden_bias_not_updated.py": "hidden layer 1's bias",
}
#: Diagnoses verify gets wrong today: the test stays, expected to fail until it is fixed.
WRONG_DIAGNOSIS = {
    # none: b26 (the second hidden layer masked with (z1 > 0), a (7, 4) * (7, 5) broadcast error) was read as
    # an unsummed bias until the shape hint asked for one shape without the sample count
}


def _verify(name):
    proc = subprocess.run(
        [sys.executable, "-m", "spec.cli", "verify", str(GALLERY / name), "--json"],
        capture_output=True, text=True, timeout=600,
    )
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture(scope="module")
def reports():
    # two at a time: each run is a process of its own driving another process
    with ThreadPoolExecutor(2) as pool:
        return dict(zip(TRUTH, pool.map(_verify, TRUTH)))


def _marked(names):
    return [
        pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=WRONG_DIAGNOSIS[n])) if n in WRONG_DIAGNOSIS else n
        for n in names
    ]


def test_every_kind_of_bug_has_its_words():
    kinds = {e["bug"]["kind"] for e in TRUTH.values() if e["bug"]}
    assert kinds <= set(BUG_WORDS), kinds - set(BUG_WORDS)
    assert set(WHERE) | set(WRONG_DIAGNOSIS) <= {n for n, e in TRUTH.items() if e["bug"]}


@pytest.mark.parametrize("name", list(TRUTH))
def test_exit_code_is_the_one_truth_gives(reports, name):
    code, out, err = reports[name]
    assert code == TRUTH[name]["verify"]["exit"], out + err
    json.loads(out)  # --json prints JSON whatever the outcome


def _hidden_words(entry):
    hidden = entry["hidden_activation"]
    return ", ".join(hidden) if isinstance(hidden, list) else hidden


@pytest.mark.parametrize("name", [n for n, e in TRUTH.items() if e["correct"] and e["verify"]["exit"] == 0])
def test_correct_classes_pass_with_their_convention_named(reports, name):
    code, out, err = reports[name]
    entry = TRUTH[name]
    assert code == 0, out + err
    report = json.loads(out)
    assert report["ok"] is True
    text = report["convention"]
    assert f"{_hidden_words(entry)} hidden, {entry['output_activation']} output" in text, text
    loss = entry["loss"]
    if entry["update"] == "per_sample":
        # one sample at a time: the loss of that sample ("summed over samples" does not apply)
        assert f"{LOSS_WORDS[loss].split(', ')[0]}, one step per sample in turn" in text, text
    else:
        assert LOSS_WORDS[loss] in text, text


@pytest.mark.parametrize("name", _marked([n for n, e in TRUTH.items() if not e["correct"]]))
def test_buggy_classes_fail_with_the_right_diagnosis(reports, name):
    code, out, err = reports[name]
    entry = TRUTH[name]
    assert code == 1, out + err
    report = json.loads(out)
    assert report["ok"] is False
    found = " | ".join(report["diagnosis"] + [report["error"] or ""])
    assert any(words in found for words in BUG_WORDS[entry["bug"]["kind"]]), found
    if name in WHERE:
        assert WHERE[name] in " | ".join(report["diagnosis"]), found


@pytest.mark.parametrize("name", [n for n, e in TRUTH.items() if e["verify"].get("forward_is_spec") is False])
def test_correct_code_whose_forward_pass_is_not_the_spec_is_undecided_saying_so(reports, name):
    code, out, err = reports[name]
    assert code == 2, out + err
    report = json.loads(out)
    assert report["ok"] is False and report["forward_ok"] is False and report["undecided"] is True
    assert report["parameters"] == []  # no update is blamed: the forward pass is what differs
    (diagnosis,) = report["diagnosis"]
    assert diagnosis.startswith("the forward pass is the spec's for no registered activations"), diagnosis
    assert "cannot be checked" in diagnosis and "add-activation" in diagnosis


def test_class_with_weights_made_in_fit_is_refused_saying_why(reports):
    name = "c07_lazy_fit.py"
    assert TRUTH[name]["verify"]["exit"] == 2
    code, out, err = reports[name]
    assert code == 2, out + err
    report = json.loads(out)
    assert report["ok"] is False
    assert report["protocol_error"].startswith(f"cannot drive {TRUTH[name]['class']}:")
    assert "weights made later (in fit or a first call) cannot be read" in report["protocol_error"]


def test_discovery_finds_the_class_and_is_printed(reports):
    for name, (code, out, _) in reports.items():
        if code == 2:
            continue
        lines = json.loads(out)["discovery"]
        assert lines[0].startswith(f"class {TRUTH[name]['class']}, built as"), name
        assert any(line.startswith("weights: ") for line in lines), name
        assert any(line.startswith("training step: ") for line in lines), name
