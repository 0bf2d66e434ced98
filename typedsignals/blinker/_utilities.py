"""blinker's helper names: :class:`Symbol`, :func:`make_id` and :func:`make_ref`.

They exist so that ``from blinker._utilities import Symbol`` (and the other two) keeps
working when ``blinker`` resolves to :mod:`typedsignals.blinker`. The signals themselves
do not use :func:`make_ref`: connections are held by the shared receiver table.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Hashable
from types import MethodType
from typing import Any, ClassVar, TypeVar

__all__ = ["Symbol", "make_id", "make_ref"]

T = TypeVar("T")


class Symbol:
    """A named constant: every ``Symbol(name)`` call with the same name returns one object.

    Symbols print as their bare name and survive pickling as the same object.

    Example:
        >>> from typedsignals.blinker._utilities import Symbol
        >>> Symbol("ANY") is Symbol("ANY"), Symbol("ANY")
        (True, ANY)
    """

    symbols: ClassVar[dict[str, Symbol]] = {}
    """Every symbol created so far, by name."""

    _lock: ClassVar[threading.Lock] = threading.Lock()
    name: str

    def __new__(cls, name: str) -> Symbol:
        existing = cls.symbols.get(name)
        if existing is not None:
            return existing
        with cls._lock:  # two threads asking for a new name must get one object
            existing = cls.symbols.get(name)
            if existing is None:
                existing = super().__new__(cls)
                existing.name = name
                cls.symbols[name] = existing
            return existing

    def __init__(self, name: str) -> None:
        # Everything happened in __new__; re-assigning keeps the attribute visible to
        # type checkers that read __init__.
        self.name = name

    def __repr__(self) -> str:
        return self.name

    def __getnewargs__(self) -> tuple[str]:
        return (self.name,)

    def __reduce__(self) -> tuple[type[Symbol], tuple[str]]:
        # Unpickling calls Symbol(name), which returns the existing object, under every
        # pickle protocol (protocols 0 and 1 would otherwise build a second object).
        return (Symbol, (self.name,))


def make_id(obj: object) -> Hashable:
    """A stable key for a receiver or sender, as blinker computes it.

    A bound method is keyed by its function and instance, because each attribute access
    creates a new method object with a new ``id()``; ``str`` and ``int`` by value,
    because equal values may be distinct objects; anything else by ``id()``.
    """
    if isinstance(obj, MethodType):
        return id(obj.__func__), id(obj.__self__)
    if isinstance(obj, (str, int)):
        return obj
    return id(obj)


def make_ref(obj: T, callback: Callable[[weakref.ref[T]], Any] | None = None) -> weakref.ref[T]:
    """A weak reference to ``obj``; a bound method is referenced through its instance.

    Raises:
        TypeError: ``obj`` does not support weak references.
    """
    if isinstance(obj, MethodType):
        return weakref.WeakMethod(obj, callback)  # type: ignore[arg-type, return-value]  # T is a bound method here
    return weakref.ref(obj, callback)
