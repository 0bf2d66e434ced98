"""around_send_async wraps send_async; only a middleware's own exceptions name it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from typedsignals import ErrorPolicy, Payload, ReceiverErrors, Signal
from typedsignals.observe import Middleware, SendInfo, current_send


class Tick(Payload):
    n: int


class Timed(Middleware):
    """Records the send it wraps, what it saw current inside, and the results."""

    def __init__(self) -> None:
        self.log: list[str] = []

    async def around_send_async(
        self, send: SendInfo, proceed: Callable[[], Awaitable[list[tuple[Any, Any]]]]
    ) -> Any:
        self.log.append(f"start {send.signal.name} {send.receivers}")
        results = await proceed()
        self.log.append(f"end {[result for _, result in results]}")
        return results


async def slow_double(sender: object, payload: Tick) -> int:
    await asyncio.sleep(0)
    return payload.n * 2


def test_around_send_async_wraps_the_whole_async_send() -> None:
    """The hook runs once per send_async, around every receiver, and sees the results."""
    signal = Signal("async-wrapped", Tick)
    timed = Timed()
    signal.use_middleware(timed)
    with signal.connected_to(slow_double):
        results = asyncio.run(signal.send_async(None, n=4))
    assert [result for _, result in results] == [8]
    assert [receiver for receiver, _ in results] == [slow_double]
    assert timed.log == ["start async-wrapped 1", "end [8]"]


def test_around_send_async_can_replace_the_results() -> None:
    """What the hook returns is what send_async returns."""

    class Hide(Middleware):
        async def around_send_async(
            self, send: SendInfo, proceed: Callable[[], Awaitable[list[tuple[Any, Any]]]]
        ) -> Any:
            await proceed()
            return []

    signal = Signal("async-hidden", Tick)
    signal.use_middleware(Hide())
    with signal.connected_to(slow_double):
        assert asyncio.run(signal.send_async(None, n=1)) == []


def test_the_send_is_not_current_in_around_send_async() -> None:
    """Inside the hook, before proceeding, the send is not yet current: its caller's is."""
    seen: list[SendInfo | None] = []

    class Peek(Middleware):
        async def around_send_async(
            self, send: SendInfo, proceed: Callable[[], Awaitable[list[tuple[Any, Any]]]]
        ) -> Any:
            seen.append(current_send())
            return await proceed()

    signal = Signal("async-peek", Tick)
    signal.use_middleware(Peek())
    with signal.connected_to(slow_double):
        asyncio.run(signal.send_async(None, n=1))
    assert seen == [None]


class Broken(Middleware):
    """Fails in its own hook."""

    async def around_send_async(
        self, send: SendInfo, proceed: Callable[[], Awaitable[list[tuple[Any, Any]]]]
    ) -> Any:
        raise RuntimeError("metrics store is down")


class Translate(Middleware):
    """Raises its own exception in place of the receiver's."""

    def around_receiver(self, call: Any, proceed: Callable[[], Any]) -> Any:
        try:
            return proceed()
        except ValueError as exc:
            raise LookupError("translated") from exc


def test_failing_around_send_async_is_named() -> None:
    """An exception the hook raises itself carries a note naming the middleware."""
    signal = Signal("async-broken", Tick)
    signal.use_middleware(Broken())
    with signal.connected_to(slow_double), pytest.raises(RuntimeError) as caught:
        asyncio.run(signal.send_async(None, n=1))
    assert getattr(caught.value, "__notes__", []) == [
        "raised in middleware Broken.around_send_async"
    ]


async def fail(sender: object, payload: Tick) -> None:
    raise ValueError(f"tick {payload.n}")


def explode(sender: object, payload: Tick) -> None:
    raise ValueError(f"tick {payload.n}")


def test_receiver_exception_is_not_blamed_on_async_middleware() -> None:
    """A receiver's exception passes through around_send_async with no middleware note."""
    signal = Signal("async-blameless", Tick)
    signal.use_middleware(Timed())
    with signal.connected_to(fail), pytest.raises(ValueError, match="tick 2") as caught:
        asyncio.run(signal.send_async(None, n=2))
    assert getattr(caught.value, "__notes__", []) == []


@pytest.mark.parametrize("policy", ["raise", "collect"])
def test_receiver_exception_is_not_blamed_on_sync_middleware(policy: ErrorPolicy) -> None:
    """What a send raises for its receivers names no middleware it passed through."""
    signal = Signal("sync-blameless", Tick, error_policy=policy)
    signal.use_middleware(Middleware())
    with signal.connected_to(explode), pytest.raises((ValueError, ReceiverErrors)) as caught:
        signal.send(None, n=3)
    notes = [
        note
        for exc in [caught.value, *getattr(caught.value, "exceptions", [])]
        for note in getattr(exc, "__notes__", [])
    ]
    assert not [note for note in notes if "middleware" in note]


def test_exception_translated_by_a_middleware_names_it() -> None:
    """An exception a middleware raises in place of the receiver's is noted as its own."""

    signal = Signal("sync-translated", Tick)
    signal.use_middleware(Translate())
    with signal.connected_to(explode), pytest.raises(LookupError) as caught:
        signal.send(None, n=1)
    notes = getattr(caught.value, "__notes__", [])
    assert notes == ["raised in middleware Translate.around_receiver"]
