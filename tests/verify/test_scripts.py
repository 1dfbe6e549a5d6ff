"""Observe mode: scripts, notebooks and layer objects that train when run, and files that cannot run.

Two galleries of programs that train when run:

* ``gallery/blind_scripts/`` and ``blind_scripts2/``: written by two testers who had not read verify, from the styles'
  descriptions; its ``truth.json`` is checked here independently of ``spec/`` and ``impl/``
  (``_check_truth.check``: each observed step against -lr times the central-difference gradient of
  the stated loss, the bug's line repaired and then right, a file that cannot run failing at the
  stated line);
* ``gallery/scripts/``: the project's own, with the words its reports must hold.

verify must give each the right verdict (exit 0 right, 1 wrong, 2 cannot run, with the cause and
line first), and name the line of at least 80 % of the bugs whose line the truth states, here and in
the class galleries (their ``bug.line``).
"""

import importlib.util
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path

import pytest

GALLERY = Path(__file__).parent / "gallery"
HERE = GALLERY / "scripts"
TRUTH = json.loads((HERE / "truth.json").read_text())
#: The blind galleries (two testers, neither of whom had read verify), each with its own truth checker.
BLINDS = [GALLERY / "blind_scripts", GALLERY / "blind_scripts2"]
BLIND_TRUTH = {f"{folder.name}/{e['file']}": e for folder in BLINDS
               for e in json.loads((folder / "truth.json").read_text())}


@cache
def _checker(folder: str):
    spec_ = importlib.util.spec_from_file_location(f"{folder}_check_truth", GALLERY / folder / "_check_truth.py")
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


@pytest.mark.parametrize("folder", BLINDS, ids=[f.name for f in BLINDS])
def test_blind_truth_lists_every_file(folder):
    files = sorted(f"{folder.name}/{p.name}" for p in folder.iterdir()
                   if p.suffix in (".py", ".ipynb") and not p.name.startswith("_"))
    assert sorted(k for k in BLIND_TRUTH if k.startswith(folder.name + "/")) == files


@pytest.mark.parametrize("name", sorted(BLIND_TRUTH))
def test_blind_truth_holds(name):
    """(a) the truth itself, by finite differences, without spec/ or impl/."""
    _checker(name.split("/")[0]).check(BLIND_TRUTH[name])


@pytest.mark.parametrize("name", sorted(BLIND_TRUTH))
def test_blind_verdict(name):
    """(b) verify's verdict: right, wrong, or the cause and line of a file that cannot run."""
    entry = BLIND_TRUTH[name]
    code, out, err = _verify(str(GALLERY / name), "--json")
    if entry["kind"] == "cannot_run":
        assert code == 2, out + err
        first = json.loads(out)["protocol_error"]
        assert first.startswith("cannot run ") and f"{entry['file']}:{entry['cause']['line']}:" in first, first
        return
    report = json.loads(out)
    assert code == (0 if entry["correct"] else 1), out + err
    assert report["ok"] is entry["correct"]


#: Words the diagnosis of each blind bug must hold, read off its truth's description (the testers wrote
#: the mistake in their words; these are the words verify's explanation of that mistake uses).
BLIND_DIAGNOSES = {
    "blind_scripts/bug_blog_deriv_on_z.py": "is given z instead of the layer's output a",
    "blind_scripts/bug_per_sample_hidden_no_deriv.py": "derivative (sigmoid') is missing in the error term of hidden layer 1",
    "blind_scripts/bug_train_output_no_deriv_mse.py": "derivative (sigmoid') is missing in the error term of the output",
    "blind_scripts/bug_stale_w2.py": "computed with the weights above it already updated",
    "blind_scripts/bug_bias_broadcast.py": "is not summed over the samples",
    "blind_scripts/bug_transposed_square.py": "multiplied by its weight matrix W instead of its transpose",
    "blind_scripts/bug_ascent_vector.py": "wrong sign",
    "blind_scripts/bug_bias_no_m.py": "biases' gradients (every layer) are summed over the samples while the weights' are averaged",
    "blind_scripts/notebook_moons_tanh.ipynb": "in hidden layer 1, the derivative written through the output, g(a) = 1 − a² for tanh, is given z",
    "blind_scripts/bug_softmax_double_m.py": "a mean over the samples taken twice",
    "blind_scripts2/bug_class_bias_sum.py": "summed over the units as well as the samples",
    "blind_scripts2/bug_functions_deriv_on_z.py": "in hidden layer 1, the derivative written through the output, g(a) = a·(1 − a) for sigmoid, is given z",
    "blind_scripts2/bug_class_guard_stale_w2.py": "computed with the weights above it already updated",
    "blind_scripts2/bug_minibatch_layer1_sum.py": "hidden layer 1 sums its gradient over the samples where the other parameters average it",
    "blind_scripts2/bug_layers_transposed_grad.py": "every weight gradient is transposed",
    "blind_scripts2/bug_nielsen_ascent.py": "wrong sign",
    "blind_scripts2/notebook_multilabel.ipynb": "the updates of the output layer's weights are 0.4 times the other parameters'",
    "blind_scripts2/bug_softmax_times_sigmoid_deriv.py": "softmax's derivative is applied twice",
    "blind_scripts2/relu_regression_losses.py": "the output layer is identity, but its derivative is relu's",
}


def test_every_blind_bug_has_its_diagnosis_words():
    bugs = {n for n, e in BLIND_TRUTH.items() if e.get("correct") is False and e.get("bug")}
    assert bugs == set(BLIND_DIAGNOSES), bugs ^ set(BLIND_DIAGNOSES)


@pytest.mark.parametrize("name", sorted(BLIND_DIAGNOSES))
def test_blind_bug_diagnosis(name):
    """(c) the diagnosis names the tester's mistake (not only FAIL)."""
    code, out, err = _verify(str(GALLERY / name), "--json")
    said = json.loads(out)["diagnosis"]
    assert code == 1 and any(BLIND_DIAGNOSES[name] in d for d in said), said


def _class_bugs() -> list:
    """``(target, lines)`` of every planted mistake of the class galleries whose line the truth states."""
    from tests.verify import gallery_harness as h

    out = []
    for folder in h.FOLDERS:
        for e in json.loads((folder / "truth.json").read_text()):
            line = (e.get("bug") or {}).get("line")
            if e.get("correct") is False and line is not None:
                target = str(folder / e["file"]) + (f":{e['class']}" if e.get("class") else "")
                out.append((target, line if isinstance(line, list) else [line]))
    return out


def _located():
    """Every gallery bug whose line the truth states: (located at it, missed), scripts and classes together."""
    bugs = {str(GALLERY / n): [e["bug"]["line"]] for n, e in BLIND_TRUTH.items() if e.get("bug") and e["bug"].get("line")}
    bugs |= {str(HERE / n): [e["line"]] for n, e in TRUTH.items() if e.get("line")}
    bugs |= dict(_class_bugs())
    with ThreadPoolExecutor(2) as pool:
        answers = dict(zip(bugs, pool.map(lambda t: _verify(t, "--json"), bugs)))
    located, missed = [], []
    for target, lines in bugs.items():
        said = json.loads(answers[target][1]).get("located", [])
        starts = [f"{line} (" if isinstance(line, str) else f"line {line} (" for line in lines]
        hit = bool(said) and any(said[0].startswith(start) for start in starts)
        (located if hit else missed).append((target.split("gallery/")[-1], lines, said[:1]))
    return bugs, located, missed


def test_most_bugs_are_located_to_their_line():
    """The line of the mistake: at least 80 % of the galleries' bugs whose line the truth states (the issue's bar)."""
    bugs, located, missed = _located()
    assert len(bugs) >= 60, len(bugs)
    assert len(located) >= 0.8 * len(bugs), f"located {len(located)} of {len(bugs)}; missed: {missed}"
