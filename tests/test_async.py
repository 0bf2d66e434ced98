"""Asynchronous sending: send_async and send_async_payload."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from typedsignals import (
    EmptyPayload,
    Payload,
    PayloadError,
    ReceiverErrors,
    ReceiverTypeError,
    SenderTypeError,
    Signal,
)

WAIT = 0.25
"""Seconds a receiver waits for another one before the test gives up on concurrency."""


class Tick(Payload):
    n: int


class App:
    """A sender type."""


def run(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run a coroutine to completion on a fresh event loop."""
    return asyncio.run(coroutine)


def rendezvous(
    log: list[str],
) -> tuple[Callable[..., Coroutine[Any, Any, str]], Callable[..., Coroutine[Any, Any, str]]]:
    """Two async receivers that each wait for the other to start: they finish only when run
    concurrently; run one after another, the first times out."""
    first_started = asyncio.Event()
    second_started = asyncio.Event()

    async def first(sender: object, payload: Tick) -> str:
        log.append("first started")
        first_started.set()
        await asyncio.wait_for(second_started.wait(), WAIT)
        log.append("first done")
        return "first"

    async def second(sender: object, payload: Tick) -> str:
        log.append("second started")
        second_started.set()
        await asyncio.wait_for(first_started.wait(), WAIT)
        log.append("second done")
        return "second"

    return first, second


@pytest.fixture
def ticks() -> Signal[object, Any, Tick]:
    """A fresh signal carrying Tick."""
    return Signal("ticks", Tick)


def test_send_async_awaits_coroutine_receivers(ticks: Signal[object, Any, Tick]) -> None:
    """send_async() awaits coroutine receivers and returns their results."""

    async def receiver(sender: object, payload: Tick) -> int:
        await asyncio.sleep(0)
        return payload.n * 2

    with ticks.connected_to(receiver):
        results = run(ticks.send_async(None, n=21))
    assert results == [(receiver, 42)]


def test_send_async_calls_sync_receivers(ticks: Signal[object, Any, Tick]) -> None:
    """send_async() calls plain receivers and returns their results."""

    def receiver(sender: object, payload: Tick) -> str:
        return f"sync {payload.n}"

    with ticks.connected_to(receiver):
        results = run(ticks.send_async("s", n=1))
    assert results == [(receiver, "sync 1")]


def test_send_async_mixes_sync_and_async_receivers_in_order(
    ticks: Signal[object, Any, Tick],
) -> None:
    """Sync and async receivers run in priority/registration order."""
    log: list[str] = []

    async def slow(sender: object, payload: Tick) -> None:
        log.append("slow start")
        await asyncio.sleep(0.01)
        log.append("slow end")

    def quick(sender: object, payload: Tick) -> None:
        log.append("quick")

    def urgent(sender: object, payload: Tick) -> None:
        log.append("urgent")

    ticks.connect(slow)
    ticks.connect(quick)
    ticks.connect(urgent, priority=1)
    try:
        run(ticks.send_async(None, n=1))
    finally:
        for receiver in (slow, quick, urgent):
            ticks.disconnect(receiver)
    assert log == ["urgent", "slow start", "slow end", "quick"]


def test_send_async_is_sequential_by_default(ticks: Signal[object, Any, Tick]) -> None:
    """By default the second coroutine receiver starts only after the first finished."""
    log: list[str] = []
    first, second = rendezvous(log)
    with (
        ticks.connected_to(first),
        ticks.connected_to(second),
        pytest.raises(asyncio.TimeoutError),
    ):
        run(ticks.send_async(None, n=1))
    assert log == ["first started"]


def test_send_async_runs_concurrently_on_concurrent_signal() -> None:
    """A signal declared concurrent=True runs coroutine receivers concurrently."""
    concurrent = Signal("concurrent", Tick, concurrent=True)
    log: list[str] = []
    first, second = rendezvous(log)
    with concurrent.connected_to(first), concurrent.connected_to(second):
        results = run(concurrent.send_async(None, n=1))
    assert results == [(first, "first"), (second, "second")]
    assert log[:2] == ["first started", "second started"]


def test_send_async_payload_concurrent_true_overrides(ticks: Signal[object, Any, Tick]) -> None:
    """send_async_payload(..., concurrent=True) runs receivers concurrently for that send."""
    log: list[str] = []
    first, second = rendezvous(log)
    with ticks.connected_to(first), ticks.connected_to(second):
        results = run(ticks.send_async_payload(None, Tick(n=1), concurrent=True))
    assert [result for _, result in results] == ["first", "second"]


def test_send_async_payload_concurrent_false_overrides() -> None:
    """send_async_payload(..., concurrent=False) runs one after another on a concurrent signal."""
    concurrent = Signal("concurrent", Tick, concurrent=True)
    log: list[str] = []
    first, second = rendezvous(log)
    with (
        concurrent.connected_to(first),
        concurrent.connected_to(second),
        pytest.raises(asyncio.TimeoutError),
    ):
        run(concurrent.send_async_payload(None, Tick(n=1), concurrent=False))
    assert log == ["first started"]


def test_send_async_payload_delivers_the_prebuilt_instance(
    ticks: Signal[object, Any, Tick],
) -> None:
    """send_async_payload() hands receivers the given model instance itself."""
    seen: list[Tick] = []

    async def receiver(sender: object, payload: Tick) -> None:
        seen.append(payload)

    payload = Tick(n=3)
    with ticks.connected_to(receiver):
        run(ticks.send_async_payload(None, payload))
    assert seen == [payload]
    assert seen[0] is payload


def test_send_async_validates_before_any_receiver_runs(ticks: Signal[object, Any, Tick]) -> None:
    """send_async() with bad fields raises PayloadError and runs nobody."""
    calls: list[object] = []

    async def receiver(sender: object, payload: Tick) -> None:
        calls.append(payload)

    with ticks.connected_to(receiver), pytest.raises(PayloadError, match="ticks"):
        run(ticks.send_async(None, n="not a number"))
    assert calls == []


def test_send_async_coerces_fields_laxly(ticks: Signal[object, Any, Tick]) -> None:
    """send_async() validates like send(): "7" becomes 7."""
    seen: list[Tick] = []

    async def receiver(sender: object, payload: Tick) -> None:
        seen.append(payload)

    with ticks.connected_to(receiver):
        run(ticks.send_async(None, n="7"))
    assert seen == [Tick(n=7)]


def test_send_async_checks_the_sender_type() -> None:
    """send_async() from a sender of the wrong type raises SenderTypeError; nobody runs."""
    started = Signal("started", Tick, sender=App)
    calls: list[object] = []
    with (
        started.connected_to(lambda sender, payload: calls.append(sender)),
        pytest.raises(SenderTypeError),
    ):
        run(started.send_async("not an app", n=1))  # type: ignore[arg-type]
    assert calls == []


def test_send_async_rejects_positional_payload_arguments(
    ticks: Signal[object, Any, Tick],
) -> None:
    """send_async() takes the sender as its only positional argument; nobody runs."""
    calls: list[object] = []
    with (
        ticks.connected_to(lambda sender, payload: calls.append(sender)),
        pytest.raises(TypeError, match="ticks"),
    ):
        run(ticks.send_async(None, 1))
    assert calls == []


def test_send_async_respects_muted(ticks: Signal[object, Any, Tick]) -> None:
    """A muted signal's send_async() calls nobody and returns an empty list."""
    calls: list[object] = []
    with ticks.connected_to(lambda sender, payload: calls.append(sender)), ticks.muted():
        assert run(ticks.send_async(None, n=1)) == []
    assert calls == []


def test_send_async_filters_by_sender(ticks: Signal[object, Any, Tick]) -> None:
    """send_async() calls sender-specific receivers only for their sender."""

    async def receiver(sender: object, payload: Tick) -> str:
        return "app"

    with ticks.connected_to(receiver, "app"):
        assert run(ticks.send_async("app", n=1)) == [(receiver, "app")]
        assert run(ticks.send_async("other", n=1)) == []


# -- error policies ----------------------------------------------------------------------------


async def async_failing(sender: object, payload: Tick) -> None:
    raise ValueError("async boom")


def sync_failing(sender: object, payload: Tick) -> None:
    raise KeyError("sync boom")


def test_send_async_raise_policy_stops_at_first_error(ticks: Signal[object, Any, Tick]) -> None:
    """Under "raise" the first error propagates and later receivers do not run."""
    calls: list[str] = []

    async def late(sender: object, payload: Tick) -> None:
        calls.append("late")

    with (
        ticks.connected_to(async_failing),
        ticks.connected_to(late),
        pytest.raises(ValueError, match="async boom"),
    ):
        run(ticks.send_async(None, n=1))
    assert calls == []


@pytest.mark.parametrize("concurrent", [False, True])
def test_send_async_collect_policy_raises_all_failures(concurrent: bool) -> None:
    """Under "collect" every receiver runs, then ReceiverErrors carries all failures."""
    collecting = Signal("collecting", Tick, error_policy="collect", concurrent=concurrent)
    calls: list[str] = []

    async def fine(sender: object, payload: Tick) -> str:
        calls.append("fine")
        return "fine"

    with (
        collecting.connected_to(async_failing),
        collecting.connected_to(fine),
        collecting.connected_to(sync_failing),
        pytest.raises(ReceiverErrors) as info,
    ):
        run(collecting.send_async(None, n=1))
    assert calls == ["fine"]
    group = info.value
    assert group.receivers == (async_failing, sync_failing)
    assert [type(exc) for exc in group.exceptions] == [ValueError, KeyError]
    assert group.signal_name == "collecting"
    assert "async_failing" in group.exceptions[0].__notes__[0]


@pytest.mark.parametrize("concurrent", [False, True])
def test_send_async_log_policy_logs_and_goes_on(
    concurrent: bool, caplog: pytest.LogCaptureFixture
) -> None:
    """Under "log" failures are logged and the other receivers' results returned."""
    logging_signal = Signal("logging-signal", Tick, error_policy="log", concurrent=concurrent)

    async def fine(sender: object, payload: Tick) -> str:
        return "fine"

    with (
        logging_signal.connected_to(async_failing),
        logging_signal.connected_to(fine),
        caplog.at_level(logging.ERROR, logger="typedsignals"),
    ):
        results = run(logging_signal.send_async(None, n=1))
    assert results == [(fine, "fine")]
    [record] = caplog.records
    assert "logging-signal" in record.getMessage()
    assert "async_failing" in record.getMessage()
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], ValueError)


@pytest.mark.parametrize("policy", ["collect", "log"])
def test_send_async_payload_error_policy_overrides(
    ticks: Signal[object, Any, Tick], policy: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """send_async_payload(..., error_policy=...) overrides the signal's policy for that send."""
    calls: list[str] = []

    async def late(sender: object, payload: Tick) -> str:
        calls.append("late")
        return "late"

    with (
        ticks.connected_to(async_failing),
        ticks.connected_to(late),
        caplog.at_level(logging.ERROR, logger="typedsignals"),
    ):
        if policy == "collect":
            with pytest.raises(ReceiverErrors):
                run(ticks.send_async_payload(None, Tick(n=1), error_policy=policy))
        else:
            results = run(ticks.send_async_payload(None, Tick(n=1), error_policy=policy))
            assert results == [(late, "late")]
            assert len(caplog.records) == 1
    assert calls == ["late"]


def test_send_async_payload_raise_override_on_log_signal() -> None:
    """send_async_payload(..., error_policy="raise") fails fast on a "log" signal."""
    logging_signal = Signal("logging-signal", Tick, error_policy="log")
    calls: list[str] = []

    async def late(sender: object, payload: Tick) -> None:
        calls.append("late")

    with (
        logging_signal.connected_to(async_failing),
        logging_signal.connected_to(late),
        pytest.raises(ValueError, match="async boom"),
    ):
        run(logging_signal.send_async_payload(None, Tick(n=1), error_policy="raise"))
    assert calls == []


def test_send_async_concurrent_raise_policy_propagates_error() -> None:
    """Under "raise" a concurrent send_async() still propagates a receiver's error."""
    concurrent = Signal("concurrent", Tick, concurrent=True)

    async def fine(sender: object, payload: Tick) -> None:
        await asyncio.sleep(0)

    with (
        concurrent.connected_to(fine),
        concurrent.connected_to(async_failing),
        pytest.raises(ValueError, match="async boom"),
    ):
        run(concurrent.send_async(None, n=1))


def test_send_refuses_coroutine_receivers_before_running_any() -> None:
    """A sync send with a coroutine receiver connected raises and delivers nothing."""
    signal: Signal[object, [], EmptyPayload] = Signal("sync-send-async-receiver")
    calls: list[str] = []

    def first(sender: object, payload: EmptyPayload) -> None:
        calls.append("first")

    async def later(sender: object, payload: EmptyPayload) -> None:
        calls.append("later")

    signal.connect(first)
    signal.connect(later)
    try:
        with pytest.raises(ReceiverTypeError, match=r"send_async\(\).*nothing was delivered"):
            signal.send(None)
        assert calls == []
    finally:
        signal.disconnect(first)
        signal.disconnect(later)


def test_send_async_still_runs_coroutine_receivers_flagged_for_sync_send() -> None:
    """The receivers that sync send refuses are awaited by send_async."""
    signal: Signal[object, [], EmptyPayload] = Signal("async-flagged")

    class Handler:
        async def __call__(self, sender: object, payload: EmptyPayload) -> str:
            return "awaited"

    handler = Handler()
    with signal.connected_to(handler):
        with pytest.raises(ReceiverTypeError, match="Handler"):
            signal.send(None)
        assert asyncio.run(signal.send_async(None)) == [(handler, "awaited")]
