"""MkDocs hook: replace ``<!-- generated: ... -->`` markers with output computed from ``spec``.

A formula or proof typed by hand can drift from the code; one generated
while the site is built cannot.
"""

from __future__ import annotations

import contextlib
import io
import re

MARKER = re.compile(r"<!-- generated: (\w+) (.*?) -->")


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


GENERATORS = {"prove": _prove}


def on_page_markdown(markdown, page, config, files):
    def replace(match):
        kind, args = match.group(1), match.group(2).split()
        return GENERATORS[kind](*args)

    return MARKER.sub(replace, markdown)
