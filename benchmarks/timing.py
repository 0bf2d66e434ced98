"""Timing: statements compiled into loops, auto-chosen loop counts, interleaved repeats.

As :mod:`timeit` does, a statement is compiled into the body of a ``for`` loop, so a
measurement holds one loop iteration of overhead (about 10 ns, the same for every
library) and nothing else of ours; the collector is off while timing. Unlike ``timeit``,
the libraries of one workload are measured *interleaved*: each repeat runs every library
once, in an order rotated from one repeat to the next, so a slow phase of the machine
hits them all alike. The result per library is the minimum over repeats, the least
disturbed run.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import time
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

__all__ = [
    "Case",
    "Loop",
    "async_loop",
    "EachLoop",
    "autorange",
    "each_loop",
    "interleaved",
    "measure",
    "sync_loop",
    "without_collector",
]

Loop = Callable[[int], float]
"""Runs the operation ``n`` times and returns the seconds it took."""
EachLoop = Callable[[Any, Sequence[Sequence[object]]], list[float]]
"""Runs the operation once per item (as ``receiver``) of each stretch, on a signal (as
``sig``); returns the seconds each stretch took."""

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)

_SYNC_TEMPLATE = """
def _loop(_n):
    _it = _repeat(None, _n)
    _t0 = _timer()
    for _ in _it:
        {stmt}
    return _timer() - _t0
"""

_EACH_TEMPLATE = """
def _loop(sig, _stretches):
    _seconds = []
    for _items in _stretches:
        _t0 = _timer()
        for receiver in _items:
            {stmt}
        _seconds.append(_timer() - _t0)
    return _seconds
"""

_ASYNC_TEMPLATE = """
async def _body(_n):
    _it = _repeat(None, _n)
    _t0 = _timer()
    for _ in _it:
        await {expr}
    return _timer() - _t0

def _loop(_n):
    return _run(_body(_n))
"""


def _compile(template: str, code: str, namespace: Mapping[str, object]) -> Callable[..., Any]:
    scope: dict[str, Any] = {**namespace, "_repeat": itertools.repeat, "_timer": time.perf_counter}
    exec(compile(template.format(stmt=code, expr=code), "<benchmark>", "exec"), scope)
    loop: Callable[..., Any] = scope["_loop"]
    return loop


def sync_loop(stmt: str, namespace: Mapping[str, object]) -> Loop:
    """A loop running ``stmt`` (one line, may hold ``;``) with ``namespace`` as globals."""
    return _compile(_SYNC_TEMPLATE, stmt, namespace)


def each_loop(stmt: str) -> EachLoop:
    """A loop running ``stmt`` once for each item, bound to ``receiver``, timing each
    stretch of items apart (so that the least disturbed run of each stretch can be kept).

    The signal is an argument rather than a global, so one loop serves the fresh signal
    each repeat starts with.
    """
    return _compile(_EACH_TEMPLATE, stmt, {})


def async_loop(expr: str, namespace: Mapping[str, object], loop: asyncio.AbstractEventLoop) -> Loop:
    """A loop awaiting ``expr`` inside one coroutine run to completion on ``loop``."""
    return _compile(_ASYNC_TEMPLATE, expr, {**namespace, "_run": loop.run_until_complete})


@dataclass
class Case:
    """One library's side of a workload: a timed loop and what keeps its setup alive."""

    loop: Loop
    keep: list[object] = field(default_factory=list)
    cleanup: Callable[[], None] | None = None

    def close(self) -> None:
        """Undo the setup (disconnect receivers, close event loops)."""
        if self.cleanup is not None:
            self.cleanup()
        self.keep.clear()


def autorange(loop: Loop, min_time: float) -> int:
    """The smallest count from 1, 2, 5, 10, 20, 50, ... that runs for ``min_time``."""
    scale = 1
    while True:
        for step in (1, 2, 5):
            number = step * scale
            if loop(number) >= min_time:
                return number
        scale *= 10


@contextmanager
def without_collector() -> Iterator[None]:
    """Collect garbage once, then keep the collector off for the block (as timeit does)."""
    enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def interleaved(names: Sequence[T], repeats: int) -> Iterator[T]:
    """Every name once per repeat, the order rotated by one at each repeat."""
    for repeat in range(repeats):
        start = repeat % len(names) if names else 0
        yield from (*names[start:], *names[:start])


def measure(cases: Mapping[K, Case], repeats: int, min_time: float) -> dict[K, float]:
    """Nanoseconds per operation for each case: the minimum over interleaved repeats."""
    best: dict[K, float] = {}
    with without_collector():
        numbers = {name: autorange(case.loop, min_time) for name, case in cases.items()}
        for name in interleaved(list(cases), repeats):
            seconds = cases[name].loop(numbers[name]) / numbers[name]
            best[name] = min(best.get(name, seconds), seconds)
    return {name: seconds * 1e9 for name, seconds in best.items()}
