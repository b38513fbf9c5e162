"""A narrow fix to Piccolo 1.38, applied when the database module is imported.

`ForeignKey.__getattribute__` asks `name not in dir(self)` on every public attribute access
(to set up lazy references late), and `dir()` builds and sorts a list of some hundred names
each time: with the many foreign-key accesses of building a query, that was about 5% of a
signed-in page's CPU. Here the module's `dir` answers the same membership question from the
instance and class dictionaries, without building the list. Nothing else in that module calls
`dir`. Worth reporting upstream; drop this once Piccolo checks the lazy reference first."""

from __future__ import annotations

from typing import Any

from piccolo.columns import column_types


class _Names:
    """`name in _Names(obj)` is `name in dir(obj)` for objects without a custom `__dir__`."""

    __slots__ = ("_obj",)

    def __init__(self, obj: Any) -> None:
        self._obj = obj

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        if name in object.__getattribute__(self._obj, "__dict__"):
            return True
        return any(name in vars(klass) for klass in type(self._obj).__mro__)


def apply() -> None:
    column_types.dir = _Names  # type: ignore[attr-defined]
