"""The type variables of ``Signal[S, P, M]``, shared by the modules that build it."""

from __future__ import annotations

from pydantic import BaseModel
from typing_extensions import ParamSpec, TypeVar

from ._payload import EmptyPayload

__all__ = ["M", "P", "S"]

S = TypeVar("S", default=object)
"""The sender type."""
P = ParamSpec("P", default=[])
"""The payload model's constructor parameters: ``send``'s keywords."""
M = TypeVar("M", bound=BaseModel, default=EmptyPayload)
"""The payload model."""
