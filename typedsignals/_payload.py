"""The payload base model."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["EmptyPayload", "Payload"]


class Payload(BaseModel):
    """Base class for signal payloads: a frozen pydantic model that forbids unknown fields.

    ``arbitrary_types_allowed`` is on, so fields may hold objects pydantic knows nothing
    about (a Flask app, a Response); those are checked with ``isinstance``.

    Example:
        >>> class UserRegistered(Payload):
        ...     user_id: int
        ...     email: str
        >>> UserRegistered(user_id="7", email="a@example.org").user_id
        7
    """

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)


class EmptyPayload(Payload):
    """The payload of a signal declared without a model: no fields at all."""


Payload.__module__ = EmptyPayload.__module__ = "typedsignals"  # the public path, for reprs and docs
