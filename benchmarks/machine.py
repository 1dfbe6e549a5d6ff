"""The machine a benchmark ran on: CPU, cores, library versions, and the BLAS NumPy calls."""

from __future__ import annotations

import os
import platform
import sys

#: Variables that change which BLAS kernel or how many threads run. The first
#: two are set on some machines for old OpenBLAS builds and slow a current NumPy
#: down: `make bench` unsets them; they are recorded either way.
BLAS_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def cpu_flags() -> list[str]:
    """The vector extensions among the CPU's flags (what a BLAS kernel is chosen by)."""
    wanted = ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512_bf16", "amx_tile", "neon", "asimd", "sve")
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.lower().startswith(("flags", "features")):
                    flags = set(line.split(":", 1)[1].split())
                    return [f for f in wanted if f in flags]
    except OSError:
        pass
    return []


#: Other variables that change a timing: without bytecode caching every fresh process compiles the project again.
PYTHON_ENV = ("PYTHONDONTWRITEBYTECODE", "PYTHONOPTIMIZE")


def blas_env() -> dict:
    return {name: {"set": name in os.environ, "value": os.environ.get(name)} for name in BLAS_ENV}


def python_env() -> dict:
    return {name: {"set": name in os.environ, "value": os.environ.get(name)} for name in PYTHON_ENV}


def threadpools() -> list[dict]:
    """threadpoolctl's view of the native thread pools loaded in this process."""
    from threadpoolctl import threadpool_info

    keys = ("user_api", "internal_api", "prefix", "version", "architecture", "threading_layer", "num_threads")
    pools = []
    for pool in threadpool_info():
        entry = {k: pool.get(k) for k in keys if k in pool}
        entry["library"] = os.path.basename(pool.get("filepath", ""))
        pools.append(entry)
    return pools


def numpy_blas() -> dict:
    """The BLAS NumPy itself calls: the pool whose library lives in NumPy's folder."""
    import numpy  # noqa: F401  (loads its BLAS)
    from threadpoolctl import threadpool_info

    pools = [p for p in threadpool_info() if p.get("user_api") == "blas"]
    # NumPy's wheels ship their BLAS in numpy.libs/ (SciPy's in scipy.libs/)
    mine = [p for p in pools if "numpy" in os.path.basename(os.path.dirname(p.get("filepath", "")))]
    pool = (mine or pools or [{}])[0]
    return {k: pool.get(k) for k in ("internal_api", "version", "architecture", "num_threads", "threading_layer", "prefix")}


def torch_info() -> dict:
    """Run in the PyTorch worker: its version, threads and math libraries."""
    import torch

    return {
        "version": torch.__version__,
        "num_threads": torch.get_num_threads(),
        "num_interop_threads": torch.get_num_interop_threads(),
        "mkl": bool(torch.backends.mkl.is_available()),
        "openmp": bool(torch.backends.openmp.is_available()),
        "threadpools": threadpools(),
        # the kernels impl chose for this CPU (impl._kernels), and the SIMD features NumPy found
        "kernels": _kernels(),
        "load_average_at_start": load_average(),
    }


def _kernels() -> dict:
    from impl import _kernels

    return _kernels.describe()


def sklearn_info() -> dict:
    """Run in the scikit-learn worker."""
    import sklearn

    return {"version": sklearn.__version__, "threadpools": threadpools()}


def load_average() -> list[float] | None:
    """1-, 5- and 15-minute load averages: other work on the machine while the benchmark ran."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def describe() -> dict:
    """Everything above, for this process (which has imported NumPy and SciPy only)."""
    import numpy as np
    import scipy

    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    return {
        "cpu": cpu_model(),
        "cpu_flags": cpu_flags(),
        "machine": platform.machine(),
        "logical_cpus": os.cpu_count(),
        "usable_cpus": usable,
        "os": platform.platform(),
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "numpy_blas": numpy_blas(),
        "blas_env": blas_env(),
        "python_env": python_env(),
        "threadpools": threadpools(),
        # the kernels impl chose for this CPU (impl._kernels), and the SIMD features NumPy found
        "kernels": _kernels(),
        "load_average_at_start": load_average(),
    }


def _kernels() -> dict:
    from impl import _kernels

    return _kernels.describe()
