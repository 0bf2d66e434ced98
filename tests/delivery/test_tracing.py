"""The trace context through deferred delivery: the thread pool and the worker side in process."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from opentelemetry.trace import SpanKind, StatusCode
from otel_spans import Traced, attrs, instrumented, parent_of, span_id, trace_id

from typedsignals import Payload, Signal
from typedsignals.delivery import (
    ContextCarrier,
    DeferredCall,
    RemoteDelivery,
    ThreadPoolDelivery,
    add_carrier,
    carriers,
    current_envelope,
    deliver,
    remove_carrier,
)


class Invoice(Payload):
    number: int


issued = Signal("traced-invoice-issued", Invoice)
archived = Signal("traced-invoice-archived", Invoice)


class Loopback(RemoteDelivery):
    """Publishes by keeping each message; the test delivers it, as a worker would."""

    def __init__(self, extra: Mapping[str, str] | None = None) -> None:
        self.messages: list[str] = []
        self.extra = dict(extra or {})

    def headers(self, call: DeferredCall) -> Mapping[str, str]:
        return self.extra

    def publish(self, call: DeferredCall, message: str) -> str:
        self.messages.append(message)
        return call.id


def archive(sender: object, payload: Invoice) -> int:
    """A deferred receiver that sends in turn."""
    archived.send(sender, number=payload.number)
    return payload.number


def refuse(sender: object, payload: Invoice) -> None:
    raise PermissionError(f"invoice {payload.number} is locked")


def headers_seen(sender: object, payload: Invoice) -> dict[str, str]:
    envelope = current_envelope()
    return {} if envelope is None else envelope.headers


@pytest.fixture
def traced() -> Iterator[Traced]:
    """otel.instrument() on a tracer provider of the test's own, uninstrumented after."""
    with instrumented() as spans:
        yield spans


@pytest.fixture
def pool() -> Iterator[ThreadPoolDelivery]:
    """A one-thread pool, shut down after the test."""
    delivery = ThreadPoolDelivery(max_workers=1)
    yield delivery
    delivery.shutdown(wait=True)


def stand_in_span(traced: Traced) -> Any:
    """The span of the send's call to the deferred receiver's stand-in (the queuing)."""
    (span,) = traced.children(traced.one(f"send {issued.name}"))
    return span


def traceparent(span: Any) -> str:
    """The W3C traceparent header that names ``span`` as the parent, with its flags."""
    return f"00-{trace_id(span):032x}-{span_id(span):016x}-{int(span.context.trace_flags):02x}"


def test_thread_pool_receiver_span_is_a_child_of_the_senders(
    traced: Traced, pool: ThreadPoolDelivery
) -> None:
    """The pool thread's span continues the send's trace, and a send from it nests below."""
    issued.connect(archive, via=pool)
    try:
        with archived.connected_to(headers_seen):
            ((_, future),) = issued.send(None, number=7)
            assert future.result(timeout=10) == 7
    finally:
        issued.disconnect(archive)
    queued = stand_in_span(traced)
    deferred = traced.one(f"{issued.name} -> {__name__}:archive (deferred)")
    assert parent_of(deferred) == span_id(queued)
    assert trace_id(deferred) == trace_id(queued)
    assert deferred.kind is SpanKind.CONSUMER
    assert attrs(deferred)["typedsignals.receiver"] == f"{__name__}:archive"
    assert parent_of(traced.one(f"send {archived.name}")) == span_id(deferred)


def test_thread_pool_failure_is_recorded_on_the_deferred_span(
    traced: Traced, pool: ThreadPoolDelivery
) -> None:
    """A deferred receiver's exception is recorded on its span on the pool thread."""
    issued.connect(refuse, via=pool)
    try:
        ((_, future),) = issued.send(None, number=9)
        with pytest.raises(PermissionError):
            future.result(timeout=10)
    finally:
        issued.disconnect(refuse)
    deferred = traced.one(f"{issued.name} -> {__name__}:refuse (deferred)")
    assert deferred.status.status_code is StatusCode.ERROR
    assert [e.attributes["exception.type"] for e in deferred.events if e.attributes] == [
        "PermissionError"
    ]


def test_remote_message_carries_the_trace_context(traced: Traced) -> None:
    """The message's headers hold the W3C traceparent of the span that queued the call."""
    loop = Loopback(extra={"tenant": "eu"})
    issued.connect(archive, via=loop)
    try:
        issued.send(None, number=1)
    finally:
        issued.disconnect(archive)
    (message,) = loop.messages
    headers = json.loads(message)["headers"]
    assert headers == {"traceparent": traceparent(stand_in_span(traced)), "tenant": "eu"}


def test_worker_span_is_a_child_of_the_senders(traced: Traced) -> None:
    """deliver() on the worker side makes the receiver's span a child of the queuing span."""
    loop = Loopback()
    issued.connect(archive, via=loop)
    try:
        issued.send(None, number=2)
        queued = stand_in_span(traced)
        traced.exporter.clear()  # what follows is the worker's part
        with archived.connected_to(headers_seen):
            assert deliver(loop.messages[0]) == 2
    finally:
        issued.disconnect(archive)
    deferred = traced.one(f"{issued.name} -> {__name__}:archive (deferred)")
    assert parent_of(deferred) == span_id(queued)
    assert trace_id(deferred) == trace_id(queued)
    nested = traced.one(f"send {archived.name}")
    assert parent_of(nested) == span_id(deferred)


def test_untraced_message_has_no_headers_and_starts_no_trace_on_the_worker() -> None:
    """With tracing off, messages carry no trace headers and the worker makes no span."""
    loop = Loopback()
    issued.connect(headers_seen, via=loop)
    try:
        issued.send(None, number=3)
        with instrumented() as traced:  # tracing on in the worker only
            assert deliver(loop.messages[0]) == {}
    finally:
        issued.disconnect(headers_seen)
    assert json.loads(loop.messages[0])["headers"] == {}
    (deferred,) = traced.spans()
    assert deferred.parent is None  # a root: nothing was carried


class Tenant(ContextCarrier):
    """A carrier of our own: the tenant a send was made for, restored where it runs."""

    def __init__(self) -> None:
        self.current = "none"
        self.seen: list[str] = []

    def inject(self, call: DeferredCall) -> Mapping[str, str]:
        return {"tenant": self.current}

    def run(self, headers: Mapping[str, str], signal: Any, receiver: Any, proceed: Any) -> Any:
        self.seen.append(f"{signal.name}:{headers.get('tenant')}")
        return proceed()


def test_a_custom_carrier_runs_on_both_sides(pool: ThreadPoolDelivery) -> None:
    """A ContextCarrier's headers are taken at send time and handed to it where the call runs."""
    tenant = Tenant()
    add_carrier(tenant)
    add_carrier(tenant)
    try:
        assert carriers() == (tenant,)
        issued.connect(headers_seen, via=pool)
        try:
            tenant.current = "eu"
            ((_, future),) = issued.send(None, number=4)
            tenant.current = "us"  # the call already took its headers
            future.result(timeout=10)
        finally:
            issued.disconnect(headers_seen)
    finally:
        remove_carrier(tenant)
    assert carriers() == ()
    assert tenant.seen == [f"{issued.name}:eu"]


def test_add_carrier_rejects_other_objects() -> None:
    """Only ContextCarrier instances can be installed."""
    with pytest.raises(TypeError, match="ContextCarrier"):
        add_carrier(object())  # type: ignore[arg-type]
