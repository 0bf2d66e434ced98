"""Memory: long runs of connects, disconnects and sends keep memory and tables flat.

Each soak is measured with tracemalloc after a warm-up (which fills caches such as the
receiver signature cache): the bytes still allocated after the run, minus those before
it, must stay under ``min(1 MiB, 8 bytes per cycle)``. The signal's internal tables
(stored connections, per-sender routes) must be back to their size before the run.
"""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap
import time
import tracemalloc
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

import pytest

from typedsignals import ANY, Payload, Signal, all_signals

from ._support import MIB, scaled, stored_connections, stored_routes
from .conftest import Figures

CYCLES: Final = scaled(5_000, 1_000_000)
"""Connect/disconnect cycles per soak."""
SENDS: Final = scaled(20_000, 1_000_000)
"""Sends per soak."""
SIGNALS: Final = scaled(2_000, 100_000)
"""Short-lived signals created and dropped."""
WARM_UP: Final = 500
BYTES_PER_CYCLE: Final = 8


def growth_limit(cycles: int) -> int:
    """The bytes a soak of ``cycles`` cycles may leave allocated: 8 per cycle, 1 MiB at most."""
    return min(MIB, cycles * BYTES_PER_CYCLE)


class Tick(Payload):
    n: int = 0


Ticks = Signal[object, Any, Tick]


@pytest.fixture
def ticks() -> Ticks:
    return Signal("memory", Tick)


class WeakSender:
    """A sender that can be weakly referenced."""

    __slots__ = ("__weakref__",)


class PlainSender:
    """A sender that cannot be weakly referenced."""

    __slots__ = ()


class Owner:
    """An object whose bound method is a (weakly held) receiver."""

    def on_tick(self, sender: object, payload: Tick) -> None:
        pass


def on_tick(sender: object, payload: Tick) -> None:
    pass


def cycle_function(sig: Ticks, n: int) -> None:
    sig.connect(on_tick)
    sig.disconnect(on_tick)


def cycle_bound_method(sig: Ticks, n: int) -> None:
    owner = Owner()
    sig.connect(owner.on_tick)
    sig.disconnect(owner.on_tick)


def cycle_lambda(sig: Ticks, n: int) -> None:
    receiver = sig.connect(lambda sender, payload: None)
    sig.disconnect(receiver)


def cycle_weak_sender(sig: Ticks, n: int) -> None:
    sender = WeakSender()
    sig.connect(on_tick, sender)
    sig.disconnect(on_tick, sender)


def cycle_plain_sender(sig: Ticks, n: int) -> None:
    sender = PlainSender()
    sig.connect(on_tick, sender)
    sig.disconnect(on_tick, sender)


def cycle_str_sender(sig: Ticks, n: int) -> None:
    sender = f"user-{n}"
    sig.connect(on_tick, sender)
    sig.disconnect(on_tick, sender)


def cycle_sender_dies_connected(sig: Ticks, n: int) -> None:
    sig.connect(on_tick, WeakSender())  # the sender dies at once, still connected


def cycle_owner_dies_connected(sig: Ticks, n: int) -> None:
    sig.connect(Owner().on_tick)  # the owner dies at once, still connected


def cycle_connected_to(sig: Ticks, n: int) -> None:
    with sig.connected_to(on_tick, "app"):
        pass


CYCLE_KINDS: Final[dict[str, Callable[[Ticks, int], None]]] = {
    "function": cycle_function,
    "bound-method": cycle_bound_method,
    "lambda": cycle_lambda,
    "weak-sender": cycle_weak_sender,
    "plain-sender": cycle_plain_sender,
    "str-sender": cycle_str_sender,
    "sender-dies-connected": cycle_sender_dies_connected,
    "owner-dies-connected": cycle_owner_dies_connected,
    "connected-to": cycle_connected_to,
}


@contextmanager
def traced_growth() -> Iterator[Callable[[], int]]:
    """Trace allocations; the yielded function returns the bytes grown since the start."""
    gc.collect()
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]

        def grown() -> int:
            gc.collect()
            return tracemalloc.get_traced_memory()[0] - start

        yield grown
    finally:
        tracemalloc.stop()


def soak(run: Callable[[int], None], count: int) -> tuple[int, float]:
    """Warm up, then run ``count`` iterations traced; return (bytes grown, seconds)."""
    tracemalloc.start()
    try:
        for n in range(WARM_UP):
            run(n)
    finally:
        tracemalloc.stop()
    with traced_growth() as grown:
        began = time.perf_counter()
        for n in range(count):
            run(n)
        seconds = time.perf_counter() - began
        return grown(), seconds


@pytest.mark.parametrize("kind", list(CYCLE_KINDS))
def test_connect_disconnect_cycles_keep_memory_and_tables_flat(
    ticks: Ticks, kind: str, figures: Figures
) -> None:
    """Connect/disconnect cycles leave no memory growth and no table entries behind."""
    cycle = CYCLE_KINDS[kind]
    try:
        grown, seconds = soak(lambda n: cycle(ticks, n), CYCLES)
        sizes = (stored_connections(ticks), stored_routes(ticks))
    finally:
        ticks.disconnect(on_tick)
    figures(cycles=CYCLES, bytes_grown=grown, seconds=seconds, stored=sizes[0], routes=sizes[1])
    assert grown < growth_limit(CYCLES)
    assert sizes[0] <= 1  # at most the last abandoned connection, dropped on the next change
    assert sizes[1] <= 1


def test_sends_to_weak_receivers_whose_owners_die_keep_memory_flat(
    ticks: Ticks, figures: Figures
) -> None:
    """A million sends while weakly held receivers' owners keep dying leave memory flat."""
    sender = WeakSender()
    owners = [Owner(), Owner()]
    ticks.connect(owners[0].on_tick)
    ticks.connect(owners[1].on_tick, sender)

    def send(n: int) -> None:
        if n % 100 == 0:  # replace an owner: the old one dies still connected
            slot = n // 100 % 2
            owners[slot] = Owner()
            ticks.connect(owners[slot].on_tick, sender if slot else ANY)
        ticks.send(sender if n % 2 else "app", n=n)

    try:
        grown, seconds = soak(send, SENDS)
        sizes = (stored_connections(ticks), stored_routes(ticks))
    finally:
        for owner in owners:
            ticks.disconnect(owner.on_tick)
    figures(sends=SENDS, bytes_grown=grown, seconds=seconds, stored=sizes[0], routes=sizes[1])
    assert grown < growth_limit(SENDS)
    assert sizes[0] <= 4
    assert sizes[1] <= 1


def test_sends_alone_drop_receivers_whose_owners_died(ticks: Ticks) -> None:
    """With no connect or disconnect, one send drops every dead weak receiver."""
    owners = [Owner() for _ in range(1_000)]
    for n in range(len(owners)):
        ticks.connect(owners[n].on_tick)
    owners.clear()
    ticks.send("app")
    assert stored_connections(ticks) == 0


def test_dead_senders_leave_no_routes(ticks: Ticks, figures: Figures) -> None:
    """Routes of senders that died connected are dropped by the next change of the table."""
    for _ in range(1_000):
        ticks.connect(on_tick, WeakSender())
    ticks.disconnect(on_tick)
    figures(senders=1_000, routes=stored_routes(ticks), stored=stored_connections(ticks))
    assert (stored_routes(ticks), stored_connections(ticks)) == (0, 0)


def test_connections_of_a_dead_sender_are_not_counted(ticks: Ticks) -> None:
    """Once its sender is dead, a connection is neither counted nor listed."""
    sender = WeakSender()
    ticks.connect(on_tick, sender)
    del sender
    gc.collect()
    try:
        assert ticks.connection_count() == 0
    finally:
        ticks.disconnect(on_tick)


LEAK_CHECK_TEST: Final = """
    from typedsignals import Signal

    class Sender:
        pass

    ping = Signal("ping")

    def on_ping(sender, payload):
        pass

    def test_sender_dies_connected():
        sender = Sender()
        ping.connect(on_ping, sender)
        del sender
"""


def test_leak_check_ignores_connections_of_a_dead_sender(tmp_path: Path) -> None:
    """The pytest plugin does not report a connection whose sender has died."""
    test_file = tmp_path / "test_dead_sender.py"
    test_file.write_text(textwrap.dedent(LEAK_CHECK_TEST))
    result = subprocess.run(
        [
            *(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"),
            *("-o", "typedsignals_leak_check=true", str(test_file)),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dropped_signals_are_freed_with_their_receivers(figures: Figures) -> None:
    """Signals (with receivers and meta signals) that go out of scope are freed."""

    def short_lived() -> int:
        gc.collect()
        return sum(sig.name.startswith("short-lived-") for sig in all_signals())

    def make(n: int) -> None:
        sig: Ticks = Signal(f"short-lived-{n}", Tick)
        sig.receiver_connected.connect(lambda sender, payload: None)
        sig.connect(on_tick)
        sig.connect(Owner().on_tick)
        sig.connect(on_tick, WeakSender())
        sig.send("app")

    grown, seconds = soak(make, SIGNALS)
    alive = short_lived()
    figures(signals=SIGNALS, bytes_grown=grown, seconds=seconds, still_alive=alive)
    assert alive == 0
    assert grown < growth_limit(SIGNALS)


def test_owner_holding_its_signal_and_sender_is_collected(ticks: Ticks) -> None:
    """An owner that holds its signal and sender, connected by bound method, is collected."""

    class Component:
        def __init__(self, signal: Ticks) -> None:
            self.signal = signal
            self.sender = WeakSender()
            signal.connect(self.on_tick, self.sender)
            signal.connect(self.on_tick)

        def on_tick(self, sender: object, payload: Tick) -> None:
            pass

    component = Component(ticks)
    gone = weakref.ref(component)
    sender_gone = weakref.ref(component.sender)
    del component
    gc.collect()
    ticks.send("app")
    assert gone() is None
    assert sender_gone() is None
    assert (stored_connections(ticks), stored_routes(ticks)) == (0, 0)


SCALE: Final = 2_000
"""Receivers per route in the scaling test."""


def test_thousands_of_receivers_connect_and_disconnect_in_bounded_time(
    ticks: Ticks, figures: Figures
) -> None:
    """2,000 receivers for one sender and 2,000 for ANY connect and disconnect within 1 s."""
    receivers = [Owner().on_tick for _ in range(SCALE)]  # bound methods, kept alive here
    began = time.perf_counter()
    try:
        for receiver in receivers:
            ticks.connect(receiver, "app")
        for receiver in receivers:
            ticks.connect(receiver)
        ticks.send("app")
    finally:
        for receiver in receivers:
            ticks.disconnect(receiver)
    seconds = time.perf_counter() - began
    figures(receivers=2 * SCALE, seconds=seconds)
    assert seconds < 1.0
