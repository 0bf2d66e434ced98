"""The tutorial's forms: register, log in and out, the profile, share, the deliberate error.

Routes (forms are posted as ``application/x-www-form-urlencoded``, each with the page's
``csrf_token``; every post is answered by a ``303 See Other`` redirect and a flash
message, so reloading a page never posts twice):

* ``GET /``: home page (a template; a page view), with the register and login forms.
* ``POST /register`` (``username``, ``email``): create an account; sends
  ``data_modified`` and ``user_registered`` (the welcome email, deferred to a worker
  thread or a Celery worker).
* ``POST /login`` (``username``) and ``POST /logout``: the tutorial's simulated login;
  sends ``user_action``.
* ``GET /profile``: the profile page (logged-in users); sends ``user_action``.
* ``POST /profile`` (``display_name``, ``bio``; a field left out keeps its value):
  change the profile; sends ``data_modified`` and ``profile_changed`` (the last-modified
  stamp).
* ``POST /share``: share the profile; the partner tracker's receiver fails (logged).
* ``GET /error``: the tutorial's deliberate error (a 500 page, recorded by the
  ActivityLogger).
"""

from __future__ import annotations

from typing import Final

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from pydantic import Field, ValidationError
from werkzeug.wrappers import Response

from typedsignals import Payload
from typedsignals.flask import send

from .app import state_of
from .receivers import current_request_id
from .signals import Email, Username, data_modified, profile_changed, user_action, user_registered
from .storage import Storage, User, UsernameTaken

__all__ = ["PROFILE_FIELDS", "ProfileForm", "Registration", "blueprint"]

blueprint = Blueprint("views", __name__)
"""The form routes."""

PROFILE_FIELDS: Final = ("display_name", "bio")
"""The profile's editable fields, which are also its column names."""


class Registration(Payload):
    """The registration form, validated with the same types as the signal."""

    username: Username
    email: Email


class ProfileForm(Payload):
    """The profile form: each field is optional, and one left out is not changed."""

    display_name: str | None = Field(default=None, max_length=100)
    bio: str | None = Field(default=None, max_length=1000)


def _storage() -> Storage:
    return state_of(current_app).storage


def _see_other(endpoint: str) -> Response:
    """The redirect that ends every form post (post/redirect/get)."""
    return redirect(url_for(endpoint), code=303)


def _problems(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, err['loc']))}: {err['msg']}" for err in exc.errors())


def _logged_in_user() -> User | None:
    username = session.get("user_id")
    return _storage().get_user(username) if isinstance(username, str) else None


@blueprint.get("/")
def index() -> str:
    """The home page: the forms, or links to the profile and the logs."""
    return render_template("index.html")


@blueprint.post("/register")
def register() -> Response:
    """Create an account; its welcome email is deferred."""
    try:
        form = Registration.model_validate(
            {name: request.form.get(name, "") for name in ("username", "email")}
        )
    except ValidationError as exc:
        flash(f"Invalid registration: {_problems(exc)}", "error")
        return _see_other("views.index")
    try:
        user = _storage().create_user(form.username, form.email)
    except UsernameTaken:
        flash(f"The username {form.username} is taken.", "error")
        return _see_other("views.index")
    send(
        data_modified,
        table="users",
        record_id=user.id,
        operation="insert",
        changes={"username": user.username, "email": user.email},
        actor=user.username,
    )
    # The welcome email is deferred: the send returns its handle at once.
    handles = send(
        user_registered,
        user_id=user.id,
        username=user.username,
        email=user.email,
        request_id=current_request_id(),
    )
    state_of(current_app).track(handles)
    flash(f"Registered {user.username}; the welcome email is in the outbox.", "success")
    return _see_other("views.index")


@blueprint.post("/login")
def login() -> Response:
    """The tutorial's simulated login: a username is enough."""
    username = request.form.get("username", "")
    if _storage().get_user(username) is None:
        flash("Unknown user: register first.", "error")
        return _see_other("views.index")
    session["user_id"] = username
    send(user_action, action="login", username=username)
    flash(f"Logged in as {username}.", "success")
    return _see_other("views.profile")


@blueprint.post("/logout")
def logout() -> Response:
    """Forget the logged-in user."""
    username = session.pop("user_id", None)
    send(user_action, action="logout", username=username)
    flash("Logged out.", "info")
    return _see_other("views.index")


@blueprint.get("/profile")
def profile() -> str | Response:
    """The profile page of the logged-in user."""
    user = _logged_in_user()
    if user is None:
        flash("Please log in first.", "error")
        return _see_other("views.index")
    send(user_action, action="view_profile")
    return render_template("profile.html", user=user)


@blueprint.post("/profile")
def change_profile() -> Response:
    """Change the posted profile fields; the others keep their values."""
    user = _logged_in_user()
    if user is None:
        flash("Please log in first.", "error")
        return _see_other("views.index")
    try:
        form = ProfileForm.model_validate(
            {name: request.form[name] for name in PROFILE_FIELDS if name in request.form}
        )
    except ValidationError as exc:
        flash(f"Invalid profile: {_problems(exc)}", "error")
        return _see_other("views.profile")
    changed = _storage().update_profile(user, form.model_dump(exclude_none=True))
    if not changed:
        flash("Nothing changed.", "info")
        return _see_other("views.profile")
    send(
        data_modified,
        table="users",
        record_id=user.id,
        operation="update",
        previous={name: before for name, (before, _) in changed.items()},
        changes={name: after for name, (_, after) in changed.items()},
        actor=user.username,
    )
    send(profile_changed, user_id=user.id, username=user.username, changed=tuple(changed))
    send(user_action, action="change_profile")
    flash(f"Profile updated: {', '.join(name.replace('_', ' ') for name in changed)}.", "success")
    return _see_other("views.profile")


@blueprint.post("/share")
def share() -> Response:
    """Share the profile; the partner tracker's receiver fails, and is only logged."""
    if _logged_in_user() is None:
        flash("Please log in first.", "error")
        return _see_other("views.index")
    send(user_action, action="share")
    flash("Profile shared (the partner tracker's failure was logged, not shown).", "success")
    return _see_other("views.profile")


@blueprint.get("/error")
def error() -> str:
    """The tutorial's deliberate error."""
    raise RuntimeError("Deliberate error")
