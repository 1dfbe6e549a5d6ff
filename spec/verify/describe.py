"""How `verify` read the user's code, in words: the "read the code as:" lines of a report.

Formatting only: `spec.verify.discover` finds what the code is (a `Binding`),
and `describe` says it.
"""

from __future__ import annotations

import numpy as np

from spec.verify import discover
from spec.verify.discover import Binding, _describe_call, path_text


def describe(b: Binding) -> list[str]:
    """How the code was read, one line each (the "read the code as:" part of a report)."""
    arch = b.archs[0]
    params = b.params[arch]
    weights = [p for p in params if p.kind == "W"]
    biases = [p for p in params if p.kind == "b"]
    D = len(weights)
    lines = [f"class {b.cls}, built as {_describe_call(b.cls, b.constructor, arch, 'N')}"]
    orient = "(in, out)" if weights[0].transposed else "(out, in)"
    lines.append(
        f"weights: {', '.join(p.name for p in weights)}, stored {orient}"
        f"; {D} layer{'s' if D > 1 else ''} ({D - 1} hidden)"
    )
    if biases and biases[0].fold:
        lines.append(f"biases: the {biases[0].fold} column of each weight array (inputs with a 1 "
                     f"{'prepended' if biases[0].fold == 'first' else 'appended'})")
    elif biases:
        def shape_of(p):
            if p.shape == ():
                return "a number"
            if len(p.shape) == 1:
                return "(n,)"
            return "(n, 1)" if p.shape[1] == 1 and (p.shape[0] != 1 or p.layer == D) else "(1, n)"

        shapes = {shape_of(p) for p in biases}
        text = ", ".join(p.name if len(shapes) == 1 else f"{p.name} {shape_of(p)}" for p in biases)
        if len(shapes) == 1:
            text += f", shape {shapes.pop()}"
        missing = [l for l in range(1, D + 1) if l not in {p.layer for p in biases}]
        if missing:
            text += f"; no bias in layer {', '.join(map(str, missing))}"
        lines.append(f"biases: {text}")
    else:
        lines.append("biases: none")
    X = "(samples, features)" if b.x_layout == "samples_features" else "(features, samples)"
    if b.x_layout == discover.ONE_SAMPLE:
        lines.append(f"forward: {b.forward}(x) one sample per call, x of shape (features,); the training step is "
                     "called on each sample in turn, after its forward pass")
    elif b.forward_args:
        lines.append(f"forward: {b.forward}(X) with X as {X}")
    else:
        lines.append(f"forward: {b.forward}() on the data given to the constructor, X as {X}")
    if b.output_known[0] == "attr":
        lines.append(f"output: read from {path_text(b.output_known[1])} after {b.forward}")
    args = ", ".join(f"{r.name}={r.role}" if r.role != r.name else r.name for r in b.step_args)
    step = f"{b.step}({args})"
    if b.step_follow:
        step += f", then {b.step_follow}({', '.join(r.name for r in b.step_follow_args)})"
    lines.append(f"training step: {step}" + (" returns the gradients" if b.step_returns_gradients else ""))
    if b.targets == "labels":
        lines.append("targets: integer class labels, shape (samples,) (targets given as arrays of values raised)")
    lr = {
        "argument": f"the learning rate is the argument {next((r.name for r in b.step_args if r.role == 'lr'), '?')}",
        "attribute": f"the learning rate is the attribute {path_text(b.lr_path)} (set by the checker)",
        "constructor": f"the learning rate is the constructor's {next((r.name for r in b.constructor if r.role == 'lr'), '?')}",
        "fixed": "the learning rate is fixed inside the code: the step it takes is measured",
    }[b.lr_via]
    if not b.step_returns_gradients:
        lines.append(lr)
    sizes = ", ".join("-".join(map(str, a)) for a in b.archs)
    lines.append(f"driven at sizes {sizes}")
    if b.dtype != "float64":
        eps = float(np.finfo(np.dtype(b.dtype)).eps)
        lines.append(
            f"parameters in {b.dtype}: each update must match to within {b.dtype}'s rounding, "
            f"8 eps (|before| + |after|) + 32 N eps max|update| per entry with eps = {eps:.2g} and N samples "
            f"(float64 code: a relative 1e-07)"
        )
    for arch_, text, limitation in b.unsupported:
        if limitation:
            lines.append(f"not driven at sizes {'-'.join(map(str, arch_))}: {text}")
    return lines

