"""The process-wide slow-receiver budget (public in :mod:`typedsignals.observe`)."""

from __future__ import annotations

from ._metrics import check_budget, process
from ._table import refresh_settings

__all__ = ["set_slow_receiver_ms", "slow_receiver_ms"]


def slow_receiver_ms() -> float | None:
    """The process-wide slow-receiver budget in milliseconds, or None."""
    return process.slow_receiver_ms


def set_slow_receiver_ms(ms: float | None) -> float | None:
    """Set the budget of every signal whose declaration and namespace set none.

    A receiver call longer than ``ms`` milliseconds then logs a warning on the
    ``typedsignals`` logger naming the signal, the receiver and the time. ``None``
    removes the default.

    Returns:
        The previous default.

    Raises:
        ValueError: ``ms`` is not a number of milliseconds >= 0.
    """
    checked = check_budget("set_slow_receiver_ms", ms)
    previous = process.slow_receiver_ms
    process.slow_receiver_ms = checked
    refresh_settings()
    return previous
