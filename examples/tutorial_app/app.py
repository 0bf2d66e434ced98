"""The tutorial's Flask application, typed end to end.

Routes (forms are posted as ``application/x-www-form-urlencoded``):

* ``GET /``: home page (a template; a page view).
* ``POST /register`` (``username``, ``email``): create an account; sends
  ``data_modified`` and ``user_registered`` (the welcome email, deferred to a worker
  thread or a Celery worker). 400 on bad input, 409 when the username is taken.
* ``POST /login`` (``username``) and ``POST /logout``: the tutorial's simulated login;
  sends ``user_action``.
* ``GET /profile``: the profile page (401 when logged out); sends ``user_action``.
* ``POST /profile`` (``display_name``, ``bio``): change the profile; sends
  ``data_modified`` and ``profile_changed`` (the last-modified stamp).
* ``POST /share``: share the profile; the partner tracker's receiver fails.
* ``GET /error``: the tutorial's deliberate error (500, recorded by the ActivityLogger).

Custom signals are sent with :func:`typedsignals.flask.send`, which uses the current
app as sender and the app's error policy.
"""

from __future__ import annotations

import secrets
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Final

from flask import Flask, Response, abort, current_app, render_template, request, session
from pydantic import ValidationError

from typedsignals import ErrorPolicy, Payload
from typedsignals.delivery import DeferredReceiver, Delivery, ThreadPoolDelivery
from typedsignals.flask import TypedSignals, send

from .receivers import Receivers, connect_receivers
from .signals import Email, Username, data_modified, profile_changed, user_action, user_registered
from .storage import Storage, User, UsernameTaken

__all__ = ["EXTENSION_KEY", "TutorialState", "create_app", "state_of"]

EXTENSION_KEY: Final = "tutorial_app"
"""Where the app keeps its :class:`TutorialState` in ``app.extensions``."""

PROFILE_FIELDS: Final = ("display_name", "bio")


class Registration(Payload):
    """The registration form, validated with the same types as the signal."""

    username: Username
    email: Email


class ProfileForm(Payload):
    """The profile form."""

    display_name: str
    bio: str


@dataclass
class TutorialState:
    """What one app instance holds: its storage, its receivers and their delivery.

    ``pending`` keeps the handles of the latest deferred calls (the demo waits for them
    with :meth:`settle`; a served app forgets the oldest).
    """

    storage: Storage
    receivers: Receivers
    delivery: Delivery
    owns_delivery: bool = False
    pending: deque[Any] = field(default_factory=lambda: deque(maxlen=100))

    def track(self, results: Iterable[tuple[Callable[..., Any], Any]]) -> None:
        """Keep the handles a send returned for its deferred receivers."""
        self.pending.extend(
            handle for receiver, handle in results if isinstance(receiver, DeferredReceiver)
        )

    def settle(self, timeout: float = 30.0) -> list[Any]:
        """Wait until the tracked deferred calls ran; return their handles.

        A call that failed was logged by its delivery; waiting does not raise it again.
        """
        handles = list(self.pending)
        self.pending.clear()
        for handle in handles:
            if isinstance(handle, Future):
                handle.exception(timeout)
            else:  # a Celery AsyncResult
                handle.get(timeout=timeout, propagate=False)
        return handles

    def close(self) -> None:
        """Disconnect the receivers, run what was deferred, release the storage."""
        self.receivers.disconnect()
        if self.owns_delivery and isinstance(self.delivery, ThreadPoolDelivery):
            self.delivery.shutdown(wait=True)
        self.storage.close()


def state_of(app: Flask) -> TutorialState:
    """The :class:`TutorialState` of ``app``."""
    state = app.extensions[EXTENSION_KEY]
    assert isinstance(state, TutorialState)
    return state


def create_app(
    storage: Storage,
    *,
    error_policy: ErrorPolicy = "log",
    partner_tracking: bool = True,
    secret_key: str | None = None,
    delivery: Delivery | None = None,
) -> Flask:
    """Build the app on ``storage``, with every receiver connected for it.

    Args:
        storage: Where users and logs go.
        error_policy: The app's receiver error policy (``"log"`` by default, so a
            failing analytics receiver never breaks a request).
        partner_tracking: Connect the partner tracker, whose receiver fails on shares.
        secret_key: The session key; random by default.
        delivery: Where the welcome email runs: by default a thread pool of the app's
            own (shut down by :meth:`TutorialState.close`); a
            :class:`~typedsignals.celery.CeleryDelivery` sends it to Celery workers.
    """
    app = Flask(__name__)
    app.secret_key = secret_key or secrets.token_hex(16)
    TypedSignals(app, error_policy=error_policy)
    owned = delivery is None
    chosen = ThreadPoolDelivery(max_workers=1) if delivery is None else delivery
    receivers = connect_receivers(app, storage, partner_tracking=partner_tracking, delivery=chosen)
    app.extensions[EXTENSION_KEY] = TutorialState(storage, receivers, chosen, owned)
    _add_routes(app)
    return app


def _text(message: str, status: int = 200) -> Response:
    """A plain-text response (views answer forms in text; pages are HTML templates)."""
    return Response(message + "\n", status=status, mimetype="text/plain")


def _storage() -> Storage:
    return state_of(current_app).storage


def _logged_in_user() -> User:
    username = session.get("user_id")
    user = _storage().get_user(username) if isinstance(username, str) else None
    if user is None:
        abort(_text("Please log in first", 401))
    return user


def _add_routes(app: Flask) -> None:
    @app.get("/")
    def index() -> str:
        return render_template("index.html", username=session.get("user_id"))

    @app.post("/register")
    def register() -> Response:
        try:
            form = Registration.model_validate(request.form.to_dict())
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(map(str, err['loc']))}: {err['msg']}" for err in exc.errors()
            )
            return _text(f"Invalid registration: {problems}", 400)
        try:
            user = _storage().create_user(form.username, form.email)
        except UsernameTaken:
            return _text(f"Username {form.username!r} is taken", 409)
        send(
            data_modified,
            table="users",
            record_id=user.id,
            operation="insert",
            changes={"username": user.username, "email": user.email},
            actor=user.username,
        )
        # The welcome email is deferred: the send returns its handle at once.
        handles = send(user_registered, user_id=user.id, username=user.username, email=user.email)
        state_of(current_app).track(handles)
        return _text(f"Registered {user.username}", 201)

    @app.post("/login")
    def login() -> Response:
        username = request.form.get("username", "")
        if _storage().get_user(username) is None:
            return _text("Unknown user", 401)
        session["user_id"] = username
        send(user_action, action="login", username=username)
        return _text(f"Logged in as {username}", 200)

    @app.post("/logout")
    def logout() -> Response:
        username = session.pop("user_id", None)
        send(user_action, action="logout", username=username)
        return _text("Logged out")

    @app.get("/profile")
    def profile() -> str:
        user = _logged_in_user()
        send(user_action, action="view_profile")
        return render_template("profile.html", user=user, username=user.username)

    @app.post("/profile")
    def change_profile() -> Response:
        user = _logged_in_user()
        try:
            form = ProfileForm.model_validate(
                {name: request.form.get(name, "") for name in PROFILE_FIELDS}
            )
        except ValidationError as exc:
            return _text(f"Invalid profile: {exc.error_count()} error(s)", 400)
        changed = _storage().update_profile(user, form.model_dump())
        if not changed:
            return _text("Nothing changed", 200)
        send(
            data_modified,
            table="users",
            record_id=user.id,
            operation="update",
            changes=dict(changed),
            actor=user.username,
        )
        send(profile_changed, user_id=user.id, username=user.username, changed=tuple(changed))
        send(user_action, action="change_profile")
        return _text(f"Profile updated: {', '.join(changed)}", 200)

    @app.post("/share")
    def share() -> Response:
        _logged_in_user()
        send(user_action, action="share")
        return _text("Profile shared")

    @app.get("/error")
    def error() -> str:
        raise RuntimeError("Deliberate error")
