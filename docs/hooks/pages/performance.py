"""The "Performance" page: the results of ``make bench`` (benchmarks/results/latest.json) as tables and plots.

Nothing here measures anything: the page shows the numbers of the last
benchmark run, which is committed with the code. Every sentence that depends
on a number (which goals are met, by how much, why not) is generated from
that file.
"""

from __future__ import annotations

import functools
import io
import json
from pathlib import Path

from . import common

ROOT = Path(__file__).resolve().parents[3]
RESULTS = ROOT / "benchmarks" / "results" / "latest.json"
GOALS_PNG = "img/performance-goals.png"
SCALING_PNG = "img/performance-scaling.png"

#: Mid-contrast colours, readable on Material's light and dark backgrounds.
INK = "#8c8c8c"
COLOURS = {
    "project": "#3d8bfd",
    "numpy": "#20a36b",
    "torch": "#e8590c",
    "sklearn": "#ae3ec9",
    "tutorial": "#e0a800",
    "matmul": "#868e96",
}
MET, NOT_MET = "#2f9e44", "#e03131"


@functools.lru_cache(maxsize=None)
def _load(path: str) -> dict:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise common.BuildFailure(
            f"{path} is missing: run `make bench` to measure the benchmarks (about 4.5 minutes)"
        ) from None
    if data.get("schema") != 1:
        raise common.BuildFailure(f"{path}: unknown schema {data.get('schema')!r}; re-run `make bench`")
    return data


def results(path=None) -> dict:
    return _load(str(path or RESULTS))


# --- formatting -------------------------------------------------------------------


def _time(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds * 1e6:.3g} µs"


def _value(goal: dict) -> str:
    v = goal["median"]
    if goal["metric"] == "speedup":
        return f"{v:.2f}×"
    if goal["metric"] == "fraction_of_peak":
        return f"{100 * v:.0f}%"
    return _time(v)


def _needed(goal: dict) -> str:
    bound = goal["at_least"] if goal["at_least"] is not None else goal["at_most"]
    sign = "≥" if goal["at_least"] is not None else "≤"
    if goal["metric"] == "speedup":
        return f"{sign} {bound:g}×"
    if goal["metric"] == "fraction_of_peak":
        return f"{sign} {100 * bound:.0f}%"
    return f"{sign} {bound:g} s"


def _verdict(goal: dict) -> str:
    return "✓ met" if goal["met"] else "✗ not met"


def _per_unit(workload: dict) -> str:
    return {"epoch": "per epoch", "run": "per run", "check": "per check", "process": "per process",
            "proof": "per proof"}.get(
        workload["unit"], f"per {workload['unit']}"
    )


def _workload(data: dict, wid: str) -> dict | None:
    return next((w for w in data["workloads"] if w["id"] == wid), None)


# --- blocks ------------------------------------------------------------------------------


def run_info(data: dict) -> str:
    m = data["machine"]
    smoke = " (**a smoke run on tiny sizes: these numbers mean nothing**)" if data.get("smoke") else ""
    load = m.get("load_average_at_start")
    load_text = (
        f" The machine's load average (1 minute) was {load[0]:.2f} when the run started and "
        f"{m['load_average_at_end'][0]:.2f} when it ended, on {m['usable_cpus']} usable CPUs: "
        "anything above 0 is other work competing for the cores."
        if load and m.get("load_average_at_end") else ""
    )
    return (
        f"Measured on {data['created'][:10]} with `{data.get('command') or 'python -m benchmarks.run'}`"
        f"{smoke}: {data['reps']} timed repetitions per workload, {data['sweep_reps']} per point of the "
        f"scaling sweeps; the whole run took {data['seconds'] / 60:.1f} minutes.{load_text}\n"
    )


def _blas(pool: dict) -> str:
    parts = [pool.get("internal_api") or "?", pool.get("version") or ""]
    if pool.get("architecture"):
        parts.append(f"kernel {pool['architecture']}")
    if pool.get("num_threads"):
        parts.append(f"{pool['num_threads']} threads")
    return " ".join(p for p in parts[:2] if p) + "".join(f", {p}" for p in parts[2:])


def machine(data: dict) -> str:
    m = data["machine"]
    env = m["blas_env"]
    env_text = "; ".join(
        f"`{name}` {'= ' + repr(v['value']) if v['set'] else 'unset'}" for name, v in env.items()
    )
    rows = [
        ("CPU", f"{m['cpu']} ({', '.join(m['cpu_flags']) or 'no vector flags read'})"),
        *([("Kernels", f"sigmoid by {m['kernels']['sigmoid']} ({m['kernels']['chosen_by']}; NumPy's SIMD: "
                       f"{', '.join(m['kernels']['simd']) or 'none'})")] if "kernels" in m else []),
        ("CPUs", f"{m['usable_cpus']} usable of {m['logical_cpus']}"),
        ("system", m["os"]),
        ("Python", m["python"]),
        ("NumPy", f"{m['numpy']}, BLAS {_blas(m['numpy_blas'])}"),
        ("SciPy", m["scipy"]),
    ]
    torch = m.get("torch")
    if torch:
        libs = ", ".join(f"{p['internal_api']} ({p['library']}, {p['num_threads']} threads)" for p in torch["threadpools"])
        rows.append(("PyTorch", f"{torch['version']}, {torch['num_threads']} threads (its default); "
                                f"MKL {'yes' if torch['mkl'] else 'no'}; thread pools: {libs}"))
    sk = m.get("sklearn")
    if sk:
        rows.append(("scikit-learn", sk["version"]))
    rows.append(("BLAS environment", env_text))
    return common.table(["", "this run"], rows)


def goals(data: dict) -> str:
    rows = []
    for w in data["workloads"]:
        for g in w["goals"]:
            subject = w["contestants"][g["subject"]]
            peer = w["contestants"].get(g["peer"]) if g["peer"] else None
            if g["metric"] == "fraction_of_peak":
                ours = f"{subject['gflops_median']:.1f} GFLOP/s"
                theirs = f"{peer['gflops_median']:.1f} GFLOP/s ({peer['label']})"
            else:
                ours = f"{_time(subject['median'])} {_per_unit(w)}"
                theirs = f"{_time(peer['median'])} ({peer['label']})" if peer else "—"
            mark = "✓" if g["met"] else "✗ not met"
            spread = f"{_fmt(g, min(g['per_rep']))} to {_fmt(g, max(g['per_rep']))}"
            rows.append(
                (w["title"], g["text"], ours, theirs, f"**{_value(g)}** {mark} (goal {_needed(g)}; repetitions {spread})")
            )
    return common.table(["workload", "goal", "project (median)", "peer (median)", "result"], rows)


def summary(data: dict) -> str:
    """The result first: every goal in one short table and one plot."""
    goals_ = [(w, g) for w in data["workloads"] for g in w["goals"]]
    met = sum(g["met"] for _, g in goals_)
    rows = [
        (f"{w['title']}: **{g['text']}**", f"**{_value(g)}** {'✓' if g['met'] else '✗ not met'}")
        for w, g in goals_
    ]
    return (
        f"**{met} of {len(goals_)} goals met** in the committed run:\n"
        + common.table(["workload: goal", "measured (median)"], rows)
        # the picture links to itself: on a phone, a tap shows it at full size
        + f"[![Each goal: measured against required, on a log scale]({GOALS_PNG})]({GOALS_PNG})\n\n"
    )


def _why(data: dict, w: dict, g: dict) -> str:
    """A sentence on why a goal is missed, from the numbers of the run."""
    c = w["contestants"]
    wid, peer = w["id"], g["peer"]
    if g["metric"] == "seconds" and "import_median" not in c["project"]:
        p = c["project"]
        return f"it takes {_time(p['median'])} {_per_unit(w)}, after the imports."
    if g["metric"] == "seconds":
        p = c["project"]
        return (
            f"the process takes {_time(p['median'])}: {_time(p['import_median'])} to import `spec` (SymPy "
            f"with it) and {_time(p['after_import_median'])} for the derivations and proofs after that."
        )
    if g["metric"] == "fraction_of_peak":
        return _why_rate(w, g)
    ours, theirs = c[g["subject"]]["median"], c[peer]["median"]
    need = g["at_least"]
    text = (
        f"the project takes {_time(ours)} {_per_unit(w)} where the peer ({c[peer]['label']}) takes {_time(theirs)}; "
        f"meeting the goal needs at most {_time(theirs / need)}."
    )
    if wid == "gradcheck" and g["subject"] == "project-complex":
        text += (
            " The complex step pushes every perturbed copy of the network through complex arithmetic: a "
            "complex `exp` and a complex division cost several times their real counterparts, and the "
            "sigmoid of every changed output is most of the check's work. Central differences, the "
            "default method, meet the goal; the complex step buys accuracy to rounding (about "
            "\\(10^{-13}\\) instead of \\(10^{-8}\\)), not speed."
        )
    elif peer == "sklearn" and "numpy" in c:
        text += (
            f" The minimal NumPy loop, hand-written for exactly this network, is itself only "
            f"{c[peer]['median'] / c['numpy']['median']:.2f}× faster than scikit-learn here (medians), and "
            f"the project runs at {c['numpy']['median'] / ours:.2f}× the minimal loop's speed: both spend "
            "their time in the same matrix products and the same `exp`, so the goal asks for more than "
            "hand-written NumPy gives on this machine."
        )
    elif wid == "digits-b32-f32" and peer == "project":
        text += (
            " Single precision halves the bytes and doubles the SIMD width, but it does not shorten the "
            "fixed cost of each NumPy call (about a microsecond, some 20 calls per batch), which at batches "
            "of 32 is a large share of a step in either precision; and where float64 `exp` is vectorised "
            "too (AVX-512, as here) float32 gains less on the sigmoid than on a CPU with AVX2 only."
        )
    elif wid == "xor":
        text += (
            " With 4 samples and 2 hidden units every array is tiny: an epoch costs what its NumPy calls "
            "cost to make (about a microsecond each), not arithmetic, so only fewer calls per epoch help."
        )
    elif peer == "numpy":
        text += (
            " Per batch, `fit` also computes the batch's loss (summed into `history`), and it runs general "
            "code (any number of layers, any registered activation, either loss and reduction) where the "
            "minimal loop hard-codes two sigmoid layers."
        )
    return text


def _why_rate(w: dict, g: dict) -> str:
    """Why the FLOP rate stays below the matrix product's: the sigmoid, timed alone, and thin products."""
    c = w["contestants"]
    sizes = w["settings"]["sizes"]
    flops = w["settings"]["gflop_per_epoch"] * 1e9
    peak = c[g["peer"]]["gflops_median"] * 1e9
    products = flops / peak
    text = (
        f"only the matrix products count as work ({flops / 1e9:.3f} GFLOP per epoch, which would take "
        f"{_time(products)} at the rate of NumPy's square matrix product), but the project takes "
        f"{_time(c[g['subject']]['median'])} per epoch."
    )
    sigmoid = c.get("sigmoid")
    if sigmoid:
        per_value = sigmoid["median"] / sigmoid["info"]["sigmoids_per_epoch"]
        bound = flops / (products + sigmoid["median"]) / peak
        text += (
            f" Evaluating the sigmoid once per activation, and nothing else, takes {_time(sigmoid['median'])} "
            f"per epoch by itself ({per_value * 1e9:.1f} ns per value: NumPy's `np.exp` in float64 on this "
            f"machine), and counts no FLOPs: with only the products at full rate and the sigmoid, an epoch "
            f"would reach at most {100 * bound:.0f}% of the matrix product's rate."
        )
    text += (
        f" The rest is the sigmoid's derivative, the bias sums and the products' shapes: thin "
        f"({sizes[0]} or {sizes[-1]} wide on one side), which a BLAS runs below the rate of a square product."
    )
    if "numpy" in c and "gflops_median" in c["numpy"]:
        text += (f" The minimal NumPy loop, doing the same work, reaches "
                 f"{100 * c['numpy']['gflops_median'] / c[g['peer']]['gflops_median']:.0f}%.")
    return text


def _spread(g: dict) -> str:
    """How many repetitions met the goal: a goal met in some is within the machine's noise."""
    per_rep = g["per_rep"]
    hits = sum(
        (v >= g["at_least"]) if g["at_least"] is not None else (v <= g["at_most"]) for v in per_rep
    )
    if hits == 0:
        return f" No repetition met it (they ranged from {_fmt(g, min(per_rep))} to {_fmt(g, max(per_rep))})."
    return (
        f" {hits} of {len(per_rep)} repetitions met it (they ranged from {_fmt(g, min(per_rep))} to "
        f"{_fmt(g, max(per_rep))}): the median sits within this machine's run-to-run noise."
    )


def _fmt(g: dict, value: float) -> str:
    return _value({**g, "median": value})


def unmet(data: dict) -> str:
    missed = [(w, g) for w in data["workloads"] for g in w["goals"] if not g["met"]]
    total = sum(len(w["goals"]) for w in data["workloads"])
    if not missed:
        return f"All {total} goals are met in this run.\n"
    lines = [f"{total - len(missed)} of {total} goals are met in this run. Not met:\n"]
    for w, g in missed:
        lines.append(
            f"- **{w['title']}, {g['text']}**: measured {_value(g)}. Why: {_why(data, w, g)}{_spread(g)}"
        )
    return "\n".join(lines) + "\n"


def workloads(data: dict) -> str:
    parts = []
    for w in data["workloads"]:
        parts.append(f"### {w['title']}\n\n{w['description']}\n")
        rates = any("gflops_median" in c for c in w["contestants"].values())
        rows = []
        for name, c in w["contestants"].items():
            t = c["times"]
            row = [c["label"], f"**{_time(c['median'])}**", f"{_time(min(t))} to {_time(max(t))}"]
            if rates:
                row.append(f"{c['gflops_median']:.1f}" if "gflops_median" in c else "—")
            extra = []
            if "all_checks_passed" in c:
                extra.append("every check passed" if c["all_checks_passed"] else "**a check failed**")
            if "after_import_median" in c:
                extra.append(f"after imports: {_time(c['after_import_median'])}")
            # the notes come from docstrings, where code is written ``like this``
            note = (c.get("notes") or "").replace("``", "`")
            row.append("; ".join([note] + extra).strip("; "))
            rows.append(row)
        header = ["contestant", f"median {_per_unit(w)}", f"range over {w['reps']} repetitions"]
        if rates:
            header.append("GFLOP/s (median)")
        header.append("notes")
        parts.append(common.table(header, rows))
    return "\n".join(parts)


def notes(data: dict) -> str:
    return "\n".join(f"- {n}" for n in data["notes"]) + "\n"


def scaling(data: dict) -> str:
    sweeps = data.get("sweeps") or {}
    if not sweeps:
        return "This run did not include the scaling sweeps.\n"
    text = [f"\n![Time per epoch against hidden width and against batch size]({SCALING_PNG})\n"]
    for name, s in sweeps.items():
        fixed = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in s["fixed"].items())
        header = [s["label"]] + [str(v) for v in s["values"]]
        rows = []
        for key, c in s["contestants"].items():
            rows.append([c["label"]] + [_time(t) for t in c["median"]])
        full = s.get("samples", _samples_count(data))
        partial = [v for v, n in zip(s["values"], s.get("timed_samples", [])) if n < full]
        scaled = ""
        if partial:
            n = min(s["timed_samples"])
            scaled = (f" At {s['label']} {', '.join(map(str, partial))} each run trained on {n:,} of the "
                      f"{full:,} samples and its time was scaled to the whole epoch (the time per update does "
                      f"not depend on which samples it sees).")
        text.append(f"\nTime per epoch of all {full:,} digits against {s['label']} ({fixed}), "
                    f"median of {s['reps']}.{scaled}\n" + common.table(header, rows))
        text.append(_growth(s, s.get("samples", _samples_count(data))))
    return "\n".join(text)


def _samples_count(data: dict) -> int:
    w = _workload(data, "digits-b32")
    return int(w["settings"]["samples"]) if w else 1797


def _growth(s: dict, samples: int) -> str:
    """Time at the largest setting over time at the smallest, per contestant."""
    lo, hi = s["values"][0], s["values"][-1]
    parts = ", ".join(f"{c['label']} {c['median'][-1] / c['median'][0]:.3g}×" for c in s["contestants"].values())
    if s["label"] == "batch size":
        return (f"Time per epoch at batch {hi} over time per epoch at batch {lo}: {parts}. An epoch does the same "
                f"arithmetic at every batch size; what changes is the number of updates ({-(-samples // lo):,} at "
                f"batch {lo}, {-(-samples // hi):,} at batch {hi}), so a ratio well below 1 is the fixed cost of "
                f"an update, paid less often.\n")
    return (f"Time per epoch at width {hi} over time per epoch at width {lo} ({hi // lo}× the arithmetic): "
            f"{parts}. A ratio far below {hi // lo}× means that at width {lo} the epoch's time was mostly a fixed "
            f"cost per batch, not arithmetic.\n")


# --- plots ---------------------------------------------------------------------------


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({
        "figure.facecolor": "none", "axes.facecolor": "none", "savefig.facecolor": "none",
        "text.color": INK, "axes.labelcolor": INK, "axes.edgecolor": INK,
        "xtick.color": INK, "ytick.color": INK, "grid.color": INK, "grid.alpha": 0.3,
        "legend.frameon": False, "font.size": 11,
    })
    return plt


def _png(fig) -> bytes:
    """PNG bytes on a transparent background (the page's own colour shows through, light or dark)."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, transparent=True, bbox_inches="tight", pad_inches=0.15)
    plt.close(fig)
    return buffer.getvalue()


def goals_png(data: dict) -> bytes:
    plt = _pyplot()
    rows = []
    for w in data["workloads"]:
        for g in w["goals"]:
            bound = g["at_least"] if g["at_least"] is not None else g["at_most"]
            # measured / required, so that 1 is the goal and right of it is better
            score = g["median"] / bound if g["at_least"] is not None else bound / g["median"]
            method = g["subject"].removeprefix("project").lstrip("-")
            label = f"{w['id']}{' ' + method if method else ''}: {_needed(g)}"
            rows.append((label + (f" vs {g['peer']}" if g["peer"] else ""), score, g["met"], _value(g)))
    fig, ax = plt.subplots(figsize=(6.5, 0.42 * len(rows) + 0.9))
    y = range(len(rows))[::-1]
    scores = [r[1] for r in rows]
    ax.barh(list(y), scores, color=[MET if r[2] else NOT_MET for r in rows], alpha=0.85, height=0.6)
    ax.axvline(1.0, color=INK, lw=1.2, ls="--")
    ax.set_xscale("log")
    ax.set_yticks(list(y), [r[0] for r in rows])
    lo, hi = min(scores + [1.0]), max(scores + [1.0])
    ax.set_xlim(lo / 2, hi * 3)
    for yi, r in zip(y, rows):
        ax.text(r[1] * 1.08, yi, r[3], va="center", fontsize=10)
    from matplotlib.ticker import FuncFormatter, NullFormatter

    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("measured / required (log scale)\nright of the dashed line: goal met")
    ax.grid(axis="x", which="both")
    return _png(fig)


def scaling_png(data: dict) -> bytes:
    plt = _pyplot()
    sweeps = data.get("sweeps") or {}
    fig, axes = plt.subplots(1, max(len(sweeps), 1), figsize=(9.5, 3.8), squeeze=False)
    for ax, (name, s) in zip(axes[0], sweeps.items()):
        for key, c in s["contestants"].items():
            ax.plot(s["values"], [1e3 * t for t in c["median"]], marker="o", ms=4, lw=1.6,
                    color=COLOURS.get(key, INK), label=c["label"])
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xticks(s["values"], [str(v) for v in s["values"]])
        ax.minorticks_off()
        fixed = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in s["fixed"].items())
        ax.set_xlabel(f"{s['label']} ({fixed})")
        ax.set_ylabel("ms per epoch (log scale)")
        ax.grid(True, which="major")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=9)
    return _png(fig)


def images(path=None) -> dict[str, bytes]:
    data = results(path)
    return {GOALS_PNG: goals_png(data), SCALING_PNG: scaling_png(data)}


#: Each block as a function of a results dict (the tests render them from a smoke run's file).
RENDERERS = {
    "summary": summary,
    "run": run_info,
    "machine": machine,
    "goals": goals,
    "unmet": unmet,
    "workloads": workloads,
    "scaling": scaling,
    "notes": notes,
}


def _block(function):
    return lambda: function(results())


#: ``<!-- generated: performance NAME -->``: the blocks of docs/performance.md, from benchmarks/results/latest.json.
BLOCKS = {name: _block(function) for name, function in RENDERERS.items()}
