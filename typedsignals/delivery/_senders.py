"""A sender's serialisable form, for deliveries that leave the process.

A deferred call that travels (to a Celery worker) carries its sender in a JSON form and
the worker turns it back into an object. The forms:

* ``None``, ``str``, ``int``, ``float`` and ``bool`` senders are themselves;
* a Flask app is ``{"flask": app.import_name}``, restored to the app with that import
  name that the worker process knows (see :func:`restore_sender`);
* an instance of a type given to :func:`register_sender` is ``{key: reduce(sender)}``.

Anything else cannot travel: a connection whose sender cannot be reduced is refused when
it is made, not on the worker (:func:`check_sender`).
"""

from __future__ import annotations

import importlib
import json
import sys
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from .._receivers import ANY
from ..exceptions import SenderTypeError
from ._protocol import DeliveryError

if TYPE_CHECKING:
    from .._signal import Signal

__all__ = [
    "FLASK_KEY",
    "check_sender",
    "reduce_sender",
    "register_flask_app",
    "register_sender",
    "restore_sender",
]

FLASK_KEY: Final = "flask"
"""The key of a Flask app's form: ``{"flask": app.import_name}``."""

_PLAIN: Final = (type(None), str, int, float, bool)
_FLASK_CLASS: Final = ("flask.app", "Flask")
"""Where Flask's app class lives; matched by name so that this module never imports Flask."""


@dataclass(frozen=True, slots=True)
class _Rule:
    kind: type[Any]
    key: str
    reduce: Callable[[Any], Any]
    restore: Callable[[Any], Any]


_lock = threading.Lock()
_rules: dict[type[Any], _Rule] = {}
_by_key: dict[str, _Rule] = {}
_apps: dict[str, weakref.ref[Any]] = {}
"""Flask apps this process knows, by import name: the last one registered wins."""


def register_sender(
    kind: type[Any],
    reduce: Callable[[Any], Any],
    restore: Callable[[Any], Any],
    *,
    key: str | None = None,
) -> None:
    """Let instances of ``kind`` (and of its subclasses) travel as senders.

    Args:
        kind: The sender class.
        reduce: Turns a sender into a JSON value (``json.dumps`` must accept it).
        restore: Turns that value back into the sender, on the worker.
        key: The name of the form on the wire, ``{key: reduce(sender)}``; by default
            ``"module:qualname"`` of ``kind``. Sender and worker must agree on it.

    Example:
        >>> from typedsignals.delivery import reduce_sender, register_sender, restore_sender
        >>> class Shop:
        ...     def __init__(self, code: str) -> None:
        ...         self.code = code
        >>> register_sender(Shop, lambda shop: shop.code, Shop, key="example-shop")
        >>> reduce_sender(Shop("eu"))
        {'example-shop': 'eu'}
        >>> restore_sender({"example-shop": "eu"}).code
        'eu'
    """
    if not isinstance(kind, type):
        raise TypeError(f"register_sender() needs a class, not {kind!r}")
    name = key if key is not None else f"{kind.__module__}:{kind.__qualname__}"
    if name == FLASK_KEY:
        raise ValueError(f"the sender key {FLASK_KEY!r} is reserved for Flask apps")
    rule = _Rule(kind, name, reduce, restore)
    with _lock:
        previous = _by_key.get(name)
        if previous is not None and previous.kind is not kind:
            raise ValueError(
                f"the sender key {name!r} is already used for {previous.kind.__qualname__}"
            )
        _rules[kind] = rule
        _by_key[name] = rule


def register_flask_app(app: Any) -> None:
    """Make ``app`` the one :func:`restore_sender` returns for its import name.

    Deliveries call it for every app they reduce and every app a deferred receiver is
    connected for, so a worker that builds its apps (``create_app()``) and connects its
    receivers knows them. The last app registered for an import name wins.
    """
    with _lock:
        _apps[app.import_name] = weakref.ref(app)


def _is_flask_app(kind: type[Any]) -> bool:
    return any((base.__module__, base.__qualname__) == _FLASK_CLASS for base in kind.__mro__)


def _rule_for(kind: type[Any]) -> _Rule | None:
    for base in kind.__mro__:
        rule = _rules.get(base)
        if rule is not None:
            return rule
    return None


def _where(signal: Signal[Any, ..., Any] | None) -> str:
    return f"signal {signal.name!r}: " if signal is not None else ""


def reduce_sender(sender: object, signal: Signal[Any, ..., Any] | None = None) -> Any:
    """The serialisable form of ``sender`` (see the module).

    Raises:
        SenderTypeError: ``sender`` has no serialisable form; the message names the
            signal (when given) and says how to give it one.
    """
    kind = type(sender)
    if kind in _PLAIN:
        return sender
    if _is_flask_app(kind):
        register_flask_app(sender)
        return {FLASK_KEY: sender.import_name}  # type: ignore[attr-defined]  # a Flask app
    rule = _rule_for(kind)
    if rule is None:
        if isinstance(sender, _PLAIN):  # a subclass of str or int: send the plain value
            return next(plain(sender) for plain in _PLAIN[1:] if isinstance(sender, plain))
        raise SenderTypeError(
            f"{_where(signal)}a {kind.__qualname__} sender cannot leave the process: it "
            f"has no serialisable form (None, str, int, float, bool, a Flask app, or a "
            f"type given to typedsignals.delivery.register_sender)"
        )
    form = rule.reduce(sender)
    try:
        json.dumps(form)
    except (TypeError, ValueError) as exc:
        raise SenderTypeError(
            f"{_where(signal)}the form of a {kind.__qualname__} sender is not JSON: {exc}"
        ) from None
    return {rule.key: form}


def restore_sender(form: Any, signal_name: str | None = None) -> Any:
    """The sender a serialisable form stands for, in this process.

    A Flask app's form is restored to the app registered under its import name
    (:func:`register_flask_app`), else to a Flask app held by a global of the module of
    that name (``app = Flask(__name__)``).

    Raises:
        DeliveryError: The form is unknown here, or no such Flask app is known.
    """
    where = f"signal {signal_name!r}: " if signal_name is not None else ""
    if isinstance(form, _PLAIN):
        return form
    if not (isinstance(form, dict) and len(form) == 1):
        raise DeliveryError(f"{where}{form!r:.80} is not a sender form")
    ((key, value),) = form.items()
    if key == FLASK_KEY and isinstance(value, str):
        return _flask_app(value, where)
    rule = _by_key.get(key)
    if rule is None:
        raise DeliveryError(
            f"{where}the sender form {key!r} is unknown in this process: call "
            f"register_sender() for it where the worker starts"
        )
    return rule.restore(value)


def _flask_app(import_name: str, where: str) -> Any:
    ref = _apps.get(import_name)
    app = ref() if ref is not None else None
    if app is not None:
        return app
    module = sys.modules.get(import_name)
    if module is None:
        try:
            module = importlib.import_module(import_name)
        except ImportError:
            module = None
    found = [
        value
        for value in vars(module).values()
        if _is_flask_app(type(value)) and value.import_name == import_name
    ] if module is not None else []  # fmt: skip
    if len(found) == 1:
        register_flask_app(found[0])
        return found[0]
    raise DeliveryError(
        f"{where}no Flask app with import name {import_name!r} is known to this worker: "
        f"build it before the worker starts (create_app()), or hold it in a global of "
        f"the module {import_name!r}"
    )


def check_sender(signal: Signal[Any, ..., Any], receiver_name: str, sender: object) -> None:
    """Refuse, at connect time, a connection whose senders could not travel.

    A connection for one sender checks that sender. A connection for ``ANY`` checks the
    signal's declared sender type. A signal that declares none (``object``) can be sent
    by anything: its sender is then checked on each send, in the sender's thread, before
    anything is queued (:func:`reduce_sender`), so a worker never gets one it cannot use.

    Raises:
        SenderTypeError: The sender, or the declared sender type, has no serialisable
            form; the message names the signal and the receiver.
    """
    if sender is not ANY:
        try:
            reduce_sender(sender, signal)
        except SenderTypeError as exc:
            raise SenderTypeError(f"{exc} (connecting {receiver_name})") from None
        return
    kind = signal.sender_type
    if kind is object or issubclass(kind, _PLAIN) or _is_flask_app(kind):
        return
    if _rule_for(kind) is None:
        raise SenderTypeError(
            f"signal {signal.name!r}: cannot defer {receiver_name} out of the process: its "
            f"sender type {kind.__qualname__} has no serialisable form; register one with "
            f"typedsignals.delivery.register_sender({kind.__qualname__}, reduce, restore)"
        )
