"""Properties checked with hypothesis: call order, connect/disconnect sequences, payloads."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from typedsignals import ANY, Payload, Signal

SETTINGS = settings(max_examples=150, deadline=None)

Receiver = Callable[[object, object], str]


class Anchor:
    """An object sender (matched by identity)."""

    def __repr__(self) -> str:
        return f"<Anchor {id(self):#x}>"


SENDERS: tuple[object, ...] = ("app", 7, Anchor(), Anchor())
"""Senders receivers may be connected for: by value (str, int) and by identity."""

UNROUTED = Anchor()
"""A sender no receiver is ever connected for: it hears only the ANY receivers."""


def make_receivers(count: int, prefix: str) -> list[Receiver]:
    """``count`` distinct receivers, each returning its own name."""

    def make(name: str) -> Receiver:
        def receiver(sender: object, payload: object) -> str:
            return name

        receiver.__qualname__ = name
        return receiver

    return [make(f"{prefix}{index}") for index in range(count)]


@contextmanager
def disconnecting(signal: Signal[Any, Any, Any], receivers: list[Receiver]) -> Iterator[None]:
    """Disconnect every one of ``receivers`` at the end of the block."""
    try:
        yield
    finally:
        for receiver in receivers:
            signal.disconnect(receiver)


# -- call order -------------------------------------------------------------------------


@SETTINGS
@given(priorities=st.lists(st.integers(min_value=-3, max_value=3), max_size=12))
def test_call_order_is_priority_then_connect_order(priorities: list[int]) -> None:
    """For any (receiver, priority) connects, the call order is sorted by
    (-priority, connect order)."""
    signal = Signal("ordered")
    receivers = make_receivers(len(priorities), "r")
    with disconnecting(signal, receivers):
        for receiver, priority in zip(receivers, priorities):
            signal.connect(receiver, priority=priority)
        expected = [
            receivers[index]
            for index in sorted(range(len(receivers)), key=lambda i: (-priorities[i], i))
        ]
        assert [receiver for receiver, _ in signal.send(None)] == expected
        assert list(signal.receivers_for(None)) == expected


# -- connect/disconnect sequences against a reference model --------------------------------


@dataclass
class Model:
    """What a send should reach: connections as (receiver, sender, priority, order)."""

    once: bool = False  # a receiver connected for ANY and for the sender is called once
    conns: list[tuple[int, object, int, int]] = field(default_factory=list)
    counter: int = 0

    def connect(self, receiver: int, sender: object, priority: int) -> None:
        if any(r == receiver and s is sender for r, s, _, _ in self.conns):
            return  # duplicate connect: no-op
        self.counter += 1
        self.conns.append((receiver, sender, priority, self.counter))

    def disconnect(self, receiver: int, sender: object) -> None:
        self.conns = [
            conn
            for conn in self.conns
            if not (conn[0] == receiver and (sender is ANY or conn[1] is sender))
        ]

    def reached(self, sender: object) -> list[int]:
        heard = [conn for conn in self.conns if conn[1] is ANY or conn[1] is sender]
        order = [conn[0] for conn in sorted(heard, key=lambda conn: (-conn[2], conn[3]))]
        if self.once:
            return list(dict.fromkeys(order))
        return order


Op = tuple[str, int, object, int]


def operations(any_receivers: range, routed_receivers: range) -> st.SearchStrategy[list[Op]]:
    """Random connects and disconnects.

    Receivers in ``any_receivers`` are connected for ANY, those in ``routed_receivers``
    for specific senders; either may be disconnected with ANY or with any sender.
    """
    sender = st.sampled_from(SENDERS)
    priority = st.integers(min_value=-2, max_value=2)
    everyone = st.sampled_from([*any_receivers, *routed_receivers])
    ops: list[st.SearchStrategy[Op]] = [
        st.tuples(st.just("disconnect"), everyone, st.sampled_from([ANY, *SENDERS]), st.just(0))
    ]
    if any_receivers:
        ops.append(
            st.tuples(st.just("connect"), st.sampled_from(any_receivers), st.just(ANY), priority)
        )
    if routed_receivers:
        ops.append(
            st.tuples(st.just("connect"), st.sampled_from(routed_receivers), sender, priority)
        )
    return st.lists(st.one_of(ops), max_size=25)


def check_sequence(
    ops: list[Op], any_receivers: range, routed_receivers: range, once: bool
) -> None:
    """Apply ``ops`` to a signal and to the model; after each, every sender must reach the
    receivers the model says, in the model's order."""
    signal = Signal("sequenced")
    receivers = make_receivers(len(any_receivers) + len(routed_receivers), "r")
    model = Model(once=once)
    with disconnecting(signal, receivers):
        for action, index, sender, priority in ops:
            if action == "connect":
                signal.connect(receivers[index], sender, priority=priority)
                model.connect(index, sender, priority)
            else:
                signal.disconnect(receivers[index], sender)
                model.disconnect(index, sender)
            for target in (*SENDERS, UNROUTED):
                expected = [receivers[i] for i in model.reached(target)]
                assert [r for r, _ in signal.send(target)] == expected, (action, index, target)
                assert list(signal.receivers_for(target)) == expected
                assert signal.has_receivers_for(target) is bool(expected)


@SETTINGS
@given(ops=operations(range(0, 3), range(3, 6)))
def test_connect_disconnect_sequences_match_the_model(ops: list[Op]) -> None:
    """Random connects (ANY or per sender) and disconnects (ANY or per sender) reach
    exactly the receivers a reference model predicts, in its order."""
    check_sequence(ops, range(0, 3), range(3, 6), once=False)


@SETTINGS
@given(ops=operations(range(0, 4), range(0, 4)))
def test_connect_disconnect_sequences_with_shared_receivers_match_the_model(
    ops: list[Op],
) -> None:
    """As above, with receivers connected both for ANY and for senders: each reached
    receiver is called once, at its earliest place."""
    check_sequence(ops, range(0, 4), range(0, 4), once=True)


# -- payload round trip --------------------------------------------------------------------


class Record(Payload):
    number: int
    text: str
    ratio: float
    flag: bool
    numbers: list[int]
    scores: dict[str, int]
    maybe: int | None
    pair: tuple[int, str]


records = st.fixed_dictionaries(
    {
        "number": st.integers(),
        "text": st.text(),
        "ratio": st.floats(allow_nan=False),
        "flag": st.booleans(),
        "numbers": st.lists(st.integers(), max_size=5),
        "scores": st.dictionaries(st.text(max_size=5), st.integers(), max_size=5),
        "maybe": st.none() | st.integers(),
        "pair": st.tuples(st.integers(), st.text(max_size=5)),
    }
)


@SETTINGS
@given(fields=records)
def test_valid_field_values_arrive_unchanged(fields: dict[str, Any]) -> None:
    """Any valid field values sent arrive in the payload equal and of the same type."""
    signal = Signal("records", Record)
    seen: list[Record] = []
    with signal.connected_to(lambda sender, payload: seen.append(payload)):
        signal.send(None, **fields)
    [payload] = seen
    for name, value in fields.items():
        arrived = getattr(payload, name)
        assert arrived == value, name
        # A container arrives read-only: a subclass of the type that was sent.
        assert isinstance(arrived, type(value)), name


@SETTINGS
@given(number=st.integers(min_value=-(10**100), max_value=10**100))
def test_integer_strings_are_coerced_to_integers(number: int) -> None:
    """Lax validation: the decimal string of any int arrives as that int."""
    signal = Signal("records", Record)
    seen: list[Record] = []
    fields: dict[str, Any] = {
        "number": str(number),
        "text": "",
        "ratio": 0.0,
        "flag": False,
        "numbers": [],
        "scores": {},
        "maybe": None,
        "pair": (0, ""),
    }
    with signal.connected_to(lambda sender, payload: seen.append(payload)):
        signal.send(None, **fields)
    assert seen[0].number == number
