"""typedsignals.otel: spans per send and per receiver, checked with the SDK's in-memory exporter."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator

import pytest
from opentelemetry.trace import SpanKind, StatusCode
from otel_spans import Traced, attrs, instrumented, parent_of, span_id, trace_id

from typedsignals import Payload, ReceiverErrors, Signal, otel
from typedsignals.observe import SendInfo, current_send


class Order(Payload):
    order_id: int


@pytest.fixture
def traced() -> Iterator[Traced]:
    """otel.instrument() on a tracer provider of the test's own, uninstrumented after."""
    with instrumented() as spans:
        yield spans


placed = Signal("otel-order-placed", Order)
shipped = Signal("otel-order-shipped", Order)


class Shop:
    """A sender of a type of our own."""


def charge(sender: object, payload: Order) -> int:
    return payload.order_id * 10


def ship(sender: object, payload: Order) -> None:
    shipped.send(sender, order_id=payload.order_id)


def refuse(sender: object, payload: Order) -> None:
    raise LookupError(f"no stock for order {payload.order_id}")


def test_send_span_and_receiver_spans(traced: Traced) -> None:
    """A send's span has its signal, sender type, receiver count and id; receivers are children."""
    seen: list[SendInfo | None] = []

    def note(sender: object, payload: Order) -> None:
        seen.append(current_send())

    with placed.connected_to(charge), placed.connected_to(note):
        placed.send(Shop(), order_id=3)
    send = traced.one("send otel-order-placed")
    assert attrs(send) == {
        "typedsignals.signal": "otel-order-placed",
        "typedsignals.sender_type": f"{__name__}.Shop",
        "typedsignals.receivers": 2,
        "typedsignals.send_id": seen[0].id if seen[0] is not None else -1,
    }
    charged = traced.one(f"otel-order-placed -> {__name__}.charge")
    noted = traced.one(
        f"otel-order-placed -> {__name__}.test_send_span_and_receiver_spans.<locals>.note"
    )
    for receiver in (charged, noted):
        assert parent_of(receiver) == span_id(send)
        assert trace_id(receiver) == trace_id(send)
        assert attrs(receiver)["typedsignals.send_id"] == attrs(send)["typedsignals.send_id"]
    assert attrs(charged)["typedsignals.receiver"] == f"{__name__}.charge"
    assert charged.status.status_code is StatusCode.UNSET


def test_send_span_is_a_child_of_the_callers_span(traced: Traced) -> None:
    """A send made inside an application's span is a child of that span."""
    tracer = traced.provider.get_tracer("app")
    with placed.connected_to(charge), tracer.start_as_current_span("request"):
        placed.send(None, order_id=1)
    assert parent_of(traced.one("send otel-order-placed")) == span_id(traced.one("request"))


def test_receiver_exception_is_recorded_with_error_status(traced: Traced) -> None:
    """Under the "log" policy a failing receiver's span records the exception; the send goes on."""
    placed.error_policy = "log"
    try:
        with placed.connected_to(refuse), placed.connected_to(charge):
            placed.send(None, order_id=8)
    finally:
        placed.error_policy = "raise"
    failed = traced.one(f"otel-order-placed -> {__name__}.refuse")
    assert failed.status.status_code is StatusCode.ERROR
    assert failed.status.description == "LookupError: no stock for order 8"
    (event,) = failed.events
    assert event.name == "exception"
    assert event.attributes is not None
    assert event.attributes["exception.type"] == "LookupError"
    assert event.attributes["exception.message"] == "no stock for order 8"
    assert traced.one(f"otel-order-placed -> {__name__}.charge").status.status_code is (
        StatusCode.UNSET
    )
    assert traced.one("send otel-order-placed").status.status_code is StatusCode.UNSET


def test_send_span_records_what_the_send_raises(traced: Traced) -> None:
    """Under the "collect" policy, the send's span records the ReceiverErrors it raises."""
    placed.error_policy = "collect"
    try:
        with placed.connected_to(refuse), pytest.raises(ReceiverErrors):
            placed.send(None, order_id=2)
    finally:
        placed.error_policy = "raise"
    send = traced.one("send otel-order-placed")
    assert send.status.status_code is StatusCode.ERROR
    # The SDK names the type by its qualified path since 1.2x, by its bare name before.
    recorded = [str(e.attributes["exception.type"]) for e in send.events if e.attributes]
    assert [name.rpartition(".")[2] for name in recorded] == ["ReceiverErrors"]


def test_nested_send_nests_under_the_receiver_span(traced: Traced) -> None:
    """A receiver's own send is a child of that receiver's span, and names its parent send."""
    with placed.connected_to(ship), shipped.connected_to(charge):
        placed.send(None, order_id=5)
    outer = traced.one("send otel-order-placed")
    shipping = traced.one(f"otel-order-placed -> {__name__}.ship")
    inner = traced.one("send otel-order-shipped")
    assert parent_of(inner) == span_id(shipping)
    assert parent_of(traced.one(f"otel-order-shipped -> {__name__}.charge")) == span_id(inner)
    assert attrs(inner)["typedsignals.parent_send_id"] == attrs(outer)["typedsignals.send_id"]
    assert "typedsignals.parent_send_id" not in attrs(outer)


async def ship_later(sender: object, payload: Order) -> None:
    await asyncio.sleep(0.01 * (payload.order_id % 3))
    await shipped.send_async(sender, order_id=payload.order_id)


def test_async_send_spans(traced: Traced) -> None:
    """send_async gets a span; a coroutine receiver's span lasts through its awaits and sends."""
    with placed.connected_to(ship_later), shipped.connected_to(charge):
        asyncio.run(placed.send_async(None, order_id=1))
    outer = traced.one("send otel-order-placed")
    receiver = traced.one(f"otel-order-placed -> {__name__}.ship_later")
    inner = traced.one("send otel-order-shipped")
    assert parent_of(receiver) == span_id(outer)
    assert parent_of(inner) == span_id(receiver)
    assert (receiver.end_time or 0) >= (inner.end_time or 0) > 0


def test_concurrent_async_sends_keep_their_own_spans(traced: Traced) -> None:
    """Sends and receivers interleaved by the event loop each nest under their own parent."""

    async def both() -> None:
        await asyncio.gather(*(placed.send_async(None, order_id=n) for n in range(6)))

    with placed.connected_to(ship_later), shipped.connected_to(charge):
        asyncio.run(both())
    by_id = {span_id(span): span for span in traced.spans()}
    inner_sends = traced.named("send otel-order-shipped")
    assert len(inner_sends) == 6
    for inner in inner_sends:
        receiver = by_id[parent_of(inner) or 0]
        outer = by_id[parent_of(receiver) or 0]
        assert outer.name == "send otel-order-placed"
        assert attrs(receiver)["typedsignals.send_id"] == attrs(outer)["typedsignals.send_id"]
        assert attrs(inner)["typedsignals.parent_send_id"] == attrs(outer)["typedsignals.send_id"]


def test_concurrent_receivers_of_one_send_each_get_a_child_span(traced: Traced) -> None:
    """With concurrent=True, each coroutine receiver's nested send nests under that receiver."""

    async def ship_too(sender: object, payload: Order) -> None:
        await asyncio.sleep(0)
        await shipped.send_async(sender, order_id=payload.order_id + 100)

    with (
        placed.connected_to(ship_later),
        placed.connected_to(ship_too),
        shipped.connected_to(charge),
    ):
        asyncio.run(placed.send_async_payload(None, Order(order_id=1), concurrent=True))
    send = traced.one("send otel-order-placed")
    receivers = {span_id(s): s for s in traced.spans() if parent_of(s) == span_id(send)}
    assert len(receivers) == 2
    nested = traced.named("send otel-order-shipped")
    assert sorted(receivers[parent_of(s) or 0].name.rpartition(".")[2] for s in nested) == [
        "ship_later",
        "ship_too",
    ]


def test_uninstrument_stops_the_spans(traced: Traced) -> None:
    """After uninstrument() sends make no spans; instrument() again replaces, never doubles."""
    with placed.connected_to(charge):
        otel.instrument(traced.provider)
        placed.send(None, order_id=1)
        assert len(traced.named("send otel-order-placed")) == 1
        assert otel.instrumented()
        otel.uninstrument()
        placed.send(None, order_id=1)
    assert not otel.instrumented()
    assert len(traced.named("send otel-order-placed")) == 1


def test_middleware_per_signal(traced: Traced) -> None:
    """A TracingMiddleware installed on one signal traces that signal only."""
    otel.uninstrument()
    middleware = otel.TracingMiddleware(traced.provider)
    shipped.use_middleware(middleware)
    try:
        with placed.connected_to(charge), shipped.connected_to(charge):
            placed.send(None, order_id=1)
            shipped.send(None, order_id=1)
    finally:
        shipped.remove_middleware(middleware)
    assert [span.name for span in traced.spans()] == [
        f"otel-order-shipped -> {__name__}.charge",
        "send otel-order-shipped",
    ]
    assert traced.one("send otel-order-shipped").kind is SpanKind.INTERNAL


def run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)


def test_core_does_not_import_opentelemetry() -> None:
    """import typedsignals, its observe and delivery modules leave OpenTelemetry unimported."""
    result = run(
        "import sys, typedsignals, typedsignals.observe, typedsignals.delivery;"
        "print(any(m.startswith('opentelemetry') for m in sys.modules))"
    )
    assert result.stdout.strip() == "False", result.stderr


def test_missing_opentelemetry_names_the_extra() -> None:
    """Without OpenTelemetry, importing typedsignals.otel says which extra installs it."""
    result = run("import sys; sys.modules['opentelemetry'] = None; import typedsignals.otel")
    assert result.returncode != 0
    assert (
        "ModuleNotFoundError: typedsignals.otel needs OpenTelemetry, which is not installed; "
        'install it with: pip install "typedsignals[otel]"'
    ) in result.stderr


def test_flask_request_signals_are_traced(traced: Traced) -> None:
    """Flask's own signals, heard by typed receivers, make spans under the request's span."""
    from flask import Flask

    from typedsignals.flask import request_finished, request_started

    app = Flask("traced-app")
    tracer = traced.provider.get_tracer("app")

    @app.get("/")
    def index() -> str:
        return "ok"

    def on_start(sender: Flask, payload: object) -> None:
        pass

    with (
        request_started.connected_to(on_start),
        request_finished.connected_to(on_start),
        tracer.start_as_current_span("request"),
    ):
        assert app.test_client().get("/").status_code == 200
    request = traced.one("request")
    for name in ("send request-started", "send request-finished"):
        send = traced.one(name)
        assert parent_of(send) == span_id(request)
        assert attrs(send)["typedsignals.sender_type"] == "flask.app.Flask"
        (receiver,) = traced.children(send)
        assert str(attrs(receiver)["typedsignals.receiver"]).endswith("on_start")
