"""What the plugin knows of Flask's and the extensions' raw blinker signals.

Each raw signal maps to its name and to the payload model of its typed mirror in
``typedsignals.flask``, whose fields are exactly the keywords the raw signal is sent
with. This table is the plugin's copy of the catalogs' ``bridge(...)`` declarations,
kept static so that the plugin imports neither Flask nor pydantic;
tests/mypy/test_catalog_table.py checks it against the declarations at run time.
"""

from __future__ import annotations

from typing import Final, NamedTuple


class RawSignal(NamedTuple):
    """A raw blinker signal that Flask or an extension sends."""

    name: str
    """The raw signal's own name, e.g. ``"template-rendered"``."""
    mirror: str
    """The public path of its typed declaration."""
    model: str
    """The full name (where mypy finds it) of the payload model of that declaration."""


_FLASK: Final = "typedsignals.flask._signals"
_LOGIN: Final = "typedsignals.flask.login"
_PRINCIPAL: Final = "typedsignals.flask.principal"
_MAIL: Final = "typedsignals.flask.mail"
_SQLALCHEMY: Final = "typedsignals.flask.sqlalchemy"


def _flask(attr: str, model: str) -> tuple[str, RawSignal]:
    raw = RawSignal(attr.replace("_", "-"), f"typedsignals.flask.{attr}", f"{_FLASK}.{model}")
    return f"flask.signals.{attr}", raw


RAW_SIGNALS: Final[dict[str, RawSignal]] = dict(
    [
        _flask("template_rendered", "TemplateRendered"),
        _flask("before_render_template", "BeforeRenderTemplate"),
        _flask("request_started", "RequestStarted"),
        _flask("request_finished", "RequestFinished"),
        _flask("got_request_exception", "GotRequestException"),
        _flask("request_tearing_down", "RequestTearingDown"),
        _flask("appcontext_tearing_down", "AppContextTearingDown"),
        _flask("appcontext_pushed", "AppContextPushed"),
        _flask("appcontext_popped", "AppContextPopped"),
        _flask("message_flashed", "MessageFlashed"),
        *(
            (
                f"flask_login.signals.{attr}",
                RawSignal(name, f"{_LOGIN}.{attr}", f"{_LOGIN}.{model}"),
            )
            for attr, name, model in [
                ("user_logged_in", "logged-in", "UserLoggedIn"),
                ("user_logged_out", "logged-out", "UserLoggedOut"),
                ("user_loaded_from_cookie", "loaded-from-cookie", "UserLoadedFromCookie"),
                ("user_loaded_from_request", "loaded-from-request", "UserLoadedFromRequest"),
                ("user_login_confirmed", "login-confirmed", "UserLoginConfirmed"),
                ("user_unauthorized", "unauthorized", "UserUnauthorized"),
                ("user_needs_refresh", "needs-refresh", "UserNeedsRefresh"),
                ("user_accessed", "accessed", "UserAccessed"),
                ("session_protected", "session-protected", "SessionProtected"),
            ]
        ),
        (
            "flask_principal.identity_loaded",
            RawSignal(
                "identity-loaded", f"{_PRINCIPAL}.identity_loaded", f"{_PRINCIPAL}.IdentityLoaded"
            ),
        ),
        (
            "flask_principal.identity_changed",
            RawSignal(
                "identity-changed",
                f"{_PRINCIPAL}.identity_changed",
                f"{_PRINCIPAL}.IdentityChanged",
            ),
        ),
        (
            "flask_mail.email_dispatched",
            RawSignal("email-dispatched", f"{_MAIL}.email_dispatched", f"{_MAIL}.EmailDispatched"),
        ),
        (
            "flask_sqlalchemy.track_modifications.models_committed",
            RawSignal(
                "models-committed",
                f"{_SQLALCHEMY}.models_committed",
                f"{_SQLALCHEMY}.ModelsCommitted",
            ),
        ),
        (
            "flask_sqlalchemy.track_modifications.before_models_committed",
            RawSignal(
                "before-models-committed",
                f"{_SQLALCHEMY}.before_models_committed",
                f"{_SQLALCHEMY}.BeforeModelsCommitted",
            ),
        ),
    ]
)
"""Raw signal (full name of the module attribute) -> what it sends."""

BY_MODEL: Final[dict[str, RawSignal]] = {raw.model: raw for raw in RAW_SIGNALS.values()}
"""Payload model (full name) -> the raw signal its declaration mirrors."""

CATALOG_FOR_IMPORT: Final[dict[str, str]] = {
    "flask": _FLASK,
    "flask_login": _LOGIN,
    "flask_principal": _PRINCIPAL,
    "flask_mail": _MAIL,
    "flask_sqlalchemy": _SQLALCHEMY,
}
"""Top-level package imported by a module -> the catalog module mypy must then load."""
