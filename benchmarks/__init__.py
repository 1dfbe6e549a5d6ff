"""Speed of the project against its peers: ``python -m benchmarks.run`` (or ``make bench``).

* `benchmarks.peers`: the contestants, each a plain training loop written the
  way a competent user of that library would write it.
* `benchmarks.workloads`: what is timed, interleaved, and the goals.
* `benchmarks.machine`: the CPU, the cores, the BLAS that NumPy runs on.
* `benchmarks.run`: the command line; writes ``benchmarks/results/latest.json``.
"""
