"""See what signals do: middleware around sends and receiver calls.

Install a :class:`Middleware` for one signal (``signal.use_middleware(m)``), a namespace
(``namespace.use_middleware(m)``) or the whole process (:func:`use`). With none
installed, sends take their usual paths and cost nothing more (docs/performance.md).
"""

from ._observe import Middleware, ReceiverCall, SendInfo, current_send, installed, remove, use

__all__ = ["Middleware", "ReceiverCall", "SendInfo", "current_send", "installed", "remove", "use"]
