"""The receiver table shared by typed signals and the blinker-compatible signals.

It imports nothing heavy (no pydantic), so ``typedsignals.blinker`` stays as light as
blinker itself.

Data layout, chosen so that a change costs the same however many receivers there are,
and a send never locks:

* every connection is a small :class:`Connection` record, filed in the *route* of its
  sender (one route for ``ANY``, one per routed sender) in a dict by receiver identity.
  That dict is the truth; it keeps connection order, since connections are numbered and
  filed under the table's lock;
* what a send calls is a *dispatch* pair ``(items, flags)``, cached per route: ``items``
  holds the receivers themselves (or their weak references) in call order, ``flags``
  says whether any is weak (``WEAK``) or a coroutine function (``ASYNC``), so that with
  no flag set a send may call items directly;
* connect and disconnect change one dict entry under the lock and mark the cached
  dispatch stale (``None``); the next send rebuilds it once, under the lock. So connecting
  n receivers one by one costs O(n) in all, not O(n²), and a send reads one attribute.

Senders are routed by identity (``str`` and ``int`` by value, as blinker does). A sender
that supports weak references is held weakly; one that does not is held strongly while
it has connections, so its ``id()`` cannot be reused by a stranger that would then get
its deliveries. Every lookup by ``id()`` also checks identity.

Weakly held receivers and senders that die are queued by their weak reference callback
(which runs inside the garbage collector and so only appends to a list); the next locked
operation, or the next send that meets one, removes them.

The contract with subclasses (:class:`typedsignals.Signal` and
:class:`typedsignals.blinker.Signal`):

* hooks they override: :meth:`ReceiverTable._vet_sender`,
  :meth:`~ReceiverTable._announce_connected` and :meth:`~ReceiverTable._announce_disconnected`
  (called only while ``_announce`` is true), :meth:`~ReceiverTable._connections_dropped`,
  :meth:`~ReceiverTable._settings_changed`;
* services they call: ``_connect``, ``_disconnect``, ``_remove``, ``_temporarily``,
  ``_set_weak``, ``_clear``, ``_has_connections``, ``_dispatch_for`` (and ``_rebuild`` for
  an inlined copy of it), ``_resolve``, ``_live``, ``_has_live``, ``_connections``,
  ``_entries``, ``_purge_soon``, ``_meta_signal``, ``muted``;
* state they may read: ``name``, ``_idle``, ``_routed``, ``_any_dispatch``, ``_anyr``,
  ``_by_id`` and ``_by_value`` (read-only, for an inlined dispatch lookup), ``_dead``
  (truthy when something died), ``_mute_depth``, ``_lock``; a route's ``key``, ``ref``,
  ``alive()`` and ``sender()``; and set: ``_announce`` (true to have the announce hooks
  called), ``_validate_always`` (in ``_settings_changed``, followed by
  ``_refresh_idle()``).
"""

from __future__ import annotations

import functools
import itertools
import operator
import os
import threading
import weakref
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from types import FunctionType, MethodType
from typing import Any, ClassVar, Final, NoReturn, TypeVar

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

__all__ = [
    "ASYNC",
    "WEAK",
    "Connection",
    "Dispatch",
    "ReceiverTable",
    "all_signals",
    "refresh_settings",
]

T = TypeVar("T")

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
    attribute access), but the ids of its function and instance are. ``_connect`` and
    ``_disconnect`` inline this (tests/test_table_internals.py checks the copies).
    """
    if type(receiver) is MethodType:
        return (id(receiver.__func__), id(receiver.__self__))
    return id(receiver)


class Connection:
    """One receiver connected for one sender (or ANY).

    Made only by :meth:`ReceiverTable._connect`, which fills the slots itself: a Python
    ``__init__`` would cost a third of a connect.
    """

    __slots__ = ("flags", "item", "key", "priority", "ref", "route", "seq")

    item: Any
    """What dispatch calls: the receiver itself, or its weak reference."""
    ref: WeakFunctionRef | WeakMethodRef | None
    key: Hashable
    """The receiver's identity (:func:`receiver_key`)."""
    flags: int
    priority: int
    seq: int
    """Taken under the table's lock, so seq order is filing order."""
    route: _Route
    """The route this connection is filed in."""

    def target(self) -> Callable[..., Any] | None:
        """The live receiver, or None once a weakly held receiver has died."""
        return self.item if self.ref is None else self.ref()


_new: Final = object.__new__
_item: Final = operator.attrgetter("item")
_flags: Final = operator.attrgetter("flags")


def _order(conn: Connection) -> tuple[int, int]:
    return (-conn.priority, conn.seq)


def _dispatch_of(conns: Sequence[Connection]) -> Dispatch:
    return tuple(map(_item, conns)), functools.reduce(operator.or_, map(_flags, conns), 0)


class _SenderRef(weakref.ref):  # type: ignore[type-arg]  # refers to any sender
    """Weak reference to a routed sender; knows its route, for cleanup when it dies."""

    __slots__ = ("route",)
    route: _Route


class _Route:
    """The connections of ANY or of one specific sender, and what a send calls."""

    __slots__ = ("by_value", "dispatch", "index", "key", "obj", "ordered", "ref", "stamp")

    def __init__(self, obj: object, key: object, by_value: bool) -> None:
        self.obj = obj  # cleared by the table once a weak reference holds the sender
        self.ref: _SenderRef | None = None
        self.key = key  # the key of this route in the table's _by_value or _by_id
        self.by_value = by_value
        # receiver_key -> connection: the truth, in filing (= seq) order.
        self.index: dict[Hashable, Connection] = {}
        self.ordered: tuple[Connection, ...] | None = ()  # index in call order, cached
        self.stamp = 0  # bumped by every change of index, so conns() can tell it changed
        # What a send from this sender calls (its connections merged with ANY's), or
        # None when stale. ANY's own is kept in the table's _any_dispatch instead.
        self.dispatch: Dispatch | None = None

    def holds(self, sender: object) -> bool:
        return self.obj is sender or (self.ref is not None and self.ref() is sender)

    def alive(self) -> bool:
        return self.ref is None or self.ref() is not None

    def sender(self) -> object:
        return self.obj if self.ref is None else self.ref()

    def conns(self) -> tuple[Connection, ...]:
        """The connections in call order: priority first, then filing order."""
        ordered = self.ordered
        if ordered is None:
            stamp = self.stamp
            ordered = tuple(self.index.values())  # one C call: atomic under the GIL
            if any(conn.priority for conn in ordered):
                ordered = tuple(sorted(ordered, key=_order))
            # Sorting runs code (a priority's __neg__, a finaliser) that may change the
            # index: then the result is already stale and must not be cached.
            if stamp == self.stamp:
                self.ordered = ordered
        return ordered

    def live(self, key: Hashable) -> Connection | None:
        """The live connection of the receiver with ``key`` here, if any."""
        conn = self.index.get(key)
        return conn if conn is not None and conn.target() is not None else None


def _dead_callback(table_ref: weakref.ref[ReceiverTable]) -> Callable[[Any], None]:
    def on_dead(ref: Any) -> None:
        # Runs inside the garbage collector, possibly while this very thread holds the
        # table's lock: only queue the reference for the next locked operation.
        table = table_ref()
        if table is not None:
            table._dead.append(ref)

    return on_dead


class ReceiverTable:
    """Who is connected to one signal, for which sender, in which order.

    See the module docstring for what subclasses may override, call and touch.
    """

    name: str

    _two_positional: ClassVar[bool] = False
    """Refuse receivers that cannot be called as ``receiver(sender, payload)``."""

    def __init__(self, name: str) -> None:
        self.name = name
        # Call the _announce_* hooks after each change: set by a subclass that needs
        # them, or once a meta signal exists. Without, connect skips two calls.
        self._announce = False
        # Reentrant: a finaliser run by the garbage collector inside a locked section
        # may connect or disconnect a receiver of this very signal.
        self._lock = threading.RLock()
        self._anyr = _Route(ANY, ANY, False)  # connections for every sender
        self._any_dispatch: Dispatch | None = EMPTY_DISPATCH  # what ANY's senders call
        self._by_id: dict[int, _Route] = {}
        self._by_value: dict[object, _Route] = {}
        # receiver key -> the routes other than ANY it is connected in, so that
        # disconnecting from every sender does not visit every route.
        self._elsewhere: dict[Hashable, list[_Route]] = {}
        self._routed = False
        # Bumped by every change, so a rebuild can tell that a finaliser changed the
        # table while it computed.
        self._version = 0
        # True while a send can return at once: nothing connected anywhere (and, for
        # typed signals, no strict validation). The first thing send() reads.
        self._idle = True
        self._validate_always = False  # typed signals in strict mode: never idle
        self._mute_depth = 0
        self._dead: list[Any] = []  # weak references whose referent died, to clean up
        self._on_dead = _dead_callback(weakref.ref(self))
        _register(self)

    # Signals are identities, like functions and classes: copying one returns it, and
    # pickling one is refused with the reason (its receivers are live callables).

    def __copy__(self: T) -> T:
        return self

    def __deepcopy__(self: T, memo: dict[int, Any]) -> T:
        return self

    def __reduce_ex__(self, protocol: Any) -> NoReturn:
        raise TypeError(
            f"signal {self.name!r} cannot be pickled: a signal is an identity holding live "
            "receivers (callables, weak references, a lock); pickle its name and look it up "
            "again, or declare it at module level and refer to it by import"
        )

    # -- hooks for subclasses ------------------------------------------------------

    def _vet_sender(self, sender: object) -> object:
        """Check a sender (other than ANY) before anything is stored; return the sender
        to route by (a subclass may unwrap a proxy)."""
        return sender

    def _announce_connected(self, receiver: Callable[..., Any], sender: object, weak: bool) -> None:
        """Called after a new connection is filed, outside the lock, if ``_announce``."""

    def _announce_disconnected(self, receiver: Callable[..., Any], sender: object) -> None:
        """Called after a disconnect removed a connection, outside the lock, if ``_announce``."""

    def _connections_dropped(self) -> None:
        """Called with the lock held after a purge removed dead receivers or senders."""

    def _settings_changed(self) -> None:
        """A process-wide setting (strict mode) changed; call with the lock held."""
        self._refresh_idle()

    # -- the rules -----------------------------------------------------------------

    def _refresh_idle(self) -> None:
        """Recompute ``_idle``: the one definition of when a send may return at once."""
        self._idle = not (self._anyr.index or self._routed or self._validate_always)

    def _changed(self, route: _Route) -> None:
        """``route``'s connections changed: mark what sends call stale (lock held)."""
        self._version += 1
        route.stamp += 1
        route.ordered = None
        if route is self._anyr:
            self._any_dispatch = None
            if self._routed:  # every routed sender's dispatch merges ANY's
                for other in (*self._by_id.values(), *self._by_value.values()):
                    other.dispatch = None
        else:
            route.dispatch = None
        self._refresh_idle()

    # -- lookup (lock-free) --------------------------------------------------------

    def _dispatch_for(self, sender: object) -> Dispatch:
        """What a send from ``sender`` calls: the one definition of the lookup.

        Inlined (and checked against this by tests/test_table_internals.py) only in
        ``typedsignals.blinker.Signal.send``.
        """
        if self._routed:
            route = self._route_of(sender)
            if self._dead:
                self._purge_soon()
            if route is not None:
                return route.dispatch or self._rebuild(route)
        return self._any_dispatch or self._rebuild(self._anyr)

    def _rebuild(self, route: _Route) -> Dispatch:
        """Compute a stale dispatch (once, whoever asks first)."""
        anyr = self._anyr
        with self._lock:
            while True:
                current = self._any_dispatch if route is anyr else route.dispatch
                if current is not None:
                    return current
                version = self._version
                if route is anyr:
                    dispatch = _dispatch_of(anyr.conns())
                else:
                    dispatch = _dispatch_of(self._merged(route))
                # Building tuples may run the garbage collector, and a finaliser may
                # change the table: then what was computed is already stale.
                if version == self._version:
                    break
            if route is anyr:
                self._any_dispatch = dispatch
            else:
                route.dispatch = dispatch
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
            return receiver
        return item  # type: ignore[no-any-return]  # items hold callables or our refs

    def _live(self, sender: object) -> tuple[Callable[..., Any], ...]:
        """The live receivers a send from ``sender`` reaches, in call order."""
        items, flags = self._dispatch_for(sender)
        if not flags & WEAK:
            return items
        resolved = (self._resolve(item) for item in items)
        return tuple(receiver for receiver in resolved if receiver is not None)

    def _has_live(self, sender: object) -> bool:
        items, flags = self._dispatch_for(sender)
        if not flags & WEAK:
            return bool(items)
        return any(self._resolve(item) is not None for item in items)

    # -- connect -------------------------------------------------------------------

    def _connect(
        self, receiver: Callable[..., Any], sender: object, weak: bool, priority: int
    ) -> Connection | None:
        """Connect and return the new connection, or None if it already existed.

        This is the hot path of connect: the usual receiver (a plain function connected
        for ANY) takes no call into Python but the ``Connection`` record.
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
            sender = self._vet_sender(sender)
        if type(priority) is not int and not isinstance(priority, int):
            raise TypeError(f"signal {self.name!r}: priority must be an int, not {priority!r}")
        ref = None
        if weak:
            ref = self._weak_ref(receiver)
            flags |= WEAK
        conn = _new(Connection)
        conn.item = receiver if ref is None else ref
        conn.ref = ref
        conn.key = (
            (id(receiver.__func__), id(receiver.__self__))  # type: ignore[attr-defined]
            if kind is MethodType
            else id(receiver)
        )  # receiver_key(), inlined
        conn.flags = flags
        conn.priority = priority
        lock = self._lock
        lock.acquire()  # not `with`: this is a third cheaper, and connect is hot
        try:
            if self._dead:
                self._purge()
            route = self._anyr if sender is ANY else self._route_for_update(sender)
            old = route.index.get(conn.key)
            if old is not None:
                if old.ref is None or old.ref() is not None:
                    return None
                self._drop(old)  # dead, and its key reused by this receiver
            self._file(conn, route)
        finally:
            lock.release()
        if self._announce:
            self._announce_connected(receiver, sender, weak)
        return conn

    def _weak_ref(self, receiver: Callable[..., Any]) -> WeakFunctionRef | WeakMethodRef:
        try:
            return make_ref(receiver, self._on_dead)
        except TypeError:
            raise ReceiverTypeError(
                f"signal {self.name!r}: receiver {describe(receiver)} cannot be held "
                "weakly (it does not support weak references); connect it with weak=False"
            ) from None

    def _file(self, conn: Connection, route: _Route) -> None:
        """File ``conn`` in ``route`` and mark what sends call stale (lock held)."""
        conn.seq = next(_seq)
        conn.route = route
        if conn.ref is not None:
            conn.ref.conn = conn  # so that its death finds the connection at once
        route.index[conn.key] = conn
        if route is not self._anyr:
            self._elsewhere.setdefault(conn.key, []).append(route)
        self._changed(route)

    def _route_for_update(self, sender: object) -> _Route:
        """Find or create the route of ``sender``; call with the lock held."""
        if isinstance(sender, (str, int)):
            route = self._by_value.get(sender)
            if route is None:
                route = self._by_value[sender] = _Route(sender, sender, True)
                self._routed = True
            return route
        key = id(sender)
        route = self._by_id.get(key)
        if route is not None and route.holds(sender):
            return route
        created = _Route(sender, key, False)
        try:
            ref = _SenderRef(sender, self._on_dead)
        except TypeError:
            pass  # held strongly while it has connections
        else:
            ref.route = created
            created.ref, created.obj = ref, None
        # Allocating may have run a finaliser that connected for this very sender.
        route = self._by_id.get(key)
        if route is not None and route.holds(sender):
            return route
        self._by_id[key] = created
        self._routed = True
        return created

    def _merged(self, route: _Route) -> tuple[Connection, ...]:
        """Connections a send from ``route``'s sender calls: its own and ANY's, in order.

        A receiver connected both for ANY and for this sender is called once, at its
        earlier position, as in blinker.
        """
        own = route.conns()
        shared = self._anyr.conns()
        if not shared:
            return own
        if not own:
            return shared
        seen: set[Hashable] = set()
        merged = []
        for conn in sorted((*shared, *own), key=_order):
            if conn.key not in seen:
                seen.add(conn.key)
                merged.append(conn)
        return tuple(merged)

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
            if self._dead:
                self._purge()
            if sender is ANY:
                conn = self._anyr.index.get(key)  # _Route.live, inlined: disconnect is hot
                if conn is not None and (conn.ref is None or conn.ref() is not None):
                    removed = self._drop(conn)
                for route in tuple(self._elsewhere.get(key, ())):
                    removed = self._drop(route.live(key)) or removed
            else:
                found = self._route_of(sender)
                if found is not None:
                    removed = self._drop(found.live(key))
        finally:
            lock.release()
        if removed and self._announce:
            self._announce_disconnected(receiver, sender)
        return removed

    def _drop(self, conn: Connection | None) -> bool:
        """Remove ``conn`` from its route if it is still filed there (lock held).

        The one place connections leave the table. A route left empty is forgotten.
        """
        if conn is None:
            return False
        route = conn.route
        if route.index.get(conn.key) is not conn:
            return False
        del route.index[conn.key]
        if conn.ref is not None:
            conn.ref.conn = None  # break the cycle: the record can go by reference counting
        if route is not self._anyr:
            routes = self._elsewhere.get(conn.key)
            if routes is not None:
                routes.remove(route)
                if not routes:
                    del self._elsewhere[conn.key]
            if not route.index:
                table: dict[Any, _Route] = self._by_value if route.by_value else self._by_id
                if table.get(route.key) is route:
                    del table[route.key]
                self._routed = bool(self._by_id or self._by_value)
        self._changed(route)
        return True

    def _remove(self, conn: Connection) -> None:
        """Remove exactly ``conn``, if it is still there, and announce it."""
        with self._lock:
            if not self._drop(conn):
                return
        receiver = conn.target()
        if receiver is not None and self._announce:
            self._announce_disconnected(receiver, conn.route.sender())

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
                self._remove(added)

    def _set_weak(self, receiver: Callable[..., Any], sender: object, weak: bool) -> bool:
        """Hold an existing connection of ``receiver`` weakly or strongly.

        Returns False if it is not connected for ``sender`` (any more).
        """
        with self._lock:
            route = self._anyr if sender is ANY else self._route_of(sender)
            found = None if route is None else route.live(receiver_key(receiver))
            if found is None:
                return False
            if (found.ref is not None) != weak:
                if weak:
                    ref = found.ref = self._weak_ref(receiver)
                    ref.conn = found
                    found.item = ref
                    found.flags |= WEAK
                else:
                    found.ref.conn = None  # type: ignore[union-attr]  # weak, so it has a ref
                    found.item, found.ref = receiver, None
                    found.flags &= ~WEAK
                self._changed(found.route)
        return True

    def _clear(self) -> None:
        """Disconnect every receiver from every sender, announcing nothing."""
        with self._lock:
            for _, conn in self._entries():
                self._drop(conn)
            self._dead.clear()

    # -- cleanup of the dead -------------------------------------------------------

    def _purge(self) -> None:
        """Remove receivers and senders whose weak references died (lock held)."""
        dropped = False
        while self._dead:
            ref = self._dead.pop()
            if type(ref) is _SenderRef:
                route = ref.route
                for conn in tuple(route.index.values()):
                    dropped = self._drop(conn) or dropped
            else:  # a receiver's: no conn if it was never filed, None once dropped
                dropped = self._drop(getattr(ref, "conn", None)) or dropped
        if dropped:
            self._connections_dropped()

    def _purge_soon(self) -> None:
        """Purge now if no other thread is changing the table; else leave it to that one."""
        if self._lock.acquire(blocking=False):
            try:
                if self._dead:
                    self._purge()
            finally:
                self._lock.release()

    # -- meta signals ----------------------------------------------------------------

    def _meta_signal(self, attribute: str, make: Callable[[], T]) -> T:
        """The meta signal kept in ``attribute``, made on first use (once, under the lock).

        Making one switches the announce hooks on.
        """
        meta: T | None = getattr(self, attribute)
        if meta is None:
            with self._lock:
                meta = getattr(self, attribute)
                if meta is None:
                    meta = make()
                    setattr(self, attribute, meta)
                    self._announce = True
        return meta

    # -- introspection and muting --------------------------------------------------

    def _has_connections(self) -> bool:
        """Tell whether any receiver is connected, in O(1) unless some died (lock held)."""
        if self._dead:
            self._purge()
        return bool(self._anyr.index or self._routed)

    def connection_count(self) -> int:
        """Number of live connections (a receiver connected for two senders counts twice)."""
        return len(self._connections())

    def _entries(self) -> list[tuple[_Route, Connection]]:
        """Every filed ``(route, connection)``, dead ones included; lock held."""
        return [(route, conn) for route in self._routes() for conn in route.conns()]

    def _routes(self) -> tuple[_Route, ...]:
        return (self._anyr, *self._by_id.values(), *self._by_value.values())

    def _connections(self) -> list[tuple[object, Connection]]:
        """Every live ``(sender, connection)`` pair; ``sender`` is ANY for unrouted ones.

        Connections whose receiver or sender died are left out, though they stay in
        the table until the next purge.
        """
        pairs: list[tuple[object, Connection]] = []
        with self._lock:
            for route, conn in self._entries():
                if route.alive() and conn.target() is not None:
                    pairs.append((route.sender(), conn))
        return pairs

    @contextmanager
    def muted(self) -> Iterator[None]:
        """Suppress every delivery of this signal inside the block (re-entrant).

        Muting is signal-wide, as in blinker: a send from another thread during the
        block is suppressed too. Nested ``muted()`` blocks, also from several threads,
        unmute only when the last one exits.
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
"""Every live signal; strict mode and the pytest plugin read it."""
_tables_lock = threading.Lock()
"""Guards _tables: iterating a WeakSet while another thread adds to it raises."""


def _register(table: ReceiverTable) -> None:
    with _tables_lock:
        _tables.add(table)


def all_signals() -> list[ReceiverTable]:
    """Every signal (typed or blinker-compatible) that is still alive, in no order."""
    with _tables_lock:
        return list(_tables)


def refresh_settings(tables: Iterable[ReceiverTable] | None = None) -> None:
    """Let ``tables`` (default: every live signal) pick their send paths again, after a
    setting they read changed (strict mode, middleware, metrics, slow-receiver budgets).

    Each runs its ``_settings_changed`` hook under its lock, against a connect
    publishing at the same time.
    """
    for table in all_signals() if tables is None else tables:
        with table._lock:
            table._settings_changed()


def _after_fork_in_child() -> None:
    # A fork copies a lock held by another thread of the parent, which does not exist in
    # the child: the child would wait for it forever. Nothing can be half-changed there
    # that matters more than a usable signal, so give every table a fresh lock.
    global _tables_lock
    _tables_lock = threading.Lock()
    for table in list(_tables):
        table._lock = threading.RLock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
