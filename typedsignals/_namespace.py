"""Namespaces: named collections of signals, the unit that docs and codegen read."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any, overload

from pydantic import BaseModel
from typing_extensions import ParamSpec, TypeVar

from ._payload import EmptyPayload
from ._signal import ErrorPolicy, Signal
from .exceptions import SignalDefinitionError

__all__ = ["Namespace", "default_namespace", "signal"]

S = TypeVar("S", default=object)
P = ParamSpec("P", default=[])
M = TypeVar("M", bound=BaseModel, default=EmptyPayload)


class Namespace:
    """A named collection of signals.

    :meth:`signal` creates a signal on first use and returns the same object afterwards,
    so modules can share a signal by name. A namespace iterates over its signals in
    creation order, which is what the documentation and code generators read.

    Example:
        >>> from typedsignals import Namespace, Payload
        >>> class UserCreated(Payload):
        ...     username: str
        >>> accounts = Namespace("accounts")
        >>> user_created = accounts.signal("user-created", UserCreated)
        >>> accounts.signal("user-created", UserCreated) is user_created
        True
        >>> [s.name for s in accounts]
        ['user-created']
    """

    def __init__(self, name: str = "") -> None:
        self.name = name
        self._signals: dict[str, Signal[Any, ..., Any]] = {}
        self._lock = threading.Lock()

    @overload
    def signal(
        self,
        name: str,
        payload: None = None,
        *,
        sender: type[S] | None = None,
        doc: str = "",
        error_policy: ErrorPolicy = "raise",
    ) -> Signal[S, [], EmptyPayload]: ...

    @overload
    def signal(
        self,
        name: str,
        payload: Callable[P, M],
        *,
        sender: type[S] | None = None,
        doc: str = "",
        error_policy: ErrorPolicy = "raise",
    ) -> Signal[S, P, M]: ...

    def signal(
        self,
        name: str,
        payload: Callable[..., Any] | None = None,
        *,
        sender: type[Any] | None = None,
        doc: str = "",
        error_policy: ErrorPolicy = "raise",
    ) -> Signal[Any, ..., Any]:
        """Return the signal called ``name``, creating it on first use.

        Asking again with the same payload model and sender type returns the existing
        signal (a ``doc`` given later fills an empty one).

        Raises:
            SignalDefinitionError: The namespace already has a signal of that name with
                a different payload model or sender type.
        """
        with self._lock:
            existing = self._signals.get(name)
            if existing is None:
                created: Signal[Any, ..., Any] = Signal(
                    name, payload, sender=sender, doc=doc, error_policy=error_policy
                )
                self._signals[name] = created
                return created
        model = EmptyPayload if payload is None else payload
        sender_type = object if sender is None else sender
        if existing.payload_model is not model or existing.sender_type is not sender_type:
            raise SignalDefinitionError(
                f"signal {name!r} already exists in namespace {self.name!r} with payload "
                f"{existing.payload_model.__qualname__} and sender "
                f"{existing.sender_type.__qualname__}; it cannot be redeclared with payload "
                f"{getattr(model, '__qualname__', model)} and sender "
                f"{getattr(sender_type, '__qualname__', sender_type)}"
            )
        if doc and not existing.doc:
            existing.doc = doc
        return existing

    def __getitem__(self, name: str) -> Signal[Any, ..., Any]:
        return self._signals[name]

    def __contains__(self, name: object) -> bool:
        return name in self._signals

    def __iter__(self) -> Iterator[Signal[Any, ..., Any]]:
        return iter(tuple(self._signals.values()))

    def __len__(self) -> int:
        return len(self._signals)

    def __repr__(self) -> str:
        return f"<Namespace {self.name!r} with {len(self._signals)} signals>"


default_namespace = Namespace("default")
"""The namespace that the module-level :func:`signal` uses."""


@overload
def signal(
    name: str,
    payload: None = None,
    *,
    sender: type[S] | None = None,
    doc: str = "",
    error_policy: ErrorPolicy = "raise",
) -> Signal[S, [], EmptyPayload]: ...


@overload
def signal(
    name: str,
    payload: Callable[P, M],
    *,
    sender: type[S] | None = None,
    doc: str = "",
    error_policy: ErrorPolicy = "raise",
) -> Signal[S, P, M]: ...


def signal(
    name: str,
    payload: Callable[..., Any] | None = None,
    *,
    sender: type[Any] | None = None,
    doc: str = "",
    error_policy: ErrorPolicy = "raise",
) -> Signal[Any, ..., Any]:
    """Return the signal called ``name`` in :data:`default_namespace`, creating it on first use.

    Example:
        >>> from typedsignals import signal
        >>> signal("app-ready") is signal("app-ready")
        True
    """
    return default_namespace.signal(
        name, payload, sender=sender, doc=doc, error_policy=error_policy
    )


Namespace.__module__ = "typedsignals"  # the public path, for reprs and docs
