"""Typed signals bridged to the blinker signals that Flask and its extensions send.

A :class:`BridgedSignal` is a typed :class:`~typedsignals.Signal` tied to one raw
blinker signal (``flask.signals.request_finished``, ``flask_login.user_logged_in``...):

* **raw to typed.** The first typed receiver to connect installs one plain receiver on
  the raw signal (and the last one to disconnect removes it, so nothing is installed
  on Flask's signals while nobody listens). When Flask sends, that raw receiver
  validates Flask's keyword arguments into the payload model once and calls the typed
  receivers from the signal's precomputed dispatch tuple: no per-receiver adapter, no
  copy of the payload objects (fields such as the template context are checked with
  ``isinstance`` and passed as the very object Flask holds).
* **typed to raw.** ``send`` / ``send_payload`` on the typed declaration validate, then
  call every raw blinker receiver with the payload's fields as keyword arguments and
  the typed receivers once, at the raw receiver's place in blinker's order, exactly
  what a send by Flask itself would do.

Coroutine receivers run through ``app.ensure_sync``, as Flask runs its own.
"""

from __future__ import annotations

import functools
import inspect
import sys
import warnings
from collections.abc import Callable
from typing import Any, cast

from blinker import Signal as RawSignal
from pydantic import BaseModel, ValidationError, WithJsonSchema
from typing_extensions import ParamSpec, TypeVar

from .._signal import ErrorPolicy, Signal
from ..exceptions import PayloadError, SignalDefinitionError
from ._ext import EXTENSION_KEY, AppSettings, app_policy

__all__ = ["BridgeWarning", "BridgedSignal", "opaque"]

S = TypeVar("S", default=object)
P = ParamSpec("P", default=[])
M = TypeVar("M", bound=BaseModel, default=Any)

_Results = list[tuple[Callable[..., Any], Any]]


class BridgeWarning(UserWarning):
    """A raw send carried keyword arguments the typed declaration does not know.

    Typically a newer Flask or extension added an argument to one of its signals. The
    unknown arguments are left out of the typed payload (raw blinker receivers still get
    them) and the warning names the signal and the arguments, once per signal and set
    of arguments.
    """


def opaque(python_type: str, description: str, *, nullable: bool = False) -> WithJsonSchema:
    """JSON Schema for a field holding a Python object that has no JSON form.

    Pydantic cannot describe a ``jinja2.Template`` or a ``Response`` in JSON Schema;
    this annotation gives such a field an ``object`` schema (``object`` or ``null``
    when ``nullable``) carrying the description and the Python type under
    ``x-python-type``, so schema export and generated docs work for every bridged
    payload.
    """
    kind: str | list[str] = ["object", "null"] if nullable else "object"
    return WithJsonSchema({"type": kind, "description": description, "x-python-type": python_type})


class BridgedSignal(Signal[S, P, M]):
    """A typed signal that mirrors a raw blinker signal, in both directions.

    Receivers connected here are called as ``receiver(sender, payload)`` whenever the
    raw signal is sent (by Flask, an extension, or any code) and whenever this typed
    declaration is sent. Sends through this declaration also reach the raw signal's
    blinker receivers, called as ``receiver(sender, **fields)``.

    When the sender is a Flask app initialised with :class:`TypedSignals`, the app's
    error policy applies to the typed receivers (raw receivers always propagate their
    exceptions, as blinker does).

    A raw send whose keyword arguments do not fit the payload model raises one
    :class:`~typedsignals.exceptions.PayloadError` naming the signal and the fields
    (unknown extra arguments only cause a :class:`BridgeWarning`); a sender of the
    wrong type raises :class:`~typedsignals.exceptions.SenderTypeError`.

    Args:
        raw: The blinker signal to mirror.
        payload: The payload model; its fields are the raw signal's keyword arguments.
        sender: The sender type (``flask.Flask`` for Flask and its extensions).
        name: The typed signal's name; defaults to the raw signal's name.
        doc: What the signal announces and when.
        error_policy: The policy used when the sender has no per-app policy.
        module: The module the declaration is documented under; by default the
            module that creates the signal.

    Example:
        >>> from blinker import Namespace
        >>> from flask import Flask
        >>> from typedsignals import Payload
        >>> from typedsignals.flask import BridgedSignal
        >>> class CacheCleared(Payload):
        ...     keys: int
        >>> cache_cleared_raw = Namespace().signal("cache-cleared")
        >>> cache_cleared = BridgedSignal(cache_cleared_raw, CacheCleared, sender=Flask)
        >>> @cache_cleared.connect
        ... def report(sender: Flask, payload: CacheCleared) -> None:
        ...     print(f"{payload.keys} keys cleared")
        >>> _ = cache_cleared_raw.send(Flask("demo"), keys="3")
        3 keys cleared
        >>> cache_cleared.disconnect(report)
        >>> cache_cleared.is_bridged
        False
    """

    raw: RawSignal
    """The blinker signal this declaration mirrors."""
    raw_name: str
    """The raw signal's name (the typed name when the raw signal has none)."""

    def __init__(
        self,
        raw: RawSignal,
        payload: Callable[P, M],
        *,
        sender: type[S],
        name: str | None = None,
        doc: str = "",
        error_policy: ErrorPolicy = "raise",
        module: str | None = None,
    ) -> None:
        raw_name: object = getattr(raw, "name", None)
        if not isinstance(raw_name, str):
            raw_name = None
        if name is None and raw_name is None:
            raise SignalDefinitionError(
                f"BridgedSignal: the raw signal {raw!r} has no name; pass name="
            )
        super().__init__(
            cast(str, raw_name) if name is None else name,
            payload,
            sender=sender,
            doc=doc,
            error_policy=error_policy,
        )
        if module is not None:
            self.module = module
        self.raw = raw
        self.raw_name: str = raw_name or self.name
        self._installed = False
        self._has_async = False
        self._announce = True  # the hooks below install and remove the bridge
        fields = self.payload_model.model_fields
        self._field_names: tuple[str, ...] = tuple(fields)
        # A model without fields has one possible value; frozen, so it can be shared.
        self._empty: M | None = None
        if not fields and self.payload_model.__init__ is BaseModel.__init__:
            self._empty = self.payload_model()
        self._raw_receiver = self._make_raw_receiver()

    def __repr__(self) -> str:
        return (
            f"<BridgedSignal {self.name!r} payload={self.payload_model.__qualname__} "
            f"sender={self.sender_type.__qualname__} raw={self.raw_name!r}>"
        )

    @property
    def is_bridged(self) -> bool:
        """Whether the raw receiver is installed (some typed receiver is connected)."""
        return self._installed

    # -- raw to typed ---------------------------------------------------------------

    def _make_raw_receiver(self) -> Callable[..., None]:
        """Build the one receiver installed on the raw signal: the hot path of every send.

        A closure rather than a bound method: blinker calls it directly (no method
        unwrapping when it checks for coroutines) and the names it needs on every send
        are locals. It must stay lean: a Flask request pays for it on each signal.
        """
        signal = self
        dispatch_for = self._dispatch_for
        validate = self._validate
        payload_from_raw = self._payload_from_raw  # the slow path: errors and strict mode
        check_sender = self._check_sender
        sender_type = self.sender_type
        empty = self._empty

        def receive(sender: Any, /, **kwargs: Any) -> None:
            items, weak = dispatch_for(sender) if signal._routed else signal._any_dispatch
            if not items or signal._mute_depth:
                if signal._validate_always:  # strict mode
                    payload_from_raw(sender, kwargs)
                return
            if check_sender and not isinstance(sender, sender_type):
                payload_from_raw(sender, kwargs)  # raises SenderTypeError with a note
            payload: Any = empty
            if kwargs or empty is None:
                try:
                    payload = validate(kwargs)
                except Exception:
                    # Validate again on the slow path, which raises the PayloadError
                    # (or drops unknown arguments with a BridgeWarning and goes on).
                    payload = payload_from_raw(sender, kwargs)
            # The app's policy (TypedSignals), inlined: two lookups on every send.
            extensions = getattr(sender, "extensions", None)
            settings = None if extensions is None else extensions.get(EXTENSION_KEY)
            policy = (
                settings.error_policy
                if type(settings) is AppSettings and settings.error_policy
                else signal._policy
            )
            if signal._has_async:
                signal._dispatch(sender, payload, items, weak, policy)
            elif weak or policy != "raise":
                signal._deliver(sender, payload, items, weak, policy)
            else:
                for receiver in items:
                    receiver(sender, payload)

        receive.__qualname__ = f"BridgedSignal.receive[{self.name}]"
        return receive

    def _payload_from_raw(self, sender: object, kwargs: dict[str, Any]) -> M:
        if self._check_sender and not isinstance(sender, self.sender_type):
            error = self._sender_error(sender)
            _add_note(error, self._raw_note(kwargs))
            raise error
        if not kwargs and self._empty is not None:
            return self._empty
        try:
            return cast("M", self._validate(kwargs))
        except ValidationError as exc:
            return self._recover(kwargs, exc)
        except Exception as exc:
            failure = PayloadError(
                self.name, detail=f"a validator raised {type(exc).__name__}: {exc}"
            )
            _add_note(failure, self._raw_note(kwargs))
            raise failure from exc

    def _recover(self, kwargs: dict[str, Any], exc: ValidationError) -> M:
        """Drop unknown arguments with a warning; raise for anything else."""
        errors = exc.errors(include_url=False)
        unknown = sorted(
            {
                str(err["loc"][0])
                for err in errors
                if err["type"] == "extra_forbidden" and err["loc"]
            }
        )
        if unknown and len(unknown) == len(errors):
            warnings.warn(
                BridgeWarning(
                    f"signal {self.name!r}: the raw signal {self.raw_name!r} was sent with "
                    f"keyword argument(s) {', '.join(unknown)} that "
                    f"{self.payload_model.__qualname__} does not declare; typed receivers "
                    "get the payload without them (is the sending library newer than this "
                    "declaration?)"
                ),
                stacklevel=5,  # the code that sent the raw signal
            )
            known = {key: value for key, value in kwargs.items() if key not in unknown}
            try:
                return cast("M", self._validate(known))
            except ValidationError as second:
                exc = second
        error = PayloadError(self.name, exc)
        _add_note(error, self._raw_note(kwargs))
        raise error from exc

    def _raw_note(self, kwargs: dict[str, Any]) -> str:
        given = ", ".join(sorted(kwargs)) or "no keyword arguments"
        expected = ", ".join(self._field_names) or "none"
        return (
            f"raised by typedsignals for a send of the raw blinker signal {self.raw_name!r} "
            f"with {given}; the typed declaration {self.payload_model.__qualname__} expects "
            f"fields: {expected}. Flask or the extension that sends it may not be the "
            "version this declaration was written for."
        )

    # -- typed delivery -------------------------------------------------------------

    def _dispatch(
        self,
        sender: object,
        payload: object,
        items: tuple[Any, ...],
        weak: int,
        policy: ErrorPolicy,
    ) -> _Results:
        """Call the typed receivers, running coroutine receivers through ensure_sync."""
        if not self._has_async:
            if weak or policy != "raise":
                return self._deliver(sender, payload, items, weak, policy)
            return [(item, item(sender, payload)) for item in items]
        originals: dict[int, Callable[..., Any]] = {}
        ready: list[Callable[..., Any]] = []
        for item in items:
            receiver = self._resolve(item) if weak else item
            if receiver is None:
                continue
            if inspect.iscoroutinefunction(receiver):
                runner = _run_sync(sender, receiver, self.name)
                originals[id(runner)] = receiver
                receiver = runner
            ready.append(receiver)
        results = self._deliver(sender, payload, tuple(ready), False, policy)
        return [(originals.get(id(called)) or called, value) for called, value in results]

    def _typed(self, sender: object, payload: object, policy: ErrorPolicy) -> _Results:
        items, weak = self._dispatch_for(sender) if self._routed else self._any_dispatch
        if not items or self._mute_depth:
            return []
        return self._dispatch(sender, payload, items, weak, policy)

    # -- typed to raw ---------------------------------------------------------------

    def _raw_receivers(self, sender: object) -> tuple[Callable[..., Any], ...]:
        raw = self.raw
        if not raw.receivers or raw.is_muted:
            return ()
        return tuple(raw.receivers_for(sender))

    def _listening(self, sender: object, raw_receivers: tuple[Callable[..., Any], ...]) -> bool:
        if any(receiver is not self._raw_receiver for receiver in raw_receivers):
            return True
        return not self._mute_depth and self.has_receivers_for(cast(S, sender))

    def _policy_for(self, sender: object, override: ErrorPolicy | None = None) -> ErrorPolicy:
        if override is not None:
            return self._resolve_policy(override)
        return app_policy(sender) or self._policy

    def _emit(
        self,
        sender: object,
        payload: BaseModel,
        raw_receivers: tuple[Callable[..., Any], ...],
        policy: ErrorPolicy,
    ) -> _Results:
        """Call raw and typed receivers in blinker's order, as a raw send would."""
        results: _Results = []
        kwargs: dict[str, Any] | None = None
        typed_done = False
        for receiver in raw_receivers:
            if receiver is self._raw_receiver:
                results.extend(self._typed(sender, payload, policy))
                typed_done = True
                continue
            if kwargs is None:
                kwargs = self._kwargs_of(payload)
            if inspect.iscoroutinefunction(receiver):
                call = _run_sync(sender, receiver, self.name)
                results.append((receiver, call(sender, **kwargs)))
            else:
                results.append((receiver, receiver(sender, **kwargs)))
        if not typed_done:
            results.extend(self._typed(sender, payload, policy))
        return results

    def _kwargs_of(self, payload: BaseModel) -> dict[str, Any]:
        values = payload.__dict__
        return {name: values[name] for name in self._field_names}

    def send(
        self, sender: S, /, *args: P.args, **fields: P.kwargs
    ) -> list[tuple[Callable[[S, M], Any], Any]]:
        """Validate ``fields``, then call the raw blinker receivers and the typed ones.

        Raw receivers get ``(sender, **fields)`` with the validated values; typed
        receivers get ``(sender, payload)``. The results of both are returned, in call
        order. With nobody listening the fields are not validated unless strict mode is
        on.

        Raises:
            PayloadError: The fields do not make a valid payload; no receiver ran.
            SenderTypeError: ``sender`` is not an instance of the declared sender type.
        """
        if args:
            raise TypeError(
                f"signal {self.name!r}: send() takes the sender as its only positional "
                f"argument; pass payload fields by keyword ({len(args)} extra given)"
            )
        raw_receivers = self._raw_receivers(sender)
        if not self._listening(sender, raw_receivers):
            if self._validate_always:  # strict mode: validate even unheard sends
                self._payload_from(sender, fields)
            return []
        payload = self._payload_from(sender, fields)
        return self._emit(sender, payload, raw_receivers, self._policy_for(sender))

    def send_payload(
        self, sender: S, payload: M, /, *, error_policy: ErrorPolicy | None = None
    ) -> list[tuple[Callable[[S, M], Any], Any]]:
        """Send a prebuilt payload to the raw and the typed receivers, without revalidating.

        Args:
            sender: The sender.
            payload: An instance of the signal's payload model.
            error_policy: The policy for the typed receivers of this send, instead of
                the app's or the signal's.
        """
        self._check_payload(payload)
        if self._check_sender and not isinstance(sender, self.sender_type):
            raise self._sender_error(sender)
        policy = self._policy_for(sender, error_policy)
        return self._emit(sender, payload, self._raw_receivers(sender), policy)

    async def send_async(
        self, sender: S, /, *args: P.args, **fields: P.kwargs
    ) -> list[tuple[Callable[[S, M], Any], Any]]:
        """Like :meth:`send`, awaiting coroutine receivers (raw and typed)."""
        if args:
            raise TypeError(
                f"signal {self.name!r}: send_async() takes the sender as its only positional "
                "argument; pass payload fields by keyword"
            )
        raw_receivers = self._raw_receivers(sender)
        if not self._listening(sender, raw_receivers):
            if self._validate_always:  # strict mode: validate even unheard sends
                self._payload_from(sender, fields)
            return []
        payload = self._payload_from(sender, fields)
        policy = self._policy_for(sender)
        return await self._emit_async(sender, payload, raw_receivers, self.concurrent, policy)

    async def send_async_payload(
        self,
        sender: S,
        payload: M,
        /,
        *,
        concurrent: bool | None = None,
        error_policy: ErrorPolicy | None = None,
    ) -> list[tuple[Callable[[S, M], Any], Any]]:
        """Send a prebuilt payload asynchronously to the raw and the typed receivers."""
        self._check_payload(payload)
        if self._check_sender and not isinstance(sender, self.sender_type):
            raise self._sender_error(sender)
        run_concurrently = self.concurrent if concurrent is None else concurrent
        policy = self._policy_for(sender, error_policy)
        raw_receivers = self._raw_receivers(sender)
        return await self._emit_async(sender, payload, raw_receivers, run_concurrently, policy)

    async def _emit_async(
        self,
        sender: object,
        payload: BaseModel,
        raw_receivers: tuple[Callable[..., Any], ...],
        concurrent: bool,
        policy: ErrorPolicy,
    ) -> _Results:
        results: _Results = []
        kwargs: dict[str, Any] | None = None
        typed_done = False
        for receiver in raw_receivers:
            if receiver is self._raw_receiver:
                results.extend(await self._typed_async(sender, payload, concurrent, policy))
                typed_done = True
                continue
            if kwargs is None:
                kwargs = self._kwargs_of(payload)
            result = receiver(sender, **kwargs)
            if inspect.isawaitable(result):
                result = await result
            results.append((receiver, result))
        if not typed_done:
            results.extend(await self._typed_async(sender, payload, concurrent, policy))
        return results

    async def _typed_async(
        self, sender: object, payload: object, concurrent: bool, policy: ErrorPolicy
    ) -> _Results:
        items, weak = self._dispatch_for(sender) if self._routed else self._any_dispatch
        if not items or self._mute_depth:
            return []
        return await self._deliver_async(sender, payload, items, weak, concurrent, policy)

    # -- lazy subscription ----------------------------------------------------------

    def _announce_connected(self, receiver: Callable[..., Any], sender: object, weak: bool) -> None:
        if inspect.iscoroutinefunction(receiver):
            self._has_async = True
        # Installed after the connection is published, so a concurrent disconnect of
        # the last other receiver (which uninstalls under the same lock) cannot leave
        # this receiver connected to a signal nobody forwards to.
        if not self._installed:
            with self._lock:
                if not self._installed:
                    self.raw.connect(self._raw_receiver, weak=False)
                    self._installed = True
        super()._announce_connected(receiver, sender, weak)

    def _announce_disconnected(self, receiver: Callable[..., Any], sender: object) -> None:
        with self._lock:
            self._has_async = any(
                inspect.iscoroutinefunction(conn.target()) for _, conn in self._connections()
            )
            if self._installed and not self.connection_count():
                self.raw.disconnect(self._raw_receiver)
                self._installed = False
        super()._announce_disconnected(receiver, sender)


def _run_sync(sender: object, receiver: Callable[..., Any], signal_name: str) -> Callable[..., Any]:
    """``receiver`` made callable from sync code the way the sending app runs coroutines."""
    ensure_sync: Callable[[Callable[..., Any]], Callable[..., Any]] | None = getattr(
        sender, "ensure_sync", None
    )
    if ensure_sync is None:
        raise RuntimeError(
            f"signal {signal_name!r}: cannot call the coroutine receiver "
            f"{getattr(receiver, '__qualname__', receiver)!r} from a synchronous send: the "
            f"sender {sender!r:.60} has no ensure_sync(); use send_async()"
        )
    call = ensure_sync(receiver)

    @functools.wraps(receiver)
    def run(*args: Any, **kwargs: Any) -> Any:
        return call(*args, **kwargs)

    return run


def _add_note(exc: BaseException, note: str) -> None:
    if sys.version_info >= (3, 11):
        exc.add_note(note)
    else:  # pragma: no cover - Python 3.10: the exceptiongroup backport prints __notes__
        setattr(exc, "__notes__", [*getattr(exc, "__notes__", ()), note])  # noqa: B010


BridgedSignal.__module__ = BridgeWarning.__module__ = "typedsignals.flask"
