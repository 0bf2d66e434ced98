"""blinker 1.9's signals, running on the receiver table that typed signals use.

Every name here behaves as in ``blinker.base``, with these fixes (see
``docs/migration.md`` for the full list of differences):

* connect, disconnect and send may run concurrently from many threads: the table
  publishes an immutable receiver tuple per sender and ``send`` never iterates a
  structure that another thread changes;
* a sender that cannot be weakly referenced is held while it has connections, so a
  stranger that reuses its ``id()`` never gets its deliveries;
* ``has_receivers_for`` answers from the live connections, never from leftovers;
* ``muted()`` nests: only the outermost block unmutes;
* ``connected_to`` removes only the connection it added;
* receivers are called in connection order.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Coroutine, Generator, Hashable
from contextlib import contextmanager
from typing import Any, ClassVar, Final, Protocol, TypeVar

from .._config import state as _settings
from .._receivers import ANY as _CORE_ANY
from .._receivers import ASYNC, WEAK_REF_TYPES, describe, receiver_verdict
from .._table import WEAK, ReceiverTable
from ..exceptions import SignalDefinitionError
from . import _views
from ._deliver import STRONG as _STRONG
from ._deliver import WEAK as _WEAK_LOOPS
from ._deliver import strong_deliverer, weak_deliverer
from ._utilities import Symbol, make_id, make_ref

__all__ = [
    "ANY",
    "ANY_ID",
    "NamedSignal",
    "Namespace",
    "Signal",
    "Symbol",
    "default_namespace",
    "make_id",
    "make_ref",
    "signal",
]

F = TypeVar("F", bound=Callable[..., Any])

ANY = Symbol("ANY")
"""Symbol for "any sender": receivers connected for ANY hear every sender."""

ANY_ID: Final = _views.ANY_ID
"""The key under which blinker's bookkeeping files receivers connected for ANY."""

_STALE_LIMIT: Final = 1024
"""Emptied buckets remembered for the bookkeeping views before they are dropped."""

_namespace_lock: Final = threading.Lock()

AsyncWrapper = Callable[[Callable[..., Coroutine[Any, Any, Any]]], Callable[..., Any]]
"""Turns a coroutine function receiver into a plain callable (``send``'s ``_async_wrapper``)."""

SyncWrapper = Callable[[Callable[..., Any]], Callable[..., Coroutine[Any, Any, Any]]]
"""Turns a plain receiver into a coroutine function (``send_async``'s ``_sync_wrapper``)."""


def _public(sender: object) -> Any:
    """The sender as blinker code expects to see it: typedsignals' ANY becomes blinker's."""
    return ANY if sender is _CORE_ANY else sender


class Signal(ReceiverTable):
    """A notification emitter, as ``blinker.Signal``.

    Receivers are called as ``receiver(sender, **kwargs)``. Connections are held by the
    same receiver table as typed signals, so this class inherits its thread safety and
    its sender routing; receivers are called in the order they were connected.

    Args:
        doc: The docstring of the signal.
        payload: Optionally, a pydantic model that every send's keyword arguments must
            validate against (see :attr:`payload`).

    Example:
        >>> from typedsignals.blinker import Signal
        >>> saved = Signal(doc="Sent after a model is saved.")
        >>> def audit(sender, **kwargs):
        ...     return f"{sender} saved {kwargs['model']}"
        >>> saved.connect(audit, weak=False) is audit
        True
        >>> saved.send("admin", model="Post")
        [(<function audit at ...>, 'admin saved Post')]
        >>> saved.disconnect(audit)

        ``connect_via`` filters by sender and holds its receiver strongly:

        >>> @saved.connect_via("tests")
        ... def on_test_save(sender, **kwargs):
        ...     return "seen"
        >>> saved.send("tests", model="Post")[0][1], saved.send("admin", model="Post")
        ('seen', [])
        >>> saved.disconnect(on_test_save)
    """

    ANY: ClassVar[Symbol] = ANY
    """An alias for the :data:`ANY` sender symbol."""

    set_class: type[set[Any]] = set
    """The set class of the buckets in the bookkeeping views (``_by_sender`` ...).

    blinker also uses it to choose the call order; here receivers are always called in
    connection order, whatever this says.
    """

    def __init__(self, doc: str | None = None, *, payload: type[Any] | None = None) -> None:
        if doc:
            self.__doc__ = doc
        # Set before the table registers itself: set_strict() may refresh it at once.
        self._validate: Callable[[dict[str, Any]], None] | None = None
        self._payload: type[Any] | None = None
        self._careful = False  # send leaves its fast path: muted, or a payload model
        self._manual_mute = False
        self._stale_senders: dict[Hashable, None] = {}
        self._stale_receivers: dict[Hashable, None] = {}
        # Meta signals, created on first access (blinker creates them the same way).
        self._meta_connected: Signal | None = None
        self._meta_disconnected: Signal | None = None
        # A NamedSignal has set its name already. (Not self.__dict__: reading it makes
        # CPython store the attributes in a plain dict, which slows every access.)
        name = getattr(self, "name", None) or f"<anonymous signal at {id(self):#x}>"
        super().__init__(name)
        self._receiver_map = _views.ReceiverMap(self)
        if payload is not None:
            self.payload = payload

    @property
    def receiver_connected(self) -> Signal:
        """Sent at the end of each :meth:`connect` call.

        The sender is this signal; the keyword arguments are :meth:`connect`'s:
        ``receiver``, ``sender`` and ``weak``.
        """
        return self._meta_signal(
            "_meta_connected", lambda: Signal(doc="Emitted after a receiver connects.")
        )

    @property
    def receiver_disconnected(self) -> Signal:
        """Sent after a receiver is disconnected by :meth:`disconnect` or by leaving
        :meth:`connected_to`.

        The sender is this signal; the keyword arguments are ``receiver`` and ``sender``.
        It is not sent when a weakly held receiver or sender is garbage collected, nor
        for a :meth:`disconnect` call that removed nothing.
        """
        return self._meta_signal(
            "_meta_disconnected", lambda: Signal(doc="Emitted after a receiver disconnects.")
        )

    @property
    def payload(self) -> type[Any] | None:
        """The pydantic model that validates every send's keyword arguments, or ``None``.

        With a model, :meth:`send` validates the keyword arguments before any receiver
        runs and raises :class:`~typedsignals.exceptions.PayloadError` if they do not
        fit; receivers still get ``(sender, **kwargs)`` exactly as sent. Validation is
        skipped when nobody listens, unless strict mode is on (see
        :func:`typedsignals.set_strict`). Assign a model to an existing signal, Flask's
        own for instance, to start validating its sends.
        """
        return self._payload

    @payload.setter
    def payload(self, model: type[Any] | None) -> None:
        validate = None
        if model is not None:
            from ._payload import validator_for  # pydantic is imported only here

            validate = validator_for(self.name, model)
        with self._lock:
            self._payload = model
            self._validate = validate
            self._refresh_careful()

    def _refresh_careful(self) -> None:
        """Recompute whether :meth:`send` must leave its fast path; call with the lock held."""
        self._careful = self._validate is not None or self._mute_depth > 0

    # -- sending ------------------------------------------------------------------

    def send(
        self,
        sender: Any | None = None,
        /,
        *,
        _async_wrapper: AsyncWrapper | None = None,
        **kwargs: Any,
    ) -> list[tuple[Callable[..., Any], Any]]:
        """Call every receiver connected for ``sender`` or for :data:`ANY`.

        Each receiver is called as ``receiver(sender, **kwargs)``, in connection order.
        An exception raised by a receiver propagates at once.

        Args:
            sender: The sender; receivers connected for it and for ANY are called.
            _async_wrapper: Turns a coroutine function receiver into a callable (for
                instance, one that runs it in an event loop). Without it, reaching a
                coroutine function receiver raises :class:`RuntimeError`.
            kwargs: Passed to every receiver.

        Returns:
            ``[(receiver, return value), ...]``.

        Raises:
            PayloadError: The signal has a :attr:`payload` model and ``kwargs`` do not
                fit it; no receiver ran.
        """
        if self._idle:  # nothing connected anywhere (a routed table is never idle)
            if self._validate is not None and _settings.strict:
                self._validate(kwargs)
            return []
        if self._routed:
            # The table's _dispatch_for, inlined (this is the hot path of filtered sends:
            # docs/performance.md, "send, filtered") and reordered: senders are usually
            # objects, routed by id() and identity. tests/test_table_internals.py checks
            # this copy against _dispatch_for.
            route = self._by_id.get(id(sender))
            if route is None or (route.obj if route.ref is None else route.ref()) is not sender:
                # No route, or one left by a dead sender whose id() this one reuses.
                route = self._by_value.get(sender) if isinstance(sender, (str, int)) else None
            if route is None:
                route = self._anyr
                items, flags = self._any_dispatch or self._rebuild(route)
            else:
                items, flags = route.dispatch or self._rebuild(route)
            if self._dead:
                self._purge_soon()
        else:
            items, flags = self._any_dispatch or self._rebuild(self._anyr)
        if flags > WEAK or self._careful:  # coroutine receivers, muted, a payload model
            return self._send_carefully(sender, items, flags, _async_wrapper, kwargs)
        if len(items) == 1:
            receiver = items[0]() if flags else items[0]  # flags can only be WEAK: a ref
            if receiver is None:  # died since the dispatch tuple was built
                self._purge_soon()
                return []
            return [(receiver, receiver(sender, **kwargs))]
        names = tuple(kwargs)
        if not flags:
            deliver = _STRONG.get(names) or strong_deliverer(names)
            return deliver(items, sender, kwargs)
        deliver = _WEAK_LOOPS.get(names) or weak_deliverer(names)
        return deliver(items, sender, kwargs, self)

    def _send_carefully(
        self,
        sender: object,
        items: tuple[Any, ...],
        flags: int,
        async_wrapper: AsyncWrapper | None,
        kwargs: dict[str, Any],
    ) -> list[tuple[Callable[..., Any], Any]]:
        """The send path for muted signals, payload models and coroutine receivers."""
        if not items or self._mute_depth:
            if self._validate is not None and _settings.strict:
                self._validate(kwargs)
            return []
        if self._validate is not None:
            self._validate(kwargs)
        check_async = flags & ~WEAK  # the table's other flag: coroutine receivers
        results = []
        for item in items:
            receiver = item() if flags & WEAK and type(item) in WEAK_REF_TYPES else item
            if receiver is None:
                self._purge_soon()
                continue
            if check_async and receiver_verdict(self.name, receiver) & ASYNC:
                if async_wrapper is None:
                    raise RuntimeError(
                        f"Cannot send to a coroutine function: receiver {describe(receiver)} "
                        f"of signal {self.name!r} is async; pass _async_wrapper= or use "
                        "send_async()"
                    )
                result = async_wrapper(receiver)(sender, **kwargs)
            else:
                result = receiver(sender, **kwargs)
            results.append((receiver, result))
        return results

    async def send_async(
        self,
        sender: Any | None = None,
        /,
        *,
        _sync_wrapper: SyncWrapper | None = None,
        **kwargs: Any,
    ) -> list[tuple[Callable[..., Any], Any]]:
        """Await every receiver connected for ``sender`` or for :data:`ANY`.

        Each receiver is awaited as ``await receiver(sender, **kwargs)``, one after
        another, in connection order.

        Args:
            sender: The sender; receivers connected for it and for ANY are awaited.
            _sync_wrapper: Turns a plain receiver into a coroutine function (for
                instance, one that runs it in a thread). Without it, reaching a plain
                receiver raises :class:`RuntimeError`.
            kwargs: Passed to every receiver.

        Returns:
            ``[(receiver, return value), ...]``.
        """
        if self._idle:
            if self._validate is not None and _settings.strict:
                self._validate(kwargs)
            return []
        items, flags = self._dispatch_for(sender)
        if not items or self._mute_depth:
            if self._validate is not None and _settings.strict:
                self._validate(kwargs)
            return []
        if self._validate is not None:
            self._validate(kwargs)
        results = []
        for item in items:
            receiver = item() if flags & WEAK and type(item) in WEAK_REF_TYPES else item
            if receiver is None:
                self._purge_soon()
                continue
            if receiver_verdict(self.name, receiver) & ASYNC:
                result = await receiver(sender, **kwargs)
            elif _sync_wrapper is None:
                raise RuntimeError(
                    f"Cannot send to a non-coroutine function: receiver {describe(receiver)} "
                    f"of signal {self.name!r} is not async; pass _sync_wrapper= or use send()"
                )
            else:
                result = await _sync_wrapper(receiver)(sender, **kwargs)
            results.append((receiver, result))
        return results

    # -- connecting ---------------------------------------------------------------

    def connect(self, receiver: F, sender: Any = ANY, weak: bool = True) -> F:
        """Connect ``receiver`` to be called when the signal is sent by ``sender``.

        Returns the receiver, so ``connect`` works as a decorator. Connecting a receiver
        again for the same sender does not add a second connection; it changes how the
        receiver is held if ``weak`` differs, and announces the connection again, as
        blinker does.

        Args:
            receiver: Called as ``receiver(sender, **kwargs)``.
            sender: Only call the receiver for this sender (matched by identity;
                ``str`` and ``int`` by value), or :data:`ANY` for every sender.
            weak: Hold the receiver with a weak reference, so it is disconnected when
                it is garbage collected. A receiver defined inside a function needs
                ``weak=False`` or it disappears when the function returns.

        Raises:
            ReceiverTypeError: ``receiver`` is not callable, or ``weak`` is true and it
                cannot be weakly referenced (a ``TypeError``, as in blinker).
        """
        target = _CORE_ANY if sender is ANY else sender
        while self._connect(receiver, target, weak, 0) is None:
            if self._reconnect(receiver, target, weak):
                break
        return receiver

    def _reconnect(self, receiver: Callable[..., Any], sender: object, weak: bool) -> bool:
        """Re-announce an existing connection, switching it to ``weak`` if it differs.

        Returns False if the connection vanished meanwhile (a concurrent disconnect).
        """
        if not self._set_weak(receiver, sender, weak):
            return False
        self._announce_connected(receiver, sender, weak)
        return True

    def connect_via(self, sender: Any, weak: bool = False) -> Callable[[F], F]:
        """Decorator form of :meth:`connect`; the receiver is held strongly by default."""

        def decorator(fn: F) -> F:
            self.connect(fn, sender, weak)
            return fn

        return decorator

    @contextmanager
    def connected_to(
        self, receiver: Callable[..., Any], sender: Any = ANY
    ) -> Generator[None, None, None]:
        """Connect ``receiver`` (strongly) while a ``with`` block runs.

        On exit only the connection this block added is removed: a receiver that was
        already connected for ``sender`` before the block stays connected (blinker
        disconnects it from every sender).
        """
        with self._temporarily(receiver, _CORE_ANY if sender is ANY else sender):
            yield None

    def disconnect(self, receiver: Callable[..., Any], sender: Any = ANY) -> None:
        """Disconnect ``receiver`` from ``sender``; by default from every sender.

        Disconnecting a receiver that is not connected does nothing.
        """
        if sender is ANY or sender is _CORE_ANY:
            self._disconnect(receiver, _CORE_ANY)
            if self._stale_receivers:  # blinker drops the receiver's bucket
                self._stale_receivers.pop(make_id(receiver), None)
        elif self._disconnect(receiver, sender):
            # blinker keeps the emptied buckets until _cleanup_bookkeeping(); so do the
            # views, for a bounded number of them.
            if len(self._stale_senders) >= _STALE_LIMIT:
                self._forget_stale()
            self._stale_senders[make_id(sender)] = None
            self._stale_receivers[make_id(receiver)] = None

    def _announce_connected(self, receiver: Callable[..., Any], sender: object, weak: bool) -> None:
        meta = self._meta_connected
        if meta is None or meta._idle:
            return
        public = _public(sender)
        try:
            meta.send(self, receiver=receiver, sender=public, weak=weak)
        except TypeError:
            # As blinker: a receiver_connected receiver that rejects the connection
            # with a TypeError undoes it.
            self.disconnect(receiver, public)
            raise

    def _announce_disconnected(self, receiver: Callable[..., Any], sender: object) -> None:
        meta = self._meta_disconnected
        if meta is not None and not meta._idle:
            meta.send(self, receiver=receiver, sender=_public(sender))

    # -- introspection ------------------------------------------------------------

    def has_receivers_for(self, sender: Any) -> bool:
        """Tell whether a send from ``sender`` would call at least one live receiver.

        Receivers connected for :data:`ANY` count for every sender. Unlike blinker, the
        answer is never stale: weakly held receivers that died and connections that were
        removed do not count.
        """
        return self._has_live(sender)

    def receivers_for(self, sender: Any) -> Generator[Callable[..., Any], None, None]:
        """Yield each live receiver a send from ``sender`` would call, in call order."""
        yield from self._live(sender)

    @property
    def receivers(self) -> _views.ReceiverMap:
        """The connected receivers: receiver id to the receiver, or its weak reference.

        As in blinker, its structure is not public API but its truth value is:
        ``if signal.receivers:`` tells whether anything is connected. It is a view of
        the connections, computed when read; ``signal.receivers.clear()`` disconnects
        everything.
        """
        return self._receiver_map

    @contextmanager
    def muted(self) -> Generator[None, None, None]:
        """Suppress every delivery of this signal while a ``with`` block runs.

        Blocks nest, also across threads: sends stay muted until the last one exits
        (blinker unmutes when the innermost block exits).
        """
        with self._lock:
            self._mute_depth += 1
            self._careful = True
        try:
            yield None
        finally:
            with self._lock:
                self._mute_depth -= 1
                self._refresh_careful()

    @property
    def is_muted(self) -> bool:
        """Whether sends are suppressed, by :meth:`muted` or by setting this to True."""
        return self._mute_depth > 0

    @is_muted.setter
    def is_muted(self, muted: bool) -> None:
        with self._lock:
            if muted and not self._manual_mute:
                self._manual_mute = True
                self._mute_depth += 1
            elif not muted and self._manual_mute:
                self._manual_mute = False
                self._mute_depth -= 1
            self._refresh_careful()

    # -- blinker's private bookkeeping, as views --------------------------------------

    @property
    def _by_sender(self) -> dict[Hashable, set[Any]]:
        return _views.by_sender(self)

    @property
    def _by_receiver(self) -> dict[Hashable, set[Any]]:
        return _views.by_receiver(self)

    @property
    def _weak_senders(self) -> dict[Hashable, Any]:
        return _views.weak_senders(self)

    def _forget_stale(self) -> None:
        self._stale_senders.clear()
        self._stale_receivers.clear()

    def _cleanup_bookkeeping(self) -> None:
        """Drop emptied buckets from the bookkeeping views and purge dead receivers."""
        self._forget_stale()
        self._purge_soon()

    def _clear_state(self) -> None:
        """Disconnect every receiver from every sender, announcing nothing."""
        self._clear()
        self._forget_stale()


class NamedSignal(Signal):
    """A signal with a name, usually created by :meth:`Namespace.signal`.

    Args:
        name: The signal's name, also its key in its namespace.
        doc: The docstring of the signal.
        payload: Optionally, a pydantic model for the keyword arguments of every send.
    """

    def __init__(
        self, name: str, doc: str | None = None, *, payload: type[Any] | None = None
    ) -> None:
        self.name = name
        super().__init__(doc, payload=payload)

    def __repr__(self) -> str:
        base = super().__repr__()
        return f"{base[:-1]}; {self.name!r}>"


class Namespace(dict[str, NamedSignal]):
    """A dict of signals by name; :meth:`signal` creates them on first use.

    Example:
        >>> from typedsignals.blinker import Namespace
        >>> my_signals = Namespace()
        >>> user_created = my_signals.signal("user-created")
        >>> my_signals.signal("user-created") is user_created
        True
    """

    def signal(
        self, name: str, doc: str | None = None, *, payload: type[Any] | None = None
    ) -> NamedSignal:
        """Return the signal called ``name``, creating it on first use.

        Args:
            name: The signal's name.
            doc: Its docstring, used only when the signal is created.
            payload: A pydantic model for the keyword arguments of its sends. Given for
                an existing signal without one, it is attached to it.

        Raises:
            SignalDefinitionError: The signal already has a different payload model.
        """
        existing = self.get(name)
        if existing is None:
            with _namespace_lock:  # two threads asking at once get the same signal
                existing = self.get(name)
                if existing is None:
                    existing = self[name] = NamedSignal(name, doc, payload=payload)
                    return existing
        if payload is not None and existing.payload is not payload:
            if existing.payload is not None:
                raise SignalDefinitionError(
                    f"signal {name!r} already validates with {existing.payload.__qualname__}; "
                    f"it cannot be asked for again with {getattr(payload, '__qualname__', payload)}"
                )
            existing.payload = payload
        return existing


class _NamespaceSignal(Protocol):
    def __call__(
        self, name: str, doc: str | None = None, *, payload: type[Any] | None = None
    ) -> NamedSignal: ...


default_namespace: Namespace = Namespace()
"""The namespace :func:`signal` creates signals in."""

signal: _NamespaceSignal = default_namespace.signal
"""Return the :class:`NamedSignal` called ``name`` in :data:`default_namespace`,
creating it on first use."""

for _public_class in (Signal, NamedSignal, Namespace):
    _public_class.__module__ = "typedsignals.blinker"  # reprs and docs show the public path
