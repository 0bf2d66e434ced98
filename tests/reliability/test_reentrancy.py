"""Re-entrancy: receivers that send, connect, disconnect, mute or raise during a send.

The documented rule these tests pin: a send calls the receivers that were connected
when it started, in order (its *snapshot*). Receivers connected during the send are
called from the next send on; a receiver disconnected during the send (by itself or by
an earlier receiver) is still called by the send in progress, and by no later one. A
weakly held receiver whose owner dies during the send is skipped.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Callable
from typing import Any, Final

import pytest

from typedsignals import Payload, ReceiverErrors, Signal
from typedsignals._signal import ErrorPolicy

from .conftest import Figures

POLICIES: Final[list[ErrorPolicy]] = ["raise", "collect", "log"]


class Hop(Payload):
    """A send at some depth of a chain of re-entrant sends."""

    depth: int = 0


Hops = Signal[object, Any, Hop]


@pytest.fixture
def hops() -> Hops:
    return Signal("hops", Hop)


class Boom(Exception):
    """The failure the raising receivers raise."""


@pytest.mark.parametrize("limit", [1, 10, 200])
def test_receiver_sending_the_same_signal_recurses_to_its_bound(
    hops: Hops, limit: int, figures: Figures
) -> None:
    """A receiver that re-sends its own signal reaches every depth, depth first."""
    calls: list[tuple[str, int]] = []

    def before(sender: object, payload: Hop) -> None:
        calls.append(("before", payload.depth))
        if payload.depth < limit:
            hops.send(sender, depth=payload.depth + 1)

    def after(sender: object, payload: Hop) -> None:
        calls.append(("after", payload.depth))

    hops.connect(before)
    hops.connect(after)
    try:
        hops.send("app", depth=0)
    finally:
        hops.disconnect(before)
        hops.disconnect(after)
    figures(depth=limit, calls=len(calls))
    expected = [("before", d) for d in range(limit + 1)]
    expected += [("after", d) for d in reversed(range(limit + 1))]
    assert calls == expected


def test_receiver_awaiting_send_async_of_its_signal_recurses_to_its_bound(hops: Hops) -> None:
    """A coroutine receiver that awaits a re-send of its own signal reaches every depth."""
    depths: list[int] = []

    async def relay(sender: object, payload: Hop) -> None:
        depths.append(payload.depth)
        if payload.depth < 20:
            await hops.send_async(sender, depth=payload.depth + 1)

    with hops.connected_to(relay):
        asyncio.run(hops.send_async("app"))
    assert depths == list(range(21))


def test_receiver_disconnecting_itself_runs_once(hops: Hops) -> None:
    """A receiver that disconnects itself runs in this send, not the next; others run on."""
    calls: list[str] = []

    def first(sender: object, payload: Hop) -> None:
        calls.append("first")

    def once(sender: object, payload: Hop) -> None:
        calls.append("once")
        hops.disconnect(once)

    def last(sender: object, payload: Hop) -> None:
        calls.append("last")

    for receiver in (first, once, last):
        hops.connect(receiver)
    try:
        hops.send("app")
        hops.send("app")
    finally:
        for receiver in (first, last):
            hops.disconnect(receiver)
    assert calls == ["first", "once", "last", "first", "last"]
    assert hops.connection_count() == 0


def test_receiver_disconnected_by_an_earlier_receiver_runs_until_the_send_ends(
    hops: Hops,
) -> None:
    """A receiver disconnected by an earlier one still runs in this send, then never again."""
    calls: list[str] = []

    def victim(sender: object, payload: Hop) -> None:
        calls.append("victim")

    def killer(sender: object, payload: Hop) -> None:
        calls.append("killer")
        hops.disconnect(victim)

    hops.connect(killer)
    hops.connect(victim)
    try:
        hops.send("app")
        hops.send("app")
    finally:
        hops.disconnect(killer)
    assert calls == ["killer", "victim", "killer"]


@pytest.mark.parametrize("priority", [-1, 0, 1])
def test_receiver_connected_during_a_send_runs_from_the_next_send(
    hops: Hops, priority: int
) -> None:
    """A receiver connected during a send is not called by it, whatever its priority."""
    calls: list[tuple[str, int]] = []

    def latecomer(sender: object, payload: Hop) -> None:
        calls.append(("latecomer", payload.depth))

    def recruiter(sender: object, payload: Hop) -> None:
        calls.append(("recruiter", payload.depth))
        hops.connect(latecomer, priority=priority)

    hops.connect(recruiter)
    try:
        hops.send("app", depth=1)
        hops.send("app", depth=2)
    finally:
        hops.disconnect(recruiter)
        hops.disconnect(latecomer)
    assert ("latecomer", 1) not in calls
    assert sorted(calls) == [("latecomer", 2), ("recruiter", 1), ("recruiter", 2)]


def test_receiver_connected_during_a_send_hears_a_nested_send(hops: Hops) -> None:
    """A nested send started after the connect takes a new snapshot that includes it."""
    heard: list[int] = []

    def latecomer(sender: object, payload: Hop) -> None:
        heard.append(payload.depth)

    def recruiter(sender: object, payload: Hop) -> None:
        if payload.depth == 0:
            hops.connect(latecomer)
            hops.send(sender, depth=1)

    hops.connect(recruiter)
    try:
        hops.send("app", depth=0)
    finally:
        hops.disconnect(recruiter)
        hops.disconnect(latecomer)
    assert heard == [1]


def test_receiver_disconnecting_everyone_leaves_an_empty_table(hops: Hops) -> None:
    """A receiver that disconnects every receiver mid-send raises nothing and empties it."""
    receivers: list[Callable[[object, Hop], None]] = []

    def sweeper(sender: object, payload: Hop) -> None:
        for receiver in (*receivers, sweeper):
            hops.disconnect(receiver)

    receivers.extend(lambda s, p: None for _ in range(5))
    hops.connect(sweeper, priority=1)
    for receiver in receivers:
        hops.connect(receiver, "app")
    try:
        results = hops.send("app")
    finally:
        for receiver in (*receivers, sweeper):
            hops.disconnect(receiver)
    assert len(results) == 6
    assert hops.connection_count() == 0
    assert hops.send("app") == []


def test_weak_receiver_whose_owner_dies_during_the_send_is_skipped(hops: Hops) -> None:
    """A weakly held receiver whose owner dies during the send is not called."""
    calls: list[str] = []

    class Owner:
        def on_hop(self, sender: object, payload: Hop) -> None:
            calls.append("owner")

    owners = [Owner()]

    def killer(sender: object, payload: Hop) -> None:
        calls.append("killer")
        owners.clear()
        gc.collect()

    hops.connect(killer, priority=1)
    hops.connect(owners[0].on_hop)
    try:
        results = hops.send("app")
    finally:
        hops.disconnect(killer)
    assert calls == ["killer"]
    assert [receiver for receiver, _ in results] == [killer]
    assert hops.connection_count() == 0


def test_receiver_muting_its_signal_does_not_cut_the_send_short(hops: Hops) -> None:
    """Muting inside a receiver silences nested sends, not the rest of the current one."""
    calls: list[tuple[str, int]] = []

    def muter(sender: object, payload: Hop) -> None:
        calls.append(("muter", payload.depth))
        with hops.muted():
            assert hops.send(sender, depth=payload.depth + 1) == []

    def other(sender: object, payload: Hop) -> None:
        calls.append(("other", payload.depth))

    hops.connect(muter)
    hops.connect(other)
    try:
        hops.send("app")
    finally:
        hops.disconnect(muter)
        hops.disconnect(other)
    assert calls == [("muter", 0), ("other", 0)]
    assert not hops.is_muted


def three_receivers(
    sig: Signal[object, Any, Hop], error: Exception, calls: list[str]
) -> list[Callable[[object, Hop], str]]:
    """``before``, ``failing`` (raises ``error``) and ``after``, connected in that order."""

    def before(sender: object, payload: Hop) -> str:
        calls.append("before")
        return "before"

    def failing(sender: object, payload: Hop) -> str:
        calls.append("failing")
        raise error

    def after(sender: object, payload: Hop) -> str:
        calls.append("after")
        return "after"

    receivers: list[Callable[[object, Hop], str]] = [before, failing, after]
    for receiver in receivers:
        sig.connect(receiver)
    return receivers


def test_raising_receiver_under_raise_stops_the_send() -> None:
    """Under "raise" the receiver's own exception propagates and later receivers are skipped."""
    sig: Signal[object, Any, Hop] = Signal("policy-raise", Hop, error_policy="raise")
    error = Boom("receiver failed")
    calls: list[str] = []
    receivers = three_receivers(sig, error, calls)
    try:
        with pytest.raises(Boom) as caught:
            sig.send("app")
    finally:
        for receiver in receivers:
            sig.disconnect(receiver)
    assert caught.value is error
    assert calls == ["before", "failing"]


def test_raising_receiver_under_collect_lets_the_others_run() -> None:
    """Under "collect" every receiver runs, then the failure is raised in ReceiverErrors."""
    sig: Signal[object, Any, Hop] = Signal("policy-collect", Hop, error_policy="collect")
    error = Boom("receiver failed")
    calls: list[str] = []
    receivers = three_receivers(sig, error, calls)
    try:
        with pytest.raises(ReceiverErrors) as caught:
            sig.send("app")
    finally:
        for receiver in receivers:
            sig.disconnect(receiver)
    assert list(caught.value.exceptions) == [error]
    assert calls == ["before", "failing", "after"]


def test_raising_receiver_under_log_is_logged_and_skipped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Under "log" the failure is logged and the send returns the other results."""
    sig: Signal[object, Any, Hop] = Signal("policy-log", Hop, error_policy="log")
    error = Boom("receiver failed")
    calls: list[str] = []
    receivers = three_receivers(sig, error, calls)
    try:
        with caplog.at_level(logging.ERROR, logger="typedsignals"):
            results = sig.send("app")
    finally:
        for receiver in receivers:
            sig.disconnect(receiver)
    assert [result for _, result in results] == ["before", "after"]
    assert calls == ["before", "failing", "after"]
    assert [record.exc_info[1] for record in caplog.records if record.exc_info] == [error]


@pytest.mark.parametrize("outer", POLICIES)
@pytest.mark.parametrize("inner", POLICIES)
def test_failure_in_a_nested_send_is_reported_once(
    outer: ErrorPolicy, inner: ErrorPolicy, caplog: pytest.LogCaptureFixture
) -> None:
    """A receiver failing in a nested send is reported once, by whichever policy owns it."""
    outer_sig: Signal[object, Any, Hop] = Signal("outer", Hop, error_policy=outer)
    inner_sig: Signal[object, Any, Hop] = Signal("inner", Hop, error_policy=inner)
    error = Boom("nested failure")

    def failing(sender: object, payload: Hop) -> None:
        raise error

    def relay(sender: object, payload: Hop) -> str:
        inner_sig.send(sender)
        return "relayed"

    caught: BaseException | None = None
    with caplog.at_level(logging.ERROR, logger="typedsignals"):
        try:
            with inner_sig.connected_to(failing), outer_sig.connected_to(relay):
                outer_sig.send("app")
        except (Boom, ReceiverErrors) as exc:
            caught = exc
    leaves = _leaves(caught)
    reported = len(leaves) + len(caplog.records)
    assert reported == 1
    assert all(leaf is error for leaf in leaves)


def _leaves(exc: BaseException | None) -> list[BaseException]:
    if exc is None:
        return []
    if isinstance(exc, ReceiverErrors):
        return [leaf for sub in exc.exceptions for leaf in _leaves(sub)]
    return [exc]
