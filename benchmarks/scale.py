"""Growth with the number of receivers (issue #16): what a change costs on a full signal.

``connect-scale`` times the ``connect-disconnect`` statement (connect one receiver, then
disconnect it) on signals that already hold 10, 10,000 and 100,000 receivers (full run),
all interleaved in one measurement, and divides within each library: a factor of 1.00x
means a change costs the same however many receivers are connected. Its repeats, like
``growth``'s, are many short ones (200 of at least 2 ms in a full run, not 20 of 40 ms):
on a shared machine with more runnable processes than CPUs, hardly any 40 ms window runs
without being preempted, and the factors of the long repeats swung from 0.5x to 1.7x
between runs at a load average of 6 to 9 on 2 CPUs, where the short repeats gave 0.96x
to 1.01x (``growth-factor``: 0.86x to 1.45x against 0.98x to 1.07x).

``connect-bulk`` connects 30,000 distinct receivers one by one to a new signal, then
disconnects them all in the order they were connected. Libraries take turns pass by
pass; each pass times every stretch of 1,000 connects or disconnects apart, and a row
adds up the least disturbed time of each stretch over the passes. A stretch starts from
the same state in every pass (the same receivers connected), so its times are
comparable; and a stretch of a millisecond or so often runs between two preemptions,
where a whole pass of 30 ms or more hardly ever does on a busy machine.

No send happens in either workload, so neither counts work that a library defers to the
next send (typedsignals rebuilds the dispatch tuple a change marked stale there, once).
Receivers are distinct functions, held strongly, made before anything is timed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .adapters import Adapter, Unsupported
from .results import Cell, Row, Settings
from .timing import each_loop, interleaved, without_collector
from .workloads import (
    CONNECTED_BEFORE,
    RowSpec,
    connect_disconnect_case,
    error_cell,
    factor_row,
    factor_timing,
    timed_rows,
    unavailable_cell,
)

__all__ = ["BULK_ROWS", "bulk_pass", "connect_bulk", "connect_scale"]

BULK_ROWS = ("connect-bulk", "disconnect-bulk", "connect-disconnect-bulk")
"""The rows of ``connect-bulk``, in table order."""
BULK_STRETCH = 1_000
"""Connects (or disconnects) timed together in a ``connect-bulk`` pass."""

BulkPass = Callable[[], list[float]]
"""Runs one pass on a new signal: the seconds of each stretch, connects then disconnects."""


def connect_scale(adapters: Sequence[Adapter], settings: Settings) -> list[Row]:
    """``connect-scale-*``: connect + disconnect among 10, then many, then more receivers."""
    large, huge = settings.scale_large, settings.scale_huge
    small_row, large_row, huge_row = timed_rows(
        "connect-scale",
        [
            RowSpec(
                "connect-scale-small",
                f"connect + disconnect one receiver (ANY), {CONNECTED_BEFORE} already "
                "connected (as connect-disconnect, but timed with the next rows in "
                f"{factor_timing(settings)}); ns per pair",
                connect_disconnect_case,
            ),
            RowSpec(
                "connect-scale-large",
                f"the same with {large:,} receivers already connected; ns per pair",
                lambda adapter: connect_disconnect_case(adapter, large),
            ),
            RowSpec(
                "connect-scale-huge",
                f"the same with {huge:,} receivers already connected; ns per pair",
                lambda adapter: connect_disconnect_case(adapter, huge),
            ),
        ],
        adapters,
        settings,
        repeats=settings.factor_repeats,
        min_time=settings.factor_min_time,
    )
    return [
        small_row,
        large_row,
        huge_row,
        factor_row(
            "connect-scale-large-factor",
            "connect-scale-large / connect-scale-small: 1.00x means a change costs the same "
            "however many receivers are connected",
            large_row,
            small_row,
        ),
        factor_row(
            "connect-scale-huge-factor",
            "connect-scale-huge / connect-scale-small",
            huge_row,
            small_row,
        ),
    ]


def bulk_pass(adapter: Adapter, receivers: int) -> BulkPass:
    """A pass of ``connect-bulk`` for one library, its receivers made once, here."""
    adapter.check_receivers(receivers)
    functions = [adapter.receiver() for _ in range(receivers)]
    stretches = [functions[i : i + BULK_STRETCH] for i in range(0, receivers, BULK_STRETCH)]
    connect, disconnect = each_loop(adapter.connect_stmt), each_loop(adapter.disconnect_stmt)

    def run() -> list[float]:
        sig = adapter.signal()
        return connect(sig, stretches) + disconnect(sig, stretches)

    return run


def connect_bulk(adapters: Sequence[Adapter], settings: Settings) -> list[Row]:
    """``connect-bulk``, ``disconnect-bulk`` and their sum, ms per pass of N receivers."""
    count = settings.bulk_receivers
    missing: dict[str, Cell] = {}
    passes: dict[str, BulkPass] = {}
    for adapter in adapters:
        if not adapter.available:
            missing[adapter.name] = unavailable_cell(adapter)
            continue
        try:
            run = bulk_pass(adapter, count)
            run()  # once untimed: proves it works, and pays one-off costs such as caches
        except Unsupported as exc:
            missing[adapter.name] = Cell.missing("unsupported", str(exc))
        except Exception as exc:  # a broken library must not hide the others' numbers
            missing[adapter.name] = error_cell(exc)
        else:
            passes[adapter.name] = run
    best: dict[str, list[float]] = {}
    with without_collector():
        for name in interleaved(list(passes), settings.repeats):
            seconds = passes[name]()
            best[name] = [min(pair) for pair in zip(best.get(name, seconds), seconds)]
    descriptions = (
        f"connect {count:,} distinct receivers (ANY) one by one to a new signal; ms in all "
        f"(the least disturbed time of each stretch of {BULK_STRETCH:,} over "
        f"{settings.repeats} passes, added up)",
        "then disconnect them all, in the order they were connected; ms in all",
        "connect-bulk + disconnect-bulk; ms",
    )
    half = len(next(iter(best.values()), [])) // 2
    sums = {
        name: (sum(seconds[:half]), sum(seconds[half:]), sum(seconds))
        for name, seconds in best.items()
    }
    rows = []
    for index, (key, description) in enumerate(zip(BULK_ROWS, descriptions)):
        cells = {
            adapter.name: missing[adapter.name]
            if adapter.name in missing
            else Cell.ok(sums[adapter.name][index] * 1e3)
            for adapter in adapters
        }
        rows.append(Row(key, "connect-bulk", description, "ms", cells))
    return rows
