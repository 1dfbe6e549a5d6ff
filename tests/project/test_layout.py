"""The package layout the README describes: layers that import only downward, and no import circle.

Every ``import`` in ``spec/`` and ``impl/`` is read from the syntax tree (those
inside functions too: a late import is still a dependency), and each module is
placed in a layer:

0. ``impl``: NumPy and ``scipy.special`` only, nothing of ``spec``;
1. the mathematics at the top of ``spec/`` (activations, losses, network, proofs, oracle);
2. ``spec.verify`` and ``spec.extend``, which use the mathematics;
3. ``spec.cli``'s shared helpers (defaults, tasks, plots), which nothing in 0-2 needs;
4. the command line itself (``spec.cli.commands``, the package and ``__main__``).

A module may import its own layer or a lower one, never a higher one. The
benchmarks may read the shared helpers but not the command line.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLI_HELPERS = {"spec.cli.defaults", "spec.cli.tasks", "spec.cli.plots"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer(module: str) -> int:
    if module == "impl" or module.startswith("impl."):
        return 0
    if module in CLI_HELPERS:
        return 3
    if module == "spec.cli" or module.startswith("spec.cli."):
        return 4
    if module.startswith(("spec.verify", "spec.extend")):
        return 2
    if module == "spec" or module.startswith("spec."):
        return 1
    raise AssertionError(f"{module} is in no layer")


def project_imports(path: Path, known: set[str]) -> set[str]:
    """The project modules ``path`` imports, resolved to the longest known module name."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    own = module_name(path)
    package = own if path.name == "__init__.py" else own.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            names = [f"{base}.{alias.name}" for alias in node.names] + [base]
        for name in names:
            parts = name.split(".")
            for k in range(len(parts), 0, -1):
                candidate = ".".join(parts[:k])
                if candidate in known:
                    if candidate != own:
                        found.add(candidate)
                    break
    return found


def graph(folders=("spec", "impl")) -> dict[str, set[str]]:
    files = [p for folder in folders for p in (ROOT / folder).rglob("*.py")]
    known = {module_name(p) for p in files}
    return {module_name(p): project_imports(p, known) for p in files}


def test_every_module_imports_only_its_layer_or_below():
    upward = [
        f"{module} (layer {layer(module)}) imports {target} (layer {layer(target)})"
        for module, targets in sorted(graph().items())
        for target in sorted(targets)
        if layer(target) > layer(module)
    ]
    assert not upward, "\n".join(upward)


def test_impl_imports_only_numpy_scipy_special_and_the_standard_library():
    allowed = {"numpy", "scipy", "impl", "__future__"} | set(sys.stdlib_module_names)
    bad = []
    for path in (ROOT / "impl").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in allowed or (top == "scipy" and not name.startswith("scipy.special")):
                    bad.append(f"{path.relative_to(ROOT)}: {name}")
    assert not bad, bad


def test_no_import_circle():
    g = graph()
    circles = []
    state: dict[str, int] = {}  # 1 on the current path, 2 done

    def visit(module, path):
        state[module] = 1
        for target in sorted(g.get(module, ())):
            # a package's __init__ re-exporting its own modules is not a circle through them
            if module and target.startswith(module + "."):
                continue
            if state.get(target) == 1:
                circles.append(" -> ".join(path[path.index(target):] + [target]))
            elif target not in state:
                visit(target, path + [target])
        state[module] = 2

    for module in sorted(g):
        if module not in state:
            visit(module, [module])
    assert not circles, "\n".join(circles)


def test_benchmarks_do_not_import_the_command_line():
    known = set(graph()) | CLI_HELPERS
    bad = [
        f"{p.relative_to(ROOT)} imports {t}"
        for p in (ROOT / "benchmarks").rglob("*.py")
        for t in project_imports(p, known)
        if layer(t) == 4
    ]
    assert not bad, bad


@pytest.mark.parametrize(
    "module, target, expected",
    [("spec.activations", "spec.cli.commands", False), ("spec.verify.judge", "spec.oracle", True),
     ("impl.network", "spec.activations", False), ("spec.cli.commands", "spec.verify.judge", True)],
)
def test_the_layer_rule_itself(module, target, expected):
    """The rule the tests above apply, on known cases (so a broken `layer` cannot pass them all)."""
    assert (layer(target) <= layer(module)) is expected
