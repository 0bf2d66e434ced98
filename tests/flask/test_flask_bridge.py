"""The bridge between Flask's raw blinker signals and the typed declarations."""

from __future__ import annotations

import asyncio
import functools
import gc
import logging
from typing import Any

import pytest
from blinker import Namespace
from flask import Flask, Response, current_app, g
from flask import signals as raw
from flask.testing import FlaskClient
from markupsafe import Markup

from typedsignals import (
    Payload,
    PayloadError,
    ReceiverErrors,
    SenderTypeError,
    SignalDefinitionError,
)
from typedsignals.flask import (
    AppContextTearingDown,
    BeforeRenderTemplate,
    BridgedSignal,
    BridgeWarning,
    GotRequestException,
    MessageFlashed,
    RequestFinished,
    RequestStarted,
    RequestTearingDown,
    TemplateRendered,
    TypedSignals,
    appcontext_popped,
    appcontext_pushed,
    appcontext_tearing_down,
    before_render_template,
    got_request_exception,
    message_flashed,
    request_finished,
    request_started,
    request_tearing_down,
    template_rendered,
)
from typedsignals.testing import capture


class Counted(Payload):
    """Payload of the private test signals."""

    count: int


def private_signal() -> BridgedSignal[Flask, ..., Counted]:
    """A bridged signal on a raw signal no other test touches."""
    return BridgedSignal(Namespace().signal("counted"), Counted, sender=Flask)


def test_nothing_is_installed_until_a_typed_receiver_connects() -> None:
    """Flask's raw signal has no receiver from typedsignals until someone connects."""
    signal = private_signal()
    assert not signal.is_bridged
    assert not signal.raw.receivers


def test_one_raw_receiver_however_many_typed_receivers() -> None:
    """Connecting several typed receivers installs exactly one raw receiver."""
    signal = private_signal()

    def first(sender: Flask, payload: Counted) -> None: ...
    def second(sender: Flask, payload: Counted) -> None: ...

    with signal.connected_to(first), signal.connected_to(second):
        assert len(signal.raw.receivers) == 1
    assert not signal.is_bridged
    assert not signal.raw.receivers


def test_last_disconnect_uninstalls_the_raw_receiver() -> None:
    """The raw receiver stays while any typed receiver remains, and goes with the last."""
    signal = private_signal()

    def first(sender: Flask, payload: Counted) -> None: ...
    def second(sender: Flask, payload: Counted) -> None: ...

    signal.connect(first)
    signal.connect(second)
    signal.disconnect(first)
    assert signal.is_bridged
    signal.disconnect(second)
    assert not signal.is_bridged


def test_raw_send_reaches_typed_receiver_with_validated_payload(app: Flask) -> None:
    """A raw blinker send is validated into the payload model (lax: "3" becomes 3)."""
    signal = private_signal()
    with capture(signal) as sent:
        signal.raw.send(app, count="3")
    assert sent.assert_sent(app, count=3).payload == Counted(count=3)


def test_typed_send_reaches_raw_receivers_with_validated_kwargs(app: Flask) -> None:
    """Sending through the declaration calls raw blinker receivers with the fields."""
    signal = private_signal()
    heard: list[tuple[object, dict[str, Any]]] = []

    def raw_receiver(sender: object, **kwargs: Any) -> str:
        heard.append((sender, kwargs))
        return "raw"

    signal.raw.connect(raw_receiver)
    try:
        results: list[tuple[object, object]] = list(signal.send(app, count="4"))
    finally:
        signal.raw.disconnect(raw_receiver)
    assert heard == [(app, {"count": 4})]
    assert results == [(raw_receiver, "raw")]


def test_typed_send_calls_typed_receivers_once_alongside_raw_ones(app: Flask) -> None:
    """A typed send calls each typed receiver exactly once, and raw ones too."""
    signal = private_signal()
    calls: list[str] = []

    def typed(sender: Flask, payload: Counted) -> None:
        calls.append(f"typed {payload.count}")

    def raw_receiver(sender: object, **kwargs: Any) -> None:
        calls.append(f"raw {kwargs['count']}")

    signal.raw.connect(raw_receiver)
    try:
        with signal.connected_to(typed):
            signal.send(app, count=1)
    finally:
        signal.raw.disconnect(raw_receiver)
    assert sorted(calls) == ["raw 1", "typed 1"]


def test_typed_send_rejects_bad_payload_before_any_receiver(app: Flask) -> None:
    """A bad typed send raises PayloadError and reaches no raw receiver."""
    signal = private_signal()
    heard: list[object] = []

    def raw_receiver(sender: object, **kwargs: Any) -> None:
        heard.append(kwargs)

    signal.raw.connect(raw_receiver)
    try:
        with pytest.raises(PayloadError, match="count"):
            signal.send(app, count="many")
    finally:
        signal.raw.disconnect(raw_receiver)
    assert heard == []


def test_raw_send_missing_field_names_signal_and_field(app: Flask) -> None:
    """A raw send lacking a declared field raises one PayloadError naming both."""
    signal = private_signal()
    with signal.connected_to(lambda sender, payload: None), pytest.raises(PayloadError) as info:
        signal.raw.send(app, total=3)
    error = info.value
    assert error.signal_name == "counted"
    assert "count" in error.fields
    notes: list[str] = getattr(error, "__notes__", [])
    assert any("raw blinker signal 'counted'" in note for note in notes)


def test_raw_send_with_unknown_kwarg_warns_and_delivers(app: Flask) -> None:
    """An extra raw kwarg (a newer Flask) warns naming signal and field; delivery goes on."""
    signal = private_signal()
    with capture(signal) as sent, pytest.warns(BridgeWarning, match=r"'counted'.*\bcolour\b"):
        signal.raw.send(app, count=2, colour="red")
    sent.assert_sent(app, count=2)


def test_raw_send_from_wrong_sender_type_is_rejected() -> None:
    """A raw send whose sender is not a Flask app raises SenderTypeError."""
    signal = private_signal()
    with (
        signal.connected_to(lambda sender, payload: None),
        pytest.raises(SenderTypeError, match="'counted'"),
    ):
        signal.raw.send("not an app", count=1)


def test_strict_mode_validates_raw_sends_nobody_hears(app: Flask, other_app: Flask) -> None:
    """In strict mode (on under pytest) a raw send is checked even for unheard senders."""
    signal = private_signal()
    with (
        signal.connected_to(lambda sender, payload: None, sender=other_app),
        pytest.raises(PayloadError),
    ):
        signal.raw.send(app, count="many")


def test_sender_filtering_by_app(app: Flask, other_app: Flask) -> None:
    """A receiver connected for one app does not hear another app's sends."""
    with capture(request_started, app) as mine, capture(request_started, other_app) as theirs:
        app.test_client().get("/")
    assert len(mine) == 1
    assert len(theirs) == 0


def test_muted_typed_signal_skips_typed_receivers(client: FlaskClient) -> None:
    """While the typed signal is muted Flask's sends do not reach typed receivers."""
    with capture(request_started) as sent, request_started.muted():
        client.get("/")
    assert len(sent) == 0


def test_bridged_signal_needs_a_name() -> None:
    """A raw signal without a name needs name= on the declaration."""
    from blinker import Signal as RawSignal

    with pytest.raises(SignalDefinitionError, match="name="):
        BridgedSignal(RawSignal(), Counted, sender=Flask)
    assert BridgedSignal(RawSignal(), Counted, sender=Flask, name="anon").raw_name == "anon"


def test_priority_orders_typed_receivers(app: Flask) -> None:
    """Typed receivers on a bridged signal keep the core's priority order."""
    signal = private_signal()
    order: list[str] = []

    def low(sender: Flask, payload: Counted) -> None:
        order.append("low")

    def high(sender: Flask, payload: Counted) -> None:
        order.append("high")

    signal.connect(low)
    signal.connect(high, priority=5)
    try:
        signal.raw.send(app, count=1)
    finally:
        signal.disconnect(low)
        signal.disconnect(high)
    assert order == ["high", "low"]


class Tracker:
    """Receivers as bound methods, held weakly like the tutorial's ActivityLogger."""

    def __init__(self) -> None:
        self.seen: list[int] = []

    def on_counted(self, sender: Flask, payload: Counted) -> None:
        self.seen.append(payload.count)


def test_dead_bound_method_receiver_is_dropped(app: Flask) -> None:
    """A bound-method receiver dies with its object; sends go on without it."""
    signal = private_signal()
    tracker = Tracker()
    signal.connect(tracker.on_counted)
    signal.raw.send(app, count=1)
    assert tracker.seen == [1]
    del tracker
    gc.collect()
    signal.raw.send(app, count=2)
    assert signal.receivers_for(app) == ()


# -- the ten Flask signals, sent by Flask itself ------------------------------------------


def test_template_rendered_payload(client: FlaskClient) -> None:
    """template_rendered carries the jinja Template and the context it rendered with."""
    with capture(template_rendered) as sent:
        client.get("/page/Home")
    payload: TemplateRendered = sent.payloads[0]
    assert payload.template.render(title="x").startswith("<h1>x</h1>")
    assert payload.context["title"] == "Home"


def test_before_render_template_mutation_reaches_the_page(client: FlaskClient) -> None:
    """A before_render_template receiver's change to the context is rendered."""

    def add_note(sender: Flask, payload: BeforeRenderTemplate) -> None:
        payload.context["note"] = "added by a receiver"

    with before_render_template.connected_to(add_note):
        response = client.get("/page/Home")
    assert response.text == "<h1>Home</h1>added by a receiver"


def test_context_is_the_very_dict_flask_renders_with(client: FlaskClient) -> None:
    """Both template signals get the same dict object: it is never copied."""
    with capture(before_render_template) as before, capture(template_rendered) as after:
        client.get("/page/Home")
    assert before.payloads[0].context is after.payloads[0].context


def test_request_started_and_finished(client: FlaskClient, app: Flask) -> None:
    """request_started has no fields; request_finished carries the Response."""
    with capture(request_started, app) as started, capture(request_finished, app) as finished:
        client.get("/")
    assert started.payloads == [RequestStarted()]
    response = finished.payloads[0].response
    assert isinstance(response, Response)
    assert response.status_code == 200


def test_got_request_exception(client: FlaskClient) -> None:
    """got_request_exception carries the exception the view raised."""
    with capture(got_request_exception) as sent, pytest.raises(RuntimeError):
        client.get("/error")
    payload: GotRequestException = sent.payloads[0]
    assert str(payload.exception) == "deliberate error"


def test_request_tearing_down_with_and_without_exception(app: Flask) -> None:
    """request_tearing_down's exc is None after a clean request, else the exception."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = app.test_client()
    with capture(request_tearing_down) as sent:
        client.get("/")
        client.get("/error")
    payloads: list[RequestTearingDown] = sent.payloads
    assert payloads[0].exc is None
    assert isinstance(payloads[1].exc, RuntimeError)  # also when Flask answered 500


def test_appcontext_signals(app: Flask) -> None:
    """Pushing and popping an app context sends pushed, tearing_down and popped."""
    with (
        capture(appcontext_pushed, app) as pushed,
        capture(appcontext_popped, app) as popped,
        capture(appcontext_tearing_down, app) as torn,
        app.app_context(),
    ):
        pass
    assert len(pushed) == len(popped) == 1
    assert torn.payloads == [AppContextTearingDown(exc=None)]


def test_appcontext_tearing_down_with_exception(app: Flask) -> None:
    """appcontext_tearing_down's exc is the exception that left the context."""
    with (
        capture(appcontext_tearing_down, app) as torn,
        pytest.raises(KeyError),
        app.app_context(),
    ):
        raise KeyError("boom")
    assert isinstance(torn.payloads[0].exc, KeyError)


def test_message_flashed(client: FlaskClient) -> None:
    """message_flashed carries the message and its category."""
    with capture(message_flashed) as sent:
        client.get("/flash")
    sent.assert_sent(message="saved", category="info")


def test_flashed_markup_stays_markup(app: Flask) -> None:
    """A Markup message is passed as the same object, not converted to str."""
    message = Markup("<b>saved</b>")
    with capture(message_flashed) as sent, app.test_request_context():
        from flask import flash

        flash(message)
    payload: MessageFlashed = sent.payloads[0]
    assert payload.message is message


def test_typed_declaration_send_reaches_flask_raw_receivers(app: Flask) -> None:
    """Sending flask's signal through the typed declaration reaches raw receivers."""
    heard: list[dict[str, Any]] = []

    def raw_receiver(sender: Flask, **kwargs: Any) -> None:
        heard.append(kwargs)

    response = Response("x")
    raw.request_finished.connect(raw_receiver, app)
    try:
        request_finished.send(app, response=response)
    finally:
        raw.request_finished.disconnect(raw_receiver)
    assert heard == [{"response": response}]


def test_request_finished_rejects_a_non_response(app: Flask) -> None:
    """A raw send of request_finished with a wrong response type is a clear error."""
    with capture(request_finished), pytest.raises(PayloadError, match="response"):
        raw.request_finished.send(app, response="not a response")


# -- coroutine receivers ------------------------------------------------------------------


def test_async_typed_receiver_runs_through_ensure_sync(client: FlaskClient) -> None:
    """An async typed receiver is run by the app's ensure_sync during a real request."""
    seen: list[int] = []

    async def on_finished(sender: Flask, payload: RequestFinished) -> None:
        seen.append(payload.response.status_code)

    with request_finished.connected_to(on_finished):
        client.get("/")
    assert seen == [200]


def test_async_typed_receiver_result_names_the_receiver(app: Flask) -> None:
    """A typed send returns the async receiver itself with its awaited result."""
    signal = private_signal()

    async def double(sender: Flask, payload: Counted) -> int:
        return payload.count * 2

    with signal.connected_to(double):
        assert signal.send(app, count=2) == [(double, 4)]


def test_typed_send_runs_async_raw_receivers_through_ensure_sync(app: Flask) -> None:
    """A typed send calls an async raw blinker receiver like Flask would."""
    signal = private_signal()

    async def raw_receiver(sender: Flask, **kwargs: Any) -> int:
        return int(kwargs["count"]) + 1

    signal.raw.connect(raw_receiver)
    try:
        results: list[tuple[object, object]] = list(signal.send(app, count=1))
        assert results == [(raw_receiver, 2)]
    finally:
        signal.raw.disconnect(raw_receiver)


def test_coroutine_receiver_needs_an_app_sender() -> None:
    """Without ensure_sync on the sender, a sync send to a coroutine receiver is refused."""
    signal = BridgedSignal(Namespace().signal("plain"), Counted, sender=object)

    async def receiver(sender: object, payload: Counted) -> None: ...

    with signal.connected_to(receiver), pytest.raises(RuntimeError, match="send_async"):
        signal.send("someone", count=1)


def test_send_async_awaits_raw_and_typed(app: Flask) -> None:
    """send_async awaits coroutine receivers of both kinds."""
    signal = private_signal()

    async def typed(sender: Flask, payload: Counted) -> str:
        return f"typed {payload.count}"

    async def raw_receiver(sender: Flask, **kwargs: Any) -> str:
        return f"raw {kwargs['count']}"

    signal.raw.connect(raw_receiver)
    try:
        with signal.connected_to(typed):
            results = asyncio.run(signal.send_async(app, count=3))
    finally:
        signal.raw.disconnect(raw_receiver)
    assert sorted(value for _, value in results) == ["raw 3", "typed 3"]


def test_flask_g_is_available_to_typed_receivers(client: FlaskClient) -> None:
    """Receivers run inside Flask's contexts, as the tutorial's ActivityLogger needs."""
    seen: list[str] = []

    def on_started(sender: Flask, payload: RequestStarted) -> None:
        g.marker = "set by receiver"

    def on_finished(sender: Flask, payload: RequestFinished) -> None:
        seen.append(g.marker)

    with request_started.connected_to(on_started), request_finished.connected_to(on_finished):
        client.get("/")
    assert seen == ["set by receiver"]


# -- coroutine callables of every kind ------------------------------------------------------


class AsyncCallable:
    """A receiver object whose ``__call__`` is a coroutine function."""

    def __init__(self, calls: list[str]) -> None:
        self.calls = calls

    async def __call__(self, sender: Flask, payload: Counted) -> str:
        self.calls.append("object")
        return "object"


async def record_async(calls: list[str], sender: Flask, payload: Counted) -> str:
    """A coroutine function; bound to a list with functools.partial below."""
    calls.append("partial")
    return "partial"


def coroutine_receivers(kinds: str, calls: list[str]) -> list[Any]:
    """Coroutine receivers of the given kinds: o(bject), p(artial), f(unction)."""

    async def function(sender: Flask, payload: Counted) -> str:
        calls.append("function")
        return "function"

    made = {"o": AsyncCallable(calls), "p": functools.partial(record_async, calls), "f": function}
    return [made[kind] for kind in kinds]


COROUTINE_KINDS = ["o", "p", "of", "pf", "op", "opf"]
"""Alone and together: async __call__ objects, partials, plain coroutine functions."""


@pytest.mark.parametrize("kinds", COROUTINE_KINDS)
def test_raw_send_awaits_every_kind_of_coroutine_receiver(app: Flask, kinds: str) -> None:
    """A raw send runs every coroutine receiver through ensure_sync, whatever its kind."""
    signal = private_signal()
    calls: list[str] = []
    receivers = coroutine_receivers(kinds, calls)
    for receiver in receivers:
        signal.connect(receiver)
    try:
        signal.raw.send(app, count=1)
    finally:
        for receiver in receivers:
            signal.disconnect(receiver)
    expected = {"o": "object", "p": "partial", "f": "function"}
    assert calls == [expected[kind] for kind in kinds]


@pytest.mark.parametrize("kinds", COROUTINE_KINDS)
def test_typed_send_returns_awaited_results_of_every_kind(app: Flask, kinds: str) -> None:
    """A typed send returns each coroutine receiver with its awaited result."""
    signal = private_signal()
    calls: list[str] = []
    receivers = coroutine_receivers(kinds, calls)
    for receiver in receivers:
        signal.connect(receiver)
    try:
        results = signal.send(app, count=1)
    finally:
        for receiver in receivers:
            signal.disconnect(receiver)
    assert [receiver for receiver, _ in results] == receivers
    assert [value for _, value in results] == calls


def test_typed_send_awaits_an_async_callable_raw_receiver(app: Flask) -> None:
    """A raw blinker receiver with an async __call__ is awaited on a typed send."""
    signal = private_signal()
    calls: list[str] = []

    class RawAsync:
        async def __call__(self, sender: Flask, **kwargs: Any) -> str:
            calls.append("raw")
            return "raw"

    receiver = RawAsync()
    signal.raw.connect(receiver)
    try:
        results: list[tuple[object, object]] = list(signal.send(app, count=1))
    finally:
        signal.raw.disconnect(receiver)
    assert results == [(receiver, "raw")]
    assert calls == ["raw"]


def test_failing_async_callable_is_named_in_the_log(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    """Under "log" a failing async __call__ receiver is logged under its own name."""
    signal = private_signal()

    class Broken:
        async def __call__(self, sender: Flask, payload: Counted) -> None:
            raise RuntimeError("broken receiver")

        def __repr__(self) -> str:
            return "<the Broken receiver>"

    TypedSignals(app, error_policy="log")
    with signal.connected_to(Broken()), caplog.at_level(logging.ERROR):
        signal.raw.send(app, count=1)
    assert "<the Broken receiver>" in caplog.text


def test_collected_failure_names_the_async_callable(app: Flask) -> None:
    """Under "collect" ReceiverErrors lists the async __call__ receiver itself."""
    signal = private_signal()

    class Broken:
        async def __call__(self, sender: Flask, payload: Counted) -> None:
            raise RuntimeError("broken receiver")

    receiver = Broken()
    TypedSignals(app, error_policy="collect")
    with signal.connected_to(receiver), pytest.raises(ReceiverErrors) as info:
        signal.raw.send(app, count=1)
    assert info.value.receivers == (receiver,)


# -- the bridge follows the receivers' lives -------------------------------------------------


def test_bridge_is_uninstalled_when_the_last_weak_receiver_dies() -> None:
    """is_bridged is never stale: once the last weakly held receiver died, it is False."""
    signal = private_signal()
    tracker = Tracker()
    signal.connect(tracker.on_counted)
    assert len(signal.raw.receivers) == 1
    del tracker
    gc.collect()
    assert not signal.is_bridged
    assert not signal.raw.receivers


def test_raw_send_after_the_last_weak_receiver_died_uninstalls_the_bridge(app: Flask) -> None:
    """The first raw send that meets only dead receivers leaves Flask's signal bare."""
    signal = private_signal()
    tracker = Tracker()
    signal.connect(tracker.on_counted)
    del tracker
    gc.collect()
    signal.raw.send(app, count=1)
    assert not signal.raw.receivers


def test_bridge_stays_while_a_strong_receiver_remains() -> None:
    """A dead weak receiver does not uninstall the bridge while another receiver lives."""
    signal = private_signal()
    tracker = Tracker()

    def strong(sender: Flask, payload: Counted) -> None: ...

    signal.connect(tracker.on_counted)
    with signal.connected_to(strong):
        del tracker
        gc.collect()
        assert signal.is_bridged
        assert len(signal.raw.receivers) == 1


# -- declaring module and proxy senders --------------------------------------------------------


def test_bridged_signal_records_the_declaring_module() -> None:
    """Without module=, the declaration records the module that made it."""
    assert private_signal().module == __name__


def test_bridged_signal_keeps_an_explicit_module() -> None:
    """module= overrides the declaring module."""
    signal = BridgedSignal(Namespace().signal("x"), Counted, sender=Flask, module="docs.here")
    assert signal.module == "docs.here"


SENDS = ["send", "send_payload", "send_async", "send_async_payload"]
"""Every way to send a bridged declaration."""


def send_through(signal: BridgedSignal[Flask, ..., Counted], how: str, sender: Any) -> None:
    """Send ``count=1`` from ``sender`` through ``signal`` the way named by ``how``."""
    if how == "send":
        signal.send(sender, count=1)
    elif how == "send_payload":
        signal.send_payload(sender, Counted(count=1))
    elif how == "send_async":
        asyncio.run(signal.send_async(sender, count=1))
    else:
        asyncio.run(signal.send_async_payload(sender, Counted(count=1)))


@pytest.mark.parametrize("how", SENDS)
def test_current_app_proxy_reaches_receivers_of_the_app(app: Flask, how: str) -> None:
    """A send from the current_app proxy is delivered as a send from the app itself."""
    signal = private_signal()
    with capture(signal, app) as sent, app.app_context():
        send_through(signal, how, current_app)
    assert sent.senders == [app]


@pytest.mark.parametrize("how", SENDS)
def test_current_app_proxy_reaches_raw_receivers_of_the_app(app: Flask, how: str) -> None:
    """Raw receivers connected for the app hear a typed send from the proxy, with the app."""
    signal = private_signal()
    senders: list[object] = []

    def raw_receiver(sender: object, **kwargs: Any) -> None:
        senders.append(sender)

    signal.raw.connect(raw_receiver, sender=app)
    try:
        with app.app_context():
            send_through(signal, how, current_app)
    finally:
        signal.raw.disconnect(raw_receiver)
    assert senders == [app]


def test_connect_and_disconnect_through_the_proxy(app: Flask) -> None:
    """Connecting for current_app connects for the app; disconnecting the same way undoes it."""
    signal = private_signal()

    def receiver(sender: Flask, payload: Counted) -> None: ...

    with app.app_context():
        signal.connect(receiver, sender=current_app)
        assert signal.receivers_for(app) == (receiver,)
        signal.disconnect(receiver, sender=current_app)
    assert not signal.is_bridged
