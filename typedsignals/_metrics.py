"""The measured send path: metrics and slow-receiver budgets, picked at settings time.

A signal gets a :class:`Meter` from :func:`meter_for` when its settings change (metrics
switched on for it, its namespace or the process; or a slow-receiver budget set at any
of those levels). With neither, it has none and its sends take their usual paths: the
metrics cost nothing while off.

Counting (the measured loop is the hot path of a send with metrics on; see
benchmarks/observe.py for its cost):

* one clock read per receiver boundary (``perf_counter_ns``: integers, so totals are
  exact), the end of one receiver's call being the start of the next one's;
* a histogram bucket per power of two nanoseconds: a duration ``d`` counts in bucket
  ``(d - 1).bit_length()`` (``2**(b-1) < d <= 2**b``), with no search and no clamp (65
  buckets hold any duration); the exported boundaries (:data:`BUCKET_BOUNDS_NS`) are
  every other power of two, so every fine bucket falls under exactly one;
* sampling: a send is timed or not before its first receiver runs. An untimed send
  costs its shard one increment and one comparison (``sends < next_timed``); a timed
  one picks the next: the next send while the thread warms up (:data:`WARM_UP_SENDS`
  timed sends), then a gap from :func:`gaps_for` (mean ``time_every``);
* deliveries are not counted one by one: a receiver's calls are its timed calls (the
  sum of its buckets) plus, when sampling (``time_every``) leaves sends untimed, the
  untimed sends of the dispatches it was in, less the calls an earlier failing
  receiver prevented;
* one comparison per call (with the receiver's ``alarm``, ``min(max, budget)``) finds
  both a new maximum and a call over the slow-receiver budget;
* the counters live in per-thread *shards*: every thread writes only its own, so no
  increment is ever lost (under the GIL or without it) and nothing is locked; a snapshot
  adds the shards up. A send looks its shard up once (an attribute of a
  ``threading.local``); shards are kept by thread id, so a thread that reuses the id of
  one that ended counts on in its shard.

Receivers are counted by name (:func:`~typedsignals._receivers.describe`): two receivers
with the same qualified name (two lambdas of one module) share their counters.
"""

from __future__ import annotations

import inspect
import logging
import math
import time
from collections.abc import Callable
from threading import get_ident, local
from typing import TYPE_CHECKING, Any, Final

from ._receivers import ASYNC, WEAK_REF_TYPES, describe
from ._table import WEAK
from .exceptions import ReceiverErrors

if TYPE_CHECKING:
    from ._namespace import Namespace
    from ._signal import ErrorPolicy, Signal

__all__ = [
    "BUCKET_BOUNDS_NS",
    "Cells",
    "Meter",
    "Shard",
    "Store",
    "budget_ms_of",
    "check_budget",
    "meter_for",
    "process",
]

BUCKET_BOUNDS_NS: Final = tuple(2**k for k in range(8, 35, 2))
"""Exported histogram boundaries in nanoseconds: 256 ns, 1 us, 4 us ... 17 s (x4 steps).

The counters keep one bucket per power of two; a bucket ``b`` (durations ``d`` with
``2**(b-1) < d <= 2**b``) falls under the first boundary ``>= 2**b``.
"""

_FINE_BUCKETS: Final = 65  # bit_length() of any duration a 64-bit clock can measure
_NO_BUDGET: Final = 1 << 80  # a duration no clock reaches: "no budget" without a branch
_logger: Final = logging.getLogger("typedsignals")
_clock: Final = time.perf_counter_ns
WARM_UP_SENDS: Final = 16
"""Each thread times every send of a signal until it has timed this many: a signal sent
rarely has all its calls timed, and sampling (``time_every``) starts after these."""
DEFAULT_TIME_EVERY: Final = 8
"""Time about one send in this many (after :data:`WARM_UP_SENDS`), unless told otherwise."""


def gaps_for(every: int) -> tuple[int, ...]:
    """64 gaps between timed sends whose mean is exactly ``every``, in a scrambled order.

    Pairs ``a`` and ``2 * every - a``, with ``a`` from 1 to ``every``: the sample has no
    period a workload's own could line up with for long (one timed send in exactly
    ``every`` would always, or never, catch a send that comes every ``every``-th).
    """
    low = [1 + (k * (every - 1)) // 31 for k in range(32)]
    ordered = low + [2 * every - a for a in low]
    return tuple(ordered[(k * 37) % 64] for k in range(64))  # 37 is prime to 64


class _Process:
    """Process-wide settings read when a signal's settings change (never in a send)."""

    __slots__ = ("metrics", "slow_receiver_ms")

    def __init__(self) -> None:
        self.metrics = 0  # as a signal's switch: 0 off, n > 0 on, timing about 1 send in n
        self.slow_receiver_ms: float | None = None


process: Final = _Process()


class Cells:
    """One receiver's counters in one thread's shard (written by that thread only)."""

    __slots__ = ("alarm", "buckets", "failures", "max", "name", "skipped", "total", "untimed")

    def __init__(self, name: str) -> None:
        self.name = name
        self.total = 0  # nanoseconds
        self.max = 0  # nanoseconds
        # min(max, budget): a call longer than this needs a look (a new maximum, or over
        # the budget), so the loop compares once per call for both.
        self.alarm = 0
        self.failures = 0
        self.buckets = [0] * _FINE_BUCKETS  # timed calls, by (ns - 1).bit_length()
        # Untimed calls (sends left untimed by sampling): sends of the dispatches this
        # receiver was in, less the calls a failing receiver before it prevented.
        self.untimed = 0
        self.skipped = 0

    def calls(self, pending: int) -> int:
        """Every call: the timed ones and the untimed ones (plus ``pending`` untimed
        sends of the shard's current dispatch, not yet added here)."""
        return sum(self.buckets) + self.untimed + pending - self.skipped


class Shard:
    """One thread's counters for one signal, with its cells lined up with a dispatch.

    Sends are counted as ``sends``, of which ``timed`` were timed (picked before their
    first receiver ran); the untimed sends of the current dispatch are the untimed sends
    since it was lined up (``sends - timed - lined``), added to its cells when another
    dispatch replaces it, so an untimed send costs one increment and one comparison.
    """

    __slots__ = ("by_name", "items", "lined", "next_timed", "pairs", "sends", "timed")

    def __init__(self) -> None:
        self.sends = 0
        self.timed = 0
        self.next_timed = 1  # the first send is timed
        self.lined = 0  # untimed sends (sends - timed) when the dispatch was lined up
        self.by_name: dict[str, Cells] = {}
        self.items: tuple[Any, ...] | None = None  # the dispatch ``pairs`` lines up with
        self.pairs: tuple[tuple[Any, Cells | None], ...] = ()

    def untimed(self) -> int:
        """Untimed sends of the current dispatch, not yet added to its cells."""
        return self.sends - self.timed - self.lined

    def line_up(self, items: tuple[Any, ...]) -> tuple[tuple[Any, Cells | None], ...]:
        """``(item, cells)`` for each of ``items`` (None for a receiver that died); cached
        until the dispatch changes (a connect or disconnect).

        Called before the send that needs it is counted.
        """
        untimed = self.untimed()
        if untimed:  # the untimed sends of the old dispatch, now counted
            for _, old in self.pairs:
                if old is not None:
                    old.untimed += untimed
        self.lined = self.sends - self.timed
        pairs = tuple((item, self._cell(item)) for item in items)
        self.items = items
        self.pairs = pairs
        return pairs

    def _cell(self, item: Any) -> Cells | None:
        receiver = item() if type(item) in WEAK_REF_TYPES else item
        if receiver is None:
            return None
        name = describe(getattr(receiver, "receiver", receiver))  # a middleware's wrapper
        cells = self.by_name.get(name)
        if cells is None:
            cells = self.by_name[name] = Cells(name)
        return cells


def _untimed_failure(
    pairs: tuple[tuple[Any, Cells | None], ...], failed: int, exc: BaseException
) -> None:
    """An untimed send's receiver ``failed`` (an index) raised: count the failure, and
    the calls it prevented (untimed calls are derived from the send count).

    ``pairs`` are that send's cells: a receiver that sends the signal again may line
    the shard up with another dispatch meanwhile.
    """
    pairs[failed][1].failures += isinstance(exc, Exception)  # type: ignore[union-attr]
    for _, later in pairs[failed + 1 :]:
        later.skipped += 1  # type: ignore[union-attr]


class Store:
    """A signal's metrics: the shards of every thread that sent it."""

    __slots__ = ("local", "shards")

    def __init__(self) -> None:
        self.shards: dict[int, Shard] = {}
        self.local = local()  # .shard: this thread's, found without get_ident()

    def shard(self) -> Shard:
        """This thread's shard (made on its first send).

        Shards are kept by thread id, which a new thread may reuse once the thread that
        had it has ended: the new one then counts on in the old one's shard, so a
        program that starts a thread per task keeps as many shards as it ever had
        threads at once, not one per thread it ever started.
        """
        try:
            return self.local.shard  # type: ignore[no-any-return]
        except AttributeError:
            return self.claim()

    def claim(self) -> Shard:
        """Find or make this thread's shard by its id, and remember it in ``local``
        (the first send of a thread; :meth:`Meter.deliver` inlines the rest of
        :meth:`shard`)."""
        ident = get_ident()
        shard = self.shards.get(ident)
        if shard is None:  # no live thread shares the id: nobody else sets it now
            shard = self.shards[ident] = Shard()
        self.local.shard = shard
        return shard

    def reset(self) -> None:
        # New shards, not cleared ones: a send running now keeps writing to the old
        # shard it holds, and those writes are dropped instead of half-applied.
        self.local = local()
        self.shards = {}


class Meter:
    """How one signal measures its sends: the store written, the slow-receiver budget
    (a store nobody reads when only a budget is set) and which sends are timed."""

    __slots__ = ("budget_ms", "budget_ns", "gaps", "store")

    def __init__(self, store: Store, budget_ms: float | None, every: int = 1) -> None:
        self.store = store
        self.budget_ms = budget_ms
        # A budget needs every call timed.
        self.gaps = gaps_for(1 if budget_ms is not None else every)
        self.budget_ns = _NO_BUDGET if budget_ms is None else int(budget_ms * 1_000_000)
        for shard in list(store.shards.values()):  # the budget changed: look again
            for cells in list(shard.by_name.values()):
                cells.alarm = 0

    def deliver(
        self,
        signal: Signal[Any, ..., Any],
        sender: object,
        payload: object,
        items: tuple[Any, ...],
        flags: int,
        policy: ErrorPolicy,
    ) -> list[tuple[Any, Any]]:
        """The synchronous measured send: ``Signal._deliver``'s loop with counting.

        Written out rather than built on a middleware, for speed (benchmarks/observe.py
        measures it); the error-policy steps are the signal's own (``_record_failure``,
        ``_raise_collected``, ``_report_interrupted``), and tests/observe/test_metrics.py
        runs the same sends through the measured and the plain loops and compares them.
        """
        try:
            shard: Shard = self.store.local.shard
        except AttributeError:  # this thread's first send
            shard = self.store.claim()
        pairs = shard.pairs if shard.items is items else shard.line_up(items)
        shard.sends += 1
        if flags or policy != "raise":  # weak or coroutine receivers, or a soft policy
            shard.timed += 1  # these sends time every call
            return self._deliver_each(signal, sender, payload, items, pairs, flags, policy)
        results: list[tuple[Any, Any]] = []
        append = results.append
        if shard.sends < shard.next_timed:  # sampling: this send is counted, not timed
            try:
                for receiver in items:
                    append((receiver, receiver(sender, payload)))
            except BaseException as exc:
                _untimed_failure(pairs, len(results), exc)
                raise
            return results
        # Timed: pick the next send to time (random-looking gaps, so that a workload
        # with a period cannot hide from the sample; every send while warming up).
        timed = shard.timed = shard.timed + 1
        gaps = self.gaps
        shard.next_timed = shard.sends + (1 if timed < WARM_UP_SENDS else gaps[timed % len(gaps)])
        clock = _clock
        start = clock()
        for receiver, cell in pairs:
            try:
                result = receiver(sender, payload)
            except Exception:
                self._failed(signal, cell, receiver, start)  # type: ignore[arg-type]
                raise
            end = clock()
            took = end - start
            cell.buckets[(took - 1).bit_length()] += 1  # type: ignore[union-attr]  # live
            cell.total += took  # type: ignore[union-attr]
            if took > cell.alarm:  # type: ignore[union-attr]
                self._look(signal, cell, receiver, took)  # type: ignore[arg-type]
            append((receiver, result))
            start = end
        return results

    def _deliver_each(
        self,
        signal: Signal[Any, ..., Any],
        sender: object,
        payload: object,
        items: tuple[Any, ...],
        pairs: tuple[tuple[Any, Cells | None], ...],
        flags: int,
        policy: ErrorPolicy,
    ) -> list[tuple[Any, Any]]:
        """The measured loop for weak or coroutine receivers and soft policies."""
        if flags & ASYNC:
            signal._reject_async(items)
        weak = flags & WEAK
        fail_fast = policy == "raise"
        results: list[tuple[Any, Any]] = []
        failures: list[tuple[Callable[..., Any], Exception]] = []
        start = _clock()
        try:
            for item, cell in pairs:
                receiver = item() if weak and type(item) in WEAK_REF_TYPES else item
                if receiver is None or cell is None:  # died since the dispatch was built
                    continue
                try:
                    result = receiver(sender, payload)
                except Exception as exc:
                    start = self._failed(signal, cell, receiver, start)
                    if fail_fast:
                        raise
                    signal._record_failure(receiver, exc, failures, policy)
                    continue
                start = self._count(signal, cell, receiver, start)
                results.append((receiver, result))
        except BaseException as interrupt:
            if failures:
                signal._report_interrupted(interrupt, failures)
            raise
        if weak and signal._dead:
            signal._purge_soon()
        if failures:
            signal._raise_collected(failures)
        return results

    def _count(
        self, signal: Signal[Any, ..., Any], cell: Cells, receiver: object, start: int
    ) -> int:
        """Count a call that started at ``start``; return its end (the next start).

        The fast loop of :meth:`deliver` inlines this.
        """
        end = _clock()
        took = end - start
        cell.buckets[(took - 1).bit_length()] += 1
        cell.total += took
        if took > cell.alarm:
            self._look(signal, cell, receiver, took)
        return end

    def _failed(
        self, signal: Signal[Any, ..., Any], cell: Cells, receiver: object, start: int
    ) -> int:
        """Count a call that raised (its time too); return its end."""
        cell.failures += 1
        return self._count(signal, cell, receiver, start)

    def _look(
        self, signal: Signal[Any, ..., Any], cell: Cells, receiver: object, took: int
    ) -> None:
        """A call longer than the receiver's alarm: a new maximum, or over the budget."""
        budget = self.budget_ns
        if took > cell.max:
            cell.max = took
        if took > budget:
            self.slow(signal, receiver, took)
        cell.alarm = min(cell.max, budget)

    def slow(self, signal: Signal[Any, ..., Any], receiver: object, took_ns: int) -> None:
        """Log a receiver call over the signal's budget: the one home of that message."""
        _logger.warning(
            "slow receiver %s of signal %r took %.3f ms (budget %s ms)",
            describe(getattr(receiver, "receiver", receiver)),
            signal.name,
            took_ns / 1_000_000,
            self.budget_ms,
        )

    async def deliver_async(
        self,
        signal: Signal[Any, ..., Any],
        sender: object,
        payload: object,
        items: tuple[Any, ...],
        concurrent: bool,
        policy: ErrorPolicy,
    ) -> list[tuple[Any, Any]]:
        """The asynchronous measured send: the signal's own async delivery, called back
        with every receiver wrapped to be timed (an allocation per receiver and send,
        which the sync path avoids)."""
        timed = self._timed(signal, items)
        try:
            results = await signal._deliver_async(
                sender, payload, timed, 0, concurrent, policy, observed=True, measured=True
            )
        except ReceiverErrors as errors:  # "collect": name the receivers, not the wrappers
            errors.receivers = tuple(getattr(r, "receiver", r) for r in errors.receivers)
            raise
        return [(getattr(r, "receiver", r), value) for r, value in results]

    def _timed(
        self, signal: Signal[Any, ..., Any], items: tuple[Any, ...]
    ) -> tuple[Callable[..., Any], ...]:
        """The live receivers of an async send, each wrapped to be measured."""
        shard = self.store.shard()
        live = tuple(receiver for receiver in map(signal._resolve, items) if receiver is not None)
        pairs = shard.line_up(live)
        shard.sends += 1
        shard.timed += 1  # async sends time every call
        return tuple(
            _TimedAsync(self, signal, receiver, cell)
            for receiver, cell in pairs
            if cell is not None
        )


class _TimedAsync:
    """A receiver of a measured async send: called (and awaited) and timed."""

    __slots__ = ("cell", "meter", "receiver", "signal")

    def __init__(
        self,
        meter: Meter,
        signal: Signal[Any, ..., Any],
        receiver: Callable[..., Any],
        cell: Cells,
    ) -> None:
        self.meter = meter
        self.signal = signal
        self.receiver = receiver
        self.cell = cell

    async def __call__(self, sender: object, payload: object) -> Any:
        start = _clock()
        try:
            result = self.receiver(sender, payload)
            if inspect.isawaitable(result):
                result = await result
        except Exception:
            self.meter._failed(self.signal, self.cell, self.receiver, start)
            raise
        self.meter._count(self.signal, self.cell, self.receiver, start)
        return result

    def __repr__(self) -> str:
        return describe(self.receiver)


# -- settings -------------------------------------------------------------------------


def check_budget(owner: str, ms: object) -> float | None:
    """A slow-receiver budget as given (``None``: inherit), checked: the one home of the rule.

    Raises:
        ValueError: ``ms`` is not a non-negative number (``math.inf``: no budget).
    """
    if ms is None:
        return None
    if isinstance(ms, bool) or not isinstance(ms, (int, float)) or math.isnan(ms) or ms < 0:
        raise ValueError(
            f"{owner}: slow_receiver_ms must be a number of milliseconds >= 0 "
            f"(or None to inherit, math.inf for none), not {ms!r}"
        )
    return float(ms)


def budget_ms_of(signal: Signal[Any, ..., Any]) -> float | None:
    """The budget that applies to ``signal``: its own, else its namespace's, else the
    process default; ``None`` when none applies (or the nearest one is ``math.inf``)."""
    namespace: Namespace | None = signal.namespace
    for ms in (
        signal._extras.slow_ms,
        None if namespace is None else namespace._slow_ms,
        process.slow_receiver_ms,
    ):
        if ms is not None:
            return None if math.isinf(ms) else ms
    return None


def metrics_on(signal: Signal[Any, ..., Any]) -> int:
    """Whether ``signal`` is measured: 0 if not, else ``n`` to time one send in ``n``.

    Its own switch decides, else its namespace's, else the process's (the most specific
    switch set wins; ``None`` is unset).
    """
    namespace: Namespace | None = signal.namespace
    for switch in (signal._extras.metrics_on, None if namespace is None else namespace._metrics_on):
        if switch is not None:
            return switch
    return process.metrics


def meter_for(signal: Signal[Any, ..., Any]) -> Meter | None:
    """The signal's meter, or None when it is neither measured nor has a budget."""
    budget = budget_ms_of(signal)
    every = metrics_on(signal)
    if every:
        extras = signal._extras
        if extras.metrics_store is None:
            extras.metrics_store = Store()
        return Meter(extras.metrics_store, budget, every)
    if budget is not None:
        return Meter(Store(), budget)  # counts nobody reads: one loop for both uses
    return None
