"""Metrics per signal and per receiver: sends, deliveries, failures and time spent.

Off by default, and free while off: a signal picks its measured send path when metrics
are switched on for it, its namespace or the process, never inside a send.

Example:
    >>> from typedsignals import Signal, metrics
    >>> ping = Signal("metrics-ping")
    >>> def pong(sender: object, payload: object) -> None: ...
    >>> with metrics.enabled(ping), ping.connected_to(pong):
    ...     _ = ping.send(None)
    ...     _ = ping.send(None)
    >>> seen = metrics.of(ping)
    >>> seen.sends, seen.deliveries, [r.calls for r in seen.receivers]
    (2, 2, [2])

What is counted:

* ``sends``: sends that reached at least one receiver (a send nobody hears returns
  before any measuring, so that it stays nearly free);
* per receiver: ``calls`` (deliveries, failed ones included) and ``failures``, exact;
* the time of a sample of calls (``timed_calls``): their total and longest time and a
  latency histogram. Each thread times the first :data:`WARM_UP_SENDS` sends of a
  signal, then about one send in ``time_every`` (:data:`DEFAULT_TIME_EVERY`; the gaps
  between timed sends vary, so that a workload with a period of its own is still
  sampled evenly). ``enable(time_every=1)`` times every call: exact totals and maximum,
  at about twice the cost. :attr:`ReceiverMetrics.seconds_mean` and
  :attr:`ReceiverMetrics.estimated_seconds_total` read the sample. A call's time runs
  from the end of the previous receiver's call (one clock read per receiver boundary),
  so it includes about 0.1 us of the send's own bookkeeping; with middleware installed
  it includes the middleware's hooks;
* receivers are told apart by qualified name: receivers with the same name (two lambdas
  of one module) share their counters.

Thread safety: each thread counts in its own shard, so no increment is lost, with the
GIL or without it, and sends never lock. A snapshot adds the shards up while threads may
still be counting: each number is one that was true, but a snapshot taken during sends
is not one instant (a receiver's ``calls`` may already include a call whose time is not
yet in ``seconds_total``).

Exporters (optional extras, imported on first use): :func:`prometheus_collector` and
:func:`render_prometheus` (``typedsignals[prometheus]``), :func:`otel_instruments`
(``typedsignals[otel]``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from . import _metrics
from ._metrics import BUCKET_BOUNDS_NS, DEFAULT_TIME_EVERY, WARM_UP_SENDS, Cells, Store
from ._namespace import Namespace
from ._signal import Signal
from ._table import all_signals, refresh_settings
from ._typevars import M, P, S

if TYPE_CHECKING:
    from opentelemetry.metrics import MeterProvider
    from prometheus_client.registry import Collector

__all__ = [
    "BUCKET_BOUNDS",
    "DEFAULT_TIME_EVERY",
    "WARM_UP_SENDS",
    "Histogram",
    "ReceiverMetrics",
    "SignalMetrics",
    "disable",
    "enable",
    "enabled",
    "inherit",
    "is_measured",
    "of",
    "otel_instruments",
    "prometheus_collector",
    "render_prometheus",
    "reset",
    "snapshot",
]

BUCKET_BOUNDS: Final = tuple(bound / 1e9 for bound in BUCKET_BOUNDS_NS)
"""Upper bounds (seconds, ascending) of the latency histogram's buckets, before ``+Inf``:
powers of four from 256 ns (2**8 ns) to about 17 s (2**34 ns)."""

_Target = Signal[Any, ..., Any] | Namespace | None
"""What a switch applies to: one signal, a namespace's signals, or (None) the process."""


@dataclass(frozen=True)
class Histogram:
    """A latency histogram.

    Attributes:
        bounds: The buckets' upper bounds in seconds (:data:`BUCKET_BOUNDS`).
        counts: Calls per bucket, not cumulative: ``counts[i]`` took at most
            ``bounds[i]`` and more than ``bounds[i - 1]``; the last entry (one more than
            ``bounds``) counts calls longer than the last bound.
    """

    bounds: tuple[float, ...]
    counts: tuple[int, ...]

    def cumulative(self) -> tuple[int, ...]:
        """Calls at most each bound, then all calls (Prometheus' ``le`` buckets)."""
        running, out = 0, []
        for count in self.counts:
            running += count
            out.append(running)
        return tuple(out)


@dataclass(frozen=True)
class ReceiverMetrics:
    """What one receiver of one signal did.

    Attributes:
        name: The receiver's qualified name (``module.function``).
        calls: Calls made to it (deliveries), failed ones included: exact.
        failures: Calls that raised: exact.
        timed_calls: Calls that were timed: a sample of ``calls`` (see
            :func:`enable`'s ``time_every``), or all of them.
        seconds_total: Time spent in its timed calls.
        seconds_max: The longest timed call.
        histogram: The timed calls' latency histogram.
    """

    name: str
    calls: int
    failures: int
    timed_calls: int
    seconds_total: float
    seconds_max: float
    histogram: Histogram

    @property
    def seconds_mean(self) -> float:
        """The mean time of a call (over the timed ones); 0.0 before any was timed."""
        return self.seconds_total / self.timed_calls if self.timed_calls else 0.0

    @property
    def estimated_seconds_total(self) -> float:
        """Time spent in all its calls: the mean times ``calls`` (exact when every call
        was timed)."""
        return (
            self.seconds_total if self.timed_calls == self.calls else self.seconds_mean * self.calls
        )


@dataclass(frozen=True)
class SignalMetrics:
    """What one signal and its receivers did.

    Attributes:
        name: The signal's name.
        namespace: The name of the namespace that made it, or None.
        sends: Sends that reached at least one receiver: exact.
        deliveries: Receiver calls, over all receivers: exact.
        failures: Receiver calls that raised: exact.
        timed_calls: Receiver calls that were timed (all, or a sample).
        seconds_total: Time spent in the timed receiver calls.
        seconds_max: The longest timed receiver call.
        receivers: Each receiver's metrics, by name.
    """

    name: str
    namespace: str | None
    sends: int
    deliveries: int
    failures: int
    timed_calls: int
    seconds_total: float
    seconds_max: float
    receivers: tuple[ReceiverMetrics, ...]

    @property
    def seconds_mean(self) -> float:
        """The mean time of a receiver call (over the timed ones); 0.0 before any."""
        return self.seconds_total / self.timed_calls if self.timed_calls else 0.0

    @property
    def estimated_seconds_total(self) -> float:
        """Time spent in all receiver calls: each receiver's
        :attr:`~ReceiverMetrics.estimated_seconds_total`, added up."""
        return sum(receiver.estimated_seconds_total for receiver in self.receivers)


# -- switches -------------------------------------------------------------------------


def enable(
    target: Signal[S, P, M] | Namespace | None = None, *, time_every: int = DEFAULT_TIME_EVERY
) -> None:
    """Measure ``target``: a signal, a namespace's signals, or (default) every signal.

    The most specific switch set wins: a signal switched off stays off when its
    namespace or the process is switched on (:func:`inherit` clears a switch).

    Args:
        target: A signal, a namespace, or None for the process.
        time_every: Count every call, and time about one send in this many (per
            thread, after its first :data:`WARM_UP_SENDS` sends of the signal, which
            are all timed). ``1`` times every call: exact totals and maximum, at about
            twice the cost of a send to plain receivers (docs/observability.md has the
            figures). Counts are exact either way; the times and the histogram describe
            the timed calls (:attr:`ReceiverMetrics.timed_calls`). Only sends of a
            fail-fast signal to plain receivers are sampled; other sends, and every send
            of a signal with a slow-receiver budget, are timed.

    Raises:
        ValueError: ``time_every`` is not a positive int.
    """
    if type(time_every) is not int or time_every < 1:  # bool is not a count
        raise ValueError(f"time_every must be a positive int, not {time_every!r}")
    _switch(target, time_every)


def disable(target: Signal[S, P, M] | Namespace | None = None) -> None:
    """Stop measuring ``target`` (the counts so far stay until :func:`reset`)."""
    _switch(target, 0)


def inherit(target: Signal[S, P, M] | Namespace) -> None:
    """Clear ``target``'s own switch: it follows its namespace's, then the process's."""
    _switch(target, None)


@contextmanager
def enabled(
    target: Signal[S, P, M] | Namespace | None = None, *, time_every: int = DEFAULT_TIME_EVERY
) -> Iterator[None]:
    """Measure ``target`` for a ``with`` block, then restore its switch as it was."""
    if target is None:
        previous: int | None = _metrics.process.metrics
    elif isinstance(target, Namespace):
        previous = target._metrics_on
    else:
        previous = target._extras.metrics_on
    enable(target, time_every=time_every)
    try:
        yield
    finally:
        _switch(target, previous)


def is_measured(signal: Signal[S, P, M]) -> bool:
    """Tell whether ``signal``'s sends are measured now."""
    return bool(_metrics.metrics_on(signal))


def _switch(target: _Target, on: int | None) -> None:
    if target is None:
        _metrics.process.metrics = on or 0
        signals = [table for table in all_signals() if isinstance(table, Signal)]
    elif isinstance(target, Namespace):
        target._metrics_on = on
        signals = list(target)
    elif isinstance(target, Signal):
        target._extras.metrics_on = on
        signals = [target]
    else:
        raise TypeError(f"metrics switches take a Signal, a Namespace or None, not {target!r}")
    refresh_settings(signals)


# -- reading --------------------------------------------------------------------------


def of(signal: Signal[S, P, M]) -> SignalMetrics:
    """``signal``'s metrics now (all zero if it was never measured)."""
    return _read(signal, signal._extras.metrics_store or Store())


def snapshot() -> tuple[SignalMetrics, ...]:
    """The metrics of every signal measured since the last :func:`reset`, by name."""
    measured = [
        (table, table._extras.metrics_store)
        for table in all_signals()
        if isinstance(table, Signal) and table._extras.metrics_store is not None
    ]
    found = [_read(signal, store) for signal, store in measured]
    return tuple(sorted(found, key=lambda each: (each.name, each.namespace or "")))


def reset(target: Signal[S, P, M] | Namespace | None = None) -> None:
    """Zero the counts of ``target`` (default: every signal); signals no longer measured
    then leave :func:`snapshot`."""
    if target is None:
        signals = [table for table in all_signals() if isinstance(table, Signal)]
    elif isinstance(target, Namespace):
        signals = list(target)
    else:
        signals = [target]
    for signal in signals:
        store = signal._extras.metrics_store
        if store is None:
            continue
        store.reset()
        if not _metrics.metrics_on(signal):
            signal._extras.metrics_store = None


def _read(signal: Signal[Any, ..., Any], store: Store) -> SignalMetrics:
    sends = 0
    by_name: dict[str, list[tuple[Cells, int]]] = {}
    for shard in list(store.shards.values()):
        sends += shard.sends
        pending = shard.untimed()  # of its current dispatch, not yet in its cells
        lined_up = Counter(id(cells) for _, cells in shard.pairs)  # a name may recur
        for name, cells in list(shard.by_name.items()):
            by_name.setdefault(name, []).append((cells, pending * lined_up[id(cells)]))
    receivers = tuple(_receiver(name, found) for name, found in sorted(by_name.items()))
    namespace = signal.namespace
    return SignalMetrics(
        name=signal.name,
        namespace=None if namespace is None else namespace.name,
        sends=sends,
        deliveries=sum(r.calls for r in receivers),
        failures=sum(r.failures for r in receivers),
        timed_calls=sum(r.timed_calls for r in receivers),
        seconds_total=sum(r.seconds_total for r in receivers),
        seconds_max=max((r.seconds_max for r in receivers), default=0.0),
        receivers=receivers,
    )


def _receiver(name: str, shards: list[tuple[Cells, int]]) -> ReceiverMetrics:
    fine = [0] * len(shards[0][0].buckets)
    total = longest = failures = calls = 0
    for cells, pending in shards:
        for index, count in enumerate(list(cells.buckets)):
            fine[index] += count
        calls += cells.calls(pending)
        total += cells.total
        longest = max(longest, cells.max)
        failures += cells.failures
    counts = [0] * (len(BUCKET_BOUNDS_NS) + 1)
    for bits, count in enumerate(fine):
        if count:
            counts[_bucket_of_bits(bits)] += count
    return ReceiverMetrics(
        name=name,
        calls=calls,
        failures=failures,
        timed_calls=sum(fine),
        seconds_total=total / 1e9,
        seconds_max=longest / 1e9,
        histogram=Histogram(BUCKET_BOUNDS, tuple(counts)),
    )


def _bucket_of_bits(bits: int) -> int:
    """The exported bucket of durations ``d`` (ns) with ``(d - 1).bit_length() == bits``."""
    ceiling = 1 << bits  # every such d is at most this
    for index, bound in enumerate(BUCKET_BOUNDS_NS):
        if ceiling <= bound:
            return index
    return len(BUCKET_BOUNDS_NS)


# -- exporters (optional extras) ------------------------------------------------------


def prometheus_collector() -> Collector:
    """A ``prometheus_client`` collector of these metrics, to register in a registry.

    Raises:
        ImportError: ``prometheus_client`` is not installed (``typedsignals[prometheus]``).
    """
    from ._metrics_export import prometheus_collector as make

    return make(snapshot)


def render_prometheus() -> str:
    """These metrics in the Prometheus text exposition format.

    Raises:
        ImportError: ``prometheus_client`` is not installed (``typedsignals[prometheus]``).
    """
    from ._metrics_export import render_prometheus as render

    return render(snapshot)


def otel_instruments(meter_provider: MeterProvider | None = None) -> None:
    """Register observable OpenTelemetry instruments that report these metrics.

    Args:
        meter_provider: The provider to get a meter from; the global one by default.

    Raises:
        ImportError: OpenTelemetry is not installed (``typedsignals[otel]``).
    """
    from ._metrics_export import otel_instruments as register

    register(snapshot, meter_provider)
