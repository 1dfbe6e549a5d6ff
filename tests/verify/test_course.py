"""Course and book code: the blind gallery ``gallery/course/`` (CS231n, deeplearning.ai, Raschka, nnfs,
Nielsen's network2, and classic small shapes), written by a tester who had not read verify.

(a) its truth holds, by finite differences of each file's own stated loss (``_check_truth.check_entry``,
    independent of ``spec/`` and ``impl/``); (b) verify's verdict; (c) for a bug, the diagnosis names
    the tester's mistake.

The files verify does not get right yet are listed in ``NOT_YET`` and ``NOT_DIAGNOSED_YET`` with why: they
run as strict expected failures (reported as such, never as passing, and a failure once they are right).
"""

import importlib.util
import json
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

HERE = Path(__file__).parent / "gallery" / "course"
TRUTH = {e["file"]: e for e in json.loads((HERE / "truth.json").read_text())}

#: Verdicts verify does not give yet, and why.
NOT_YET = {
    "dlai_l2_regularization.py": "a script regularised with a constant lambd: L2 is only read where a step takes it",
    "bug_nielsen_quadratic_delta.py": "the mistake is in QuadraticCost, and the constructor's default is the "
                                      "cross-entropy cost: other cost classes are not tried",
    "bias_trick_ones_column.py": "a bias folded in as a row of the weights, in a script",
    "scalar_weights_2_2_2.py": "scalar weights w1 ... w8",
    "adam_optimizer_mlp.py": "functions with a params dict and an Adam step",
    "bug_label_used_as_value.py": "functions whose outputs live inside the gradient function",
}
#: Words the diagnosis of each bug must hold (the tester's mistake, in verify's words).
DIAGNOSES = {
    "bug_cs231n_no_divide_n.py": "not the gradients of its own loss (divide every gradient by the number of samples N)",
    "bug_cs231n_half_reg.py": "half the L2 gradient",
    "bug_cs231n_relu_mask.py": "the activation derivative (relu') is missing in the error term of hidden layer 1",
    "bug_dlai_db_without_m.py": "the biases' gradients (every layer) are summed over the samples while the weights' "
                                "are averaged",
    "bug_nnfs_bce_not_over_outputs.py": "leaves out the 1/outputs of the mean over the outputs",
    "bug_nielsen_decay_on_biases.py": "the biases are decayed too",
    "bug_loss_bce_update_sse.py": "the code's own loss (loss) is binary cross-entropy",
    "bug_stale_w2.py": "computed with the weights above it already updated",
    "bug_dlai_first_layer_no_relu_grad.py": "the weight gradient of hidden layer 1 is taken from the error before "
                                            "relu's slope",
    "bug_dlai_l2_without_m.py": "L2",
    "bug_raschka_output_no_two.py": "the output layer",
    "bug_nnfs_relu_mask_on_dvalues.py": "the ReLU's mask is taken from the incoming gradient",
    "bug_nielsen_quadratic_delta.py": "missing in the error term of the output layer",
    "bug_momentum_tanh_grad.py": "tanh",
    "bug_label_used_as_value.py": "label",
}
#: Bugs whose diagnosis verify does not give yet, and why.
NOT_DIAGNOSED_YET = {
    "bug_dlai_l2_without_m.py": "L2 in a script with a constant lambd is not read",
    "bug_raschka_output_no_two.py": "a factor on one of two layers: which layer is off is not decided by the own loss",
    "bug_nielsen_quadratic_delta.py": NOT_YET["bug_nielsen_quadratic_delta.py"],
    "bug_momentum_tanh_grad.py": "tanh's derivative written 1 - a is not registered",
    "bug_label_used_as_value.py": NOT_YET["bug_label_used_as_value.py"],
}


@cache
def _checker():
    spec_ = importlib.util.spec_from_file_location("course_check_truth", HERE / "_check_truth.py")
    module = importlib.util.module_from_spec(spec_)
    spec_.loader.exec_module(module)
    return module


@cache
def _verify(name: str):
    cli = Path(sys.executable).with_name("backprop-spec")
    done = subprocess.run([str(cli), "verify", str(HERE / name), "--json"], capture_output=True, text=True,
                          timeout=180)
    return done.returncode, done.stdout, done.stderr


def _expected(reasons: dict, name: str):
    return [pytest.param(name, marks=pytest.mark.xfail(reason=reasons[name], strict=True))] if name in reasons \
        else [name]


def test_every_file_is_listed_and_every_bug_has_its_words():
    on_disk = sorted(p.name for p in HERE.glob("*.py") if not p.name.startswith("_"))
    assert on_disk == sorted(TRUTH)
    assert {n for n, e in TRUTH.items() if not e["correct"]} == set(DIAGNOSES)
    assert set(NOT_YET) <= set(TRUTH) and set(NOT_DIAGNOSED_YET) <= set(DIAGNOSES)


@pytest.mark.parametrize("name", sorted(TRUTH))
def test_course_truth_holds(name):
    """(a) the truth itself: the file's gradients against finite differences of its own stated loss."""
    rows, problems = _checker().check_entry(TRUTH[name])
    assert rows and not problems, problems


@pytest.mark.parametrize("name", [p for n in sorted(TRUTH) for p in _expected(NOT_YET, n)])
def test_course_verdict(name):
    """(b) PASS for a correct file, FAIL for one with a mistake; --json stays valid."""
    code, out, err = _verify(name)
    report = json.loads(out)
    assert code == (0 if TRUTH[name]["correct"] else 1), out + err
    assert report["ok"] is TRUTH[name]["correct"]


@pytest.mark.parametrize("name", [p for n in sorted(DIAGNOSES) for p in _expected(NOT_DIAGNOSED_YET, n)])
def test_course_bug_diagnosis(name):
    """(c) the diagnosis names the mistake, not only FAIL."""
    code, out, err = _verify(name)
    said = json.loads(out).get("diagnosis") or []
    assert code == 1 and any(DIAGNOSES[name] in d for d in said), said
