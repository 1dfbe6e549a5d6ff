"""The training pages: XOR (one run with the CLI's defaults, and how often 100 seeds solve it) and digits.

The digits page runs `backprop-spec train --task digits` (softmax with
cross-entropy) and its old setup (``--loss mse``) while the site is built,
the same network through the Python API, and scikit-learn's
``MLPClassifier`` for comparison. The digits data come with scikit-learn:
without it (``make docs`` installs only the ``[docs]`` extra) the page says
so instead of showing numbers.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import io
import os
import re
import tempfile
import time
import warnings

import numpy as np

from spec.cli.defaults import DIGITS_DEFAULTS, XOR_DEFAULTS
from spec.cli.tasks import xor as xor_task

from . import common, loss_page, xor
from .common import mark

SEED = 0
RUN_PNG = "img/training-xor-run.png"
SEEDS_PNG = "img/training-xor-seeds.png"


@functools.lru_cache(maxsize=None)
def trained():
    """``impl.Network`` trained exactly as ``backprop-spec train`` does with its XOR defaults and --seed 0."""
    from impl import Network

    d = XOR_DEFAULTS
    data = xor_task()
    start = time.perf_counter()
    net = Network(d["sizes"], "sigmoid", "sigmoid", "mse", "sum", seed=SEED, init=d["init"])
    net.fit(data.X_train, data.Y_train, epochs=d["epochs"], lr=d["lr"])
    return net, data, time.perf_counter() - start


def run_png() -> bytes:
    """The CLI's own --plot picture (spec.cli.plots.training): loss curve and decision boundary."""
    common.pyplot()
    from spec.cli import plots

    net, data, _ = trained()
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "run.png")
        plots.training(net, data, "xor", path)
        with open(path, "rb") as handle:
            return handle.read()


SETTINGS = (
    ("tutorial", "the tutorial's code: N(0, 1) weights and biases from `np.random.seed(s)`, lr 0.1, 10,000 epochs"),
    ("network_normal", "`impl.Network`, same settings, N(0, 1) from its own seeded generator"),
    ("defaults", "`backprop-spec train` defaults: init {init}, lr {lr:g}, {epochs:,} epochs"),
)


def seeds_png() -> bytes:
    plt = common.pyplot()
    study = xor.seed_study()
    fig, ax = plt.subplots(figsize=(8.5, 1.9))
    labels = ["tutorial", "impl, N(0, 1), lr 0.1", "CLI defaults"]
    grid = np.array([study[key] for key, _ in SETTINGS], dtype=float)
    from matplotlib.colors import ListedColormap

    ax.imshow(grid, aspect="auto", cmap=ListedColormap(["#d9480f", "#2b8a3e"]), vmin=0, vmax=1, interpolation="nearest")
    ax.set_yticks(range(len(labels)), [f"{lab} ({int(row.sum())}/100)" for lab, row in zip(labels, grid)])
    ax.set_xticks(range(0, xor.SEEDS, 10))
    ax.set_xticks(np.arange(-0.5, xor.SEEDS), minor=True)
    ax.grid(which="minor", axis="x", color="white", lw=0.5)
    ax.tick_params(which="minor", length=0)
    ax.set_xlabel("seed (green: XOR solved, orange: stuck)")
    return common.png(fig)


def images() -> dict[str, bytes]:
    out = {RUN_PNG: run_png(), SEEDS_PNG: seeds_png()}
    if have_sklearn():
        out[DIGITS_PNG] = digits_png()
    return out


def settings():
    d = XOR_DEFAULTS
    rows = [
        ("layer sizes", ", ".join(map(str, d["sizes"]))),
        ("activation (hidden and output)", "sigmoid"),
        ("loss", f"`mse`: {loss_page.sum_of_losses()} over the 4 samples"),
        ("initialisation", f"`{d['init']}`"),
        ("learning rate", f"{d['lr']:g}"),
        ("epochs", f"{d['epochs']:,} (full batch: one update per epoch)"),
        ("seed", str(SEED)),
    ]
    return common.table(["setting", "value"], rows)


def run():
    net, data, seconds = trained()
    X, Y = data.X_train, data.Y_train
    return (
        f"\n![Loss per epoch (log scale) and the trained network's output over the plane]({RUN_PNG})\n\n"
        f"Training took {seconds:.2f} s while this page was built. The loss (half the squared error, summed) "
        f"went from {common.fmt(net.history[0], 4)} before the first update to "
        f"{common.fmt(net.loss_value(X, Y), 4)} after the last.\n"
    )


def predictions():
    net, data, _ = trained()
    out = net.forward(data.X_train)[:, 0]
    rows = []
    for x, target, value in zip(data.X_train, data.Y_train[:, 0], out):
        verdict = "✓" if (value >= 0.5) == (target == 1) else "✗"
        rows.append((int(x[0]), int(x[1]), int(target), f"{value:.4f}", int(value >= 0.5), verdict))
    return common.table([r"\(x_1\)", r"\(x_2\)", "XOR", "network output", "class (output ≥ 0.5)", ""], rows) + mark(
        ("measured at build time", "measured")
    )


def seed_counts():
    study = xor.seed_study()
    d = XOR_DEFAULTS
    rows = []
    for key, text in SETTINGS:
        rows.append((text.format(**d), f"**{int(study[key].sum())} of {xor.SEEDS}**", f"{study[key + '_seconds']:.1f} s"))
    return (
        common.table(["setting", "solved XOR", f"time for all {xor.SEEDS} seeds"], rows)
        + f"\n![Which seeds solve XOR, per setting]({SEEDS_PNG})\n\n"
        + mark(("measured at build time, 100 networks trained at once", "measured"))
    )


def stuck_example():
    study = xor.seed_study()
    seed = int(np.flatnonzero(~study["tutorial"])[0])
    out = xor.tutorial_outputs(xor.train_tutorial([seed]))[0]
    data = xor_task()
    rows = [(f"({int(x[0])}, {int(x[1])})", int(t), f"{v:.4f}", "✓" if (v >= 0.5) == (t == 1) else "✗")
            for x, t, v in zip(data.X_train, data.Y_train[:, 0], out)]
    return f"Seed {seed}, after 10,000 epochs:\n" + common.table(["input", "XOR", "output", ""], rows) + mark(
        ("measured at build time", "measured")
    )


def count(key: str) -> int:
    return int(xor.seed_study()[key].sum())


# --- digits: softmax with cross-entropy ------------------------------------------------------

DIGITS_PNG = "img/training-digits-predictions.png"
#: The commands run on the page: the default (softmax + ce), then the old setup.
DIGITS_COMMANDS = (("train", "--task", "digits"), ("train", "--task", "digits", "--loss", "mse"))


@functools.lru_cache(maxsize=None)
def have_sklearn() -> bool:
    """The digits data (and MLPClassifier) come with scikit-learn, which ``make docs`` does not install."""
    try:
        import sklearn  # noqa: F401
    except ImportError:
        return False
    return True


def _no_sklearn() -> str:
    return (
        "\n!!! note \"Not measured in this build\"\n"
        "    The digits data set ships with scikit-learn, which was not installed when this site was built "
        "(`make docs` installs only the `[docs]` extra). Install `backprop-spec[digits]` (or run `make test`, "
        "which does) and build again to see the runs, their accuracies and the comparison.\n"
    )


def _guarded(fn, first=False):
    """``fn`` when scikit-learn is importable; else the note (in full for the page's first block, short elsewhere)."""
    @functools.wraps(fn)
    def wrapper():
        if have_sklearn():
            return fn()
        if first:
            return _no_sklearn()
        return "\n*Not measured in this build: scikit-learn is missing (install `backprop-spec[digits]`).*\n"

    return wrapper


@functools.lru_cache(maxsize=None)
def cli_run(args: tuple) -> tuple[str, float]:
    """What ``backprop-spec ARGS`` prints on standard output (the progress bar goes to standard error), and the time."""
    from spec.cli import commands as cli

    out, err = io.StringIO(), io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(args))
    seconds = time.perf_counter() - start
    if code != 0:
        raise common.BuildFailure(f"backprop-spec {' '.join(args)} exited {code} while building the docs: {err.getvalue()}")
    return out.getvalue(), seconds


def accuracy(args: tuple, which: str = "test") -> float:
    """The accuracy a run printed, e.g. ``test accuracy: 0.9777 (450 held-out images)``."""
    match = re.search(rf"^{which} accuracy: ([0-9.]+)", cli_run(args)[0], re.M)
    if match is None:
        raise common.BuildFailure(f"backprop-spec {' '.join(args)} printed no {which} accuracy")
    return float(match.group(1))


def _command(args) -> str:
    text, _ = cli_run(tuple(args))
    return f"```text\n$ .venv/bin/backprop-spec {' '.join(args)}\n{text}```\n"


def digits_command() -> str:
    return _command(DIGITS_COMMANDS[0]) + mark(("run at build time (standard output; the progress bar goes to "
                                                "standard error)", "measured"))


def _api_source() -> list[str]:
    d = DIGITS_DEFAULTS
    sizes = ", ".join(map(str, d["sizes"]))
    return [
        "from impl import Network",
        "from spec.cli.tasks import digits",
        "data = digits(seed=0)  # the split `train --task digits` uses",
        "labels = data.Y_train.argmax(axis=1)  # integer classes 0..9",
        f'net = Network(({sizes}), loss="ce", seed=0, init="{d["init"]}")',
        "net.output_activation",
        f"net.fit(data.X_train, labels, epochs={d['epochs']}, lr={d['lr']}, batch_size={d['batch_size']})",
        "net.predict(data.X_test[:8])",
        "data.Y_test[:8].argmax(axis=1)",
        "net.predict_proba(data.X_test[:1]).round(3)",
        "net.score(data.X_test, data.Y_test.argmax(axis=1))",
    ]


@functools.lru_cache(maxsize=None)
def api_session() -> tuple[str, dict]:
    """Run `_api_source` line by line as the interpreter would, and give the transcript and the namespace."""
    namespace: dict = {}
    lines = []
    for source in _api_source():
        lines.append(f">>> {source}")
        tree = ast.parse(source)
        if len(tree.body) == 1 and isinstance(tree.body[0], ast.Expr):
            value = eval(compile(ast.Expression(tree.body[0].value), "<docs>", "eval"), namespace)
            if value is not None:
                lines.extend(repr(value).splitlines())
        else:
            exec(compile(tree, "<docs>", "exec"), namespace)
    net, data = namespace["net"], namespace["data"]
    score = net.score(data.X_test, data.Y_test.argmax(axis=1))
    if f"{score:.4f}" != f"{accuracy(DIGITS_COMMANDS[0]):.4f}":
        raise common.BuildFailure(f"the API run scored {score}, the command {accuracy(DIGITS_COMMANDS[0])}: they should be one network")
    return "\n".join(lines), namespace


def digits_api() -> str:
    transcript, _ = api_session()
    return f"```pycon\n{transcript}\n```\n" + mark(("run at build time", "measured"))


@functools.lru_cache(maxsize=None)
def sklearn_runs() -> list[tuple[str, float, float]]:
    """MLPClassifier with the command's hidden size and epochs: its defaults, then configured like the command."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    from spec.cli.tasks import digits

    d = DIGITS_DEFAULTS
    data = digits(seed=0)
    hidden = d["sizes"][1:-1]
    like_ours = dict(
        activation="logistic", solver="sgd", batch_size=d["batch_size"], momentum=0.0, alpha=0.0,
        # scikit-learn averages the loss over a batch, the command sums it: the same step needs lr times the batch size
        learning_rate_init=d["lr"] * d["batch_size"], learning_rate="constant",
    )
    setups = (
        (f"`MLPClassifier(hidden_layer_sizes={hidden}, max_iter={d['epochs']}, random_state=0)` with its defaults "
         "(ReLU hidden units, the Adam optimiser at learning rate 0.001, batches of 200, L2 penalty 0.0001)", {}),
        (f"`MLPClassifier`, the same but configured like the command: `activation=\"logistic\", solver=\"sgd\", "
         f"batch_size={d['batch_size']}, learning_rate_init={like_ours['learning_rate_init']:g}, momentum=0, alpha=0` "
         f"(its loss is the batch's mean, so its learning rate is {d['lr']:g} × {d['batch_size']})", like_ours),
    )
    out = []
    for text, options in setups:
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # 30 epochs is fewer than it would like
            clf = MLPClassifier(hidden_layer_sizes=hidden, max_iter=d["epochs"], random_state=0, **options)
            clf.fit(data.X_train, data.Y_train.argmax(1))
        seconds = time.perf_counter() - start
        out.append((text, clf.score(data.X_test, data.Y_test.argmax(1)), clf.score(data.X_train, data.Y_train.argmax(1)), seconds))
    return out


def digits_comparison() -> str:
    rows = []
    for args, what in zip(DIGITS_COMMANDS, ("softmax output, cross-entropy (the default)",
                                              "ten sigmoid outputs, half the squared error (the old setup)")):
        rows.append((f"`backprop-spec {' '.join(args)}`: {what}", f"**{accuracy(args):.4f}**",
                     f"{accuracy(args, 'train'):.4f}"))
    # what docs/training-digits.md says about these numbers; the build stops when a run no longer shows it
    ce, mse = accuracy(DIGITS_COMMANDS[0]), accuracy(DIGITS_COMMANDS[1])
    if not ce > mse:
        raise common.BuildFailure(f"digits: softmax + ce ({ce}) no longer beats the old setup ({mse})")
    note = ""
    if have_sklearn():
        (_, defaults, _, _), (_, like_ours, _, _) = sklearn_runs()
        if not (defaults < ce and abs(like_ours - ce) <= 0.02):
            raise common.BuildFailure(
                f"digits: the page says scikit-learn's defaults ({defaults}) trail the command ({ce}) and its "
                f"SGD configuration ({like_ours}) lands within 0.02 of it"
            )
        for text, test, train, seconds in sklearn_runs():
            rows.append((f"scikit-learn: {text}", f"**{test:.4f}**", f"{train:.4f}"))
        import sklearn

        note = f"\nscikit-learn {sklearn.__version__} was importable in this build, so its rows are measured too.\n"
    return (
        common.table([f"setup (hidden size {', '.join(map(str, DIGITS_DEFAULTS['sizes'][1:-1]))}, "
                      f"{DIGITS_DEFAULTS['epochs']} epochs, the same split)", "test accuracy", "train accuracy"], rows)
        + mark(("measured at build time", "measured")) + note
    )


def digits_settings() -> str:
    """The default run's settings in words, from the trained network and the CLI's digits defaults."""
    from impl import Network

    d = DIGITS_DEFAULTS
    net = Network(d["sizes"], loss=d["loss"], init=d["init"])  # the defaults' network, untrained (no data needed)
    hidden = " and ".join(str(h) for h in d["sizes"][1:-1])
    return (
        f"one hidden layer of {hidden} {net.activation} units, a {net.output_activation} output, "
        f"the `{net.loss}` loss summed over each batch of {d['batch_size']} images, {d['epochs']} passes over "
        "the training images"
    )


def digits_mse_command() -> str:
    return _command(DIGITS_COMMANDS[1]) + mark(("run at build time", "measured"))


def digits_png() -> bytes:
    """Test images with their predicted probabilities: the first few, and the network's worst mistakes."""
    plt = common.pyplot()
    _, namespace = api_session()
    net, data = namespace["net"], namespace["data"]
    proba = net.predict_proba(data.X_test)
    truth = data.Y_test.argmax(axis=1)
    guess = proba.argmax(axis=1)
    wrong = np.flatnonzero(guess != truth)
    worst = wrong[np.argsort(proba[wrong, truth[wrong]])][:6]
    rows = [("first test images", np.arange(6)), ("most confident mistakes", worst)]
    rows = [(title, idx) for title, idx in rows if len(idx)]
    fig, axes = plt.subplots(len(rows), 6, figsize=(9.0, 1.9 * len(rows)), squeeze=False)
    for r, (title, idx) in enumerate(rows):
        for c in range(6):
            ax = axes[r, c]
            ax.axis("off")
            if c >= len(idx):
                continue
            k = idx[c]
            ax.imshow(data.X_test[k].reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
            ok = guess[k] == truth[k]
            ax.set_title(f"says {guess[k]} ({proba[k, guess[k]]:.2f})" + ("" if ok else f"\nis {truth[k]} ({proba[k, truth[k]]:.2f})"),
                         fontsize=8, color="#2b8a3e" if ok else "#d9480f")
        axes[r, 0].text(-0.15, 0.5, title, transform=axes[r, 0].transAxes, ha="right", va="center", fontsize=9)
    return common.png(fig)


def digits_figure() -> str:
    _, namespace = api_session()
    net, data = namespace["net"], namespace["data"]
    wrong = int(np.sum(net.predict(data.X_test) != data.Y_test.argmax(axis=1)))
    return (
        f"\n![Test digits with the network's most probable class and its probability]({DIGITS_PNG})\n\n"
        f"Of the {len(data.X_test)} test images, {wrong} are misclassified. Green: right, with the probability "
        "`predict_proba` gives the chosen class; orange: wrong, with the probability of the chosen class and of the "
        "true one.\n"
    )


BLOCKS = {
    "digits-command": _guarded(digits_command, first=True),
    "digits-mse-command": _guarded(digits_mse_command),
    "digits-api": _guarded(digits_api),
    "digits-comparison": _guarded(digits_comparison),
    "digits-figure": _guarded(digits_figure),
    "digits-settings": digits_settings,
    "digits-sizes": lambda: "-".join(map(str, DIGITS_DEFAULTS["sizes"])),
    "settings": settings,
    "run": run,
    "predictions": predictions,
    "seed-counts": seed_counts,
    "stuck-example": stuck_example,
    "count-tutorial": lambda: str(count("tutorial")),
    "count-defaults": lambda: str(count("defaults")),
    "count-network-normal": lambda: str(count("network_normal")),
    "fail-tutorial": lambda: str(xor.SEEDS - count("tutorial")),
}
