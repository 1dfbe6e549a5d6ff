"""How `verify` reads someone's backprop class: its parameters, layout, depth and methods.

Real code rarely looks like the tutorial's class: no biases, samples by
features with ``X @ W1``, parameters called ``weights1``, ``wih`` or
``syn0``, kept in lists or dicts, methods called ``feedforward``, ``query`` or
``train``, the learning rate passed under another name, kept on ``self`` or
written into the update. Discovery finds these by itself, running the class
in the sandbox (`spec.verify.sandbox`) with layer sizes that all differ, so that
every array's shape says which layer it belongs to and which way round it
is stored:

1. the class: the one named, or the only one with a forward-like and a
   training-like method;
2. how to build it: each constructor argument is read by its name (layer
   sizes, a list of sizes, the learning rate, data, epochs...), else by its
   position;
3. the parameters: float arrays among the object's attributes, lists and
   dicts whose shapes chain from the input width to the output width, as
   ``(out, in)`` or ``(in, out)``, with biases of shape ``(n,)``, ``(n, 1)``
   or ``(1, n)`` (or none);
4. the forward method and the layout of ``X`` it takes (features by samples
   or samples by features), and where its output is;
5. the training step, the role of each argument (data, targets, learning
   rate, the forward output, epochs) and how the learning rate reaches it:
   an argument, an attribute, the constructor, or a constant written in the
   code (then the step it takes is measured).

The result is a `Binding`, built complete once, with one printable line per
finding (`spec.verify.describe`). Where discovery cannot decide,
`DiscoveryError` says what is ambiguous.

Three units: `Driver` discovers (what the code is), `Runner` drives (builds
the object, sets and reads its parameters, calls its methods: one scenario is
`Runner.run`), and `spec.verify.describe` says how the code was read.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

import numpy as np

from spec.verify import sandbox

FORWARD_NAMES = (
    "forward", "feedforward", "feed_forward", "forward_pass", "forward_propagation", "forwardpropagation",
    "forward_prop", "fprop", "predict", "query", "think", "__call__", "run", "propagate", "infer", "compute",
)
#: Methods that return the code's own loss with its gradients, ``loss(X, y) -> (loss, grads)``
#: (and the scores, given no targets): tried first, since their gradients are compared directly.
LOSS_STEP_NAMES = ("loss", "compute_loss", "loss_and_gradients", "loss_and_grads", "loss_grad", "cost_and_grad")
#: Methods that compute the code's own loss (``loss(X, y)``, ``cost(y)``, ``compute_cost(output, y)``): called
#: after the forward pass of every scenario, their number is the loss the step must descend.
LOSS_METHOD_NAMES = (
    "loss", "cost", "compute_loss", "compute_cost", "calculate_loss", "calculate_cost", "calc_loss", "get_loss",
    "get_cost", "loss_function", "cost_function", "total_loss", "total_cost", "loss_fn",
)
#: Methods returning the outputs, besides `FORWARD_NAMES`: tried just before ``predict`` (probabilities
#: before labels); a loss method's scores (given no targets) come last.
FORWARD_CANDIDATES = ("predict_proba",)
STEP_NAMES = (
    *LOSS_STEP_NAMES,
    "backward", "backprop", "back_prop", "backpropagation", "back_propagation", "backpropagate", "backward_pass",
    "backward_propagation", "train_step", "training_step", "train", "update_mini_batch", "gradient_step",
    "gradient_descent_step", "descent_step", "update", "update_weights", "update_parameters", "fit_step", "step",
    "learn", "sgd_step", "sgd", "gradient_descent", "train_batch", "train_on_batch", "train_epoch", "optimize", "fit",
    "compute_gradients", "gradients", "get_gradients", "grads", "compute_grads",
)
#: Methods that apply gradients a training method stored (``backward(X, y)`` then ``update()``).
UPDATE_NAMES = (
    "update", "update_weights", "update_parameters", "update_params", "apply_gradients", "apply_grads", "step",
    "optimize", "optimizer_step", "descend", "apply",
)
_X_NAMES = {
    "x", "inputs", "input", "data", "features", "a", "training_inputs", "inputs_list", "input_list", "x_train",
    "xs", "batch_x", "x_batch", "samples", "input_data", "in_data", "input_array", "inp", "train_x", "xb",
}
_Y_NAMES = {
    "y", "t", "target", "targets", "targets_list", "target_list", "labels", "label", "y_true", "expected",
    "desired", "training_outputs", "y_train", "ys", "batch_y", "y_batch", "answer", "truth", "train_y", "yb",
    "expected_output", "desired_output", "target_output",
}
_LR_NAMES = {
    "learning_rate", "learningrate", "lr", "alpha", "eta", "rate", "step_size", "stepsize", "l_rate", "lrate",
    "learn_rate", "learningrate_",
}
#: Arguments that are a regularisation strength (driven with 0).
_REG_NAMES = {"reg", "lambd", "lmbda", "lam", "lambda_", "l2", "l2_reg", "reg_lambda", "weight_decay", "lambda_reg",
              "regularization", "reg_strength", "l2_lambda", "lamda"}
#: Arguments that are validation data (handed the scenario's own data).
_VAL_X_NAMES = {"x_val", "x_valid", "x_validation", "val_x", "x_test", "validation_x"}
_VAL_Y_NAMES = {"y_val", "y_valid", "y_validation", "val_y", "y_test", "validation_y"}
_BATCH_NAMES = {"batch_size", "minibatch_size", "mini_batch_size", "batchsize"}
#: Arguments that count the training samples (Nielsen's ``n`` in the weight decay 1 - eta lmbda / n).
_COUNT_NAMES = {"n", "n_train", "num_train", "training_size", "train_size", "n_samples", "num_samples", "m",
                "num_examples", "n_examples", "n_total", "dataset_size"}
_OUTPUT_NAMES = {
    "output", "o", "out", "y_hat", "yhat", "y_pred", "ypred", "prediction", "predictions", "predicted", "outputs",
    "result", "a2", "output_layer", "final_output", "network_output", "activation",
}
_PAIRS_NAMES = {"mini_batch", "minibatch", "batch", "training_data", "train_data", "pairs", "examples", "data_pairs"}
_CACHE_NAMES = {"cache", "caches", "forward_cache", "memo", "stash", "saved"}
#: Constructor arguments that are a hidden layer's width: n_hidden, hidden_size, n_h1, h2, hiddennodes...
_HIDDEN_COUNT = re.compile(
    r"(?:n|num|number|number_of|no|size|dim|d)?_?(?:hidden|hid|h)(?:_?\d+)?"
    r"(?:_?(?:size|dim|dims|nodes|node|neurons|units|features|layer_size|layer|count|n|num|width))?(?:_?\d+)?"
)
_EPOCH_NAMES = {
    "epochs", "epoch", "iterations", "n_iter", "num_iterations", "n_epochs", "num_epochs", "iters", "max_iter",
    "steps", "n_steps", "times", "number_of_training_iterations", "training_iterations", "n_iterations",
    "iteration", "num_iters", "training_epochs",
}
_SIZES_NAMES = {
    "sizes", "layers", "layer_sizes", "layer_dims", "layers_dims", "dims", "dimensions", "architecture",
    "topology", "shape", "structure", "nodes", "neurons", "layer_structure", "net_size", "units", "n_units",
    "layer_list", "net_structure", "layer_nodes", "size",
}
_HIDDEN_LIST_NAMES = {"hidden_sizes", "hidden_layers", "hidden_layer_sizes", "hidden_dims", "hidden_units", "hiddens"}
#: Names of arrays shaped like parameters that are not parameters: gradients, optimiser state, copies.
_NOT_PARAMETER = re.compile(
    r"^_*(d|grad|grads|gradient|gradients|nabla|delta|deltas|v|m|s|vel|velocity|momentum|cache|prev|previous|"
    r"old|last|best|init|initial|saved|adam)_?(w|b|weight|bias|theta|syn|param|kernel)",
    re.IGNORECASE,
)
_COUNT_SUFFIX = (
    r"(?:_?(?:size|sizes|dim|dims|dimension|nodes|node|neurons|neuron|units|unit|features|feature|layer_size|"
    r"layer|count|len|length|num|number|shape|n))?"
)
#: Constructor arguments that count the inputs (input_size, n_input, inputnodes, num_inputs, in_features...).
_IN_COUNT = re.compile(r"(?:n|num|number|number_of|no|size|dim)?_?(?:input|inp|in)s?" + _COUNT_SUFFIX)
_OUT_COUNT = re.compile(r"(?:n|num|number|number_of|no|size|dim)?_?(?:output|out)s?" + _COUNT_SUFFIX)
_LABEL_COUNT = re.compile(r"(?:n|num|number|number_of|no)_?(?:label|labels|class|classes|target|targets)")
_WEIGHT_HINT = re.compile(r"w|weight|syn|theta|wih|who|kernel|coef", re.IGNORECASE)
_BIAS_HINT = re.compile(r"(^|_|\b)b(\d|_|$)|bias|intercept", re.IGNORECASE)
_LR_ATTRIBUTE = re.compile(r"^_?(learning_rate|learningrate|lr|alpha|eta|rate|step_size|l_rate|lrate)$", re.IGNORECASE)


#: For code that keeps its parameters in float32: the agreement used to measure a step written into
#: the code and to mark a parameter of the failing scenario's table (an update is a difference of
#: float32 numbers, off by about 1e-7 * |W| / |update|, up to ~1e-4 here). Whether an update
#: matches is decided entry by entry from the arithmetic (`spec.verify.judge._close`), not by this.
RTOL_FLOAT32 = 5e-4


class DiscoveryError(Exception):
    """The class cannot be read or driven; the message says what is ambiguous and how to state it."""


class CodeFailed(DiscoveryError):
    """The class was built and its parameters found, but its own code failed when called: a finding."""

    def __init__(self, arch, text, error=None):
        super().__init__(text)
        self.arch, self.text = arch, text
        self.error = error  # the user's exception when it says the file cannot run (a NameError), else None


#: A step that reshapes the targets into one column: code written for a single output.
_ONE_COLUMN = re.compile(r"cannot reshape array of size \d+ into shape \(\d+, ?1\)")
#: The layout of code that takes one sample per call, ``forward(x)`` and ``train(x, y)`` with 1-D ``x``.
ONE_SAMPLE = "one_sample"
#: Exceptions that say the code cannot run at all (a name never defined, a module missing), whatever the layout.
CANNOT_RUN = ("NameError", "ModuleNotFoundError", "ImportError")


# --- how the parameters are stored -------------------------------------------------------


@dataclass(frozen=True)
class Param:
    """One weight matrix or bias vector of the user's object."""

    path: tuple  # sandbox path: ({"attr": "W1"},) or ({"attr": "weights"}, {"key": 0})
    layer: int  # 1..D
    kind: str  # "W" or "b"
    shape: tuple  # the user's shape
    transposed: bool = False  # W stored as (in, out)
    fold: str | None = None  # the bias is the "first" or "last" column of W's array (one array, two parameters)

    @property
    def name(self) -> str:
        return path_text(self.path)

    @property
    def key(self) -> str:
        """Unique per parameter: a folded bias shares its weights' array and name."""
        return f"{self.name}#bias" if self.fold and self.kind == "b" else self.name

    def to_user(self, value: np.ndarray, bias=None) -> np.ndarray:
        """A canonical ``W (out, in)`` or ``b (n,)`` in the user's shape (``bias`` too, when folded)."""
        if self.fold:
            # [b | W] or [W | b]: the bias as one more column, multiplied by a constant 1 input
            full = np.hstack([bias[:, None], value] if self.fold == "first" else [value, bias[:, None]])
            return np.ascontiguousarray(full.T if self.transposed else full)
        if self.kind == "W" and len(self.shape) == 2:
            return np.ascontiguousarray(value.T if self.transposed else value)
        return np.ascontiguousarray(value).reshape(self.shape)

    def to_math(self, value: np.ndarray) -> np.ndarray:
        """The user's array in the canonical shape (a folded array: this parameter's part of it)."""
        if self.fold:
            full = value.T if self.transposed else value
            column = 0 if self.fold == "first" else -1
            if self.kind == "b":
                return np.array(full[:, column])
            return np.array(full[:, 1:] if self.fold == "first" else full[:, :-1])
        if self.kind == "W":
            if len(self.shape) == 1:
                return value.reshape(1, -1)  # a single output's weight vector
            return value.T if self.transposed else value
        return value.reshape(-1)


def path_text(path) -> str:
    text = ""
    for step in path:
        if "attr" in step:
            text += f".{step['attr']}"
        else:
            text += f"[{step['key']!r}]"
    return text.lstrip(".")


@dataclass
class ArgRole:
    """What one argument of a method or constructor receives."""

    name: str
    # "n_in", "n_hidden", "n_out", "sizes", "hidden_list", "lr", "X", "Y", "output", "epochs", "seed", "pairs", "cache"
    role: str
    keyword: bool = False
    index: int = 0  # which hidden width, for several
    optional: bool = False  # the argument has a default (a forward call leaves it out)


@dataclass
class Binding:
    """Everything `verify` needs to drive one class: how to build it, where its parameters are, how to call it."""

    cls: str
    constructor: list  # ArgRole per positional-or-keyword argument passed
    archs: list  # architectures (tuples of widths) the class was driven at
    params: dict  # arch -> list of Param (layer 1 W, layer 1 b, ...)
    has_biases: bool
    x_layout: str  # "features_samples" or "samples_features"
    forward: str  # method name
    forward_args: list  # ArgRole list ("X" only, or empty when it reads data from the object)
    output_known: tuple = ()  # ("return", index, orientation) or ("attr", path, orientation)
    step: str = ""
    step_args: list = field(default_factory=list)
    lr_via: str = "argument"  # "argument", "attribute", "constructor", "fixed"
    lr_path: tuple = ()  # for "attribute"
    data_paths: dict = field(default_factory=dict)  # role -> path, for code that keeps X and y on the object
    step_returns_gradients: bool = False
    step_follow: str | None = None  # e.g. update() after backward(X, y) stored the gradients
    step_follow_args: list = field(default_factory=list)
    data_roles: list = field(default_factory=list)  # "X", "Y" when the constructor takes the data
    rtol: float = 1e-7  # relative agreement that counts as a match (looser for float32 parameters)
    targets: str = "values"  # what the step's targets are: "values" (outputs, samples) or "labels" (integers)
    dtype: str = "float64"
    lines: list = field(default_factory=list)  # what discovery found, one line each
    unsupported: list = field(default_factory=list)  # (arch, reason) that could not be driven
    observed: bool = False  # a script watched on its own data (`spec.verify.observe`), not driven
    source_lines: list = field(default_factory=list)  # the file's lines, for the line of a mistake
    source_name: str = ""  # the file's name as the child reports it in ``file:line``
    own_loss: object = None  # `spec.verify.judge.OwnLoss`: the loss the step returns with its gradients, once read
    loss_method: str = ""  # a method computing the code's own loss (`LOSS_METHOD_NAMES`), called after the forward pass

    @property
    def lr_known(self) -> bool:
        return self.lr_via != "fixed"


# --- the class and its constructor ---------------------------------------------------


def candidate_classes(module: dict, path, name: str | None) -> list[str]:
    """The class named, or every class defined in the file with a forward-like and a training-like method."""
    classes = {n: c for n, c in module["classes"].items() if c["defined_here"]}
    if name is not None:
        if name not in module["classes"]:
            found = ", ".join(sorted(classes)) or "none"
            raise DiscoveryError(f"{path} has no class named {name!r} (classes defined there: {found})")
        return [name]
    candidates = [n for n, c in classes.items() if forward_candidates(c["methods"]) and _first(STEP_NAMES, c["methods"])]
    if not candidates:
        found = ", ".join(sorted(classes)) or "no classes"
        raise DiscoveryError(
            f"{path} defines no class with a forward method ({', '.join(FORWARD_NAMES[:6])}, ...) and a training "
            f"method ({', '.join(STEP_NAMES[:6])}, ...) (found: {found}); name one as {path}:CLASS"
        )
    return candidates


def forward_candidates(methods) -> list[str]:
    """The methods that may be the forward pass, in the order tried: probabilities, the usual names
    (`FORWARD_NAMES`, ``predict`` among them), then a loss method's scores (`LOSS_STEP_NAMES`)."""
    usual = list(FORWARD_NAMES)
    usual[usual.index("predict"):usual.index("predict")] = FORWARD_CANDIDATES
    names = (*usual, *LOSS_STEP_NAMES)
    return [n for n in dict.fromkeys(names) if _sig(methods, n) is not None]


def _first(names, methods):
    return next((n for n in names if "signature" in methods.get(n, {})), None)


def _norm(name: str) -> str:
    return name.lower().strip("_")


def constructor_roles(signature) -> list[list[ArgRole]]:
    """Candidate ways to fill the constructor's arguments, most likely first."""
    params = [p for p in (signature or [])[1:] if p["kind"] in ("POSITIONAL_ONLY", "POSITIONAL_OR_KEYWORD", "KEYWORD_ONLY")]
    roles, unknown = [], []
    skipped = False  # an argument left to its default: the ones after it are passed by name
    for p in params:
        n = _norm(p["name"])
        keyword = p["kind"] == "KEYWORD_ONLY" or skipped
        role = None
        if n in _SIZES_NAMES:
            role = "sizes"
        elif n in _HIDDEN_LIST_NAMES:
            role = "hidden_list"
        elif n in _LR_NAMES:
            role = "lr"
        elif n in _EPOCH_NAMES:
            role = "epochs"
        elif n in ("seed", "random_state", "rng_seed", "random_seed"):
            role = "seed"
        elif _HIDDEN_COUNT.fullmatch(n):
            role = "n_hidden"
        elif _IN_COUNT.fullmatch(n) or n in ("ni", "n_x", "nx", "n_i", "d_in", "n_features", "num_features", "n_feature"):
            role = "n_in"
        elif _OUT_COUNT.fullmatch(n) or _LABEL_COUNT.fullmatch(n) or n in ("no", "n_y", "ny", "n_o", "n_classes", "num_classes", "classes", "d_out"):
            role = "n_out"
        elif n in _X_NAMES:
            role = "X"
        elif n in _Y_NAMES:
            role = "Y"
        if role is None:
            if p["has_default"]:
                skipped = True
                continue
            unknown.append(p)
            roles.append(ArgRole(p["name"], "?", keyword))
        else:
            if p["has_default"] and role in ("seed",):
                skipped = True
                continue
            roles.append(ArgRole(p["name"], role, keyword))
    # several hidden widths (n_h1, n_h2): the first, the second...
    k = 0
    for r in roles:
        if r.role == "n_hidden":
            r.index, k = k, k + 1
    if not unknown:
        return [roles]
    # unnamed arguments: read by position, as sizes or as data
    guesses = []
    known = {r.role for r in roles}
    fills = [("n_in", "n_hidden", "n_out"), ("sizes",), ("n_in", "n_out"), ("X", "Y"), ("X", "Y", "n_hidden")]
    if {"n_in", "n_out"} <= known:
        fills.insert(0, ("n_hidden",))
    for fill in fills:
        if len(fill) != len(unknown) or known & set(fill):
            continue
        it = iter(fill)
        guesses.append([ArgRole(r.name, next(it), r.keyword) if r.role == "?" else r for r in roles])
    if not guesses:
        names = ", ".join(p["name"] for p in unknown)
        raise DiscoveryError(
            f"cannot tell what the constructor's arguments ({names}) are: name them as layer sizes "
            "(input_size, hidden_size, output_size or sizes), the learning rate (learning_rate, lr) or data (X, y)"
        )
    return guesses


def arch_groups(roles: list[ArgRole]):
    """`ARCH_GROUPS`, with as many hidden widths as the constructor takes (n_h1, n_h2: two)."""
    hidden = sum(r.role == "n_hidden" for r in roles)
    if hidden < 2:
        return ARCH_GROUPS
    # every width in an architecture differs from the others
    first, second, third = (5, 4, 6, 7, 8)[:hidden], (6, 3, 7, 8, 9)[:hidden], (11, 9, 10, 12, 13)[:hidden]
    return (((3, *first, 2), (4, *second, 5), (6, *third, 3)), ((3, *first, 1),), ((2,) * (hidden + 1) + (1,),),
            ((3,) * (hidden + 2),))


def constructor_call(roles: list[ArgRole], arch, X=None, Y=None, lr=0.1):
    """``(args, kwargs, arrays)`` for the sandbox: numbers, lists, or ``{"array": k}`` for data."""
    args, kwargs, arrays = [], {}, []

    def put(role, value):
        if role.keyword:
            kwargs[role.name] = value
        else:
            args.append(value)

    for role in roles:
        if role.role == "sizes":
            put(role, {"list": list(arch)})
        elif role.role == "hidden_list":
            put(role, {"list": list(arch[1:-1])})
        elif role.role == "n_in":
            put(role, arch[0])
        elif role.role == "n_hidden":
            put(role, arch[1 + role.index] if 1 + role.index < len(arch) - 1 else arch[1])
        elif role.role == "n_out":
            put(role, arch[-1])
        elif role.role == "lr":
            put(role, lr)
        elif role.role == "epochs":
            put(role, 1)
        elif role.role == "seed":
            put(role, 0)
        elif role.role in ("X", "Y"):
            arrays.append(X if role.role == "X" else Y)
            put(role, _array_arg(len(arrays) - 1, arrays[-1]))
    return args, kwargs, arrays


def _array_arg(index: int, array) -> dict:
    """The sandbox argument for array ``index``: integer labels arrive as int64 (arrays travel as float64)."""
    if array is not None and np.asarray(array).dtype.kind in "iu":
        return {"array": index, "as": "int64"}
    return {"array": index}


# --- finding the parameters -------------------------------------------------------------


def _arrays(attributes: dict) -> list[tuple[tuple, dict]]:
    """``(path, description)`` of every float array among an object's attributes, lists, dicts and objects."""
    found = []

    def walk(path, d):
        kind = d.get("kind")
        if kind == "array":
            found.append((path, d))
        elif kind in ("list", "tuple"):
            for k, e in enumerate(d.get("entries", [])):
                walk(path + ({"key": k},), e)
        elif kind == "dict":
            for e in d.get("entries", {}).values():
                walk(path + ({"key": e["key"]},), e)
        elif kind == "object":
            for name, e in d.get("attributes", {}).items():
                walk(path + ({"attr": name},), e)

    for name, d in attributes.items():
        walk(({"attr": name},), d)
    return found


def float_arrays(attributes: dict) -> list[tuple[tuple, tuple]]:
    """``(path, shape)`` of every float array, in attribute order."""
    return [(path, tuple(d["shape"])) for path, d in _arrays(attributes)]


def _dtypes(attributes: dict) -> list[tuple[tuple, str]]:
    """``(path, dtype name)`` of every float array."""
    return [(path, d.get("dtype")) for path, d in _arrays(attributes)]


def bias_numbers(attributes: dict) -> list[tuple[tuple, tuple]]:
    """``(path, ())`` of the plain numbers named like a bias (``self.b2 = 0.0`` for a single output)."""
    return [(({"attr": name},), ()) for name, d in attributes.items()
            if d.get("kind") == "number" and _BIAS_HINT.search(name)]


def _looks_like_parameter(path) -> bool:
    """False for arrays whose names say they are gradients, optimiser state or saved copies (``dW1``, ``v_W1``)."""
    leaf = path[-1]
    name = str(leaf.get("attr", leaf.get("key")))
    return not _NOT_PARAMETER.match(name)


def _named_bias(path) -> bool:
    """Whether an attribute's own name says bias (``b2``, ``bias_out``) and not weight."""
    name = path_text(path).split(".")[-1]
    return bool(_BIAS_HINT.search(name)) and not _WEIGHT_HINT.search(name.replace("b", ""))


def find_parameters(attributes: dict, n_in=None, n_out=None, depth=None, exclude_dim=None) -> list[tuple[tuple, list[Param]]]:
    """Chains of weights (and their biases) that carry ``n_in`` inputs to ``n_out`` outputs, best first.

    Each result is ``(arch, params)``: the widths the chain implies and its
    `Param` list (layer 1 W, layer 1 b, layer 2 W, ...). ``None`` for
    ``n_in``, ``n_out`` or ``depth`` means any. Every weight of a chain is
    stored the same way round, ``(out, in)`` or ``(in, out)``.
    """
    arrays = [(p, s) for p, s in float_arrays(attributes) if exclude_dim not in s and _looks_like_parameter(p)]
    # weight matrices, and vectors as a single output's weights (w2 of shape (hidden,))
    # (a row or column named like a bias, b2 of shape (1, 1) say, is a bias, never a layer's weights)
    matrices = [(p, s) for p, s in arrays if len(s) == 2 and not (1 in s and _named_bias(p))]
    matrices += [(p, s) for p, s in arrays if len(s) == 1 and s[0] > 1]
    chains = []
    for transposed in (False, True):
        def ends(shape):
            # (n_out, n_in) as in the math, or (n_in, n_out); a vector carries its width to 1 output
            if len(shape) == 1:
                return shape[0], 1
            return (shape[0], shape[1]) if transposed else (shape[1], shape[0])

        def extend(chain, width, used, folded):
            if chain and (n_out is None or width == n_out) and (depth is None or len(chain) == depth):
                chains.append((transposed, list(chain), folded))
            if len(chain) >= (depth or 6) or (chain and len(chain[-1][1]) == 1):
                return
            for k, (p, s) in enumerate(matrices):
                if k in used or folded and len(s) == 1:
                    continue
                a, b = ends(s)
                # folded: every weight matrix has one more input, the bias's constant 1
                if width is None or a == width + folded:
                    extend(chain + [(p, s)], b, used | {k}, folded)

        for folded in (0, 1):
            extend([], n_in, frozenset(), folded)
    results = []
    for transposed, chain, folded in chains:
        arch = [ends_of(chain[0][1], transposed)[0] - folded] + [ends_of(s, transposed)[1] for _, s in chain]
        if any(len(s) == 1 for _, s in chain[:-1]):
            continue
        if folded:
            # which column is the bias is found by running the code (Driver._fold_side); first until then
            params = []
            for l, (p, s) in enumerate(chain, start=1):
                params += [Param(p, l, "W", s, transposed, "first"), Param(p, l, "b", s, transposed, "first")]
            results.append((tuple(arch), params))
            continue
        weights = [Param(p, l, "W", s, transposed) for l, (p, s) in enumerate(chain, start=1)]
        taken = {path_text(p) for p, _ in chain}
        biases = {}
        scalars = bias_numbers(attributes)
        for l in range(1, len(arch)):
            n = arch[l]
            options = [(p, s) for p, s in arrays if path_text(p) not in taken and s in ((n,), (n, 1), (1, n))]
            if n == 1:
                options += [(p, s) for p, s in scalars if path_text(p) not in taken]
            # a bias named like one first, then in attribute order
            options.sort(key=lambda ps: (not _BIAS_HINT.search(path_text(ps[0])), _order_key(ps[0])))
            if options:
                p, s = options[0]
                taken.add(path_text(p))
                biases[l] = Param(p, l, "b", s, False)
        params = []
        for w in weights:
            params.append(w)
            if w.layer in biases:
                params.append(biases[w.layer])
        results.append((tuple(arch), params))

    def rank(result):
        arch, params = result
        weights = [p for p in params if p.kind == "W"]
        named = sum(bool(_WEIGHT_HINT.search(p.name)) for p in weights)
        in_order = [_order_key(p.path) for p in weights] == sorted(_order_key(p.path) for p in weights)
        # the longest chain of weight-named arrays, in their own order, with biases; folded last
        return (-len(weights), any(p.fold for p in params), -named, not in_order, -len(params))

    results.sort(key=rank)
    return results


def ends_of(shape, transposed) -> tuple[int, int]:
    """``(n_in, n_out)`` of a weight matrix stored ``(out, in)`` (or ``(in, out)`` when transposed)."""
    if len(shape) == 1:
        return shape[0], 1
    return (shape[0], shape[1]) if transposed else (shape[1], shape[0])


def _order_key(path):
    return tuple((0, s["attr"]) if "attr" in s else (1, str(s["key"])) for s in path)


# --- argument roles of methods ---------------------------------------------------------


#: A method argument's role, by its name (the first table that has the name).
_METHOD_ROLES = (
    (_EPOCH_NAMES, "epochs"), (_LR_NAMES, "lr"), (_X_NAMES, "X"), (_Y_NAMES, "Y"), (_OUTPUT_NAMES, "output"),
    (_PAIRS_NAMES, "pairs"), (_CACHE_NAMES, "cache"), (_REG_NAMES, "reg"), (_VAL_X_NAMES, "X"),
    (_VAL_Y_NAMES, "Y"), (_BATCH_NAMES, "batch"), (_COUNT_NAMES, "count"),
)


def method_roles(signature) -> list[ArgRole] | None:
    """Roles of a method's arguments (without self), or None if one cannot be given a value."""
    params = [p for p in (signature or [])[1:]]
    roles, unknown = [], []
    skipped = False  # an argument left out: the ones after it are passed by name
    for p in params:
        if p["kind"] in ("VAR_POSITIONAL", "VAR_KEYWORD"):
            skipped = True
            continue
        n = _norm(p["name"])
        role = next((role for names, role in _METHOD_ROLES if n in names), None)
        keyword = p["kind"] == "KEYWORD_ONLY" or skipped
        if role is None:
            if p["has_default"]:
                skipped = True
                continue
            unknown.append(len(roles))
            roles.append(ArgRole(p["name"], "?", keyword))
        else:
            roles.append(ArgRole(p["name"], role, keyword, optional=p["has_default"]))
    if unknown:
        missing = [r for r in ("X", "Y", "lr") if r not in {x.role for x in roles}]
        if len(unknown) > len(missing):
            return None
        for k, index in enumerate(unknown):
            roles[index] = ArgRole(roles[index].name, missing[k], roles[index].keyword)
    return roles


def forward_roles(signature) -> list[ArgRole]:
    """The arguments a forward call passes: the inputs, and what the method cannot do without.

    A loss method that gives the scores when called without targets (``loss(X, y=None)``)
    is called with ``X`` alone.
    """
    return [r for r in method_roles(signature) or [] if r.role == "X" or not r.optional]


def call_args(roles: list[ArgRole], arrays: dict, lr, layout="features_samples", cache=None, reg=0.0):
    """Sandbox arguments for ``roles``: arrays by index into the list it returns, numbers as they are.

    ``arrays`` holds the user's X, Y (and the forward output); ``cache`` is
    ``{"returned": id, "index": [...]}`` for what the forward pass returned beside its output.
    """
    args, kwargs, out = [], {}, []
    for role in roles:
        if role.role in ("X", "Y", "output"):
            if role.role not in arrays:
                raise DiscoveryError(f"cannot call it without {role.name} (it takes {role.name} where only the "
                                     "inputs are known)")
            out.append(arrays[role.role])
            value = _array_arg(len(out) - 1, arrays[role.role])
        elif role.role == "pairs":
            # one (x, y) per sample: columns for (features, samples) code, rows for (samples, features) code
            X, Y = arrays["X"], arrays["Y"]
            pairs = []
            for n in range(X.shape[1] if layout == "features_samples" else X.shape[0]):
                if layout == "features_samples":
                    out += [X[:, n : n + 1], Y[:, n : n + 1]]
                else:
                    out += [X[n], Y[n]]
                pairs.append([len(out) - 2, len(out) - 1])
            value = {"pairs": pairs}
        elif role.role == "cache":
            if cache is None:
                continue
            value = cache
        elif role.role == "lr":
            value = lr
        elif role.role == "epochs":
            value = 1
        elif role.role == "reg":
            value = float(reg)
        elif role.role in ("batch", "count"):
            value = int(arrays["X"].shape[1 if layout == "features_samples" else 0])
        else:
            continue
        if role.keyword:
            kwargs[role.name] = value
        else:
            args.append(value)
    return args, kwargs, out


# --- driving the class in the sandbox ---------------------------------------------------

#: Groups of layer widths, tried in turn: widths that all differ (depth 2, and depth 3 for
#: classes built from a list of sizes), then one output, then the tutorial's, then square.
ARCH_GROUPS = (
    ((3, 5, 2), (4, 3, 5), (6, 11, 3), (3, 5, 4, 2)),
    ((3, 5, 1), (4, 3, 1)),
    ((2, 2, 1),),
    ((3, 3, 3),),
)


@dataclass
class Probe:
    """One successful drive of the class at one architecture, during discovery."""

    arch: tuple
    params: list
    layout: str
    output: tuple  # ("return",) | ("return", k) | ("attr", path)
    step: str
    step_args: list
    lr_via: str
    lr_path: tuple
    returns_gradients: bool
    failure: str | None = None  # what the training step did wrong at this architecture
    follow: str | None = None  # the method applying what the step computed, if it does not itself
    targets: str = "values"  # "labels": the step takes integer class labels (samples,)
    dtype: str = "float64"  # "float32" or "float16" when the parameters found are (the narrowest of them)


def _sig(methods, name):
    return methods.get(name, {}).get("signature")


def _describe_call(cls, roles, arch, N):
    parts = []
    for r in roles:
        value = {
            "sizes": f"[{', '.join(map(str, arch))}]", "hidden_list": f"[{', '.join(map(str, arch[1:-1]))}]",
            "n_in": arch[0], "n_hidden": arch[1 + r.index] if 1 + r.index < len(arch) - 1 else "?", "n_out": arch[-1], "lr": "lr",
            "epochs": 1, "seed": 0, "X": f"X ({N} samples)", "Y": "y",
        }.get(r.role, "?")
        parts.append(f"{r.name}={value}" if r.keyword else str(value))
    return f"{cls}({', '.join(parts)})"


def _samples_for(arch) -> int:
    """A number of samples equal to no width, so that X's shape tells its layout."""
    return next(n for n in (7, 11, 13, 17) if n not in arch)


class Runner:
    """Drives a class in the sandbox: builds it, sets and reads its parameters, calls its forward and training methods.

    Driving only: what to call and where the parameters are is a `Binding` (or, during
    discovery, what `Driver` is trying); `run` is one scenario.
    """

    def __init__(self, box: sandbox.Sandbox, cls: str, methods: dict):
        self.box, self.cls, self.methods = box, cls, methods
        self.last_loss = None  # the number the last step returned beside its gradients
        self._forward_name_used = None  # the forward method last called (one sample per call runs it before each step)
        self._forward_call = None  # the last forward call, whose other returned entries a step may take back

    def build(self, roles, arch, X, Y, data_layout, lr=0.1):
        """A new object, built by the constructor call ``roles`` states at ``arch`` (the data in ``data_layout``)."""
        Xu = Y_u = None
        if data_layout is not None:
            Xu = X.T if data_layout == "samples_features" else X
            Y_u = Y.T if data_layout == "samples_features" and Y.ndim == 2 else Y
        args, kwargs, arrays = constructor_call(roles, arch, Xu, Y_u, lr=lr)
        what = _describe_call(self.cls, roles, arch, X.shape[1])
        return self.box.new(self.cls, args, what, kwargs=kwargs, arrays=arrays)

    def set_params(self, handle, params, math):
        """Put canonical values (``math[p.key]``) into the object, in the user's shapes."""
        arrays = user_arrays(params, math)
        self.box.set(handle, [list(p.path) for p, _ in arrays], [a for _, a in arrays],
                     what=f"setting {', '.join(p.name for p, _ in arrays)}")

    def get_params(self, handle, params):
        """The object's parameters, canonical: ``{p.key: W (out, in) or b (n,)}``."""
        owners = [p for p in params if not (p.fold and p.kind == "b")]
        arrays = self.box.get(handle, [list(p.path) for p in owners], what=f"reading {', '.join(p.name for p in owners)}")
        by_path = {}
        for p, value in zip(owners, arrays):
            if value.shape != p.shape:
                raise ShapeChanged(p, value.shape)
            by_path[p.name] = value
        return {p.key: p.to_math(by_path[p.name]) for p in params}

    def forward(self, handle, params, layout, X, arch, N, forward, known=None):
        """Call the forward method; ``(output in the math layout or None, raw user array, where)``.

        During discovery (``known`` None) the output is whatever returned or stored
        array has the output's shape (the sample count differs from every width, so
        the shape is unambiguous) and ``where`` records where it was and which way
        round; afterwards ``known`` is that record and is followed exactly.
        """
        self._forward_name_used = forward
        if layout == ONE_SAMPLE:
            return self._forward_per_sample(handle, X, arch, forward, known)
        if known is not None:
            return self._known_forward(handle, layout, X, arch, N, forward, known)
        name = forward
        roles = forward_roles(_sig(self.methods, name))
        Xu = X.T if layout == "samples_features" else X
        args, kwargs, arrays = call_args(roles, {"X": Xu}, None)
        value, out = self.box.call(handle, name, args, arrays, kwargs=kwargs,
                                   what=f"{self.cls}.{name}(X) with X of shape {Xu.shape}" if roles else f"{self.cls}.{name}()")
        self._forward_call = self.box.last_call
        o = arch[-1]
        for index, array in reversed(returned_arrays(value, out)):
            if array.size > 1 and np.all(np.isfinite(array)) and np.array_equal(array, np.round(array)):
                continue  # whole numbers from random weights: class labels (predict), not the outputs
            math, orient = as_output(array, o, N)
            # X handed back is not an output, even where it has the output's shape (square sizes)
            if math is not None and not (math.shape == X.shape and np.array_equal(math, X)):
                return math, array, ("return", index, orient)
        # nothing returned that looks like the output: an attribute set by the call
        attributes = self.box.describe(handle, what=f"reading {self.cls}'s attributes after {name}")
        # named like an output (output, out, y_hat, pred, a2 for two layers...): a hidden layer's
        # activations can have the output's shape too
        D = len(arch) - 1
        named = re.compile(rf"out|yhat|y_hat|pred|final|result|^(a|h|layer|activation)_?{D}$", re.I)
        wanted = [(p, s) for p, s in float_arrays(attributes)
                  if (s in ((o, N), (N, o)) or (o == 1 and s == (N,))) and named.search(str(p[-1].get("attr", p[-1].get("key"))))]
        for p, s in wanted:
            (array,) = self.box.get(handle, [list(p)], what=f"reading {path_text(p)}")
            math, orient = as_output(array, o, N)
            if math is not None:
                return math, array, ("attr", p, orient)
        return None, None, _kind(value)

    def _forward_per_sample(self, handle, X, arch, name, known=None):
        """The forward pass one 1-D sample per call (``forward(x)`` with ``x`` of shape ``(features,)``), stacked.

        The output of each call is the returned array of ``outputs`` entries (the same entry
        of a returned tuple each time); ``(outputs as (outputs, samples), the last raw array, where)``.
        """
        roles = forward_roles(_sig(self.methods, name))
        o, columns, raw, at = arch[-1], [], None, None if known is None else known[1]
        for n in range(X.shape[1]):
            x = np.ascontiguousarray(X[:, n])
            args, kwargs, arrays = call_args(roles, {"X": x}, None)
            what = f"{self.cls}.{name}(x) with x of shape {x.shape}"
            value, out = self.box.call(handle, name, args, arrays, kwargs=kwargs, what=what)
            self._forward_call = self.box.last_call
            found = returned_arrays(value, out)
            # not labels (whole numbers), and not x handed back (square sizes)
            fits = [(i, a) for i, a in found if a.size == o and a.ndim <= 2 and (at is None or i == at)
                    and not (a.size > 1 and np.array_equal(a, np.round(a)))
                    and not (a.size == x.size and np.array_equal(np.ravel(a), x))]
            if not fits:
                if known is not None:
                    raise ShapeChanged(None, None, f"{what} returned {_kind(value)}, not the output it returned before")
                return None, None, _kind(value)
            at, raw = fits[-1]
            columns.append(np.asarray(raw, dtype=float).reshape(o))
        return np.stack(columns, axis=1), raw, ("return", at, ONE_SAMPLE)

    def _known_forward(self, handle, layout, X, arch, N, name, known):
        """The forward call where discovery found the output (``known``), followed exactly."""
        roles = forward_roles(_sig(self.methods, name))
        Xu = X.T if layout == "samples_features" else X
        args, kwargs, arrays = call_args(roles, {"X": Xu}, None)
        what = f"{self.cls}.{name}(X) with X of shape {Xu.shape}" if roles else f"{self.cls}.{name}()"
        value, out = self.box.call(handle, name, args, arrays, kwargs=kwargs, what=what)
        self._forward_call = self.box.last_call
        where, at, orient = known
        if where == "return":
            for k in at:
                if value.get("kind") not in ("list", "tuple") or k >= len(value["entries"]):
                    raise ShapeChanged(None, None, f"{what} returned {_kind(value)}, not the output it returned before")
                value = value["entries"][k]
            if value.get("kind") != "array":
                raise ShapeChanged(None, None, f"{what} returned {_kind(value)}, expected the output array")
            array = out[value["index"]]
        else:
            (array,) = self.box.get(handle, [list(at)], what=f"reading {path_text(at)}")
        math = from_orientation(array, orient, arch[-1], N)
        if math is None:
            shape = {"o_N": (arch[-1], N), "N_o": (N, arch[-1]), "flat": (N,)}[orient]
            raise ShapeChanged(None, None, f"{what} gave an output of shape {array.shape}, expected {shape}")
        return math, array, known

    def call_step(self, handle, name, step_roles, layout, X, Y, raw_output, lr, forward_where=None, reg=0.0):
        """Call a training method; ``Y`` is ``(outputs, samples)`` in the math's layout, or integer labels ``(samples,)``.

        One sample per call (`ONE_SAMPLE`): for each sample in order, its forward pass and then the
        step on it (``train(x, y)``), as a loop over the samples would; what the last call returned.
        """
        if layout == ONE_SAMPLE:
            done, forward = None, self._forward_name_used
            o = raw_output.size if raw_output is not None else Y.shape[0]
            for n in range(X.shape[1]):
                x = X[:, n : n + 1]
                raw = raw_output
                if forward is not None:  # the sample's own forward pass first, as a loop over the samples runs it
                    _, raw, _ = self._forward_per_sample(handle, x, (X.shape[0], o), forward, forward_where)
                y = np.ascontiguousarray(Y[:, n]) if Y.ndim == 2 else Y[n : n + 1]
                args, kwargs, arrays = call_args(step_roles, {"X": np.ascontiguousarray(x[:, 0]), "Y": y, "output": raw},
                                                 lr, "features_samples", None, reg)
                shown = ", ".join(r.name for r in step_roles)
                done = self.box.call(handle, name, args, arrays, kwargs=kwargs,
                                     what=f"{self.cls}.{name}({shown}) with one sample")
            return done
        Xu = X.T if layout == "samples_features" else X
        Yu = Y.T if layout == "samples_features" and Y.ndim == 2 else Y
        if Y.ndim == 2 and raw_output is not None and raw_output.ndim == 1 and Yu.size == raw_output.size:
            Yu = Yu.reshape(raw_output.shape)  # single-output code taking y as (samples,)
        cache = None
        if forward_where is not None and forward_where[0] == "return" and forward_where[1]:
            # the forward pass returned (output, cache): pass the other entry back as it was
            others = [k for k in range(2) if (k,) != tuple(forward_where[1])]
            cache = {"returned": self._forward_call, "index": others[:1]}
        args, kwargs, arrays = call_args(step_roles, {"X": Xu, "Y": Yu, "output": raw_output}, lr, layout, cache, reg)
        shown = ", ".join(r.name for r in step_roles)
        return self.box.call(handle, name, args, arrays, kwargs=kwargs, what=f"{self.cls}.{name}({shown})")

    def own_loss(self, handle, b: Binding, X, Y, raw, where, reg=0.0) -> float | None:
        """The number the code's loss method gives after the forward pass (``net.loss(X, y)``), or None.

        A loss method that raises or returns no single number is not the code's loss:
        nothing is held against the code then.
        """
        roles = method_roles(_sig(self.methods, b.loss_method)) or []
        if any(r.role == "pairs" for r in b.step_args):
            # a step given (x, y) pairs: the loss method's data are the pairs too (Nielsen's total_cost(data))
            roles = [dataclasses.replace(r, role="pairs") if r.role == "X" else r for r in roles]
            roles = [r for r in roles if r.role != "Y"]
        try:
            value, arrays = self.call_step(handle, b.loss_method, roles, b.x_layout, X, Y, raw, None, where, reg)
        except (sandbox.UserError, DiscoveryError):
            return None
        if value.get("kind") == "array" and np.asarray(arrays[value["index"]]).size == 1:
            return float(np.asarray(arrays[value["index"]]).reshape(-1)[0])
        return returned_number(value, arrays)

    def run(self, b: Binding, arch, math: dict, X, Y, lr, reg=0.0):
        """Build, set the parameters, forward, one training step: ``(output, after or gradients)``, math layout.

        ``Y`` is ``(outputs, samples)``; for code that takes integer labels (``b.targets``) one-hot, handed over as labels.
        """
        params = b.params[arch]
        if b.targets == "labels":
            Y = one_hot_to_labels(Y)
        handle, attributes = self.build(b.constructor, arch, X, Y, b.x_layout if b.data_roles else None,
                                        lr=lr if lr is not None else 0.1)
        self.set_params(handle, params, math)
        if b.lr_via == "attribute":
            self.box.set(handle, [list(b.lr_path)], [np.asarray(float(lr))], what=f"setting {path_text(b.lr_path)}")
        out, raw, where = self.forward(handle, params, b.x_layout, X, arch, X.shape[1], b.forward, known=b.output_known)
        self.last_loss = None
        if b.loss_method and not b.step_returns_gradients:
            self.last_loss = self.own_loss(handle, b, X, Y, raw, where, reg)
        value, arrays = self.call_step(handle, b.step, b.step_args, b.x_layout, X, Y, raw, lr, where, reg)
        if b.step_follow:
            self.call_step(handle, b.step_follow, b.step_follow_args, b.x_layout, X, Y, raw, lr, where)
        if b.step_returns_gradients:
            grads = returned_gradients(value, arrays, params)
            if grads is None:
                raise ShapeChanged(None, None, f"{b.step} did not return gradients shaped like the parameters")
            self.last_loss = returned_number(value, arrays)
            return out, grads
        return out, self.get_params(handle, params)


class Driver:
    """Discovers how to drive a class in the sandbox (`discover`); the driving itself is its `Runner`'s (`run`)."""

    def __init__(self, box: sandbox.Sandbox, module: dict, cls: str, forward=None, step=None, layout=None):
        """``forward``, ``step`` and ``layout`` state what discovery would otherwise find (--forward, ...)."""
        self.box, self.cls = box, cls
        self.methods = module["classes"][cls]["methods"]
        self.forced = {"forward": forward, "step": step, "layout": layout}
        self.runner = Runner(box, cls, self.methods)
        for option, name in (("--forward", forward), ("--step", step)):
            if name is not None and name.startswith("__") and name != "__call__":
                raise DiscoveryError(f"{option}: expected a method of {cls} such as forward or train, got {name!r}")
            if name is not None and _sig(self.methods, name) is None:
                found = ", ".join(sorted(m for m, d in self.methods.items() if "signature" in d)) or "none"
                raise DiscoveryError(f"{option}: {cls} has no method {name!r} (its methods: {found})")

    # --- discovery ---

    def discover(self) -> Binding:
        """The first forward method (`forward_candidates`) with which the class can be driven."""
        forwards = [self.forced["forward"]] if self.forced["forward"] else forward_candidates(self.methods)
        first_error = None
        for forward in forwards or [None]:
            try:
                return self._discover_forward(forward)
            except CodeFailed:
                raise
            except DiscoveryError as err:
                first_error = first_error or err
        raise first_error

    def _discover_forward(self, forward) -> Binding:
        if self.forced["step"]:
            steps = [self.forced["step"]]
        else:
            steps = [n for n in STEP_NAMES if (n != forward or n in LOSS_STEP_NAMES) and _sig(self.methods, n) is not None]
        if forward is None:
            raise DiscoveryError(
                f"{self.cls} has no forward method (looked for {', '.join(FORWARD_NAMES)}): name it with --forward"
            )
        if not steps:
            raise DiscoveryError(
                f"{self.cls} has no training method (looked for {', '.join(STEP_NAMES)}): name it with --step"
            )
        self._forward_name = forward
        templates = constructor_roles(_sig(self.methods, "__init__") or [{"name": "self"}])
        problems, failed = [], []
        for roles in templates:
            try:
                binding = self._discover_with(roles, forward, steps, problems)
            except CodeFailed as err:
                failed.append(err)
                continue
            if binding is not None:
                return binding
        if failed:
            raise failed[0]
        # the same reason at every size is said once
        distinct = []
        for text in problems:
            if re.sub(r"\d+", "#", text.split(": ", 1)[-1]) not in {re.sub(r"\d+", "#", t.split(": ", 1)[-1]) for t in distinct}:
                distinct.append(text)
        detail = "; ".join(distinct[:3]) or "nothing could be driven"
        raise DiscoveryError(f"cannot drive {self.cls}: {detail}")

    def _discover_with(self, roles, forward, steps, problems):
        failures = []  # (arch, text, where) that could not be driven
        cannot_run = []  # the user's exceptions that say the file cannot run (`CANNOT_RUN`)
        probes, several = [], []  # several: the probes with several outputs, set aside while one output is tried
        sized = bool({"sizes", "hidden_list", "n_in", "n_hidden", "n_out", "X", "Y"} & {r.role for r in roles})
        groups = arch_groups(roles) if sized else ARCH_GROUPS[:1]
        kinds = {r.role for r in roles}
        hidden_roles = sum(r.role == "n_hidden" for r in roles)
        for group_index, group in enumerate(groups):
            for arch in group if sized else group[:1]:
                if not {"sizes", "hidden_list"} & kinds and len(arch) - 2 != max(hidden_roles, 1):
                    continue
                try:
                    probe = self._probe(roles, arch, forward, steps)
                except sandbox.UserError as err:
                    failures.append((arch, f"{err.request} {err}", "call"))
                    if err.type_name in CANNOT_RUN:
                        cannot_run.append(err)
                    continue
                except ShapeChanged as err:
                    failures.append((arch, str(err), "call"))
                    continue
                except DiscoveryError as err:
                    failures.append((arch, str(err), "discovery"))
                    continue
                if probe is not None and probe.failure is not None:
                    failures.append((arch, probe.failure, "call"))
                if probe is not None and probe.arch not in [p.arch for p in probes]:
                    probes.append(probe)
                if not sized:
                    break  # the constructor takes no sizes: one architecture is all there is
            if probes and group_index == 0 and len(groups) > 1 and all(
                    p.failure is not None and _ONE_COLUMN.search(p.failure) for p in probes):
                # its step reshapes the targets into one column (y.reshape(-1, 1)): single-output code, driven
                # with one output; kept unless one output drives cleanly (a shape error of a real mistake stays)
                several, probes = probes, []
                continue
            if probes or not sized:
                break
        if not probes and several:
            probes, group_index = several, 0  # one output fails as well: the several-output failure stands
        elif several:
            # driven with one output: the failures with several are a limitation of the code, said as such
            failures = [(a, text, "discovery" if a[-1] > 1 else where) for a, text, where in failures]
        if not probes:
            calls = [(a, text) for a, text, where in failures if where == "call"]
            if calls:
                raise CodeFailed(*calls[0], cannot_run[0] if cannot_run else None)
            problems += [f"at sizes {'-'.join(map(str, a))}: {text}" for a, text, _ in failures]
            return None
        first = probes[0]
        # the narrowest float type among the parameters sets how closely the updates can match
        dtype = next((d for d in ("float16", "float32") if any(p.dtype == d for p in probes)), "float64")
        data_roles = [r.role for r in roles if r.role in ("X", "Y")]
        single_output = group_index == 1
        # every field at once: the binding is complete when built (its description is computed from it)
        binding = Binding(
            cls=self.cls, constructor=roles, archs=[p.arch for p in probes],
            params={p.arch: p.params for p in probes},
            has_biases=any(q.kind == "b" for q in first.params),
            x_layout=first.layout, forward=forward, forward_args=forward_roles(_sig(self.methods, forward)),
            output_known=first.output,
            step=first.step, step_args=first.step_args, lr_via=first.lr_via, lr_path=first.lr_path,
            step_returns_gradients=first.returns_gradients, step_follow=first.follow, targets=first.targets,
            step_follow_args=method_roles(_sig(self.methods, first.follow)) if first.follow else [],
            data_roles=data_roles, dtype=dtype, rtol=RTOL_FLOAT32 if dtype != "float64" else 1e-7,
            loss_method=next((n for n in LOSS_METHOD_NAMES if n != first.step and _sig(self.methods, n) is not None
                              and method_roles(_sig(self.methods, n)) is not None), ""),
            unsupported=[(arch, text, where == "discovery" or (single_output and arch[-1] > 1))
                         for arch, text, where in failures],
        )
        # its lines (how the code was read, in words) are filled in by spec.verify.describe, above this module
        return binding

    def _probe(self, roles, arch, forward, steps) -> Probe | None:
        N = _samples_for(arch)
        rng = np.random.default_rng(12345)
        X = rng.normal(size=(arch[0], N))
        Y = rng.uniform(0.1, 0.9, size=(arch[-1], N))
        has_data = any(r.role in ("X", "Y") for r in roles)
        layouts = ["samples_features", "features_samples"]
        last_error = None
        user_errors, discovery_errors = [], []
        if self.forced["layout"]:
            layouts = [self.forced["layout"]]
        for data_layout in layouts if has_data else [None]:
            try:
                handle, params, actual, layout_hint, dtype = self._build_and_find(roles, arch, X, Y, data_layout, N)
            except sandbox.UserError:
                raise  # a property that raised when read: the code misbehaves
            except DiscoveryError as err:
                last_error = err
                continue
            layouts_x = [data_layout] if data_layout else (
                ["samples_features", "features_samples"] if layout_hint else ["features_samples", "samples_features"]
            )
            if self.forced["layout"]:
                layouts_x = [self.forced["layout"]]
            elif data_layout is None:
                layouts_x = [*layouts_x, ONE_SAMPLE]  # last: forward(x) with one 1-D sample per call
            actual_N = N
            Xa = rng.normal(size=(actual[0], N)) if actual[0] != arch[0] else X
            Ya = rng.uniform(0.1, 0.9, size=(actual[-1], N)) if actual[-1] != arch[-1] else Y
            if any(p.fold for p in params):
                params = self._fold_side(handle, params, layouts_x[0], actual, N, rng)
            for layout in layouts_x:
                math = random_params(params, actual, rng)
                self.runner.set_params(handle, params, math)
                try:
                    out, raw, where = self.runner.forward(handle, params, layout, Xa, actual, actual_N, self._forward_name)
                except sandbox.UserError as err:
                    user_errors.append(err)
                    continue
                if out is None:
                    discovery_errors.append(DiscoveryError(
                        f"{self.cls}.{forward} returned {where}, and no attribute holds an output of "
                        f"shape {(actual[-1], N)} or {(N, actual[-1])}"
                    ))
                    continue
                step = self._find_step(roles, params, actual, layout, Xa, Ya, math, rng, steps, data_layout)
                return dataclasses.replace(Probe(actual, params, layout, where, *step), dtype=dtype)
        # a forward pass that ran but gave nothing like an output says more than one that raised
        # because it was called with the other layout; the most likely layout's error comes first
        if discovery_errors and not any(e.type_name in CANNOT_RUN for e in user_errors):
            raise discovery_errors[0]
        if user_errors:
            # a name never defined says more than a shape error from the other layout
            raise sorted(user_errors, key=lambda e: e.type_name not in CANNOT_RUN)[0]
        raise last_error or DiscoveryError("cannot be built")

    def _build_and_find(self, roles, arch, X, Y, data_layout, N):
        try:
            handle, attributes = self.runner.build(roles, arch, X, Y, data_layout)
        except sandbox.UserError as err:
            # a constructor that refuses these arguments: another reading of them may fit
            raise DiscoveryError(f"{err.request} {err}") from None
        kinds = {r.role for r in roles}
        n_in = arch[0] if kinds & {"sizes", "n_in", "X"} else None
        n_out = arch[-1] if kinds & {"sizes", "n_out", "Y"} else None
        depth = len(arch) - 1 if kinds & {"sizes", "hidden_list"} or {"n_in", "n_hidden", "n_out"} <= kinds else None
        chains = find_parameters(attributes, n_in, n_out, depth, exclude_dim=N if data_layout else None)
        if not chains:
            raised = [(name, a["message"]) for name, a in attributes.items()
                      if isinstance(a, dict) and a.get("kind") == "error" and isinstance(a.get("message"), str)]
            if raised:
                # a property of the user's that raises when read: the code misbehaves, said with its line
                name, message = raised[0]
                raise sandbox.UserError(f"raised {message}", f"reading {self.cls}.{name}", "", "")
            arrays = ", ".join(f"{path_text(p)} {s}" for p, s in float_arrays(attributes)) or "none"
            lazy = "; weights made later (in fit or a first call) cannot be read: verify needs them once the object is built" if arrays == "none" else ""
            raise DiscoveryError(
                f"{_describe_call(self.cls, roles, arch, N)} has no float arrays whose shapes chain from "
                f"{arch[0] if n_in else 'the'} inputs to {arch[-1] if n_out else 'the'} outputs "
                f"(float arrays found: {arrays}){lazy}"
            )
        actual, params = chains[0]
        dtypes = {path_text(p): d for p, d in _dtypes(attributes)}
        dtype = next((d for d in ("float16", "float32") if any(dtypes.get(p.name) == d for p in params)), "float64")
        return handle, params, actual, params[0].transposed, dtype

    def _fold_side(self, handle, params, layout, arch, N, rng):
        """Which column of a folded ``[b | W]`` array is the bias: with X = 0 only the bias column matters."""
        math = random_params(params, arch, rng)
        X0 = np.zeros((arch[0], N))
        try:
            self.runner.set_params(handle, params, math)
            before = self.runner.forward(handle, params, layout, X0, arch, N, self._forward_name)[0]
            # under "bias first", the last column multiplies the last input, which is 0 here
            last = next(p for p in params if p.layer == 1 and p.kind == "W")
            math[last.key] = math[last.key].copy()
            math[last.key][:, -1] += 1.0
            self.runner.set_params(handle, params, math)
            after = self.runner.forward(handle, params, layout, X0, arch, N, self._forward_name)[0]
        except (sandbox.UserError, ShapeChanged):
            return params
        side = "first" if before is not None and after is not None and np.array_equal(before, after) else "last"
        return [Param(p.path, p.layer, p.kind, p.shape, p.transposed, side) if p.fold else p for p in params]

    def _find_step(self, roles, params, arch, layout, X, Y, math, rng, steps, data_layout):
        """The training method, the roles of its arguments and how the learning rate reaches it.

        Returns ``(name, roles, lr_via, lr_path, returns_gradients, failure, follow)``;
        ``follow`` names a method that applies what ``name`` computed (``backward``
        storing gradients, then ``update()``), or is None.
        """
        ctor_lr = any(r.role == "lr" for r in roles)
        has_y = any(r.role == "Y" for r in roles)
        tried, quiet = [], None
        for name in steps:
            step_roles = method_roles(_sig(self.methods, name))
            if step_roles is None:
                tried.append(f"{name} (cannot tell what its arguments are)")
                continue
            kinds = {r.role for r in step_roles}
            if not kinds & {"Y", "pairs"} and not has_y:
                tried.append(f"{name} (takes no targets)")
                continue
            if name in LOSS_STEP_NAMES:
                # a loss method is a step only where it returns its gradients; otherwise it is not one
                found = self._loss_step(roles, params, arch, layout, X, Y, math, name, step_roles, data_layout)
                if found is not None:
                    return found
                tried.append(f"{name} (returned no gradients)")
                continue
            for follow in (None, *[u for u in UPDATE_NAMES if u != name and _sig(self.methods, u) is not None]):
                follow_roles = [] if follow is None else method_roles(_sig(self.methods, follow))
                if follow_roles is None or {r.role for r in follow_roles} - {"lr"}:
                    continue
                handle, attributes = self.runner.build(roles, arch, X, Y, data_layout)
                self.runner.set_params(handle, params, math)
                lr_path = _lr_attribute(attributes)
                if "lr" in kinds or any(r.role == "lr" for r in follow_roles):
                    lr_via = "argument"
                elif lr_path:
                    lr_via = "attribute"
                    self.box.set(handle, [list(lr_path)], [np.asarray(0.1)], what=f"setting {path_text(lr_path)}")
                elif ctor_lr:
                    lr_via = "constructor"
                else:
                    lr_via = "fixed"
                _, raw, where = self.runner.forward(handle, params, layout, X, arch, X.shape[1], self._forward_name)
                targets = "values"
                try:
                    value, out = self.runner.call_step(handle, name, step_roles, layout, X, Y, raw, 0.1, where)
                    if follow is not None:
                        self.runner.call_step(handle, follow, follow_roles, layout, X, Y, raw, 0.1, where)
                    after = self.runner.get_params(handle, params)
                except (sandbox.UserError, ShapeChanged) as err:
                    text = f"{err.request} {err}" if isinstance(err, sandbox.UserError) else str(err)
                    # targets as values refused as indices: classification code taking integer class labels
                    retry = None
                    if isinstance(err, sandbox.UserError) and _refused_as_indices(text) and arch[-1] > 1 \
                            and "pairs" not in kinds:
                        retry = self._step_with_labels(roles, arch, X, data_layout, params, math, name, step_roles,
                                                       follow, follow_roles, layout, lr_path if lr_via == "attribute" else ())
                    if retry is None or isinstance(retry, str):
                        # the training method itself misbehaves: a finding about it, not another method to try
                        # (given labels too, their error is the one to show: the values were refused as indices)
                        return name, step_roles, lr_via, lr_path, False, retry or text, follow, "values"
                    value, out, after = retry
                    targets = "labels"
                changed = any(not np.array_equal(after[p.key], math[p.key]) for p in params)
                if changed:
                    return name, step_roles, lr_via, lr_path, False, None, follow, targets
                if follow is None and returned_gradients(value, out, params) is not None:
                    return name, step_roles, "argument", (), True, None, None, targets
            tried.append(f"{name} (changed no parameter and returned no gradients)")
            if quiet is None:
                quiet = (name, step_roles, lr_via, lr_path)
        if quiet is not None:
            # a training method that takes the targets, runs, and changes nothing: a finding about it
            name, step_roles, lr_via, lr_path = quiet
            shown = ", ".join(r.name for r in step_roles)
            return (name, step_roles, lr_via, lr_path, False,
                    f"{self.cls}.{name}({shown}) ran but changed no parameter and returned no gradients", None, "values")
        raise DiscoveryError(f"no training method changed the parameters: tried {', '.join(tried)}")

    def _loss_step(self, roles, params, arch, layout, X, Y, math, name, step_roles, data_layout):
        """``loss(X, y) -> (loss, grads)`` as the step (see `_find_step`), with values or class labels as targets."""
        for targets in ("values", "labels"):
            if targets == "labels" and arch[-1] < 2:
                break
            T = Y if targets == "values" else class_labels(arch[-1], X.shape[1])
            try:
                handle, _ = self.runner.build(roles, arch, X, T, data_layout)
                self.runner.set_params(handle, params, math)
                _, raw, where = self.runner.forward(handle, params, layout, X, arch, X.shape[1], self._forward_name)
                value, out = self.runner.call_step(handle, name, step_roles, layout, X, T, raw, 0.1, where)
            except (sandbox.UserError, ShapeChanged):
                continue
            if returned_gradients(value, out, params) is not None:
                return name, step_roles, "argument", (), True, None, None, targets
        return None

    def _step_with_labels(self, roles, arch, X, data_layout, params, math, name, step_roles, follow, follow_roles,
                          layout, lr_path):
        """The training step on a fresh object with integer class labels ``(samples,)`` as the targets.

        Returns ``(value, arrays, parameters after)``, or the error text when it fails with labels too.
        """
        labels = class_labels(arch[-1], X.shape[1])
        try:
            handle, _ = self.runner.build(roles, arch, X, labels, data_layout)
            self.runner.set_params(handle, params, math)
            if lr_path:
                self.box.set(handle, [list(lr_path)], [np.asarray(0.1)], what=f"setting {path_text(lr_path)}")
            _, raw, where = self.runner.forward(handle, params, layout, X, arch, X.shape[1], self._forward_name)
            value, out = self.runner.call_step(handle, name, step_roles, layout, X, labels, raw, 0.1, where)
            if follow is not None:
                self.runner.call_step(handle, follow, follow_roles, layout, X, labels, raw, 0.1, where)
            return value, out, self.runner.get_params(handle, params)
        except (sandbox.UserError, ShapeChanged) as err:
            return f"{err.request} {err}" if isinstance(err, sandbox.UserError) else str(err)

    def run(self, b: Binding, arch, math: dict, X, Y, lr, reg=0.0):
        """One scenario, driven by the runner (`Runner.run`)."""
        return self.runner.run(b, arch, math, X, Y, lr, reg)

    @property
    def last_loss(self) -> float | None:
        """The number the last scenario's step returned beside its gradients (its loss), or None."""
        return self.runner.last_loss


class ShapeChanged(Exception):
    """A parameter has another shape after the step (or an output is missing): a finding."""

    def __init__(self, param, shape, text=None):
        self.param, self.shape = param, shape
        super().__init__(text or f"after the training step, {param.name} has shape {shape}, expected {param.shape}: "
                                 "the step must update the parameters keeping their shapes")


def _lr_attribute(attributes: dict):
    for name, d in attributes.items():
        if d.get("kind") == "number" and _LR_ATTRIBUTE.match(name):
            return ({"attr": name},)
    return ()


def as_output(array: np.ndarray, o: int, N: int):
    """The user's output as (o, N) and how it was stored ("o_N", "N_o", "flat"); ``(None, None)`` if not an output."""
    if array.shape == (o, N):
        return array, "o_N"
    if array.shape == (N, o):
        return array.T, "N_o"
    if array.ndim == 1 and array.size == o * N and o == 1:
        return array.reshape(o, N), "flat"
    return None, None


def from_orientation(array: np.ndarray, orient: str, o: int, N: int):
    """The user's output as (o, N), stored as discovery found it; None if its shape does not fit."""
    if orient == "o_N" and array.shape == (o, N) or orient == "N_o" and array.shape == (N, o):
        return array if orient == "o_N" else array.T
    if orient == "flat" and array.shape == (N,) and o == 1:
        return array.reshape(1, N)
    if array.size == o * N and (o == 1 or N == 1):
        # one output or one sample: (N, 1), (1, N), (N,) and (o,) hold the same numbers
        return array.reshape(o, N)
    return None


def random_params(params, arch, rng, scale=1.0) -> dict:
    """Random canonical values for every parameter: ``{name: W (out, in) or b (n,)}``."""
    math = {}
    for p in params:
        n_out, n_in = arch[p.layer], arch[p.layer - 1]
        math[p.key] = scale * rng.normal(size=(n_out, n_in) if p.kind == "W" else n_out)
    return math


def one_hot_to_labels(Y) -> np.ndarray:
    """One-hot targets ``(classes, samples)`` as integer class labels ``(samples,)``."""
    labels = np.argmax(Y, axis=0)
    if not np.array_equal(np.eye(Y.shape[0])[:, labels], Y):
        raise ValueError("targets: integer labels stand only for one-hot targets")
    return labels.astype(np.int64)


def _refused_as_indices(text: str) -> bool:
    """Whether a step's error says arrays of values were used as indices (what code that takes labels does with them).

    Only then are integer labels tried: code that raises for another reason (a
    missing transpose) is reported as it is, not reread with other targets.
    """
    return "raised IndexError" in text or any(k in text for k in ("only integers", "integer scalar", "used as indices"))


def returned_arrays(value: dict, arrays: list) -> list[tuple[tuple, np.ndarray]]:
    """``(index, array)`` for every array a call returned, in tuples and lists too (``index`` the path into them)."""
    found = []

    def collect(v, index):
        if v.get("kind") == "array":
            found.append((index, arrays[v["index"]]))
        elif v.get("kind") in ("list", "tuple"):
            for k, e in enumerate(v["entries"]):
                collect(e, index + (k,))

    collect(value, ())
    return found


def class_labels(classes: int, N: int) -> np.ndarray:
    """Integer class labels ``(N,)`` for a step that takes labels, every class present."""
    labels = np.random.default_rng(54321).integers(0, classes, N)
    labels[:classes] = np.arange(classes)[:N]
    return labels


def returned_number(value: dict, arrays: list) -> float | None:
    """The one number a call returned beside its arrays (``(loss, grads)``), or None."""
    entries = value.get("entries", []) if value.get("kind") in ("list", "tuple") else []
    numbers = [float(np.asarray(arrays[e["index"]]).reshape(-1)[0]) for e in entries
               if e.get("kind") == "array" and e.get("shape") == [] and np.asarray(arrays[e["index"]]).size == 1]
    return numbers[0] if len(numbers) == 1 else None


def returned_gradients(value: dict, arrays: list, params: list):
    """Arrays a call returned, matched to the parameters by shape and order, or None."""
    found = []

    def collect(v):
        if v.get("kind") == "array":
            found.append(arrays[v["index"]])
        elif v.get("kind") in ("list", "tuple"):
            for e in v["entries"]:
                collect(e)
        elif v.get("kind") == "dict":
            for e in v["entries"].values():
                collect(e)

    collect(value)
    if not found:
        return None
    # one gradient per user array (a folded [b | W] array has one), in layer order, matched by shape
    owners = [p for p in params if not (p.fold and p.kind == "b")]
    by_path, pool = {}, list(found)
    for p in owners:
        k = next((k for k, g in enumerate(pool) if g.shape == p.shape), None)
        if k is None:
            return None
        by_path[p.name] = pool.pop(k)
    return {p.key: p.to_math(by_path[p.name]) for p in params}


def user_arrays(params, math) -> list[tuple[Param, np.ndarray]]:
    """``(owner, user array)`` for canonical values ``math``; a folded pair makes one array."""
    out = []
    for p in params:
        if p.fold and p.kind == "b":
            continue
        bias = math[next(q.key for q in params if q.fold and q.kind == "b" and q.path == p.path)] if p.fold else None
        out.append((p, p.to_user(math[p.key], bias)))
    return out


def _kind(value: dict) -> str:
    kind = value.get("kind")
    if kind == "other":
        return f"a {value.get('type')}"
    if kind == "None":
        return "None"
    if kind == "too large":
        return f"an array of {value.get('size')} values"
    if kind == "array":
        return f"an array of shape {tuple(value.get('shape', ()))}"
    return f"a {kind}"


# --- functional code: module-level functions with the documented signatures ----------------

#: Names of a module-level gradient function ``(weights, biases, X, Y) -> (dW, db)``.
GRADIENT_FUNCTION_NAMES = ("gradients", "grads", "compute_gradients", "backprop", "backward", "backpropagation")
#: Names of a module-level forward function ``(weights, biases, X) -> output``.
FORWARD_FUNCTION_NAMES = ("forward", "predict", "feedforward", "forward_pass", "forward_propagation")


def functional_pair(module: dict, name: str | None = None):
    """``(forward, gradients)`` function names of functional code, or None.

    The documented signatures, in the layout of `impl.Network`:
    ``forward(weights, biases, X) -> output`` and
    ``gradients(weights, biases, X, Y) -> (dW, db)`` with ``weights[l-1]`` of
    shape ``(n_l, n_{l-1})``, ``biases[l-1]`` of shape ``(n_l,)``, ``X`` of
    shape ``(samples, features)`` and ``Y`` of shape ``(samples, outputs)``.
    """
    functions = {n: f for n, f in module["functions"].items() if f["defined_here"]}

    def takes(n, count):
        sig = functions.get(n, {}).get("signature") or []
        return sum(p["kind"] in ("POSITIONAL_ONLY", "POSITIONAL_OR_KEYWORD") and not p["has_default"] for p in sig) == count

    grads = [name] if name in functions else [n for n in GRADIENT_FUNCTION_NAMES if n in functions]
    grads = [n for n in grads if takes(n, 4)]
    forwards = [n for n in FORWARD_FUNCTION_NAMES if takes(n, 3)]
    if grads and forwards:
        return forwards[0], grads[0]
    return None


class FunctionDriver:
    """Drives functional code: ``forward(weights, biases, X)`` and ``gradients(weights, biases, X, Y)``."""

    def __init__(self, box: sandbox.Sandbox, forward: str, gradients: str):
        self.box, self.forward_name, self.gradients_name = box, forward, gradients

    def discover(self) -> Binding:
        archs = [(3, 5, 2), (4, 3, 5), (3, 5, 4, 2)]
        params = {arch: self._params(arch) for arch in archs}
        b = Binding(
            cls=self.gradients_name, constructor=[], archs=archs, params=params, has_biases=True,
            x_layout="samples_features", forward=self.forward_name, forward_args=[], step=self.gradients_name,
            step_returns_gradients=True,
        )
        b.lines = [
            f"functions {self.forward_name}(weights, biases, X) and {self.gradients_name}(weights, biases, X, Y), "
            "the documented signatures: weights[l-1] (n_l, n_(l-1)), biases[l-1] (n_l,), X (samples, features)",
            f"driven at sizes {', '.join('-'.join(map(str, a)) for a in archs)}",
        ]
        return b

    @staticmethod
    def _params(arch):
        out = []
        for l in range(1, len(arch)):
            out.append(Param(({"attr": "weights"}, {"key": l - 1}), l, "W", (arch[l], arch[l - 1])))
            out.append(Param(({"attr": "biases"}, {"key": l - 1}), l, "b", (arch[l],)))
        return out

    def run(self, b: Binding, arch, math: dict, X, Y, lr):
        params = b.params[arch]
        weights = [math[p.key] for p in params if p.kind == "W"]
        biases = [math[p.key] for p in params if p.kind == "b"]
        arrays = weights + biases + [X.T, Y.T]
        D = len(weights)
        w_args = {"list": [{"array": k} for k in range(D)]}
        b_args = {"list": [{"array": D + k} for k in range(D)]}
        value, out = self.box.call(None, self.forward_name, [w_args, b_args, {"array": 2 * D}], arrays,
                                   what=f"{self.forward_name}(weights, biases, X) with X of shape {X.T.shape}")
        if value.get("kind") != "array":
            raise ShapeChanged(None, None, f"{self.forward_name} returned {_kind(value)}, expected the output array")
        output = from_orientation(out[value["index"]], "N_o", arch[-1], X.shape[1])
        if output is None:
            raise ShapeChanged(None, None, f"{self.forward_name} returned shape {out[value['index']].shape}, "
                                           f"expected {(X.shape[1], arch[-1])}")
        value, out = self.box.call(None, self.gradients_name, [w_args, b_args, {"array": 2 * D}, {"array": 2 * D + 1}],
                                   arrays, what=f"{self.gradients_name}(weights, biases, X, Y)")
        entries = value.get("entries") if value.get("kind") in ("list", "tuple") else None
        if not entries or len(entries) != 2 or any(e.get("kind") not in ("list", "tuple") for e in entries):
            raise ShapeChanged(None, None, f"{self.gradients_name} returned {_kind(value)}, expected (dW, db): two lists")
        grads = {}
        for kind, entry in zip("Wb", entries):
            layer_params = [p for p in params if p.kind == kind]
            if len(entry["entries"]) != len(layer_params) or any(e.get("kind") != "array" for e in entry["entries"]):
                raise ShapeChanged(None, None, f"{self.gradients_name} returned d{kind} not as {len(layer_params)} arrays")
            for p, e in zip(layer_params, entry["entries"]):
                g = out[e["index"]]
                if g.shape != p.shape:
                    raise ShapeChanged(None, None, f"{self.gradients_name} returned d{kind}[{p.layer - 1}] of shape "
                                                   f"{g.shape}, expected {p.shape}")
                grads[p.key] = g
        return output, grads
