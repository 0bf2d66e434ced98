"""The payload base model, and the read-only containers of delivered payloads."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, NoReturn, TypeVar

from pydantic import BaseModel, ConfigDict

from .exceptions import ImmutablePayloadError

__all__ = [
    "EmptyPayload",
    "ImmutablePayloadError",
    "Payload",
    "ReadOnlyDict",
    "ReadOnlyList",
    "ReadOnlySet",
]

_T = TypeVar("_T")
_K = TypeVar("_K")
_V = TypeVar("_V")


class Payload(BaseModel):
    """Base class for signal payloads: a frozen pydantic model that forbids unknown fields.

    ``arbitrary_types_allowed`` is on, so fields may hold objects pydantic knows nothing
    about (a Flask app, a Response); those are checked with ``isinstance`` and delivered
    as the very objects sent. The lists, dicts and sets validation builds reach receivers
    read-only (see :class:`ReadOnlyList`), so one payload can go to many receivers.

    Example:
        >>> class UserRegistered(Payload):
        ...     user_id: int
        ...     email: str
        >>> UserRegistered(user_id="7", email="a@example.org").user_id
        7
    """

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)


class EmptyPayload(Payload):
    """The payload of a signal declared without a model: no fields at all."""


Payload.__module__ = EmptyPayload.__module__ = "typedsignals"  # the public path, for reprs and docs


def _refusing(kind: str, method: str) -> Callable[..., NoReturn]:
    def refuse(
        self: ReadOnlyList[Any] | ReadOnlyDict[Any, Any] | ReadOnlySet[Any],
        *args: Any,
        **kwargs: Any,
    ) -> NoReturn:
        field = getattr(self, "_where", None)  # unset on an instance made by hand
        where = f"the {kind} in field {field}" if field else f"this {kind}"
        raise ImmutablePayloadError(
            f"{kind}.{method}() is not allowed: {where} belongs to a signal payload, and "
            f"payloads are immutable (every receiver gets the same object). Change a copy "
            f"instead: {kind}(...) copies it, payload.model_dump() copies the whole payload."
        )

    refuse.__name__ = refuse.__qualname__ = method
    return refuse


def read_only(cls: type[_T], items: Any, where: str | None) -> _T:
    """A read-only container of class ``cls`` holding ``items``, for the field ``where``."""
    made = cls(items)  # type: ignore[call-arg]  # the three read-only classes take one iterable
    made._where = where  # type: ignore[attr-defined]  # a slot of each of them
    return made


class ReadOnlyList(list[_T]):
    """A list of a signal payload: reads like a list, refuses every change.

    ``list(value)`` or ``value.copy()`` give a mutable copy.
    """

    __slots__ = ("_where",)
    _where: str | None

    append = _refusing("list", "append")
    extend = _refusing("list", "extend")
    insert = _refusing("list", "insert")
    pop = _refusing("list", "pop")
    remove = _refusing("list", "remove")
    clear = _refusing("list", "clear")
    sort = _refusing("list", "sort")
    reverse = _refusing("list", "reverse")
    __setitem__ = _refusing("list", "__setitem__")
    __delitem__ = _refusing("list", "__delitem__")
    __iadd__ = _refusing("list", "__iadd__")
    __imul__ = _refusing("list", "__imul__")

    def __reduce__(self) -> tuple[Any, ...]:
        # The default reduction of a list subclass refills it with extend(), refused here.
        return (read_only, (type(self), list(self), getattr(self, "_where", None)))


class ReadOnlyDict(dict[_K, _V]):
    """A dict of a signal payload: reads like a dict, refuses every change.

    ``dict(value)`` or ``value.copy()`` give a mutable copy.
    """

    __slots__ = ("_where",)
    _where: str | None

    __setitem__ = _refusing("dict", "__setitem__")
    __delitem__ = _refusing("dict", "__delitem__")
    __ior__ = _refusing("dict", "__ior__")
    clear = _refusing("dict", "clear")
    pop = _refusing("dict", "pop")
    popitem = _refusing("dict", "popitem")
    setdefault = _refusing("dict", "setdefault")
    update = _refusing("dict", "update")

    @classmethod
    def fromkeys(cls, iterable: Iterable[Any], value: Any = None, /) -> Any:
        # dict.fromkeys fills the new instance item by item, which would be refused.
        return cls(dict.fromkeys(iterable, value))

    def __reduce__(self) -> tuple[Any, ...]:
        return (read_only, (type(self), dict(self), getattr(self, "_where", None)))


class ReadOnlySet(set[_T]):
    """A set of a signal payload: reads like a set, refuses every change.

    Not a ``frozenset``: pydantic's serializer of a ``set[...]`` field warns about
    one, and the field's annotated type would no longer hold. ``set(value)`` or
    ``value.copy()`` give a mutable copy.
    """

    __slots__ = ("_where",)
    _where: str | None

    add = _refusing("set", "add")
    discard = _refusing("set", "discard")
    remove = _refusing("set", "remove")
    pop = _refusing("set", "pop")
    clear = _refusing("set", "clear")
    update = _refusing("set", "update")
    intersection_update = _refusing("set", "intersection_update")
    difference_update = _refusing("set", "difference_update")
    symmetric_difference_update = _refusing("set", "symmetric_difference_update")
    __ior__ = _refusing("set", "__ior__")
    __iand__ = _refusing("set", "__iand__")
    __isub__ = _refusing("set", "__isub__")
    __ixor__ = _refusing("set", "__ixor__")

    def __repr__(self) -> str:
        return repr(set(self))  # as lists and dicts do: a payload's repr shows {1, 2}

    def __reduce__(self) -> tuple[Any, ...]:
        return (read_only, (type(self), set(self), getattr(self, "_where", None)))
