"""Connecting: the connect API, muting, introspection, meta signals, references, senders."""

from __future__ import annotations

import functools
import gc
import weakref
from collections.abc import Callable
from typing import Any

import pytest

from typedsignals import (
    ANY,
    Payload,
    ReceiverConnected,
    ReceiverDisconnected,
    ReceiverTypeError,
    Signal,
    blinker,
)

ID_REUSE_TRIES = 100_000
"""How many same-class objects to create while hunting for one that reuses a dead id."""


class Event(Payload):
    n: int = 0


class Sender:
    """A sender that supports weak references."""


class SlottedSender:
    """A sender that cannot be weakly referenced; reports its own finalisation."""

    __slots__ = ("finalised",)

    def __init__(self, finalised: list[bool]) -> None:
        self.finalised = finalised

    def __del__(self) -> None:
        self.finalised.append(True)


class Listener:
    """An object whose bound method is a receiver."""

    def __init__(self) -> None:
        self.seen: list[object] = []

    def on_event(self, sender: object, payload: Event) -> str:
        self.seen.append(sender)
        return "listener"


class SlottedListener:
    """An object whose bound method cannot be weakly referenced (no __weakref__ slot)."""

    __slots__ = ("seen",)

    def __init__(self) -> None:
        self.seen: list[object] = []

    def on_event(self, sender: object, payload: Event) -> str:
        self.seen.append(sender)
        return "slotted listener"


class SlottedCallable:
    """A callable receiver that cannot be weakly referenced."""

    __slots__ = ()

    def __call__(self, sender: object, payload: Event) -> str:
        return "slotted callable"


def receiver_a(sender: object, payload: Event) -> str:
    return "a"


def receiver_b(sender: object, payload: Event) -> str:
    return "b"


def three_args(tag: str, sender: object, payload: Event) -> str:
    return tag


@pytest.fixture
def event() -> Signal[object, Any, Event]:
    """A fresh signal carrying Event."""
    return Signal("event", Event)


def called(signal: Signal[Any, Any, Any], sender: object = None) -> list[Any]:
    """The receivers a send from ``sender`` calls, in order."""
    return [receiver for receiver, _ in signal.send(sender)]


def object_reusing_id(factory: Callable[[], object], target: int) -> object | None:
    """Create objects until one gets the id ``target``; None if that never happens."""
    keep = []  # alive, so every new object gets a fresh address
    for _ in range(ID_REUSE_TRIES):
        candidate = factory()
        if id(candidate) == target:
            return candidate
        keep.append(candidate)
    return None


# -- connect, connect_via, connected_to, disconnect ------------------------------------


def test_connect_returns_the_receiver(event: Signal[object, Any, Event]) -> None:
    """connect() returns its receiver unchanged."""
    try:
        assert event.connect(receiver_a) is receiver_a
    finally:
        event.disconnect(receiver_a)


def test_connect_works_as_decorator(event: Signal[object, Any, Event]) -> None:
    """@signal.connect connects the function and leaves the name bound to it."""

    @event.connect
    def on_event(sender: object, payload: Event) -> str:
        return "decorated"

    try:
        assert event.send(None) == [(on_event, "decorated")]
    finally:
        event.disconnect(on_event)


def test_connect_via_connects_for_one_sender(event: Signal[object, Any, Event]) -> None:
    """@signal.connect_via(sender) hears only that sender and returns the function."""

    @event.connect_via("app")
    def on_app(sender: object, payload: Event) -> str:
        return "app"

    try:
        assert callable(on_app)
        assert called(event, "app") == [on_app]
        assert called(event, "other") == []
    finally:
        event.disconnect(on_app)


def test_connect_via_accepts_priority(event: Signal[object, Any, Event]) -> None:
    """connect_via(..., priority=n) orders the receiver like connect(priority=n)."""
    event.connect(receiver_a)
    event.connect_via("app", priority=1)(receiver_b)
    try:
        assert called(event, "app") == [receiver_b, receiver_a]
    finally:
        event.disconnect(receiver_a)
        event.disconnect(receiver_b)


def test_connected_to_connects_only_inside_the_block(event: Signal[object, Any, Event]) -> None:
    """connected_to() connects for the block and disconnects on exit."""
    with event.connected_to(receiver_a) as receiver:
        assert receiver is receiver_a
        assert called(event) == [receiver_a]
    assert called(event) == []


def test_connected_to_filters_by_sender(event: Signal[object, Any, Event]) -> None:
    """connected_to(receiver, sender) hears only that sender."""
    with event.connected_to(receiver_a, "app"):
        assert called(event, "app") == [receiver_a]
        assert called(event, "other") == []


def test_connected_to_disconnects_when_the_block_raises(event: Signal[object, Any, Event]) -> None:
    """connected_to() removes its connection even when the block raises."""
    with pytest.raises(RuntimeError), event.connected_to(receiver_a):
        raise RuntimeError("boom")
    assert not event.has_receivers_for(None)


@pytest.mark.parametrize("sender", [ANY, "app"])
def test_connected_to_keeps_a_connection_that_existed_before(
    event: Signal[object, Any, Event], sender: object
) -> None:
    """connected_to() removes only what it added: an earlier connection stays."""
    event.connect(receiver_a, sender)
    try:
        with event.connected_to(receiver_a, sender):
            assert called(event, "app") == [receiver_a]
        assert called(event, "app") == [receiver_a]
    finally:
        event.disconnect(receiver_a)


def test_connected_to_for_a_sender_keeps_the_any_connection(
    event: Signal[object, Any, Event],
) -> None:
    """connected_to(r, sender) leaves r's own ANY connection in place on exit."""
    event.connect(receiver_a)
    try:
        with event.connected_to(receiver_a, "app"):
            pass
        assert called(event, "app") == [receiver_a]
        assert called(event, "other") == [receiver_a]
    finally:
        event.disconnect(receiver_a)


def test_disconnect_stops_delivery(event: Signal[object, Any, Event]) -> None:
    """After disconnect() the receiver is no longer called."""
    event.connect(receiver_a)
    event.connect(receiver_b)
    event.disconnect(receiver_a)
    try:
        assert called(event) == [receiver_b]
    finally:
        event.disconnect(receiver_b)


def test_disconnect_without_sender_removes_every_connection(
    event: Signal[object, Any, Event],
) -> None:
    """disconnect(receiver) removes its ANY connection and every sender-specific one."""
    anchor = Sender()
    event.connect(receiver_a)
    event.connect(receiver_a, "app")
    event.connect(receiver_a, 7)
    event.connect(receiver_a, anchor)
    event.disconnect(receiver_a)
    assert [event.has_receivers_for(s) for s in (None, "app", 7, anchor)] == [False] * 4


def test_disconnect_with_sender_removes_only_that_connection(
    event: Signal[object, Any, Event],
) -> None:
    """disconnect(receiver, sender) leaves the receiver's other connections alone."""
    event.connect(receiver_a, "app")
    event.connect(receiver_a, "other")
    try:
        event.disconnect(receiver_a, "app")
        assert called(event, "app") == []
        assert called(event, "other") == [receiver_a]
    finally:
        event.disconnect(receiver_a)


def test_disconnect_with_sender_keeps_the_any_connection(
    event: Signal[object, Any, Event],
) -> None:
    """disconnect(receiver, sender) does not remove the receiver's ANY connection."""
    event.connect(receiver_a)
    event.connect(receiver_a, "app")
    try:
        event.disconnect(receiver_a, "app")
        assert receiver_a in event.receivers_for("other")
    finally:
        event.disconnect(receiver_a)


def test_disconnect_of_unconnected_receiver_does_nothing(
    event: Signal[object, Any, Event],
) -> None:
    """Disconnecting a receiver that is not connected is silently ignored."""
    event.disconnect(receiver_a)
    event.disconnect(receiver_a, "app")
    assert not event.has_receivers_for(None)


def test_disconnect_accepts_a_fresh_bound_method(event: Signal[object, Any, Event]) -> None:
    """A bound method is disconnected by a new bound method object of the same method."""
    listener = Listener()
    event.connect(listener.on_event)
    event.disconnect(listener.on_event)
    assert not event.has_receivers_for(None)


def test_duplicate_connect_is_a_no_op(event: Signal[object, Any, Event]) -> None:
    """Connecting the same receiver twice for the same sender calls it once."""
    event.connect(receiver_a)
    event.connect(receiver_a)
    try:
        assert called(event) == [receiver_a]
    finally:
        event.disconnect(receiver_a)


def test_duplicate_connect_keeps_the_original_priority(event: Signal[object, Any, Event]) -> None:
    """A repeated connect with another priority changes nothing."""
    event.connect(receiver_a)
    event.connect(receiver_b)
    event.connect(receiver_b, priority=10)
    try:
        assert called(event) == [receiver_a, receiver_b]
    finally:
        event.disconnect(receiver_a)
        event.disconnect(receiver_b)


def test_duplicate_connect_of_bound_method_is_a_no_op(event: Signal[object, Any, Event]) -> None:
    """Two bound-method objects of the same method and instance count as one receiver."""
    listener = Listener()
    event.connect(listener.on_event)
    event.connect(listener.on_event)
    try:
        event.send("s")
        assert listener.seen == ["s"]
    finally:
        event.disconnect(listener.on_event)


def test_receiver_connected_for_any_and_for_sender_is_called_once(
    event: Signal[object, Any, Event],
) -> None:
    """A receiver connected both for ANY and for a sender is called once per send from it."""
    event.connect(receiver_a)
    event.connect(receiver_a, "app")
    try:
        assert called(event, "app") == [receiver_a]
        assert event.receivers_for("app") == (receiver_a,)
    finally:
        event.disconnect(receiver_a)


# -- muted -----------------------------------------------------------------------------


def test_muted_suppresses_delivery(event: Signal[object, Any, Event]) -> None:
    """Inside muted() a send calls no receiver and returns an empty list."""
    calls: list[object] = []
    with event.connected_to(lambda sender, payload: calls.append(sender)):
        with event.muted():
            assert event.send("s") == []
        event.send("after")
    assert calls == ["after"]


def test_muted_nested_blocks_unmute_only_after_the_outer_exit(
    event: Signal[object, Any, Event],
) -> None:
    """muted() is re-entrant: leaving an inner block does not unmute."""
    states: list[bool] = []
    with event.connected_to(receiver_a):
        with event.muted():
            with event.muted():
                states.append(event.is_muted)
            states.append(event.is_muted)
            muted_results = event.send(None)
        states.append(event.is_muted)
        unmuted_calls = called(event)
    assert states == [True, True, False]
    assert muted_results == []
    assert unmuted_calls == [receiver_a]


def test_muted_unmutes_when_the_block_raises(event: Signal[object, Any, Event]) -> None:
    """muted() unmutes even when its block raises."""
    with pytest.raises(RuntimeError), event.muted():
        raise RuntimeError("boom")
    assert not event.is_muted


def test_muted_is_per_signal(event: Signal[object, Any, Event]) -> None:
    """Muting one signal leaves another one alone."""
    other = Signal("other", Event)
    with other.connected_to(receiver_a), event.muted():
        assert called(other) == [receiver_a]


# -- receivers_for, has_receivers_for ----------------------------------------------------


def test_receivers_for_lists_receivers_in_call_order(event: Signal[object, Any, Event]) -> None:
    """receivers_for(sender) lists the receivers a send from it calls, in call order."""
    event.connect(receiver_a)
    event.connect(receiver_b, "app", priority=1)
    try:
        assert event.receivers_for("app") == (receiver_b, receiver_a)
        assert event.receivers_for("other") == (receiver_a,)
    finally:
        event.disconnect(receiver_a)
        event.disconnect(receiver_b)


def test_receivers_for_omits_dead_weak_receivers(event: Signal[object, Any, Event]) -> None:
    """receivers_for() does not list a weakly held receiver whose owner died."""
    listener = Listener()
    event.connect(listener.on_event)
    event.connect(receiver_a)
    try:
        del listener
        gc.collect()
        assert event.receivers_for(None) == (receiver_a,)
    finally:
        event.disconnect(receiver_a)


def test_has_receivers_for_is_true_for_any_receiver(event: Signal[object, Any, Event]) -> None:
    """A receiver connected for ANY makes has_receivers_for() true for every sender."""
    with event.connected_to(receiver_a):
        assert event.has_receivers_for(None)
        assert event.has_receivers_for("app")
        assert event.has_receivers_for(Sender())


def test_has_receivers_for_sender_specific_receiver(event: Signal[object, Any, Event]) -> None:
    """A receiver connected for one sender counts for that sender only."""
    with event.connected_to(receiver_a, "app"):
        assert event.has_receivers_for("app")
        assert not event.has_receivers_for("other")


def test_has_receivers_for_is_false_after_disconnect(event: Signal[object, Any, Event]) -> None:
    """has_receivers_for() is false as soon as the last receiver is disconnected."""
    event.connect(receiver_a, "app")
    event.disconnect(receiver_a)
    assert not event.has_receivers_for("app")


def test_has_receivers_for_is_false_after_weak_receiver_owner_dies(
    event: Signal[object, Any, Event],
) -> None:
    """has_receivers_for() is false once a weakly held receiver's instance is collected."""
    listener = Listener()
    event.connect(listener.on_event)
    assert event.has_receivers_for(None)
    del listener
    gc.collect()
    assert not event.has_receivers_for(None)


# -- meta signals ------------------------------------------------------------------------


def test_meta_signals_are_per_signal_attributes(event: Signal[object, Any, Event]) -> None:
    """Each signal has its own receiver_connected and receiver_disconnected signals."""
    other = Signal("other", Event)
    assert event.receiver_connected is event.receiver_connected
    assert event.receiver_connected is not other.receiver_connected
    assert event.receiver_disconnected is not other.receiver_disconnected
    assert event.receiver_connected.payload_model is ReceiverConnected
    assert event.receiver_disconnected.payload_model is ReceiverDisconnected


@pytest.mark.parametrize(
    ("make_receiver", "sender", "weak"),
    [
        pytest.param(lambda listener: receiver_a, ANY, False, id="function-any"),
        pytest.param(lambda listener: receiver_a, "app", False, id="function-sender"),
        pytest.param(lambda listener: listener.on_event, ANY, True, id="bound-method"),
    ],
)
def test_receiver_connected_announces_receiver_sender_and_weak(
    event: Signal[object, Any, Event],
    make_receiver: Callable[[Listener], Callable[..., Any]],
    sender: object,
    weak: bool,
) -> None:
    """receiver_connected is sent by the signal with the receiver, sender and weak flag."""
    listener = Listener()
    receiver = make_receiver(listener)
    seen: list[tuple[object, ReceiverConnected]] = []
    with event.receiver_connected.connected_to(lambda s, p: seen.append((s, p))):
        event.connect(receiver, sender)
        event.disconnect(receiver)
    [(meta_sender, payload)] = seen
    assert meta_sender is event
    assert payload.receiver == receiver
    assert payload.sender == sender
    assert payload.weak is weak


def test_receiver_connected_is_not_sent_for_duplicate_connect(
    event: Signal[object, Any, Event],
) -> None:
    """A duplicate connect changes nothing, so it announces nothing."""
    seen: list[object] = []
    event.connect(receiver_a)
    try:
        with event.receiver_connected.connected_to(lambda s, p: seen.append(p)):
            event.connect(receiver_a)
    finally:
        event.disconnect(receiver_a)
    assert seen == []


@pytest.mark.parametrize("sender", [ANY, "app"])
def test_receiver_disconnected_announces_receiver_and_sender(
    event: Signal[object, Any, Event], sender: object
) -> None:
    """receiver_disconnected is sent by the signal with the receiver and the sender."""
    seen: list[tuple[object, ReceiverDisconnected]] = []
    event.connect(receiver_a, sender)
    with event.receiver_disconnected.connected_to(lambda s, p: seen.append((s, p))):
        event.disconnect(receiver_a, sender)
    [(meta_sender, payload)] = seen
    assert meta_sender is event
    assert payload.receiver is receiver_a
    assert payload.sender == sender


def test_receiver_disconnected_is_not_sent_for_unconnected_receiver(
    event: Signal[object, Any, Event],
) -> None:
    """Disconnecting a receiver that is not connected announces nothing."""
    seen: list[object] = []
    with event.receiver_disconnected.connected_to(lambda s, p: seen.append(p)):
        event.disconnect(receiver_a)
    assert seen == []


def test_connected_to_announces_connect_and_disconnect(event: Signal[object, Any, Event]) -> None:
    """connected_to() sends both meta signals, around its block."""
    seen: list[str] = []
    with (
        event.receiver_connected.connected_to(lambda s, p: seen.append("connected")),
        event.receiver_disconnected.connected_to(lambda s, p: seen.append("disconnected")),
        event.connected_to(receiver_a),
    ):
        seen.append("inside")
    assert seen == ["connected", "inside", "disconnected"]


# -- reference policy --------------------------------------------------------------------


def test_bound_method_is_held_weakly_on_its_instance(event: Signal[object, Any, Event]) -> None:
    """A connected bound method does not keep its instance alive."""
    listener = Listener()
    alive = weakref.ref(listener)
    event.connect(listener.on_event)
    del listener
    gc.collect()
    assert alive() is None
    assert event.send(None) == []


def test_bound_method_receives_while_its_instance_lives(
    event: Signal[object, Any, Event],
) -> None:
    """A weakly held bound method is called as long as its instance is alive."""
    listener = Listener()
    event.connect(listener.on_event)
    try:
        gc.collect()
        event.send("s")
        assert listener.seen == ["s"]
    finally:
        event.disconnect(listener.on_event)


def test_inline_lambda_is_never_dropped(event: Signal[object, Any, Event]) -> None:
    """A lambda connected inline (no other reference) keeps receiving."""
    seen: list[object] = []
    event.connect(lambda sender, payload: seen.append(sender))
    try:
        gc.collect()
        event.send("s")
        assert seen == ["s"]
    finally:
        for receiver in event.receivers_for(None):
            event.disconnect(receiver)


def test_local_function_is_held_strongly(event: Signal[object, Any, Event]) -> None:
    """A plain function whose last other reference is deleted keeps receiving."""
    seen: list[object] = []

    def on_event(sender: object, payload: Event) -> None:
        seen.append(sender)

    event.connect(on_event)
    alive = weakref.ref(on_event)
    del on_event
    gc.collect()
    try:
        event.send("s")
        assert seen == ["s"]
    finally:
        event.disconnect(alive())  # type: ignore[arg-type]  # alive: held by the signal


def test_partial_is_held_strongly(event: Signal[object, Any, Event]) -> None:
    """A functools.partial connected inline keeps receiving."""
    event.connect(functools.partial(three_args, "partial"))
    try:
        gc.collect()
        assert [result for _, result in event.send(None)] == ["partial"]
    finally:
        for receiver in event.receivers_for(None):
            event.disconnect(receiver)


def test_weak_true_drops_a_function_when_it_dies(event: Signal[object, Any, Event]) -> None:
    """weak=True holds even a plain function weakly."""

    def on_event(sender: object, payload: Event) -> None:
        raise AssertionError("a dead receiver was called")

    event.connect(on_event, weak=True)
    assert event.has_receivers_for(None)
    del on_event
    gc.collect()
    assert not event.has_receivers_for(None)
    assert event.send(None) == []


def test_weak_true_drops_an_inline_lambda(event: Signal[object, Any, Event]) -> None:
    """weak=True on an inline lambda drops it at once (the caller asked for it)."""
    event.connect(lambda sender, payload: None, weak=True)
    gc.collect()
    assert event.receivers_for(None) == ()


def test_weak_false_keeps_the_instance_of_a_bound_method_alive(
    event: Signal[object, Any, Event],
) -> None:
    """weak=False holds a bound method, and so its instance, strongly."""
    listener = Listener()
    alive = weakref.ref(listener)
    event.connect(listener.on_event, weak=False)
    del listener
    gc.collect()
    instance = alive()
    assert instance is not None
    event.send("s")
    assert instance.seen == ["s"]
    event.disconnect(instance.on_event)
    del instance
    gc.collect()
    assert alive() is None


@pytest.mark.parametrize(
    "receiver",
    [
        pytest.param(SlottedCallable(), id="slotted-callable"),
        pytest.param(SlottedListener().on_event, id="method-of-slotted-instance"),
    ],
)
def test_weak_true_on_unweakrefable_receiver_raises(
    event: Signal[object, Any, Event], receiver: Callable[..., Any]
) -> None:
    """weak=True on a receiver that cannot be weakly referenced raises ReceiverTypeError."""
    with pytest.raises(ReceiverTypeError, match="event") as info:
        event.connect(receiver, weak=True)
    assert "weak" in str(info.value)
    assert not event.has_receivers_for(None)


def test_bound_method_of_unweakrefable_instance_connects_by_default(
    event: Signal[object, Any, Event],
) -> None:
    """Without weak=, a bound method of an instance without __weakref__ still connects."""
    listener = SlottedListener()
    event.connect(listener.on_event)
    try:
        event.send("s")
        assert listener.seen == ["s"]
    finally:
        event.disconnect(listener.on_event)


def test_weak_false_on_unweakrefable_receiver_connects(event: Signal[object, Any, Event]) -> None:
    """A receiver that cannot be weakly referenced connects with weak=False."""
    listener = SlottedListener()
    event.connect(listener.on_event, weak=False)
    try:
        event.send("s")
        assert listener.seen == ["s"]
    finally:
        event.disconnect(listener.on_event)


# -- sender filtering ----------------------------------------------------------------------


def test_sender_is_matched_by_identity_not_equality(event: Signal[object, Any, Event]) -> None:
    """A receiver for one object does not hear an equal but distinct object."""
    mine, equal = [1, 2], [1, 2]
    with event.connected_to(receiver_a, mine):
        assert called(event, mine) == [receiver_a]
        assert called(event, equal) == []


@pytest.mark.parametrize(
    ("connected", "sent"),
    [
        pytest.param("app", "".join(["a", "p", "p"]), id="str"),
        pytest.param(10**20, int("1" + "0" * 20), id="int"),
    ],
)
def test_str_and_int_senders_are_matched_by_value(
    event: Signal[object, Any, Event], connected: object, sent: object
) -> None:
    """str and int senders match by value, even when they are distinct objects."""
    assert connected is not sent
    with event.connected_to(receiver_a, connected):
        assert called(event, sent) == [receiver_a]


def test_sender_specific_receiver_does_not_hear_other_senders(
    event: Signal[object, Any, Event],
) -> None:
    """A receiver connected for one sender is not called for another one."""
    with event.connected_to(receiver_a, Sender()):
        assert called(event, Sender()) == []
        assert called(event, None) == []


def test_sender_is_held_weakly(event: Signal[object, Any, Event]) -> None:
    """Connecting for a weakly referenceable sender does not keep the sender alive."""
    sender = Sender()
    alive = weakref.ref(sender)
    event.connect(receiver_a, sender)
    try:
        del sender
        gc.collect()
        assert alive() is None
    finally:
        event.disconnect(receiver_a)


def stranger_with_id(
    factory: Callable[[], object], target: int, monkeypatch: pytest.MonkeyPatch, simulate: bool
) -> object:
    """A live object that the receiver table sees with the id ``target``.

    Preferably one the allocator really put at the dead object's address; when it never
    does (or with ``simulate``), a fresh object whose id() the table is made to see as
    ``target``, so the identity check is exercised either way.
    """
    if not simulate:
        found = object_reusing_id(factory, target)
        if found is not None:
            return found
    from typedsignals import _table  # the module whose id() lookups route senders

    stranger = factory()
    real_id = id
    monkeypatch.setattr(
        _table, "id", lambda obj: target if obj is stranger else real_id(obj), raising=False
    )
    return stranger


@pytest.mark.parametrize("simulate", [False, True], ids=["real-reuse", "simulated-reuse"])
def test_dead_sender_id_reused_gets_no_delivery(
    event: Signal[object, Any, Event], monkeypatch: pytest.MonkeyPatch, simulate: bool
) -> None:
    """A new object that reuses a dead sender's id does not get the dead sender's receivers."""
    sender = Sender()
    target = id(sender)
    event.connect(receiver_a, sender)
    try:
        del sender
        gc.collect()
        stranger = stranger_with_id(Sender, target, monkeypatch, simulate)
        assert called(event, stranger) == []
        assert event.receivers_for(stranger) == ()
        assert not event.has_receivers_for(stranger)
    finally:
        event.disconnect(receiver_a)


@pytest.mark.parametrize("simulate", [False, True], ids=["real-reuse", "simulated-reuse"])
def test_connect_for_a_stranger_reusing_a_dead_sender_id_starts_fresh(
    event: Signal[object, Any, Event], monkeypatch: pytest.MonkeyPatch, simulate: bool
) -> None:
    """Connecting for an object that reuses a dead sender's id gives it only its own receivers."""
    sender = Sender()
    target = id(sender)
    event.connect(receiver_a, sender)
    try:
        del sender
        gc.collect()
        stranger = stranger_with_id(Sender, target, monkeypatch, simulate)
        event.connect(receiver_b, stranger)
        assert called(event, stranger) == [receiver_b]
    finally:
        event.disconnect(receiver_a)
        event.disconnect(receiver_b)


def test_unweakrefable_sender_is_kept_alive_while_connected(
    event: Signal[object, Any, Event],
) -> None:
    """A sender without weak reference support is held while it has connections."""
    finalised: list[bool] = []
    sender = SlottedSender(finalised)
    target = id(sender)
    event.connect(receiver_a, sender)
    try:
        del sender
        gc.collect()
        assert finalised == []
        newcomers = [SlottedSender([]) for _ in range(1000)]  # kept alive: all distinct ids
        assert target not in {id(newcomer) for newcomer in newcomers}
        assert all(called(event, newcomer) == [] for newcomer in newcomers)
    finally:
        event.disconnect(receiver_a)
    gc.collect()
    assert finalised == [True]


@pytest.mark.parametrize("simulate", [False, True], ids=["real-reuse", "simulated-reuse"])
def test_unweakrefable_sender_route_is_gone_after_disconnect(
    event: Signal[object, Any, Event], monkeypatch: pytest.MonkeyPatch, simulate: bool
) -> None:
    """Once its connection is removed, an unweakrefable sender is released and its id,
    reused by a new object, routes nothing."""
    finalised: list[bool] = []
    sender = SlottedSender(finalised)
    target = id(sender)
    event.connect(receiver_a, sender)
    event.connect(receiver_a, "keep")  # the receiver stays connected for another sender
    try:
        event.disconnect(receiver_a, sender)
        del sender
        gc.collect()
        assert finalised == [True]
        stranger = stranger_with_id(lambda: SlottedSender([]), target, monkeypatch, simulate)
        assert called(event, stranger) == []
        assert not event.has_receivers_for(stranger)
    finally:
        event.disconnect(receiver_a)


def test_connect_for_none_sender_hears_only_none(event: Signal[object, Any, Event]) -> None:
    """sender=None is a sender like any other, not a wildcard."""
    with event.connected_to(receiver_a, None):
        assert called(event, None) == [receiver_a]
        assert called(event, "app") == []


# -- the fast paths of connect and disconnect -------------------------------------------
# connect appends to ANY's tuples and caches receiver checks by code object; disconnect
# of an ANY connection patches the tuples in place. These pin what they must preserve.


def test_verdict_cached_without_defaults_is_revised_for_a_function_with_defaults() -> None:
    """A verdict cached by code object ignores defaults; defaults that make a function
    callable as (sender, payload) are still honoured."""

    def needs_three(sender: object, payload: Event, extra: int) -> int:
        return extra

    compat = blinker.Signal()
    compat.connect(needs_three, weak=False)  # caches the verdict for its code: refused
    typed = Signal("event", Event)
    with pytest.raises(ReceiverTypeError, match="cannot be called with"):
        typed.connect(needs_three)
    needs_three.__defaults__ = (7,)
    typed.connect(needs_three)
    assert typed.send(None) == [(needs_three, 7)]
    compat.disconnect(needs_three)


def test_disconnect_from_the_middle_keeps_the_order_of_the_others(
    event: Signal[object, Any, Event],
) -> None:
    receivers = [make_receiver(i) for i in range(5)]
    for receiver in receivers:
        event.connect(receiver)
    event.disconnect(receivers[2])
    event.disconnect(receivers[0])
    assert [result for _, result in event.send(None)] == [1, 3, 4]
    event.disconnect(receivers[4])
    assert [result for _, result in event.send(None)] == [1, 3]
    for receiver in receivers:
        event.disconnect(receiver)


def test_disconnect_of_the_last_async_receiver_makes_send_sync_again(
    event: Signal[object, Any, Event],
) -> None:
    async def on_event(sender: object, payload: Event) -> None:
        return None

    event.connect(receiver_a)
    event.connect(on_event)
    with pytest.raises(ReceiverTypeError):
        event.send(None)
    event.disconnect(on_event)
    assert event.send(None) == [(receiver_a, "a")]
    event.disconnect(receiver_a)


def test_disconnect_of_a_weak_receiver_leaves_the_strong_ones(
    event: Signal[object, Any, Event],
) -> None:
    listener = Listener()
    event.connect(receiver_a)
    event.connect(listener.on_event)  # weak by default
    event.connect(receiver_b)
    event.disconnect(listener.on_event)
    assert called(event) == [receiver_a, receiver_b]
    assert event.connection_count() == 2
    event.disconnect(receiver_a)
    event.disconnect(receiver_b)


def test_connect_with_priority_after_appends_inserts_in_order(
    event: Signal[object, Any, Event],
) -> None:
    low, mid, high, mid2 = (make_receiver(i) for i in range(4))
    event.connect(low, priority=-1)
    event.connect(mid)
    event.connect(high, priority=5)
    event.connect(mid2)
    assert [result for _, result in event.send(None)] == [2, 1, 3, 0]
    for receiver in (low, mid, high, mid2):
        event.disconnect(receiver)


def test_signal_without_meta_receivers_never_creates_meta_signals(
    event: Signal[object, Any, Event],
) -> None:
    event.connect(receiver_a)
    event.disconnect(receiver_a)
    assert event._meta_connected is None
    assert event._meta_disconnected is None


def make_receiver(value: int) -> Callable[[object, Event], int]:
    def receiver(sender: object, payload: Event) -> int:
        return value

    return receiver


def test_connections_lists_every_live_connection_in_call_order() -> None:
    """connections(): ANY first, then per sender, each in call order, with priority and weakness."""
    from typedsignals import ANY, ConnectionInfo, Signal

    ping = Signal("connections-listed")

    class Holder:
        def method(self, sender: object, payload: object) -> None: ...

    holder = Holder()

    def low(sender: object, payload: object) -> None: ...

    def high(sender: object, payload: object) -> None: ...

    def only_tests(sender: object, payload: object) -> None: ...

    ping.connect(low)
    ping.connect(only_tests, sender="tests", priority=3)
    ping.connect(high, priority=5)
    ping.connect(holder.method)
    try:
        assert ping.connections() == (
            ConnectionInfo(high, ANY, 5, False),
            ConnectionInfo(low, ANY, 0, False),
            ConnectionInfo(holder.method, ANY, 0, True),
            ConnectionInfo(only_tests, "tests", 3, False),
        )
        del holder
        assert [info.receiver for info in ping.connections()] == [high, low, only_tests]
    finally:
        for receiver in (low, high, only_tests):
            ping.disconnect(receiver)
