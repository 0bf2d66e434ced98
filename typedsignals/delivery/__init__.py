"""Deferred delivery: run receivers later, on a thread pool or a task queue.

Connect a receiver with ``via=`` and each send queues its call instead of making it;
the send gets back a handle (a ``Future``, a Celery ``AsyncResult``), not the result::

    from typedsignals.delivery import ThreadPoolDelivery

    background = ThreadPoolDelivery(max_workers=2)
    user_registered.connect(send_welcome_email, via=background)

:class:`ThreadPoolDelivery` is the embedded default: nothing to install or start.
``typedsignals.celery`` runs deferred receivers as Celery tasks. See docs/delivery.md.
"""

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
from ._threads import QueueFullError, ThreadPoolDelivery, WhenFull

__all__ = [
    "WIRE_FORMAT",
    "DeferredCall",
    "DeferredReceiver",
    "Delivery",
    "DeliveryError",
    "Envelope",
    "QueueFullError",
    "ThreadPoolDelivery",
    "WhenFull",
    "receiver_path",
    "schema_version",
]
