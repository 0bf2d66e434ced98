"""Deliveries that leave the process, and the worker side that runs their messages.

:class:`RemoteDelivery` is the base of every delivery whose receivers run in another
process (``typedsignals.celery.CeleryDelivery``): at connect time it checks that the
sender can travel and registers the receiver for workers; on send it turns the call
into an :class:`~typedsignals.delivery.Envelope` and hands its JSON to :meth:`publish`.

The worker runs the same code (it imports the module that connects the receivers, so
their connections are prepared there too) and calls :func:`deliver` with each message:
it finds the signal and the receiver among those prepared in the worker process,
checks the schema version, validates the payload again with the worker's model,
restores the sender and calls the receiver.
"""

from __future__ import annotations

import abc
import contextvars
import logging
import threading
import weakref
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final, NoReturn

from .._receivers import ANY
from ..exceptions import PayloadError, ReceiverTypeError, SenderTypeError
from . import _carriers
from ._protocol import (
    DeferredCall,
    DeferredReceiver,
    Delivery,
    DeliveryError,
    Envelope,
    receiver_path,
    schema_version,
)
from ._senders import check_sender, reduce_sender, restore_sender

if TYPE_CHECKING:
    from .._signal import Signal

__all__ = ["MessageRejected", "RemoteDelivery", "current_envelope", "deliver", "prepared"]

_logger: Final = logging.getLogger("typedsignals")
_current: contextvars.ContextVar[Envelope | None] = contextvars.ContextVar(
    "typedsignals_envelope", default=None
)


class MessageRejected(DeliveryError):
    """A worker refused a message: it will never run, so retrying it is pointless.

    The message was corrupt, named a signal or receiver this worker does not have, had a
    schema version newer than the worker's model, or a payload (or sender) the worker's
    model rejects. :func:`deliver` logs it before raising.

    Attributes:
        envelope: The parsed message, or ``None`` when it could not be parsed.
    """

    def __init__(self, message: str, envelope: Envelope | None = None) -> None:
        super().__init__(message)
        self.envelope = envelope


class _Prepared:
    """One receiver prepared for workers: its stand-in (held weakly) and sender filter."""

    __slots__ = ("delivery", "sender", "stand_in")

    def __init__(self, stand_in: DeferredReceiver, sender: object) -> None:
        self.stand_in = weakref.ref(stand_in)
        self.sender = sender
        self.delivery = stand_in.delivery


_lock = threading.Lock()
_prepared: dict[tuple[str, str], list[_Prepared]] = {}
"""(signal name, receiver path) -> what was prepared for it in this process. The
stand-ins are held weakly: a disconnected receiver leaves the registry with them."""


def _live(key: tuple[str, str]) -> list[tuple[DeferredReceiver, object]]:
    with _lock:
        entries = _prepared.get(key, [])
        live = [(entry.stand_in(), entry.sender) for entry in entries]
        kept = [entry for entry, (stand_in, _) in zip(entries, live) if stand_in is not None]
        if not kept:
            _prepared.pop(key, None)
        elif len(kept) != len(entries):
            _prepared[key] = kept
        return [(stand_in, sender) for stand_in, sender in live if stand_in is not None]


def prepared(signal_name: str) -> list[str]:
    """The receiver paths prepared for ``signal_name`` in this process, sorted."""
    keys = [key for key in list(_prepared) if key[0] == signal_name]
    return sorted(path for name, path in keys if _live((name, path)))


def current_envelope() -> Envelope | None:
    """The message :func:`deliver` is running a receiver for, else ``None``.

    A receiver uses it to read the idempotency key (``current_envelope().id``) or the
    headers of the message it runs for.
    """
    return _current.get()


class RemoteDelivery(Delivery):
    """Base of deliveries whose receivers run in another process, from JSON messages.

    Subclasses implement :meth:`publish`; they may extend :meth:`prepare` (call this
    one first) to register what their workers need, and override :meth:`headers` to add
    context to each message. The state they may use: nothing of this class's own.

    At connect time (:meth:`prepare`) a receiver is refused when a worker could not find
    it (a lambda: its path names no single function) or when its senders cannot travel
    (:func:`~typedsignals.delivery.check_sender`); two receivers with the same path for
    the same signal and sender are refused too, since a worker could not tell them apart.
    """

    def prepare(
        self, signal: Signal[Any, ..., Any], receiver: Callable[..., Any], sender: object
    ) -> None:
        """Refuse what a worker could not run; see the class."""
        path = receiver_path(receiver)
        if "<lambda>" in path or path.startswith("?:"):
            raise ReceiverTypeError(
                f"signal {signal.name!r}: cannot defer {path} out of the process: a worker "
                f"finds receivers by 'module:qualname', and this one has no unique name"
            )
        check_sender(signal, path, sender)
        for stand_in, filter_ in _live((signal.name, path)):
            if (
                stand_in.receiver is not receiver
                and stand_in.receiver != receiver
                and _same_sender(filter_, sender)
            ):
                raise ReceiverTypeError(
                    f"signal {signal.name!r}: another receiver named {path} is already "
                    f"deferred for the same sender; a worker could not tell them apart"
                )

    def defer(
        self, signal: Signal[Any, ..., Any], receiver: Callable[..., Any], sender: object
    ) -> DeferredReceiver:
        """Prepare, make the stand-in, and register it for :func:`deliver`."""
        stand_in = super().defer(signal, receiver, sender)
        with _lock:
            _prepared.setdefault((signal.name, receiver_path(receiver)), []).append(
                _Prepared(stand_in, sender)
            )
        return stand_in

    def submit(self, call: DeferredCall) -> Any:
        """Reduce the sender, build the message and :meth:`publish` it.

        Raises:
            SenderTypeError: The sender cannot travel (possible only for signals that
                declare no sender type); nothing was queued.
        """
        form = reduce_sender(call.sender, call.signal)
        headers = self.headers(call)
        if _carriers.installed:  # the context carriers' headers (the trace context)
            headers = {**_carriers.headers_for(call), **headers}
        return self.publish(call, call.envelope(form, headers).to_json())

    def headers(self, call: DeferredCall) -> Mapping[str, str]:
        """Context to put in the message's headers (none by default).

        The installed :class:`~typedsignals.delivery.ContextCarrier` headers (such as the
        trace context of ``typedsignals.otel``) are added to these, whatever a
        subclass returns; a key returned here wins over a carrier's.
        """
        return {}

    @abc.abstractmethod
    def publish(self, call: DeferredCall, message: str) -> Any:
        """Send the JSON ``message`` for ``call`` to the workers; return its handle."""


def _same_sender(a: object, b: object) -> bool:
    if a is ANY or b is ANY:
        return a is b
    if isinstance(a, (str, int)) and isinstance(b, (str, int)):
        return a == b
    return a is b


def deliver(message: str | bytes | Envelope, *, expect: tuple[str, str] | None = None) -> Any:
    """Run one message on this worker: the receiving side of a remote delivery.

    Args:
        message: The message's JSON (or a parsed :class:`Envelope`).
        expect: ``(signal name, receiver path)`` the message must be for (a Celery
            task is bound to one receiver).

    Returns:
        What the receiver returned.

    Raises:
        MessageRejected: The message cannot run here: corrupt, unknown signal or
            receiver, a schema version newer than the worker's model, a payload or
            sender the worker rejects. Logged (with the signal's name) before it is
            raised; retrying it would fail the same way.
        Exception: Whatever the receiver raised (retry policies apply to these).
    """
    envelope = message if isinstance(message, Envelope) else _parse(message)
    stand_in, sender = _resolve(envelope, expect)
    model = stand_in.signal.payload_model
    worker_schema = schema_version(model)
    if envelope.schema > worker_schema:
        _reject(
            envelope,
            f"its schema version {envelope.schema} is newer than this worker's "
            f"{model.__qualname__} (version {worker_schema}): deploy the new model to "
            f"the workers",
        )
    try:
        payload = stand_in.signal.validate(sender, **envelope.payload)
    except (PayloadError, SenderTypeError) as exc:
        _reject(envelope, f"this worker's {model.__qualname__} rejects it: {exc}")
    token = _current.set(envelope)
    try:
        if _carriers.installed:  # restore what the sender's carriers put in the headers
            receiver = stand_in.receiver
            return _carriers.run_with(
                envelope.headers, stand_in.signal, receiver, lambda: receiver(sender, payload)
            )
        return stand_in.receiver(sender, payload)
    finally:
        _current.reset(token)


def _parse(message: str | bytes) -> Envelope:
    try:
        return Envelope.from_json(message)
    except DeliveryError as exc:
        _logger.error("deferred message rejected, not retried: %s", exc)
        raise MessageRejected(f"deferred message rejected: {exc}") from None


def _reject(envelope: Envelope, why: str) -> NoReturn:
    text = (
        f"signal {envelope.signal!r}: message {envelope.id} for {envelope.receiver} "
        f"rejected, not retried: {why}"
    )
    _logger.error("%s", text)
    raise MessageRejected(text, envelope)


def _resolve(envelope: Envelope, expect: tuple[str, str] | None) -> tuple[DeferredReceiver, object]:
    """The stand-in the message is for, and its restored sender."""
    key = (envelope.signal, envelope.receiver)
    if expect is not None and key != expect:
        _reject(envelope, f"it reached the task of {expect[1]} for signal {expect[0]!r}")
    candidates = _live(key)
    if not candidates:
        if not prepared(envelope.signal):
            _reject(envelope, "no receiver of this signal is deferred in this worker "
                              "(unknown signal)")  # fmt: skip
        _reject(envelope, "this receiver is not deferred for the signal in this worker")
    try:
        sender = restore_sender(envelope.sender, envelope.signal)
    except DeliveryError as exc:
        _reject(envelope, f"its sender cannot be restored: {exc}")
    for stand_in, filter_ in candidates:
        if filter_ is ANY or _same_sender(filter_, sender):
            return stand_in, sender
    _reject(envelope, f"the receiver is not connected for its sender {sender!r:.60} here")
