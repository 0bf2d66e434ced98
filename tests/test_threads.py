"""Thread safety: concurrent connect, disconnect, send and mute never raise or lose receivers."""

from __future__ import annotations

import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from typedsignals import Payload, Signal

STRESS_SECONDS = 1.5
"""How long the main stress test keeps its threads busy."""

RACE_SECONDS = 1.5
"""The longest a targeted race test runs (it stops at the first failure)."""

Receiver = Callable[[object, object], str]


class Tick(Payload):
    n: int


class Anchor:
    """A sender that can be weakly referenced."""


class SlottedAnchor:
    """A sender that cannot be weakly referenced."""

    __slots__ = ()


class Listener:
    """Owner of a bound-method receiver (held weakly)."""

    def on_tick(self, sender: object, payload: Tick) -> str:
        return "listener"


def make_receiver(name: str) -> Receiver:
    def receiver(sender: object, payload: object) -> str:
        return name

    receiver.__qualname__ = name
    return receiver


@pytest.fixture(autouse=True)
def fast_switching() -> Iterator[None]:
    """Switch threads as often as possible, to provoke races; restore the interval after."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


class Run:
    """Shared state of one stress run: figures and every exception seen by any thread."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.errors: list[tuple[str, BaseException]] = []
        self.lost: list[str] = []
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def count(self, figures: Counter[str]) -> None:
        with self._lock:
            self.counts.update(figures)

    def thread(self, name: str, work: Callable[[Counter[str]], None]) -> threading.Thread:
        def body() -> None:
            figures: Counter[str] = Counter()
            try:
                while not self.stop.is_set():
                    work(figures)
            except BaseException as exc:  # every failure is a finding: collect, do not die silently
                self.errors.append((name, exc))
            finally:
                self.count(figures)

        return threading.Thread(target=body, name=name, daemon=True)

    def run(self, threads: list[threading.Thread], seconds: float) -> None:
        for thread in threads:
            thread.start()
        self.stop.wait(seconds)
        self.stop.set()
        for thread in threads:
            thread.join(timeout=10)
        stuck = [thread.name for thread in threads if thread.is_alive()]
        assert not stuck, f"threads did not finish: {stuck}"


def test_concurrent_connect_disconnect_and_send_never_raise_or_lose_receivers() -> None:
    """Threads churning connections for fresh senders while others send: no exception in
    any thread, and permanently connected receivers are called by every send."""
    signal = Signal("stress", Tick)
    permanent = [make_receiver(f"permanent{i}") for i in range(3)]
    anchor, slotted = Anchor(), SlottedAnchor()
    routed_permanent = make_receiver("routed_permanent")
    stable: list[tuple[object, set[Any]]] = [
        ("unrouted-name", set(permanent)),
        (object(), set(permanent)),
        (anchor, {*permanent, routed_permanent}),
        (slotted, {*permanent, routed_permanent}),
        ("routed-name", {*permanent, routed_permanent}),
    ]
    run = Run()

    def check(sender: object, results: list[tuple[Any, Any]], expected: set[Any]) -> None:
        missing = expected - {receiver for receiver, _ in results}
        if missing:
            run.lost.append(f"send from {sender!r} missed {sorted(r.__name__ for r in missing)}")

    def sender_work(figures: Counter[str]) -> None:
        for sender, expected in stable:
            check(sender, signal.send(sender, n=1), expected)
            assert expected <= set(signal.receivers_for(sender))
            assert signal.has_receivers_for(sender)
            figures["sends"] += 1

    def churn_work(figures: Counter[str]) -> None:
        fresh = Anchor() if figures["cycles"] % 2 else SlottedAnchor()
        figures["cycles"] += 1
        own = make_receiver("own")
        # A sender-specific strong receiver, removed by sender.
        signal.connect(own, fresh, priority=figures["cycles"] % 3 - 1)
        check(fresh, signal.send(fresh, n=2), {*permanent, own})
        signal.disconnect(own, fresh)
        # A weakly held bound method whose owner dies while connected.
        listener = Listener()
        signal.connect(listener.on_tick, fresh)
        check(fresh, signal.send(fresh, n=3), {*permanent, listener.on_tick})
        del listener
        # A temporary ANY receiver, removed with disconnect(receiver).
        signal.connect(own)
        check(fresh, signal.send(fresh, n=4), {*permanent, own})
        signal.disconnect(own)
        # A block-scoped connection.
        with signal.connected_to(own, fresh):
            check(fresh, signal.send(fresh, n=5), {*permanent, own})
        figures["connects"] += 4
        figures["disconnects"] += 4
        figures["sends"] += 4

    for receiver in permanent:
        signal.connect(receiver)
    signal.connect(routed_permanent, anchor)
    signal.connect(routed_permanent, slotted)
    signal.connect(routed_permanent, "routed-name")
    try:
        threads = [run.thread(f"sender-{i}", sender_work) for i in range(3)]
        threads += [run.thread(f"churn-{i}", churn_work) for i in range(3)]
        run.run(threads, STRESS_SECONDS)
    finally:
        for receiver in (*permanent, routed_permanent):
            signal.disconnect(receiver)
    print(
        f"stress: {run.counts['sends']} sends, {run.counts['connects']} connects, "
        f"{run.counts['disconnects']} disconnects by {len(threads)} threads in "
        f"{STRESS_SECONDS}s; {len(run.errors)} errors, {len(run.lost)} lost deliveries"
    )
    assert run.errors == []
    assert run.lost == []
    assert run.counts["sends"] > 0
    assert run.counts["connects"] > 0


def test_sends_racing_the_first_connect_for_their_sender_reach_any_receivers() -> None:
    """While one thread connects and disconnects the only receiver of some senders, sends
    from those senders in other threads still reach every ANY receiver."""
    signal = Signal("route-race", Tick)
    permanent = make_receiver("permanent")
    keeper = make_receiver("keeper")
    pool = ["pool-0", "pool-1", Anchor(), SlottedAnchor()]
    run = Run()

    def churn_work(figures: Counter[str]) -> None:
        receiver = make_receiver("churn")
        for sender in pool:
            signal.connect(receiver, sender)
            signal.disconnect(receiver, sender)
            figures["connects"] += 1

    def sender_work(figures: Counter[str]) -> None:
        for sender in pool:
            if permanent not in [receiver for receiver, _ in signal.send(sender, n=1)]:
                run.lost.append(repr(sender))
                run.stop.set()
            figures["sends"] += 1

    signal.connect(permanent)
    signal.connect(keeper, "elsewhere")  # keeps the signal routed throughout
    try:
        threads = [run.thread(f"churn-{i}", churn_work) for i in range(2)]
        threads += [run.thread(f"sender-{i}", sender_work) for i in range(2)]
        run.run(threads, RACE_SECONDS)
    finally:
        signal.disconnect(permanent)
        signal.disconnect(keeper)
    print(
        f"route race: {run.counts['sends']} sends, {run.counts['connects']} connects; "
        f"{len(run.errors)} errors, {len(run.lost)} lost deliveries"
    )
    assert run.errors == []
    assert run.lost == []


def test_concurrent_connects_give_every_sender_the_same_order() -> None:
    """After receivers are connected from many threads at once, every sender sees the ANY
    receivers in one and the same order."""
    signal = Signal("order-race", Tick)
    special = make_receiver("special")
    made: list[Receiver] = []
    errors: list[BaseException] = []

    def connect_many(thread: int) -> None:
        try:
            for index in range(400):
                receiver = make_receiver(f"r{thread}-{index}")
                made.append(receiver)
                # Weak, so that dropping them all at the end is the whole cleanup.
                signal.connect(receiver, weak=True)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=connect_many, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    signal.connect(special, "routed")  # after the race: "routed" merges ANY by order
    try:
        unrouted = [r.__qualname__ for r in signal.receivers_for(object())]
        routed = [r.__qualname__ for r in signal.receivers_for("routed") if r is not special]
        called = [r.__qualname__ for r, _ in signal.send("routed", n=1) if r is not special]
    finally:
        signal.disconnect(special)
        made.clear()  # the only strong references: every receiver dies here
    print(f"order race: {len(unrouted)} concurrent connects; {len(errors)} errors")
    assert errors == []
    assert len(unrouted) == 8 * 400
    assert routed == unrouted
    assert called == unrouted


def test_concurrent_muted_blocks_unmute_after_the_last_one() -> None:
    """muted() entered and left from many threads at once ends unmuted, without errors."""
    signal = Signal("mute-race", Tick)
    receiver = make_receiver("receiver")
    errors: list[BaseException] = []

    def mute_many() -> None:
        try:
            for _ in range(500):
                with signal.muted(), signal.muted():
                    assert signal.is_muted
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=mute_many) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert errors == []
    assert not signal.is_muted
    with signal.connected_to(receiver):
        assert signal.send(None, n=1) == [(receiver, "receiver")]
