"""The ``backprop-spec`` command line and what it shares with the docs and benchmarks.

* `spec.cli.commands`: the command line itself (the parser and one function per command);
* `spec.cli.defaults`: training settings the docs and benchmarks read too;
* `spec.cli.tasks`: the data sets (XOR, 8x8 digits);
* `spec.cli.plots`: pictures of a training run (matplotlib).

Importing this package imports none of them: `main` below loads the command
line only when it is called.
"""


def main(argv=None) -> int:
    """The console script ``backprop-spec`` (see `spec.cli.commands.main`)."""
    from spec.cli.commands import main as run

    return run(argv)
