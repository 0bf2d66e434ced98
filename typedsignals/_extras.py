"""The state of a typed signal that sends rarely read, kept out of the signal's own
attributes.

Why: CPython 3.11 keeps up to 29 attributes of an object in its compact inline storage;
from the 30th on, every attribute read of that object takes a slower path (measured:
about 3 ns per read, 15 ns on ``send`` with no receiver). A signal reads several
attributes on every send, so it keeps at most 29 of its own (tests/observe/
test_metrics.py checks the count) and files the rest here: settings read when they
change, and what only the slower send paths (middleware, metrics) read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._metrics import Meter, Store
    from ._observe import Chain, Middleware

__all__ = ["Extras"]


class Extras:
    """A typed signal's rarely read state (see the module docstring)."""

    __slots__ = (
        "chain",
        "meta_connected",
        "meta_disconnected",
        "meter",
        "meter_alone",
        "metrics_on",
        "metrics_store",
        "middleware",
        "slow_ms",
        "strict",
    )

    def __init__(self, strict: bool, slow_ms: float | None) -> None:
        self.strict = strict
        self.slow_ms = slow_ms
        self.middleware: list[Middleware] = []
        self.chain: Chain | None = None
        """The middleware chain, outermost first; None when empty."""
        self.meter: Meter | None = None
        """How sends are measured (metrics, slow-receiver budget); None when not."""
        self.meter_alone: Meter | None = None
        """The meter when no middleware wraps it: ``send`` calls its loop directly."""
        self.metrics_on: int | None = None
        """This signal's own metrics switch (see ``typedsignals._metrics.metrics_on``)."""
        self.metrics_store: Store | None = None
        """The counts, made when metrics first go on."""
        self.meta_connected: Any = None
        self.meta_disconnected: Any = None
