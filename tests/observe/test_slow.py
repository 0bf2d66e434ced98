"""Slow-receiver budgets: per signal, per namespace and per process; warnings name all."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Iterator
from typing import Any

import pytest

from typedsignals import Namespace, Payload, ReceiverErrors, Signal, SignalDefinitionError, signal
from typedsignals.observe import set_slow_receiver_ms, slow_receiver_ms


class Job(Payload):
    n: int


def sluggish(sender: object, payload: Job) -> None:
    time.sleep(0.004)


def brisk(sender: object, payload: Job) -> int:
    return payload.n


@pytest.fixture
def warnings(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """The WARNING records of the typedsignals logger."""
    with caplog.at_level(logging.WARNING, logger="typedsignals"):
        yield caplog


def slow_messages(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == "typedsignals" and record.levelno == logging.WARNING
    ]


def send_once(job: Signal[object, ..., Job]) -> None:
    with job.connected_to(sluggish), job.connected_to(brisk):
        job.send(None, n=1)


def test_a_receiver_over_budget_logs_a_warning(warnings: pytest.LogCaptureFixture) -> None:
    """The warning names the signal, the receiver and the time it took."""
    job = Signal("slow-job", Job, slow_receiver_ms=1)
    send_once(job)
    [message] = slow_messages(warnings)
    assert "signal 'slow-job'" in message
    assert f"{__name__}.sluggish" in message
    took = float(message.split(" took ")[1].split(" ms")[0])
    assert took >= 4.0
    assert "budget 1.0 ms" in message


def test_receivers_within_budget_log_nothing(warnings: pytest.LogCaptureFixture) -> None:
    """A generous budget logs nothing."""
    send_once(Signal("slow-generous", Job, slow_receiver_ms=10_000))
    assert slow_messages(warnings) == []


def test_no_budget_costs_nothing() -> None:
    """Without a budget (and metrics) the signal keeps its inline send path."""
    job = Signal("slow-none", Job)
    assert inline(job)
    job.slow_receiver_ms = 5
    assert not inline(job)
    job.slow_receiver_ms = None
    assert inline(job)


def inline(job: Signal[object, ..., Job]) -> bool:
    """Whether sends call the receivers inline: no meter, fail-fast path."""
    return job._extras.meter is None and job._fail_fast


def test_namespace_default_applies(warnings: pytest.LogCaptureFixture) -> None:
    """A namespace's budget applies to its signals that set none."""
    jobs = Namespace("slow-jobs", slow_receiver_ms=1)
    send_once(jobs.signal("slow-ns", Job))
    assert len(slow_messages(warnings)) == 1


def test_a_signal_budget_overrides_the_namespace(warnings: pytest.LogCaptureFixture) -> None:
    """The signal's own budget wins over its namespace's; math.inf means none."""
    jobs = Namespace("slow-jobs-2", slow_receiver_ms=1)
    send_once(jobs.signal("slow-own", Job, slow_receiver_ms=math.inf))
    assert slow_messages(warnings) == []


def test_setting_a_namespace_budget_later_applies(warnings: pytest.LogCaptureFixture) -> None:
    """Changing a namespace's budget re-picks its signals' send paths."""
    jobs = Namespace("slow-jobs-3")
    job = jobs.signal("slow-later", Job)
    jobs.slow_receiver_ms = 1
    send_once(job)
    assert len(slow_messages(warnings)) == 1


def test_process_default_applies(warnings: pytest.LogCaptureFixture) -> None:
    """set_slow_receiver_ms sets the budget of every signal without its own."""
    job = Signal("slow-process", Job)
    previous = set_slow_receiver_ms(1)
    try:
        assert slow_receiver_ms() == 1
        send_once(job)
    finally:
        set_slow_receiver_ms(previous)
    assert len(slow_messages(warnings)) == 1
    assert job._extras.meter is None


def test_module_level_signal_takes_a_budget() -> None:
    """The module-level signal() passes slow_receiver_ms to the declaration."""
    assert signal("slow-module-level", Job, slow_receiver_ms=2.5).slow_receiver_ms == 2.5


def test_redeclaring_with_another_budget_is_refused() -> None:
    """A namespace refuses to redeclare a signal with a different budget, naming it."""
    jobs = Namespace("slow-jobs-4")
    jobs.signal("slow-redeclared", Job, slow_receiver_ms=5)
    with pytest.raises(SignalDefinitionError, match="slow_receiver_ms"):
        jobs.signal("slow-redeclared", Job, slow_receiver_ms=6)


@pytest.mark.parametrize("bad", [-1, "5", True, math.nan])
def test_a_bad_budget_is_refused(bad: Any) -> None:
    """A budget that is not a number of milliseconds >= 0 fails, naming the signal."""
    with pytest.raises(ValueError, match="signal 'slow-bad': slow_receiver_ms must be"):
        Signal("slow-bad", Job, slow_receiver_ms=bad)


def test_async_receivers_over_budget_log(warnings: pytest.LogCaptureFixture) -> None:
    """A coroutine receiver over budget in send_async logs the same warning."""

    async def dawdle(sender: object, payload: Job) -> None:
        await asyncio.sleep(0.004)

    job = Signal("slow-async", Job, slow_receiver_ms=1)
    with job.connected_to(dawdle):
        asyncio.run(job.send_async(None, n=1))
    [message] = slow_messages(warnings)
    assert "dawdle" in message
    assert "signal 'slow-async'" in message


def test_failing_receivers_over_budget_log(warnings: pytest.LogCaptureFixture) -> None:
    """A receiver that is slow and then raises is reported as slow too."""

    def slow_failure(sender: object, payload: Job) -> None:
        time.sleep(0.004)
        raise ValueError("late")

    job = Signal("slow-failing", Job, slow_receiver_ms=1, error_policy="collect")
    with job.connected_to(slow_failure), pytest.raises(ReceiverErrors):
        job.send(None, n=1)
    assert len(slow_messages(warnings)) == 1
