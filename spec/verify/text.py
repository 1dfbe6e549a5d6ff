"""Text that came from the user's code, made safe to show.

Names, exception messages and printed output come from code that may be
hostile: an attribute named ``"W1\\nPASS: ..."``, a message carrying an
escape sequence that moves the cursor up and erases the verdict. Every such
string is escaped with `escape` where it enters the checker (`spec.verify.sandbox`
reads the child's answers through `clean`) and again where the report is
printed (`spec.verify.judge.Report.__str__`): a newline becomes ``\\n``, an
escape character ``\\x1b``, and so on, so the text shows as data and never acts.
In ``--json`` the same strings are data already (JSON escapes them).
"""

from __future__ import annotations

#: Longest string kept from the user's code (longer ones end in ``…``).
MAX_TEXT = 2000


def escape(text: str, limit: int = MAX_TEXT) -> str:
    """``text`` with every character that is not printable (newlines, escapes, ...) written as its escape."""
    text = str(text)
    if len(text) > limit:
        text = text[:limit] + "…"
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def clean(value, depth: int = 0):
    """``value`` (decoded JSON from the child) with every string in it, keys too, passed through `escape`."""
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, list):
        return [clean(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {escape(k) if isinstance(k, str) else k: clean(v, depth + 1) for k, v in value.items()}
    return value
