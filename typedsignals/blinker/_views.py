"""blinker's bookkeeping attributes, computed from the receiver table.

blinker keeps its connections in four structures that code and tests sometimes read:
``receivers`` (receiver id to receiver or weak reference), ``_by_sender`` and
``_by_receiver`` (id to a set of ids) and ``_weak_senders``. Here they are views: each
read is computed from the shared receiver table, so there is nothing to fall out of step
with it. Writing to a computed ``_by_sender`` dict changes nothing.

Keys are computed with :func:`~typedsignals.blinker._utilities.make_id`, as blinker
does, and receivers connected for any sender are filed under ``ANY_ID``.
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Final

from .._receivers import ANY as _CORE_ANY

if TYPE_CHECKING:
    from .._table import Connection
    from .base import Signal

__all__ = ["ANY_ID", "ReceiverMap", "by_receiver", "by_sender", "weak_senders"]

ANY_ID: Final = 0
"""The key blinker files receivers connected for any sender under."""


def _connections(signal: Signal) -> Iterator[tuple[Hashable, bool, Connection, Callable[..., Any]]]:
    """``(sender key, sender alive, connection, live receiver)`` for every connection.

    Connections of a sender that died but was not purged yet are included (``alive`` is
    False); connections whose weakly held receiver died are not.
    """
    with signal._lock:
        entries = signal._entries()
    for route, conn in entries:
        target = conn.target()
        if target is not None:
            yield ANY_ID if route.sender() is _CORE_ANY else route.key, route.alive(), conn, target


class ReceiverMap(Mapping[Hashable, Any]):
    """``Signal.receivers``: receiver id to the receiver, or its weak reference if weak.

    Its truth value tells whether anything is connected, which blinker documents as the
    public use of this attribute (``if signal.receivers:``); it is answered without
    building the mapping. :meth:`clear` disconnects every receiver.

    As in blinker, a receiver whose only sender died stays listed until the signal next
    changes (blinker keeps it until the receiver is disconnected).
    """

    __slots__ = ("_ref",)

    def __init__(self, signal: Signal) -> None:
        # Weak: the signal keeps its view, and a cycle would keep a dropped signal (and
        # its connections) alive until the garbage collector runs.
        self._ref = weakref.ref(signal)

    @property
    def _signal(self) -> Signal:
        signal = self._ref()
        if signal is None:  # pragma: no cover - only a view kept past its signal
            raise ReferenceError("the signal of this receivers view no longer exists")
        return signal

    def _snapshot(self) -> dict[Hashable, Any]:
        found: dict[Hashable, Any] = {}
        for _, _, conn, _ in _connections(self._signal):
            found.setdefault(conn.key, conn.item)
        return found

    def __bool__(self) -> bool:
        signal = self._signal
        return not signal._idle and any(True for _ in _connections(signal))

    def __getitem__(self, key: Hashable) -> Any:
        return self._snapshot()[key]

    def __iter__(self) -> Iterator[Hashable]:
        return iter(self._snapshot())

    def __len__(self) -> int:
        return len(self._snapshot())

    def __repr__(self) -> str:
        return f"ReceiverMap({self._snapshot()!r})"

    def clear(self) -> None:
        """Disconnect every receiver of the signal (no ``receiver_disconnected`` is sent)."""
        self._signal._clear_state()


def by_sender(signal: Signal) -> defaultdict[Hashable, set[Any]]:
    """blinker's ``_by_sender``: sender id to the ids of the receivers connected for it."""
    view: defaultdict[Hashable, set[Any]] = defaultdict(signal.set_class)
    for key in tuple(signal._stale_senders):
        view[key]  # an emptied bucket that blinker would still hold
    for key, alive, conn, _ in _connections(signal):
        if alive:
            view[key].add(conn.key)
    return view


def by_receiver(signal: Signal) -> defaultdict[Hashable, set[Any]]:
    """blinker's ``_by_receiver``: receiver id to the ids of the senders it is connected for."""
    view: defaultdict[Hashable, set[Any]] = defaultdict(signal.set_class)
    for key in tuple(signal._stale_receivers):
        view[key]  # an emptied bucket that blinker would still hold
    for key, alive, conn, _ in _connections(signal):
        bucket = view[conn.key]
        if alive:
            bucket.add(key)
    return view


def weak_senders(signal: Signal) -> dict[Hashable, weakref.ref[Any]]:
    """blinker's ``_weak_senders``: sender id to a weak reference, for weakly held senders."""
    with signal._lock:
        entries = signal._entries()
    return {
        route.key: route.ref
        for route, conn in entries
        if route.ref is not None and route.ref() is not None and conn.target() is not None
    }
