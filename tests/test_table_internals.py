"""The hot paths' inlined copies of the receiver table's rules, checked against the rules.

Each copy is there for speed (docs/performance.md); a copy that drifts from the
function it copies is the bug these tests exist for.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import pytest

import typedsignals.blinker as compat
from typedsignals import Signal
from typedsignals._receivers import weak_default
from typedsignals._table import receiver_key
from typedsignals.exceptions import ReceiverTypeError


class Plain:
    """Instances can be weakly referenced."""

    def method(self, sender: object, payload: object = None, **kwargs: object) -> None:
        """A bound-method receiver."""


class Slotted:
    """Instances cannot be weakly referenced (``__slots__`` without ``__weakref__``)."""

    __slots__ = ()

    def method(self, sender: object, payload: object = None, **kwargs: object) -> None:
        """A bound-method receiver on an object that cannot be weakly referenced."""


def function(sender: object, payload: object = None, **kwargs: object) -> None:
    """A plain function receiver."""


class CallableObject:
    """A callable instance."""

    def __call__(self, sender: object, payload: object = None, **kwargs: object) -> None:
        """Receive."""


PLAIN = Plain()
SLOTTED = Slotted()
RECEIVERS: dict[str, Callable[..., Any]] = {
    "function": function,
    "lambda": lambda sender, payload=None, **kwargs: None,
    "bound method": PLAIN.method,
    "bound method, no weakref": SLOTTED.method,
    "partial": functools.partial(function),
    "callable object": CallableObject(),
}


@pytest.mark.parametrize("weak", [None, True, False])
@pytest.mark.parametrize("name", list(RECEIVERS))
def test_connect_applies_the_reference_policy_ofweak_default(name: str, weak: bool | None) -> None:
    """Signal.connect's inlined default holds a receiver as weak_default says."""
    receiver = RECEIVERS[name]
    expected = weak_default(receiver, weak)
    signal = Signal("policy")
    if weak and name == "bound method, no weakref":
        with pytest.raises(ReceiverTypeError, match="cannot be held weakly"):
            signal.connect(receiver, weak=weak)
        return
    signal.connect(receiver, weak=weak)
    try:
        ((_, conn),) = signal._connections()
        assert (conn.ref is not None) == expected
    finally:
        signal._clear()


@pytest.mark.parametrize("name", list(RECEIVERS))
def test_connections_are_keyed_by_receiver_key(name: str) -> None:
    """_connect's inlined receiver key equals receiver_key(), and disconnect finds it."""
    receiver = RECEIVERS[name]
    signal = Signal("keys")
    signal.connect(receiver, weak=False)
    ((_, conn),) = signal._connections()
    assert conn.key == receiver_key(receiver)
    # A bound method is a new object on each access: disconnect must find it anyway.
    signal.disconnect(PLAIN.method if name == "bound method" else receiver)
    assert signal._connections() == []


def _compat_signal_with_routes() -> tuple[compat.Signal, list[object]]:
    signal = compat.Signal()
    anchor_a, anchor_b = Plain(), Plain()
    calls: list[Callable[..., Any]] = []

    def make(tag: str) -> Callable[..., Any]:
        def receiver(sender: object, **kwargs: object) -> str:
            return tag

        calls.append(receiver)
        return receiver

    signal.connect(make("any"), weak=False)
    signal.connect(make("a"), anchor_a, weak=False)
    signal.connect(make("b"), anchor_b, weak=False)
    signal.connect(make("text"), "text", weak=False)
    signal.connect(make("seven"), 7, weak=False)
    signal._keep = calls  # type: ignore[attr-defined]  # keep the closures alive
    return signal, [anchor_a, anchor_b, "text", 7, Plain(), None, "other", 8]


def test_compat_send_inlined_lookup_matches_dispatch_for() -> None:
    """typedsignals.blinker's send calls exactly what _dispatch_for says, for every sender."""
    signal, senders = _compat_signal_with_routes()
    for sender in senders:
        sent = [receiver for receiver, _ in signal.send(sender)]
        assert sent == list(signal._live(sender)), sender
    signal._clear()


def test_compat_send_inlined_lookup_matches_dispatch_for_when_unrouted() -> None:
    """Without routed senders the compat send also calls exactly ANY's receivers."""
    signal = compat.Signal()

    def receiver(sender: object, **kwargs: object) -> None:
        """Receive."""

    signal.connect(receiver)
    assert [r for r, _ in signal.send(object())] == list(signal._live(object())) == [receiver]
    signal._clear()
