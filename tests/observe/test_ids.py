"""Causality ids: observe.track_ids(), current_send() in receivers, ids in log records."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

import pytest

from typedsignals import Payload, Signal
from typedsignals._observe import chain_for
from typedsignals.observe import (
    Middleware,
    ReceiverCall,
    SendIdFilter,
    SendIds,
    SendInfo,
    current_send,
    track_ids,
)


class Step(Payload):
    n: int


outer = Signal("ids-outer", Step)
inner = Signal("ids-inner", Step)


@pytest.fixture
def ids() -> Iterator[None]:
    """Ids on for the test, off after it."""
    track_ids()
    try:
        yield
    finally:
        track_ids(False)


def ids_of(send: SendInfo | None) -> tuple[int, int | None]:
    assert send is not None, "no send is current in the receiver"
    return send.id, send.parent_id


def test_without_ids_a_plain_send_has_no_current_send() -> None:
    """With nothing installed, sends carry no ids (the free path)."""
    seen: list[SendInfo | None] = []
    with outer.connected_to(lambda sender, payload: seen.append(current_send())):
        outer.send(None, n=1)
    assert seen == [None]


def test_track_ids_gives_each_send_an_id_and_its_parent(ids: None) -> None:
    """A receiver sees its send's id; a send it makes names that id as its parent."""
    seen: dict[str, tuple[int, int | None]] = {}

    def relay(sender: object, payload: Step) -> None:
        seen["outer"] = ids_of(current_send())
        inner.send(sender, n=payload.n)

    def last(sender: object, payload: Step) -> None:
        seen["inner"] = ids_of(current_send())

    with outer.connected_to(relay), inner.connected_to(last):
        outer.send(None, n=1)
        first = seen["outer"][0]
        outer.send(None, n=2)
    outer_id, outer_parent = seen["outer"]
    inner_id, inner_parent = seen["inner"]
    assert outer_parent is None
    assert inner_parent == outer_id
    assert len({first, outer_id, inner_id}) == 3
    assert current_send() is None


def test_ids_survive_awaits_and_concurrent_receivers(ids: None) -> None:
    """Coroutine receivers read their send's ids after awaiting, each in its own task."""
    seen: list[tuple[str, tuple[int, int | None]]] = []

    async def relay(sender: object, payload: Step) -> None:
        await asyncio.sleep(0.01 * (payload.n % 2))
        seen.append(("relay", ids_of(current_send())))
        await inner.send_async(sender, n=payload.n)

    async def last(sender: object, payload: Step) -> None:
        await asyncio.sleep(0)
        seen.append((f"last{payload.n}", ids_of(current_send())))

    async def main() -> None:
        await asyncio.gather(*(outer.send_async(None, n=n) for n in range(4)))

    with outer.connected_to(relay), inner.connected_to(last):
        asyncio.run(main())
    relays = {send_id for name, (send_id, _) in seen if name == "relay"}
    parents = {parent for name, (_, parent) in seen if name.startswith("last")}
    assert len(relays) == 4
    assert parents == relays


def test_concurrent_receivers_share_their_send(ids: None) -> None:
    """Receivers run concurrently by one send all see that send's id."""
    seen: list[int] = []

    async def a(sender: object, payload: Step) -> None:
        await asyncio.sleep(0)
        seen.append(ids_of(current_send())[0])

    async def b(sender: object, payload: Step) -> None:
        seen.append(ids_of(current_send())[0])

    with outer.connected_to(a), outer.connected_to(b):
        asyncio.run(outer.send_async_payload(None, Step(n=1), concurrent=True))
    assert len(seen) == 2
    assert len(set(seen)) == 1


def fail(sender: object, payload: Step) -> None:
    raise RuntimeError(f"step {payload.n} failed")


def test_log_policy_records_carry_the_send_ids(ids: None, caplog: pytest.LogCaptureFixture) -> None:
    """The "log" policy's record names the failing send and its parent."""
    soft = Signal("ids-soft", Step, error_policy="log")
    seen: list[tuple[int, int | None]] = []

    def relay(sender: object, payload: Step) -> None:
        seen.append(ids_of(current_send()))
        soft.send(sender, n=payload.n)

    with outer.connected_to(relay), soft.connected_to(fail), caplog.at_level(logging.ERROR):
        outer.send(None, n=3)
    (record,) = [r for r in caplog.records if "ids-soft" in r.getMessage()]
    assert record.name == "typedsignals"
    assert record.parent_send_id == seen[0][0]  # type: ignore[attr-defined]
    assert isinstance(record.send_id, int)  # type: ignore[attr-defined]
    assert record.send_id != seen[0][0]  # type: ignore[attr-defined]


def test_async_log_policy_records_carry_the_send_id(
    ids: None, caplog: pytest.LogCaptureFixture
) -> None:
    """A failure logged by send_async's "log" policy names the send it happened in."""
    soft = Signal("ids-soft-async", Step, error_policy="log")
    seen: list[int] = []

    async def note(sender: object, payload: Step) -> None:
        seen.append(ids_of(current_send())[0])

    with soft.connected_to(note), soft.connected_to(fail), caplog.at_level(logging.ERROR):
        asyncio.run(soft.send_async(None, n=4))
    (record,) = [r for r in caplog.records if "ids-soft-async" in r.getMessage()]
    assert record.send_id == seen[0]  # type: ignore[attr-defined]
    assert record.parent_send_id is None  # type: ignore[attr-defined]


def test_records_outside_a_send_carry_none(ids: None, caplog: pytest.LogCaptureFixture) -> None:
    """A typedsignals record made outside any send has send_id None, so formats never fail."""
    with caplog.at_level(logging.INFO, logger="typedsignals"):
        logging.getLogger("typedsignals").info("between sends")
    (record,) = caplog.records
    assert record.send_id is None  # type: ignore[attr-defined]
    assert record.parent_send_id is None  # type: ignore[attr-defined]


def test_track_ids_false_turns_both_off(caplog: pytest.LogCaptureFixture) -> None:
    """track_ids(False) removes the ids and the log filter; track_ids twice installs once."""
    track_ids()
    track_ids()
    track_ids(False)
    seen: list[SendInfo | None] = []
    with outer.connected_to(lambda sender, payload: seen.append(current_send())):
        outer.send(None, n=1)
    with caplog.at_level(logging.INFO, logger="typedsignals"):
        logging.getLogger("typedsignals").info("after")
    assert seen == [None]
    assert not hasattr(caplog.records[0], "send_id")


def test_send_ids_on_one_signal(caplog: pytest.LogCaptureFixture) -> None:
    """SendIds on one signal gives ids to its sends only; SendIdFilter tags any logger."""
    middleware = SendIds()
    inner.use_middleware(middleware)
    logger = logging.getLogger("ids-test-app")
    tagger = SendIdFilter()
    logger.addFilter(tagger)
    seen: list[SendInfo | None] = []

    def note(sender: object, payload: Step) -> None:
        seen.append(current_send())
        logger.warning("in %s", payload.n)

    try:
        with outer.connected_to(note), inner.connected_to(note), caplog.at_level(logging.INFO):
            outer.send(None, n=1)
            inner.send(None, n=2)
    finally:
        inner.remove_middleware(middleware)
        logger.removeFilter(tagger)
    assert seen[0] is None
    assert seen[1] is not None
    assert [r.send_id for r in caplog.records] == [None, seen[1].id]  # type: ignore[attr-defined]


class Counting(Middleware):
    """A middleware with one hook: its chain is not bare."""

    def __init__(self) -> None:
        self.calls = 0

    def before(self, call: ReceiverCall) -> None:
        self.calls += 1


def test_ids_alone_call_the_receivers_unwrapped(ids: None) -> None:
    """With only SendIds installed, receivers run as themselves: send returns them, and
    their exceptions carry no middleware note."""

    def echo(sender: object, payload: Step) -> int:
        assert current_send() is not None
        return payload.n

    def broken(sender: object, payload: Step) -> None:
        raise LookupError("broken")

    with outer.connected_to(echo):
        assert outer.send(None, n=3) == [(echo, 3)]
    with outer.connected_to(broken), pytest.raises(LookupError) as caught:
        outer.send(None, n=3)
    assert not getattr(caught.value, "__notes__", [])


def test_chain_is_bare_only_without_hooks() -> None:
    """A chain of SendIds is bare; one middleware with a hook makes it a wrapping chain."""
    counting = Counting()
    bare = chain_for([SendIds()], ())
    wrapping = chain_for([SendIds(), counting], ())
    assert bare is not None
    assert bare.bare
    assert wrapping is not None
    assert not wrapping.bare
    assert chain_for([], ()) is None
    patched = SendIds()
    patched.before = lambda call: None  # type: ignore[method-assign]
    assert not chain_for([patched], ()).bare  # type: ignore[union-attr]
    outer.use_middleware(SendIds())
    outer.use_middleware(counting)
    try:
        with outer.connected_to(lambda sender, payload: current_send()):
            ((_, send),) = outer.send(None, n=1)
    finally:
        for middleware in outer._extras.middleware[:]:
            outer.remove_middleware(middleware)
    assert isinstance(send, SendInfo)
    assert counting.calls == 1


def test_ids_alone_in_async_sends_and_with_metrics(ids: None) -> None:
    """The bare path gives ids to async sends too, and metrics still count under it."""
    from typedsignals import metrics

    async def later(sender: object, payload: Step) -> int | None:
        await asyncio.sleep(0)
        send = current_send()
        return None if send is None else send.id

    def plain(sender: object, payload: Step) -> None: ...

    with outer.connected_to(later):
        ((_, first),) = asyncio.run(outer.send_async(None, n=1))
    assert isinstance(first, int)
    with metrics.enabled(outer), outer.connected_to(plain):
        outer.send(None, n=1)
        outer.send(None, n=2)
        assert metrics.of(outer).sends == 2
