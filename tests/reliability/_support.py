"""Scale switch, thread harness and table probes shared by the reliability tests.

Every count in this suite has a *bounded* value, used by the normal test run (the whole
directory stays well under a minute on two cores), and a *soak* value, used when the
environment variable ``TYPEDSIGNALS_SOAK=1`` is set (``--soak`` sets it too when pytest
is pointed at ``tests/reliability``). Test modules read the switch when they are
imported, so that hypothesis settings can depend on it.
"""

from __future__ import annotations

import collections
import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Final, TypeVar

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from typedsignals._table import ReceiverTable

__all__ = [
    "MIB",
    "SOAK_ENV",
    "TINY_SWITCH_INTERVAL",
    "run_property",
    "run_threads",
    "scaled",
    "soak",
    "stored_connections",
    "stored_routes",
    "switch_interval",
]

SOAK_ENV: Final = "TYPEDSIGNALS_SOAK"
"""Environment variable that switches the suite to its soak counts."""


def soak() -> bool:
    """Whether this run uses the soak counts."""
    return os.environ.get(SOAK_ENV, "").lower() in {"1", "true", "yes", "on"}


MIB: Final = 1 << 20

TINY_SWITCH_INTERVAL: Final = 1e-6
"""GIL switch interval for the thread tests: a thread switch can happen almost anywhere."""


def scaled(bounded: int, soak_count: int) -> int:
    """The bounded count in a normal run, the soak count in a soak run."""
    return soak_count if soak() else bounded


@contextmanager
def switch_interval(seconds: float) -> Iterator[None]:
    """Set the interpreter's thread switch interval for a block."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(seconds)
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


def run_threads(workers: Sequence[Callable[[], None]], *, timeout: float) -> list[BaseException]:
    """Run each worker in its own thread, started together; return what they raised.

    A worker still running after ``timeout`` seconds is reported as a ``TimeoutError``
    (its thread is a daemon, so it cannot hang the test run).
    """
    barrier = threading.Barrier(len(workers))
    errors: list[BaseException] = []  # list.append is atomic under the GIL

    def run(worker: Callable[[], None]) -> None:
        try:
            barrier.wait()
            worker()
        except BaseException as exc:  # every failure of a worker is a finding
            errors.append(exc)

    threads = [
        threading.Thread(target=run, args=(worker,), name=f"worker-{i}", daemon=True)
        for i, worker in enumerate(workers)
    ]
    with switch_interval(TINY_SWITCH_INTERVAL):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout)
    stuck = [thread.name for thread in threads if thread.is_alive()]
    if stuck:
        errors.append(TimeoutError(f"threads still running after {timeout} s: {stuck}"))
    return errors


T = TypeVar("T")


def run_property(
    strategy: st.SearchStrategy[T], check: Callable[[T], str], *, examples: int
) -> collections.Counter[str]:
    """Run ``check`` on ``examples`` hypothesis-drawn values; count the outcomes it names.

    A plain test can then report figures after the property ran (a ``@given`` test
    body runs once per example, so it has no "after").
    """
    outcomes: collections.Counter[str] = collections.Counter()

    @settings(max_examples=examples, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(strategy)
    def run(value: T) -> None:
        outcomes[check(value)] += 1

    run()
    return outcomes


def stored_connections(signal: ReceiverTable) -> int:
    """Connections the signal's table stores, dead or alive (internal, read on purpose)."""
    return len(signal._connections())


def stored_routes(signal: ReceiverTable) -> int:
    """Per-sender routes the signal's table stores (internal, read on purpose)."""
    return len(signal._by_id) + len(signal._by_value)
