"""The ``backprop-spec`` command line: train, derive, prove.

Every command checks its arguments first; a bad one gives a single line
``backprop-spec: error: ...`` and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys

from spec.cli.defaults import DIGITS_DEFAULTS, XOR_DEFAULTS


class UsageError(Exception):
    """A bad command-line argument: reported in one line with exit code 2."""


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated positive ints such as 2,2,1, got {text!r}"
        ) from None
    if len(sizes) < 2 or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"expected at least two positive ints such as 2,2,1, got {text!r}")
    return sizes


def _seed(text: str) -> int:
    try:
        seed = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a non-negative int, got {text!r}") from None
    if seed < 0:
        raise argparse.ArgumentTypeError(f"expected a non-negative int, got {seed}")
    return seed


#: More passes than anyone waits for (XOR runs about 40,000 epochs a second): surely a typo.
MAX_EPOCHS = 10**8


def _epochs(text: str) -> int:
    try:
        epochs = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive int, got {text!r}") from None
    if not 1 <= epochs <= MAX_EPOCHS:
        raise argparse.ArgumentTypeError(f"expected an int from 1 to {MAX_EPOCHS:,}, got {text!r}"[:200])
    return epochs


#: The widest Jacobian `derive` prints.
MAX_DERIVE_UNITS = 8


def _units(text: str) -> int:
    try:
        units = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an int from 1 to {MAX_DERIVE_UNITS}, got {text!r}") from None
    if not 1 <= units <= MAX_DERIVE_UNITS:
        raise argparse.ArgumentTypeError(f"expected an int from 1 to {MAX_DERIVE_UNITS}, got {text!r}")
    return units


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds such as 20, got {text!r}") from None
    if not 0 < value <= 86400:
        raise argparse.ArgumentTypeError(f"expected seconds in (0, 86400], got {text!r}")
    return value


class _RegistryNames:
    """The names of a registry (``"activations"`` or ``"losses"``), read when first shown: help costs no import."""

    def __init__(self, registry: str):
        self.registry = registry

    def module(self):
        import importlib

        return importlib.import_module(f"spec.{self.registry}")

    def __str__(self) -> str:
        return ", ".join(self.module().names())


class _RegistryChoice(argparse.Action):
    """An option whose value must be a registered name; help lists the registry (``%(names)s``), errors name it."""

    def __init__(self, option_strings, dest, registry: str, **kwargs):
        super().__init__(option_strings, dest, **kwargs)
        self.names = _RegistryNames(registry)

    def __call__(self, parser, namespace, value, option_string=None):
        try:
            self.names.module().get(value)
        except (ValueError, TypeError) as err:
            # "loss: unknown name 'x'; expected one of ..." -> "unknown name 'x'; expected one of ..."
            raise argparse.ArgumentError(self, str(err).split(": ", 1)[-1]) from None
        setattr(namespace, self.dest, value)


class _Parser(argparse.ArgumentParser):
    """argparse, with errors in one line (``backprop-spec train: error: ...``) instead of usage plus error."""

    def error(self, message):
        text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)
        self.exit(2, f"{self.prog}: error: {text} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The whole command line: one sub-command per function below."""
    parser = _Parser(
        prog="backprop-spec",
        description="Backpropagation proven in SymPy, implemented in NumPy, checked against each other.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)
    for add in (_train_command, _derive_command, _prove_command, _verify_command, _add_command, _remove_command):
        add(commands)
    return parser


def _train_command(commands) -> None:
    """The ``train`` command's options."""
    train = commands.add_parser(
        "train",
        help="train a network (XOR or the 8x8 digits) and print its results",
        description=(
            "Train a network with plain gradient descent and print the final loss and the "
            "predictions (xor) or the test accuracy (digits). XOR defaults: sizes 2,2,1, sigmoid, "
            f"half squared error summed over the samples (the tutorial's setup), full batch, "
            f"--init {XOR_DEFAULTS['init']}, --lr {XOR_DEFAULTS['lr']}, --epochs {XOR_DEFAULTS['epochs']}, "
            "--seed 0; with these defaults 81 of seeds 0-99 solve XOR (the tutorial's own settings, "
            "--init normal --lr 0.1: 64 of 100; see benchmarks/xor_seeds.py). Digits defaults: sizes 64,32,10, sigmoid "
            "hidden layer, softmax output with cross-entropy (--loss ce) summed over the samples, batch size "
            f"{DIGITS_DEFAULTS['batch_size']}, --lr {DIGITS_DEFAULTS['lr']}, --epochs {DIGITS_DEFAULTS['epochs']}; "
            "the earlier setup, ten sigmoids with squared error, is --loss mse."
        ),
    )
    train.add_argument("--task", choices=("xor", "digits"), default="xor")
    train.add_argument("--sizes", type=_sizes, help="layer widths, input first (default: per task)")
    train.add_argument("--activation", default="sigmoid", help="hidden layers' activation (default sigmoid)")
    train.add_argument(
        "--output-activation", default=None,
        help="output activation (default: the loss's own, sigmoid for mse and bce, softmax for ce)",
    )
    train.add_argument(
        "--loss", default=None,
        help="a registered loss: mse (half squared error), bce, ce (cross-entropy after a softmax); "
        "default: xor mse, digits ce",
    )
    train.add_argument("--reduction", default="sum", help="sum or mean over samples (default sum)")
    train.add_argument("--init", default=None, help="normal (tutorial: N(0,1)) or xavier (default: per task)")
    train.add_argument("--epochs", type=_epochs, help="passes over the training data (default: per task)")
    train.add_argument("--lr", type=float, help="learning rate (default: per task)")
    train.add_argument("--batch-size", type=int, help="samples per update (default: xor full batch, digits 32)")
    train.add_argument("--seed", type=_seed, default=0, help="random seed (default 0)")
    train.add_argument(
        "--dtype", default="float64", choices=("float64", "float32"),
        help="precision of the parameters and of training (default float64)",
    )
    train.add_argument("--plot", metavar="FILE.png", help="save the loss curve (and XOR's decision boundary)")
    train.add_argument("--save", metavar="FILE.npz", help="save the trained network")
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    train.set_defaults(run=_train)


def _derive_command(commands) -> None:
    """The ``derive`` command's options."""
    derive = commands.add_parser(
        "derive",
        help="print an activation, its derivative, its output form and the proofs",
        description="Print f(z), f'(z), the output-form derivative g(a) with f'(z) = g(f(z)) "
        "(or why none exists), f''(z) and its output form h(a) with f''(z) = h(f(z)) (or why none), "
        "and how each was established. For a vector activation (softmax), print "
        "its component f_i(z), its Jacobian for --units N units, the Jacobian's output form G(a) with "
        "J(z) = G(f(z)), and why no elementwise g exists. Exit 1 if a proof fails.",
    )
    derive.add_argument("name", help="a registered activation, e.g. sigmoid or softmax")
    derive.add_argument("--latex", action="store_true", help="print LaTeX instead of plain text")
    derive.add_argument(
        "--units", type=_units, default=3, metavar="N",
        help="for a vector activation: the number of units of the Jacobian shown (default 3, at most 8)",
    )
    derive.set_defaults(run=_derive)


def _prove_command(commands) -> None:
    """The ``prove`` command's options."""
    prove = commands.add_parser(
        "prove",
        help="prove symbolically that backprop computes the gradient, for every parameter",
        description=(
            "Build the network symbolically with explicit weight matrices and a batch of "
            "symbolic samples, differentiate the loss with sympy.diff for every weight and bias, "
            "and prove it equal to the backprop formulas. By default (--method downstream) each "
            "unit's dL/dz is differentiated once, from the loss written from its layer on, and "
            "shared by the unit's weights and bias through dz/dW; --method nested differentiates "
            "the whole nested network by every parameter (slower, for small networks). The hidden and output "
            "activations are left as undefined functions, so the per-parameter proofs hold for "
            "every activation; the named activations' derivatives and output errors are proven "
            "after. Exit 0 if everything is proven, 1 if not."
        ),
    )
    which = prove.add_mutually_exclusive_group()
    which.add_argument("--sizes", type=_sizes, default=None, help="layer widths (default 2,2,1)")
    which.add_argument(
        "--general", action="store_true",
        help="prove the recurrence for every width and depth instead: symbolic widths, an undefined activation "
        "and an undefined loss, every registered loss and output activation for the output error; prints what "
        "SymPy proves and what is stated (takes none of the options naming one network)",
    )
    prove.add_argument(
        "--activation", default=None, action=_RegistryChoice, registry="activations", metavar="NAME",
        help="hidden layers' activation, one of %(names)s (default sigmoid)",
    )
    prove.add_argument(
        "--output-activation", default=None, action=_RegistryChoice, registry="activations", metavar="NAME",
        help="output activation, one of %(names)s (default: the loss's own, sigmoid for mse and bce, "
        "softmax for ce)",
    )
    prove.add_argument(
        "--loss", default=None, action=_RegistryChoice, registry="losses", metavar="NAME",
        help="one of %(names)s (default mse; ce is cross-entropy after a softmax)",
    )
    prove.add_argument("--reduction", default=None, help="sum or mean over the batch (default sum)")
    prove.add_argument("--samples", type=int, default=None, help="samples in the symbolic batch (default 2, at most 64)")
    prove.add_argument(
        "--timeout", type=_seconds, default=120.0, metavar="S",
        help="stop after S seconds, reporting how far it got (default 120); a request whose estimated time "
        "is over S is refused before it starts, naming a --timeout that lets it run",
    )
    prove.add_argument(
        "--method", choices=("downstream", "nested"), default=None,
        help="downstream (default): each unit's dL/dz once, from its layer on; nested: the whole network "
        "differentiated by every parameter",
    )
    prove.add_argument("--quiet", action="store_true", help="no progress bar")
    prove.set_defaults(run=_prove)


def _verify_command(commands) -> None:
    """The ``verify`` command's options."""
    verify = commands.add_parser(
        "verify",
        help="check your own backprop code against the spec",
        description=(
            "Check a backprop class, written in any common style, against the spec. verify finds by itself "
            "its parameters (attributes, lists or dicts of arrays; W as (out, in) or (in, out); biases or none), "
            "the layout of X, the depth, the forward and training methods and how the learning rate reaches "
            "them, prints what it found, then runs the class at several architectures, weights, batches and "
            "learning rates. It identifies the activations from the forward pass and the loss convention "
            "(every registered loss the output admits: squared error, binary cross-entropy, cross-entropy after a "
            "softmax; 1/2 or whole sums, means over samples or entries; one step per batch or per sample) from the "
            "updates, with one-hot, soft or integer-label targets for a softmax, and names the convention of a "
            "correct implementation; "
            "--activation, --output-activation, --loss and --reduction pin a convention instead. On a mismatch "
            "it names the worst entry and diagnoses known mistakes at any layer. The file runs in a separate "
            "process (imported as a module: code under `if __name__ == '__main__':` does not run) with a time "
            "limit; what it prints goes to standard error. On Linux with bubblewrap it runs with no network, no "
            "capabilities, an empty environment, read-only files but for a private folder of 256 MiB (files of at "
            "most 256 MiB), 4 GiB of address space per process, and, where a cgroup can be made, at most 64 "
            "processes and 4 GiB of memory all together; without bubblewrap, Landlock and the per-process limits "
            "only. The report's confinement line says what was measured to apply. Exit 0 on a match, 1 on a mismatch or misbehaviour "
            "(an exception, exit, crash or time-out), 2 if the file cannot be loaded or driven, or its forward pass "
            "matches no registered activations (UNDECIDED)."
        ),
    )
    verify.add_argument("target", metavar="FILE.py[:CLASS]", help="the file, and the class in it if there are several")
    verify.add_argument("--activation", default=None, help="pin the hidden layers' activation (default: found)")
    verify.add_argument("--output-activation", default=None, help="pin the output activation (default: found)")
    verify.add_argument(
        "--loss", default=None,
        help="pin a registered loss: mse (1/2 * sum of squares, the tutorial's), bce, ce (cross-entropy after a "
             "softmax) (default: found, among every registered loss the output admits)",
    )
    verify.add_argument("--reduction", default=None, help="pin sum (the tutorial's) or mean over samples (default: found)")
    verify.add_argument("--forward", metavar="METHOD", help="the forward method, when discovery cannot tell")
    verify.add_argument("--step", metavar="METHOD", help="the training method, when discovery cannot tell")
    verify.add_argument(
        "--layout", choices=("samples,features", "features,samples"),
        help="the layout of X your code takes, when discovery cannot tell",
    )
    verify.add_argument("--json", action="store_true", help="print the report as JSON")
    verify.add_argument("--seed", type=_seed, default=0, help="seed for the random scenarios (default 0)")
    verify.add_argument(
        "--timeout", type=_seconds, default=20.0, metavar="S",
        help="seconds for everything your code runs, import included (default 20)",
    )
    verify.set_defaults(run=_verify)


def _add_command(commands) -> None:
    """The ``add-activation`` command's options."""
    add = commands.add_parser(
        "add-activation",
        help="add a new activation from one SymPy expression in z",
        description=(
            "Add an activation from one expression in z, e.g. 'z * tanh(log(1 + exp(z)))'. "
            "The text is parsed without running it: only numbers, z, declared --param names, "
            "+ - * / ** (or ^), the functions exp log sqrt sin cos tan sinh cosh tanh asinh atan erf erfc "
            "Abs Max Min Heaviside sign, and Piecewise((expr, z > 0), ..., (expr, True)) are accepted, on one "
            "line of at most 2000 characters. f and f' must be real and finite at every real z (decided "
            "symbolically, then checked numerically). The command derives f', "
            "the output form (or why none exists), adds the expression to the registry activations.json "
            "in your folder of added activations and writes a starting NumPy implementation act_NAME.py "
            "next to it for you to review; the tests and the docs then cover it. The folder is "
            "$BACKPROP_SPEC_HOME/activations when BACKPROP_SPEC_HOME is set, otherwise "
            "$XDG_DATA_HOME/backprop-spec/activations (~/.local/share/backprop-spec/activations); nothing in "
            "the package is written, and remove-activation NAME takes it out again. "
            "The symbolic work runs in a child process stopped after --timeout seconds. "
            "Exit 2 on a bad name, expression, parameter or description, a name already added, a folder "
            "that cannot be written, or when the time runs out; nothing is written then."
        ),
    )
    add.add_argument(
        "name", metavar="NAME",
        help="a new name: a lower-case letter, then lower-case letters, digits or _, at most 40 characters "
        "(not a Python keyword or builtin, not a registered activation or loss), e.g. mish",
    )
    add.add_argument("expr", metavar="EXPR", help="the activation as an expression in z")
    add.add_argument(
        "--param", action="append", metavar="NAME=VALUE",
        help="a parameter and its default, a decimal number or a fraction such as 1/3 (repeatable)",
    )
    add.add_argument("--description", default="", help="one line for the docs (printable text, at most 200 characters)")
    add.add_argument(
        "--timeout", default=20.0, metavar="SECONDS",
        help="time allowed for the symbolic work (default 20; the command then ends within about a second more)",
    )
    add.set_defaults(run=_add_activation)


def _remove_command(commands) -> None:
    """The ``remove-activation`` command's options."""
    remove = commands.add_parser(
        "remove-activation",
        help="remove an activation added with add-activation",
        description=(
            "Remove an activation added with add-activation: its entry in the registry activations.json "
            "and its module act_NAME.py in the folder of added activations ($BACKPROP_SPEC_HOME/activations, "
            "by default ~/.local/share/backprop-spec/activations). A module left without an entry by an "
            "interrupted command (an orphan) is removed the same way. --list shows what the folder holds. "
            "Exit 2, changing nothing, if there is no added activation NAME or NAME is built in."
        ),
    )
    remove.add_argument("name", metavar="NAME", nargs="?", help="the added activation to remove, e.g. mish")
    remove.add_argument(
        "--list", action="store_true",
        help="list the added activations in the folder, orphans included, and remove nothing",
    )
    remove.set_defaults(run=_remove_activation)


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except (UsageError, ValueError, TypeError) as err:
        print(f"backprop-spec: error: {_as_option(str(err), args)}", file=sys.stderr)
        return 2
    except MemoryError:
        print(f"backprop-spec: error: {args.command} ran out of memory (smaller --sizes or --batch-size?)", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # the reader went away (| head): nothing more to say, and nothing to say it to
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        # Ctrl-C: one line, the shell's code for SIGINT, no traceback
        print(f"\nbackprop-spec: {args.command} interrupted", file=sys.stderr)
        return 130


def _as_option(message: str, args) -> str:
    """``"sizes: ..."`` (the API's argument) as ``"--sizes: ..."`` when the command has that option."""
    name, sep, rest = message.partition(":")
    if sep and name.isidentifier() and name in vars(args) and name not in ("command", "run"):
        positional = name in ("name", "expr", "target")
        return f"{name.upper() if positional else '--' + name.replace('_', '-')}:{rest}"
    return message


# --- train ---------------------------------------------------------------


def _train(args) -> int:
    from spec.cli import tasks

    defaults = XOR_DEFAULTS if args.task == "xor" else DIGITS_DEFAULTS
    sizes = args.sizes or defaults["sizes"]
    epochs = defaults["epochs"] if args.epochs is None else args.epochs
    lr = defaults["lr"] if args.lr is None else args.lr
    init = args.init or defaults["init"]
    loss = args.loss or defaults["loss"]
    batch_size = args.batch_size if args.batch_size is not None else defaults.get("batch_size")
    if args.plot:
        _require_matplotlib()
        _require_plot_format(args.plot)
    for option, path in (("--save", args.save), ("--plot", args.plot)):
        _require_writable(option, path)

    data = tasks.load(args.task, seed=args.seed)
    from impl import Network

    if sizes[0] != data.X_train.shape[1] or sizes[-1] != data.Y_train.shape[1]:
        raise UsageError(
            f"--sizes: the {args.task} task needs {data.X_train.shape[1]} inputs and "
            f"{data.Y_train.shape[1]} outputs, got {','.join(map(str, sizes))}"
        )
    if args.output_activation is None:
        # the output activation is the loss's default: a conflict is the --loss the user gave
        from impl import losses as impl_losses

        default_output = impl_losses.get(loss).default_output
        if default_output == "softmax" and sizes[-1] < 2:
            others = [n for n in impl_losses.names() if impl_losses.get(n).default_output != "softmax"]
            raise UsageError(
                f"--loss: {loss!r} goes with a softmax output, which needs 2 or more output units; "
                f"the {args.task} task's network has {sizes[-1]} (sizes {','.join(map(str, sizes))}): "
                f"use {' or '.join('--loss ' + n for n in others)}"
            )
    net = Network(
        sizes, args.activation, args.output_activation, loss, args.reduction, seed=args.seed, init=init,
        dtype=args.dtype,
    )
    print(
        f"training {args.task}: sizes {','.join(map(str, sizes))}, {net.activation}/"
        f"{net.output_activation}, loss {net.loss} ({args.reduction}), init {init}, "
        f"lr {lr}, epochs {epochs}, batch {batch_size or 'full'}, seed {args.seed}"
        + ("" if args.dtype == "float64" else f", {args.dtype}")
    )
    from impl import Diverged

    bar = None if args.quiet else ProgressBar(epochs)
    try:
        net.fit(
            data.X_train, data.Y_train, epochs=epochs, lr=lr, batch_size=batch_size,
            callback=None if bar is None else bar.update,
        )
    except Diverged as err:
        if bar is not None:
            bar.close()
        # the API's names as the command's options
        text = str(err).replace("a smaller lr", "a smaller --lr").replace('reduction="mean"', "--reduction mean")
        text = text.replace('with "sum"', "with sum")
        print(f"backprop-spec: train diverged: {text}", file=sys.stderr)
        return 1
    if bar is not None:
        bar.close()
    print(f"final loss: {net.history[-1]:.6g}")
    if args.task == "xor":
        out = net.forward(data.X_train)[:, 0]
        print("predictions:")
        for x, target, value in zip(data.X_train, data.Y_train[:, 0], out):
            print(f"  {int(x[0])} XOR {int(x[1])} = {int(target)}   network: {value:.4f}")
        solved = bool(((out >= 0.5) == (data.Y_train[:, 0] == 1)).all())
        print("solved XOR" if solved else "did not solve XOR (try another --seed, or the defaults)")
    else:
        train_acc = net.score(data.X_train, data.Y_train.argmax(1))
        test_acc = net.score(data.X_test, data.Y_test.argmax(1))
        print(f"train accuracy: {train_acc:.4f}")
        print(f"test accuracy: {test_acc:.4f} ({len(data.X_test)} held-out images)")
    if args.save:
        try:
            net.save(args.save)
        except OSError as err:  # the disk filled up, or the folder went away, during training
            raise UsageError(f"--save: cannot write {args.save}: {err.strerror or err}") from None
        print(f"saved the network to {args.save}")
    if args.plot:
        from spec.cli import plots

        try:
            plots.training(net, data, args.task, args.plot)
        except OSError as err:
            raise UsageError(f"--plot: cannot write {args.plot}: {err.strerror or err}") from None
        print(f"saved the plot to {args.plot}")
    return 0


def _require_writable(option: str, path) -> None:
    """Fail before training, not after, when an output file cannot be written.

    The target must be a regular file that can be replaced, or a new name in a
    writable folder: not a folder, a device (/dev/full), a FIFO or a name
    ending in a slash.
    """
    import os
    import stat

    if path is None:
        return
    if not path or path.endswith(os.sep) or os.path.basename(path) in ("", ".", ".."):
        raise UsageError(f"{option}: expected a file name such as net.npz, got {path!r}")
    try:
        info = os.stat(path)
    except FileNotFoundError:
        info = None
    except OSError as err:
        raise UsageError(f"{option}: cannot write {path!r}: {err.strerror}") from None
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            raise UsageError(f"{option}: {path!r} is a folder; expected a file name inside it, such as net.npz")
        if not stat.S_ISREG(info.st_mode):
            raise UsageError(f"{option}: {path!r} is not a regular file (a device, FIFO or socket); expected a file name")
        if not os.access(path, os.W_OK):
            raise UsageError(f"{option}: cannot write {path!r}: permission denied")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder) or not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"{option}: cannot write {path!r}: the folder {folder!r} does not exist or is not writable")


def _require_plot_format(path: str) -> None:
    """The picture's format, from its suffix, checked before training (matplotlib's formats)."""
    import os

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    suffix = os.path.splitext(path)[1].lstrip(".").lower()
    formats = FigureCanvasAgg.get_supported_filetypes()
    if suffix not in formats:
        raise UsageError(f"--plot: expected a picture file ending in .{', .'.join(sorted(formats))}; got {path!r}")


def _require_matplotlib():
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise UsageError("--plot: needs matplotlib; install it with: pip install matplotlib") from None


class ProgressBar:
    """A dependency-free progress bar on standard error.

    On a terminal it redraws one line; elsewhere (a log, a pipe) it prints a
    line at every tenth of the run.
    """

    def __init__(self, total: int, width: int = 30, stream=None, label: str = "epoch", delay: float = 0.0):
        import time

        self.width, self.label = width, label
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty()
        self._set_total(total)
        # nothing is drawn for work that ends within `delay` seconds
        self._clock, self._quiet_until, self._drawn = time.monotonic, time.monotonic() + delay, False

    def _set_total(self, total: int) -> None:
        self.total = total
        self.every = max(1, total // (100 if self.live else 10))

    def update(self, epoch: int, loss: float) -> None:
        """After training epoch ``epoch`` (from 0) with loss ``loss``."""
        self._draw(epoch + 1, f"  loss {loss:.6g}")

    def update_count(self, done: int, total: int) -> None:
        """``done`` of ``total`` items finished (the total may be known only now)."""
        if total != self.total:
            self._set_total(total)
        self._draw(done, "")

    def _draw(self, done: int, extra: str) -> None:
        if done % self.every and done != self.total or self._clock() < self._quiet_until:
            return
        self._drawn = True
        filled = self.width * done // max(self.total, 1)
        bar = "#" * filled + "-" * (self.width - filled)
        end = "" if self.live else "\n"
        start = "\r" if self.live else ""
        self.stream.write(f"{start}[{bar}] {self.label} {done}/{self.total}{extra}{end}")
        self.stream.flush()

    def close(self) -> None:
        if self.live and self._drawn:
            self.stream.write("\n")
            self.stream.flush()


# --- derive --------------------------------------------------------------


def _derive(args) -> int:
    import sympy as sp

    from spec import activations
    from spec.activations import pretty, z

    try:
        act = activations.get(args.name)
    except (ValueError, TypeError) as err:
        raise UsageError(f"NAME: {str(err).split(': ', 1)[-1]}") from None
    if not act.elementwise:
        return _derive_vector(act, args.units, args.latex)
    if args.latex:
        tex = act.latex()
        print(f"f(z) = {tex['f']}")
        print(f"f'(z) = {tex['derivative']}")
        if tex["output_form"] is None:
            print(f"% no output form: {act.derived(1).reason}")
        else:
            print(f"f'(z) = g(a), \\quad g(a) = {tex['output_form']}, \\quad a = f(z)")
        print(f"f''(z) = {tex['second_derivative']}")
        if tex["second_output_form"] is None:
            print(f"% no second output form: {act.derived(2).reason}")
        else:
            print(f"f''(z) = h(a), \\quad h(a) = {tex['second_output_form']}, \\quad a = f(z)")
        return 0 if all(p.ok for p in act.derived(1).proofs + act.derived(2).proofs) else 1
    print(f"{act.name}: {act.description}")
    print(f"  f(z)  = {pretty(act.symbolic_expr)}")
    print(f"  f'(z) = {pretty(act.derived(1).display)}    (derived by sympy.diff)")
    if act.params:
        values = ", ".join(f"{pretty(symbol)} = {pretty(value)}" for symbol, value in act.params.items())
        print(f"  with {values}")
    print(f"  values: f(z) ∈ {act.range_text()} over the real line")
    for point, (left, right) in act.derived(1).one_sided.items():
        at = pretty(point)
        if point in act.kinks:
            print(
                f"  kink at z = {at}: slope {pretty(left)} from the left, {pretty(right)} from the right; "
                f"f'({at}) = {pretty(act.derivative.subs(z, point))} follows PyTorch"
            )
        else:
            print(f"  pieces meet at z = {at} with the same slope {pretty(left)} from both sides: no kink")
    if act.output_form is None:
        print("  output form: none")
        print(f"    why: {act.derived(1).reason}")
    else:
        print(f"  output form: f'(z) = g(a) with a = f(z), g(a) = {pretty(act.output_form)}")
        print(f"    how: {act.derived(1).reason}")
    print(f"  f''(z) = {pretty(act.derived(2).display)}    (derived by sympy.diff of f')")
    for point, (left, right) in act.derived(2).one_sided.items():
        if sp.simplify(left - right) == 0:
            continue
        at, value = pretty(point), act.derived(2).expr.subs(z, point)
        side = ("the left piece's, as for f'" if sp.simplify(value - left) == 0
                else "the right piece's" if sp.simplify(value - right) == 0
                else "the mean of the two sides" if sp.simplify(value - (left + right) / 2) == 0 else "a convention")
        print(f"  f'' jumps at z = {at}: {pretty(left)} from the left, {pretty(right)} from the right; "
              f"f''({at}) = {pretty(value)} is {side}")
    if act.derived(2).output_form is None:
        print("  second output form: none")
        why, witness = act.derived(2).reason, act.derived(1).reason.split(" while ")[0]
        if act.output_form is None and why.startswith(witness + " while "):
            # the same two points witness both: the points are given once, above
            why = "the same two points as above, while " + why.split(" while ", 1)[1]
        print(f"    why: {why}")
    else:
        print(f"  second output form: f''(z) = h(a) with a = f(z), h(a) = {pretty(act.derived(2).output_form)}")
        print(f"    how: {act.derived(2).reason}")
    proofs = act.derived(1).proofs + act.derived(2).proofs
    for proof in proofs:
        print(f"  {proof}")
    return 0 if all(p.ok for p in proofs) else 1


def _derive_vector(act, n: int, latex: bool) -> int:
    """``derive`` for a vector activation: f_i, the Jacobian for ``n`` units, its output form, the proofs."""

    J, G = act.jacobian(n), act.jacobian_output_form(n)
    proofs = act.proofs(n) + act.general_proofs()
    if latex:
        tex = act.latex(n)
        print(f"f_i(z) = {tex['f']}")
        print(f"J(z) = {tex['jacobian']}")
        if tex["output_form"] is None:
            print(f"% no output form for n = {n}: {act.jacobian_output_form_reason(n)}")
        else:
            print(f"J(z) = G(a), \\quad G(a) = {tex['output_form']}, \\quad a = f(z)")
        print(f"% no elementwise output form g(a_i): {act.why_not_elementwise(1)}")
        return 0 if all(p.ok for p in proofs) else 1
    import sympy as sp

    from spec.activations import pretty_layer

    print(f"{act.name}: {act.description}")
    print("  a vector activation: every output depends on the whole layer z = (z₁, …, zₙ)")
    print(f"  fᵢ(z) = {pretty_layer(act.component)}    (sums over the layer's units j = 1 … n)")
    # the entries share the denominator s = e^z₁ + … + e^zₙ: printed once, not in every entry
    total = sp.Add(*[sp.exp(t) for t in act.zs(n)])
    s = sp.Symbol("s")
    shared = J.has(total)
    J_shown = J.xreplace({total: s}) if shared else J
    where = f", with s = {pretty_layer(total)}" if shared else ""
    print(f"  Jacobian Jᵢₖ = ∂fᵢ/∂zₖ for n = {n} units{where}    (derived by Matrix.jacobian)")
    for r in range(J_shown.rows):
        print(f"    [{', '.join(pretty_layer(e) for e in J_shown.row(r))}]")
    if G is None:
        print(f"  output form: none for n = {n}")
        print(f"    why: {act.jacobian_output_form_reason(n)}")
    else:
        print("  output form: J(z) = G(a) with a = f(z),")
        for r in range(G.rows):
            print(f"    {'G(a) = ' if r == 0 else '       '}[{', '.join(pretty_layer(e) for e in G.row(r))}]")
        print(f"    how: {act.jacobian_output_form_reason(n)}")
    if act.general_jacobian_output_form is not None:
        print(f"  for any number of units n: ∂fᵢ/∂zₖ = {pretty_layer(act.general_jacobian_output_form)}")
    print("  elementwise output form g(aᵢ): none")
    print(f"    why: {act.why_not_elementwise(1)}")
    for proof in proofs:
        print(f"  {proof}")
    return 0 if all(p.ok for p in proofs) else 1


# --- prove ---------------------------------------------------------------


#: The options of `prove` that name one network, and their defaults (``--general`` takes none of them).
PROVE_NETWORK_OPTIONS = {
    "sizes": (2, 2, 1), "activation": "sigmoid", "output_activation": None, "loss": "mse", "reduction": "sum",
    "samples": 2, "method": "downstream",
}


def _prove(args) -> int:
    if args.general:
        given = [name for name in PROVE_NETWORK_OPTIONS if getattr(args, name) is not None]
        if given:
            options = ", ".join("--" + name.replace("_", "-") for name in given)
            raise UsageError(
                f"--general: proves every width, activation and loss at once and takes no {options}; "
                "give either --general or the network's options"
            )
        return _prove_general(args.timeout)
    for name, default in PROVE_NETWORK_OPTIONS.items():
        if getattr(args, name) is None:
            setattr(args, name, default)

    from spec.network import ProofTimeout, prove_backprop

    from spec import losses

    # no --output-activation: the loss's own (sigmoid for mse and bce, softmax for ce)
    output_activation = args.output_activation or losses.get(args.loss).default_output
    _refuse_what_cannot_finish(args, output_activation)
    bar = None if args.quiet else ProgressBar(0, label="parameter", delay=1.0)
    try:
        result = prove_backprop(
            args.sizes, args.activation, output_activation, args.loss, args.reduction, args.samples,
            timeout=args.timeout, progress=None if bar is None else bar.update_count, method=args.method,
        )
    except ProofTimeout as err:
        if bar is not None:
            bar.close()
        print(f"NOT PROVEN: {err}; raise --timeout to finish", file=sys.stderr)
        return 1
    if bar is not None:
        bar.close()
    sizes = "-".join(map(str, result.sizes))
    print(
        f"network {sizes}, hidden {result.activation}, output {result.output_activation}, "
        f"loss {result.loss} ({result.reduction} over a batch of {result.samples} symbolic samples), "
        f"method {args.method}"
    )
    print("for every parameter, with sigma, tau any differentiable activations (hidden, output):")
    for line in result.recurrence:
        print(f"  {line}")
    for proof in result.parameters:
        print(f"  {'ok  ' if proof.ok else 'FAIL'} {proof.claim}   [{proof.method}]")
    print(f"with sigma = {result.activation}, tau = {result.output_activation}, loss {result.loss}:")
    for proof in result.instantiation:
        print(f"  {'ok  ' if proof.ok else 'FAIL'} {proof.claim}   [{proof.method}]")
    n_ok = sum(p.ok for p in result.parameters)
    verdict = "PROVEN" if result.ok else "NOT PROVEN"
    print(f"{verdict}: {n_ok} of {len(result.parameters)} parameters, in {result.seconds:.2f} s")
    return 0 if result.ok else 1


def _refuse_what_cannot_finish(args, output_activation: str) -> None:
    """A usage error, before any symbolic work, if the estimate says the proof cannot finish in --timeout.

    Refused when the estimate is over --timeout (`proof_time.cannot_finish`); the message names a --timeout
    that allows for the estimate being low (it was fitted on one machine), so a refused request is one
    command away from running.
    """
    from spec import proof_time

    from spec.network import check_request

    # a bad option, or a request over the size limits, is refused with its own message first
    check_request(
        args.sizes, args.activation, output_activation, args.loss, args.reduction, args.samples, args.method
    )
    seconds = proof_time.estimate_seconds(args.sizes, args.samples, args.method, args.loss)
    if proof_time.cannot_finish(seconds, args.timeout):
        raise UsageError(
            f"--sizes {','.join(map(str, args.sizes))} with --samples {args.samples} (--method {args.method}, "
            f"--loss {args.loss}) would take about {proof_time.duration(seconds)} by the estimate measured on a "
            f"2-core machine, over --timeout {args.timeout:g} s; use fewer --samples or smaller --sizes, or "
            f"raise --timeout (--timeout {proof_time.suggested_timeout(seconds)} allows for the estimate being low)"
        )


def _prove_general(timeout: float) -> int:
    from spec import general

    try:
        result = general.prove_general(timeout)
    except general.GeneralProofTimeout as err:
        print(f"NOT PROVEN: {err}; raise --timeout to finish", file=sys.stderr)
        return 1
    print(
        "backprop for every width and every depth: layer l has nₗ units and is fed by n₍ₗ₋₁₎ (integer symbols), "
        "layers l = 1 … D with D the last; σ any differentiable elementwise hidden activation, L the loss of one "
        "sample; entries counted from 1"
    )
    for part, title in general.PARTS.items():
        print(title)
        for step in result.part(part):
            line = f"  {step.label:<4} {step.claim}"
            print(line if step.kind == "stated" else f"{line}   [{step.method}]")
    checked = [s for s in result.steps if s.kind in ("proven", "evidence")]
    premises = sum(s.kind == "premise" for s in result.steps)
    verdict = "PROVEN" if result.ok else "NOT PROVEN"
    print(
        f"{verdict}: {sum(s.ok for s in checked)} of {len(checked)} steps by SymPy, given {premises} stated premise "
        f"(the chain rule for nₗ variables) and the induction written out, in {result.seconds:.2f} s"
    )
    return 0 if result.ok else 1


# --- verify ----------------------------------------------------------------


def _verify(args) -> int:
    from spec import activations
    from spec.verify import judge as verify
    from spec.verify import text

    # the options first: a bad one is a usage error, before any user code runs
    from spec import losses

    for option in ("activation", "output_activation"):
        if getattr(args, option) is not None:
            activations.get(getattr(args, option))
    if args.activation is not None and not activations.get(args.activation).elementwise:
        raise UsageError(
            f"--activation: {args.activation} is a vector activation; the hidden layers' must be elementwise "
            f"({', '.join(activations.names(elementwise=True))}); pin it as --output-activation {args.activation}"
        )
    if args.loss is not None and args.loss not in losses.names():
        raise UsageError(f"--loss: expected one of {', '.join(losses.names())}, got {args.loss!r}")
    if args.reduction is not None and args.reduction not in verify.REDUCTIONS:
        raise UsageError(f"--reduction: expected sum or mean, got {args.reduction!r}")
    try:
        report = verify.verify_file(
            args.target, args.activation, args.loss, args.reduction, seed=args.seed, timeout=args.timeout,
            output_activation=args.output_activation, forward=args.forward, step=args.step,
            layout=None if args.layout is None else args.layout.replace(",", "_"),
        )
    except verify.ProtocolError as err:
        if args.json:
            import json

            print(json.dumps({"ok": False, "protocol_error": str(err)}, indent=2))
        else:
            print(f"cannot verify {text.escape(args.target)}: {text.escape(str(err), 10**6)}", file=sys.stderr)
        return 2
    print(report.to_json() if args.json else report)
    # 2: read but not judged (a forward pass no registered activations explain)
    return 0 if report.ok else 2 if report.undecided else 1


# --- add-activation ------------------------------------------------------


def _add_activation(args) -> int:
    from spec.extend import sandbox as add_sandbox

    timeout = add_sandbox.check_timeout(args.timeout)
    print(add_sandbox.add(args.name, args.expr, args.param, args.description, timeout))
    return 0


# --- remove-activation ---------------------------------------------------


def _remove_activation(args) -> int:
    from spec import user_folder

    where = user_folder.folder()
    if args.list:
        if args.name is not None:
            raise UsageError("NAME: give either NAME or --list, not both")
        rows = user_folder.listing(where)
        print(f"added activations in {where}:" if rows else f"no added activations in {where}")
        width = max((len(name) for name, _ in rows), default=0)
        for name, what in rows:
            print(f"  {name:<{width}}  {what}")
        return 0
    if args.name is None:
        raise UsageError("NAME: expected the name of an added activation (or --list)")
    from spec import activations

    if args.name in activations.builtin_names():
        raise UsageError(
            f"NAME: {args.name!r} is a built-in activation; only activations added with add-activation "
            "can be removed"
        )
    removed = user_folder.remove(args.name, where)
    print(f"removed {args.name}:")
    for path in removed:
        print(f"  {'updated' if path.name == user_folder.REGISTRY_NAME else 'deleted'} {path}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
