"""Time `prove_backprop` on a grid of small networks: the measurements `spec.estimate` is fitted to.

Usage: ``python -m benchmarks.prove_times [--out PATH] [--cap S] [--case SIZES:SAMPLES:METHOD:LOSS ...]``,
then ``python -m benchmarks.prove_times --fit`` for the constants of `spec.proof_time.PROOF_TIME_FIT`.

Each case runs in a fresh process (no SymPy cache carried over from the one
before), one at a time, and reports ``BackpropProof.seconds``: the time
``prove`` counts against ``--timeout``. Cases over the library's size limits
are skipped; a case still running after ``--cap`` seconds is recorded as
stopped (``seconds`` is then a lower bound). Writes one JSON object per line.
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "prove_times.jsonl"

#: Widths 2 to 6, 2 to 4 layers (sizes of 3 to 5 entries), as the grid the fit rests on.
SIZES = [
    (2, 2, 1), (3, 3, 2), (4, 4, 3), (6, 6, 6),
    (2, 2, 2, 1), (3, 3, 3, 2), (4, 4, 4, 3), (6, 6, 6, 6),
    (2, 2, 2, 2, 1), (3, 3, 3, 3, 2), (4, 4, 4, 4, 3), (6, 6, 6, 6, 6),
]
SAMPLES = [1, 2, 4, 8]
METHODS = ["downstream", "nested"]
LOSSES = ["mse", "ce"]

WORKER = """
import json, sys
from spec import network
sizes, samples, method, loss, cap = json.loads(sys.argv[1])
try:
    r = network.prove_backprop(sizes, "sigmoid", "softmax" if loss == "ce" else "sigmoid", loss, "sum",
                               samples, timeout=cap, method=method)
    print(json.dumps({"seconds": r.seconds, "ok": r.ok}))
except network.ProofTimeout as err:
    print(json.dumps({"seconds": err.seconds, "stopped": True, "done": err.done, "total": err.total}))
"""


def time_case(sizes, samples, method, loss, cap) -> dict:
    """One case in its own process: its `prove_backprop` seconds."""
    proc = subprocess.run(
        [sys.executable, "-c", WORKER, json.dumps([list(sizes), samples, method, loss, cap])],
        capture_output=True, text=True, cwd=ROOT, check=True,
    )
    row = {"sizes": list(sizes), "samples": samples, "method": method, "loss": loss}
    row.update(json.loads(proc.stdout.strip().splitlines()[-1]))
    return row


#: Shorter proofs are mostly fixed cost (imports done, the instantiation): left out of the fit.
FIT_FROM_SECONDS = 0.3


def fit(path: Path) -> None:
    """Least squares on log(seconds) per method: print ``(c0, cN, cP, cQ, c_ce)`` and the worst factor off."""
    import numpy as np

    from spec.proof_time import parameter_count, path_count

    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    rows = [r for r in rows if not r.get("stopped") and r["seconds"] >= FIT_FROM_SECONDS]
    for method in METHODS:
        mine = [r for r in rows if r["method"] == method]
        # log t = c0 + cN log N + cP log P + cQ log Q + c_ce [ce]
        X = np.array([
            [1.0, np.log(r["samples"]), np.log(parameter_count(r["sizes"])), np.log(path_count(r["sizes"])),
             float(r["loss"] == "ce")]
            for r in mine
        ])
        y = np.log([r["seconds"] for r in mine])
        c, *_ = np.linalg.lstsq(X, y, rcond=None)
        off = np.exp(np.abs(y - X @ c)).max()
        print(f"{method}: {tuple(round(float(v), 3) for v in c)}  ({len(mine)} proofs, off by at most {off:.2f}x)")


def main(argv=None) -> None:
    from spec import network

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--cap", type=float, default=60.0, help="stop a case after this many seconds")
    parser.add_argument("--case", action="append", default=[],
                        help="time only SIZES:SAMPLES:METHOD:LOSS, e.g. 10,10,10:2:nested:mse (repeatable)")
    parser.add_argument("--fit", action="store_true", help="fit the model to --out instead of timing")
    args = parser.parse_args(argv)
    if args.fit:
        return fit(args.out)
    if args.case:
        cases = [
            (tuple(map(int, s.split(","))), int(n), m, loss)
            for s, n, m, loss in (c.split(":") for c in args.case)
        ]
    else:
        cases = list(itertools.product(SIZES, SAMPLES, METHODS, LOSSES))
    with args.out.open("a") as out:
        for sizes, samples, method, loss in cases:
            try:
                network.check_size_of_proof(sizes, samples, method)
            except ValueError:
                continue
            row = time_case(sizes, samples, method, loss, args.cap)
            print(json.dumps(row), flush=True)
            out.write(json.dumps(row) + "\n")
            out.flush()


if __name__ == "__main__":
    main()
