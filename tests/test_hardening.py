"""The core defects of issue #16, each pinned by the behaviour that was wrong."""

from __future__ import annotations

import asyncio
import copy
import gc
import logging
import os
import pickle
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from typing import Any

import pytest

import typedsignals.blinker as compat
from typedsignals import Payload, Signal, all_signals
from typedsignals.exceptions import ReceiverErrors, SenderTypeError


class Note(Payload):
    """A payload with one field."""

    text: str


class Owner:
    """An object whose bound methods are held weakly by default."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def on_note(self, sender: object, payload: Note) -> None:
        self.calls.append(payload.text)

    async def on_note_async(self, sender: object, payload: Note) -> None:
        self.calls.append(payload.text)


@pytest.fixture
def note() -> Iterator[Signal[object, Any, Note]]:
    """A fresh signal, cleared after the test."""
    signal = Signal("note", Note)
    yield signal
    signal._clear()


def test_dead_weak_coroutine_receiver_does_not_break_sync_send(
    note: Signal[object, Any, Note],
) -> None:
    """A weakly held coroutine receiver that died is skipped by a sync send (defect 4)."""
    owner = Owner()
    heard: list[str] = []
    note.connect(owner.on_note_async)
    note.connect(lambda sender, payload: heard.append(payload.text))
    del owner
    gc.collect()
    note.send(None, text="a")
    note.send(None, text="b")
    assert heard == ["a", "b"]


def test_live_coroutine_receiver_is_still_refused_by_sync_send(
    note: Signal[object, Any, Note],
) -> None:
    """A live coroutine receiver is still refused by send(), naming it."""
    owner = Owner()
    note.connect(owner.on_note_async)
    with pytest.raises(TypeError, match="on_note_async"):
        note.send(None, text="a")
    assert owner.calls == []


def test_all_signals_tolerates_signals_created_by_other_threads() -> None:
    """all_signals() never fails while other threads create signals (defect 8)."""
    stop = threading.Event()
    errors: list[BaseException] = []

    def create() -> None:
        while not stop.is_set():
            Signal("churn")

    workers = [threading.Thread(target=create) for _ in range(2)]
    for worker in workers:
        worker.start()
    try:
        for _ in range(300):
            try:
                all_signals()
            except RuntimeError as exc:  # "Set changed size during iteration"
                errors.append(exc)
    finally:
        stop.set()
        for worker in workers:
            worker.join()
    assert errors == []


class _Reconnector:
    """Garbage whose finaliser connects a receiver, if it runs inside connect's lock."""

    def __init__(self, signal: Signal[object, Any, Note], receiver: Any) -> None:
        self.signal = signal
        self.receiver = receiver
        self.cycle = self  # only the cyclic garbage collector frees it

    def __del__(self) -> None:
        if self.signal._lock._is_owned():  # type: ignore[attr-defined]  # RLock's own check
            self.signal.connect(self.receiver)
            _inside_lock.append(True)


_inside_lock: list[bool] = []


def test_finaliser_changing_the_table_inside_its_lock_is_not_lost() -> None:
    """A receiver a finaliser connects inside a locked section is delivered (defect 9).

    The collector runs at varying points of a connect followed by a send (whichever of
    them allocates inside the lock), until the finaliser has run inside it at least once.
    """
    old = gc.get_threshold()
    attempts = 0
    try:
        for attempt in range(400):
            attempts = attempt + 1
            signal: Signal[object, Any, Note] = Signal("reconnect", Note)
            heard: list[str] = []

            def from_finaliser(sender: object, payload: Note, heard: list[str] = heard) -> None:
                heard.append("finaliser")

            def outer(sender: object, payload: Note, heard: list[str] = heard) -> None:
                heard.append("outer")

            before = len(_inside_lock)
            gc.collect()  # count allocations from zero, so the threshold picks the point
            _Reconnector(signal, from_finaliser)
            gc.set_threshold(1 + attempt % 40)  # a collection at varying points
            signal.connect(outer)
            signal.send(None, text="warm-up")
            gc.set_threshold(*old)
            gc.collect()
            if len(_inside_lock) > before:
                heard.clear()
                signal.send(None, text="x")
                assert sorted(heard) == ["finaliser", "outer"]
                assert set(signal.receivers_for(None)) == {outer, from_finaliser}
                return
            signal._clear()
    finally:
        gc.set_threshold(*old)
    pytest.fail(f"the finaliser never ran inside the signal's lock ({attempts} tries)")


def test_concurrent_send_async_waits_for_every_receiver_before_a_cancellation() -> None:
    """A receiver raising CancelledError does not end a concurrent send early (defect 10)."""
    signal: Signal[object, Any, Note] = Signal("cancel", Note, concurrent=True)
    finished: list[str] = []

    async def cancels(sender: object, payload: Note) -> None:
        raise asyncio.CancelledError

    async def slow(sender: object, payload: Note) -> None:
        await asyncio.sleep(0.02)
        finished.append("slow")

    signal.connect(cancels)
    signal.connect(slow)

    async def main() -> bool:
        try:
            await signal.send_async(None, text="x")
        except asyncio.CancelledError:
            return finished == ["slow"]
        return False

    try:
        assert asyncio.run(main()) is True
    finally:
        signal._clear()


def test_cancelled_concurrent_send_async_cancels_its_receivers() -> None:
    """Cancelling a concurrent send cancels and awaits the receivers it started."""
    signal: Signal[object, Any, Note] = Signal("cancelled", Note, concurrent=True)
    states: list[str] = []

    async def waits(sender: object, payload: Note) -> None:
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            states.append("cancelled")
            raise

    signal.connect(waits)

    async def main() -> None:
        task = asyncio.ensure_future(signal.send_async(None, text="x"))
        await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    try:
        asyncio.run(main())
    finally:
        signal._clear()
    assert states == ["cancelled"]


@pytest.mark.parametrize("make", [copy.copy, copy.deepcopy], ids=["copy", "deepcopy"])
@pytest.mark.parametrize("kind", ["typed", "compat"])
def test_copying_a_signal_returns_the_signal_itself(make: Any, kind: str) -> None:
    """A signal is an identity: copy and deepcopy return it, never a half-shared twin."""
    signal: Any = Signal("copied") if kind == "typed" else compat.Signal()
    assert make(signal) is signal
    holder = {"signal": signal}
    assert make(holder)["signal"] is signal


@pytest.mark.parametrize("kind", ["typed", "compat"])
def test_pickling_a_signal_says_why_it_cannot(kind: str) -> None:
    """Pickling a signal raises a TypeError naming the signal and the reason (defect 11)."""
    signal: Any = Signal("pickled") if kind == "typed" else compat.NamedSignal("pickled")
    with pytest.raises(TypeError, match="signal 'pickled' cannot be pickled: a signal is"):
        pickle.dumps(signal)


class App:
    """A sender type."""


class Proxy:
    """A stand-in for werkzeug's LocalProxy: claims the class of what it stands for."""

    def __init__(self, target: object) -> None:
        self._target = target

    @property  # type: ignore[misc]  # as LocalProxy does
    def __class__(self) -> type:
        return type(self._target)

    def _get_current_object(self) -> object:
        return self._target


def test_proxy_sender_reaches_the_receivers_of_the_object_it_stands_for() -> None:
    """A proxy of the declared sender type is routed as the object behind it."""
    app = App()
    signal: Signal[App, Any, Note] = Signal("proxied", Note, sender=App)
    heard: list[object] = []
    signal.connect(lambda sender, payload: heard.append(sender), sender=app)
    try:
        proxy: Any = Proxy(app)
        signal.send(proxy, text="x")
        assert heard == [app]
        assert signal.has_receivers_for(proxy)
    finally:
        signal._clear()


def test_proxy_of_another_type_is_refused() -> None:
    """A proxy standing for an object of another type is a SenderTypeError."""
    signal: Signal[App, Any, Note] = Signal("proxied-wrong", Note, sender=App, strict=True)
    proxy: Any = Proxy(object())
    with pytest.raises(SenderTypeError, match="proxied-wrong"):
        signal.send(proxy, text="x")


def test_collected_failures_survive_an_interrupting_base_exception(
    note: Signal[object, Any, Note], caplog: pytest.LogCaptureFixture
) -> None:
    """Under "collect", failures seen before a BaseException are logged and noted."""
    note.error_policy = "collect"

    def fails(sender: object, payload: Note) -> None:
        raise ValueError("first failure")

    def interrupts(sender: object, payload: Note) -> None:
        raise KeyboardInterrupt

    note.connect(fails)
    note.connect(interrupts)
    with caplog.at_level(logging.ERROR, "typedsignals"), pytest.raises(KeyboardInterrupt) as info:
        note.send(None, text="x")
    assert any("first failure" in n for n in getattr(info.value, "__notes__", ()))
    assert "interrupted by KeyboardInterrupt" in caplog.text
    assert "ValueError" in caplog.text


def test_collect_still_raises_receiver_errors(note: Signal[object, Any, Note]) -> None:
    """Without an interruption, "collect" raises every failure in one group."""
    note.error_policy = "collect"

    def fails(sender: object, payload: Note) -> None:
        raise ValueError("one")

    note.connect(fails)
    with pytest.raises(ReceiverErrors):
        note.send(None, text="x")


def test_send_async_skips_a_weak_receiver_whose_owner_died_during_the_send(
    note: Signal[object, Any, Note],
) -> None:
    """A weak receiver whose owner dies in an earlier receiver's turn is not called."""
    owners = [Owner()]
    calls = owners[0].calls

    async def kills(sender: object, payload: Note) -> None:
        owners.clear()
        gc.collect()
        await asyncio.sleep(0)

    note.connect(kills, priority=1)
    note.connect(owners[0].on_note_async)
    asyncio.run(note.send_async(None, text="x"))
    assert calls == []


def test_dead_sender_routes_are_removed_without_another_connect(
    note: Signal[object, Any, Note],
) -> None:
    """The route of a sender that died goes at the next send, not the next connect."""
    sender = App()
    note.connect(lambda s, p: None, sender=sender)
    note.connect(lambda s, p: None, sender="kept")
    del sender
    gc.collect()
    note.send("kept", text="x")
    assert len(note._by_id) == 0


def test_connections_dropped_hook_runs_when_a_weak_receiver_dies() -> None:
    """Subclasses hear, through _connections_dropped, that a purge removed the dead."""
    dropped: list[int] = []

    class Watched(Signal[object, Any, Note]):
        def _connections_dropped(self) -> None:
            dropped.append(self.connection_count())

    signal = Watched("watched", Note)
    owner = Owner()
    signal.connect(owner.on_note)
    del owner
    gc.collect()
    signal.send(None, text="x")
    assert dropped == [0]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_fork_while_another_thread_connects_does_not_deadlock_the_child() -> None:
    """A child forked while a thread holds a signal's lock can still use the signal."""
    script = textwrap.dedent(
        """
        import os, sys, threading, time, warnings
        warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads
        from typedsignals import Signal
        sig = Signal("forked")
        held = threading.Event()
        def hold():
            with sig._lock:
                held.set()
                time.sleep(2)
        threading.Thread(target=hold, daemon=True).start()
        held.wait()
        pid = os.fork()
        if pid == 0:
            sig.connect(lambda s, p: None)
            sig.send(None)
            os._exit(0)
        _, status = os.waitpid(pid, 0)
        sys.exit(os.waitstatus_to_exitcode(status))
        """
    )
    result = subprocess.run([sys.executable, "-c", script], timeout=30, capture_output=True)
    assert result.returncode == 0, result.stderr.decode()


def test_introspection_and_disconnect_accept_a_sender_of_another_type() -> None:
    """Only sends check the sender's type: asking about, or disconnecting, never raises."""
    signal: Signal[App, Any, Note] = Signal("asked", Note, sender=App)
    heard: list[object] = []
    receiver = signal.connect(lambda sender, payload: heard.append(sender))
    try:
        stranger: Any = object()
        assert signal.has_receivers_for(stranger)  # the ANY receiver would hear it
        assert signal.receivers_for(stranger) == (receiver,)
        signal.disconnect(receiver, stranger)  # nothing connected for it: a no-op
        assert signal.has_receivers_for(App())
    finally:
        signal._clear()


def test_disconnect_with_a_proxy_removes_the_connection_of_the_object_behind_it() -> None:
    """disconnect(receiver, proxy) removes the connection made for the proxied object."""
    app = App()
    signal: Signal[App, Any, Note] = Signal("unproxied", Note, sender=App)
    receiver = signal.connect(lambda sender, payload: None, sender=app)
    proxy: Any = Proxy(app)
    signal.disconnect(receiver, proxy)
    assert not signal.has_receivers_for(app)


def test_code_run_while_the_call_order_is_computed_cannot_hide_a_receiver() -> None:
    """A receiver connected by code that runs inside a rebuild's sort is still called."""
    signal = Signal("sorted-race")
    calls: list[str] = []

    def late(sender: object, payload: object) -> None:
        calls.append("late")

    def first(sender: object, payload: object) -> None:
        calls.append("first")

    class Sneaky(int):
        """A priority whose negation connects a receiver, once, as a finaliser might."""

        fired = False

        def __neg__(self) -> int:
            if not Sneaky.fired:
                Sneaky.fired = True
                signal.connect(late)
            return int.__neg__(self)

    signal.connect(first, priority=Sneaky(1))
    try:
        signal.send(None)
        calls.clear()
        signal.send(None)
        assert calls == ["first", "late"]
        assert signal.connection_count() == 2
    finally:
        signal._clear()


def test_receiver_switched_to_weak_is_removed_when_it_dies() -> None:
    """A compat receiver reconnected weakly is dropped from the table once it dies."""
    signal = compat.Signal()
    owner = Owner()
    signal.connect(owner.on_note, weak=False)
    signal.connect(owner.on_note, weak=True)  # switch the existing connection to weak
    del owner
    gc.collect()
    signal.send(None)
    assert signal._entries() == []
