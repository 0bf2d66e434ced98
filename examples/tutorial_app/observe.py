"""Metrics of the app's signals: switched on while an app is open, read by ``/metrics``.

:mod:`typedsignals.metrics` keeps its switches and counts per signal, for the whole
process, whoever sends. So the apps of one process share them: the first app created
switches measuring on (:func:`start_measuring`) for the app's namespace and Flask's typed
signals, and zeroes their counts unless something else measured them already; the last
app closed (:func:`stop_measuring`) restores every switch as it found it, and drops the
counts it started. Tests, the demo and the docs build then leave no metrics behind.
"""

from __future__ import annotations

import threading
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any, Final

from typedsignals import Signal, metrics
from typedsignals import flask as typed_flask

from .signals import tutorial

__all__ = [
    "SWITCH_ON",
    "ReceiverRow",
    "SignalRow",
    "flask_signals",
    "measured_signals",
    "rows",
    "start_measuring",
    "stop_measuring",
]

SWITCH_ON: Final = "metrics.enable(tutorial)"
"""The one line that measures the app's own signals (the page shows it)."""

_AnySignal = Signal[Any, ..., Any]


def flask_signals() -> tuple[_AnySignal, ...]:
    """Flask's typed signals (``typedsignals.flask``), in the order the catalog lists them."""
    found = (getattr(typed_flask, name) for name in typed_flask.__all__)
    return tuple(value for value in found if isinstance(value, Signal))


def measured_signals() -> tuple[_AnySignal, ...]:
    """What the app measures: its own namespace's signals, then Flask's typed ones."""
    return (*tutorial, *flask_signals())


@dataclass
class _Measuring:
    """The apps open now, and how to undo what the first of them switched on."""

    users: int = 0
    restore: ExitStack | None = None
    started: tuple[_AnySignal, ...] = ()


_measuring = _Measuring()
_lock = threading.Lock()


def start_measuring() -> None:
    """Measure the app's signals (for the first app open in this process)."""
    with _lock:
        _measuring.users += 1
        if _measuring.users > 1:
            return
        fresh = tuple(signal for signal in measured_signals() if not metrics.is_measured(signal))
        restore = ExitStack()
        restore.enter_context(metrics.enabled(tutorial))
        for signal in flask_signals():
            restore.enter_context(metrics.enabled(signal))
        for signal in fresh:
            metrics.reset(signal)  # counts from an earlier app are not this one's
        _measuring.restore, _measuring.started = restore, fresh


def stop_measuring() -> None:
    """Undo :func:`start_measuring` (when the last app open in this process closes)."""
    with _lock:
        if _measuring.users == 0:
            return
        _measuring.users -= 1
        if _measuring.users or _measuring.restore is None:
            return
        _measuring.restore.close()
        for signal in _measuring.started:
            metrics.reset(signal)  # no longer measured: it leaves metrics.snapshot()
        _measuring.restore, _measuring.started = None, ()


@dataclass(frozen=True)
class ReceiverRow:
    """One receiver of one signal, as the page shows it."""

    name: str
    """Its name as the signals page shows it (``Class.method``)."""
    anchor: str
    """Its entry's id on the signals page."""
    seen: metrics.ReceiverMetrics


@dataclass(frozen=True)
class SignalRow:
    """One signal and its receivers, as the page shows it."""

    seen: metrics.SignalMetrics
    receivers: tuple[ReceiverRow, ...]


def rows(short_names: dict[str, str] | None = None) -> tuple[SignalRow, ...]:
    """Every measured signal's metrics now, in :func:`measured_signals` order.

    Args:
        short_names: The signals page's name of a receiver, by the qualified name the
            metrics use (``module.Class.method``); a receiver missing from it is shown
            by its qualified name.
    """
    names = short_names or {}
    found = []
    for signal in measured_signals():
        seen = metrics.of(signal)
        receivers = tuple(
            ReceiverRow(
                name=names.get(each.name, each.name),
                anchor=f"receiver-{seen.name}-{names.get(each.name, each.name)}",
                seen=each,
            )
            for each in seen.receivers
        )
        found.append(SignalRow(seen, receivers))
    return tuple(found)
