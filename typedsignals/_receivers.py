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
    "ASYNC",
    "REFUSED",
    "AnyType",
    "WeakFunctionRef",
    "WeakMethodRef",
    "describe",
    "make_ref",
    "receiver_verdict",
    "refused",
    "weak_default",
]


class AnyType(enum.Enum):
    """Type of :data:`ANY`; an enum so that type checkers treat it as a single value."""

    ANY = "ANY"

    def __repr__(self) -> str:
        return "ANY"


ANY: Final[Literal[AnyType.ANY]] = AnyType.ANY
"""Sender wildcard: a receiver connected with ``sender=ANY`` hears every sender."""

_VARARGS: Final = inspect.CO_VARARGS


ASYNC: Final = 2
"""Receiver flag: calling the receiver returns an awaitable (a coroutine function)."""
REFUSED: Final = 4
"""Verdict bit: the receiver cannot be called with two positional arguments."""

_verdicts: dict[tuple[Any, int, int], int] = {}
"""Verdicts on functions and bound methods, by (code, bound, number of defaults):
connecting the same function, or many closures made by one ``def``, inspects its code
once."""
plain_verdicts: dict[Any, int] = {}
"""Verdicts on unbound functions without keyword-only parameters by code object alone,
as if they had no defaults: the connect path looks here first. Defaults can only make
a function accept more, so only a verdict with ``REFUSED`` needs a second look."""
_VERDICT_LIMIT: Final = 4096  # bounded: code made at run time must not pile up


def receiver_verdict(signal_name: str, receiver: object) -> int:
    """Check a receiver at connect time and return its verdict (``ASYNC``, ``REFUSED``).

    Raises:
        ReceiverTypeError: ``receiver`` is not callable.
    """
    func: Any = receiver
    bound = 0
    if type(func) is MethodType:
        func = func.__func__
        bound = 1
    if type(func) is FunctionType and not func.__code__.co_kwonlyargcount:
        key = (func.__code__, bound, len(func.__defaults__ or ()))
        verdict = _verdicts.get(key)
        if verdict is None:
            verdict = _function_verdict(func, bound)
            if len(_verdicts) >= _VERDICT_LIMIT:
                _verdicts.clear()
            _verdicts[key] = verdict
        if not bound and func.__defaults__ is None and func.__code__ not in plain_verdicts:
            if len(plain_verdicts) >= _VERDICT_LIMIT:
                plain_verdicts.clear()
            plain_verdicts[func.__code__] = verdict
        return verdict
    if not callable(receiver):
        raise ReceiverTypeError(f"signal {signal_name!r}: receiver {receiver!r} is not callable")
    return _general_verdict(receiver)


def refused(signal_name: str, receiver: object) -> ReceiverTypeError:
    """The error for a receiver whose verdict has ``REFUSED`` on a typed signal."""
    return ReceiverTypeError(
        f"signal {signal_name!r}: receiver {describe(receiver, signature=True)} cannot "
        "be called with (sender, payload); it must accept two positional arguments"
    )


def _function_verdict(func: FunctionType, bound: int) -> int:
    code = func.__code__
    positional = code.co_argcount - bound
    required = positional - len(func.__defaults__ or ())
    takes_two = required <= 2 if code.co_flags & _VARARGS else positional >= 2 and required <= 2
    return (0 if takes_two else REFUSED) | (ASYNC if inspect.iscoroutinefunction(func) else 0)


def _general_verdict(receiver: Any) -> int:
    """Partials, callable objects, builtins, functions with keyword-only parameters."""
    verdict = ASYNC if inspect.iscoroutinefunction(receiver) else 0
    if not inspect.isroutine(receiver) and not isinstance(receiver, functools.partial):
        call = getattr(type(receiver), "__call__", None)  # noqa: B004  # the class's own __call__
        if inspect.iscoroutinefunction(call):
            verdict |= ASYNC
    try:
        signature = inspect.signature(receiver)
    except (TypeError, ValueError):
        return verdict  # builtins without a signature: give them the benefit of the doubt
    try:
        signature.bind(None, None)
    except TypeError:
        verdict |= REFUSED
    return verdict


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

    __slots__ = ("conn",)
    conn: Any
    """The table's connection record using this reference (None once it is dropped)."""


class WeakMethodRef(weakref.WeakMethod):  # type: ignore[type-arg]  # holds any bound method
    """Weak reference to a bound method receiver, alive as long as its instance."""

    __slots__ = ("conn",)
    conn: Any
    """The table's connection record using this reference (None once it is dropped)."""


WEAK_REF_TYPES: Final = (WeakFunctionRef, WeakMethodRef)


def make_ref(
    receiver: Callable[..., Any], callback: Callable[[Any], object] | None
) -> WeakFunctionRef | WeakMethodRef:
    """Weak reference to ``receiver``; bound methods are held on their instance."""
    if type(receiver) is MethodType:
        return WeakMethodRef(receiver, callback)
    return WeakFunctionRef(receiver, callback)


AnyType.__module__ = "typedsignals"  # the public path, for reprs and docs


def weak_default(receiver: object, weak: bool | None) -> bool:
    """The reference policy: bound methods are held weakly on their instance, everything
    else strongly, so that an inline lambda or a partial is never silently dropped."""
    if weak is not None:
        return weak
    # An instance that cannot be weakly referenced (__slots__ without __weakref__) keeps
    # its method strongly held rather than being refused.
    return type(receiver) is MethodType and type(receiver.__self__).__weakrefoffset__ != 0
