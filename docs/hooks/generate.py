"""MkDocs hook: replace ``<!-- generated: ... -->`` markers with output computed from ``spec``.

A formula or proof typed by hand can drift from the code; one generated
while the site is built cannot.
"""

from __future__ import annotations

import contextlib
import io
import re

MARKER = re.compile(r"<!-- generated: ([\w-]+) (.*?) -->")


def _prove(sizes, activation, output, loss):
    from spec import cli

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = cli.main(
            ["prove", "--sizes", sizes, "--activation", activation, "--output-activation", output, "--loss", loss]
        )
    if code != 0:
        raise RuntimeError(f"prove {sizes} {activation} {output} {loss} failed while building the docs")
    return "```text\n$ backprop-spec prove --sizes {} --activation {} --output-activation {} --loss {}\n{}```\n".format(
        sizes, activation, output, loss, buffer.getvalue()
    )


def _add_activation(name, expr):
    """What `add-activation` prints and writes for an example, planned without writing anything."""
    from spec import add_activation

    plan = add_activation.plan(name, expr)
    paths = ["spec/added_activations.json", f"impl/added/{name}.py"]
    return (
        f"```text\n$ backprop-spec add-activation {name} '{expr}'\n"
        f"{add_activation.report(plan, paths)}\n```\n\n"
        f"The generated `impl/added/{name}.py`:\n\n```python\n{plan.impl_code}```\n"
    )


GENERATORS = {"prove": _prove, "add-activation": _add_activation}


def on_page_markdown(markdown, page, config, files):
    def replace(match):
        kind, args = match.group(1), match.group(2).split(maxsplit=1 if match.group(1) != "prove" else -1)
        return GENERATORS[kind](*args)

    return MARKER.sub(replace, markdown)
