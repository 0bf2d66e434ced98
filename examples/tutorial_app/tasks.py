"""The tutorial app on Celery: the welcome email as a Celery task, through Redis.

:func:`celery_delivery` is what ``python -m examples.tutorial_app --celery REDIS_URL``
and the worker (:mod:`examples.tutorial_app.worker`) both build, so they agree on the
tasks. Needs ``pip install "typedsignals[celery]"`` and a Redis server.
"""

from __future__ import annotations

from typedsignals.celery import CeleryDelivery

__all__ = ["celery_delivery"]


def celery_delivery(redis_url: str) -> CeleryDelivery:
    """A Celery delivery on the Redis at ``redis_url`` (broker and result backend).

    A welcome email that fails with ``ConnectionError`` (the SMTP server is away) is
    retried up to 5 times with exponential backoff; messages are acknowledged after the
    email was queued (``acks_late``, the delivery's default), so a lost worker means a
    second try, not a lost email.
    """
    from celery import Celery  # type: ignore[import-untyped]  # Celery ships no types

    celery_app = Celery("tutorial_app", broker=redis_url, backend=redis_url)
    celery_app.conf.update(
        broker_connection_retry_on_startup=True,
        worker_cancel_long_running_tasks_on_connection_loss=True,
        result_expires=3600,
    )
    return CeleryDelivery(
        celery_app, autoretry_for=(ConnectionError,), max_retries=5, retry_backoff=True
    )
