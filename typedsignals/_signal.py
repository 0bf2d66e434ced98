"""The typed signal: a receiver table plus payload validation and delivery."""

from __future__ import annotations

import inspect
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import MethodType
from typing import (
    Any,
    Concatenate,
    Final,
    Generic,
    Literal,
    Protocol,
    cast,
    overload,
)

from pydantic import BaseModel, ValidationError
from typing_extensions import ParamSpec, TypeVar

from ._config import state as _state
from ._payload import EmptyPayload, Payload
from ._receivers import ANY, ASYNC, WEAK_REF_TYPES, AnyType, describe, receiver_flags
from ._table import ReceiverTable
from .exceptions import (
    PayloadError,
    PayloadTypeError,
    ReceiverErrors,
    ReceiverTypeError,
    SenderTypeError,
    SignalDefinitionError,
)

__all__ = ["ErrorPolicy", "ReceiverConnected", "ReceiverDisconnected", "Signal"]

S = TypeVar("S", default=object)
P = ParamSpec("P", default=[])
M = TypeVar("M", bound=BaseModel, default=EmptyPayload)
Q = ParamSpec("Q")
R = TypeVar("R")

ErrorPolicy = Literal["raise", "collect", "log"]
"""What a send does when a receiver raises: see :class:`Signal`."""

_POLICIES: Final = ("raise", "collect", "log")
_FACTORIES: Final = frozenset({__name__, "typedsignals._namespace"})
_logger: Final = logging.getLogger("typedsignals")


class ReceiverConnected(Payload):
    """Payload of :attr:`Signal.receiver_connected`."""

    receiver: Callable[..., Any]
    sender: Any
    weak: bool


class ReceiverDisconnected(Payload):
    """Payload of :attr:`Signal.receiver_disconnected`."""

    receiver: Callable[..., Any]
    sender: Any


class Signal(ReceiverTable, Generic[S, P, M]):
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
        self._strict = bool(strict)
        self._policy: ErrorPolicy = error_policy
        self._fail_fast = error_policy == "raise"
        self._meta_connected: Signal[Signal[Any, ..., Any], ..., ReceiverConnected] | None = None
        self._meta_disconnected: Signal[Signal[Any, ..., Any], ..., ReceiverDisconnected] | None = (
            None
        )
        super().__init__(name)
        self.payload_model = cast("type[M]", model)
        self.sender_type = cast("type[S]", object if sender is None else sender)
        self.doc = doc
        self.concurrent = concurrent
        # The module that declared the signal (for generated docs): skip our own factories.
        frame = sys._getframe(1)
        while frame.f_back is not None and frame.f_globals.get("__name__") in _FACTORIES:
            frame = frame.f_back
        self.module: str | None = frame.f_globals.get("__name__")
        self._check_sender = sender is not None and sender is not object
        self._validate = _validator_for(model)
        self._settings_changed()

    # -- properties ---------------------------------------------------------------

    @property
    def strict(self) -> bool:
        """Validate every send of this signal, even when no receiver listens."""
        return self._strict

    @strict.setter
    def strict(self, strict: bool) -> None:
        with self._lock:
            self._strict = bool(strict)
            self._settings_changed()

    def _settings_changed(self) -> None:
        self._validate_always = self._strict or _state.strict
        self._refresh_idle()

    @property
    def error_policy(self) -> ErrorPolicy:
        """The receiver error policy: ``"raise"``, ``"collect"`` or ``"log"``."""
        return self._policy

    @error_policy.setter
    def error_policy(self, policy: ErrorPolicy) -> None:
        _check_policy(self.name, policy, SignalDefinitionError)
        self._policy = policy
        self._fail_fast = policy == "raise"

    # The meta signals are made on first access and kept in plain attributes (not a
    # cached_property: that reads self.__dict__, which makes CPython store every
    # attribute in a plain dict and slows each access on the send path).

    @property
    def receiver_connected(self) -> Signal[Signal[Any, ..., Any], ..., ReceiverConnected]:
        """Meta signal sent after a receiver is connected to this signal."""
        meta = self._meta_connected
        if meta is None:
            with self._lock:
                meta = self._meta_connected
                if meta is None:
                    meta = self._meta_connected = Signal(
                        f"{self.name}.receiver_connected",
                        ReceiverConnected,
                        sender=Signal,
                        doc=f"Sent after a receiver is connected to {self.name!r}.",
                    )
                    self._announce = True
        return meta

    @property
    def receiver_disconnected(self) -> Signal[Signal[Any, ..., Any], ..., ReceiverDisconnected]:
        """Meta signal sent after a receiver is disconnected from this signal."""
        meta = self._meta_disconnected
        if meta is None:
            with self._lock:
                meta = self._meta_disconnected
                if meta is None:
                    meta = self._meta_disconnected = Signal(
                        f"{self.name}.receiver_disconnected",
                        ReceiverDisconnected,
                        sender=Signal,
                        doc=f"Sent after a receiver is disconnected from {self.name!r}.",
                    )
                    self._announce = True
        return meta

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
        keeps an unheard send nearly free; strict mode, which the pytest plugin turns
        on, checks every send).

        Returns:
            ``[(receiver, result), ...]`` in call order.

        Raises:
            PayloadError: The fields do not make a valid payload; no receiver ran.
            SenderTypeError: ``sender`` is not an instance of the declared sender type.
        """
        if self._idle:  # nobody listens and nothing asks for validation (see above)
            return []
        if args:
            raise TypeError(
                f"signal {self.name!r}: send() takes the sender as its only positional "
                f"argument; pass payload fields by keyword ({len(args)} extra given)"
            )
        items, flags = self._dispatch_for(sender) if self._routed else self._any_dispatch
        if not items or self._mute_depth:
            if self._validate_always:  # strict mode: validate even unheard sends
                self._payload_from(sender, fields)
            return []
        # _payload_from, inlined: this is the hot path.
        if self._check_sender and not isinstance(sender, self.sender_type):
            raise self._sender_error(sender)
        try:
            payload = self._validate(fields)
        except ValidationError as exc:
            raise PayloadError(self.name, exc) from exc
        except Exception as exc:
            raise PayloadError(self.name, detail=_failure(exc)) from exc
        if flags or not self._fail_fast:  # weak or coroutine receivers, or a soft policy
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
        """Send a prebuilt payload (an instance of this signal's model) without revalidating.

        Args:
            sender: The sender.
            payload: An instance of the signal's model (models are frozen, so one
                instance can safely go to many receivers).
            error_policy: Use this error policy for this send instead of the signal's.

        Raises:
            PayloadTypeError: ``payload`` is not an instance of the signal's model.
            SenderTypeError: ``sender`` is not an instance of the declared sender type.
        """
        self._check_payload(payload)
        if self._check_sender and not isinstance(sender, self.sender_type):
            raise self._sender_error(sender)
        policy = self._resolve_policy(error_policy)
        items, flags = self._dispatch_for(sender) if self._routed else self._any_dispatch
        if not items or self._mute_depth:
            return []
        return self._deliver(sender, payload, items, flags, policy)

    async def send_async(
        self, sender: S, /, *args: P.args, **fields: P.kwargs
    ) -> list[tuple[Callable[[S, M], Any], Any]]:
        """Like :meth:`send`, awaiting coroutine receivers; sync receivers are called.

        Receivers run one after another unless the signal was declared with
        ``concurrent=True`` (see :meth:`send_async_payload` to choose per call).
        """
        if args:
            raise TypeError(
                f"signal {self.name!r}: send_async() takes the sender as its only positional "
                "argument; pass payload fields by keyword"
            )
        items, flags = self._dispatch_for(sender) if self._routed else self._any_dispatch
        if not items or self._mute_depth:
            if self._validate_always:  # strict mode: validate even unheard sends
                self._payload_from(sender, fields)
            return []
        payload = self._payload_from(sender, fields)
        return await self._deliver_async(
            sender, payload, items, flags, self.concurrent, self._policy
        )

    async def send_async_payload(
        self,
        sender: S,
        payload: M,
        /,
        *,
        concurrent: bool | None = None,
        error_policy: ErrorPolicy | None = None,
    ) -> list[tuple[Callable[[S, M], Any], Any]]:
        """Send a prebuilt payload asynchronously.

        Args:
            sender: The sender.
            payload: An instance of the signal's model.
            concurrent: Run coroutine receivers concurrently (``asyncio.gather``); the
                default is the signal's ``concurrent`` setting.
            error_policy: Use this error policy for this send instead of the signal's.
        """
        self._check_payload(payload)
        if self._check_sender and not isinstance(sender, self.sender_type):
            raise self._sender_error(sender)
        policy = self._resolve_policy(error_policy)
        items, flags = self._dispatch_for(sender) if self._routed else self._any_dispatch
        if not items or self._mute_depth:
            return []
        run_concurrently = self.concurrent if concurrent is None else concurrent
        return await self._deliver_async(sender, payload, items, flags, run_concurrently, policy)

    def validate(self, sender: S, /, *args: P.args, **fields: P.kwargs) -> M:
        """Build and return the payload ``send`` would deliver, without sending it.

        Raises:
            PayloadError: The fields do not make a valid payload.
            SenderTypeError: ``sender`` is not an instance of the declared sender type.
        """
        if args:
            raise TypeError(f"signal {self.name!r}: pass payload fields by keyword")
        return self._payload_from(sender, fields)

    def _payload_from(self, sender: object, fields: dict[str, Any]) -> M:
        if self._check_sender and not isinstance(sender, self.sender_type):
            raise self._sender_error(sender)
        try:
            return cast("M", self._validate(fields))
        except ValidationError as exc:
            raise PayloadError(self.name, exc) from exc
        except Exception as exc:
            raise PayloadError(self.name, detail=_failure(exc)) from exc

    def _check_payload(self, payload: object) -> None:
        if not isinstance(payload, self.payload_model):
            raise PayloadTypeError(
                f"signal {self.name!r}: send_payload() needs an instance of "
                f"{self.payload_model.__qualname__}, got {type(payload).__qualname__}"
            )

    def _sender_error(self, sender: object) -> SenderTypeError:
        return SenderTypeError(
            f"signal {self.name!r}: the sender must be an instance of "
            f"{self.sender_type.__qualname__}, got {type(sender).__qualname__} ({sender!r:.60})"
        )

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
    ) -> list[tuple[Any, Any]]:
        """Call receivers one by one: the path for weak or async receivers and soft policies."""
        if flags & ASYNC:
            self._reject_async(items)
        results: list[tuple[Any, Any]] = []
        failures: list[tuple[Callable[..., Any], Exception]] = []
        fail_fast = policy == "raise"
        for item in items:
            if flags and type(item) in WEAK_REF_TYPES:
                receiver = item()
                if receiver is None:
                    self._dirty = True
                    continue
            else:
                receiver = item
            if fail_fast:
                results.append((receiver, receiver(sender, payload)))
                continue
            try:
                result = receiver(sender, payload)
            except Exception as exc:
                self._record_failure(receiver, exc, failures, policy)
                continue
            results.append((receiver, result))
        if flags and self._dirty:
            self._purge_soon()
        if failures:
            self._raise_collected(failures)
        return results

    def _reject_async(self, items: tuple[Any, ...]) -> None:
        """A sync send cannot await coroutine receivers: fail before any receiver runs."""
        names = [
            describe(receiver)
            for receiver in map(self._resolve, items)
            if receiver is not None and receiver_flags(self.name, receiver, two_positional=False)
        ]
        raise ReceiverTypeError(
            f"signal {self.name!r}: send() cannot await the coroutine receiver(s) "
            f"{', '.join(names)}; use send_async() (nothing was delivered)"
        )

    async def _deliver_async(
        self,
        sender: object,
        payload: object,
        items: tuple[Any, ...],
        flags: int,
        concurrent: bool,
        policy: ErrorPolicy,
    ) -> list[tuple[Any, Any]]:
        resolved = [self._resolve(item) for item in items] if flags else list(items)
        receivers = [receiver for receiver in resolved if receiver is not None]
        if concurrent:
            import asyncio  # here, not at the top: it costs ~15 ms to import

            outcomes = await asyncio.gather(
                *(_outcome(receiver, sender, payload) for receiver in receivers)
            )
        elif policy == "raise":
            outcomes = [(True, await _call_async(r, sender, payload)) for r in receivers]
        else:
            outcomes = [await _outcome(r, sender, payload) for r in receivers]
        results: list[tuple[Any, Any]] = []
        failures: list[tuple[Callable[..., Any], Exception]] = []
        for receiver, (ok, value) in zip(receivers, outcomes):
            if ok:
                results.append((receiver, value))
            else:
                self._record_failure(receiver, value, failures, policy)
        if failures and policy == "raise":
            # Only concurrent sends get here with several failures: all receivers ran.
            # The first failure propagates; the others must not vanish silently.
            for receiver, exc in failures[1:]:
                _logger.error(
                    "receiver %s of signal %r also raised %s (the first failure propagates)",
                    describe(receiver),
                    self.name,
                    type(exc).__name__,
                    exc_info=exc,
                )
            raise failures[0][1]
        if failures:
            self._raise_collected(failures)
        return results

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
            _add_note(exc, f"raised by receiver {describe(receiver)} of signal {self.name!r}")
        count = len(failures)
        raise ReceiverErrors(
            f"{count} receiver{'s' if count != 1 else ''} of signal {self.name!r} failed",
            [exc for _, exc in failures],
            self.name,
            [receiver for receiver, _ in failures],
        )

    # -- connecting ---------------------------------------------------------------

    def connect(
        self,
        receiver: Callable[Concatenate[S, M, Q], R],
        sender: S | AnyType = ANY,
        *,
        weak: bool | None = None,
        priority: int = 0,
    ) -> Callable[Concatenate[S, M, Q], R]:
        """Connect ``receiver`` to be called as ``receiver(sender, payload)``.

        Returns the receiver, so ``connect`` works as a decorator. Connecting a receiver
        that is already connected for the same sender changes nothing.

        Args:
            receiver: A callable taking ``(sender, payload)``.
            sender: Only deliver sends from this sender (matched by identity; ``str`` and
                ``int`` senders by value). The default, ``ANY``, hears every sender.
            weak: Hold the receiver weakly. By default bound methods are held weakly on
                their instance (so the object can be garbage collected) and everything
                else strongly (so an inline lambda is never silently dropped).
            priority: Receivers with a higher priority are called first; equal
                priorities keep registration order.

        Raises:
            ReceiverTypeError: The receiver is not callable, cannot take
                ``(sender, payload)``, or cannot be weakly referenced with ``weak=True``.
            SenderTypeError: ``sender`` is not an instance of the declared sender type.
        """
        if weak is None:  # the default policy, inlined from _weak_default: connect is hot too
            bound_to = getattr(receiver, "__self__", None) if type(receiver) is MethodType else None
            weak = bound_to is not None and type(bound_to).__weakrefoffset__ != 0
        self._connect(receiver, sender, weak, priority)
        return receiver

    def connect_via(
        self, sender: S | AnyType, *, weak: bool | None = None, priority: int = 0
    ) -> _ConnectDecorator[S, M]:
        """Decorator form of :meth:`connect` for a specific sender.

        Example:
            >>> from typedsignals import Signal
            >>> ping = Signal("ping")
            >>> @ping.connect_via("tests")
            ... def on_ping(sender: object, payload: object) -> str:
            ...     return "pong"
            >>> ping.send("tests")[0][1], ping.send("elsewhere")
            ('pong', [])
            >>> ping.disconnect(on_ping)
        """

        def decorator(
            receiver: Callable[Concatenate[S, M, Q], R],
        ) -> Callable[Concatenate[S, M, Q], R]:
            self._connect(receiver, sender, _weak_default(receiver, weak), priority)
            return receiver

        return cast("_ConnectDecorator[S, M]", decorator)

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
        self._disconnect(receiver, sender)

    def _vet_sender(self, sender: object) -> None:
        if self._check_sender and not isinstance(sender, self.sender_type):
            raise self._sender_error(sender)

    def _announce_connected(self, receiver: Callable[..., Any], sender: object, weak: bool) -> None:
        meta = self._meta_connected
        if meta is not None:
            meta.send(self, receiver=receiver, sender=sender, weak=weak)

    def _announce_disconnected(self, receiver: Callable[..., Any], sender: object) -> None:
        meta = self._meta_disconnected
        if meta is not None:
            meta.send(self, receiver=receiver, sender=sender)

    # -- introspection ------------------------------------------------------------

    def receivers_for(self, sender: S) -> tuple[Callable[[S, M], Any], ...]:
        """The live receivers a send from ``sender`` would call, in call order."""
        return self._live(sender)

    def has_receivers_for(self, sender: S) -> bool:
        """Tell whether a send from ``sender`` would reach a live receiver (never stale)."""
        return self._has_live(sender)


SI = TypeVar("SI")
MI = TypeVar("MI")


class _ConnectDecorator(Protocol[SI, MI]):
    """Type of the decorator returned by :meth:`Signal.connect_via`."""

    def __call__(
        self, receiver: Callable[Concatenate[SI, MI, Q], R], /
    ) -> Callable[Concatenate[SI, MI, Q], R]: ...


async def _call_async(receiver: Callable[..., Any], sender: object, payload: object) -> Any:
    result = receiver(sender, payload)
    if inspect.isawaitable(result):
        return await result
    return result


async def _outcome(
    receiver: Callable[..., Any], sender: object, payload: object
) -> tuple[bool, Any]:
    """``(True, result)`` or ``(False, exception)``: a receiver's own return value is
    never mistaken for a failure."""
    try:
        return True, await _call_async(receiver, sender, payload)
    except Exception as exc:
        return False, exc


def _call_each(
    items: tuple[Any, ...], sender: object, payload: BaseModel
) -> list[tuple[Callable[..., Any], Any]]:
    """Call every receiver in ``items`` (plain callables, in order) as ``(sender, payload)``."""
    return [(receiver, receiver(sender, payload)) for receiver in items]


def _check_policy(name: str, policy: object, error: type[Exception]) -> None:
    if policy not in _POLICIES:
        raise error(f"signal {name!r}: error_policy must be one of {_POLICIES}, not {policy!r}")


def _add_note(exc: BaseException, note: str) -> None:
    if note in getattr(exc, "__notes__", ()):
        return  # a prebuilt exception raised on every send must not pile up notes
    if sys.version_info >= (3, 11):
        exc.add_note(note)
    else:  # pragma: no cover - Python 3.10: the exceptiongroup backport prints __notes__
        setattr(exc, "__notes__", [*getattr(exc, "__notes__", ()), note])  # noqa: B010


def _failure(exc: BaseException) -> str:
    return f"a validator raised {type(exc).__name__}: {exc}"


def _validator_for(model: type[BaseModel]) -> Callable[[dict[str, Any]], BaseModel]:
    """The fastest correct way to build ``model`` from keyword arguments."""
    if model.__init__ is not BaseModel.__init__:
        # A model with its own __init__ must go through it.
        def construct(fields: dict[str, Any]) -> BaseModel:
            return model(**fields)

        return construct
    validate_python = model.__pydantic_validator__.validate_python
    if model is EmptyPayload:
        empty = EmptyPayload()

        def validate_empty(fields: dict[str, Any]) -> BaseModel:
            return empty if not fields else cast(BaseModel, validate_python(fields))

        return validate_empty
    return cast("Callable[[dict[str, Any]], BaseModel]", validate_python)


def _weak_default(receiver: object, weak: bool | None) -> bool:
    # Bound methods are held on their instance; everything else strongly, so that an
    # inline lambda or a partial is never silently dropped.
    if weak is not None:
        return weak
    # An instance that cannot be weakly referenced (__slots__ without __weakref__) keeps
    # its method strongly held rather than being refused.
    return type(receiver) is MethodType and type(receiver.__self__).__weakrefoffset__ != 0


for _public in (ReceiverConnected, ReceiverDisconnected, Signal):
    _public.__module__ = "typedsignals"  # reprs and docs show the public path
