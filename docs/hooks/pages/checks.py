"""The "How it is checked" page: which tests belong to which layer, read from tests/ at build time."""

from __future__ import annotations

import ast
from pathlib import Path

from spec import activations, losses

from . import common, derivation, loss_page, vector_activation

ROOT = Path(__file__).resolve().parents[3]

LAYERS = {
    "symbolic": (("tests/spec/test_proofs.py", "tests/spec/test_general.py", "tests/spec/test_activations.py"), lambda name: True),
    "property": (
        ("tests/impl/test_vs_spec.py", "tests/impl/test_vs_spec_activations.py"),
        lambda name: "finite_differences" not in name,
    ),
    "fd": (
        ("tests/impl/test_vs_spec.py", "tests/impl/test_network.py", "tests/impl/test_vs_spec_activations.py"),
        lambda name: "finite_differences" in name or "central_differences" in name or "network_gradients" in name,
    ),
}


def tests_of(layer: str):
    """``(file, test name, first docstring line)`` for the tests of one layer, parsed (not imported)."""
    files, keep = LAYERS[layer]
    found = []
    for filename in files:
        path = ROOT / filename
        if not path.exists():  # a moved test file must not drop its rows from the page silently
            raise FileNotFoundError(f"docs/hooks/pages/checks.py names {filename}, which does not exist")
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_") and keep(node.name):
                doc = (ast.get_docstring(node) or "").strip().splitlines()
                found.append((filename, node.name, doc[0] if doc else ""))
    return found


def _table(layer):
    rows = [(f"`{f}`", f"`{name}`", name.removeprefix("test_").replace("_", " ") if not doc else doc)
            for f, name, doc in tests_of(layer)]
    return common.table(["file", "test", "what it checks"], rows)


def proof_summary():
    """The proofs this site ran while it was built, and their outcome."""
    rows = []
    b = derivation.backprop_proof()
    rows.append(("backprop, 2-2-1, batch of 4, sum", f"{sum(p.ok for p in b.parameters)} of {len(b.parameters)} parameters",
                 f"{sum(p.ok for p in b.instantiation)} of {len(b.instantiation)}"))
    m = loss_page.mean_proof()
    rows.append(("backprop, 2-2-1, batch of 3, mean", f"{sum(p.ok for p in m.parameters)} of {len(m.parameters)} parameters",
                 f"{sum(p.ok for p in m.instantiation)} of {len(m.instantiation)}"))
    c = loss_page.cancellation()
    rows.append(("sigmoid + BCE: δ = a − y", "✓" if c.ok else "✗", c.method))
    # g(a) with f'(z) = g(f(z)) is a question about elementwise activations only
    elementwise = activations.names(elementwise=True)
    with_form = [n for n in elementwise if activations.get(n).output_form is not None]
    rows.append(("output forms", f"{len(with_form)} of {len(elementwise)} elementwise activations have one, each proven",
                 ", ".join(with_form)))
    for name in activations.names(elementwise=False):
        act = activations.get(name)
        proofs = [*act.proofs(vector_activation.N_SHOWN), *act.general_proofs()]
        common.require(proofs, f"{name}'s Jacobian output form")
        compact = vector_activation.compact_form(name)
        what = ("outputs sum to 1, " if act.output_set == "simplex" else "") + "J(z) = G(f(z))"
        rows.append((f"{name}: {what}" + (f", G = {compact[1]}" if compact else ""),
                     f"{sum(p.ok for p in proofs)} of {len(proofs)}, for n = {vector_activation.N_SHOWN} and any n",
                     "; ".join(p.method for p in proofs)))
        for loss in losses.names():
            if not losses.get(loss).accepts(act):
                continue
            gen = loss_page.general_delta(loss, name)
            if gen is not None:
                rows.append((f"{name} + {loss}: δ for every number of units n",
                             f"{sum(p.ok for p in gen.proofs)} of {len(gen.proofs)}",
                             "; ".join(p.method for p in gen.proofs)))
    return common.table(["proof", "result", "detail"], rows) + common.mark(("run at build time", "measured"))


BLOCKS = {
    "tests-symbolic": lambda: _table("symbolic"),
    "tests-property": lambda: _table("property"),
    "tests-fd": lambda: _table("fd"),
    "proof-summary": proof_summary,
}
