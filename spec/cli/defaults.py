"""Training settings shared by the command line, the docs and the benchmarks.

They live below the command line (`spec.cli.commands`) so that the docs and the
benchmarks can read them without importing it.
"""

# The tutorial's network, with defaults chosen by measuring 100 seeds (see README).
XOR_DEFAULTS = {"sizes": (2, 2, 1), "epochs": 10000, "lr": 1.0, "init": "xavier", "loss": "mse"}
DIGITS_DEFAULTS = {
    "sizes": (64, 32, 10), "epochs": 30, "lr": 0.1, "init": "xavier", "batch_size": 32, "loss": "ce",
}
