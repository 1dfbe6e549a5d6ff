"""One registry type for activations and losses, on both sides (``impl`` and ``spec``).

Standard library only: ``impl`` never imports ``spec``, and ``spec`` uses this
module too, so it holds nothing of NumPy or SymPy.

A `Registry` keeps entries by name in registration order. Its errors start
with the name of what was wrong (the argument ``register`` was given, or the
registry's kind for a lookup), say what was expected and, for an unknown name,
list the registered ones.
"""

from __future__ import annotations

import keyword
from typing import Callable, Generic, Iterable, Iterator, TypeVar

E = TypeVar("E")


class RegistryEntry:
    """Copy and pickle behaviour of an immutable registry entry (an impl `Activation`, a `Loss`).

    Entries are compared by identity (``act is sigmoid``), so copying a network
    shares them instead of duplicating them, and pickling stores the name,
    looked up again with the class's ``lookup`` (a network only ever holds
    registered entries).
    """

    lookup: Callable[[str], object]

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __reduce__(self):
        return (type(self).lookup, (self.name,))


def _a(cls: type) -> str:
    name = cls.__name__
    return f"{'an' if name[0] in 'AEIOU' else 'a'} {name}"


class Registry(Generic[E]):
    """Entries with a ``name`` attribute, by name, in registration order.

    Args:
        kind: What the entries are, for lookup errors: ``"activation"``, ``"loss"``.
        types: The class (or tuple of classes) an entry must be an instance of.
        argument: The name of the register function's argument, for errors about an entry.
        check: Optional ``entry -> None`` raising ValueError (naming ``argument``)
            for an entry that is inconsistent in itself.
    """

    def __init__(self, kind: str, types: type | tuple[type, ...], *, argument: str,
                 check: Callable[[E], None] | None = None):
        self.kind = kind
        self.types = types if isinstance(types, tuple) else (types,)
        self.argument = argument
        self.check = check
        self._entries: dict[str, E] = {}

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}: {', '.join(self._entries)})"

    def register(self, entry: E, *, replace: bool = False) -> E:
        """Add ``entry`` under ``entry.name`` and return it.

        Raises:
            TypeError: ``entry`` is not one of the registry's types.
            ValueError: Its name is not an identifier, is taken (and ``replace``
                is false), or ``check`` refuses it.
        """
        if not isinstance(entry, self.types):
            expected = " or ".join(_a(t) for t in self.types)
            raise TypeError(f"{self.argument}: expected {expected}, got {type(entry).__name__}")
        name = entry.name
        if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
            raise ValueError(f"{self.argument}: the name must be a Python identifier, got {name!r}")
        if self.check is not None:
            self.check(entry)
        if name in self._entries and not replace:
            raise ValueError(f"{self.argument}: the name {name!r} is already registered")
        self._entries[name] = entry
        return entry

    def get(self, name: str) -> E:
        """The entry called ``name``.

        Raises:
            TypeError: ``name`` is not a string.
            ValueError: No entry has that name; the message lists the registered ones.
        """
        if not isinstance(name, str):
            raise TypeError(f"{self.kind}: expected a name (str), got {type(name).__name__}")
        try:
            return self._entries[name]
        except KeyError:
            raise ValueError(
                f"{self.kind}: unknown name {name!r}; expected one of {', '.join(self._entries)}"
            ) from None

    def names(self, **filters) -> tuple[str, ...]:
        """Names of the entries whose attributes equal every given filter (a filter of ``None`` is ignored).

        ``names(elementwise=True)``: the entries with ``entry.elementwise == True``.

        Raises:
            TypeError: An entry has no attribute of a filter's name.
        """
        wanted = {key: value for key, value in filters.items() if value is not None}
        out = []
        for name, entry in self._entries.items():
            for key, value in wanted.items():
                if not hasattr(entry, key):
                    raise TypeError(f"names: no filter {key!r}: the {self.kind} {name!r} has no such attribute")
            if all(getattr(entry, key) == value for key, value in wanted.items()):
                out.append(name)
        return tuple(out)

    def copy(self, only: Iterable[str] | None = None) -> Registry[E]:
        """A new registry of the same kind and rules, holding every entry (or those named in ``only``)."""
        new = Registry(self.kind, self.types, argument=self.argument, check=self.check)
        keep = self._entries if only is None else {name: self.get(name) for name in only}
        new._entries = dict(keep)
        return new

    def __iter__(self) -> Iterator[E]:
        return iter(tuple(self._entries.values()))

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries
