"""Receiver references, the ANY sentinel and connect-time receiver checks."""

from __future__ import annotations

import enum
import functools
import inspect
import weakref
from collections.abc import Callable
from types import FunctionType, MethodType
from typing import Any, Final, Literal

from .exceptions import ReceiverTypeError

__all__ = [
    "ANY",
    "AnyType",
    "WeakFunctionRef",
    "WeakMethodRef",
    "check_receiver",
    "describe",
    "make_ref",
]


class AnyType(enum.Enum):
    """Type of :data:`ANY`; an enum so that type checkers treat it as a single value."""

    ANY = "ANY"

    def __repr__(self) -> str:
        return "ANY"


ANY: Final[Literal[AnyType.ANY]] = AnyType.ANY
"""Sender wildcard: a receiver connected with ``sender=ANY`` hears every sender."""

_VARARGS: Final = inspect.CO_VARARGS


@functools.lru_cache(maxsize=4096)
def _code_accepts(code: Any, defaults: int, bound: int, kwonly_required: bool) -> bool:
    # Cached by code object: connecting the same function (or many lambdas from the
    # same line) checks its signature once.
    if kwonly_required:
        return False
    positional = code.co_argcount - bound
    required: int = positional - defaults
    if code.co_flags & _VARARGS:
        return required <= 2
    return bool(positional >= 2 and required <= 2)


def _accepts_two_positional(receiver: Callable[..., Any]) -> bool | None:
    """Return whether ``receiver(sender, payload)`` binds; ``None`` when unknowable."""
    func: Any = receiver
    bound = 0
    if type(func) is MethodType:
        bound = 1
        func = func.__func__
    if type(func) is FunctionType:
        code = func.__code__
        kwdefaults = func.__kwdefaults__ or {}
        kwonly_required = any(
            name not in kwdefaults
            for name in code.co_varnames[
                code.co_argcount : code.co_argcount + code.co_kwonlyargcount
            ]
        )
        return _code_accepts(code, len(func.__defaults__ or ()), bound, kwonly_required)
    try:
        signature = inspect.signature(receiver)
    except (TypeError, ValueError):
        return None  # builtins without a signature: give them the benefit of the doubt
    try:
        signature.bind(None, None)
    except TypeError:
        return False
    return True


def check_receiver(signal_name: str, receiver: object) -> None:
    """Reject a receiver that cannot take ``(sender, payload)`` at connect time."""
    if not callable(receiver):
        raise ReceiverTypeError(f"signal {signal_name!r}: receiver {receiver!r} is not callable")
    if _accepts_two_positional(receiver) is False:
        raise ReceiverTypeError(
            f"signal {signal_name!r}: receiver {describe(receiver, signature=True)} cannot "
            "be called with (sender, payload); it must accept two positional arguments"
        )


def describe(receiver: object, *, signature: bool = False) -> str:
    """Human-readable name of a receiver for error messages and logs."""
    name = getattr(receiver, "__qualname__", None) or getattr(receiver, "__name__", None)
    if name is None:
        return repr(receiver)
    module = getattr(receiver, "__module__", None)
    text = f"{module}.{name}" if module else str(name)
    if signature:
        try:
            text += str(inspect.signature(receiver))  # type: ignore[arg-type]  # callers pass callables
        except (TypeError, ValueError):
            text += "(...)"
    return text


class WeakFunctionRef(weakref.ref):  # type: ignore[type-arg]  # holds any callable
    """Weak reference to a receiver; a distinct type so dispatch can tell it from receivers."""

    __slots__ = ()


class WeakMethodRef(weakref.WeakMethod):  # type: ignore[type-arg]  # holds any bound method
    """Weak reference to a bound method receiver, alive as long as its instance."""

    __slots__ = ()


WEAK_REF_TYPES: Final = (WeakFunctionRef, WeakMethodRef)


def make_ref(
    receiver: Callable[..., Any], callback: Callable[[Any], object] | None
) -> WeakFunctionRef | WeakMethodRef:
    """Weak reference to ``receiver``; bound methods are held on their instance."""
    if type(receiver) is MethodType:
        return WeakMethodRef(receiver, callback)
    return WeakFunctionRef(receiver, callback)


AnyType.__module__ = "typedsignals"  # the public path, for reprs and docs
