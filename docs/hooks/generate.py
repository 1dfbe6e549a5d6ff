"""MkDocs hook: generate the site's mathematics from ``spec`` while the site is built.

Three things happen here, so that no formula, proof result or measurement
on the site is typed by hand (a typed one can drift; a generated one cannot):

* ``<!-- generated: KIND ARGS -->`` markers in the Markdown pages are replaced
  by what the generator ``KIND`` returns (`on_page_markdown`); ARGS may be
  absent (``<!-- generated: prove-general -->``, the width- and depth-independent
  proof, rendered from ``spec.general``'s steps). The kinds
  ``derivation``, ``losses``, ``training``, ``pitfalls``, ``checks``,
  ``notation``, ``example``, ``figure`` and ``performance`` take a block
  name and live in ``docs/hooks/pages/``.
* One page per registered activation, an index, and every plot are created
  as in-memory files (`on_files`): nothing generated is written into
  ``docs/``, and adding an activation to ``spec.activations`` adds its page.
* The ``Activations`` entry of ``nav`` is expanded into the index and one
  entry per registered activation (`on_config`).

A proof that fails, or a measurement that no longer shows what its page
says, stops the build with an error.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

# MkDocs puts this folder on sys.path only while it loads the hook: import the generators now.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pages import (  # noqa: E402
    activation_pages, checks, common, derivation, general_proof, loss_page, network_figure, notation_page, performance,
    pitfalls, training_page, worked_example,
)

MARKER = re.compile(r"<!-- generated: ([\w-]+)(?: (.*?))? -->")
#: The nav entry whose value is replaced by the generated activation pages.
ACTIVATIONS_NAV = "Activations"


def _prove(sizes, activation, output, loss):
    from spec.cli import commands as cli

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = cli.main(
            ["prove", "--sizes", sizes, "--activation", activation, "--output-activation", output, "--loss", loss]
        )
    if code != 0:
        raise RuntimeError(f"prove {sizes} {activation} {output} {loss} failed while building the docs")
    # the command counts entries from 1, as the site does (docs/proofs.md says so)
    return "```text\n$ .venv/bin/backprop-spec prove --sizes {} --activation {} --output-activation {} --loss {}\n{}```\n".format(
        sizes, activation, output, loss, buffer.getvalue()
    )


def _add_activation(name, expr):
    """What `add-activation` prints and writes for an example, planned without writing anything."""
    from spec.extend import add_activation

    plan = add_activation.plan(name, expr)
    # the reader's folder, not the one of the machine that built the site
    module = f"~/.local/share/backprop-spec/activations/{plan.impl_path.name}"
    paths = ["~/.local/share/backprop-spec/activations/activations.json", module]
    report = add_activation.report(plan, paths).replace(
        add_activation.test_command(name), f"cd PROJECT && .venv/bin/python -m pytest -q -k {name}"
    )
    return (
        f"```text\n$ .venv/bin/backprop-spec add-activation {name} '{expr}'\n"
        f"{report}\n```\n\n"
        f"The entry added to the registry `activations.json` (the expression as SymPy prints it):\n\n"
        f"```json\n{json.dumps(plan.entry, indent=2)}\n```\n\n"
        f"The generated `{plan.impl_path.name}`:\n\n```python\n{plan.impl_code}```\n"
    )


def _verify(target):
    """What `backprop-spec verify` reports for a class of the test gallery (exit code 1 is expected for a bug)."""
    from spec.cli import commands as cli

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
        code = cli.main(["verify", target])
    if code not in (0, 1):
        raise RuntimeError(f"verify {target} could not run while building the docs (exit {code})")
    return f"```text\n$ .venv/bin/backprop-spec verify {target}\n{buffer.getvalue()}```\n"


#: The project's root (docs/hooks/ is two folders down).
ROOT = Path(__file__).resolve().parents[2]


#: Folders whose Python files a page may show (`source`) and run `verify` on.
SOURCE_FOLDERS = ("tests/verify/gallery", "docs/examples")


def _source(path):
    """A file of the verify gallery or of docs/examples/, shown as it is."""
    folders = [(ROOT / folder).resolve() for folder in SOURCE_FOLDERS]
    file = (ROOT / path).resolve()
    if not any(folder in file.parents for folder in folders) or file.suffix != ".py" or not file.is_file():
        raise PluginError(f"<!-- generated: source {path} -->: expected a .py file under {' or '.join(SOURCE_FOLDERS)}/")
    return f"```python\n{file.read_text()}```\n"


def _blocks(kind, table):
    def generate(name):
        if name not in table:
            raise PluginError(f"<!-- generated: {kind} {name} -->: unknown block; known: {', '.join(table)}")
        return table[name]()

    return generate


GENERATORS = {
    "prove": _prove,
    "prove-general": general_proof.render,
    "add-activation": _add_activation,
    "verify": _verify,
    "source": _source,
    "derivation": _blocks("derivation", derivation.BLOCKS),
    "losses": _blocks("losses", loss_page.BLOCKS),
    "training": _blocks("training", training_page.BLOCKS),
    "pitfalls": _blocks("pitfalls", pitfalls.BLOCKS),
    "checks": _blocks("checks", checks.BLOCKS),
    "figure": _blocks("figure", network_figure.BLOCKS),
    "performance": _blocks("performance", performance.BLOCKS),
    "notation": _blocks("notation", notation_page.BLOCKS),
    "example": _blocks("example", worked_example.BLOCKS),
}


def on_config(config):
    """Expand ``- Activations: ...`` in nav into the index and one page per registered activation."""
    nav = config.get("nav")
    for i, entry in enumerate(nav or []):
        if isinstance(entry, dict) and ACTIVATIONS_NAV in entry:
            nav[i] = {ACTIVATIONS_NAV: activation_pages.nav()}
    return config


def on_files(files, config):
    """Leave the hook's own sources out of the site; add the generated pages and pictures."""
    for file in list(files):
        if file.src_uri.startswith("hooks/"):
            files.remove(file)
    try:
        generated = {**activation_pages.files(), **training_page.images(), **performance.images()}
    except common.BuildFailure as err:
        raise PluginError(str(err)) from err
    for src_uri, content in generated.items():
        if files.get_file_from_path(src_uri) is not None:
            raise PluginError(f"{src_uri} is generated while the site is built: remove the file from docs/")
        files.append(File.generated(config, src_uri, content=content))
    return files


def on_page_markdown(markdown, page, config, files):
    def replace(match):
        kind, args = match.group(1), match.group(2)
        if kind not in GENERATORS:
            raise PluginError(f"{page.file.src_uri}: unknown generator {kind!r} in {match.group(0)}")
        args = [] if args is None else args.split() if kind == "prove" else args.split(maxsplit=1)
        try:
            return GENERATORS[kind](*args)
        except common.BuildFailure as err:
            raise PluginError(f"{page.file.src_uri}: {err}") from err

    return MARKER.sub(replace, markdown)
