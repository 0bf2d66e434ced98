"""The typed signal: a receiver table plus payload validation and delivery."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from types import MethodType
from typing import (
    Any,
    Concatenate,
    Final,
    Literal,
    cast,
    overload,
)

from pydantic import BaseModel
from typing_extensions import ParamSpec, TypeVar

from ._config import state as _state
from ._extras import Extras
from ._frozen import revalidator_for, seal, validator_for
from ._metrics import check_budget, meter_for
from ._observe import Middleware, chain_for, checked, deliver
from ._payload import EmptyPayload
from ._protocols import ConnectDecorator, Deferral, Receiver
from ._receivers import (
    ANY,
    ASYNC,
    WEAK_REF_TYPES,
    AnyType,
    describe,
    receiver_verdict,
    weak_default,
)
from ._records import ConnectionInfo, ReceiverConnected, ReceiverDisconnected
from ._sending_async import AsyncSends
from ._table import WEAK, ReceiverTable, receiver_key
from ._typevars import M, P, S
from .exceptions import (
    PayloadTypeError,
    ReceiverErrors,
    ReceiverTypeError,
    SenderTypeError,
    SignalDefinitionError,
    add_note,
    extra_positional,
    payload_error,
)

__all__ = [
    "ConnectionInfo",
    "ErrorPolicy",
    "ReceiverConnected",
    "ReceiverDisconnected",
    "Signal",
]

Q = ParamSpec("Q")
R = TypeVar("R")

ErrorPolicy = Literal["raise", "collect", "log"]
"""What a send does when a receiver raises: see :class:`Signal`."""

_POLICIES: Final = ("raise", "collect", "log")
_FACTORIES: Final = frozenset({__name__, "typedsignals._namespace"})
_logger: Final = logging.getLogger("typedsignals")


class Signal(ReceiverTable, AsyncSends[S, P, M]):
    """A named signal whose payload is a pydantic model.

    ``Signal[S, P, M]`` is generic over the sender type ``S``, the payload model's
    constructor parameters ``P`` and the model ``M``, so type checkers see the model's
    fields as the keyword parameters of :meth:`send` and ``M`` as the payload type of
    receivers, with no plugin.

    Args:
        name: The signal's name, used in errors, logs and generated docs.
        payload: The payload model, a pydantic ``BaseModel`` subclass (usually a
            :class:`~typedsignals.Payload`). Without one the signal carries
            :class:`~typedsignals.EmptyPayload`.
        sender: The type every sender must be an instance of; ``None`` accepts any.
        doc: What the signal announces and when it is sent.
        error_policy: What happens when a receiver raises: ``"raise"`` propagates the
            first error at once (the remaining receivers do not run); ``"collect"`` runs
            every receiver, then raises :class:`~typedsignals.exceptions.ReceiverErrors`
            with all failures; ``"log"`` logs each failure on the ``typedsignals``
            logger and goes on.
        strict: Validate every send, even when no receiver listens (see
            :func:`~typedsignals.set_strict` for the process-wide switch).
        concurrent: Default for :meth:`send_async`: run coroutine receivers
            concurrently instead of one after another.
        slow_receiver_ms: A receiver call taking longer than this many milliseconds
            logs a warning on the ``typedsignals`` logger. ``None`` takes the
            namespace's default, then the process's
            (:func:`typedsignals.observe.set_slow_receiver_ms`); ``math.inf``: no budget.

    Subclasses (``typedsignals.flask.BridgedSignal``) may override the table's hooks
    (see ``typedsignals._table``) and ``_vet_sender``, call ``_payload_from``,
    ``_prebuilt``, ``_vet_sender``, ``_unproxied``, ``_resolve_policy``, ``_deliver`` and
    ``_deliver_async``, and read ``_check_sender``, ``_validate``, ``_policy``,
    ``_validate_always`` and ``_observed`` (true when receiver calls must go through
    ``_deliver``: middleware or metrics); the rest of the state is this class's own.

    Example:
        >>> from typedsignals import Payload, Signal
        >>> class UserRegistered(Payload):
        ...     user_id: int
        ...     email: str
        >>> user_registered = Signal("user-registered", UserRegistered)
        >>> @user_registered.connect
        ... def welcome(sender: object, payload: UserRegistered) -> str:
        ...     return f"welcome {payload.email}"
        >>> user_registered.send(None, user_id="1", email="a@example.org")[0][1]
        'welcome a@example.org'
        >>> user_registered.disconnect(welcome)
    """

    name: str
    payload_model: type[M]
    sender_type: type[S]
    doc: str

    _two_positional = True  # receivers are called as receiver(sender, payload)

    @overload
    def __init__(
        self,
        name: str,
        payload: None = None,
        *,
        sender: type[S] | None = None,
        doc: str = "",
        error_policy: ErrorPolicy = "raise",
        strict: bool = False,
        concurrent: bool = False,
        slow_receiver_ms: float | None = None,
    ) -> None: ...

    @overload
    def __init__(
        self,
        name: str,
        payload: Callable[P, M],
        *,
        sender: type[S] | None = None,
        doc: str = "",
        error_policy: ErrorPolicy = "raise",
        strict: bool = False,
        concurrent: bool = False,
        slow_receiver_ms: float | None = None,
    ) -> None: ...

    def __init__(
        self,
        name: str,
        payload: Callable[..., Any] | None = None,
        *,
        sender: type[Any] | None = None,
        doc: str = "",
        error_policy: ErrorPolicy = "raise",
        strict: bool = False,
        concurrent: bool = False,
        slow_receiver_ms: float | None = None,
    ) -> None:
        if not name or not isinstance(name, str):
            raise SignalDefinitionError(f"a signal name must be a non-empty string, not {name!r}")
        model: Any = EmptyPayload if payload is None else payload
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            raise SignalDefinitionError(
                f"signal {name!r}: the payload must be a pydantic BaseModel subclass "
                f"(usually a typedsignals.Payload), not {model!r}"
            )
        if sender is not None and not isinstance(sender, type):
            raise SignalDefinitionError(f"signal {name!r}: sender= must be a class, not {sender!r}")
        _check_policy(name, error_policy, SignalDefinitionError)
        # Everything a concurrent set_strict() may read is set before the table
        # registers itself (the last step of ReceiverTable.__init__).
        self._extras = Extras(bool(strict), check_budget(f"signal {name!r}", slow_receiver_ms))
        self._policy: ErrorPolicy = error_policy
        self.namespace: Any = None
        """The :class:`~typedsignals.Namespace` that made this signal, if one did."""
        self._fail_fast = error_policy == "raise"
        self._observed = False
        self._stand_ins: dict[Hashable, Callable[..., Any]] = {}
        """Deferred receivers (connected with ``via=``) -> the stand-ins connected."""
        super().__init__(name)
        self._declare(model, sender)
        self.doc = doc
        self.concurrent = concurrent
        # The module that declared the signal (for generated docs): skip our own factories.
        frame = sys._getframe(1)
        while frame.f_back is not None and frame.f_globals.get("__name__") in _FACTORIES:
            frame = frame.f_back
        self.module: str | None = frame.f_globals.get("__name__")
        self._settings_changed()

    def _declare(self, model: type[Any], sender: type[Any] | None) -> None:
        """Set the payload model and the sender type, and what sends derive from them.

        Called by ``__init__``, and by a namespace when a module that declares this
        signal is reloaded (its classes are then new objects with the same names).
        """
        self.payload_model = cast("type[M]", model)
        self.sender_type = cast("type[S]", object if sender is None else sender)
        self._check_sender = sender is not None and sender is not object
        self._validate = validator_for(model, self.name)
        self._revalidate = revalidator_for(model, self.name)

    # -- properties ---------------------------------------------------------------

    @property
    def strict(self) -> bool:
        """Validate every send of this signal, even when no receiver listens."""
        return self._extras.strict

    @strict.setter
    def strict(self, strict: bool) -> None:
        with self._lock:
            self._extras.strict = bool(strict)
            self._settings_changed()

    def _settings_changed(self) -> None:
        # The send paths are picked here, not inside every send: with no middleware,
        # no metrics and no slow-receiver budget, a fail-fast signal calls receivers
        # inline (docs/performance.md).
        extras = self._extras
        self._validate_always = extras.strict or _state.strict
        namespace = self.namespace
        extras.chain = chain_for(
            extras.middleware, () if namespace is None else namespace._middleware
        )
        extras.meter = meter_for(self)
        extras.meter_alone = extras.meter if extras.chain is None else None
        # Whether receiver calls go through _deliver for middleware or measuring.
        self._observed = extras.chain is not None or extras.meter is not None
        self._fail_fast = self._policy == "raise" and not self._observed
        self._refresh_idle()

    def use_middleware(self, middleware: Middleware) -> None:
        """Install ``middleware`` around this signal's sends and receiver calls."""
        with self._lock:
            self._extras.middleware.append(checked(middleware))
            self._settings_changed()

    def remove_middleware(self, middleware: Middleware) -> None:
        """Remove a middleware installed with :meth:`use_middleware` (if it is)."""
        with self._lock:
            if middleware in self._extras.middleware:
                self._extras.middleware.remove(middleware)
            self._settings_changed()

    @property
    def slow_receiver_ms(self) -> float | None:
        """This signal's own slow-receiver budget in milliseconds (``None``: inherited)."""
        return self._extras.slow_ms

    @slow_receiver_ms.setter
    def slow_receiver_ms(self, ms: float | None) -> None:
        checked_ms = check_budget(f"signal {self.name!r}", ms)
        with self._lock:
            self._extras.slow_ms = checked_ms
            self._settings_changed()

    @property
    def error_policy(self) -> ErrorPolicy:
        """The receiver error policy: ``"raise"``, ``"collect"`` or ``"log"``."""
        return self._policy

    @error_policy.setter
    def error_policy(self, policy: ErrorPolicy) -> None:
        _check_policy(self.name, policy, SignalDefinitionError)
        with self._lock:
            self._policy = policy
            self._settings_changed()

    # The meta signals are made on first access and kept in _extras (not a
    # cached_property: that reads self.__dict__, which makes CPython store every
    # attribute in a plain dict and slows each access on the send path). These
    # properties are the attributes the table's _meta_signal reads and sets.

    @property
    def _meta_connected(self) -> Signal[Signal[Any, ..., Any], ..., ReceiverConnected] | None:
        return cast(
            "Signal[Signal[Any, ..., Any], ..., ReceiverConnected] | None",
            self._extras.meta_connected,
        )

    @_meta_connected.setter
    def _meta_connected(self, meta: Signal[Any, ..., Any]) -> None:
        self._extras.meta_connected = meta

    @property
    def _meta_disconnected(self) -> Signal[Signal[Any, ..., Any], ..., ReceiverDisconnected] | None:
        return cast(
            "Signal[Signal[Any, ..., Any], ..., ReceiverDisconnected] | None",
            self._extras.meta_disconnected,
        )

    @_meta_disconnected.setter
    def _meta_disconnected(self, meta: Signal[Any, ..., Any]) -> None:
        self._extras.meta_disconnected = meta

    @property
    def receiver_connected(self) -> Signal[Signal[Any, ..., Any], ..., ReceiverConnected]:
        """Meta signal sent after a receiver is connected to this signal."""
        return self._meta_signal(
            "_meta_connected",
            lambda: Signal(
                f"{self.name}.receiver_connected",
                ReceiverConnected,
                sender=Signal,
                doc=f"Sent after a receiver is connected to {self.name!r}.",
            ),
        )

    @property
    def receiver_disconnected(self) -> Signal[Signal[Any, ..., Any], ..., ReceiverDisconnected]:
        """Meta signal sent after a receiver is disconnected from this signal."""
        return self._meta_signal(
            "_meta_disconnected",
            lambda: Signal(
                f"{self.name}.receiver_disconnected",
                ReceiverDisconnected,
                sender=Signal,
                doc=f"Sent after a receiver is disconnected from {self.name!r}.",
            ),
        )

    def __repr__(self) -> str:
        sender = "" if self.sender_type is object else f" sender={self.sender_type.__qualname__}"
        return f"<Signal {self.name!r} payload={self.payload_model.__qualname__}{sender}>"

    # -- sending ------------------------------------------------------------------

    def send(
        self, sender: S, /, *args: P.args, **fields: P.kwargs
    ) -> list[tuple[Callable[[S, M], Any], Any]]:
        """Validate ``fields`` into the payload model, then call every receiver.

        Receivers are called as ``receiver(sender, payload)`` in order of priority, then
        registration. With no receiver connected to the signal and strict mode off,
        send returns at once without looking at its arguments: neither the fields nor
        the sender are checked, and stray positional arguments are not reported (this
        keeps an unheard send nearly free; strict mode checks every send).

        Returns:
            ``[(receiver, result), ...]`` in call order.

        Raises:
            PayloadError: The fields do not make a valid payload; no receiver ran.
            SenderTypeError: ``sender`` is not an instance of the declared sender type.
        """
        if self._idle:  # nobody listens and nothing asks for validation (see above)
            return []
        if args:
            raise extra_positional(self.name, "send", len(args))
        if self._check_sender and type(sender) is not self.sender_type:
            sender = self._vet_sender(sender)
        items, flags = self._dispatch_for(sender)
        if not items or self._mute_depth:
            if self._validate_always:  # strict mode: validate even unheard sends
                self._payload_from(fields)
            return []
        try:  # _payload_from, inlined: this is the hot path
            payload = self._validate(fields)
        except Exception as exc:
            raise payload_error(self.name, exc) from exc
        if flags or not self._fail_fast:  # weak or coroutine receivers, a soft policy...
            meter = self._extras.meter_alone
            if meter is not None:  # ...or measured, with no middleware: its own loop
                return meter.deliver(self, sender, payload, items, flags, self._policy)
            return self._deliver(sender, payload, items, flags, self._policy)
        if len(items) == 1:
            receiver = items[0]
            return [(receiver, receiver(sender, payload))]
        # Not a comprehension here: one that used sender and payload would make them
        # closure cells, allocated on every call of send, even the unheard ones.
        return _call_each(items, sender, payload)

    def send_payload(
        self, sender: S, payload: M, /, *, error_policy: ErrorPolicy | None = None
    ) -> list[tuple[Callable[[S, M], Any], Any]]:
        """Send a prebuilt payload (an instance of this signal's model).

        The instance is validated as the signal's model unless it came from
        :meth:`validate` (or an earlier ``send_payload``): an instance made with
        ``model_construct`` or ``model_copy(update=...)`` is checked like keyword fields
        would be, and receivers get a deeply immutable payload (see docs/payloads.md).

        Args:
            sender: The sender.
            payload: An instance of the signal's model.
            error_policy: Use this error policy for this send instead of the signal's.

        Raises:
            PayloadTypeError: ``payload`` is not an instance of the signal's model.
            PayloadError: ``payload``'s values do not make a valid payload; no receiver ran.
            SenderTypeError: ``sender`` is not an instance of the declared sender type.
        """
        payload = self._prebuilt(payload)
        sender = self._vet_sender(sender)
        policy = self._resolve_policy(error_policy)
        items, flags = self._dispatch_for(sender)
        if not items or self._mute_depth:
            return []
        return self._deliver(sender, payload, items, flags, policy)

    def validate(self, sender: S, /, *args: P.args, **fields: P.kwargs) -> M:
        """Build and return the payload ``send`` would deliver, without sending it.

        Raises:
            PayloadError: The fields do not make a valid payload.
            SenderTypeError: ``sender`` is not an instance of the declared sender type.
        """
        if args:
            raise extra_positional(self.name, "validate", len(args))
        self._vet_sender(sender)
        # Sealed: send_payload() delivers it without validating it again.
        return cast("M", seal(self._payload_from(fields)))

    def _payload_from(self, fields: dict[str, Any]) -> M:
        """Validate ``fields`` into a payload: the one home of that rule."""
        try:
            return cast("M", self._validate(fields))
        except Exception as exc:
            raise payload_error(self.name, exc) from exc

    def _prebuilt(self, payload: object) -> M:
        """The payload to deliver for a prebuilt instance: the one home of that rule.

        Raises:
            PayloadTypeError: ``payload`` is not an instance of the signal's model.
            PayloadError: its values do not make a valid payload.
        """
        if not isinstance(payload, self.payload_model):
            raise PayloadTypeError(
                f"signal {self.name!r}: send_payload() needs an instance of "
                f"{self.payload_model.__qualname__}, got {type(payload).__qualname__}"
            )
        return cast("M", self._revalidate(payload))

    def _vet_sender(self, sender: object) -> Any:
        """The one sender check: ``sender`` itself, or the object a proxy stands for.

        Raises:
            SenderTypeError: ``sender`` is not an instance of the declared sender type.
        """
        routed = self._unproxied(sender)
        if routed is sender and self._check_sender and not isinstance(sender, self.sender_type):
            raise SenderTypeError(
                f"signal {self.name!r}: the sender must be an instance of "
                f"{self.sender_type.__qualname__}, got {type(sender).__qualname__} "
                f"({sender!r:.60})"
            )
        return routed

    def _unproxied(self, sender: object) -> Any:
        """``sender``, or the object it stands for if it is a proxy of the sender type.

        A proxy such as Flask's ``current_app`` passes ``isinstance`` (it forwards
        ``__class__``) but is not the app, and senders are routed by identity: it is
        replaced by the object it stands for (``_get_current_object()``). Only signals
        that declare a sender type can tell a proxy from a sender.
        """
        if (
            self._check_sender
            and not issubclass(type(sender), self.sender_type)
            and isinstance(sender, self.sender_type)  # claims the type through __class__
        ):
            unwrap = getattr(sender, "_get_current_object", None)
            real = unwrap() if callable(unwrap) else None
            if issubclass(type(real), self.sender_type):
                return real
        return sender

    def _resolve_policy(self, policy: ErrorPolicy | None) -> ErrorPolicy:
        if policy is None:
            return self._policy
        _check_policy(self.name, policy, ValueError)
        return policy

    def _deliver(
        self,
        sender: object,
        payload: object,
        items: tuple[Any, ...],
        flags: int,
        policy: ErrorPolicy,
        observed: bool = False,
    ) -> list[tuple[Any, Any]]:
        """Call receivers one by one: the path for weak or async receivers, soft policies,
        middleware (which calls back here with ``observed`` and wrapped receivers) and
        metrics or slow-receiver budgets (the meter's own loop, typedsignals._metrics)."""
        if self._observed:
            extras = self._extras
            if extras.chain is not None and not observed:
                return deliver(self, extras.chain, sender, payload, items, flags, policy)
            if extras.meter is not None:
                return extras.meter.deliver(self, sender, payload, items, flags, policy)
        if flags & ASYNC:
            self._reject_async(items)
        results: list[tuple[Any, Any]] = []
        failures: list[tuple[Callable[..., Any], Exception]] = []
        fail_fast = policy == "raise"
        weak = flags & WEAK
        try:
            for item in items:
                receiver = item() if weak and type(item) in WEAK_REF_TYPES else item
                if receiver is None:  # died since the dispatch was built
                    continue
                if fail_fast:
                    results.append((receiver, receiver(sender, payload)))
                    continue
                try:
                    result = receiver(sender, payload)
                except Exception as exc:
                    self._record_failure(receiver, exc, failures, policy)
                    continue
                results.append((receiver, result))
        except BaseException as interrupt:  # KeyboardInterrupt, GeneratorExit...
            self._report_interrupted(interrupt, failures)
            raise
        if weak and self._dead:
            self._purge_soon()
        if failures:
            self._raise_collected(failures)
        return results

    def _report_interrupted(
        self, interrupt: BaseException, failures: list[tuple[Callable[..., Any], Exception]]
    ) -> None:
        """A send collecting failures was interrupted: the failures must not vanish."""
        for receiver, exc in failures:
            add_note(
                interrupt,
                f"before this, receiver {describe(receiver)} of signal {self.name!r} raised "
                f"{type(exc).__name__}: {exc} (logged on the 'typedsignals' logger)",
            )
            _logger.error(
                "receiver %s of signal %r raised %s; the send was then interrupted by %s",
                describe(receiver),
                self.name,
                type(exc).__name__,
                type(interrupt).__name__,
                exc_info=exc,
            )

    def _reject_async(self, items: tuple[Any, ...]) -> None:
        """A sync send cannot await coroutine receivers: fail before any receiver runs.

        Only live receivers count: a coroutine receiver that died is skipped, as dead
        receivers are everywhere.
        """
        names = [
            describe(receiver)
            for receiver in map(self._resolve, items)
            if receiver is not None and receiver_verdict(self.name, receiver) & ASYNC
        ]
        if names:
            raise ReceiverTypeError(
                f"signal {self.name!r}: send() cannot await the coroutine receiver(s) "
                f"{', '.join(names)}; use send_async() (nothing was delivered)"
            )

    def _record_failure(
        self,
        receiver: Callable[..., Any],
        exc: Exception,
        failures: list[tuple[Callable[..., Any], Exception]],
        policy: ErrorPolicy,
    ) -> None:
        if policy == "log":
            _logger.error(
                "receiver %s of signal %r raised %s",
                describe(receiver),
                self.name,
                type(exc).__name__,
                exc_info=exc,
            )
        else:
            failures.append((receiver, exc))

    def _raise_collected(self, failures: list[tuple[Callable[..., Any], Exception]]) -> None:
        for receiver, exc in failures:
            add_note(exc, f"raised by receiver {describe(receiver)} of signal {self.name!r}")
        count = len(failures)
        raise ReceiverErrors(
            f"{count} receiver{'s' if count != 1 else ''} of signal {self.name!r} failed",
            [exc for _, exc in failures],
            self.name,
            [receiver for receiver, _ in failures],
        )

    # -- connecting ---------------------------------------------------------------

    # The first overload keeps a decorated receiver's own signature (extra optional
    # parameters, names) while Receiver's first __call__ still demands that it can be
    # called as (sender, payload): a required third parameter is an error. Lambdas need
    # the second: neither checker infers a lambda's parameters from an overloaded
    # __call__, and mypy then falls through to the plain callable (pyright keeps the
    # first overload and leaves the lambda's parameters unknown: docs/static-checking.md).
    @overload
    def connect(
        self,
        receiver: Receiver[S, M, Q, R],
        sender: S | AnyType = ANY,
        *,
        weak: bool | None = None,
        priority: int = 0,
        via: Deferral | None = None,
    ) -> Callable[Concatenate[S, M, Q], R]: ...

    @overload
    def connect(  # pyright: ignore[reportOverlappingOverload]  # lambdas, see above
        self,
        receiver: Callable[[S, M], R],
        sender: S | AnyType = ANY,
        *,
        weak: bool | None = None,
        priority: int = 0,
        via: Deferral | None = None,
    ) -> Callable[[S, M], R]: ...

    def connect(
        self,
        receiver: Callable[..., Any],
        sender: S | AnyType = ANY,
        *,
        weak: bool | None = None,
        priority: int = 0,
        via: Deferral | None = None,
    ) -> Callable[..., Any]:
        """Connect ``receiver`` to be called as ``receiver(sender, payload)``.

        Returns the receiver, so ``connect`` works as a decorator; for a decorator with
        options use :meth:`connect_via` (``@signal.connect_via(ANY, priority=10)``).
        Connecting a receiver that is already connected for the same sender changes
        nothing.

        Args:
            receiver: A callable taking ``(sender, payload)``.
            sender: Only deliver sends from this sender (matched by identity; ``str`` and
                ``int`` senders by value). The default, ``ANY``, hears every sender.
            weak: Hold the receiver weakly. By default bound methods are held weakly on
                their instance (so the object can be garbage collected) and everything
                else strongly (so an inline lambda is never silently dropped).
            priority: Receivers with a higher priority are called first; equal
                priorities keep registration order.
            via: Run the receiver later, elsewhere: a deferred delivery such as
                ``typedsignals.delivery.ThreadPoolDelivery()`` or a Celery delivery
                (docs/delivery.md). The send then gets a handle, not the result.

        Raises:
            ReceiverTypeError: The receiver is not callable, cannot take
                ``(sender, payload)``, or cannot be weakly referenced with ``weak=True``.
            SenderTypeError: ``sender`` is not an instance of the declared sender type.
        """
        if via is not None:
            return self._connect_deferred(receiver, sender, via, priority)
        if weak is None:  # weak_default, inlined: connect is hot (tests check the copy)
            bound_to = getattr(receiver, "__self__", None) if type(receiver) is MethodType else None
            weak = bound_to is not None and type(bound_to).__weakrefoffset__ != 0
        self._connect(receiver, sender, weak, priority)
        return receiver

    def _connect_deferred(
        self, receiver: Callable[..., Any], sender: object, via: Deferral, priority: int
    ) -> Callable[..., Any]:
        """Connect the stand-in ``via`` makes for ``receiver``, held strongly."""
        stand_in = self._stand_ins.get(receiver_key(receiver))
        if stand_in is None or getattr(stand_in, "deferral", None) is not via:
            stand_in = via.defer(self, receiver, sender)
            self._stand_ins[receiver_key(receiver)] = stand_in
        self._connect(stand_in, sender, False, priority)
        return receiver

    def connect_via(
        self, sender: S | AnyType, *, weak: bool | None = None, priority: int = 0
    ) -> ConnectDecorator[S, M]:
        """Decorator form of :meth:`connect`, with its options.

        Example:
            >>> from typedsignals import ANY, Signal
            >>> ping = Signal("ping")
            >>> @ping.connect_via("tests")
            ... def on_ping(sender: object, payload: object) -> str:
            ...     return "pong"
            >>> @ping.connect_via(ANY, priority=10)
            ... def first(sender: object, payload: object) -> str:
            ...     return "first"
            >>> [result for _, result in ping.send("tests")]
            ['first', 'pong']
            >>> [result for _, result in ping.send("elsewhere")]
            ['first']
            >>> ping.disconnect(on_ping)
            >>> ping.disconnect(first)
        """

        def decorator(receiver: Callable[..., Any]) -> Callable[..., Any]:
            self._connect(receiver, sender, weak_default(receiver, weak), priority)
            return receiver

        return cast("ConnectDecorator[S, M]", decorator)

    @contextmanager
    def connected_to(
        self, receiver: Callable[[S, M], Any], sender: S | AnyType = ANY
    ) -> Iterator[Callable[[S, M], Any]]:
        """Connect ``receiver`` for the duration of a ``with`` block.

        The receiver is held strongly. On exit only the connection this block added is
        removed: if the receiver was already connected for ``sender``, it stays.
        """
        with self._temporarily(receiver, sender):
            yield receiver

    def disconnect(self, receiver: Callable[..., Any], sender: S | AnyType = ANY) -> None:
        """Disconnect ``receiver``.

        With the default ``sender=ANY`` every connection of the receiver is removed (the
        ``ANY`` one and every sender-specific one), as in blinker; with a sender, only
        the connection for that sender. Disconnecting a receiver that is not connected
        does nothing.
        """
        target = sender if sender is ANY else self._unproxied(sender)
        if self._stand_ins:  # the receiver's deferred connections go with it
            stand_in = self._stand_ins.get(receiver_key(receiver))
            if stand_in is not None:
                self._disconnect(stand_in, target)
                if sender is ANY:
                    del self._stand_ins[receiver_key(receiver)]
        self._disconnect(receiver, target)

    def _announce_connected(self, receiver: Callable[..., Any], sender: object, weak: bool) -> None:
        meta = self._extras.meta_connected
        if meta is not None:
            meta.send(self, receiver=receiver, sender=sender, weak=weak)

    def _announce_disconnected(self, receiver: Callable[..., Any], sender: object) -> None:
        meta = self._extras.meta_disconnected
        if meta is not None:
            meta.send(self, receiver=receiver, sender=sender)

    # -- introspection ------------------------------------------------------------

    def receivers_for(self, sender: S) -> tuple[Callable[[S, M], Any], ...]:
        """The live receivers a send from ``sender`` would call, in call order."""
        return self._live(self._unproxied(sender))

    def connections(self) -> tuple[ConnectionInfo, ...]:
        """Every live connection: receiver, sender (or ``ANY``), priority, weak or not.

        ``ANY`` connections come first, then those of each sender; within a sender, in
        call order. For tools (the catalog's sender-receiver map), not for sending.
        """
        pairs = self._connections()
        order = {id(sender): index for index, (sender, _) in reversed(list(enumerate(pairs)))}
        pairs.sort(
            key=lambda pair: (
                pair[0] is not ANY,
                order[id(pair[0])],
                -pair[1].priority,
                pair[1].seq,
            )
        )
        return tuple(
            ConnectionInfo(receiver, sender, conn.priority, conn.ref is not None)
            for sender, conn in pairs
            if (receiver := conn.target()) is not None
        )

    def has_receivers_for(self, sender: S) -> bool:
        """Tell whether a send from ``sender`` would reach a live receiver (never stale)."""
        return self._has_live(self._unproxied(sender))


def _call_each(
    items: tuple[Any, ...], sender: object, payload: BaseModel
) -> list[tuple[Callable[..., Any], Any]]:
    """Call every receiver in ``items`` (plain callables, in order) as ``(sender, payload)``."""
    return [(receiver, receiver(sender, payload)) for receiver in items]


def _check_policy(name: str, policy: object, error: type[Exception]) -> None:
    if policy not in _POLICIES:
        raise error(f"signal {name!r}: error_policy must be one of {_POLICIES}, not {policy!r}")


for _public in (ConnectionInfo, ReceiverConnected, ReceiverDisconnected, Signal):
    _public.__module__ = "typedsignals"  # reprs and docs show the public path
