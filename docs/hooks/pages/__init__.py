"""Generators for the documentation site, used by ``docs/hooks/generate.py``.

Each module turns objects of ``spec`` (and, for the training pages, runs of
``impl``) into Markdown, LaTeX and PNG images while the site is built.
"""
