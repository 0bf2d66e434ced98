"""Typed signals bridged to the blinker signals that Flask and its extensions send.

A :class:`BridgedSignal` is a typed :class:`~typedsignals.Signal` tied to one raw
blinker signal (``flask.signals.request_finished``, ``flask_login.user_logged_in``...):

* **raw to typed.** The first typed receiver to connect installs one plain receiver on
  the raw signal (and the last one to go, disconnected or garbage collected, removes
  it, so nothing is installed on Flask's signals while nobody listens). When Flask
  sends, that raw receiver validates Flask's keyword arguments into the payload model
  once and calls the typed receivers from the signal's dispatch tuple: no per-receiver
  adapter, no copy of the payload objects (fields such as the template context are
  checked with ``isinstance`` and passed as the very object Flask holds).
* **typed to raw.** ``send`` / ``send_payload`` on the typed declaration validate, then
  call every raw blinker receiver with the payload's fields as keyword arguments and
  the typed receivers once, at the raw receiver's place in blinker's order, exactly
  what a send by Flask itself would do.

Coroutine receivers (coroutine functions, partials of them, objects with an ``async def
__call__``: whatever the core's connect-time verdict marks ``ASYNC``) run through the
sending app's ``ensure_sync``, as Flask runs its own.

The extension catalogs declare their signals with :func:`bridge` and build their
payload models on :class:`CatalogPayload`.
"""

from __future__ import annotations

import inspect
import logging
import sys
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Final, cast

from blinker import Signal as RawSignal
from flask import Flask
from pydantic import (
    BaseModel,
    ConfigDict,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    ValidationError,
    WithJsonSchema,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema
from typing_extensions import ParamSpec, TypeVar

from .._payload import Payload
from .._receivers import ASYNC, describe, receiver_verdict
from .._signal import ErrorPolicy, Signal
from ..exceptions import (
    ReceiverErrors,
    SenderTypeError,
    SignalDefinitionError,
    TypedSignalsError,
    add_note,
    extra_positional,
    payload_error,
)
from ._ext import app_policy

__all__ = ["BridgeWarning", "BridgedSignal", "CatalogPayload", "bridge", "opaque", "unchecked"]

S = TypeVar("S", default=object)
P = ParamSpec("P", default=[])
M = TypeVar("M", bound=BaseModel, default=Any)

_Results = list[tuple[Callable[..., Any], Any]]
_logger: Final = logging.getLogger("typedsignals")


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


@dataclass(frozen=True)
class _Unchecked:
    """Pydantic annotation: take any value as it is, and describe it like :func:`opaque`."""

    json_schema: dict[str, Any]

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.any_schema()  # not handler(source): no check of the declared type

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return dict(self.json_schema)


def unchecked(python_type: str, description: str) -> Any:
    """Annotation for a field the sending library fills with an object it never checks.

    Flask-Login passes on whatever the app's user loader returns; a declaration must
    not refuse what the library accepts, or the app's request fails. The field's type
    stays what the library documents (for type checkers and readers), the value is taken
    as it is at run time, and its JSON Schema is the one :func:`opaque` gives.

    Example:
        >>> from typing import Annotated
        >>> from typedsignals import Payload
        >>> class Seen(Payload):
        ...     user: Annotated[str, unchecked("User", "Whatever the loader returned.")]
        >>> Seen(user=42).user
        42
    """
    return _Unchecked({"type": "object", "description": description, "x-python-type": python_type})


class CatalogPayload(Payload):
    """Base of the payload models of the Flask catalogs: field docstrings become the
    field descriptions of the JSON Schema and the generated docs."""

    model_config = ConfigDict(use_attribute_docstrings=True)


class BridgedSignal(Signal[S, P, M]):
    """A typed signal that mirrors a raw blinker signal, in both directions.

    Receivers connected here are called as ``receiver(sender, payload)`` whenever the
    raw signal is sent (by Flask, an extension, or any code) and whenever this typed
    declaration is sent. Sends through this declaration also reach the raw signal's
    blinker receivers, called as ``receiver(sender, **fields)``. A sender given as a
    proxy (Flask's ``current_app``) is replaced by the app it stands for.

    When the sender is a Flask app initialised with :class:`TypedSignals`, the app's
    error policy applies to the typed receivers (raw receivers always propagate their
    exceptions, as blinker does).

    A raw send whose keyword arguments do not fit the payload model (or whose sender is
    not of the declared type) cannot reach the typed receivers. Under the sender's error
    policy ``"log"`` that is logged on the ``typedsignals`` logger, with the signal's
    name and the fields, and the send goes on without the typed receivers; under
    ``"raise"`` and ``"collect"`` the raw send raises one
    :class:`~typedsignals.exceptions.PayloadError` (or
    :class:`~typedsignals.exceptions.SenderTypeError`) naming them. Unknown extra
    arguments only cause a :class:`BridgeWarning`. The model's validators run once for
    the arguments as sent (and once more for the known ones, when unknown ones are left
    out).

    Args:
        raw: The blinker signal to mirror.
        payload: The payload model; its fields are the raw signal's keyword arguments.
        sender: The sender type (``flask.Flask`` for Flask and its extensions).
        name: The typed signal's name; defaults to the raw signal's name.
        doc: What the signal announces and when.
        error_policy: The policy used when the sender has no per-app policy.
        module: The module the declaration is documented under; by default the
            module that creates the signal.
        slow_receiver_ms: The slow-receiver budget of the typed receivers (see
            :class:`~typedsignals.Signal`).

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
        slow_receiver_ms: float | None = None,
    ) -> None:
        raw_name = _name_of(raw)
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
            slow_receiver_ms=slow_receiver_ms,
        )
        # Signal.__init__ skips only the core's own frames: from here it would record
        # this module, so look for the declaring module ourselves.
        self.module = _declaring_module() if module is None else module
        self.raw = raw
        self.raw_name: str = raw_name or self.name
        self._installed = False
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
        """Whether the raw receiver is installed (some typed receiver is connected).

        Never stale: receivers that died are cleaned up first, so once the last weakly
        held receiver is garbage collected this is False.
        """
        self._purge_soon()  # removing the dead calls _connections_dropped
        return self._installed

    # -- raw to typed ---------------------------------------------------------------

    def _make_raw_receiver(self) -> Callable[..., None]:
        """Build the one receiver installed on the raw signal: the hot path of every send.

        A closure rather than a bound method: blinker calls it directly (no method
        unwrapping when it checks for coroutines) and the names it needs on every send
        are locals. It must stay lean: a Flask request pays for it on each signal.
        Everything that can fail goes to :meth:`_raw_payload`, the slow path.
        """
        signal = self
        dispatch_for = self._dispatch_for
        vet_sender = self._vet_sender
        validate = self._validate
        raw_payload = self._raw_payload
        check_sender = self._check_sender
        sender_type = self.sender_type
        empty = self._empty

        def receive(sender: Any, /, **kwargs: Any) -> None:
            # Signal.send's sender check: exact type first, the full rule (subclasses,
            # proxies) only for other senders.
            if check_sender and type(sender) is not sender_type:
                try:
                    sender = vet_sender(sender)
                except SenderTypeError as error:
                    signal._refuse_raw(sender, kwargs, error, None)
                    return
            items, flags = dispatch_for(sender)
            if not items or signal._mute_depth:
                if signal._validate_always:  # strict mode: validate even unheard sends
                    raw_payload(sender, kwargs, None)
                return
            payload: Any = empty
            if kwargs or empty is None:
                try:
                    payload = validate(kwargs)
                except Exception as exc:
                    payload = raw_payload(sender, kwargs, exc)
                    if payload is None:  # reported under the "log" policy
                        return
            # The rule itself, called rather than inlined: an inlined copy saved about
            # 50 ns per send (timeit on the maintainer's machine), under 0.1% of the
            # ~95 us test-client request of benchmarks/flask_request.py, which keeps
            # typed receivers within 1.05x of raw ones either way. A copy had drifted.
            policy = app_policy(sender) or signal._policy
            if flags & ASYNC:
                signal._dispatch(sender, payload, items, flags, policy)
            elif flags or policy != "raise" or signal._observed:
                signal._deliver(sender, payload, items, flags, policy)
            else:
                for receiver in items:
                    receiver(sender, payload)

        receive.__qualname__ = f"BridgedSignal.receive[{self.name}]"
        return receive

    def _raw_payload(
        self, sender: object, kwargs: dict[str, Any], failure: Exception | None
    ) -> M | None:
        """The payload of a raw send from a vetted sender, or None once a failure is logged.

        ``failure`` is what validating ``kwargs`` raised when the caller already tried:
        the model's validators then do not run again for the same arguments. Unknown
        extra arguments are left out with a :class:`BridgeWarning` (one more validation,
        of the known ones).
        """
        if failure is None:
            if not kwargs and self._empty is not None:
                return self._empty
            try:
                return cast("M", self._validate(kwargs))
            except Exception as exc:
                failure = exc
        if isinstance(failure, ValidationError):
            known = self._known_part(kwargs, failure)
            if known is not None:
                try:
                    return cast("M", self._validate(known))
                except Exception as second:
                    failure = second
        self._refuse_raw(sender, kwargs, payload_error(self.name, failure), failure)
        return None

    def _known_part(self, kwargs: dict[str, Any], exc: ValidationError) -> dict[str, Any] | None:
        """``kwargs`` without unknown arguments, with a warning, if only those failed."""
        errors = exc.errors(include_url=False)
        unknown = sorted(
            {
                str(err["loc"][0])
                for err in errors
                if err["type"] == "extra_forbidden" and err["loc"]
            }
        )
        if not unknown or len(unknown) != len(errors):
            return None
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
        return {key: value for key, value in kwargs.items() if key not in unknown}

    def _refuse_raw(
        self,
        sender: object,
        kwargs: dict[str, Any],
        error: TypedSignalsError,
        cause: Exception | None,
    ) -> None:
        """Report a raw send the typed receivers cannot get, under the sender's policy.

        A send by Flask or an extension must not break the app's request when the app
        asked for ``"log"``: then the failure is logged and the typed receivers are
        skipped. Otherwise it is raised, as a receiver's failure would be.
        """
        add_note(error, self._raw_note(kwargs))
        if self._policy_for(sender) != "log":
            raise error from cause
        _logger.error(
            "signal %r: a send of the raw signal %r with %s was not delivered to the typed "
            "receivers: %s",
            self.name,
            self.raw_name,
            ", ".join(sorted(kwargs)) or "no keyword arguments",
            error,
            exc_info=error,
        )

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
        flags: int,
        policy: ErrorPolicy,
    ) -> _Results:
        """Call the typed receivers, running coroutine receivers through ensure_sync."""
        if not flags & ASYNC:
            if flags or policy != "raise" or self._observed:
                return self._deliver(sender, payload, items, flags, policy)
            return [(item, item(sender, payload)) for item in items]
        ready: list[Callable[..., Any]] = []
        for item in items:
            receiver = self._resolve(item)
            if receiver is None:
                continue
            ready.append(_synced(sender, receiver, self.name))
        try:
            results = self._deliver(sender, payload, tuple(ready), 0, policy)
        except ReceiverErrors as errors:  # "collect": name the receivers, not the wrappers
            errors.receivers = tuple(map(_original, errors.receivers))
            raise
        return [(_original(called), value) for called, value in results]

    def _typed(self, sender: object, payload: object, policy: ErrorPolicy) -> _Results:
        items, flags = self._dispatch_for(sender)
        if not items or self._mute_depth:
            return []
        return self._dispatch(sender, payload, items, flags, policy)

    # -- typed to raw ---------------------------------------------------------------

    def _raw_receivers(self, sender: object) -> tuple[Callable[..., Any], ...]:
        raw = self.raw
        if not raw.receivers or raw.is_muted:
            return ()
        return tuple(raw.receivers_for(sender))

    def _listening(self, sender: object, raw_receivers: tuple[Callable[..., Any], ...]) -> bool:
        if any(receiver is not self._raw_receiver for receiver in raw_receivers):
            return True
        return not self._mute_depth and self._has_live(sender)

    def _prepared(
        self, method: str, sender: object, args: tuple[Any, ...], fields: dict[str, Any]
    ) -> tuple[object, M, tuple[Callable[..., Any], ...]] | None:
        """What a send of ``fields`` needs: the vetted sender, the payload and the raw
        receivers; None when nobody listens (after validating anyway in strict mode)."""
        if args:
            raise extra_positional(self.name, method, len(args))
        sender = self._vet_sender(sender)
        raw_receivers = self._raw_receivers(sender)
        if not self._listening(sender, raw_receivers):
            if self._validate_always:  # strict mode: validate even unheard sends
                self._payload_from(fields)
            return None
        return sender, self._payload_from(fields), raw_receivers

    def _prepared_payload(
        self, sender: object, payload: object, override: ErrorPolicy | None
    ) -> tuple[object, M, ErrorPolicy, tuple[Callable[..., Any], ...]]:
        """What a send of a prebuilt payload needs: the vetted sender, the payload to
        deliver (checked by the signal's one rule for prebuilt payloads), the policy and
        the raw receivers."""
        checked = self._prebuilt(payload)
        sender = self._vet_sender(sender)
        return sender, checked, self._policy_for(sender, override), self._raw_receivers(sender)

    def _policy_for(self, sender: object, override: ErrorPolicy | None = None) -> ErrorPolicy:
        """The policy for the typed receivers: the override, the app's, or the signal's."""
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
        for receiver, kwargs in self._in_turn(payload, raw_receivers):
            if receiver is None:
                results.extend(self._typed(sender, payload, policy))
            else:
                call = _synced(sender, receiver, self.name)
                results.append((receiver, call(sender, **kwargs)))
        return results

    def _in_turn(
        self, payload: BaseModel, raw_receivers: tuple[Callable[..., Any], ...]
    ) -> Iterator[tuple[Callable[..., Any] | None, dict[str, Any]]]:
        """``(raw receiver, its keyword arguments)`` in blinker's order, and ``(None, {})``
        once, where the typed receivers' turn is: at the bridge's place, else last."""
        kwargs: dict[str, Any] | None = None
        typed_done = False
        for receiver in raw_receivers:
            if receiver is self._raw_receiver:
                typed_done = True
                yield None, {}
                continue
            if kwargs is None:
                kwargs = self._kwargs_of(payload)
            yield receiver, kwargs
        if not typed_done:
            yield None, {}

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
        prepared = self._prepared("send", sender, args, fields)
        if prepared is None:
            return []
        vetted, payload, raw_receivers = prepared
        return self._emit(vetted, payload, raw_receivers, self._policy_for(vetted))

    def send_payload(
        self, sender: S, payload: M, /, *, error_policy: ErrorPolicy | None = None
    ) -> list[tuple[Callable[[S, M], Any], Any]]:
        """Send a prebuilt payload to the raw and the typed receivers.

        Args:
            sender: The sender.
            payload: An instance of the signal's payload model.
            error_policy: The policy for the typed receivers of this send, instead of
                the app's or the signal's.
        """
        vetted, checked, policy, raw = self._prepared_payload(sender, payload, error_policy)
        return self._emit(vetted, checked, raw, policy)

    async def send_async(
        self, sender: S, /, *args: P.args, **fields: P.kwargs
    ) -> list[tuple[Callable[[S, M], Any], Any]]:
        """Like :meth:`send`, awaiting coroutine receivers (raw and typed)."""
        prepared = self._prepared("send_async", sender, args, fields)
        if prepared is None:
            return []
        vetted, payload, raw_receivers = prepared
        policy = self._policy_for(vetted)
        return await self._emit_async(vetted, payload, raw_receivers, self.concurrent, policy)

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
        vetted, checked, policy, raw = self._prepared_payload(sender, payload, error_policy)
        run_concurrently = self.concurrent if concurrent is None else concurrent
        return await self._emit_async(vetted, checked, raw, run_concurrently, policy)

    async def _emit_async(
        self,
        sender: object,
        payload: BaseModel,
        raw_receivers: tuple[Callable[..., Any], ...],
        concurrent: bool,
        policy: ErrorPolicy,
    ) -> _Results:
        results: _Results = []
        for receiver, kwargs in self._in_turn(payload, raw_receivers):
            if receiver is None:
                results.extend(await self._typed_async(sender, payload, concurrent, policy))
                continue
            result = receiver(sender, **kwargs)
            if inspect.isawaitable(result):  # by what it returned: any coroutine callable
                result = await result
            results.append((receiver, result))
        return results

    async def _typed_async(
        self, sender: object, payload: object, concurrent: bool, policy: ErrorPolicy
    ) -> _Results:
        items, flags = self._dispatch_for(sender)
        if not items or self._mute_depth:
            return []
        return await self._deliver_async(sender, payload, items, flags, concurrent, policy)

    # -- lazy subscription ----------------------------------------------------------

    def _announce_connected(self, receiver: Callable[..., Any], sender: object, weak: bool) -> None:
        # Installed after the connection is filed, so a concurrent disconnect of the
        # last other receiver (which uninstalls under the same lock) cannot leave this
        # receiver connected to a signal nobody forwards to.
        if not self._installed:
            with self._lock:
                if not self._installed:
                    self.raw.connect(self._raw_receiver, weak=False)
                    self._installed = True
        super()._announce_connected(receiver, sender, weak)

    def _announce_disconnected(self, receiver: Callable[..., Any], sender: object) -> None:
        with self._lock:
            self._uninstall_if_unused()
        super()._announce_disconnected(receiver, sender)

    def _connections_dropped(self) -> None:
        # Dead receivers or senders were removed (the lock is held): the last one may
        # have gone without any disconnect.
        self._uninstall_if_unused()

    def _uninstall_if_unused(self) -> None:
        """Remove the raw receiver once no typed receiver is left; call with the lock held."""
        if self._installed and not self._has_connections():
            self.raw.disconnect(self._raw_receiver)
            self._installed = False


def bridge(
    raw: RawSignal, payload: Callable[P, M], doc: str, *, module: str, prefix: str = ""
) -> BridgedSignal[Flask, P, M]:
    """Declare the typed mirror of a signal that Flask or an extension sends.

    The one declaration form of the catalogs: the sender is the Flask app, the typed
    name is ``prefix`` followed by the raw signal's name, and both the signal and its
    payload model are documented under ``module`` (their public module).

    Args:
        raw: The extension's blinker signal.
        payload: The payload model, whose fields are the signal's keyword arguments.
        doc: What the signal announces and when.
        module: The public module of the declaration, e.g. ``"typedsignals.flask.login"``.
        prefix: Put before the raw name, e.g. ``"flask-login."``; empty for Flask's own.
    """
    raw_name = _name_of(raw)
    name = prefix + raw_name if prefix and raw_name else None
    signal = BridgedSignal(raw, payload, sender=Flask, name=name, doc=doc, module=module)
    signal.payload_model.__module__ = module  # reprs and docs show the public path
    return signal


class _Synced:
    """A coroutine receiver made callable from a synchronous send.

    It runs through the sender's ``ensure_sync``, as Flask runs its own coroutine
    receivers. Flask's ``ensure_sync`` recognises only coroutine *functions*, so the
    receiver (maybe an object with an ``async def __call__``, or a partial) is handed to
    it inside one. Its repr names the receiver, for failure logs.
    """

    __slots__ = ("call", "receiver")

    def __init__(self, call: Callable[..., Any], receiver: Callable[..., Any]) -> None:
        self.call = call
        self.receiver = receiver

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.call(*args, **kwargs)

    def __repr__(self) -> str:
        return describe(self.receiver)


def _synced(sender: object, receiver: Callable[..., Any], signal_name: str) -> Callable[..., Any]:
    """``receiver`` itself, or, if the core's verdict marks it ``ASYNC``, a :class:`_Synced`.

    Raises:
        RuntimeError: ``receiver`` is a coroutine callable and the sender has no
            ``ensure_sync`` (it is not a Flask app): only send_async can await it.
    """
    if not receiver_verdict(signal_name, receiver) & ASYNC:
        return receiver
    ensure_sync: Callable[[Callable[..., Any]], Callable[..., Any]] | None = getattr(
        sender, "ensure_sync", None
    )
    if ensure_sync is None:
        raise RuntimeError(
            f"signal {signal_name!r}: cannot call the coroutine receiver "
            f"{describe(receiver)} from a synchronous send: the sender {sender!r:.60} has "
            "no ensure_sync(); use send_async()"
        )

    async def run(*args: Any, **kwargs: Any) -> Any:
        return await receiver(*args, **kwargs)

    return _Synced(ensure_sync(run), receiver)


def _original(called: Callable[..., Any]) -> Callable[..., Any]:
    """The receiver a result belongs to: the coroutine receiver behind a :class:`_Synced`."""
    return called.receiver if isinstance(called, _Synced) else called


def _name_of(raw: RawSignal) -> str | None:
    """The name of a raw signal (a blinker ``NamedSignal``), or None."""
    name: object = getattr(raw, "name", None)
    return name if isinstance(name, str) else None


def _declaring_module() -> str | None:
    """The module of the nearest caller outside this module (the declaring module)."""
    frame = sys._getframe(1)
    while frame.f_back is not None and frame.f_globals.get("__name__") == __name__:
        frame = frame.f_back
    name: str | None = frame.f_globals.get("__name__")
    return name


BridgedSignal.__module__ = BridgeWarning.__module__ = "typedsignals.flask"
