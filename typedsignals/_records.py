"""Records the typed signal reports: its meta signals' payloads and its connections."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from ._payload import Payload

__all__ = ["ConnectionInfo", "ReceiverConnected", "ReceiverDisconnected"]


class ReceiverConnected(Payload):
    """Payload of :attr:`Signal.receiver_connected`."""

    receiver: Callable[..., Any]
    sender: Any
    weak: bool


class ReceiverDisconnected(Payload):
    """Payload of :attr:`Signal.receiver_disconnected`."""

    receiver: Callable[..., Any]
    sender: Any


class ConnectionInfo(NamedTuple):
    """One connection of a receiver, as :meth:`Signal.connections` reports it."""

    receiver: Callable[..., Any]
    sender: object
    """The sender it is connected for, or :data:`~typedsignals.ANY`."""
    priority: int
    weak: bool
    """Whether the signal holds the receiver by a weak reference."""
