"""Metrics per signal and receiver: counts, failures, times, switches, threads, async."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from typedsignals import Namespace, Payload, ReceiverErrors, Signal, TypedSignalsError, metrics
from typedsignals._metrics import BUCKET_BOUNDS_NS, Cells, Shard
from typedsignals.metrics import BUCKET_BOUNDS, ReceiverMetrics, SignalMetrics
from typedsignals.observe import Middleware, ReceiverCall


class Ping(Payload):
    n: int


def double(sender: object, payload: Ping) -> int:
    return payload.n * 2


def negate(sender: object, payload: Ping) -> int:
    return -payload.n


def explode(sender: object, payload: Ping) -> int:
    raise ValueError(f"no {payload.n}")


def nap(sender: object, payload: Ping) -> None:
    time.sleep(0.005)


@pytest.fixture
def ping() -> Iterator[Signal[object, ..., Ping]]:
    """A fresh signal, measured for the test."""
    signal = Signal("metrics-ping", Ping)
    with metrics.enabled(signal):
        yield signal


def receiver_named(seen: SignalMetrics, function: Callable[..., Any]) -> ReceiverMetrics:
    name = f"{function.__module__}.{function.__qualname__}"
    return next(receiver for receiver in seen.receivers if receiver.name == name)


def test_counts_sends_and_calls_per_receiver(ping: Signal[object, ..., Ping]) -> None:
    """Every send and every receiver call of a measured signal is counted."""
    with ping.connected_to(double), ping.connected_to(negate):
        for n in range(3):
            assert ping.send(None, n=n) == [(double, 2 * n), (negate, -n)]
    seen = metrics.of(ping)
    assert (seen.name, seen.sends, seen.deliveries, seen.failures) == ("metrics-ping", 3, 6, 0)
    assert [(r.calls, r.timed_calls) for r in seen.receivers] == [(3, 3), (3, 3)]


def test_nothing_is_measured_while_off() -> None:
    """A signal nobody measures takes the plain send path and records nothing."""
    signal = Signal("metrics-off", Ping)
    with signal.connected_to(double):
        signal.send(None, n=1)
    assert signal._extras.meter is None
    assert signal._fail_fast
    assert metrics.of(signal).sends == 0
    assert not metrics.is_measured(signal)


def test_unheard_sends_are_not_counted(ping: Signal[object, ..., Ping]) -> None:
    """A send that reaches no receiver returns before any measuring."""
    ping.send(None, n=1)
    assert metrics.of(ping).sends == 0


def test_times_each_call(ping: Signal[object, ..., Ping]) -> None:
    """Total and longest time and the histogram reflect a receiver's real duration."""
    with ping.connected_to(nap):
        ping.send(None, n=1)
        ping.send(None, n=2)
    napping = receiver_named(metrics.of(ping), nap)
    assert napping.seconds_total >= 0.010
    assert 0.005 <= napping.seconds_max <= napping.seconds_total
    counts = napping.histogram.counts
    assert sum(counts) == napping.timed_calls == 2
    assert all(count == 0 for bound, count in zip(BUCKET_BOUNDS, counts) if bound < 0.005)


@given(st.integers(min_value=0, max_value=2**40))
def test_histogram_bucket_is_the_first_bound_at_least_the_duration(duration: int) -> None:
    """A duration lands in the exported bucket of the first bound not below it."""
    cells = Cells("r")
    cells.buckets[(duration - 1).bit_length()] += 1
    shard = Shard()
    shard.by_name["r"] = cells
    counts = metrics._receiver("r", [(cells, 0)]).histogram.counts
    expected = next(
        (index for index, bound in enumerate(BUCKET_BOUNDS_NS) if duration <= bound),
        len(BUCKET_BOUNDS_NS),
    )
    assert counts.index(1) == expected


def test_cumulative_counts_end_with_every_call() -> None:
    """Histogram.cumulative adds the buckets up, ending with the number of calls."""
    histogram = metrics.Histogram((1.0, 2.0), (1, 0, 3))
    assert histogram.cumulative() == (1, 1, 4)


@pytest.mark.parametrize("policy", ["raise", "collect", "log"])
def test_failures_are_counted_under_each_policy(
    ping: Signal[object, ..., Ping], policy: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """A receiver that raises counts as a call and a failure; later receivers still count."""
    ping.error_policy = policy
    with (
        ping.connected_to(explode),
        ping.connected_to(double),
        contextlib.suppress(ValueError, ReceiverErrors),
    ):
        ping.send(None, n=1)
    seen = metrics.of(ping)
    assert (receiver_named(seen, explode).calls, receiver_named(seen, explode).failures) == (1, 1)
    assert receiver_named(seen, double).calls == (0 if policy == "raise" else 1)
    assert seen.failures == 1


def outcome(signal: Signal[object, ..., Ping]) -> tuple[Any, ...]:
    """What a send does: its results, or the error's type, message, notes and receivers."""
    try:
        return ("ok", signal.send(None, n=3))
    except ReceiverErrors as errors:
        notes = [getattr(exc, "__notes__", []) for exc in errors.exceptions]
        return ("errors", str(errors), errors.receivers, notes)
    except ValueError as exc:
        return ("error", str(exc))


@pytest.mark.parametrize("policy", ["raise", "collect", "log"])
@pytest.mark.parametrize(
    "receivers",
    [(double, negate), (explode, double), (double, explode, negate, explode)],
    ids=["fine", "first-fails", "two-fail"],
)
def test_measured_sends_behave_as_plain_ones(
    policy: Any, receivers: tuple[Callable[..., Any], ...], caplog: pytest.LogCaptureFixture
) -> None:
    """The measured loop keeps the plain loop's results, errors and logs (its copy of it)."""
    seen: list[tuple[Any, ...]] = []
    for measured in (False, True):
        signal = Signal("metrics-same", Ping, error_policy=policy)
        for receiver in receivers:
            signal.connect(receiver)
        if measured:
            metrics.enable(signal)
        caplog.clear()
        seen.append((outcome(signal), [r.getMessage() for r in caplog.records]))
        for receiver in receivers:
            signal.disconnect(receiver)
    assert seen[0] == seen[1]
    assert signal._extras.meter is not None  # the second send was measured


def send_n(signal: Signal[object, ..., Ping], count: int) -> None:
    """Send ``count`` times, with ``n=0``."""
    for _ in range(count):
        signal.send(None, n=0)


def test_sampling_keeps_counts_exact(ping: Signal[object, ..., Ping]) -> None:
    """With time_every=4, every call is counted; the warm-up sends are all timed, then
    one send in four over each 64 gaps (their mean is exactly 4)."""
    metrics.enable(ping, time_every=4)
    with ping.connected_to(double), ping.connected_to(negate):
        send_n(ping, metrics.WARM_UP_SENDS)
        assert receiver_named(metrics.of(ping), double).timed_calls == metrics.WARM_UP_SENDS
        send_n(ping, 64 * 4 - 4)
        ping.connect(explode)
        for n in range(4):
            with pytest.raises(ValueError, match="no"):
                ping.send(None, n=n)
        ping.disconnect(explode)
    seen = metrics.of(ping)
    sends = metrics.WARM_UP_SENDS + 64 * 4
    assert seen.sends == sends
    assert [(r.name.rsplit(".", 1)[1], r.calls, r.failures) for r in seen.receivers] == [
        ("double", sends, 0),
        ("explode", 4, 4),
        ("negate", sends, 0),
    ]
    assert receiver_named(seen, negate).timed_calls == metrics.WARM_UP_SENDS + 64
    assert seen.deliveries == 2 * sends + 4


def test_the_default_samples_and_one_times_every_call(ping: Signal[object, ..., Ping]) -> None:
    """enable() samples (DEFAULT_TIME_EVERY) after the warm-up; time_every=1 times all."""
    sends = metrics.WARM_UP_SENDS + 64 * metrics.DEFAULT_TIME_EVERY
    with ping.connected_to(double):
        send_n(ping, sends)
        sampled = receiver_named(metrics.of(ping), double)
        metrics.reset(ping)
        metrics.enable(ping, time_every=1)
        send_n(ping, sends)
        exact = receiver_named(metrics.of(ping), double)
    assert (sampled.calls, sampled.timed_calls) == (sends, metrics.WARM_UP_SENDS + 64)
    assert (exact.calls, exact.timed_calls) == (sends, sends)
    assert sum(sampled.histogram.counts) == sampled.timed_calls
    assert sampled.estimated_seconds_total == pytest.approx(sampled.seconds_mean * sends)
    assert exact.estimated_seconds_total == exact.seconds_total


@pytest.mark.parametrize("every", [2, 4, 8])
def test_the_sample_has_no_period(ping: Signal[object, ..., Ping], every: int) -> None:
    """Sends every ``every``-th of which is special are sampled in every position: one
    timed send in exactly ``every`` would always, or never, catch the special ones."""
    metrics.enable(ping, time_every=every)
    timed_at: list[int] = []
    with ping.connected_to(double):
        send_n(ping, metrics.WARM_UP_SENDS)
        for index in range(64 * every):
            before = receiver_named(metrics.of(ping), double).timed_calls
            ping.send(None, n=index)
            if receiver_named(metrics.of(ping), double).timed_calls > before:
                timed_at.append(index)
    assert len(timed_at) == 64
    assert {index % every for index in timed_at} == set(range(every))


def test_a_budget_times_every_call(ping: Signal[object, ..., Ping]) -> None:
    """A slow-receiver budget overrides sampling: budgets need every call timed."""
    metrics.enable(ping, time_every=8)
    ping.slow_receiver_ms = 1000
    with ping.connected_to(double):
        send_n(ping, 3 * metrics.WARM_UP_SENDS)
    assert receiver_named(metrics.of(ping), double).timed_calls == 3 * metrics.WARM_UP_SENDS


def test_each_thread_warms_up(ping: Signal[object, ..., Ping]) -> None:
    """A thread's first sends are timed even when another thread is past its warm-up."""
    metrics.enable(ping, time_every=1000)
    with ping.connected_to(double):
        send_n(ping, 3 * metrics.WARM_UP_SENDS)
        worker = threading.Thread(target=send_n, args=(ping, metrics.WARM_UP_SENDS))
        worker.start()
        worker.join()
    seen = receiver_named(metrics.of(ping), double)
    # each thread's warm-up only: the first gap of 1000 is longer than 32 sends
    assert (seen.calls, seen.timed_calls) == (4 * metrics.WARM_UP_SENDS, 2 * metrics.WARM_UP_SENDS)


def test_threads_lose_no_count(ping: Signal[object, ..., Ping]) -> None:
    """Sends from several threads at once are all counted (per-thread shards)."""
    start = threading.Barrier(4)

    def worker() -> None:
        start.wait()
        for n in range(500):
            ping.send(None, n=n)

    with ping.connected_to(double):
        threads = [threading.Thread(target=worker) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    seen = metrics.of(ping)
    assert (seen.sends, receiver_named(seen, double).calls) == (2000, 2000)


def test_a_thread_per_task_keeps_shards_bounded(ping: Signal[object, ..., Ping]) -> None:
    """Threads started one after another, each sending once, keep a shard per thread id
    (ids are reused once a thread ends), not one per thread, and lose no count."""
    idents: set[int] = set()

    def task() -> None:
        idents.add(threading.get_ident())
        ping.send(None, n=0)

    with ping.connected_to(double):
        for _ in range(40):
            thread = threading.Thread(target=task)
            thread.start()
            thread.join()
    store = ping._extras.metrics_store
    assert store is not None
    assert set(store.shards) == idents
    seen = metrics.of(ping)
    assert (seen.sends, receiver_named(seen, double).calls) == (40, 40)


def test_namespace_switch_measures_its_signals_only() -> None:
    """enable(namespace) measures the namespace's signals, now and later, and no other."""
    accounts = Namespace("metrics-accounts")
    before = accounts.signal("metrics-before", Ping)
    outsider = Signal("metrics-outsider", Ping)
    with metrics.enabled(accounts):
        after = accounts.signal("metrics-after", Ping)
        assert [metrics.is_measured(s) for s in (before, after, outsider)] == [True, True, False]


def test_the_most_specific_switch_wins() -> None:
    """A signal switched off stays off under a measured namespace, until inherit()."""
    accounts = Namespace("metrics-specific")
    signal = accounts.signal("metrics-specific", Ping)
    with metrics.enabled(accounts):
        metrics.disable(signal)
        assert not metrics.is_measured(signal)
        metrics.inherit(signal)
        assert metrics.is_measured(signal)


def test_process_switch_measures_every_signal() -> None:
    """enable() with no target measures signals made before and after it."""
    before = Signal("metrics-process-before", Ping)
    with metrics.enabled():
        after = Signal("metrics-process-after", Ping)
        assert metrics.is_measured(before)
        assert metrics.is_measured(after)
    assert not metrics.is_measured(before)


def test_snapshot_lists_measured_signals_by_name(ping: Signal[object, ..., Ping]) -> None:
    """snapshot() holds every measured signal, sorted by name, including this one."""
    with ping.connected_to(double):
        ping.send(None, n=1)
    names = [seen.name for seen in metrics.snapshot()]
    assert "metrics-ping" in names
    assert names == sorted(names)


def test_reset_zeroes_the_counts(ping: Signal[object, ..., Ping]) -> None:
    """reset() starts the counts again from zero."""
    with ping.connected_to(double):
        ping.send(None, n=1)
        metrics.reset(ping)
        ping.send(None, n=2)
    assert metrics.of(ping).sends == 1


def test_reset_drops_signals_no_longer_measured() -> None:
    """After disable() and reset(), a signal leaves the snapshot."""
    signal = Signal("metrics-dropped", Ping)
    with metrics.enabled(signal), signal.connected_to(double):
        signal.send(None, n=1)
    assert signal in set(_measured())
    metrics.reset(signal)
    assert signal not in set(_measured())


def _measured() -> list[Signal[Any, ..., Any]]:
    from typedsignals import all_signals

    return [
        t for t in all_signals() if isinstance(t, Signal) and t._extras.metrics_store is not None
    ]


def test_async_sends_are_measured(ping: Signal[object, ..., Ping]) -> None:
    """send_async counts coroutine and plain receivers, and their failures."""

    async def later(sender: object, payload: Ping) -> int:
        await asyncio.sleep(0.002)
        return payload.n

    async def broken(sender: object, payload: Ping) -> None:
        raise ValueError("async")

    ping.error_policy = "collect"
    with (
        ping.connected_to(later),
        ping.connected_to(double),
        ping.connected_to(broken),
        pytest.raises(ReceiverErrors) as caught,
    ):
        asyncio.run(ping.send_async(None, n=2))
    assert caught.value.receivers == (broken,)
    seen = metrics.of(ping)
    assert seen.sends == 1
    assert receiver_named(seen, later).seconds_max >= 0.002
    assert (receiver_named(seen, broken).calls, receiver_named(seen, broken).failures) == (1, 1)


def test_async_results_name_the_receivers(ping: Signal[object, ..., Ping]) -> None:
    """A measured async send returns the receivers themselves, not timing wrappers."""
    with ping.connected_to(double):
        assert asyncio.run(ping.send_async(None, n=4)) == [(double, 8)]


@pytest.mark.parametrize("concurrent", [False, True])
def test_concurrent_async_sends_are_measured(
    ping: Signal[object, ..., Ping], concurrent: bool
) -> None:
    """Each receiver of a concurrent send_async is counted once."""

    async def later(sender: object, payload: Ping) -> int:
        await asyncio.sleep(0)
        return payload.n

    with ping.connected_to(later), ping.connected_to(double):
        asyncio.run(ping.send_async_payload(None, Ping(n=1), concurrent=concurrent))
    assert [r.calls for r in metrics.of(ping).receivers] == [1, 1]


def test_metrics_and_middleware_work_together(ping: Signal[object, ..., Ping]) -> None:
    """With middleware installed, metrics count the real receivers by name."""
    calls: list[str] = []

    class Seen(Middleware):
        def before(self, call: ReceiverCall) -> None:
            calls.append(call.receiver.__name__)

    middleware = Seen()
    ping.use_middleware(middleware)
    try:
        with ping.connected_to(double):
            assert ping.send(None, n=2) == [(double, 4)]
            ping.send(None, n=3)
    finally:
        ping.remove_middleware(middleware)
    assert calls == ["double", "double"]
    assert receiver_named(metrics.of(ping), double).calls == 2


class Owner:
    def __init__(self) -> None:
        self.seen: list[int] = []

    def on_ping(self, sender: object, payload: Ping) -> None:
        self.seen.append(payload.n)


def test_weakly_held_receivers_are_measured(ping: Signal[object, ..., Ping]) -> None:
    """A bound method (held weakly) is called and counted like any receiver."""
    owner = Owner()
    ping.connect(owner.on_ping)
    try:
        ping.send(None, n=5)
    finally:
        ping.disconnect(owner.on_ping)
    assert owner.seen == [5]
    assert receiver_named(metrics.of(ping), Owner.on_ping).calls == 1


def test_switches_refuse_other_targets() -> None:
    """A switch names what it takes when given something else."""
    with pytest.raises(TypeError, match="a Signal, a Namespace or None"):
        metrics.enable("signal-name")  # type: ignore[arg-type]


@pytest.mark.parametrize("every", [0, -1, True, 1.5])
def test_time_every_must_be_a_positive_int(every: Any) -> None:
    """time_every is checked when metrics are enabled."""
    with pytest.raises(ValueError, match="time_every must be a positive int"):
        metrics.enable(Signal("metrics-every", Ping), time_every=every)


def test_a_signal_keeps_at_most_29_attributes() -> None:
    """Observability state lives in _extras: a 30th attribute slows every read on 3.11."""
    signal = Signal("metrics-attributes", Ping, slow_receiver_ms=5)
    metrics.enable(signal)
    assert len(vars(signal)) <= 29


def test_sampled_counts_survive_a_nested_send_that_changes_receivers(
    ping: Signal[object, ..., Ping],
) -> None:
    """A receiver that connects another and resends, then fails, is counted right."""
    metrics.enable(ping, time_every=1000)  # past the warm-up, the sends here are untimed
    warm = metrics.WARM_UP_SENDS  # timed; the first gap after it is far longer than 2

    def connect_and_fail(sender: object, payload: Ping) -> None:
        if payload.n == 1:
            ping.connect(negate)
            ping.send(None, n=0)  # lines the shard up with a new dispatch
            raise ValueError("after the nested send")

    with ping.connected_to(connect_and_fail), ping.connected_to(double):
        send_n(ping, warm)  # n=0: no nested send yet
        with pytest.raises(ValueError, match="after the nested send"):
            ping.send(None, n=1)
        ping.disconnect(negate)
    seen = metrics.of(ping)
    counts = {r.name.rsplit(".", 1)[1]: (r.calls, r.failures) for r in seen.receivers}
    assert counts == {
        "connect_and_fail": (warm + 2, 1),
        "double": (warm + 1, 0),
        "negate": (1, 0),
    }
    assert receiver_named(seen, negate).timed_calls == 0


class Fragile:
    """A bound-method receiver (held weakly) that can fail or be dropped mid-send."""

    def __init__(self, fail: bool) -> None:
        self.fail = fail

    def on_ping(self, sender: object, payload: Ping) -> int:
        if self.fail:
            raise ValueError(f"fragile {payload.n}")
        return payload.n


def weak_outcome(measured: bool, policy: Any, fail: bool, drop: bool) -> tuple[Any, ...]:
    """Send to [dropper, fragile.on_ping, double]: the first receiver may drop the only
    reference to the weakly held second one; returns what the send did and the calls."""
    signal = Signal("metrics-weak", Ping, error_policy=policy)
    holder = [Fragile(fail)]

    def dropper(sender: object, payload: Ping) -> None:
        if drop:
            holder.clear()
            gc.collect()

    signal.connect(dropper)
    signal.connect(holder[0].on_ping)
    signal.connect(double)
    try:
        if measured:
            metrics.enable(signal)
        try:
            result: tuple[Any, ...] = (
                "ok",
                [(getattr(r, "__name__", None), v) for r, v in signal.send(None, n=3)],
            )
        except ReceiverErrors as errors:
            result = ("errors", str(errors))
        except ValueError as exc:
            result = ("error", str(exc))
        seen = metrics.of(signal).receivers if measured else ()
        calls = sorted((r.name.rpartition(".")[2], r.calls, r.failures) for r in seen if r.calls)
        return result, calls, len(signal.connections())
    finally:
        metrics.inherit(signal)
        signal.disconnect(dropper)
        signal.disconnect(double)
        for receiver in [h.on_ping for h in holder]:
            signal.disconnect(receiver)


@pytest.mark.parametrize("policy", ["raise", "collect", "log"])
@pytest.mark.parametrize(("fail", "drop"), [(True, False), (False, True)], ids=["fails", "dies"])
def test_measured_weak_receivers_behave_as_plain_ones(policy: Any, fail: bool, drop: bool) -> None:
    """With weakly held receivers (the measured loop's slower branch), a failing one and
    one whose owner dies during the send give the plain loop's results and errors."""
    plain, _, plain_left = weak_outcome(False, policy, fail, drop)
    measured, calls, measured_left = weak_outcome(True, policy, fail, drop)
    assert measured == plain
    assert measured_left == plain_left
    names = {name: (n, failures) for name, n, failures in calls}
    if drop:  # the dead receiver was not called, and is gone from the signal
        assert "on_ping" not in names
        assert plain_left == 2
    elif policy == "raise":  # the failure stopped the send: double never ran
        assert names["on_ping"] == (1, 1)
        assert "double" not in names
    else:
        assert names["on_ping"] == (1, 1)
        assert names["double"] == (1, 0)


def test_measured_sync_send_refuses_coroutine_receivers_as_plain_does() -> None:
    """A coroutine receiver makes a measured sync send fail as a plain one does, before
    any receiver runs."""

    async def later(sender: object, payload: Ping) -> None: ...

    messages = []
    for measured in (False, True):
        signal = Signal("metrics-async-refused", Ping, error_policy="collect")
        signal.connect(double)
        signal.connect(later)
        if measured:
            metrics.enable(signal)
        try:
            with pytest.raises(TypedSignalsError) as caught:
                signal.send(None, n=1)
            messages.append((type(caught.value), str(caught.value)))
            if measured:
                assert all(r.calls == 0 for r in metrics.of(signal).receivers)
        finally:
            metrics.inherit(signal)
            signal.disconnect(double)
            signal.disconnect(later)
    assert messages[0] == messages[1]


def test_interrupt_after_a_collected_failure_is_reported_when_measured() -> None:
    """A KeyboardInterrupt after a failure under "collect" carries the failure's note, and
    the failure is counted."""

    def interrupt(sender: object, payload: Ping) -> None:
        raise KeyboardInterrupt

    owner = Owner()  # a bound method: the measured loop's branch for weak receivers
    signal = Signal("metrics-interrupted", Ping, error_policy="collect")
    signal.connect(explode)
    signal.connect(owner.on_ping)
    signal.connect(interrupt)
    metrics.enable(signal)
    try:
        with pytest.raises(KeyboardInterrupt) as caught:
            signal.send(None, n=4)
        notes = " ".join(getattr(caught.value, "__notes__", []))
        assert "no 4" in notes
        failed = receiver_named(metrics.of(signal), explode)
        assert (failed.calls, failed.failures) == (1, 1)
        assert owner.seen == [4]
    finally:
        metrics.inherit(signal)
        for receiver in (explode, owner.on_ping, interrupt):
            signal.disconnect(receiver)
