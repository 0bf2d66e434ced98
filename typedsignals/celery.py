"""Deferred receivers as Celery tasks: the delivery for more than one process.

Each receiver connected with ``via=CeleryDelivery(celery_app)`` becomes a Celery task
(named by :func:`task_name`); a send publishes one JSON message per deferred receiver
(docs/delivery.md has the wire format) and gets the task's ``AsyncResult`` back. The
worker imports the same code, so the same connections are made there, and each task
validates its payload again with the worker's model before the receiver runs::

    from celery import Celery
    from typedsignals.celery import CeleryDelivery

    celery_app = Celery("shop", broker="redis://localhost:6379/0")
    tasks = CeleryDelivery(celery_app, autoretry_for=(ConnectionError,), max_retries=5)
    user_registered.connect(send_welcome_email, via=tasks)

Delivery is at least once: with ``acks_late`` (the default here) a message is
acknowledged after its receiver ran, so a worker lost mid-call means the call runs
again. :func:`skip_duplicates` skips a message whose idempotency key already ran.

This module needs Celery: ``pip install "typedsignals[celery]"``.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final, Protocol, TypeVar

from ._require import missing_extra

try:
    from celery.app.base import Celery  # type: ignore[import-untyped]  # Celery ships no types
    from celery.result import AsyncResult  # type: ignore[import-untyped]
except ModuleNotFoundError as _exc:  # pragma: no cover - tested in a subprocess
    raise missing_extra(
        _exc, "celery", extra="celery", needed_by=__name__, project="Celery"
    ) from None

from .delivery._protocol import DeferredCall, DeliveryError, receiver_path
from .delivery._worker import MessageRejected, RemoteDelivery, current_envelope, deliver

if TYPE_CHECKING:
    from ._signal import Signal

__all__ = ["DEFAULT_TASK_OPTIONS", "CeleryDelivery", "skip_duplicates", "task_name"]

DEFAULT_TASK_OPTIONS: Final[Mapping[str, Any]] = {"acks_late": True, "serializer": "json"}
"""Task options every deferred receiver gets unless the delivery overrides them:
acknowledge a message after its receiver ran (at least once), as JSON."""

_logger: Final = logging.getLogger("typedsignals")
_F = TypeVar("_F", bound=Callable[..., Any])


def task_name(signal_name: str, path: str) -> str:
    """The Celery task name of a deferred receiver: stable across processes.

    Example:
        >>> task_name("user-registered", "shop.mail:send_welcome_email")
        'typedsignals:user-registered:shop.mail:send_welcome_email'
    """
    return f"typedsignals:{signal_name}:{path}"


class CeleryDelivery(RemoteDelivery):
    """Run deferred receivers as tasks of ``celery_app``.

    Every receiver connected through this delivery is registered as a task of
    ``celery_app`` with ``task_options`` (Celery's task options: ``autoretry_for``,
    ``max_retries``, ``retry_backoff``, ``default_retry_delay``, ``acks_late``,
    ``queue``...) over :data:`DEFAULT_TASK_OPTIONS`. A receiver's exception follows them;
    a message the worker rejects (:class:`~typedsignals.delivery.MessageRejected`: an
    invalid payload, an unknown signal or schema version) fails its task at once and
    is never retried, whatever ``autoretry_for`` says.

    Args:
        celery_app: The Celery app; its broker carries the messages.
        **task_options: Options of the tasks this delivery registers.

    Raises:
        DeliveryError: (at connect time) the receiver's task is already registered with
            other options.
    """

    def __init__(self, celery_app: Celery, **task_options: Any) -> None:
        self.app = celery_app
        self.options: dict[str, Any] = {**DEFAULT_TASK_OPTIONS, **task_options}
        self._tasks: dict[str, Any] = {}
        """Task name -> the task, once checked: a send looks its task up here."""

    def __repr__(self) -> str:
        return f"CeleryDelivery({self.app.main!r})"

    def with_options(self, **task_options: Any) -> CeleryDelivery:
        """A delivery on the same app whose tasks also get ``task_options``.

        Example: ``sig.connect(receiver, via=tasks.with_options(max_retries=10))``.
        """
        return CeleryDelivery(self.app, **{**self.options, **task_options})

    def prepare(
        self, signal: Signal[Any, ..., Any], receiver: Callable[..., Any], sender: object
    ) -> None:
        """Refuse what a worker could not run, then register the receiver's task."""
        super().prepare(signal, receiver, sender)
        self._task_for(signal.name, receiver_path(receiver))

    def publish(self, call: DeferredCall, message: str) -> AsyncResult:
        """Send ``message`` to the receiver's task; the task id is the idempotency key."""
        path = receiver_path(call.receiver)
        task = self._tasks.get(task_name(call.signal.name, path))
        if task is None:
            task = self._task_for(call.signal.name, path)
        return task.apply_async((message,), task_id=call.id)

    def _task_for(self, signal_name: str, path: str) -> Any:
        name = task_name(signal_name, path)
        options = self._task_options()
        task = self.app.tasks.get(name)
        if task is not None:
            if getattr(task, "typedsignals_options", None) != options:
                raise DeliveryError(
                    f"signal {signal_name!r}: the Celery task of {path} is already "
                    f"registered with other options ({task.typedsignals_options}); connect "
                    f"it through one delivery"
                )
            self._tasks[name] = task
            return task
        expect = (signal_name, path)

        def run(message: str) -> Any:
            return deliver(message, expect=expect)

        run.__qualname__ = f"deliver[{name}]"  # Celery builds code from __name__: leave it
        task = self.app.task(name=name, shared=False, lazy=False, **options)(run)
        task.typedsignals_options = options
        self._tasks[name] = task
        return task

    def _task_options(self) -> dict[str, Any]:
        options = dict(self.options)
        # A rejected message fails the same way every time: never retry it, and let
        # Celery log it as an expected failure (our own log line says why).
        for key in ("dont_autoretry_for", "throws"):
            options[key] = (*tuple(options.get(key, ())), MessageRejected)
        return options


class _DoneStore(Protocol):
    """What :func:`skip_duplicates` needs of a Redis client (``redis.Redis`` has it)."""

    def exists(self, *names: str) -> Any: ...

    def set(self, name: str, value: str, ex: int | None = None) -> Any: ...


def skip_duplicates(
    store: _DoneStore, *, ttl: int = 7 * 24 * 3600, prefix: str = "typedsignals:done:"
) -> Callable[[_F], _F]:
    """Decorate a deferred receiver so that a message which already ran is skipped.

    The receiver runs unless its message's idempotency key is marked done in ``store``
    (a ``redis.Redis``); after it returns, the key is marked done for ``ttl`` seconds.
    A receiver that raised is not marked, so its retries run. Two deliveries of one
    message running at the same moment can still both run: this narrows at-least-once
    delivery to "once, except under such a race". Called outside a remote delivery
    (directly, or on the thread pool) the receiver simply runs.

    Example::

        @skip_duplicates(redis.Redis.from_url(REDIS_URL))
        def send_welcome_email(sender: Flask, payload: UserRegistered) -> None: ...
    """

    def decorate(receiver: _F) -> _F:
        @functools.wraps(receiver)
        def once(sender: Any, payload: Any) -> Any:
            envelope = current_envelope()
            if envelope is None:
                return receiver(sender, payload)
            key = prefix + envelope.id
            if store.exists(key):
                _logger.info(
                    "signal %r: message %s for %s already ran; skipped",
                    envelope.signal,
                    envelope.id,
                    envelope.receiver,
                )
                return None
            result = receiver(sender, payload)
            store.set(key, "1", ex=ttl)
            return result

        return once  # type: ignore[return-value]  # wraps keeps the receiver's signature

    return decorate
