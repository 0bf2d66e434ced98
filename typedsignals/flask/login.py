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
:class:`LoginUser` protocol, what Flask-Login documents for a user object. Flask-Login
itself checks nothing (it only reads ``is_active``, ``is_authenticated`` and
``get_id()``), so neither does the declaration: the object is passed on as it is.
Narrow it to your own class with ``isinstance`` or ``typing.cast``.

The deprecated ``user_loaded_from_header`` signal is not declared; use
:data:`user_loaded_from_request`.
"""

from __future__ import annotations

from typing import Annotated, Final, Protocol, runtime_checkable

from .._require import missing_extra
from ._bridge import CatalogPayload, bridge, unchecked

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
    """What Flask-Login documents for a user object.

    ``flask_login.UserMixin`` and ``AnonymousUserMixin`` provide it; a class that
    implements the four members itself matches too. ``isinstance(user, LoginUser)``
    tells whether the members exist; the payloads do not check it, since Flask-Login
    does not either.
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


User = Annotated[LoginUser, unchecked("flask_login.UserMixin", "The user object.")]
"""A user object: typed as :class:`LoginUser`, passed on unchecked as Flask-Login does."""

_PREFIX: Final = "flask-login."


class UserLoggedIn(CatalogPayload):
    """Payload of :data:`user_logged_in`."""

    user: User
    """The user who just logged in (now ``current_user``)."""


class UserLoggedOut(CatalogPayload):
    """Payload of :data:`user_logged_out`."""

    user: User
    """The user who was logged out (the anonymous user if nobody was logged in)."""


class UserLoadedFromCookie(CatalogPayload):
    """Payload of :data:`user_loaded_from_cookie`."""

    user: User
    """The user restored from the "remember me" cookie."""


class UserLoadedFromRequest(CatalogPayload):
    """Payload of :data:`user_loaded_from_request`."""

    user: User
    """The user loaded by the ``request_loader`` callback."""


class UserLoginConfirmed(CatalogPayload):
    """Payload of :data:`user_login_confirmed` (no fields)."""


class UserUnauthorized(CatalogPayload):
    """Payload of :data:`user_unauthorized` (no fields)."""


class UserNeedsRefresh(CatalogPayload):
    """Payload of :data:`user_needs_refresh` (no fields)."""


class UserAccessed(CatalogPayload):
    """Payload of :data:`user_accessed` (no fields)."""


class SessionProtected(CatalogPayload):
    """Payload of :data:`session_protected` (no fields)."""


user_logged_in = bridge(
    _raw.user_logged_in,
    UserLoggedIn,
    "Sent by flask_login.login_user() after a user is logged in.",
    module=__name__,
    prefix=_PREFIX,
)
"""Mirror of ``flask_login.user_logged_in``."""

user_logged_out = bridge(
    _raw.user_logged_out,
    UserLoggedOut,
    "Sent by flask_login.logout_user() after a user is logged out.",
    module=__name__,
    prefix=_PREFIX,
)
"""Mirror of ``flask_login.user_logged_out``."""

user_loaded_from_cookie = bridge(
    _raw.user_loaded_from_cookie,
    UserLoadedFromCookie,
    "Sent when the user is restored from the remember-me cookie.",
    module=__name__,
    prefix=_PREFIX,
)
"""Mirror of ``flask_login.user_loaded_from_cookie``."""

user_loaded_from_request = bridge(
    _raw.user_loaded_from_request,
    UserLoadedFromRequest,
    "Sent when the user is loaded by the request_loader callback.",
    module=__name__,
    prefix=_PREFIX,
)
"""Mirror of ``flask_login.user_loaded_from_request``."""

user_login_confirmed = bridge(
    _raw.user_login_confirmed,
    UserLoginConfirmed,
    "Sent by flask_login.confirm_login() when a login is marked fresh again.",
    module=__name__,
    prefix=_PREFIX,
)
"""Mirror of ``flask_login.user_login_confirmed``."""

user_unauthorized = bridge(
    _raw.user_unauthorized,
    UserUnauthorized,
    "Sent when LoginManager.unauthorized() is called (login_required refused).",
    module=__name__,
    prefix=_PREFIX,
)
"""Mirror of ``flask_login.user_unauthorized``."""

user_needs_refresh = bridge(
    _raw.user_needs_refresh,
    UserNeedsRefresh,
    "Sent when LoginManager.needs_refresh() is called (fresh_login_required refused).",
    module=__name__,
    prefix=_PREFIX,
)
"""Mirror of ``flask_login.user_needs_refresh``."""

user_accessed = bridge(
    _raw.user_accessed,
    UserAccessed,
    "Sent when the user is loaded for a request (first access to current_user).",
    module=__name__,
    prefix=_PREFIX,
)
"""Mirror of ``flask_login.user_accessed``."""

session_protected = bridge(
    _raw.session_protected,
    SessionProtected,
    "Sent when session protection marks the session non-fresh or deletes it.",
    module=__name__,
    prefix=_PREFIX,
)
"""Mirror of ``flask_login.session_protected``."""
