"""The receiver table shared by typed signals and the blinker-compatible signals.

It imports nothing heavy (no pydantic), so ``typedsignals.blinker`` stays as light as
blinker itself.

Data layout, chosen for the send path:

* every connection is a small :class:`Connection` record, kept in tuples sorted by
  ``(-priority, seq)``: one tuple for ``ANY`` and one per routed sender;
* for ``ANY`` and for each routed sender a *dispatch* pair says what a send calls:
  ``(items, flags)``, where ``items`` holds the receivers themselves (or their weak
  references) in call order and ``flags`` says whether any is weak (``WEAK``) or a
  coroutine function (``ASYNC``): with no flag set, a send may call items directly.
  Connect and disconnect publish a new pair under a lock with one attribute store (a
  routed sender's pair is marked stale instead, and its next send rebuilds it once);
  a send reads it once and never locks.

Senders are routed by identity (``str`` and ``int`` by value, as blinker does). A sender
that supports weak references is held weakly; one that does not is held strongly while
it has connections, so its ``id()`` cannot be reused by a stranger that would then get
its deliveries. Every lookup by ``id()`` also checks identity.
"""

from __future__ import annotations

import functools
import itertools
import operator
import threading
import weakref
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from types import FunctionType, MethodType
from typing import Any, ClassVar, Final

from ._receivers import (
    ANY,
    ASYNC,
    REFUSED,
    WEAK_REF_TYPES,
    WeakFunctionRef,
    WeakMethodRef,
    describe,
    make_ref,
    plain_verdicts,
    receiver_verdict,
    refused,
)
from .exceptions import ReceiverTypeError

__all__ = ["ASYNC", "WEAK", "Connection", "Dispatch", "ReceiverTable", "all_signals"]

Dispatch = tuple[tuple[Any, ...], int]
"""``(items, flags)``: the receivers (or weak references to them) in call order."""

WEAK: Final = 1
"""Dispatch flag: some items are weak references to resolve before calling."""
# ASYNC (from _receivers), also a dispatch flag: some receivers are coroutine functions.

EMPTY_DISPATCH: Final[Dispatch] = ((), 0)
_seq: Final = itertools.count()  # global connection order; next() is atomic under the GIL


def receiver_key(receiver: object) -> Hashable:
    """The identity of a receiver, as blinker defines it.

    The id of a bound method is not stable (a new method object is made on each
    attribute access), but the ids of its function and instance are.
    """
    if type(receiver) is MethodType:
        return (id(receiver.__func__), id(receiver.__self__))
    return id(receiver)


class Connection:
    """One receiver connected for one sender (or ANY).

    Made only by :meth:`ReceiverTable._connect`, which fills the slots itself: a Python
    ``__init__`` would cost a third of a connect.
    """

    __slots__ = ("flags", "item", "key", "priority", "ref", "seq")

    item: Any
    """What dispatch calls: the receiver itself, or its weak reference."""
    ref: WeakFunctionRef | WeakMethodRef | None
    key: Hashable
    """The receiver's identity (:func:`receiver_key`)."""
    flags: int
    priority: int
    seq: int
    """Taken under the table's lock, so seq order is publication order."""

    def target(self) -> Callable[..., Any] | None:
        """The live receiver, or None once a weakly held receiver has died."""
        return self.item if self.ref is None else self.ref()


_new: Final = object.__new__
_item: Final = operator.attrgetter("item")
_flags: Final = operator.attrgetter("flags")


def _order(conn: Connection) -> tuple[int, int]:
    return (-conn.priority, conn.seq)


def _insertion_point(conns: tuple[Connection, ...], priority: int) -> int:
    """Where a new connection with ``priority`` goes: after every one not below it."""
    at = len(conns)
    while at and conns[at - 1].priority < priority:
        at -= 1
    return at


def _dispatch_of(conns: Sequence[Connection]) -> Dispatch:
    return tuple(map(_item, conns)), functools.reduce(operator.or_, map(_flags, conns), 0)


class _Route:
    """The connections of ANY or of one specific sender, and what a send calls."""

    __slots__ = ("by_value", "conns", "dispatch", "index", "key", "obj", "ref")

    def __init__(
        self, obj: object, ref: weakref.ref[Any] | None, key: object, by_value: bool
    ) -> None:
        self.obj = obj if ref is None else None  # strong only when it cannot be weak
        self.ref = ref
        self.key = key  # the key of this route in the table's _by_value or _by_id
        self.by_value = by_value
        self.conns: tuple[Connection, ...] = ()  # sorted by (-priority, seq)
        self.index: dict[Hashable, Connection] = {}  # receiver_key -> connection
        # What a send from this sender calls (its connections merged with ANY's), or
        # None when a change made it stale: the next send rebuilds it, so connecting
        # many receivers costs one merge, not one per connect.
        self.dispatch: Dispatch | None = EMPTY_DISPATCH

    def holds(self, sender: object) -> bool:
        return self.obj is sender or (self.ref is not None and self.ref() is sender)

    def alive(self) -> bool:
        return self.ref is None or self.ref() is not None

    def live(self, key: Hashable) -> Connection | None:
        """The live connection of the receiver with ``key`` here, if any."""
        conn = self.index.get(key)
        return conn if conn is not None and conn.target() is not None else None


def _dead_callback(table_ref: weakref.ref[ReceiverTable]) -> Callable[[object], None]:
    def on_dead(_: object) -> None:
        # Runs inside the garbage collector, possibly while this very thread holds the
        # table's lock: only flag the table for cleanup by the next locked operation.
        table = table_ref()
        if table is not None:
            table._dirty = True

    return on_dead


class ReceiverTable:
    """Who is connected to one signal, for which sender, in which order."""

    name: str

    _two_positional: ClassVar[bool] = False
    """Refuse receivers that cannot be called as ``receiver(sender, payload)``."""

    def __init__(self, name: str) -> None:
        self.name = name
        # Call the _announce_* hooks after each change: set by a subclass that needs
        # them, or once a meta signal exists. Without, connect skips two calls.
        self._announce = False
        # Reentrant: a finaliser run by the garbage collector inside a locked section
        # may disconnect a receiver of this very signal.
        self._lock = threading.RLock()
        self._anyr = _Route(ANY, None, ANY, False)  # connections for every sender
        self._any_dispatch = EMPTY_DISPATCH  # == _anyr.dispatch, one attribute load for send
        self._by_id: dict[int, _Route] = {}
        self._by_value: dict[object, _Route] = {}
        self._routed = False
        # True while a send can return at once: nothing connected anywhere (and, for
        # typed signals, no strict validation). The first thing send() reads.
        self._idle = True
        self._validate_always = False  # typed signals in strict mode: never idle
        self._mute_depth = 0
        self._dirty = False
        self._on_dead = _dead_callback(weakref.ref(self))
        _tables.add(self)

    # -- hooks for subclasses ------------------------------------------------------

    def _vet_sender(self, sender: object) -> None:
        """Reject a sender (other than ANY) before anything is stored."""

    def _announce_connected(self, receiver: Callable[..., Any], sender: object, weak: bool) -> None:
        """Called after a new connection is published, outside the lock, if ``_announce``."""

    def _announce_disconnected(self, receiver: Callable[..., Any], sender: object) -> None:
        """Called after a disconnect removed a connection, outside the lock, if ``_announce``."""

    def _refresh_idle(self) -> None:
        """Recompute ``_idle`` after the connections or a setting it depends on changed."""
        self._idle = not (self._anyr.conns or self._routed or self._validate_always)

    def _settings_changed(self) -> None:
        """A process-wide setting (strict mode) changed; call with the lock held."""
        self._refresh_idle()

    # -- lookup (lock-free) --------------------------------------------------------

    def _dispatch_for(self, sender: object) -> Dispatch:
        route = self._route_of(sender)
        if route is None:
            return self._any_dispatch
        return route.dispatch or self._rebuild(route)

    def _rebuild(self, route: _Route) -> Dispatch:
        """Compute a stale route's dispatch (once, whoever asks first)."""
        with self._lock:
            dispatch = route.dispatch
            if dispatch is None:
                dispatch = route.dispatch = self._merged(route.conns)
            return dispatch

    def _route_of(self, sender: object) -> _Route | None:
        if isinstance(sender, (str, int)):
            return self._by_value.get(sender)
        route = self._by_id.get(id(sender))
        # The route may belong to a dead sender whose id() this one reuses: check identity.
        if route is not None and not route.holds(sender):
            return None
        return route

    def _resolve(self, item: Any) -> Callable[..., Any] | None:
        if type(item) in WEAK_REF_TYPES:
            receiver: Callable[..., Any] | None = item()
            if receiver is None:
                self._dirty = True
            return receiver
        return item  # type: ignore[no-any-return]  # items hold callables or our refs

    def _live(self, sender: object) -> tuple[Callable[..., Any], ...]:
        """The live receivers a send from ``sender`` reaches, in call order."""
        items, flags = self._dispatch_for(sender) if self._routed else self._any_dispatch
        if not flags:
            return items
        resolved = (self._resolve(item) for item in items)
        return tuple(receiver for receiver in resolved if receiver is not None)

    def _has_live(self, sender: object) -> bool:
        items, flags = self._dispatch_for(sender) if self._routed else self._any_dispatch
        if not flags:
            return bool(items)
        return any(self._resolve(item) is not None for item in items)

    # -- connect -------------------------------------------------------------------

    def _connect(
        self, receiver: Callable[..., Any], sender: object, weak: bool, priority: int
    ) -> Connection | None:
        """Connect and return the new connection, or None if it already existed.

        This is the hot path of connect: the usual receiver (a plain function connected
        for ANY with the default priority) takes no call into Python but the
        ``Connection`` record, and appends to ANY's tuples instead of splicing them.
        """
        kind = type(receiver)
        verdict = plain_verdicts.get(receiver.__code__) if kind is FunctionType else None
        if verdict is None:
            verdict = receiver_verdict(self.name, receiver)
        if (
            verdict & REFUSED
            and self._two_positional
            # plain_verdicts ignores defaults, which can only make a function accept more.
            and receiver_verdict(self.name, receiver) & REFUSED
        ):
            raise refused(self.name, receiver)
        flags = verdict & ASYNC
        if sender is not ANY:
            self._vet_sender(sender)
        if type(priority) is not int and not isinstance(priority, int):
            raise TypeError(f"signal {self.name!r}: priority must be an int, not {priority!r}")
        ref = None
        if weak:
            try:
                ref = make_ref(receiver, self._on_dead)
            except TypeError:
                raise ReceiverTypeError(
                    f"signal {self.name!r}: receiver {describe(receiver)} cannot be held "
                    "weakly (it does not support weak references); connect it with weak=False"
                ) from None
            flags |= WEAK
        key: Hashable = (
            (id(receiver.__func__), id(receiver.__self__))  # type: ignore[attr-defined]
            if kind is MethodType
            else id(receiver)
        )  # receiver_key(), inlined
        conn = _new(Connection)
        conn.item = receiver if ref is None else ref
        conn.ref = ref
        conn.key = key
        conn.flags = flags
        conn.priority = priority
        lock = self._lock
        lock.acquire()  # not `with`: this is a third cheaper, and connect is hot
        try:
            if self._dirty:
                self._purge()
            route = self._anyr if sender is ANY else self._route_for_update(sender)
            old = route.index.get(key)
            if old is not None:
                if old.ref is None or old.ref() is not None:
                    return None
                self._drop(old, route)  # dead, and its key reused by this receiver
            conn.seq = next(_seq)
            route.index[key] = conn
            conns = route.conns
            if route is self._anyr:
                # Patch ANY's dispatch rather than rebuild it: connecting n receivers
                # one by one then costs n tuple copies in C, not n rebuilds in Python.
                items, any_flags = self._any_dispatch
                if not conns or conns[-1].priority >= priority:
                    conns += (conn,)
                    items += (conn.item,)
                else:
                    at = _insertion_point(conns, priority)
                    conns = (*conns[:at], conn, *conns[at:])
                    items = (*items[:at], conn.item, *items[at:])
                if self._routed:
                    self._publish_any(conns, (items, any_flags | flags))
                else:  # _publish_any, inlined for the usual case
                    route.conns = conns
                    route.dispatch = self._any_dispatch = (items, any_flags | flags)
                    self._idle = False
            else:
                at = _insertion_point(conns, priority)
                self._publish(route, (*conns[:at], conn, *conns[at:]))
        finally:
            lock.release()
        if self._announce:
            self._announce_connected(receiver, sender, weak)
        return conn

    def _route_for_update(self, sender: object) -> _Route:
        """Find or create the route of ``sender``; call with the lock held."""
        if isinstance(sender, (str, int)):
            route = self._by_value.get(sender)
            if route is None:
                route = _Route(sender, None, sender, True)
                # Complete before it is visible: a send may read it at once, unlocked.
                route.dispatch = self._any_dispatch
                self._by_value[sender] = route
            return route
        key = id(sender)
        route = self._by_id.get(key)
        if route is not None and route.holds(sender):
            return route
        try:
            ref: weakref.ref[Any] | None = weakref.ref(sender, self._on_dead)
        except TypeError:
            ref = None
        route = _Route(sender, ref, key, False)
        route.dispatch = self._any_dispatch  # complete before a send can see it
        self._by_id[key] = route
        return route

    def _publish(
        self, route: _Route, conns: tuple[Connection, ...], dispatch: Dispatch | None = None
    ) -> None:
        """Make ``conns`` the connections of ``route`` and recompute what sends call.

        Call with the lock held, with ``route.index`` already updated. ``dispatch`` is
        ANY's new dispatch when the caller could patch it cheaply.
        """
        if route is self._anyr:
            self._publish_any(conns, _dispatch_of(conns) if dispatch is None else dispatch)
            return
        route.conns = conns
        if conns:
            route.dispatch = None
            self._routed = True
        else:
            table: dict[Any, _Route] = self._by_value if route.by_value else self._by_id
            if table.get(route.key) is route:
                del table[route.key]
            self._routed = bool(self._by_id or self._by_value)
        self._refresh_idle()

    def _publish_any(self, conns: tuple[Connection, ...], dispatch: Dispatch) -> None:
        """:meth:`_publish` for ANY's route, with its new dispatch; call with the lock held."""
        anyr = self._anyr
        anyr.conns = conns
        anyr.dispatch = self._any_dispatch = dispatch
        if self._routed:  # every routed sender's dispatch merges ANY's: stale now
            for other in (*self._by_id.values(), *self._by_value.values()):
                other.dispatch = None
        self._idle = not (conns or self._routed or self._validate_always)

    def _merged(self, conns: tuple[Connection, ...]) -> Dispatch:
        """Dispatch of a specific sender: its own connections merged with ANY's.

        A receiver connected both for ANY and for this sender is called once, at its
        earlier position, as in blinker.
        """
        if not self._anyr.conns:
            return _dispatch_of(conns)
        seen: set[Hashable] = set()
        merged = []
        for conn in sorted((*self._anyr.conns, *conns), key=_order):
            if conn.key not in seen:
                seen.add(conn.key)
                merged.append(conn)
        return _dispatch_of(merged)

    def _routes(self) -> tuple[_Route, ...]:
        return (self._anyr, *self._by_id.values(), *self._by_value.values())

    def _purge(self) -> None:
        """Drop dead weak receivers and dead senders; call with the lock held."""
        self._dirty = False
        for route in self._routes():
            alive = route.alive()
            conns = tuple(conn for conn in route.conns if conn.target() is not None)
            if len(conns) != len(route.conns) or not alive:
                conns = conns if alive else ()
                route.index = {conn.key: conn for conn in conns}
                self._publish(route, conns)

    def _purge_soon(self) -> None:
        """Purge now if no other thread is changing the table; else leave it to that one."""
        if self._lock.acquire(blocking=False):
            try:
                if self._dirty:
                    self._purge()
            finally:
                self._lock.release()

    # -- disconnect ----------------------------------------------------------------

    def _disconnect(self, receiver: Callable[..., Any], sender: object) -> bool:
        """Remove the receiver's connections for ``sender`` (every one for ANY)."""
        method: Any = receiver
        key: Hashable = (
            (id(method.__func__), id(method.__self__)) if type(method) is MethodType else id(method)
        )  # receiver_key(), inlined: disconnect is hot too
        removed = False
        lock = self._lock
        lock.acquire()  # not `with`, as in _connect
        try:
            if self._dirty:
                self._purge()
            if sender is not ANY:
                found = self._route_of(sender)
                if found is not None:
                    removed = self._drop(found.live(key), found)
            elif self._routed:
                for route in self._routes():
                    removed = self._drop(route.live(key), route) or removed
            else:  # the usual case, with _Route.live and _drop inlined
                anyr = self._anyr
                conn = anyr.index.get(key)
                if conn is not None and (conn.ref is None or conn.ref() is not None):
                    if conn.flags:  # weak or async: ANY's flags need a rebuild
                        removed = self._drop(conn, anyr)
                    else:
                        del anyr.index[key]
                        conns = anyr.conns
                        items, flags = self._any_dispatch  # aligned with ANY's connections
                        if conns[-1] is conn:
                            conns = conns[:-1]
                            items = items[:-1]
                        else:
                            at = conns.index(conn)
                            conns = conns[:at] + conns[at + 1 :]
                            items = items[:at] + items[at + 1 :]
                        anyr.conns = conns
                        anyr.dispatch = self._any_dispatch = (items, flags)
                        self._idle = not (conns or self._validate_always)
                        removed = True
        finally:
            lock.release()
        if removed and self._announce:
            self._announce_disconnected(receiver, sender)
        return removed

    def _drop(self, conn: Connection | None, route: _Route) -> bool:
        """Remove ``conn`` from ``route`` if it is there; call with the lock held."""
        if conn is None or route.index.get(conn.key) is not conn:
            return False
        del route.index[conn.key]
        conns = route.conns
        at = len(conns) - 1 if conns[-1] is conn else conns.index(conn)
        rest = conns[:at] + conns[at + 1 :]
        if route is self._anyr and not conn.flags:
            items, flags = self._any_dispatch  # aligned with ANY's connections
            self._publish_any(rest, (items[:at] + items[at + 1 :], flags))
        else:
            self._publish(route, rest)
        return True

    def _remove(self, conn: Connection, sender: object) -> None:
        """Remove exactly ``conn`` (connected for ``sender``), if it is still there."""
        with self._lock:
            route = self._anyr if sender is ANY else self._route_of(sender)
            if route is None or not self._drop(conn, route):
                return
        receiver = conn.target()
        if receiver is not None:
            self._announce_disconnected(receiver, sender)

    @contextmanager
    def _temporarily(
        self, receiver: Callable[..., Any], sender: object, priority: int = 0
    ) -> Iterator[None]:
        """Connect strongly for a block; remove only the connection the block added."""
        added = self._connect(receiver, sender, False, priority)
        try:
            yield
        finally:
            if added is not None:
                self._remove(added, sender)

    # -- introspection and muting --------------------------------------------------

    def connection_count(self) -> int:
        """Number of live connections (a receiver connected for two senders counts twice)."""
        return len(self._connections())

    def _connections(self) -> list[tuple[object, Connection]]:
        """Every live ``(sender, connection)`` pair; ``sender`` is ANY for unrouted ones.

        Connections whose receiver or sender died are left out, though they stay in
        the tables until the next purge.
        """
        pairs: list[tuple[object, Connection]] = []
        for route in self._routes():
            sender = route.obj if route.ref is None else route.ref()
            if sender is None and route.ref is not None:
                continue
            pairs.extend((sender, conn) for conn in route.conns if conn.target() is not None)
        return pairs

    @contextmanager
    def muted(self) -> Iterator[None]:
        """Suppress every delivery of this signal inside the block (re-entrant).

        Nested ``muted()`` blocks, also from several threads, unmute only when the last
        one exits.
        """
        with self._lock:
            self._mute_depth += 1
        try:
            yield
        finally:
            with self._lock:
                self._mute_depth -= 1

    @property
    def is_muted(self) -> bool:
        """Tell whether a :meth:`muted` block is active."""
        return self._mute_depth > 0


_tables: weakref.WeakSet[ReceiverTable] = weakref.WeakSet()
"""Every live signal; the pytest plugin reads it to find receivers a test leaked."""


def all_signals() -> list[ReceiverTable]:
    """Every signal (typed or blinker-compatible) that is still alive, in no order."""
    return list(_tables)
