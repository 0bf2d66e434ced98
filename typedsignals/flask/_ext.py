"""The Flask extension object: per-app settings under ``app.extensions["typedsignals"]``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, cast, get_args

from flask import Flask, current_app
from pydantic import BaseModel
from typing_extensions import ParamSpec, TypeVar

from .._signal import ErrorPolicy, Signal
from ..exceptions import SignalDefinitionError

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["CONFIG_ERROR_POLICY", "EXTENSION_KEY", "AppSettings", "TypedSignals", "send"]

P = ParamSpec("P")
M = TypeVar("M", bound=BaseModel)

EXTENSION_KEY: Final = "typedsignals"
"""The key of this extension's :class:`AppSettings` in ``app.extensions``."""

CONFIG_ERROR_POLICY: Final = "TYPEDSIGNALS_ERROR_POLICY"
"""The ``app.config`` key :meth:`TypedSignals.init_app` reads the error policy from
when none is passed explicitly."""

_POLICIES: Final[tuple[str, ...]] = get_args(ErrorPolicy)


def _checked_policy(policy: object) -> ErrorPolicy | None:
    if policy is not None and policy not in _POLICIES:
        raise SignalDefinitionError(
            f"typedsignals.flask: error_policy must be one of {_POLICIES} or None, not {policy!r}"
        )
    return cast("ErrorPolicy | None", policy)


@dataclass
class AppSettings:
    """What :class:`TypedSignals` stores for one app in ``app.extensions["typedsignals"]``.

    Attributes:
        error_policy: The receiver error policy for sends whose sender is this app:
            bridged Flask signals (whether Flask or your code sends them) and custom
            signals sent with :func:`send`. ``None`` keeps each signal's own policy.
    """

    error_policy: ErrorPolicy | None = None

    def __post_init__(self) -> None:
        _checked_policy(self.error_policy)


class TypedSignals:
    """Flask extension holding per-app settings for typed signals.

    Use it like any Flask extension, directly or with an app factory::

        signals = TypedSignals(app, error_policy="log")
        # or
        signals = TypedSignals(error_policy="log")
        def create_app() -> Flask:
            app = Flask(__name__)
            signals.init_app(app)
            return app

    With ``error_policy="log"`` a receiver that raises is logged (on the
    ``typedsignals`` logger, with the signal's name and the traceback) and the request
    goes on, instead of turning into a 500.

    Args:
        app: The app to initialise now; omit it to call :meth:`init_app` later.
        error_policy: Default policy for every app this object initialises
            (``"raise"``, ``"collect"``, ``"log"``, or ``None`` for each signal's own).

    Example:
        >>> from flask import Flask
        >>> from typedsignals.flask import TypedSignals, settings_for
        >>> app = Flask("demo")
        >>> _ = TypedSignals(app, error_policy="log")
        >>> settings_for(app)
        AppSettings(error_policy='log')
    """

    def __init__(
        self, app: Flask | None = None, *, error_policy: ErrorPolicy | None = None
    ) -> None:
        self.error_policy = _checked_policy(error_policy)
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask, *, error_policy: ErrorPolicy | None = None) -> AppSettings:
        """Store this extension's settings for ``app`` and return them.

        The error policy is, in order: the ``error_policy`` argument, the one given to
        the constructor, ``app.config["TYPEDSIGNALS_ERROR_POLICY"]``, else ``None``.
        """
        config: Mapping[str, Any] = app.config
        policy = error_policy or self.error_policy or config.get(CONFIG_ERROR_POLICY)
        settings = AppSettings(_checked_policy(policy))
        app.extensions[EXTENSION_KEY] = settings
        return settings


def settings_for(app: Flask) -> AppSettings | None:
    """The settings :class:`TypedSignals` stored for ``app``, or ``None``."""
    settings = app.extensions.get(EXTENSION_KEY)
    return settings if isinstance(settings, AppSettings) else None


def app_policy(sender: object) -> ErrorPolicy | None:
    """The error policy configured for ``sender`` if it is an initialised app, else None.

    The one definition of the rule: an app's ``extensions`` dict holds an
    :class:`AppSettings` (or an instance of a subclass) under :data:`EXTENSION_KEY`.
    Any other sender, or anything else stored there, has no app policy. Runs on every
    bridged send: two attribute loads, a dict lookup and two ``isinstance`` checks.
    """
    extensions = getattr(sender, "extensions", None)
    if not isinstance(extensions, dict):
        return None
    settings = extensions.get(EXTENSION_KEY)
    return settings.error_policy if isinstance(settings, AppSettings) else None


def current_flask_app() -> Flask:
    """The real app behind ``current_app`` (senders are matched by identity, so a proxy
    would never match a receiver connected for a specific app)."""
    getter: Callable[[], object] = current_app._get_current_object  # type: ignore[attr-defined]  # the proxy's method, untyped in Flask
    return cast(Flask, getter())


def send(
    signal: Signal[Any, P, M], /, *args: P.args, **fields: P.kwargs
) -> list[tuple[Callable[[Any, M], Any], Any]]:
    """Send ``signal`` with the current Flask app as sender, under the app's error policy.

    ``signal.send(app, ...)`` uses the signal's own error policy; this helper applies
    the one configured with :class:`TypedSignals` for the current app, so that a custom
    signal's failing receiver is logged rather than failing the request when the app
    asks for ``"log"``. It needs an app context (any view has one).

    Raises:
        PayloadError: The fields do not make a valid payload; no receiver ran.
        RuntimeError: There is no app context.

    Example:
        >>> from flask import Flask
        >>> from typedsignals import Payload, Signal
        >>> from typedsignals.flask import TypedSignals, send
        >>> class UserAction(Payload):
        ...     action: str
        >>> user_action = Signal("user-action", UserAction, sender=Flask)
        >>> @user_action.connect
        ... def broken(sender: Flask, payload: UserAction) -> None:
        ...     raise RuntimeError("analytics backend down")
        >>> app = Flask("demo")
        >>> _ = TypedSignals(app, error_policy="log")
        >>> with app.app_context():
        ...     send(user_action, action="login")  # logged, not raised
        []
        >>> user_action.disconnect(broken)
    """
    app = current_flask_app()
    policy = app_policy(app)
    if policy is None or not signal.has_receivers_for(app):
        return signal.send(app, *args, **fields)
    payload = signal.validate(app, *args, **fields)
    return signal.send_payload(app, payload, error_policy=policy)
