"""blinker 1.9's known defects: each test shows the defect on blinker and its fix here.

Every test runs twice (the ``impl`` fixture): on blinker itself, where it asserts that
the defect is observed, so the test proves the defect exists; and on
``typedsignals.blinker``, where it asserts the correct behaviour.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from types import ModuleType
from typing import Any, Final

from blinker_support import is_ours

pytest_plugins = ["blinker_support"]  # the impl and run_python fixtures

RACE_BUDGET: Final = 10.0
"""Seconds blinker gets to show its race (it usually takes a few milliseconds)."""

RACE_TIME: Final = 0.5
"""Seconds of concurrent churn ours must survive without an error."""


class Plain:
    """A sender that cannot be weakly referenced, so blinker can only key it by ``id()``."""

    __slots__ = ("token",)

    def __init__(self, token: int) -> None:
        self.token = token


class Weakly:
    """A sender that can be weakly referenced."""


def test_concurrent_connect_disconnect_send(impl: ModuleType) -> None:
    """Connect, disconnect and send from three threads: blinker raises, ours never does."""
    sig = impl.Signal()
    errors: list[BaseException] = []
    stop = threading.Event()
    keep: list[Weakly] = []

    def receiver(sender: object, **kwargs: object) -> None:
        return None

    rounds: list[int] = []

    def guarded(work: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            done = 0
            try:
                while not stop.is_set():
                    work()
                    done += 1
                rounds.append(done)
            except Exception as exc:
                errors.append(exc)
                stop.set()

        return run

    def connect_new_senders() -> None:
        sender = Weakly()
        keep.append(sender)
        sig.connect(receiver, sender, weak=False)

    def toggle() -> None:
        sig.connect(receiver, weak=False)
        sig.disconnect(receiver)

    def send() -> None:
        sig.send(keep[-1] if keep else None, value=1)

    threads = [threading.Thread(target=guarded(w)) for w in (connect_new_senders, toggle, send)]
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # a thread switch may happen almost anywhere
    try:
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + (RACE_TIME if is_ours(impl) else RACE_BUDGET)
        while not stop.is_set() and time.monotonic() < deadline:
            time.sleep(0.005)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
        sys.setswitchinterval(previous)
        sig.disconnect(receiver)
    if is_ours(impl):
        assert errors == []
        assert len(rounds) == 3
        assert min(rounds) > 0  # every thread really ran concurrently with the others
        assert not sig.receivers
    else:
        assert any("changed size during iteration" in str(exc) for exc in errors), errors


def test_dead_sender_id_reused_by_a_stranger(impl: ModuleType) -> None:
    """A stranger reusing a dead non-weakrefable sender's id() gets its deliveries on blinker."""
    sig = impl.Signal()
    heard: list[Any] = []

    def receiver(sender: object, **kwargs: object) -> None:
        heard.append(sender)

    sender = Plain(1)
    sig.connect(receiver, sender, weak=False)
    dead_id = id(sender)
    del sender
    stranger = Plain(2)
    for _ in range(1000):  # CPython hands a freed block to the next object of its size
        if id(stranger) == dead_id:
            break
        stranger = Plain(2)
    try:
        results = sig.send(stranger)
        has = sig.has_receivers_for(stranger)
    finally:
        sig.disconnect(receiver)
    if is_ours(impl):
        assert (results, heard, has) == ([], [], False)
    else:
        assert id(stranger) == dead_id
        assert heard == [stranger]
        assert has


def test_has_receivers_for_after_disconnect(impl: ModuleType) -> None:
    """After its only receiver is disconnected, a sender has no receivers (blinker says yes)."""
    sig = impl.Signal()
    sender = Weakly()

    def receiver(sender: object, **kwargs: object) -> None:
        return None

    sig.connect(receiver, "app", weak=False)
    sig.connect(receiver, sender, weak=False)
    sig.disconnect(receiver, "app")
    sig.disconnect(receiver, sender)
    stale = (sig.has_receivers_for("app"), sig.has_receivers_for(sender))
    sig.disconnect(receiver)
    assert stale == ((False, False) if is_ours(impl) else (True, True))


def test_nested_muted_keeps_the_outer_block_muted(impl: ModuleType) -> None:
    """Leaving an inner muted() block keeps the outer one muted (blinker unmutes)."""
    sig = impl.Signal()
    heard: list[object] = []

    def receiver(sender: object, **kwargs: object) -> None:
        heard.append(sender)

    sig.connect(receiver, weak=False)
    try:
        with sig.muted():
            with sig.muted():
                sig.send("inner")
            sig.send("outer")
            still_muted = sig.is_muted
        sig.send("after")
    finally:
        sig.disconnect(receiver)
    if is_ours(impl):
        assert (heard, still_muted) == (["after"], True)
    else:
        assert (heard, still_muted) == (["outer", "after"], False)


def test_connected_to_keeps_an_earlier_connection(impl: ModuleType) -> None:
    """connected_to() leaves a connection made before it in place (blinker removes it)."""
    sig = impl.Signal()
    heard: list[object] = []

    def receiver(sender: object, **kwargs: object) -> None:
        heard.append(sender)

    sig.connect(receiver, weak=False)
    try:
        with sig.connected_to(receiver):
            sig.send("during")
        sig.send("after")
    finally:
        sig.disconnect(receiver)
    assert heard == (["during", "after"] if is_ours(impl) else ["during"])


def test_connected_to_for_a_sender_keeps_other_connections(impl: ModuleType) -> None:
    """connected_to(r, sender) removes only its own connection, not r's others."""
    sig = impl.Signal()
    heard: list[object] = []

    def receiver(sender: object, **kwargs: object) -> None:
        heard.append(sender)

    sig.connect(receiver, "other", weak=False)
    try:
        with sig.connected_to(receiver, "app"):
            sig.send("app")
        sig.send("app")
        sig.send("other")
    finally:
        sig.disconnect(receiver)
    assert heard == (["app", "other"] if is_ours(impl) else ["app"])
