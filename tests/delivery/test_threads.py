"""Deferred delivery on the embedded thread pool, through the typed signal API."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path

import pytest

from typedsignals import Payload, PayloadError, Signal
from typedsignals.delivery import (
    DeferredReceiver,
    DeliveryError,
    QueueFullError,
    ThreadPoolDelivery,
    WhenFull,
)


class Registered(Payload):
    user_id: int
    email: str


@pytest.fixture
def registered() -> Signal[object, ..., Registered]:
    """A fresh signal per test."""
    return Signal("deferred-registered", Registered)


@pytest.fixture
def pool() -> Iterator[ThreadPoolDelivery]:
    """A thread pool that is shut down after the test."""
    delivery = ThreadPoolDelivery(max_workers=2, max_queued=8)
    yield delivery
    delivery.shutdown(wait=True)


def test_deferred_receiver_runs_on_a_worker_thread(
    registered: Signal[object, ..., Registered], pool: ThreadPoolDelivery
) -> None:
    """The send returns a future per deferred receiver; the receiver runs elsewhere."""
    seen: list[tuple[object, Registered, str]] = []

    def welcome(sender: object, payload: Registered) -> str:
        seen.append((sender, payload, threading.current_thread().name))
        return f"mail to {payload.email}"

    registered.connect(welcome, via=pool)
    try:
        ((receiver, handle),) = registered.send("app", user_id=1, email="a@example.org")
        assert isinstance(receiver, DeferredReceiver)
        assert isinstance(handle, Future)
        assert handle.result(timeout=10) == "mail to a@example.org"
        ((sender, payload, thread),) = seen
        assert sender == "app"
        assert payload == Registered(user_id=1, email="a@example.org")
        assert thread.startswith("typedsignals-delivery-")
    finally:
        registered.disconnect(welcome)


def test_disconnect_removes_the_deferred_connection(
    registered: Signal[object, ..., Registered], pool: ThreadPoolDelivery
) -> None:
    """disconnect(receiver) also removes the stand-in connected for it."""

    def welcome(sender: object, payload: Registered) -> None: ...

    registered.connect(welcome, via=pool)
    registered.connect(welcome, via=pool)  # connecting again adds nothing
    assert len(registered.receivers_for("app")) == 1
    assert "welcome via ThreadPoolDelivery" in repr(registered.receivers_for("app")[0])
    registered.disconnect(welcome)
    assert registered.receivers_for("app") == ()
    assert registered.send("app", user_id=1, email="a") == []


def test_direct_and_deferred_connections_coexist(
    registered: Signal[object, ..., Registered], pool: ThreadPoolDelivery
) -> None:
    """A receiver connected directly and deferred runs twice; disconnect removes both."""
    calls: list[str] = []

    def audit(sender: object, payload: Registered) -> None:
        calls.append(threading.current_thread().name)

    registered.connect(audit)
    registered.connect(audit, via=pool)
    results = registered.send("app", user_id=1, email="a")
    for _, handle in results:
        if isinstance(handle, Future):
            handle.result(timeout=10)
    assert len(calls) == 2
    registered.disconnect(audit)
    assert registered.receivers_for("app") == ()


def test_invalid_payload_queues_nothing(
    registered: Signal[object, ..., Registered], pool: ThreadPoolDelivery
) -> None:
    """A payload that fails validation reaches no deferred receiver either."""
    calls: list[Registered] = []

    def welcome(sender: object, payload: Registered) -> None:
        calls.append(payload)

    registered.connect(welcome, via=pool)
    try:
        with pytest.raises(PayloadError):
            registered.send("app", user_id="x", email="a")
        pool.shutdown(wait=True)
        assert calls == []
    finally:
        registered.disconnect(welcome)


def test_receiver_failure_is_logged_and_kept_in_the_future(
    registered: Signal[object, ..., Registered],
    pool: ThreadPoolDelivery,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A failing deferred receiver does not fail the send; its error is logged by name."""

    def broken(sender: object, payload: Registered) -> None:
        raise RuntimeError("smtp down")

    registered.connect(broken, via=pool)
    try:
        with caplog.at_level(logging.ERROR, logger="typedsignals"):
            ((_, handle),) = registered.send("app", user_id=1, email="a")
            with pytest.raises(RuntimeError, match="smtp down"):
                handle.result(timeout=10)
            pool.shutdown(wait=True)
        (record,) = caplog.records
        assert "deferred-registered" in record.getMessage()
        assert "broken" in record.getMessage()
    finally:
        registered.disconnect(broken)


def blocker() -> tuple[threading.Event, threading.Event]:
    """Two events: the receiver sets ``started`` and waits for ``release``."""
    return threading.Event(), threading.Event()


@pytest.mark.parametrize("when_full", ["raise", "block"])
def test_full_queue_refuses_with_a_clear_error(
    registered: Signal[object, ..., Registered], when_full: WhenFull
) -> None:
    """A full queue raises QueueFullError at once ("raise"), or after the timeout ("block")."""
    started, release = blocker()
    pool = ThreadPoolDelivery(
        max_workers=1,
        max_queued=1,
        when_full=when_full,
        block_timeout=0.05,
    )

    def slow(sender: object, payload: Registered) -> None:
        started.set()
        release.wait(10)

    registered.connect(slow, via=pool)
    try:
        registered.send("app", user_id=1, email="a")  # runs and blocks the only worker
        assert started.wait(10)
        registered.send("app", user_id=2, email="a")  # fills the queue
        with pytest.raises(QueueFullError, match=r"deferred-registered.*slow.*is full"):
            registered.send("app", user_id=3, email="a")
    finally:
        release.set()
        pool.shutdown(wait=True)
        registered.disconnect(slow)


def test_blocked_sender_gets_in_when_a_worker_takes_a_call(
    registered: Signal[object, ..., Registered],
) -> None:
    """With when_full="block", a sender waits for room and is queued once there is some."""
    started, release = blocker()
    pool = ThreadPoolDelivery(max_workers=1, max_queued=1)
    done: list[int] = []

    def slow(sender: object, payload: Registered) -> None:
        if payload.user_id == 1:
            started.set()
            release.wait(10)
        done.append(payload.user_id)

    registered.connect(slow, via=pool)
    try:
        registered.send("app", user_id=1, email="a")
        assert started.wait(10)
        registered.send("app", user_id=2, email="a")  # fills the queue
        third = threading.Thread(
            target=registered.send, args=("app",), kwargs={"user_id": 3, "email": "a"}
        )
        third.start()
        third.join(0.05)
        assert third.is_alive(), "the third send should wait for room"
        release.set()
        third.join(10)
        assert not third.is_alive()
        pool.shutdown(wait=True)
        assert done == [1, 2, 3]
    finally:
        release.set()
        pool.shutdown(wait=True)
        registered.disconnect(slow)


def test_sender_waiting_for_room_is_refused_when_the_pool_shuts_down(
    registered: Signal[object, ..., Registered], caplog: pytest.LogCaptureFixture
) -> None:
    """A sender still waiting when shutdown frees the queue gets DeliveryError, not a lost call."""
    started, release = blocker()
    pool = ThreadPoolDelivery(max_workers=1, max_queued=1)
    errors: list[BaseException] = []

    def slow(sender: object, payload: Registered) -> None:
        started.set()
        release.wait(10)

    def third() -> None:
        try:
            registered.send("app", user_id=3, email="a")
        except DeliveryError as exc:
            errors.append(exc)

    registered.connect(slow, via=pool)
    try:
        registered.send("app", user_id=1, email="a")
        assert started.wait(10)
        registered.send("app", user_id=2, email="a")
        waiting = threading.Thread(target=third)
        waiting.start()
        waiting.join(0.05)
        assert waiting.is_alive()
        with caplog.at_level(logging.ERROR, logger="typedsignals"):
            pool.shutdown(wait=False, cancel_pending=True)  # drops call 2: room for call 3
            waiting.join(10)
        assert not waiting.is_alive()
        assert len(errors) == 1
        assert "shut down" in str(errors[0])
        assert "deferred-registered" in str(errors[0])
    finally:
        release.set()
        pool.shutdown(wait=True)
        registered.disconnect(slow)


def test_full_queue_can_run_in_the_senders_thread(
    registered: Signal[object, ..., Registered],
) -> None:
    """With when_full="run", the call that does not fit runs in the sender's thread."""
    started, release = blocker()
    pool = ThreadPoolDelivery(max_workers=1, max_queued=1, when_full="run")
    threads: list[str] = []

    def slow(sender: object, payload: Registered) -> None:
        threads.append(threading.current_thread().name)
        if payload.user_id == 1:
            started.set()
            release.wait(10)

    registered.connect(slow, via=pool)
    try:
        registered.send("app", user_id=1, email="a")
        assert started.wait(10)
        registered.send("app", user_id=2, email="a")
        ((_, handle),) = registered.send("app", user_id=3, email="a")
        assert handle.done()
        assert threads[-1] == threading.current_thread().name
    finally:
        release.set()
        pool.shutdown(wait=True)
        registered.disconnect(slow)


def test_shutdown_runs_what_was_accepted(registered: Signal[object, ..., Registered]) -> None:
    """shutdown(wait=True) returns after every accepted call ran."""
    pool = ThreadPoolDelivery(max_workers=1, max_queued=100)
    done: list[int] = []

    def record(sender: object, payload: Registered) -> None:
        done.append(payload.user_id)

    registered.connect(record, via=pool)
    try:
        for user_id in range(50):
            registered.send("app", user_id=user_id, email="a")
        pool.shutdown(wait=True)
        assert sorted(done) == list(range(50))
    finally:
        registered.disconnect(record)


def test_send_after_shutdown_follows_the_error_policy(
    registered: Signal[object, ..., Registered],
) -> None:
    """A call deferred to a pool that was shut down is a DeliveryError, raised by default."""
    pool = ThreadPoolDelivery()

    def record(sender: object, payload: Registered) -> None: ...

    registered.connect(record, via=pool)
    pool.shutdown()
    try:
        with pytest.raises(DeliveryError, match=r"deferred-registered.*shut down"):
            registered.send("app", user_id=1, email="a")
    finally:
        registered.disconnect(record)


def test_cancelled_calls_are_logged_not_dropped_silently(
    registered: Signal[object, ..., Registered], caplog: pytest.LogCaptureFixture
) -> None:
    """shutdown(cancel_pending=True) logs every call it drops and cancels its future."""
    started, release = blocker()
    pool = ThreadPoolDelivery(max_workers=1, max_queued=10)

    def slow(sender: object, payload: Registered) -> None:
        started.set()
        release.wait(10)

    registered.connect(slow, via=pool)
    try:
        registered.send("app", user_id=1, email="a")
        assert started.wait(10)
        pending = [registered.send("app", user_id=n, email="a")[0][1] for n in (2, 3)]
        with caplog.at_level(logging.ERROR, logger="typedsignals"):
            stopper = threading.Thread(target=pool.shutdown, kwargs={"cancel_pending": True})
            stopper.start()
            deadline = time.monotonic() + 10
            while not all(future.cancelled() for future in pending):  # shutdown got them
                assert time.monotonic() < deadline, "shutdown did not cancel the pending calls"
                time.sleep(0.005)
            release.set()
            stopper.join(10)
        assert all(future.cancelled() for future in pending)
        dropped = [r.getMessage() for r in caplog.records if "dropped" in r.getMessage()]
        assert len(dropped) == 2
        assert all("deferred-registered" in message for message in dropped)
    finally:
        registered.disconnect(slow)


def test_interpreter_exit_runs_accepted_calls(tmp_path: Path) -> None:
    """A script that defers calls and ends at once still runs every accepted call."""
    out = tmp_path / "out.txt"
    script = textwrap.dedent(
        f"""
        import time
        from typedsignals import Payload, Signal
        from typedsignals.delivery import ThreadPoolDelivery

        class Ping(Payload):
            n: int

        ping = Signal("ping", Ping)
        pool = ThreadPoolDelivery(max_workers=1)

        def slow(sender, payload):
            time.sleep(0.01)
            with open({str(out)!r}, "a") as file:
                file.write(f"{{payload.n}}\\n")

        ping.connect(slow, via=pool)
        for n in range(20):
            ping.send(None, n=n)
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    assert sorted(int(line) for line in out.read_text().split()) == list(range(20))
