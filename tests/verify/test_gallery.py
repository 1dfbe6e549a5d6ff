"""Every gallery file against its truth entry (tests/verify/gallery/*/truth.json, one schema).

(a) the truth itself, independently of `verify` and of the project's code: the class's forward
    pass is the stated network (gallery_harness.reference_forward, the one forward pass), and
    one training step is -lr times the central-difference gradient of the stated loss through
    it, in every parameter for a correct file, in all but the mismatched ones for a mistake;
    no other convention explains the step; a step that raises does so where the entry says.
(b) `backprop-spec verify` on the file, as the CLI runs it, answers as the entry's `verify`
    runs say: exit code, and the words that must and must not appear.

A new gallery file is the .py file and its entry: nothing here changes.
"""

import ast
import json
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from tests.verify import gallery_harness as h

ENTRIES = h.entries()
IDS = [h.entry_id(e) for e in ENTRIES]
STATED = [e for e in ENTRIES if e["convention"] is not None]  # files verify cannot load have no truth to check
STEPPED = [e for e in STATED if not h.raises_at_its_sizes(e)]
RUNS = [(e, i) for e in ENTRIES for i in range(len(e["verify"]))]

LAYOUTS = {"samples_features", "features_samples"}
ORIENTATIONS = {"in_out", "out_in"}
BIASES = {"none", "(n,)", "(n,1)", "(1,n)", "float", "folded_first_column"}
TARGETS = {"values", "one-hot", "labels"}
ANSWER_CHECKS = {"words", "absent", "starts", "ends", "equal", "diagnoses"}


def params(entries):
    return pytest.mark.parametrize("entry", entries, ids=[h.entry_id(e) for e in entries])


def _run_target(entry, run):
    return str(entry["folder"] / entry["file"]) + run["target"], *run["options"]


# --- the entries -------------------------------------------------------------------------------------


def test_every_file_has_an_entry_and_every_entry_a_file():
    for folder in h.FOLDERS:
        files = {p.name for p in folder.glob("*.py")} - {"__init__.py"}
        stated = {e["file"] for e in ENTRIES if e["folder"] == folder}
        assert files == stated, (folder, files ^ stated)
        assert any(e["correct"] for e in ENTRIES if e["folder"] == folder)
        assert any(not e["correct"] for e in ENTRIES if e["folder"] == folder)
    assert len(set(IDS)) == len(IDS), "two entries for one class"


@params(ENTRIES)
def test_entry_is_well_formed(entry):
    from spec import activations

    assert entry["verify"], "no verify run"
    for run in entry["verify"]:
        assert run["exit"] in (0, 1, 2) and set(run) <= {"target", "options", "exit", "note"} | ANSWER_CHECKS, run
    name, pinned = entry["file"], set(entry["verify"][0]["options"]) - {"--json"}
    if name.startswith(("correct_", "bug_", "proto_")) or name[0] in "bc" and name[1].isdigit():
        # a name that disagrees is a mistake only under the convention its first run pins
        assert entry["correct"] == name.startswith(("correct_", "c")) or pinned, "the file's name and `correct` disagree"
    bug = entry["bug"]
    if entry["convention"] is None:  # verify cannot load or drive it: the cause is its answer
        assert bug["kind"] == "cannot_load" and bug["description"] and entry["style"] is None
        assert all(run["exit"] == 2 for run in entry["verify"])
        return
    conv, style = entry["convention"], entry["style"]
    assert conv["loss"] in h.LOSSES and conv["update"] in ("full_batch", "per_sample")
    assert style["layout"] in LAYOUTS and style["weights"] in ORIENTATIONS and style["biases"] in BIASES
    assert style["targets"] in TARGETS and style["forward"] in h.TWISTS
    depth = len(style["sizes"]) - 1
    per_layer = 1 if style["biases"] in ("none", "folded_first_column") else 2
    assert len(style["params"]) == per_layer * depth
    hidden = conv["hidden_activation"]
    if isinstance(hidden, list):
        assert len(hidden) == depth - 1 and len(set(hidden)) > 1
    if hidden is None:  # an activation not registered: its forward pass is a twist
        assert style["forward"] != "spec"
    for act in [conv["output_activation"]] + ([] if hidden is None else h.hidden_activations(entry)):
        assert act in activations.names() and act in h.ACTIVATIONS, act
    if conv["loss"] == "mean_all_entries":
        # with 1 output it is mean_samples_sse, with 2 mean_samples_half_sse: 3 tell them apart
        assert style["sizes"][-1] > 2
    if conv["loss"].startswith("bce_") and "logits" not in conv["loss"]:
        assert conv["output_activation"] == "sigmoid"
    if "logits" in conv["loss"]:
        assert conv["output_activation"] == "identity"
    assert all(s.count("/") == 1 and s.split("/")[0] in h.LOSSES for s in entry["same_step_as"])
    first = entry["verify"][0]["exit"]
    if entry["correct"]:
        assert bug is None
        # correct code is never failed unpinned; undecided (2) only with a note saying why
        assert first in (0, 2) or pinned
        assert first == 0 or entry["verify"][0].get("note") or pinned
    else:
        assert bug["kind"] and bug["description"] and first == 1
        mismatched = bug["mismatched"]
        assert mismatched == "all" or set(mismatched) <= set(style["params"])
        assert mismatched or "raises_when" in bug


@pytest.mark.parametrize("file", sorted({(e["folder"], e["file"]) for e in STATED}),
                         ids=lambda f: str((f[0] / f[1]).relative_to(h.GALLERY)))
def test_file_is_plain_reads_and_writes_nothing_and_imports_fast(file):
    folder, name = file
    tree = ast.parse((folder / name).read_text())
    imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    allowed = {m for e in STATED if (e["folder"], e["file"]) == file for m in e["style"].get("imports", [])}
    assert imported <= {"numpy"} | allowed and imported
    called = {getattr(n.func, "id", getattr(n.func, "attr", None)) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    assert not called & FILE_IO, called & FILE_IO
    start = time.perf_counter()
    h.load(folder / name)
    assert time.perf_counter() - start < 0.5


#: Names a file would call to read or write anything (or to run code it builds).
FILE_IO = {
    "open", "save", "savez", "savez_compressed", "savetxt", "load", "loadtxt", "genfromtxt", "fromfile", "tofile",
    "memmap", "DataSource", "__import__", "exec", "eval", "compile", "input",
}


# --- (a) the truth by finite differences ---------------------------------------------------------------


@params(STATED)
def test_forward_is_the_stated_network(entry):
    sizes = entry["style"]["sizes"]
    rng = h.seeded(entry["file"])
    X, Y = h.make_data(entry, sizes, h.N, rng)
    net, ctx, arrays = h.build(entry, sizes, X, Y, h.step_lr(entry), rng)
    out = h.class_forward(entry, net, ctx, h.N)
    tol = dict(rtol=1e-10, atol=1e-12) if h.match_tolerance(net, entry) == h.MATCH else dict(rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out, h.reference_forward(entry, arrays, X), **tol)
    if entry["style"]["forward"] != "spec":  # not the spec's network, whatever the hidden activation
        for name in h.ACTIVATIONS:
            if name != "softmax":
                spec = h.reference_forward(entry, arrays, X, twist="spec", hidden=[name] * (len(sizes) - 2))
                assert not np.allclose(out, spec, rtol=1e-3, atol=1e-3), name
    if "logits" in entry["convention"]["loss"]:  # logits, not probabilities
        assert np.any(out < 0) or np.any(out > 1)


@params(STEPPED)
def test_one_step_against_finite_differences(entry):
    before, X, Y, lr, after, tol = h.one_step(entry)
    expected = h.stated_updates(entry, before, X, Y, lr)
    assert all(np.linalg.norm(d) > 1e-6 for d in expected), "a parameter the step would not change"
    params = entry["style"]["params"]
    errors = h.relative_errors(params, before, after, expected)
    mismatched = entry["bug"]["mismatched"] if entry["bug"] else []
    wrong = set(params if mismatched == "all" else mismatched)
    assert all(errors[p] > h.MISMATCH for p in wrong), errors
    assert all(errors[p] < tol for p in params if p not in wrong), errors


@params(STEPPED)
def test_no_other_convention_explains_the_step(entry):
    """A correct file matches only its stated convention; a mistake is not another one (unless `same_step_as` says).

    Conventions that give the same step as the stated one at the entry's sizes are one convention
    there, and are skipped (per sample, a mean over samples is the sum).
    """
    before, X, Y, lr, after, tol = h.one_step(entry)
    params = entry["style"]["params"]
    stated = h.stated_updates(entry, before, X, Y, lr)
    distinct = 0
    for loss, update in h.other_conventions(entry):
        expected = h.stated_updates(entry, before, X, Y, lr, loss, update)
        if max(h.relative_errors(params, before, [b + d for b, d in zip(before, stated)], expected).values()) < h.MATCH:
            continue
        distinct += 1
        worst = max(h.relative_errors(params, before, after, expected).values())
        if f"{loss}/{update}" in entry["same_step_as"]:
            assert worst < tol, f"the step does not match loss={loss}, update={update}"
        else:
            assert worst > h.MISMATCH, f"the step also matches loss={loss}, update={update}"
    assert distinct >= (5 if entry["convention"]["loss"] in h.ELEMENTWISE_LOSSES else 1)


@params([e for e in STATED if (e["bug"] or {}).get("raises_when")])
def test_a_step_that_raises_does_so_where_the_entry_says(entry):
    claim = entry["bug"]["raises_when"]
    rng = h.seeded(entry["file"], "raises")
    X, Y = h.make_data(entry, claim["sizes"], h.N, rng)
    net, ctx, _ = h.build(entry, claim["sizes"], X, Y, h.step_lr(entry), rng)
    with pytest.raises(Exception) as info:
        h.take_step(entry, net, ctx)
    assert type(info.value).__name__ == claim["exception"]


@params([e for e in STATED if (e["bug"] or {}).get("right_with_one_sample")])
def test_a_mistake_that_needs_several_samples_is_right_with_one(entry):
    before, X, Y, lr, after, tol = h.one_step(entry, 1)
    expected = h.stated_updates(entry, before, X, Y, lr)
    assert max(h.relative_errors(entry["style"]["params"], before, after, expected).values()) < tol


# --- (b) what verify answers -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def answers(request):
    """The verify runs of the selected tests, two at a time (each a process of its own driving another)."""
    chosen = [item.callspec.params for item in request.session.items
              if getattr(item, "originalname", None) == "test_verify_answers_as_the_entry_says"]
    targets = list(dict.fromkeys(_run_target(p["entry"], p["entry"]["verify"][p["index"]]) for p in chosen))
    with ThreadPoolExecutor(2) as pool:
        return dict(zip(targets, pool.map(lambda t: h.run_verify(*t), targets)))


@pytest.mark.parametrize("entry, index", RUNS, ids=[f"{h.entry_id(e)}-{i}" for e, i in RUNS])
def test_verify_answers_as_the_entry_says(answers, entry, index):
    run = entry["verify"][index]
    code, out, err = answers[_run_target(entry, run)]
    assert not h.answer_problems(run, code, out, err), h.answer_problems(run, code, out, err)
    if "--json" in run["options"]:
        json.loads(out)  # --json prints JSON whatever the outcome


def test_parameter_paths_parse():
    assert h.parse_path("W1") == [("attr", "W1")]
    assert h.parse_path("layers[0].W") == [("attr", "layers"), ("item", 0), ("attr", "W")]
    assert h.parse_path("layers[2]['b']") == [("attr", "layers"), ("item", 2), ("item", "b")]
    assert h.parse_path("hidden.weights") == [("attr", "hidden"), ("attr", "weights")]
    for bad in ("", ".W", "W[x]", "W()", "W[0]+1"):
        with pytest.raises(AssertionError):
            h.parse_path(bad)
