"""Receiver failures: "collect" reports each one once, "log" logs each with a traceback.

Under "collect" a send raises one :class:`~typedsignals.ReceiverErrors` after every
receiver ran: its exceptions are the very objects the receivers raised, in call order,
each with one note naming its receiver and the signal, and ``receivers`` lists the
failed receivers in the same order. Under "log" each failure is one ERROR record on the
``typedsignals`` logger, carrying the exception and its traceback.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable
from typing import Any, Final, Literal

import pytest

from typedsignals import Payload, ReceiverErrors, Signal
from typedsignals._signal import ErrorPolicy

from ._support import run_threads, scaled
from .conftest import Figures

RECEIVERS: Final = 12
"""Receivers per signal; every third one fails."""
ROUNDS: Final = scaled(200, 20_000)
THREADS: Final = 8
TIMEOUT: Final = scaled(60, 3_600)

Mode = Literal["send", "send_payload", "send_async", "send_async_concurrent"]
MODES: Final[list[Mode]] = ["send", "send_payload", "send_async", "send_async_concurrent"]
Holding = Literal["strong", "weak"]


class Job(Payload):
    n: int = 0


class ReceiverFailed(Exception):
    """Raised by a failing receiver; carries the receiver's index."""

    def __init__(self, index: int) -> None:
        super().__init__(f"receiver {index} failed")
        self.index = index


class Worker:
    """A receiver: ``handle`` for sync sends, ``handle_async`` (a coroutine) for async ones."""

    def __init__(self, index: int, calls: list[int]) -> None:
        self.index = index
        self.calls = calls
        self.fails = index % 3 == 1

    def handle(self, sender: object, payload: Job) -> object:
        self.calls.append(self.index)
        if self.fails:
            raise ReceiverFailed(self.index)
        # An exception *returned* is a result, never a failure.
        return ValueError(f"result of {self.index}")

    async def handle_async(self, sender: object, payload: Job) -> object:
        await asyncio.sleep(0)
        return self.handle(sender, payload)


def deliver(sig: Signal[object, Any, Job], mode: Mode) -> list[tuple[Callable[..., Any], Any]]:
    """Send one job the way ``mode`` says."""
    if mode == "send":
        return sig.send("app", n=1)
    if mode == "send_payload":
        return sig.send_payload("app", Job(n=1))
    if mode == "send_async":
        return asyncio.run(sig.send_async("app", n=1))
    return asyncio.run(sig.send_async_payload("app", Job(n=1), concurrent=True))


def connect_workers(
    sig: Signal[object, Any, Job], mode: Mode, holding: Holding, calls: list[int]
) -> tuple[list[Worker], list[Callable[..., Any]]]:
    """Connect RECEIVERS workers; return them and the receivers as connected."""
    workers = [Worker(i, calls) for i in range(RECEIVERS)]
    receivers: list[Callable[..., Any]] = [
        worker.handle_async if mode.startswith("send_async") and i % 2 else worker.handle
        for i, worker in enumerate(workers)
    ]
    for receiver in receivers:
        sig.connect(receiver, weak=holding == "weak")
    return workers, receivers


@pytest.mark.parametrize("holding", ["strong", "weak"])
@pytest.mark.parametrize("mode", MODES)
def test_collect_reports_every_failure_once_with_its_receiver(
    mode: Mode, holding: Holding, figures: Figures
) -> None:
    """Every failure is in ReceiverErrors once, in call order, with its receiver and note."""
    sig: Signal[object, Any, Job] = Signal("collect", Job, error_policy="collect")
    calls: list[int] = []
    workers, receivers = connect_workers(sig, mode, holding, calls)
    try:
        with pytest.raises(ReceiverErrors) as caught:
            deliver(sig, mode)
    finally:
        for receiver in receivers:
            sig.disconnect(receiver)
    group = caught.value
    failing = [i for i, worker in enumerate(workers) if worker.fails]
    errors = list(group.exceptions)
    figures(receivers=RECEIVERS, failures=len(failing), reported=len(errors))
    assert sorted(calls) == list(range(RECEIVERS))
    assert [exc.index for exc in errors if isinstance(exc, ReceiverFailed)] == failing
    assert len(errors) == len(failing)
    assert list(group.receivers) == [receivers[i] for i in failing]
    assert group.signal_name == "collect"
    assert f"{len(failing)} receivers of signal 'collect' failed" in str(group)
    for exc, receiver in zip(errors, group.receivers):
        assert getattr(exc, "__notes__", None) == [
            f"raised by receiver {receiver.__module__}.{receiver.__qualname__} of signal 'collect'"
        ]


def test_collect_split_keeps_each_failure_with_its_receiver() -> None:
    """Splitting ReceiverErrors (as except* does) keeps each failure with its receiver."""
    sig: Signal[object, Any, Job] = Signal("split", Job, error_policy="collect")

    def bad_value(sender: object, payload: Job) -> None:
        raise ValueError("value")

    def bad_key(sender: object, payload: Job) -> None:
        raise KeyError("key")

    def bad_value_again(sender: object, payload: Job) -> None:
        raise ValueError("value again")

    receivers = [bad_value, bad_key, bad_value_again]
    for receiver in receivers:
        sig.connect(receiver)
    try:
        with pytest.raises(ReceiverErrors) as caught:
            sig.send("app")
    finally:
        for receiver in receivers:
            sig.disconnect(receiver)
    values, keys = caught.value.split(ValueError)
    assert isinstance(values, ReceiverErrors)
    assert isinstance(keys, ReceiverErrors)
    assert (values.receivers, keys.receivers) == ((bad_value, bad_value_again), (bad_key,))
    assert (values.signal_name, keys.signal_name) == ("split", "split")


def test_collect_split_keeps_one_exception_object_raised_by_two_receivers_apart() -> None:
    """One exception object raised by two receivers stays paired with both after a split."""
    sig: Signal[object, Any, Job] = Signal("shared-error", Job, error_policy="collect")
    shared = ValueError("shared")

    def first(sender: object, payload: Job) -> None:
        raise shared

    def second(sender: object, payload: Job) -> None:
        raise shared

    with (
        sig.connected_to(first),
        sig.connected_to(second),
        pytest.raises(ReceiverErrors) as caught,
    ):
        sig.send("app")
    matched, _ = caught.value.split(ValueError)
    assert isinstance(matched, ReceiverErrors)
    assert list(matched.receivers) == [first, second]


def test_collect_does_not_pile_notes_on_a_reused_exception() -> None:
    """A prebuilt exception raised by a receiver on every send keeps one note, not one per send."""
    sig: Signal[object, Any, Job] = Signal("reused-error", Job, error_policy="collect")
    prebuilt = RuntimeError("service unavailable")

    def failing(sender: object, payload: Job) -> None:
        raise prebuilt

    with sig.connected_to(failing):
        for _ in range(100):
            with pytest.raises(ReceiverErrors):
                sig.send("app")
    assert len(getattr(prebuilt, "__notes__", ())) == 1


def test_collect_from_many_threads_loses_no_failure(figures: Figures) -> None:
    """Eight threads sending under collect each get exactly their own sends' failures."""
    sig: Signal[object, Any, Job] = Signal("collect-threads", Job, error_policy="collect")
    calls: list[int] = []
    workers = [Worker(i, calls) for i in range(RECEIVERS)]
    failing = [w.handle for w in workers if w.fails]
    reported = itertools.count()
    wrong: list[str] = []

    def send_all() -> None:
        for n in range(ROUNDS):
            try:
                sig.send("app", n=n)
            except ReceiverErrors as group:
                if list(group.receivers) != failing:
                    wrong.append(f"send {n}: receivers {group.receivers}")
                for _ in group.exceptions:
                    next(reported)
            else:
                wrong.append(f"send {n}: no ReceiverErrors")

    for worker in workers:
        sig.connect(worker.handle)
    try:
        errors = run_threads([send_all] * THREADS, timeout=TIMEOUT)
    finally:
        for worker in workers:
            sig.disconnect(worker.handle)
    expected = THREADS * ROUNDS * len(failing)
    count = next(reported)
    figures(threads=THREADS, sends=THREADS * ROUNDS, failures_expected=expected, reported=count)
    assert errors == []
    assert wrong == []
    assert count == expected
    assert len(calls) == THREADS * ROUNDS * RECEIVERS


@pytest.mark.parametrize("mode", MODES)
def test_log_logs_every_failure_with_a_traceback(
    mode: Mode, caplog: pytest.LogCaptureFixture, figures: Figures
) -> None:
    """Under log each failure is one ERROR record naming receiver and signal, with traceback."""
    sig: Signal[object, Any, Job] = Signal("logged", Job, error_policy="log")
    calls: list[int] = []
    workers, receivers = connect_workers(sig, mode, "strong", calls)
    try:
        with caplog.at_level(logging.ERROR, logger="typedsignals"):
            results = deliver(sig, mode)
    finally:
        for receiver in receivers:
            sig.disconnect(receiver)
    failing = [i for i, worker in enumerate(workers) if worker.fails]
    records = [r for r in caplog.records if r.name == "typedsignals"]
    figures(receivers=RECEIVERS, failures=len(failing), logged=len(records))
    assert [r.levelno for r in records] == [logging.ERROR] * len(failing)
    logged = [r.exc_info[1] for r in records if r.exc_info]
    assert [exc.index for exc in logged if isinstance(exc, ReceiverFailed)] == failing
    for record, index in zip(records, failing):
        text = caplog.handler.format(record)
        assert "Traceback (most recent call last)" in text
        assert "raise ReceiverFailed(self.index)" in text
        assert "'logged'" in record.getMessage()
        assert receivers[index].__qualname__ in record.getMessage()
    assert len(results) == RECEIVERS - len(failing)


@pytest.mark.parametrize("policy", ["raise", "collect", "log"])
@pytest.mark.parametrize("control", [KeyboardInterrupt, SystemExit])
def test_control_flow_exception_from_a_receiver_is_never_swallowed(
    policy: ErrorPolicy, control: type[BaseException]
) -> None:
    """KeyboardInterrupt and SystemExit from a receiver propagate at once under every policy."""
    sig: Signal[object, Any, Job] = Signal("control", Job, error_policy=policy)
    calls: list[str] = []

    def interrupted(sender: object, payload: Job) -> None:
        calls.append("interrupted")
        raise control

    def later(sender: object, payload: Job) -> None:
        calls.append("later")

    with sig.connected_to(interrupted), sig.connected_to(later), pytest.raises(control):
        sig.send("app")
    assert calls == ["interrupted"]
