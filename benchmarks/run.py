"""Run the benchmarks: the project against its peers, taking turns, and write the results as JSON.

Usage: ``python -m benchmarks.run [--smoke] [--reps N] [--sweep-reps N] [--out PATH]``
(``make bench`` runs it with the environment variables that slow NumPy's
BLAS unset). ``--smoke`` runs every workload and every contestant on tiny
sizes in seconds, to a temporary file unless ``--out`` is given.

Method, for every workload: each contestant is built in its own worker
process (`benchmarks.worker`), run once to warm up, then timed ``--reps``
times, the contestants taking turns (A, B, C, A, B, C, ...) with the order
rotated by one at each repetition, so that slow drifts of the machine
(frequency, other load) hit all of them alike. Reported: every time, the
median per contestant, and for each goal the median over repetitions of
the per-repetition ratio (a ratio of two runs made moments apart).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import machine, workloads
from benchmarks.worker import Workers

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "latest.json"
SCHEMA = 1
#: A sweep point times at least this long per repetition (several epochs if one is shorter).
SWEEP_TARGET_SECONDS = 0.15
SWEEP_MAX_EPOCHS = 20

NOTES = [
    "Each contestant runs in its own worker process, one at a time: in a single process the thread "
    "pools of NumPy's OpenBLAS and PyTorch's OpenMP spin after each call and steal each other's cores "
    "(measured on 2 cores: PyTorch about 7x slower right after NumPy).",
    "scikit-learn's MLPClassifier is given one-hot targets, which it treats as multilabel: its output "
    "units are sigmoids like the others', but it minimises the binary cross-entropy averaged over the "
    "batch where the others minimise half the squared error summed over the batch; it also starts from "
    "its own initialisation. Same network shape and amount of work per batch, slightly different loss.",
    "The minimal NumPy loop computes no loss; impl.Network.fit records the loss of every batch (its "
    "history) and validates its arguments; PyTorch and scikit-learn compute the loss as part of training.",
    "Ratios are 'speedup' = peer time / project time, per repetition, then the median over repetitions.",
]


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _rotated(items, r):
    r %= len(items)
    return items[r:] + items[:r]


def _median(values):
    return float(statistics.median(values))


# --- one workload -------------------------------------------------------------------


def measure(workload: workloads.Workload, workers: Workers, reps: int) -> dict:
    contestants = workload.contestants
    keys = {c.name: f"{workload.id}/{c.name}" for c in contestants}
    info = {}
    for c in contestants:
        info[c.name] = workers[c.worker].setup(keys[c.name], c.factory, **c.kwargs)
    outputs = {c.name: [] for c in contestants}
    for c in contestants:  # warm-up, not timed
        workers.time(c.worker, keys[c.name])
    times = {c.name: [] for c in contestants}
    for r in range(reps):
        for c in _rotated(contestants, r):
            seconds, out = workers.time(c.worker, keys[c.name])
            if isinstance(out, dict):
                seconds = out.get("seconds", seconds)
                outputs[c.name].append(out)
            times[c.name].append(seconds / (c.per_run or workload.per_run))
    for c in contestants:
        workers[c.worker].drop(keys[c.name])

    result = {
        "id": workload.id,
        "title": workload.title,
        "description": workload.description,
        "unit": workload.unit,
        "settings": workload.settings,
        "reps": reps,
        "contestants": {},
        "goals": [],
    }
    gflops = {}
    for c in contestants:
        entry = {
            "label": c.label,
            "notes": c.notes,
            "worker": c.worker,
            "times": times[c.name],
            "median": _median(times[c.name]),
            "info": info[c.name],
        }
        if c.diagnostic:
            entry["diagnostic"] = True
        elif workload.flops_per_unit is not None:
            work = 2.0 * info[c.name]["n"] ** 3 if c.name in ("matmul", "matmul32") else workload.flops_per_unit
            gflops[c.name] = [work / t / 1e9 for t in times[c.name]]
            entry["gflops"] = gflops[c.name]
            entry["gflops_median"] = _median(gflops[c.name])
        checks = [o["ok"] for o in outputs[c.name] if "ok" in o]
        if checks:
            entry["all_checks_passed"] = all(checks)
        errors = [o["max_rel_error"] for o in outputs[c.name] if "max_rel_error" in o]
        if errors:
            entry["max_rel_error"] = max(errors)
        result["contestants"][c.name] = entry

    for goal in workload.goals:
        subject, peer = times[goal.subject], times[goal.peer]
        if goal.metric == "speedup":
            per_rep = [p / s for s, p in zip(subject, peer)]
        elif goal.metric == "fraction_of_peak":
            per_rep = [s / p for s, p in zip(gflops[goal.subject], gflops[goal.peer])]
        else:
            raise ValueError(goal.metric)
        value = _median(per_rep)
        # project time / peer time: meaningful only when both time the same work
        ratios = [s / p for s, p in zip(subject, peer)] if goal.metric == "speedup" else None
        result["goals"].append({
            "text": goal.text,
            "metric": goal.metric,
            "subject": goal.subject,
            "peer": goal.peer,
            "at_least": goal.at_least,
            "at_most": goal.at_most,
            "per_rep": per_rep,
            "time_ratio_per_rep": ratios,
            "median": value,
            "time_ratio_median": _median(ratios) if ratios else None,
            "met": goal.met(value),
        })
    return result


# --- the spec ---------------------------------------------------------------------------


def measure_spec(reps: int, smoke: bool) -> dict:
    """Derive every activation and prove 2-2-1 and 3-4-2, each repetition in a fresh Python process."""
    names = ("sigmoid",) if smoke else ()
    sizes = ((2, 2, 1),) if smoke else ((2, 2, 1), (3, 4, 2))
    script = workloads.spec_script(names, sizes)
    command = [sys.executable, "-c", script]

    def once():
        start = time.perf_counter()
        proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            raise RuntimeError(f"the spec workload failed:\n{proc.stderr}")
        if proc.stderr.strip():
            raise RuntimeError(f"the spec workload wrote to stderr (a warning?):\n{proc.stderr}")
        return wall, json.loads(proc.stdout.strip().splitlines()[-1])

    if not smoke:
        once()  # warm-up: compiled bytecode and the file cache, as for any second run
    walls, after, imports, out = [], [], [], None
    for _ in range(reps):
        wall, out = once()
        walls.append(wall)
        after.append(out["after_import"])
        imports.append(out["import"])
    label = "-".join(map(str, sizes[0])) + "".join(" and " + "-".join(map(str, s)) for s in sizes[1:])
    median = _median(walls)
    return {
        "id": "spec",
        "title": f"Spec: derive every activation, prove {label}",
        "description": (
            f"A fresh Python process imports spec, derives each registered activation "
            f"({len(out['activations'])}: f' and f'', their output forms and proofs) and proves backpropagation "
            f"symbolically for the {label} networks (spec.network.prove_backprop, what `backprop-spec prove` "
            f"runs). Timed from outside (the whole process, interpreter start and imports included) and "
            f"inside (after the imports). No peer: the goal is a time."
        ),
        "unit": "process",
        "settings": {"activations": out["activations"], "networks": [list(s) for s in sizes]},
        "reps": reps,
        "contestants": {
            "project": {
                "label": "spec (fresh process)",
                "notes": "wall time of the whole process",
                "times": walls,
                "median": median,
                "after_import": after,
                "after_import_median": _median(after),
                "import": imports,
                "import_median": _median(imports),
                "all_checks_passed": bool(out["proven"]),
            }
        },
        "goals": [{
            "text": "≤3 s, the whole process",
            "metric": "seconds",
            "subject": "project",
            "peer": None,
            "at_least": None,
            "at_most": 3.0,
            "per_rep": walls,
            "median": median,
            "met": median <= 3.0,
        }],
    }


PROVE_SCRIPT = """
import json, time
from spec.network import prove_backprop
start = time.perf_counter()
result = prove_backprop({sizes!r}, {activation!r}, {output!r}, {loss!r}, method={method!r})
print(json.dumps({{"seconds": time.perf_counter() - start, "parameters": len(result.parameters),
                  "proven": result.ok}}))
"""


def _prove_once(sizes, activation, output, loss, method) -> tuple[float, dict]:
    """One proof in a fresh process; its time is taken inside, after the imports."""
    script = PROVE_SCRIPT.format(sizes=tuple(sizes), activation=activation, output=output, loss=loss, method=method)
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=1800)
    if proc.returncode != 0 or proc.stderr.strip():
        raise RuntimeError(f"the proof workload failed or warned:\n{proc.stderr}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    return out["seconds"], out


def measure_prove(reps: int, smoke: bool) -> list[dict]:
    """Two proof workloads: the digits network by the default method, and the two methods side by side."""
    big = ((4, 3, 2), "sigmoid", "sigmoid", "mse") if smoke else ((64, 32, 10), "sigmoid", "sigmoid", "mse")
    pair = ((2, 2, 1), "sigmoid", "sigmoid", "bce") if smoke else ((4, 6, 6, 3), "sigmoid", "sigmoid", "bce")
    bound = 60.0
    times, proven, params = [], True, 0
    for _ in range(reps):
        seconds, out = _prove_once(*big, "downstream")
        times.append(seconds)
        proven, params = proven and out["proven"], out["parameters"]
    label = "-".join(map(str, big[0]))
    digits = {
        "id": "prove-digits",
        "title": f"Prove {label}, every one of its {params:,} parameters",
        "description": (
            f"`prove_backprop({big[0]!r})` (what `backprop-spec prove --sizes {','.join(map(str, big[0]))}` "
            f"runs), sigmoid units, half squared error, a batch of 2 symbolic samples, by the default "
            f"downstream method: each unit's dL/dz differentiated once from the layers after it. Timed "
            f"inside a fresh process, after the imports."
        ),
        "unit": "proof",
        "settings": {"sizes": list(big[0]), "parameters": params, "method": "downstream"},
        "reps": reps,
        "contestants": {"project": {"label": "prove_backprop, downstream", "notes": "", "times": times,
                                    "median": _median(times), "all_checks_passed": bool(proven)}},
        "goals": [{"text": f"≤{bound:g} s, every parameter proven", "metric": "seconds", "subject": "project",
                   "peer": None, "at_least": None, "at_most": bound, "per_rep": times, "median": _median(times),
                   "met": _median(times) <= bound and proven}],
    }
    down, nested, ratios, ok = [], [], [], True
    for r in range(reps):
        order = ("downstream", "nested") if r % 2 == 0 else ("nested", "downstream")
        got = {}
        for method in order:
            got[method], out = _prove_once(*pair, method)
            ok = ok and out["proven"]
        down.append(got["downstream"])
        nested.append(got["nested"])
        ratios.append(got["nested"] / got["downstream"])
    label = "-".join(map(str, pair[0]))
    methods = {
        "id": "prove-methods",
        "title": f"Prove {label} with {pair[3].upper()}: the downstream method against the nested one",
        "description": (
            f"The same proof of a {label} sigmoid network with binary cross-entropy (2 symbolic samples) by "
            f"both methods of `prove_backprop`: downstream (the default) and nested, the method `prove` "
            f"used before, which differentiates the whole nested network by every parameter. Alternating "
            f"order, each in a fresh process, timed after the imports."
        ),
        "unit": "proof",
        "settings": {"sizes": list(pair[0]), "loss": pair[3]},
        "reps": reps,
        "contestants": {
            "project": {"label": "downstream method", "notes": "", "times": down, "median": _median(down),
                        "all_checks_passed": bool(ok)},
            "nested": {"label": "nested method (before)", "notes": "", "times": nested, "median": _median(nested),
                       "all_checks_passed": bool(ok)},
        },
        "goals": [{"text": "≥5× faster than the nested method", "metric": "speedup", "subject": "project",
                   "peer": "nested", "at_least": 5.0, "at_most": None, "per_rep": ratios,
                   "median": _median(ratios), "met": _median(ratios) >= 5.0}],
    }
    return [digits, methods]


# --- scaling -------------------------------------------------------------------------------


def sweep(name: str, workers: Workers, reps: int, smoke: bool) -> dict:
    spec = workloads.SWEEPS[name]
    values = spec["smoke"] if smoke else spec["values"]
    out = {
        "label": spec["label"],
        "fixed": spec["fixed"],
        "values": values,
        "reps": reps,
        "unit": "seconds per epoch of all samples",
        "method": (
            "per contestant and point: one warm-up run, then runs of one epoch repeated until about "
            f"{SWEEP_TARGET_SECONDS} s (at most {SWEEP_MAX_EPOCHS}) per repetition, contestants taking turns; "
            f"below batch {workloads.SWEEP_PARTIAL_BELOW} each run covers {workloads.SWEEP_PARTIAL_SAMPLES} "
            f"of the samples (timed_samples) and its time is scaled to the whole epoch"
        ),
        "contestants": {},
    }
    full = 160 if smoke else workloads.DIGITS_SAMPLES
    out["samples"] = full
    out["timed_samples"] = []
    for value in values:
        setting = dict(spec["fixed"], **{name: value})
        contestants = workloads.sweep_contestants(setting["hidden"], setting["batch_size"], smoke)
        keys = {c.name: f"sweep/{name}/{value}/{c.name}" for c in contestants}
        epochs, scale = {}, 1.0
        for c in contestants:
            info = workers[c.worker].setup(keys[c.name], c.factory, **c.kwargs)
            # a fraction of the epoch may be timed: scale its time to the whole epoch
            scale = full / info["samples"]
            workers.time(c.worker, keys[c.name])  # warm-up
            seconds, _ = workers.time(c.worker, keys[c.name])
            target = 0.0 if smoke else SWEEP_TARGET_SECONDS
            epochs[c.name] = max(1, min(SWEEP_MAX_EPOCHS, int(target / max(seconds, 1e-9)) + 1))
        out["timed_samples"].append(round(full / scale))
        times = {c.name: [] for c in contestants}
        for r in range(reps):
            for c in _rotated(contestants, r):
                total = 0.0
                for _ in range(epochs[c.name]):
                    total += workers.time(c.worker, keys[c.name])[0]
                times[c.name].append(scale * total / epochs[c.name])
        for c in contestants:
            workers[c.worker].drop(keys[c.name])
            entry = out["contestants"].setdefault(c.name, {"label": c.label, "median": [], "times": [], "runs_timed": []})
            entry["median"].append(_median(times[c.name]))
            entry["times"].append(times[c.name])
            entry["runs_timed"].append(epochs[c.name])
        _log(f"  {spec['label']} {value}: " + ", ".join(
            f"{c.name} {1e3 * _median(times[c.name]):.2f} ms" for c in contestants))
    return out


# --- the whole run ------------------------------------------------------------------------------


def run(reps: int, sweep_reps: int, smoke: bool, only=None, sweeps=True, command=None) -> dict:
    started = time.perf_counter()
    # a smoke run measures nothing: no need to let the other processes' threads settle
    cooldown = 0.02 if smoke else 0.3
    result = {
        "schema": SCHEMA,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "command": command,
        "smoke": smoke,
        "reps": reps,
        "sweep_reps": sweep_reps,
        "machine": machine.describe(),
        "notes": NOTES + [
            f"Whenever the harness switches from one worker process to another it first waits "
            f"{cooldown:g} s, so that the threads of the process that ran before have stopped spinning."
        ],
        "cooldown_seconds": cooldown,
        "workloads": [],
        "sweeps": {},
    }
    with Workers(cooldown=cooldown) as workers:
        result["machine"]["torch"] = workers["torch"].call("benchmarks.machine:torch_info")
        result["machine"]["sklearn"] = workers["sklearn"].call("benchmarks.machine:sklearn_info")
        for workload in workloads.main_workloads(smoke):
            if only and workload.id not in only:
                continue
            _log(f"{workload.title} ...")
            result["workloads"].append(measure(workload, workers, reps))
            _log("  " + _summary_line(result["workloads"][-1]))
        if not only or "spec" in only:
            _log("spec ...")
            result["workloads"].append(measure_spec(reps, smoke))
            _log("  " + _summary_line(result["workloads"][-1]))
        if not only or "prove" in only:
            _log("prove ...")
            for w in measure_prove(min(reps, 3), smoke):
                result["workloads"].append(w)
                _log("  " + _summary_line(w))
        if sweeps:
            for name in workloads.SWEEPS:
                _log(f"scaling with {workloads.SWEEPS[name]['label']} ...")
                result["sweeps"][name] = sweep(name, workers, sweep_reps, smoke)
    result["summary"] = [
        {"workload": w["id"], "title": w["title"], "goal": g["text"], "metric": g["metric"],
         "median": g["median"], "met": g["met"]}
        for w in result["workloads"] for g in w["goals"]
    ]
    result["machine"]["load_average_at_end"] = machine.load_average()
    result["seconds"] = time.perf_counter() - started
    return result


def _summary_line(w: dict) -> str:
    parts = [f"{c} {1e3 * e['median']:.3g} ms" for c, e in w["contestants"].items()]
    for g in w["goals"]:
        parts.append(f"[{g['text']}: {g['median']:.3g} {'met' if g['met'] else 'NOT met'}]")
    return ", ".join(parts)


def write(result: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, seconds; for the test suite")
    parser.add_argument("--reps", type=int, default=None, help="timed repetitions per workload (default 7; smoke 2)")
    parser.add_argument("--sweep-reps", type=int, default=None, help="repetitions per sweep point (default 3; smoke 1)")
    parser.add_argument("--out", type=Path, default=None,
                        help=f"results file (default {DEFAULT_OUT.relative_to(ROOT)}; smoke: a temporary file)")
    parser.add_argument("--only", nargs="*", default=None, help="workload ids to run (default all)")
    parser.add_argument("--no-sweeps", action="store_true", help="skip the scaling sweeps")
    args = parser.parse_args(argv)
    reps = args.reps if args.reps is not None else (2 if args.smoke else 7)
    sweep_reps = args.sweep_reps if args.sweep_reps is not None else (1 if args.smoke else 3)
    if reps < 1 or sweep_reps < 1:
        parser.error("--reps and --sweep-reps must be at least 1")
    out = args.out
    if out is None:
        out = Path(tempfile.mkdtemp(prefix="bench-smoke-")) / "results.json" if args.smoke else DEFAULT_OUT
    command = " ".join(["python -m benchmarks.run", *(sys.argv[1:] if argv is None else argv)])
    result = run(reps, sweep_reps, args.smoke, only=args.only, sweeps=not args.no_sweeps, command=command)
    write(result, out)
    print(f"{'goal':<66} {'measured':>10}  met")
    for row in result["summary"]:
        value = f"{row['median']:.2f}{' s' if row['metric'] == 'seconds' else ''}"
        if row["metric"] == "speedup":
            value += "x"
        elif row["metric"] == "fraction_of_peak":
            value = f"{100 * row['median']:.0f}%"
        print(f"{row['workload'] + ': ' + row['goal']:<66} {value:>10}  {'yes' if row['met'] else 'NO'}")
    print(f"results: {out} ({result['seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
