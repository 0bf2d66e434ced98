"""Deferred delivery: run receivers later, on a thread pool or a task queue.

Connect a receiver with ``via=`` and each send queues its call instead of making it;
the send gets back a handle (a ``Future``, a Celery ``AsyncResult``), not the result::

    from typedsignals.delivery import ThreadPoolDelivery

    background = ThreadPoolDelivery(max_workers=2)
    user_registered.connect(send_welcome_email, via=background)

:class:`ThreadPoolDelivery` is the embedded default: nothing to install or start.
``typedsignals.celery`` runs deferred receivers as Celery tasks, on the base every
out-of-process delivery shares (:class:`RemoteDelivery`; the worker side is
:func:`deliver`; senders travel in the form :func:`reduce_sender` gives them). A
:class:`ContextCarrier` (:func:`add_carrier`) takes context such as the trace context
from the send to where the deferred receiver runs.
See docs/delivery.md.
"""

from ._carriers import ContextCarrier, add_carrier, carriers, remove_carrier
from ._protocol import (
    WIRE_FORMAT,
    DeferredCall,
    DeferredReceiver,
    Delivery,
    DeliveryError,
    Envelope,
    receiver_path,
    schema_version,
)
from ._senders import reduce_sender, register_flask_app, register_sender, restore_sender
from ._threads import QueueFullError, ThreadPoolDelivery, WhenFull
from ._worker import MessageRejected, RemoteDelivery, current_envelope, deliver

__all__ = [
    "WIRE_FORMAT",
    "ContextCarrier",
    "DeferredCall",
    "DeferredReceiver",
    "Delivery",
    "DeliveryError",
    "Envelope",
    "MessageRejected",
    "QueueFullError",
    "RemoteDelivery",
    "ThreadPoolDelivery",
    "WhenFull",
    "add_carrier",
    "carriers",
    "current_envelope",
    "deliver",
    "receiver_path",
    "reduce_sender",
    "register_flask_app",
    "register_sender",
    "remove_carrier",
    "restore_sender",
    "schema_version",
]
