"""Payload validation for blinker-compatible signals.

Imported only when a signal is given a payload model, so that ``import
typedsignals.blinker`` never imports pydantic.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from pydantic import BaseModel

from ..exceptions import SignalDefinitionError, payload_error

__all__ = ["validator_for"]


def validator_for(signal_name: str, model: object) -> Callable[[dict[str, Any]], None]:
    """A function that checks a send's keyword arguments against ``model``.

    It raises :class:`~typedsignals.exceptions.PayloadError` naming the signal and every
    bad field; it returns nothing, because receivers still get the keyword arguments
    exactly as they were sent.

    Raises:
        SignalDefinitionError: ``model`` is not a pydantic model class.
    """
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        raise SignalDefinitionError(
            f"signal {signal_name!r}: the payload must be a pydantic BaseModel subclass "
            f"(usually a typedsignals.Payload), not {model!r}"
        )
    build: Callable[[dict[str, Any]], object]
    if model.__init__ is not BaseModel.__init__:
        # A model with its own __init__ must go through it.
        build = partial(_construct, model)
    else:
        build = model.__pydantic_validator__.validate_python

    def check(fields: dict[str, Any]) -> None:
        try:
            build(fields)
        except Exception as exc:
            raise payload_error(signal_name, exc) from exc

    return check


def _construct(model: type[BaseModel], fields: dict[str, Any]) -> object:
    return model(**fields)
