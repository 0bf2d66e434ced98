"""Middleware around sends and receiver calls: the hook that metrics, tracing and slow-
receiver warnings are built on, at no cost while nothing is installed.

A signal composes its chain when its settings change (a middleware installed or removed
for it, its namespace or the process), never inside a send. With an empty chain, sends
take the paths they always took; with one, they go through :func:`deliver`, which calls
each receiver through the chain.

Order: process-wide middleware is outermost, then the namespace's, then the signal's;
within a level, the first installed is the outermost.
"""

from __future__ import annotations

import contextlib
import contextvars
import itertools
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any, Final

from ._table import ASYNC, WEAK, refresh_settings
from .exceptions import add_note

if TYPE_CHECKING:
    from ._signal import ErrorPolicy, Signal

__all__ = [
    "Chain",
    "Middleware",
    "ReceiverCall",
    "SendInfo",
    "chain_for",
    "checked",
    "current_send",
    "deliver",
    "deliver_async",
    "installed",
    "remove",
    "use",
]

_ids: Final = itertools.count(1)
_current: contextvars.ContextVar[SendInfo | None] = contextvars.ContextVar(
    "typedsignals_send", default=None
)
_process: list[Middleware] = []


class SendInfo:
    """One observed send: what a middleware's ``around_send`` and its calls see.

    Attributes:
        signal: The signal sent.
        sender: The sender.
        payload: The validated payload.
        receivers: How many receivers the send calls.
        id: This send's id, unique in the process.
        parent_id: The id of the send whose receiver made this send, or None (context
            variables carry it, across ``await`` too).
    """

    __slots__ = ("id", "parent_id", "payload", "receivers", "sender", "signal")

    def __init__(
        self, signal: Signal[Any, ..., Any], sender: object, payload: object, receivers: int
    ) -> None:
        parent = _current.get()
        self.signal = signal
        self.sender = sender
        self.payload = payload
        self.receivers = receivers
        self.id = next(_ids)
        self.parent_id = None if parent is None else parent.id

    def __repr__(self) -> str:
        return f"<send {self.id} of signal {self.signal.name!r}, parent {self.parent_id}>"


class ReceiverCall:
    """One receiver call of an observed send."""

    __slots__ = ("receiver", "send")

    def __init__(self, send: SendInfo, receiver: Callable[..., Any]) -> None:
        self.send = send
        self.receiver = receiver


class Middleware:
    """A hook around sends and receiver calls; subclass it and override what you need.

    ``before``, ``after`` and ``error`` are called around every receiver call, sync or
    coroutine, with the duration in seconds. ``around_receiver`` and ``around_send`` wrap
    a synchronous call or a whole send: call ``proceed()`` to go on (zero or more times:
    retries), and return what it returns or something else (exception translation);
    ``around_send_async`` wraps a whole ``send_async`` the same way (await ``proceed()``). A
    middleware that raises is a receiver failure for the signal's error policy, with a
    note naming the middleware.
    """

    def before(self, call: ReceiverCall) -> None:
        """Called before each receiver call."""

    def after(self, call: ReceiverCall, result: Any, seconds: float) -> None:
        """Called after a receiver call returned ``result``."""

    def error(self, call: ReceiverCall, exc: BaseException, seconds: float) -> None:
        """Called after a receiver call raised ``exc`` (it propagates afterwards)."""

    def around_receiver(self, call: ReceiverCall, proceed: Callable[[], Any]) -> Any:
        """Wrap one synchronous receiver call; the default calls ``proceed()`` once."""
        return proceed()

    def around_send(self, send: SendInfo, proceed: Callable[[], list[tuple[Any, Any]]]) -> Any:
        """Wrap one send's delivery to its receivers; the default calls ``proceed()``."""
        return proceed()

    async def around_send_async(
        self, send: SendInfo, proceed: Callable[[], Awaitable[list[tuple[Any, Any]]]]
    ) -> Any:
        """Wrap one ``send_async``'s delivery; the default awaits ``proceed()`` once."""
        return await proceed()


def use(middleware: Middleware) -> None:
    """Install ``middleware`` for every signal of the process (outermost level)."""
    _process.append(checked(middleware))
    refresh_settings()


def remove(middleware: Middleware) -> None:
    """Remove a process-wide middleware; removing one not installed does nothing."""
    if middleware in _process:
        _process.remove(middleware)
        refresh_settings()


def installed() -> tuple[Middleware, ...]:
    """The process-wide middleware, outermost first."""
    return tuple(_process)


def current_send() -> SendInfo | None:
    """The observed send whose receiver is running now, if any (for ids in logs)."""
    return _current.get()


class Chain(tuple[Middleware, ...]):
    """A signal's middleware, outermost first, composed when its settings change.

    ``bare`` is true when none of it overrides a hook (:class:`~typedsignals.observe.
    SendIds`, which only asks for ids): sends then set the current send and call the
    receivers as they are, with nothing wrapped around them.
    """

    bare: bool


_HOOKS: Final = (
    "before", "after", "error", "around_receiver", "around_send", "around_send_async"
)  # fmt: skip


def chain_for(own: Iterable[Middleware], namespace: Iterable[Middleware]) -> Chain | None:
    """A signal's chain, outermost first, or None when it is empty (the zero-cost case)."""
    chain = Chain((*_process, *namespace, *own))
    if not chain:
        return None
    chain.bare = all(
        getattr(type(middleware), hook) is getattr(Middleware, hook)
        and hook not in getattr(middleware, "__dict__", ())  # nor set on the instance
        for middleware in chain
        for hook in _HOOKS
    )
    return chain


def checked(middleware: object) -> Middleware:
    if not isinstance(middleware, Middleware):
        raise TypeError(
            f"a middleware must be a typedsignals.observe.Middleware instance, not {middleware!r}"
        )
    return middleware


# -- the observed paths ---------------------------------------------------------------------


class _Observed:
    """A receiver as an observed send calls it: through the chain."""

    __slots__ = ("call", "chain", "receiver")

    def __init__(
        self, receiver: Callable[..., Any], chain: tuple[Middleware, ...], send: SendInfo
    ) -> None:
        self.receiver = receiver
        self.chain = chain
        self.call = ReceiverCall(send, receiver)

    def __call__(self, sender: object, payload: object) -> Any:
        call = self.call

        def innermost() -> Any:
            try:
                return self.receiver(sender, payload)
            except Exception as exc:
                _passing(exc)  # the receiver's own: no middleware around it is to blame
                raise

        proceed = innermost
        for middleware in reversed(self.chain):
            proceed = _around(middleware, call, proceed)
        start = self._before()
        try:
            result = proceed()
        except Exception as exc:
            self._error(exc, start)
            raise
        return self._after(result, start)

    async def call_async(self, sender: object, payload: object) -> Any:
        start = self._before()
        try:
            result = self.receiver(sender, payload)
            if isinstance(result, Awaitable):
                result = await result
        except Exception as exc:
            self._error(exc, start)
            raise
        return self._after(result, start)

    # Each middleware whose ``before`` ran gets exactly one ``after`` or ``error`` for the
    # call, even when another middleware's hook raises: a hook that opens something (a
    # span, a timer) can rely on being told how the call ended.

    def _before(self) -> float:
        """Call every ``before`` hook, outermost first; return the start time."""
        chain = self.chain
        for position, middleware in enumerate(chain):
            try:
                middleware.before(self.call)
            except Exception as exc:
                _note(middleware, "before", exc)
                self._unwind(chain[:position], exc, 0.0)
                raise
        return time.perf_counter()

    def _error(self, exc: Exception, start: float) -> None:
        self._unwind(self.chain, exc, time.perf_counter() - start)

    def _after(self, result: Any, start: float) -> Any:
        seconds = time.perf_counter() - start
        chain = self.chain
        for position in range(len(chain) - 1, -1, -1):
            middleware = chain[position]
            try:
                middleware.after(self.call, result, seconds)
            except Exception as exc:
                _note(middleware, "after", exc)
                self._unwind(chain[:position], exc, seconds)
                raise
        return result

    def _unwind(self, entered: tuple[Middleware, ...], exc: Exception, seconds: float) -> None:
        """Call the ``error`` hooks of ``entered`` (outermost first), innermost first.

        Every hook runs; if one raises, the first such exception is raised once they all
        ran, with ``exc`` as its context.
        """
        failure: Exception | None = None
        for middleware in reversed(entered):
            try:
                middleware.error(self.call, exc, seconds)
            except Exception as raised:
                _note(middleware, "error", raised)
                if failure is None:
                    failure = raised
        if failure is not None:
            failure.__context__ = exc
            raise failure

    def __repr__(self) -> str:
        from ._receivers import describe

        return describe(self.receiver)


def _around(
    middleware: Middleware, call: ReceiverCall, inner: Callable[[], Any]
) -> Callable[[], Any]:
    def proceed() -> Any:
        return _hook(middleware, "around_receiver", middleware.around_receiver, call, inner)

    return proceed


def _hook(middleware: Middleware, name: str, method: Callable[..., Any], *args: Any) -> Any:
    """Call a middleware's hook; an exception it raises gets a note naming it."""
    try:
        return method(*args)
    except Exception as exc:
        _note(middleware, name, exc)
        raise


def _note(middleware: Middleware, name: str, exc: Exception) -> None:
    """Name the middleware in ``exc``, unless a note is there or it only passed through."""
    if not getattr(exc, "_typedsignals_noted", False):
        add_note(exc, f"raised in middleware {type(middleware).__qualname__}.{name}")
        _passing(exc)


def _passing(exc: Exception) -> None:
    """Mark ``exc`` as raised inside what a middleware wraps (a receiver, a send's
    delivery), or noted already: the middleware it passes through is not to blame."""
    with contextlib.suppress(AttributeError):  # exceptions with __slots__
        exc._typedsignals_noted = True  # type: ignore[attr-defined]


def _observed(
    signal: Signal[Any, ..., Any],
    chain: tuple[Middleware, ...],
    send: SendInfo,
    items: tuple[Any, ...],
) -> tuple[_Observed, ...]:
    live = (signal._resolve(item) for item in items)
    return tuple(_Observed(receiver, chain, send) for receiver in live if receiver is not None)


def _unwrap(results: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    return [(getattr(receiver, "receiver", receiver), result) for receiver, result in results]


def deliver(
    signal: Signal[Any, ..., Any],
    chain: Chain,
    sender: object,
    payload: object,
    items: tuple[Any, ...],
    flags: int,
    policy: ErrorPolicy,
) -> list[tuple[Any, Any]]:
    """The synchronous send path of a signal with middleware."""
    if flags & ASYNC:
        signal._reject_async(items)  # names the coroutine receivers, before any call
    send = SendInfo(signal, sender, payload, len(items))
    if chain.bare:  # ids only: no hook to call, nothing to wrap (docs/tracing.md's cost)
        token = _current.set(send)
        try:
            return signal._deliver(sender, payload, items, flags, policy, True)
        finally:
            _current.reset(token)
    wrapped = _observed(signal, chain, send, items)

    def run() -> list[tuple[Any, Any]]:
        token = _current.set(send)
        try:
            return _unwrap(signal._deliver(sender, payload, wrapped, 0, policy, True))
        except Exception as exc:
            _passing(exc)  # the send's own (ReceiverErrors...): not around_send's
            raise
        finally:
            _current.reset(token)

    proceed: Callable[[], Any] = run
    for middleware in reversed(chain):
        proceed = _around_send(middleware, send, proceed)
    result: list[tuple[Any, Any]] = proceed()
    return result


def _around_send(
    middleware: Middleware, send: SendInfo, inner: Callable[[], Any]
) -> Callable[[], Any]:
    def proceed() -> Any:
        return _hook(middleware, "around_send", middleware.around_send, send, inner)

    return proceed


async def deliver_async(
    signal: Signal[Any, ..., Any],
    chain: Chain,
    sender: object,
    payload: object,
    items: tuple[Any, ...],
    flags: int,
    concurrent: bool,
    policy: ErrorPolicy,
) -> list[tuple[Any, Any]]:
    """The asynchronous send path of a signal with middleware (``before``/``after``/
    ``error`` hooks and ``around_send_async``; ``around_receiver`` wraps synchronous
    calls only)."""
    send = SendInfo(signal, sender, payload, len(items))
    if chain.bare:  # ids only, as in deliver()
        token = _current.set(send)
        try:
            return await signal._deliver_async(
                sender, payload, items, flags, concurrent, policy, True
            )
        finally:
            _current.reset(token)
    wrapped = tuple(_AsyncObserved(w) for w in _observed(signal, chain, send, items))

    async def run() -> list[tuple[Any, Any]]:
        token = _current.set(send)
        try:
            results = await signal._deliver_async(
                sender, payload, wrapped, flags & ~WEAK, concurrent, policy, True
            )
        except Exception as exc:
            _passing(exc)  # the send's own: not around_send_async's
            raise
        finally:
            _current.reset(token)
        return _unwrap([(getattr(r, "observed", r), v) for r, v in results])

    proceed: Callable[[], Awaitable[Any]] = run
    for middleware in reversed(chain):
        proceed = _around_send_async(middleware, send, proceed)
    result: list[tuple[Any, Any]] = await proceed()
    return result


def _around_send_async(
    middleware: Middleware, send: SendInfo, inner: Callable[[], Awaitable[Any]]
) -> Callable[[], Awaitable[Any]]:
    async def proceed() -> Any:
        try:
            return await middleware.around_send_async(send, inner)
        except Exception as exc:
            _note(middleware, "around_send_async", exc)
            raise

    return proceed


class _AsyncObserved:
    """An observed receiver of an async send: a coroutine function the send awaits."""

    __slots__ = ("observed", "receiver")

    def __init__(self, observed: _Observed) -> None:
        self.observed = observed
        self.receiver = observed.receiver

    async def __call__(self, sender: object, payload: object) -> Any:
        return await self.observed.call_async(sender, payload)

    def __repr__(self) -> str:
        return repr(self.observed)
