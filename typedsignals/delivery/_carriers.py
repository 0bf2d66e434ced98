"""Context that travels with deferred calls: from the send to where the receiver runs.

A receiver deferred to a pool thread or a worker process runs outside the send that
queued it, so context variables (the current trace span) do not reach it. A
:class:`ContextCarrier` turns that context into string headers when a call is queued
(in the sender's thread) and restores it around the receiver's call (in the pool thread,
or on the worker from the message's ``headers``). ``typedsignals.otel`` installs one
for the W3C trace context. With none installed, deliveries skip this step.
"""

from __future__ import annotations

import abc
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from .._signal import Signal
    from ._protocol import DeferredCall

__all__ = ["ContextCarrier", "add_carrier", "carriers", "headers_for", "remove_carrier", "run_with"]

_T = TypeVar("_T")
_lock = threading.Lock()
installed: tuple[ContextCarrier, ...] = ()
"""Installed carriers, first installed first; replaced whole, so readers need no lock.
Deliveries read it as ``_carriers.installed`` (not imported by name: it is rebound)."""


class ContextCarrier(abc.ABC):
    """Carries context from a send to its deferred receiver calls; subclass it.

    :meth:`inject` runs in the sender's thread when a call is queued and returns string
    headers (keep them small: they travel in every message). :meth:`run` wraps the
    receiver's call where it runs, given those headers, and must call ``proceed()``
    once and return its result. A carrier keeps no state per call.
    """

    @abc.abstractmethod
    def inject(self, call: DeferredCall) -> Mapping[str, str]:
        """The headers that carry the sender's context for ``call``."""

    @abc.abstractmethod
    def run(
        self,
        headers: Mapping[str, str],
        signal: Signal[Any, ..., Any],
        receiver: Callable[..., Any],
        proceed: Callable[[], _T],
    ) -> _T:
        """Call ``proceed()`` (the receiver's call) in the context ``headers`` carry."""


def add_carrier(carrier: ContextCarrier) -> None:
    """Install ``carrier`` for every delivery of the process (once: again is a no-op)."""
    global installed
    if not isinstance(carrier, ContextCarrier):
        raise TypeError(f"a carrier must be a ContextCarrier instance, not {carrier!r}")
    with _lock:
        if carrier not in installed:
            installed = (*installed, carrier)


def remove_carrier(carrier: ContextCarrier) -> None:
    """Remove an installed carrier; removing one not installed does nothing."""
    global installed
    with _lock:
        installed = tuple(c for c in installed if c is not carrier)


def carriers() -> tuple[ContextCarrier, ...]:
    """The installed carriers, in the order they run (outermost first)."""
    return installed


def headers_for(call: DeferredCall) -> dict[str, str]:
    """The headers every installed carrier gives ``call`` (empty when none is)."""
    headers: dict[str, str] = {}
    for carrier in installed:
        headers.update(carrier.inject(call))
    return headers


def run_with(
    headers: Mapping[str, str],
    signal: Signal[Any, ..., Any],
    receiver: Callable[..., Any],
    proceed: Callable[[], _T],
) -> _T:
    """Call ``proceed()`` inside every installed carrier's :meth:`~ContextCarrier.run`."""
    call = proceed
    for carrier in reversed(installed):
        call = _wrapped(carrier, headers, signal, receiver, call)
    return call()


def _wrapped(
    carrier: ContextCarrier,
    headers: Mapping[str, str],
    signal: Signal[Any, ..., Any],
    receiver: Callable[..., Any],
    inner: Callable[[], _T],
) -> Callable[[], _T]:
    return lambda: carrier.run(headers, signal, receiver, inner)
