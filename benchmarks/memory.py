"""Bytes per connected receiver, measured with :mod:`tracemalloc`.

The receivers (distinct function objects) and the signal are created *before* tracing
starts, so only what connecting allocates is counted: the library's bookkeeping per
receiver. Two rows: receivers held strongly (as in the timed workloads) and each
library's default reference mode for a plain function (weak in blinker and django).
"""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Sequence

from .adapters import Adapter
from .results import Cell, Row, Settings
from .timing import interleaved
from .workloads import unavailable_cell

__all__ = ["bytes_per_receiver", "memory"]

_MODES = {
    "memory-strong": (False, "receivers held strongly (weak=False)"),
    "memory-default": (True, "each library's default reference mode for a function"),
}


def bytes_per_receiver(adapter: Adapter, receivers: int, default_mode: bool) -> float:
    """Bytes allocated (and still held) per receiver while connecting ``receivers``."""
    sig = adapter.signal()
    functions = [adapter.receiver() for _ in range(receivers)]
    gc.collect()
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for function in functions:
            adapter.connect(sig, function, default_mode=default_mode)
        after = tracemalloc.get_traced_memory()[0]
    finally:
        if not was_tracing:
            tracemalloc.stop()
    # The signal is dropped with its receivers rather than disconnected one by one:
    # disconnecting is not what is measured, and is slow in some libraries.
    del sig
    return (after - before) / receivers


def memory(adapters: Sequence[Adapter], settings: Settings) -> list[Row]:
    """``memory-strong`` and ``memory-default`` rows, the minimum over interleaved repeats."""
    count = settings.memory_receivers
    best: dict[tuple[str, str], float] = {}
    errors: dict[tuple[str, str], Cell] = {}
    available = {adapter.name: adapter for adapter in adapters if adapter.available}
    for name in interleaved(list(available), settings.memory_repeats):
        for key, (default_mode, _) in _MODES.items():
            if (name, key) in errors:
                continue
            try:
                value = bytes_per_receiver(available[name], count, default_mode)
            except Exception as exc:  # one broken library must not hide the others
                errors[name, key] = Cell.missing("error", f"{type(exc).__name__}: {exc}")
                continue
            best[name, key] = min(best.get((name, key), value), value)
    rows = []
    for key, (_, what) in _MODES.items():
        cells: dict[str, Cell] = {}
        for adapter in adapters:
            if not adapter.available:
                cells[adapter.name] = unavailable_cell(adapter)
            elif (adapter.name, key) in errors:
                cells[adapter.name] = errors[adapter.name, key]
            else:
                cells[adapter.name] = Cell.ok(best[adapter.name, key])
        description = f"bytes per connected receiver, {count:,} receivers, {what}"
        rows.append(Row(key, "memory", description, "B", cells))
    return rows
