"""OpenTelemetry tracing: a span per send, a child span per receiver call.

:func:`instrument` installs a :class:`TracingMiddleware` for every signal of the process,
and a context carrier that puts the W3C trace context (``traceparent``, ``tracestate``,
through OpenTelemetry's configured propagator) in the headers of deferred calls, so a
receiver run by the thread pool or a Celery worker gets a span that is a child of the
sender's::

    from typedsignals import otel

    otel.instrument()            # the global tracer provider; or tracer_provider=...
    user_registered.send(app, user_id=1, email="a@example.org")
    otel.uninstrument()

Span attributes (all under ``typedsignals.``): ``signal``, ``sender_type``,
``receivers``, ``send_id`` and ``parent_send_id`` on a send's span; ``signal``,
``receiver`` and ``send_id`` on a receiver's. A receiver that raises has the exception
recorded on its span and an error status. See docs/tracing.md.

This module needs OpenTelemetry: ``pip install "typedsignals[otel]"``.
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, Final, TypeVar

from ._require import missing_extra

try:
    from opentelemetry import context as otel_context
    from opentelemetry import propagate, trace
except ModuleNotFoundError as _exc:  # pragma: no cover - tested in a subprocess
    raise missing_extra(
        _exc, "opentelemetry", extra="otel", needed_by=__name__, project="OpenTelemetry"
    ) from None

from . import __version__
from ._observe import Middleware, ReceiverCall, SendInfo, remove, use
from ._receivers import describe
from .delivery._carriers import ContextCarrier, add_carrier, remove_carrier
from .delivery._protocol import receiver_path

if TYPE_CHECKING:
    from ._signal import Signal
    from .delivery._protocol import DeferredCall

__all__ = ["ATTRIBUTE_PREFIX", "TracingMiddleware", "instrument", "instrumented", "uninstrument"]

ATTRIBUTE_PREFIX: Final = "typedsignals."
"""The prefix of every span attribute this module sets."""

_T = TypeVar("_T")
_SIGNAL: Final = ATTRIBUTE_PREFIX + "signal"
_SEND_ID: Final = ATTRIBUTE_PREFIX + "send_id"
_RECEIVER: Final = ATTRIBUTE_PREFIX + "receiver"


def _type_name(value: object) -> str:
    kind = type(value)
    return f"{kind.__module__}.{kind.__qualname__}"


class TracingMiddleware(Middleware):
    """A middleware that makes OpenTelemetry spans for sends and receiver calls.

    Each send (``send``, ``send_payload``, ``send_async``...) gets a span named
    ``"send <signal>"``, a child of the span current where it was sent; each receiver
    call gets a span named ``"<signal> -> <receiver>"``, a child of its send's span, and
    current while the receiver runs, so a send a receiver makes nests under it. Under
    ``send_async`` with concurrent receivers, each receiver's span is current in its own
    task only.

    Args:
        tracer_provider: Where spans go; by default the global tracer provider
            (``opentelemetry.trace.set_tracer_provider``).
    """

    def __init__(self, tracer_provider: trace.TracerProvider | None = None) -> None:
        self.tracer = trace.get_tracer("typedsignals", __version__, tracer_provider)
        self._open: dict[int, tuple[trace.Span, object]] = {}
        """id(receiver call) -> its span and the context token to detach, while it runs."""

    def around_send(self, send: SendInfo, proceed: Callable[[], list[tuple[Any, Any]]]) -> Any:
        """Run the send inside its span."""
        with self.tracer.start_as_current_span(
            f"send {send.signal.name}", attributes=_send_attributes(send)
        ):
            return proceed()

    async def around_send_async(
        self, send: SendInfo, proceed: Callable[[], Awaitable[list[tuple[Any, Any]]]]
    ) -> Any:
        """Run the asynchronous send inside its span."""
        with self.tracer.start_as_current_span(
            f"send {send.signal.name}", attributes=_send_attributes(send)
        ):
            return await proceed()

    # The receiver spans use before/after/error, which run around sync and coroutine
    # receivers alike; each pair runs in one thread and one task, so attaching the span's
    # context in before and detaching it in after/error nests right.

    def before(self, call: ReceiverCall) -> None:
        """Start the receiver's span and make it current."""
        signal = call.send.signal.name
        receiver = describe(call.receiver)
        span = self.tracer.start_span(
            f"{signal} -> {receiver}",
            attributes={_SIGNAL: signal, _RECEIVER: receiver, _SEND_ID: call.send.id},
        )
        token = otel_context.attach(trace.set_span_in_context(span))
        self._open[id(call)] = (span, token)

    def after(self, call: ReceiverCall, result: Any, seconds: float) -> None:
        """End the receiver's span."""
        self._close(call, None)

    def error(self, call: ReceiverCall, exc: BaseException, seconds: float) -> None:
        """Record ``exc`` on the receiver's span, with an error status, and end it."""
        self._close(call, exc)

    def _close(self, call: ReceiverCall, exc: BaseException | None) -> None:
        opened = self._open.pop(id(call), None)
        if opened is None:  # installed while this call was running
            return
        span, token = opened
        if exc is not None:
            span.record_exception(exc)
            span.set_status(trace.Status(trace.StatusCode.ERROR, f"{type(exc).__name__}: {exc}"))
        otel_context.detach(token)  # type: ignore[arg-type]  # the token attach() returned
        span.end()


def _send_attributes(send: SendInfo) -> dict[str, str | int]:
    attributes: dict[str, str | int] = {
        _SIGNAL: send.signal.name,
        ATTRIBUTE_PREFIX + "sender_type": _type_name(send.sender),
        ATTRIBUTE_PREFIX + "receivers": send.receivers,
        _SEND_ID: send.id,
    }
    if send.parent_id is not None:
        attributes[ATTRIBUTE_PREFIX + "parent_send_id"] = send.parent_id
    return attributes


class _TraceCarrier(ContextCarrier):
    """The trace context through deferred delivery: W3C headers out, a child span in."""

    def __init__(self, tracer: trace.Tracer) -> None:
        self.tracer = tracer

    def inject(self, call: DeferredCall) -> Mapping[str, str]:
        headers: dict[str, str] = {}
        propagate.inject(headers)  # the configured propagator: W3C trace context by default
        return headers

    def run(
        self,
        headers: Mapping[str, str],
        signal: Signal[Any, ..., Any],
        receiver: Callable[..., Any],
        proceed: Callable[[], _T],
    ) -> _T:
        path = receiver_path(receiver)
        with self.tracer.start_as_current_span(
            f"{signal.name} -> {path} (deferred)",
            context=propagate.extract(headers),
            kind=trace.SpanKind.CONSUMER,
            attributes={_SIGNAL: signal.name, _RECEIVER: path},
        ):
            return proceed()


_lock = threading.Lock()
_installed: list[tuple[TracingMiddleware, _TraceCarrier | None]] = []


def instrument(
    tracer_provider: trace.TracerProvider | None = None, *, delivery: bool = True
) -> TracingMiddleware:
    """Trace every signal of the process; replaces an earlier :func:`instrument`.

    Args:
        tracer_provider: Where spans go; by default the global tracer provider.
        delivery: Also carry the trace context through deferred delivery (the thread
            pool and Celery), so the deferred receiver's span is a child of the
            sender's. Call ``instrument()`` in the worker process too: there it makes
            the receiver's span from the message's headers.

    Returns:
        The installed middleware.
    """
    middleware = TracingMiddleware(tracer_provider)
    carrier = _TraceCarrier(middleware.tracer) if delivery else None
    with _lock:
        _uninstall()
        use(middleware)
        if carrier is not None:
            add_carrier(carrier)
        _installed.append((middleware, carrier))
    return middleware


def uninstrument() -> None:
    """Stop tracing what :func:`instrument` traced; does nothing when it is off."""
    with _lock:
        _uninstall()


def instrumented() -> bool:
    """Whether :func:`instrument` is in force."""
    return bool(_installed)


def _uninstall() -> None:
    while _installed:
        middleware, carrier = _installed.pop()
        remove(middleware)
        if carrier is not None:
            remove_carrier(carrier)
