"""Deferred delivery: the stand-in a signal connects, the call it queues, the message.

A deferred receiver is connected with ``signal.connect(receiver, via=delivery)``. The
signal connects a :class:`DeferredReceiver` in its place; a send calls it as
``(sender, payload)`` and it hands a :class:`DeferredCall` to the delivery's ``submit``,
whose return value (a handle: a ``Future``, a Celery ``AsyncResult``) is what the send
reports for that receiver. Deliveries that leave the process turn the call into an
:class:`Envelope`, the wire format (docs/delivery.md).
"""

from __future__ import annotations

import abc
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Final

from ..exceptions import TypedSignalsError

if TYPE_CHECKING:
    from pydantic import BaseModel

    from .._signal import Signal

__all__ = [
    "WIRE_FORMAT",
    "DeferredCall",
    "DeferredReceiver",
    "Delivery",
    "DeliveryError",
    "Envelope",
    "receiver_path",
    "schema_version",
]

WIRE_FORMAT: Final = 1
"""Version of the :class:`Envelope` layout; a worker rejects a message of another."""


class DeliveryError(TypedSignalsError, RuntimeError):
    """A deferred call could not be queued, or a message could not be delivered."""


class Delivery(abc.ABC):
    """Where deferred receivers run: the thread pool, Celery, or your own subclass.

    The protocol is two methods. :meth:`prepare` is called once per connected receiver
    and must refuse, with a clear error, what this delivery cannot run; :meth:`submit`
    queues one call and returns its handle. Both run in the sender's thread, and
    ``submit`` must not call the receiver unless its documented policy says so.
    """

    def prepare(  # noqa: B027 - not abstract: the default accepts every receiver
        self, signal: Signal[Any, ..., Any], receiver: Callable[..., Any], sender: object
    ) -> None:
        """Check that ``receiver`` can be delivered this way; register what workers need.

        The default accepts every receiver.
        """

    @abc.abstractmethod
    def submit(self, call: DeferredCall) -> Any:
        """Queue ``call``; return its handle."""

    def defer(
        self, signal: Signal[Any, ..., Any], receiver: Callable[..., Any], sender: object
    ) -> DeferredReceiver:
        """What ``signal.connect(receiver, via=self)`` calls: prepare, then a stand-in."""
        self.prepare(signal, receiver, sender)
        return DeferredReceiver(signal, receiver, self)


@dataclass(frozen=True, slots=True)
class DeferredCall:
    """One receiver call that a send deferred."""

    signal: Signal[Any, ..., Any]
    receiver: Callable[..., Any]
    sender: object
    payload: BaseModel
    id: str = field(default_factory=lambda: os.urandom(16).hex())
    """The idempotency key: the same for every retry of this call. 128 random bits in
    hex: ``uuid.uuid4().hex`` costs five times as much (1.8 against 0.4 us), a third of
    the thread pool's enqueue cost (benchmarks/delivery.py)."""

    def run(self) -> Any:
        """Call the receiver in this process, with the sender and payload as sent."""
        return self.receiver(self.sender, self.payload)

    def envelope(self, sender: Any, headers: Mapping[str, str] | None = None) -> Envelope:
        """The wire message for this call, given the sender's serialisable form."""
        return Envelope(
            signal=self.signal.name,
            receiver=receiver_path(self.receiver),
            schema=schema_version(self.signal.payload_model),
            id=self.id,
            sender=sender,
            # By alias: the worker validates it as send() validates keyword fields.
            payload=self.payload.model_dump(mode="json", by_alias=True),
            headers=dict(headers or {}),
        )


@dataclass(frozen=True, slots=True)
class Envelope:
    """The wire format of a deferred call: JSON, self-describing, versioned.

    Attributes:
        signal: The signal's name; the worker finds the signal by it.
        receiver: ``"module:qualname"`` of the receiver.
        schema: The payload model's schema version (:func:`schema_version`).
        id: The idempotency key, to deduplicate: delivery is at least once.
        sender: The sender's serialisable form (see :mod:`typedsignals.delivery`).
        payload: ``payload.model_dump(mode="json", by_alias=True)``; validated again
            on the worker.
        headers: Small string context for later layers (tracing).
        format: :data:`WIRE_FORMAT`.
    """

    signal: str
    receiver: str
    schema: int
    id: str
    sender: Any
    payload: dict[str, Any]
    headers: dict[str, str]
    format: int = WIRE_FORMAT

    _KEYS: ClassVar[tuple[str, ...]] = (
        "format", "signal", "receiver", "schema", "id", "sender", "payload", "headers",
    )  # fmt: skip

    def to_json(self) -> str:
        """The message as a JSON text."""
        return json.dumps({key: getattr(self, key) for key in self._KEYS}, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> Envelope:
        """Parse a message; raise :class:`DeliveryError` naming what is wrong with it."""
        try:
            data = json.loads(text)
        except (ValueError, TypeError) as exc:
            raise DeliveryError(f"a deferred-delivery message is not JSON: {exc}") from None
        if not isinstance(data, dict):
            raise DeliveryError("a deferred-delivery message must be a JSON object")
        missing = [key for key in cls._KEYS if key not in data]
        if missing:
            raise DeliveryError(
                f"a deferred-delivery message lacks {', '.join(missing)} "
                f"(signal {data.get('signal')!r})"
            )
        if data["format"] != WIRE_FORMAT:
            raise DeliveryError(
                f"signal {data['signal']!r}: message format {data['format']!r} is not "
                f"{WIRE_FORMAT}, the one this worker reads"
            )
        kinds = {"signal": str, "receiver": str, "schema": int, "id": str, "payload": dict,
                 "headers": dict}  # fmt: skip
        for key, kind in kinds.items():
            if not isinstance(data[key], kind) or isinstance(data[key], bool):
                raise DeliveryError(
                    f"signal {data['signal']!r}: message field {key!r} must be a "
                    f"{kind.__name__}, not {type(data[key]).__name__}"
                )
        return cls(**{key: data[key] for key in cls._KEYS})


class DeferredReceiver:
    """What a signal connects in place of a deferred receiver.

    Called as ``(sender, payload)`` by a send, it queues the call on its delivery and
    returns the handle. Its repr names the receiver and the delivery, for logs.
    """

    __slots__ = ("__weakref__", "delivery", "receiver", "signal")

    def __init__(
        self, signal: Signal[Any, ..., Any], receiver: Callable[..., Any], delivery: Delivery
    ) -> None:
        self.signal = signal
        self.receiver = receiver
        self.delivery = delivery

    @property
    def deferral(self) -> Delivery:
        """The delivery (the core's name for it: it compares it with ``via``)."""
        return self.delivery

    def __call__(self, sender: object, payload: BaseModel) -> Any:
        return self.delivery.submit(DeferredCall(self.signal, self.receiver, sender, payload))

    def __repr__(self) -> str:
        return f"<deferred {receiver_path(self.receiver)} via {self.delivery!r}>"


def receiver_path(receiver: Callable[..., Any]) -> str:
    """``"module:qualname"`` of a receiver, how workers find it."""
    module = getattr(receiver, "__module__", None) or "?"
    name = getattr(receiver, "__qualname__", None) or repr(receiver)
    return f"{module}:{name}"


def schema_version(model: type[BaseModel]) -> int:
    """A payload model's schema version: its ``__schema_version__``, 1 if it sets none.

    Bump it when a change makes old messages invalid; a worker rejects messages whose
    version is newer than its model's, and validates older ones again.
    """
    version = getattr(model, "__schema_version__", 1)
    return version if isinstance(version, int) and not isinstance(version, bool) else 1
