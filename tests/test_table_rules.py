"""Rules of the receiver table, seen through the public API in both strict modes.

Each test pins a behaviour that mutation testing of typedsignals/_table.py found
unguarded (see docs/guarantees.md, "Mutation testing"): routing, the idle fast path,
weak receivers and senders, meta signals, counting and default priorities.
"""

from __future__ import annotations

import asyncio
import gc
import pickle
import weakref
from collections.abc import Callable, Iterator
from enum import IntEnum
from typing import Any

import pytest

from typedsignals import (
    ANY,
    Payload,
    ReceiverDisconnected,
    ReceiverTypeError,
    SenderTypeError,
    Signal,
    blinker,
)


class Event(Payload):
    n: int = 0


class Sender:
    """A sender that supports weak references."""


class App:
    """A declared sender type."""


class Listener:
    """An object whose bound method is a receiver; records what it heard."""

    def __init__(self, log: list[str], name: str) -> None:
        self.log = log
        self.name = name

    def on_event(self, sender: object, payload: Event) -> str:
        self.log.append(self.name)
        return self.name


class Level(IntEnum):
    HIGH = 5


Receiver = Callable[[object, Event], str]


@pytest.fixture
def event() -> Signal[object, Any, Event]:
    """A fresh signal carrying Event."""
    return Signal("event", Event)


@pytest.fixture
def log() -> list[str]:
    """What the receivers made by ``make`` heard, in call order."""
    return []


@pytest.fixture
def make(log: list[str]) -> Callable[[str], Receiver]:
    """Make a receiver that appends its name to ``log`` and returns it."""

    def factory(name: str) -> Receiver:
        def receiver(sender: object, payload: Event) -> str:
            log.append(name)
            return name

        receiver.__qualname__ = name
        return receiver

    return factory


@pytest.fixture
def disconnections(event: Signal[object, Any, Event]) -> Iterator[list[ReceiverDisconnected]]:
    """The payloads of ``event.receiver_disconnected`` sent during the test."""
    seen: list[ReceiverDisconnected] = []

    def record(sender: object, payload: ReceiverDisconnected) -> None:
        seen.append(payload)

    with event.receiver_disconnected.connected_to(record):
        yield seen


def results(signal: Signal[Any, Any, Any], sender: object = None) -> list[Any]:
    """What the receivers of one send from ``sender`` returned, in call order."""
    return [result for _, result in signal.send(sender)]


# -- routing --------------------------------------------------------------------------


def test_first_connect_for_a_sender_makes_an_idle_signal_deliver(
    event: Signal[object, Any, Event], make: Callable[[str], Receiver]
) -> None:
    """A sender-specific receiver is reached although nothing else was ever connected."""
    sender = Sender()
    with event.connected_to(make("r"), sender):
        assert results(event, sender) == ["r"]


def test_two_receivers_for_one_object_sender_are_both_called(
    event: Signal[object, Any, Event], make: Callable[[str], Receiver]
) -> None:
    """A second receiver for the same sender object joins the first; neither is lost."""
    sender = Sender()
    first, second = make("first"), make("second")
    with event.connected_to(first, sender), event.connected_to(second, sender):
        assert results(event, sender) == ["first", "second"]


@pytest.mark.only_lax
@pytest.mark.parametrize("kind", ["object", "str"])
def test_signal_is_idle_again_after_its_last_sender_specific_receiver_leaves(
    event: Signal[object, Any, Event], make: Callable[[str], Receiver], kind: str
) -> None:
    """Once nothing is connected, an unheard send returns at once, ignoring stray arguments."""
    sender: object = Sender() if kind == "object" else "by value"
    receiver = make("r")
    event.connect(receiver, sender)
    with pytest.raises(TypeError, match="only positional"):
        event.send(sender, 1)
    event.disconnect(receiver, sender)
    assert event.send(sender, 1) == []


@pytest.mark.only_lax
def test_signal_is_idle_again_once_a_dead_weak_receiver_is_cleaned_up(
    event: Signal[object, Any, Event], log: list[str], make: Callable[[str], Receiver]
) -> None:
    """A weak receiver that died no longer counts: the next change leaves the signal idle."""
    listener = Listener(log, "listener")
    event.connect(listener.on_event)
    del listener
    gc.collect()
    other = make("other")
    event.connect(other)
    event.disconnect(other)
    assert event.send(None, 1) == []


def test_send_payload_reaches_sender_specific_receivers(
    event: Signal[object, Any, Event], make: Callable[[str], Receiver]
) -> None:
    """send_payload routes by sender like send: the sender's receivers and ANY's."""
    sender, other = Sender(), Sender()
    with event.connected_to(make("any")), event.connected_to(make("own"), sender):
        assert [r for _, r in event.send_payload(sender, Event())] == ["any", "own"]
        assert [r for _, r in event.send_payload(other, Event())] == ["any"]


def test_send_async_payload_reaches_sender_specific_receivers(
    event: Signal[object, Any, Event], make: Callable[[str], Receiver]
) -> None:
    """send_async_payload routes by sender like send."""
    sender, other = Sender(), Sender()
    with event.connected_to(make("any")), event.connected_to(make("own"), sender):
        mine = asyncio.run(event.send_async_payload(sender, Event()))
        theirs = asyncio.run(event.send_async_payload(other, Event()))
    assert [r for _, r in mine] == ["any", "own"]
    assert [r for _, r in theirs] == ["any"]


def test_connect_for_a_sender_of_the_declared_type_is_accepted() -> None:
    """Connecting for a sender of the declared type works and routes to that sender."""
    typed: Signal[App, Any, Event] = Signal("typed", Event, sender=App)
    app = App()

    def on_app(sender: App, payload: Event) -> str:
        return "app"

    with typed.connected_to(on_app, app):
        assert [r for _, r in typed.send(app)] == ["app"]


def test_connect_for_a_sender_of_another_type_names_it() -> None:
    """Connecting for a sender of the wrong type says which type it got."""
    typed: Signal[App, Any, Event] = Signal("typed", Event, sender=App)

    def on_app(sender: App, payload: Event) -> None:
        pass

    with pytest.raises(SenderTypeError, match=r"'typed'.*App, got Sender"):
        typed.connect(on_app, Sender())  # type: ignore[arg-type]


# -- flags of receivers connected for ANY on a routed signal ---------------------------


def test_coroutine_receiver_for_any_on_a_routed_signal_is_refused_by_sync_send(
    event: Signal[object, Any, Event], make: Callable[[str], Receiver]
) -> None:
    """A coroutine receiver connected for ANY after a routed one still makes send() refuse."""

    async def later(sender: object, payload: Event) -> None:
        pass

    with (
        event.connected_to(make("routed"), "some sender"),
        event.connected_to(later),
        pytest.raises(ReceiverTypeError, match="later"),
    ):
        event.send(None)


def test_weak_receiver_for_any_on_a_routed_signal_is_called(
    event: Signal[object, Any, Event], log: list[str], make: Callable[[str], Receiver]
) -> None:
    """A weak receiver connected for ANY after a routed one is resolved and called."""
    listener = Listener(log, "listener")
    with event.connected_to(make("routed"), "some sender"):
        event.connect(listener.on_event)
        try:
            assert results(event, None) == ["listener"]
        finally:
            event.disconnect(listener.on_event)


def test_weakly_held_coroutine_receiver_is_refused_by_sync_send(
    event: Signal[object, Any, Event],
) -> None:
    """weak=True keeps a coroutine receiver marked as one: send() refuses, send_async awaits."""

    async def later(sender: object, payload: Event) -> str:
        return "awaited"

    event.connect(later, weak=True)
    try:
        with pytest.raises(ReceiverTypeError, match="later"):
            event.send(None)
        assert asyncio.run(event.send_async(None)) == [(later, "awaited")]
    finally:
        event.disconnect(later)


# -- weak receivers and senders ------------------------------------------------------


def test_duplicate_connect_of_a_weak_bound_method_keeps_its_place(
    event: Signal[object, Any, Event], log: list[str], make: Callable[[str], Receiver]
) -> None:
    """Reconnecting a live weakly held bound method changes nothing: same place, no announce."""
    listener = Listener(log, "listener")
    announced: list[object] = []

    def record(sender: object, payload: Any) -> None:
        announced.append(payload.receiver)

    with event.receiver_connected.connected_to(record):
        event.connect(listener.on_event)
        with event.connected_to(make("after")):
            event.connect(listener.on_event)
            assert results(event) == ["listener", "after"]
        event.disconnect(listener.on_event)
    assert len(announced) == 2  # the first connect and connected_to's, not the duplicate


def test_dead_weak_receiver_does_not_stop_the_receivers_after_it(
    event: Signal[object, Any, Event], log: list[str], make: Callable[[str], Receiver]
) -> None:
    """A send skips a weak receiver that died and still calls every receiver after it."""
    listener = Listener(log, "listener")
    event.connect(listener.on_event)
    with event.connected_to(make("after")):
        event.send(None)  # builds the dispatch with the weak receiver in it
        del listener
        gc.collect()
        assert results(event) == ["after"]


def test_purging_a_dead_weak_receiver_keeps_the_live_ones(
    event: Signal[object, Any, Event], log: list[str], make: Callable[[str], Receiver]
) -> None:
    """After a weak receiver dies and the table is cleaned up, the others still receive."""
    listener = Listener(log, "listener")
    before = make("before")
    event.connect(listener.on_event)
    with event.connected_to(before):
        del listener
        gc.collect()
        with event.connected_to(make("after")):  # a locked change: purges the dead one
            assert results(event) == ["before", "after"]


def test_receiver_of_a_dead_sender_is_released(
    event: Signal[object, Any, Event], make: Callable[[str], Receiver]
) -> None:
    """A strongly held receiver connected for a sender that died is let go, not kept forever."""
    sender = Sender()
    receiver = make("r")
    released = weakref.ref(receiver)
    event.connect(receiver, sender)
    del receiver, sender
    gc.collect()
    with event.connected_to(make("other")):  # a locked change: purges the dead route
        pass
    gc.collect()
    assert released() is None
    assert event.connection_count() == 0


def test_connection_count_counts_receivers_of_live_weakly_held_senders(
    event: Signal[object, Any, Event], make: Callable[[str], Receiver]
) -> None:
    """A receiver connected for a live, weakly held sender counts, next to ANY's."""
    sender = Sender()
    with event.connected_to(make("own"), sender), event.connected_to(make("any")):
        assert event.connection_count() == 2


def test_connection_count_leaves_out_dead_senders(
    event: Signal[object, Any, Event], make: Callable[[str], Receiver]
) -> None:
    """Connections of senders that died do not count; those of live senders after them do."""
    dead, alive = Sender(), Sender()
    event.connect(make("dead"), dead)
    with event.connected_to(make("alive"), alive), event.connected_to(make("value"), "key"):
        del dead
        gc.collect()
        assert event.connection_count() == 2


# -- disconnect and receiver_disconnected ----------------------------------------------


def test_disconnect_from_any_on_a_routed_signal_is_announced_once(
    event: Signal[object, Any, Event],
    make: Callable[[str], Receiver],
    disconnections: list[ReceiverDisconnected],
) -> None:
    """Disconnecting for ANY a receiver connected for ANY and a sender announces it once."""
    sender = Sender()
    receiver = make("r")
    with event.connected_to(make("other"), "key"):
        event.connect(receiver)
        event.connect(receiver, sender)
        event.disconnect(receiver)
        assert results(event, sender) == []
        assert [(d.receiver, d.sender) for d in disconnections] == [(receiver, ANY)]


def test_disconnect_from_any_of_a_sender_only_receiver_is_announced(
    event: Signal[object, Any, Event],
    make: Callable[[str], Receiver],
    disconnections: list[ReceiverDisconnected],
) -> None:
    """Disconnecting for ANY a receiver connected only for one sender removes and announces it."""
    sender = Sender()
    receiver = make("r")
    with event.connected_to(make("any")):
        event.connect(receiver, sender)
        event.disconnect(receiver)
        assert results(event, sender) == ["any"]
        assert [(d.receiver, d.sender) for d in disconnections] == [(receiver, ANY)]


@pytest.mark.parametrize("sender", [ANY, "key"], ids=["from-any", "from-sender"])
def test_disconnect_of_an_unconnected_receiver_on_a_routed_signal_is_not_announced(
    event: Signal[object, Any, Event],
    make: Callable[[str], Receiver],
    disconnections: list[ReceiverDisconnected],
    sender: object,
) -> None:
    """Disconnecting a receiver that is not connected announces nothing, routed or not."""
    with event.connected_to(make("routed"), "key"), event.connected_to(make("any")):
        event.disconnect(make("stranger"), sender)
        assert disconnections == []


@pytest.mark.parametrize("kind", ["any", "object", "str"])
def test_connected_to_announces_its_disconnect_with_its_sender(
    event: Signal[object, Any, Event],
    make: Callable[[str], Receiver],
    disconnections: list[ReceiverDisconnected],
    kind: str,
) -> None:
    """Leaving connected_to(receiver, sender) announces the disconnect for that sender."""
    sender: object = {"any": ANY, "object": Sender(), "str": "by value"}[kind]
    receiver = make("r")
    with event.connected_to(receiver, sender):
        pass
    assert [(d.receiver, d.sender) for d in disconnections] == [(receiver, sender)]


# -- priorities ----------------------------------------------------------------------


def test_connect_via_default_priority_is_zero(
    event: Signal[object, Any, Event], make: Callable[[str], Receiver]
) -> None:
    """connect_via without priority ranks below priority 1 and above priority -1."""
    sender = Sender()
    low, high = make("low"), make("high")
    with event.connected_to(make("unused"), "elsewhere"):
        event.connect(low, priority=-1)
        middle = event.connect_via(sender)(make("middle"))
        event.connect(high, priority=1)
        try:
            assert results(event, sender) == ["high", "middle", "low"]
        finally:
            for receiver in (low, middle, high):
                event.disconnect(receiver)


def test_connected_to_default_priority_is_zero(
    event: Signal[object, Any, Event], make: Callable[[str], Receiver]
) -> None:
    """connected_to ranks its receiver below priority 1 and above priority -1."""
    low, high = make("low"), make("high")
    event.connect(low, priority=-1)
    try:
        with event.connected_to(make("middle")):
            event.connect(high, priority=1)
            assert results(event) == ["high", "middle", "low"]
            event.disconnect(high)
    finally:
        event.disconnect(low)


def test_connect_default_priority_is_zero(
    event: Signal[object, Any, Event], make: Callable[[str], Receiver]
) -> None:
    """connect without priority ranks below priority 1 and above priority -1."""
    low, middle, high = make("low"), make("middle"), make("high")
    event.connect(low, priority=-1)
    event.connect(middle)
    event.connect(high, priority=1)
    try:
        assert results(event) == ["high", "middle", "low"]
    finally:
        for receiver in (low, middle, high):
            event.disconnect(receiver)


def test_int_subclass_priority_is_accepted(
    event: Signal[object, Any, Event], make: Callable[[str], Receiver]
) -> None:
    """A priority that is an int subclass (an IntEnum member) orders like its value."""
    with event.connected_to(make("plain")):
        first = event.connect(make("enum"), priority=Level.HIGH)
        try:
            assert results(event) == ["enum", "plain"]
        finally:
            event.disconnect(first)


# -- the default reference policy ------------------------------------------------------


def test_connect_via_holds_a_bound_method_weakly_by_default(
    event: Signal[object, Any, Event], log: list[str]
) -> None:
    """connect_via, like connect, holds a bound method on its instance, which may die."""
    listener = Listener(log, "listener")
    owner = weakref.ref(listener)
    event.connect_via(ANY)(listener.on_event)
    del listener
    gc.collect()
    assert owner() is None
    assert results(event) == []


def test_connect_via_honours_weak_true_for_a_function(
    event: Signal[object, Any, Event], make: Callable[[str], Receiver]
) -> None:
    """connect_via(weak=True) holds even a plain function weakly."""
    receiver = make("r")
    gone = weakref.ref(receiver)
    event.connect_via(ANY, weak=True)(receiver)
    del receiver
    gc.collect()
    assert gone() is None
    assert results(event) == []


def test_connect_via_honours_weak_false_for_a_bound_method(
    event: Signal[object, Any, Event], log: list[str]
) -> None:
    """connect_via(weak=False) keeps a bound method's instance alive."""
    listener = Listener(log, "listener")
    event.connect_via(ANY, weak=False)(listener.on_event)
    del listener
    gc.collect()
    try:
        assert results(event) == ["listener"]
    finally:
        event.disconnect(event.receivers_for(None)[0])


def test_connect_via_connects_a_method_of_an_unweakrefable_instance(
    event: Signal[object, Any, Event],
) -> None:
    """connect_via holds a method strongly when its instance cannot be weakly referenced."""

    class Slotted:
        __slots__ = ()

        def on_event(self, sender: object, payload: Event) -> str:
            return "slotted"

    handler = Slotted().on_event
    event.connect_via(ANY)(handler)
    try:
        assert results(event) == ["slotted"]
    finally:
        event.disconnect(handler)


class MethodLike:
    """A callable object with a ``__self__`` attribute, as method wrappers have."""

    def __init__(self, owner: object) -> None:
        self.__self__ = owner

    def __call__(self, sender: object, payload: Event) -> str:
        return "method-like"


class SlottedCallable:
    """A callable receiver that cannot be weakly referenced."""

    __slots__ = ()

    def __call__(self, sender: object, payload: Event) -> str:
        return "slotted"


def test_callable_with_a_self_attribute_is_held_strongly_by_default(
    event: Signal[object, Any, Event],
) -> None:
    """Only real bound methods are held weakly: an inline method-like object is kept."""
    handler = MethodLike(Sender())
    event.connect(handler)
    del handler
    gc.collect()
    try:
        assert results(event) == ["method-like"]
    finally:
        event.disconnect(event.receivers_for(None)[0])


def test_weak_true_on_an_unweakrefable_receiver_names_it(
    event: Signal[object, Any, Event],
) -> None:
    """The refusal of weak=True names the receiver and says to connect it with weak=False."""
    with pytest.raises(
        ReceiverTypeError,
        match=r"^signal 'event': receiver .*SlottedCallable.* cannot be held weakly \(it does "
        r"not support weak references\); connect it with weak=False$",
    ):
        event.connect(SlottedCallable(), weak=True)


def test_disconnect_inside_connected_to_is_announced_once(
    event: Signal[object, Any, Event],
    make: Callable[[str], Receiver],
    disconnections: list[ReceiverDisconnected],
) -> None:
    """A receiver disconnected inside its connected_to block is not removed again on exit."""
    receiver = make("r")
    with event.connected_to(receiver):
        event.disconnect(receiver)
    assert [d.receiver for d in disconnections] == [receiver]


def test_weak_receiver_dying_after_its_disconnect_leaves_the_table_usable(
    event: Signal[object, Any, Event], log: list[str], make: Callable[[str], Receiver]
) -> None:
    """A weakly held receiver that dies after being disconnected disturbs nothing later."""
    listener = Listener(log, "listener")
    event.connect(listener.on_event)
    event.disconnect(listener.on_event)
    del listener
    gc.collect()
    with event.connected_to(make("later")):
        assert results(event) == ["later"]


def test_meta_signal_is_made_once(event: Signal[object, Any, Event]) -> None:
    """Every access to a meta signal returns the same signal, so its receivers stay."""
    assert event.receiver_connected is event.receiver_connected
    assert event.receiver_disconnected is event.receiver_disconnected


def test_connections_dropped_hook_runs_only_when_a_purge_dropped_something(
    log: list[str], make: Callable[[str], Receiver]
) -> None:
    """The subclass hook _connections_dropped runs once per purge that removed the dead."""
    purges: list[int] = []

    class Watched(Signal[object, Any, Event]):
        def _connections_dropped(self) -> None:
            purges.append(self.connection_count())

    watched = Watched("watched", Event)
    gone, also_gone = Listener(log, "gone"), Listener(log, "also gone")
    for listener in (gone, also_gone):
        watched.connect(listener.on_event)
    del listener, gone, also_gone
    gc.collect()
    with watched.connected_to(make("later")):  # a locked change: purges both at once
        pass
    disconnected = Listener(log, "disconnected")
    watched.connect(disconnected.on_event)
    watched.disconnect(disconnected.on_event)
    del disconnected  # dies no longer connected: its purge drops nothing
    gc.collect()
    with watched.connected_to(make("later")):
        pass
    assert purges == [0]


def test_connections_dropped_hook_runs_when_a_connected_sender_dies(
    make: Callable[[str], Receiver],
) -> None:
    """The subclass hook _connections_dropped also runs when a purge drops a dead sender's."""
    purges: list[int] = []

    class Watched(Signal[object, Any, Event]):
        def _connections_dropped(self) -> None:
            purges.append(self.connection_count())

    watched = Watched("watched", Event)
    sender = Sender()
    watched.connect(make("first"), sender)
    watched.connect(make("second"), sender)
    del sender
    gc.collect()
    with watched.connected_to(make("later")):  # a locked change: purges the dead route
        pass
    assert purges == [0]


def test_has_connections_service_sees_any_and_sender_specific_connections(
    event: Signal[object, Any, Event], make: Callable[[str], Receiver]
) -> None:
    """The subclass service _has_connections() is true while anything is connected."""
    assert not event._has_connections()
    with event.connected_to(make("routed"), "key"):
        assert event._has_connections()
    with event.connected_to(make("any")):
        assert event._has_connections()
    assert not event._has_connections()


def test_pickling_a_signal_gives_the_whole_reason(event: Signal[object, Any, Event]) -> None:
    """The refusal to pickle a signal says why and what to do instead, in full."""
    with pytest.raises(TypeError) as caught:
        pickle.dumps(event)
    assert str(caught.value) == (
        "signal 'event' cannot be pickled: a signal is an identity holding live receivers "
        "(callables, weak references, a lock); pickle its name and look it up again, or "
        "declare it at module level and refer to it by import"
    )


# -- the services used by the blinker-compatible signal ---------------------------------


def test_compat_reconnect_for_a_sender_switches_the_reference_to_strong() -> None:
    """Reconnecting a weakly held receiver for a sender with weak=False holds it strongly."""
    compat = blinker.Signal()
    sender = Sender()

    def receiver(sender: object, **kwargs: object) -> str:
        return "kept"

    kept = weakref.ref(receiver)
    compat.connect(receiver, sender, weak=True)
    compat.connect(receiver, sender, weak=False)
    del receiver
    gc.collect()
    try:
        assert kept() is not None
        assert [result for _, result in compat.send(sender)] == ["kept"]
    finally:
        compat.disconnect(kept(), sender)  # type: ignore[arg-type]


def test_compat_reconnect_of_a_coroutine_receiver_as_weak_keeps_it_a_coroutine() -> None:
    """A coroutine receiver switched to weak is still refused by a sync send."""
    compat = blinker.Signal()

    async def receiver(sender: object, **kwargs: object) -> None:
        pass

    compat.connect(receiver, weak=False)
    compat.connect(receiver, weak=True)
    try:
        with pytest.raises(RuntimeError, match="Cannot send to a coroutine function"):
            compat.send(None)
    finally:
        compat.disconnect(receiver)
