"""The extension catalogs, driven by the real extensions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import flask_login  # type: ignore[import-untyped]  # no py.typed
import flask_mail
import flask_principal  # type: ignore[import-untyped]  # no py.typed
import pytest
from flask import Flask
from flask_login import LoginManager, UserMixin, confirm_login, login_required, login_user
from flask_login import logout_user as flask_logout_user
from flask_mail import Mail, Message
from flask_principal import Identity, Permission, Principal, RoleNeed
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy import track_modifications as sqla_signals
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from typedsignals.flask import BridgedSignal
from typedsignals.flask import login as login_signals
from typedsignals.flask import mail as mail_signals
from typedsignals.flask import principal as principal_signals
from typedsignals.flask import sqlalchemy as db_signals
from typedsignals.flask.login import LoginUser, UserLoggedIn, user_logged_in
from typedsignals.flask.principal import IdentityLoaded, identity_changed, identity_loaded
from typedsignals.flask.sqlalchemy import ModelChange, models_committed
from typedsignals.testing import capture

pytestmark = pytest.mark.filterwarnings(
    # Flask-Login 0.6.3 calls datetime.utcnow(), deprecated from Python 3.12 on.
    r"ignore:datetime\.datetime\.utcnow\(\) is deprecated:DeprecationWarning:flask_login"
)

CATALOG: list[tuple[BridgedSignal[Any, ..., Any], object, tuple[str, ...]]] = [
    (login_signals.user_logged_in, flask_login.user_logged_in, ("user",)),
    (login_signals.user_logged_out, flask_login.user_logged_out, ("user",)),
    (login_signals.user_loaded_from_cookie, flask_login.user_loaded_from_cookie, ("user",)),
    (login_signals.user_loaded_from_request, flask_login.user_loaded_from_request, ("user",)),
    (login_signals.user_login_confirmed, flask_login.user_login_confirmed, ()),
    (login_signals.user_unauthorized, flask_login.user_unauthorized, ()),
    (login_signals.user_needs_refresh, flask_login.user_needs_refresh, ()),
    (login_signals.user_accessed, flask_login.user_accessed, ()),
    (login_signals.session_protected, flask_login.session_protected, ()),
    (principal_signals.identity_changed, flask_principal.identity_changed, ("identity",)),
    (principal_signals.identity_loaded, flask_principal.identity_loaded, ("identity",)),
    (mail_signals.email_dispatched, flask_mail.email_dispatched, ("message",)),
    (db_signals.models_committed, sqla_signals.models_committed, ("changes",)),
    (db_signals.before_models_committed, sqla_signals.before_models_committed, ("changes",)),
]


NAMES = {
    "flask-login.logged-in": login_signals,
    "flask-login.logged-out": login_signals,
    "flask-login.loaded-from-cookie": login_signals,
    "flask-login.loaded-from-request": login_signals,
    "flask-login.login-confirmed": login_signals,
    "flask-login.unauthorized": login_signals,
    "flask-login.needs-refresh": login_signals,
    "flask-login.accessed": login_signals,
    "flask-login.session-protected": login_signals,
    "flask-principal.identity-changed": principal_signals,
    "flask-principal.identity-loaded": principal_signals,
    "flask-mail.email-dispatched": mail_signals,
    "flask-sqlalchemy.models-committed": db_signals,
    "flask-sqlalchemy.before-models-committed": db_signals,
}
"""The public name of each catalog declaration (in CATALOG's order) and its module."""


@pytest.mark.parametrize(("entry", "name"), list(zip(CATALOG, NAMES, strict=True)), ids=list(NAMES))
def test_catalog_names_and_modules(
    entry: tuple[BridgedSignal[Any, ..., Any], object, tuple[str, ...]], name: str
) -> None:
    """Each declaration keeps its public name and is documented under its catalog module."""
    signal = entry[0]
    module = NAMES[name].__name__
    assert signal.name == name
    assert signal.module == module
    assert signal.payload_model.__module__ == module
    assert getattr(NAMES[name], signal.payload_model.__name__) is signal.payload_model


@pytest.mark.parametrize(("signal", "raw", "fields"), CATALOG, ids=lambda v: getattr(v, "name", ""))
def test_catalog_mirrors_the_extension_signal(
    signal: BridgedSignal[Any, ..., Any], raw: object, fields: tuple[str, ...]
) -> None:
    """Each catalog declaration mirrors the extension's signal, with its kwargs as fields."""
    assert signal.raw is raw
    assert signal.sender_type is Flask
    assert tuple(signal.payload_model.model_fields) == fields
    assert signal.doc
    signal.payload_model.model_json_schema()


# -- Flask-Login --------------------------------------------------------------------------


class User(UserMixin):  # type: ignore[misc]  # UserMixin is untyped
    """A user as Flask-Login expects one."""

    def __init__(self, user_id: str) -> None:
        self.id = user_id


USERS = {"alice": User("alice"), "bob": User("bob")}


@pytest.fixture
def login_app(app: Flask) -> Flask:
    """The test app with Flask-Login and routes that make it send each signal."""
    manager = LoginManager(app)

    @manager.user_loader  # type: ignore[untyped-decorator]  # Flask-Login is untyped
    def load_user(user_id: str) -> User | None:
        return USERS.get(user_id)

    @manager.request_loader  # type: ignore[untyped-decorator]  # Flask-Login is untyped
    def load_from_request(req: Any) -> User | None:
        token = req.headers.get("X-Token")
        return USERS.get(token) if token else None

    @app.route("/login/<name>")
    def login(name: str) -> str:
        login_user(USERS[name], remember=True)
        return "in"

    @app.route("/logout")
    def logout() -> str:
        flask_logout_user()
        return "out"

    @app.route("/private")
    @login_required  # type: ignore[untyped-decorator]  # Flask-Login is untyped
    def private() -> str:
        return f"hello {flask_login.current_user.get_id()}"

    @app.route("/confirm")
    def confirm() -> str:
        confirm_login()
        return "confirmed"

    @app.route("/refresh")
    def refresh() -> Any:
        return manager.needs_refresh()

    return app


def test_real_login_user_reaches_typed_receiver(login_app: Flask) -> None:
    """A real login_user() call delivers a typed UserLoggedIn with the user."""
    received: list[UserLoggedIn] = []

    def on_login(sender: Flask, payload: UserLoggedIn) -> None:
        received.append(payload)

    with user_logged_in.connected_to(on_login, sender=login_app):
        login_app.test_client().get("/login/alice")
    assert [payload.user for payload in received] == [USERS["alice"]]
    assert isinstance(received[0].user, LoginUser)


class MinimalUser:
    """A user with only what Flask-Login itself reads (no is_anonymous, no UserMixin)."""

    is_active = True
    is_authenticated = True

    def __init__(self, user_id: str) -> None:
        self.user_id = user_id

    def get_id(self) -> str:
        return self.user_id


def test_login_of_a_minimal_user_reaches_typed_receiver(app: Flask) -> None:
    """Flask-Login logs in any user object it can read; the typed receiver gets it as is."""
    user: object = MinimalUser("carol")
    manager = LoginManager(app)
    manager.user_loader(lambda user_id: user if user_id == "carol" else None)

    @app.route("/login-minimal")
    def login_minimal() -> str:
        login_user(user)
        return "in"

    with capture(user_logged_in, app) as sent:
        assert app.test_client().get("/login-minimal").status_code == 200
    assert sent.payloads[0].user is user


def test_logout_sends_user_logged_out(login_app: Flask) -> None:
    """logout_user() delivers the user who logged out."""
    client = login_app.test_client()
    client.get("/login/bob")
    with capture(login_signals.user_logged_out) as sent:
        client.get("/logout")
    sent.assert_sent(login_app, user=USERS["bob"])


def test_unauthorized_and_accessed(login_app: Flask) -> None:
    """login_required without a user sends user_accessed then user_unauthorized."""
    with (
        capture(login_signals.user_unauthorized) as refused,
        capture(login_signals.user_accessed) as accessed,
    ):
        assert login_app.test_client().get("/private").status_code == 401
    assert len(refused) == 1
    assert len(accessed) == 1


def test_loaded_from_request(login_app: Flask) -> None:
    """A request_loader hit sends user_loaded_from_request with the user."""
    with capture(login_signals.user_loaded_from_request) as sent:
        response = login_app.test_client().get("/private", headers={"X-Token": "alice"})
    assert response.text == "hello alice"
    sent.assert_sent(user=USERS["alice"])


def test_loaded_from_cookie(login_app: Flask) -> None:
    """A remember-me cookie on a fresh session sends user_loaded_from_cookie."""
    first = login_app.test_client()
    first.get("/login/alice")
    cookie = first.get_cookie("remember_token")
    assert cookie is not None
    second = login_app.test_client()
    second.set_cookie("remember_token", cookie.value)
    with capture(login_signals.user_loaded_from_cookie) as sent:
        assert second.get("/private").text == "hello alice"
    sent.assert_sent(user=USERS["alice"])


def test_confirm_and_refresh(login_app: Flask) -> None:
    """confirm_login() and needs_refresh() send their signals."""
    client = login_app.test_client()
    with (
        capture(login_signals.user_login_confirmed) as confirmed,
        capture(login_signals.user_needs_refresh) as refresh,
    ):
        client.get("/confirm")
        assert client.get("/refresh").status_code == 401
    assert len(confirmed) == len(refresh) == 1


def test_session_protected(login_app: Flask) -> None:
    """A session reused from another browser sends session_protected."""
    client = login_app.test_client()
    client.get("/login/alice", headers={"User-Agent": "browser-a"})
    with capture(login_signals.session_protected) as sent:
        client.get("/private", headers={"User-Agent": "browser-b"})
    assert len(sent) == 1


# -- Flask-Principal ----------------------------------------------------------------------


def test_identity_changed_typed_send_drives_flask_principal(app: Flask) -> None:
    """A typed identity_changed send reaches Flask-Principal, whose identity_loaded
    reaches a typed receiver that grants a role."""
    Principal(app, use_sessions=False)
    admin = Permission(RoleNeed("admin"))

    @app.route("/become/<name>")
    def become(name: str) -> str:
        before = admin.can()
        identity_changed.send(app, identity=Identity(name))
        return f"{before} {admin.can()}"

    def grant_roles(sender: Flask, payload: IdentityLoaded) -> None:
        if payload.identity.id == "alice":
            payload.identity.provides.add(RoleNeed("admin"))

    with identity_loaded.connected_to(grant_roles):
        client = app.test_client()
        assert client.get("/become/alice").text == "False True"
        assert client.get("/become/bob").text == "False False"


def test_raw_identity_changed_reaches_typed_receiver(app: Flask) -> None:
    """Application code sending the raw signal still reaches typed receivers."""
    identity = Identity("bob")
    with capture(identity_changed) as sent:
        flask_principal.identity_changed.send(app, identity=identity)
    assert sent.payloads[0].identity is identity


# -- Flask-Mail ---------------------------------------------------------------------------


def test_email_dispatched(app: Flask) -> None:
    """Mail.send() delivers the Message to a typed receiver (sending suppressed)."""
    mail = Mail(app)
    message = Message("Welcome", sender="app@example.org", recipients=["alice@example.org"])
    with capture(mail_signals.email_dispatched, app) as sent, app.app_context():
        mail.send(message)
    assert sent.payloads[0].message is message


# -- Flask-SQLAlchemy ---------------------------------------------------------------------


class Base(DeclarativeBase):
    """Declarative base of the test models."""


db = SQLAlchemy(model_class=Base)


class Note(db.Model):  # type: ignore[name-defined,misc]  # db.Model is dynamic
    """A model to commit."""

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str]


@pytest.fixture
def db_app(app: Flask) -> Iterator[Flask]:
    """The test app with an in-memory database tracking modifications."""
    app.config.update(SQLALCHEMY_DATABASE_URI="sqlite://", SQLALCHEMY_TRACK_MODIFICATIONS=True)
    db.init_app(app)
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


def test_models_committed_lists_each_change(db_app: Flask) -> None:
    """Insert, update and delete commits deliver typed (instance, operation) changes."""
    with (
        capture(models_committed, db_app) as sent,
        capture(db_signals.before_models_committed, db_app) as before,
    ):
        note = Note()
        note.text = "first"
        db.session.add(note)
        db.session.commit()
        note.text = "changed"
        db.session.commit()
        db.session.delete(note)
        db.session.commit()
    changes = [payload.changes for payload in sent.payloads]
    assert changes == [
        [ModelChange(note, "insert")],
        [ModelChange(note, "update")],
        [ModelChange(note, "delete")],
    ]
    assert [payload.changes for payload in before.payloads] == changes
    instance, operation = changes[0][0]
    assert instance is note
    assert operation == "insert"
