"""Typed declarations of Flask-Login's signals.

Each mirrors the blinker signal of the same name in ``flask_login.signals``; the sender
is always the Flask app. Needs Flask-Login: ``pip install "typedsignals[flask-login]"``.

Example::

    from flask import Flask
    from typedsignals.flask.login import UserLoggedIn, user_logged_in

    @user_logged_in.connect
    def remember_login(sender: Flask, payload: UserLoggedIn) -> None:
        print(f"user {payload.user.get_id()} logged in")

The ``user`` field holds whatever your ``user_loader`` returns (or the anonymous user
for :data:`user_logged_out` when nobody was logged in); it is typed by the
:class:`LoginUser` protocol, what Flask-Login itself requires of a user object. Narrow
it to your own class with ``isinstance`` or ``typing.cast``.

The deprecated ``user_loaded_from_header`` signal is not declared; use
:data:`user_loaded_from_request`.
"""

from __future__ import annotations

from typing import Annotated, Protocol, runtime_checkable

from flask import Flask
from pydantic import ConfigDict

from .._payload import Payload
from ._bridge import BridgedSignal, opaque
from ._require import missing_extra

try:
    from flask_login import signals as _raw  # type: ignore[import-untyped]  # no py.typed
except ModuleNotFoundError as _exc:
    raise missing_extra(
        _exc, "flask_login", extra="flask-login", needed_by=__name__, project="Flask-Login"
    ) from None

__all__ = [
    "LoginUser",
    "SessionProtected",
    "UserAccessed",
    "UserLoadedFromCookie",
    "UserLoadedFromRequest",
    "UserLoggedIn",
    "UserLoggedOut",
    "UserLoginConfirmed",
    "UserNeedsRefresh",
    "UserUnauthorized",
    "session_protected",
    "user_accessed",
    "user_loaded_from_cookie",
    "user_loaded_from_request",
    "user_logged_in",
    "user_logged_out",
    "user_login_confirmed",
    "user_needs_refresh",
    "user_unauthorized",
]


@runtime_checkable
class LoginUser(Protocol):
    """What Flask-Login requires of a user object.

    ``flask_login.UserMixin`` and ``AnonymousUserMixin`` provide it; a class that
    implements the four members itself matches too. Checked with ``isinstance``, which
    for a protocol means the members exist.
    """

    @property
    def is_authenticated(self) -> bool:
        """Whether the user has provided valid credentials."""
        ...

    @property
    def is_active(self) -> bool:
        """Whether the account is active (an inactive user cannot log in)."""
        ...

    @property
    def is_anonymous(self) -> bool:
        """Whether this is the anonymous user."""
        ...

    def get_id(self) -> str | None:
        """The user's identifier as a string (``None`` for the anonymous user)."""
        ...


User = Annotated[LoginUser, opaque("flask_login.UserMixin", "The user object.")]
"""A user object, checked with ``isinstance`` against :class:`LoginUser`."""

_PREFIX = "flask-login."


class _LoginPayload(Payload):
    model_config = ConfigDict(use_attribute_docstrings=True)


class UserLoggedIn(_LoginPayload):
    """Payload of :data:`user_logged_in`."""

    user: User
    """The user who just logged in (now ``current_user``)."""


class UserLoggedOut(_LoginPayload):
    """Payload of :data:`user_logged_out`."""

    user: User
    """The user who was logged out (the anonymous user if nobody was logged in)."""


class UserLoadedFromCookie(_LoginPayload):
    """Payload of :data:`user_loaded_from_cookie`."""

    user: User
    """The user restored from the "remember me" cookie."""


class UserLoadedFromRequest(_LoginPayload):
    """Payload of :data:`user_loaded_from_request`."""

    user: User
    """The user loaded by the ``request_loader`` callback."""


class UserLoginConfirmed(_LoginPayload):
    """Payload of :data:`user_login_confirmed` (no fields)."""


class UserUnauthorized(_LoginPayload):
    """Payload of :data:`user_unauthorized` (no fields)."""


class UserNeedsRefresh(_LoginPayload):
    """Payload of :data:`user_needs_refresh` (no fields)."""


class UserAccessed(_LoginPayload):
    """Payload of :data:`user_accessed` (no fields)."""


class SessionProtected(_LoginPayload):
    """Payload of :data:`session_protected` (no fields)."""


user_logged_in = BridgedSignal(
    _raw.user_logged_in,
    UserLoggedIn,
    sender=Flask,
    name=_PREFIX + "logged-in",
    module=__name__,
    doc="Sent by flask_login.login_user() after a user is logged in.",
)
"""Mirror of ``flask_login.user_logged_in``."""

user_logged_out = BridgedSignal(
    _raw.user_logged_out,
    UserLoggedOut,
    sender=Flask,
    name=_PREFIX + "logged-out",
    module=__name__,
    doc="Sent by flask_login.logout_user() after a user is logged out.",
)
"""Mirror of ``flask_login.user_logged_out``."""

user_loaded_from_cookie = BridgedSignal(
    _raw.user_loaded_from_cookie,
    UserLoadedFromCookie,
    sender=Flask,
    name=_PREFIX + "loaded-from-cookie",
    module=__name__,
    doc="Sent when the user is restored from the remember-me cookie.",
)
"""Mirror of ``flask_login.user_loaded_from_cookie``."""

user_loaded_from_request = BridgedSignal(
    _raw.user_loaded_from_request,
    UserLoadedFromRequest,
    sender=Flask,
    name=_PREFIX + "loaded-from-request",
    module=__name__,
    doc="Sent when the user is loaded by the request_loader callback.",
)
"""Mirror of ``flask_login.user_loaded_from_request``."""

user_login_confirmed = BridgedSignal(
    _raw.user_login_confirmed,
    UserLoginConfirmed,
    sender=Flask,
    name=_PREFIX + "login-confirmed",
    module=__name__,
    doc="Sent by flask_login.confirm_login() when a login is marked fresh again.",
)
"""Mirror of ``flask_login.user_login_confirmed``."""

user_unauthorized = BridgedSignal(
    _raw.user_unauthorized,
    UserUnauthorized,
    sender=Flask,
    name=_PREFIX + "unauthorized",
    module=__name__,
    doc="Sent when LoginManager.unauthorized() is called (login_required refused).",
)
"""Mirror of ``flask_login.user_unauthorized``."""

user_needs_refresh = BridgedSignal(
    _raw.user_needs_refresh,
    UserNeedsRefresh,
    sender=Flask,
    name=_PREFIX + "needs-refresh",
    module=__name__,
    doc="Sent when LoginManager.needs_refresh() is called (fresh_login_required refused).",
)
"""Mirror of ``flask_login.user_needs_refresh``."""

user_accessed = BridgedSignal(
    _raw.user_accessed,
    UserAccessed,
    sender=Flask,
    name=_PREFIX + "accessed",
    module=__name__,
    doc="Sent when the user is loaded for a request (first access to current_user).",
)
"""Mirror of ``flask_login.user_accessed``."""

session_protected = BridgedSignal(
    _raw.session_protected,
    SessionProtected,
    sender=Flask,
    name=_PREFIX + "session-protected",
    module=__name__,
    doc="Sent when session protection marks the session non-fresh or deletes it.",
)
"""Mirror of ``flask_login.session_protected``."""
