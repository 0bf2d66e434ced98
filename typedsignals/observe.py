"""See what signals do: middleware around sends and receiver calls, slow-receiver budgets,
causality ids.

Install a :class:`Middleware` for one signal (``signal.use_middleware(m)``), a namespace
(``namespace.use_middleware(m)``) or the whole process (:func:`use`). With none
installed, sends take their usual paths and cost nothing more (docs/performance.md).
Metrics are in :mod:`typedsignals.metrics`.

:func:`track_ids` gives every send an id (and its parent's: the send whose receiver made
it), readable with :func:`current_send` and added to the ``typedsignals`` logger's
records (docs/tracing.md).
"""

from ._ids import SendIdFilter, SendIds, track_ids
from ._observe import Middleware, ReceiverCall, SendInfo, current_send, installed, remove, use
from ._slow import set_slow_receiver_ms, slow_receiver_ms

__all__ = [
    "Middleware",
    "ReceiverCall",
    "SendIdFilter",
    "SendIds",
    "SendInfo",
    "current_send",
    "installed",
    "remove",
    "set_slow_receiver_ms",
    "slow_receiver_ms",
    "track_ids",
    "use",
]
