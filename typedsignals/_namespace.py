"""Namespaces: named collections of signals, the unit that docs and codegen read."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any, cast, overload

from pydantic import BaseModel
from typing_extensions import ParamSpec, TypeVar

from ._metrics import check_budget
from ._observe import Middleware, checked
from ._payload import EmptyPayload
from ._signal import ErrorPolicy, Signal
from ._table import refresh_settings
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

    Args:
        name: The namespace's name, shown in errors and generated docs.
        slow_receiver_ms: The slow-receiver budget of its signals that set none
            (see :class:`~typedsignals.Signal`); ``None`` takes the process default.

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

    def __init__(self, name: str = "", *, slow_receiver_ms: float | None = None) -> None:
        self.name = name
        self._signals: dict[str, Signal[Any, ..., Any]] = {}
        self._lock = threading.Lock()
        self._middleware: list[Middleware] = []
        self._slow_ms = check_budget(f"namespace {name!r}", slow_receiver_ms)
        self._metrics_on: int | None = None  # typedsignals._metrics.metrics_on

    @property
    def slow_receiver_ms(self) -> float | None:
        """The slow-receiver budget (ms) of this namespace's signals that set none."""
        return self._slow_ms

    @slow_receiver_ms.setter
    def slow_receiver_ms(self, ms: float | None) -> None:
        checked_ms = check_budget(f"namespace {self.name!r}", ms)
        with self._lock:
            self._slow_ms = checked_ms
            signals = list(self._signals.values())
        refresh_settings(signals)

    def use_middleware(self, middleware: Middleware) -> None:
        """Install ``middleware`` for every signal of this namespace, now and later."""
        with self._lock:
            self._middleware.append(checked(middleware))
            signals = list(self._signals.values())
        refresh_settings(signals)

    def remove_middleware(self, middleware: Middleware) -> None:
        """Remove a middleware installed with :meth:`use_middleware` (if it is)."""
        with self._lock:
            if middleware in self._middleware:
                self._middleware.remove(middleware)
            signals = list(self._signals.values())
        refresh_settings(signals)

    @overload
    def signal(
        self,
        name: str,
        payload: None = None,
        *,
        sender: type[S] | None = None,
        doc: str = "",
        error_policy: ErrorPolicy | None = None,
        strict: bool | None = None,
        concurrent: bool | None = None,
        slow_receiver_ms: float | None = None,
    ) -> Signal[S, [], EmptyPayload]: ...

    @overload
    def signal(
        self,
        name: str,
        payload: Callable[P, M],
        *,
        sender: type[S] | None = None,
        doc: str = "",
        error_policy: ErrorPolicy | None = None,
        strict: bool | None = None,
        concurrent: bool | None = None,
        slow_receiver_ms: float | None = None,
    ) -> Signal[S, P, M]: ...

    def signal(
        self,
        name: str,
        payload: Callable[..., Any] | None = None,
        *,
        sender: type[Any] | None = None,
        doc: str = "",
        error_policy: ErrorPolicy | None = None,
        strict: bool | None = None,
        concurrent: bool | None = None,
        slow_receiver_ms: float | None = None,
    ) -> Signal[Any, ..., Any]:
        """Return the signal called ``name``, creating it on first use.

        The arguments are those of :class:`~typedsignals.Signal`. Asking again returns
        the existing signal, provided the payload model, the sender type and every
        option given explicitly agree with it (a ``doc`` given later fills an empty one).
        A model or sender class that was redefined under the same name, as
        ``importlib.reload()`` of the declaring module does, replaces the old one, and
        the signal keeps its receivers. To look a signal up without restating its
        declaration, use ``namespace[name]``.

        Raises:
            SignalDefinitionError: The namespace already has a signal of that name that
                was declared differently.

        Example:
            >>> from typedsignals import signal
            >>> signal("app-ready") is signal("app-ready")
            True
        """
        options = {
            "error_policy": error_policy,
            "strict": strict,
            "concurrent": concurrent,
            "slow_receiver_ms": slow_receiver_ms,
        }
        given = {key: value for key, value in options.items() if value is not None}
        with self._lock:
            existing = self._signals.get(name)
            if existing is None:
                created: Signal[Any, ..., Any] = Signal(
                    name,
                    payload,
                    sender=sender,
                    doc=doc,
                    error_policy="raise" if error_policy is None else error_policy,
                    strict=bool(strict),
                    concurrent=bool(concurrent),
                    slow_receiver_ms=slow_receiver_ms,
                )
                created.namespace = self
                with created._lock:
                    created._settings_changed()  # the namespace's middleware applies
                self._signals[name] = created
                return created
        wanted = {
            "payload": EmptyPayload if payload is None else payload,
            "sender": object if sender is None else sender,
            **given,
        }
        current = {
            "payload": existing.payload_model,
            "sender": existing.sender_type,
            "error_policy": existing.error_policy,
            "strict": existing.strict,
            "concurrent": existing.concurrent,
            "slow_receiver_ms": existing.slow_receiver_ms,
        }
        conflicts = [key for key, value in wanted.items() if current[key] != value]
        if conflicts and all(
            key in ("payload", "sender") and _reloaded(current[key], wanted[key])
            for key in conflicts
        ):
            # importlib.reload() of the declaring module: its classes are new objects with
            # the same names. The signal keeps its receivers and takes the new classes.
            existing._declare(cast("type[Any]", wanted["payload"]), sender)
        elif conflicts:
            hint = (
                f"; to look the signal up without restating its declaration, use "
                f"namespace[{name!r}]"
                if payload is None and sender is None and not given
                else ""
            )
            raise SignalDefinitionError(
                f"signal {name!r} already exists in namespace {self.name!r}; it cannot be "
                "redeclared with a different "
                + ", ".join(
                    f"{key} ({_show(current[key])}, not {_show(wanted[key])})" for key in conflicts
                )
                + hint
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


signal = default_namespace.signal
"""Return the signal called ``name`` in :data:`default_namespace`, creating it on first use."""


def _reloaded(current: object, wanted: object) -> bool:
    """Tell whether ``wanted`` is ``current`` as redefined by reloading its module."""
    return (
        isinstance(current, type)
        and isinstance(wanted, type)
        and current.__module__ == wanted.__module__
        and current.__qualname__ == wanted.__qualname__
    )


def _show(value: object) -> str:
    return getattr(value, "__qualname__", None) or repr(value)


Namespace.__module__ = "typedsignals"  # the public path, for reprs and docs
