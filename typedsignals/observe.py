"""See what signals do: middleware around sends and receiver calls, slow-receiver budgets.

Install a :class:`Middleware` for one signal (``signal.use_middleware(m)``), a namespace
(``namespace.use_middleware(m)``) or the whole process (:func:`use`). With none
installed, sends take their usual paths and cost nothing more (docs/performance.md).
Metrics are in :mod:`typedsignals.metrics`.
"""

from ._observe import Middleware, ReceiverCall, SendInfo, current_send, installed, remove, use
from ._slow import set_slow_receiver_ms, slow_receiver_ms

__all__ = [
    "Middleware",
    "ReceiverCall",
    "SendInfo",
    "current_send",
    "installed",
    "remove",
    "set_slow_receiver_ms",
    "slow_receiver_ms",
    "use",
]
