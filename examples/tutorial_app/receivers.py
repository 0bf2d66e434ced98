"""The tutorial app's receivers: the ActivityLogger and one class per exercise.

Every receiver is a bound method connected for one app (``sender=app``), so two apps in
one process never see each other's events, and each class holds the storage it writes
to. Bound methods are held weakly on their object; :func:`connect_receivers` returns
the objects so the app can keep them alive.

The welcome email is the slow one (a real mailer talks to an SMTP server), so it is
deferred: connected with ``via=`` a delivery, it runs on a worker thread (the default)
or on a Celery worker, and the request that registered the user does not wait for it.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from time import perf_counter
from typing import Any

from flask import Flask, g, has_request_context, request, session
from pydantic import BaseModel
from typing_extensions import TypeVar

from typedsignals import Signal
from typedsignals.delivery import Delivery
from typedsignals.flask import (
    BeforeRenderTemplate,
    GotRequestException,
    RequestFinished,
    RequestStarted,
    TemplateRendered,
    before_render_template,
    got_request_exception,
    request_finished,
    request_started,
    send,
    template_rendered,
)

from .signals import (
    DataModified,
    ProfileChanged,
    UserAction,
    UserRegistered,
    data_modified,
    profile_changed,
    user_action,
    user_registered,
)
from .storage import Cause, Storage, now

__all__ = [
    "REQUEST_ID_KEY",
    "ActivityLogger",
    "Analytics",
    "AuditTrail",
    "PartnerTracker",
    "ProfileTimestamps",
    "Receivers",
    "TemplateLog",
    "WelcomeMailer",
    "Listener",
    "connect_receivers",
    "current_request_id",
]

M = TypeVar("M", bound=BaseModel)

log = logging.getLogger("tutorial_app")


REQUEST_ID_KEY = "tutorial_app.request_id"
"""Where a request keeps its id: in its WSGI environ, which is the request's own (``g``
belongs to the app context, which a test client may share between requests)."""


def current_request_id() -> str | None:
    """The current request's id (made on first use), or None outside a request."""
    if not has_request_context():
        return None
    request_id: str = request.environ.setdefault(REQUEST_ID_KEY, secrets.token_hex(6))
    return request_id


def current_username() -> str:
    """The logged-in username from the session, or ``"anonymous"``."""
    username = session.get("user_id")
    return username if isinstance(username, str) else "anonymous"


class Listener:
    """Base of the receiver classes: connects bound methods for one app and can
    disconnect them all again."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._connected: list[tuple[Signal[Flask, Any, Any], Callable[..., Any]]] = []

    def listen(
        self,
        signal: Signal[Flask, Any, M],
        receiver: Callable[[Flask, M], None],
        via: Delivery | None = None,
    ) -> None:
        """Connect ``receiver`` (a method of this object) for this object's app only.

        With ``via``, the receiver is deferred: each send queues its call there.
        """
        signal.connect(receiver, sender=self.app, via=via)
        self._connected.append((signal, receiver))

    def cause(self, receiver: Callable[..., Any], request_id: str | None = None) -> Cause:
        """The :class:`Cause` of a row ``receiver`` writes: the signal it was connected to
        by :meth:`listen`, its qualified name, and the current request's id (or
        ``request_id``, for a deferred receiver, which runs outside the request)."""
        for signal, connected in self._connected:
            if connected == receiver:
                return Cause(
                    signal=signal.name,
                    receiver=receiver.__qualname__,
                    request_id=request_id or current_request_id(),
                )
        raise LookupError(f"{receiver!r} is not connected by {self!r}")

    def disconnect(self) -> None:
        """Disconnect every receiver this object connected."""
        for signal, receiver in self._connected:
            signal.disconnect(receiver, self.app)
        self._connected.clear()


class ActivityLogger(Listener):
    """The tutorial's ActivityLogger, typed, saving to the database (exercise 5).

    Times every request (start on ``request_started``, stop on ``request_finished``)
    and records each ``user_action`` and each unhandled exception.
    """

    def __init__(self, app: Flask, storage: Storage) -> None:
        super().__init__(app)
        self.storage = storage
        self.listen(request_started, self.on_request_started)
        self.listen(request_finished, self.on_request_finished)
        self.listen(got_request_exception, self.on_exception)
        self.listen(user_action, self.on_user_action)

    def on_request_started(self, sender: Flask, payload: RequestStarted) -> None:
        """Remember when the request started (and give it its id)."""
        g.start_time = perf_counter()
        current_request_id()

    def on_request_finished(self, sender: Flask, payload: RequestFinished) -> None:
        """Save who asked for what, the status and how long it took (not for the
        stylesheet and icon, which every page asks for)."""
        started: float | None = g.get("start_time")
        if started is None or request.endpoint == "static":
            return
        duration_ms = (perf_counter() - started) * 1000
        status = payload.response.status_code
        detail = f"{request.method} {request.path} -> {status}"
        self.storage.log_activity(
            username=current_username(),
            kind="request",
            detail=detail,
            duration_ms=duration_ms,
            cause=self.cause(self.on_request_finished),
        )
        log.info("activity: %s made %s in %.1f ms", current_username(), detail, duration_ms)

    def on_user_action(self, sender: Flask, payload: UserAction) -> None:
        """Save a user action; the payload's username wins over the session's."""
        username = payload.username or current_username()
        self.storage.log_activity(
            username=username,
            kind="action",
            detail=payload.action,
            cause=self.cause(self.on_user_action),
        )
        log.info("activity: %s performed action %r", username, payload.action)

    def on_exception(self, sender: Flask, payload: GotRequestException) -> None:
        """Save an unhandled exception with the request it broke."""
        detail = f"{request.method} {request.path}: {payload.exception!r}"
        self.storage.log_activity(
            username=current_username(),
            kind="error",
            detail=detail,
            cause=self.cause(self.on_exception),
        )
        log.info("activity: error recorded: %s", detail)


class WelcomeMailer(Listener):
    """The tutorial's welcome email: queued in the outbox on ``user_registered``.

    The slow receiver, deferred through ``delivery``: a send gets a handle back (a
    ``Future`` on the thread pool, an ``AsyncResult`` on Celery) and the email is
    written by a worker thread or a Celery worker, from a payload validated again there.
    """

    def __init__(self, app: Flask, storage: Storage, delivery: Delivery) -> None:
        super().__init__(app)
        self.storage = storage
        self.listen(user_registered, self.send_welcome_email, via=delivery)

    def send_welcome_email(self, sender: Flask, payload: UserRegistered) -> None:
        """Queue the welcome email for the new user (on a worker)."""
        self.storage.queue_email(
            recipient=payload.email,
            subject=f"Welcome, {payload.username}!",
            body=f"Hello {payload.username}, thanks for signing up.",
            cause=self.cause(self.send_welcome_email, payload.request_id),
        )
        log.info("mail: welcome email queued for %s", payload.email)


_CONTEXT_SKIPPED = frozenset({"g", "request", "session", "config"})
"""Context entries every template gets from Flask: not worth logging."""


class TemplateLog(Listener):
    """Exercise 1: log every rendered template with its context data.

    ``before_render_template`` also adds ``rendered_at`` to the context: the payload's
    context is the dict Flask renders with, so the page shows it.
    """

    def __init__(self, app: Flask, storage: Storage) -> None:
        super().__init__(app)
        self.storage = storage
        self.listen(before_render_template, self.stamp)
        self.listen(template_rendered, self.record)

    def stamp(self, sender: Flask, payload: BeforeRenderTemplate) -> None:
        """Add the render time to the context."""
        payload.context["rendered_at"] = now()

    def record(self, sender: Flask, payload: TemplateRendered) -> None:
        """Save the template name and a short text form of each context value."""
        summary = {
            key: _short(value)
            for key, value in payload.context.items()
            if key not in _CONTEXT_SKIPPED and not callable(value)
        }
        name = payload.template.name or "<string>"
        self.storage.log_template(template=name, context=summary, cause=self.cause(self.record))
        log.info("templates: rendered %s with %s", name, ", ".join(sorted(summary)) or "nothing")


def _short(value: Any, limit: int = 60) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class ProfileTimestamps(Listener):
    """Exercise 2: ``profile_changed`` updates the account's ``last_modified``."""

    def __init__(self, app: Flask, storage: Storage) -> None:
        super().__init__(app)
        self.storage = storage
        self.listen(profile_changed, self.update_last_modified)

    def update_last_modified(self, sender: Flask, payload: ProfileChanged) -> None:
        """Stamp the account, and report that write like every other one."""
        before, stamp = self.storage.touch_last_modified(payload.user_id)
        send(
            data_modified,
            table="users",
            record_id=payload.user_id,
            operation="update",
            previous={"last_modified": before},
            changes={"last_modified": stamp},
            actor=payload.username,
        )
        log.info("profile: last_modified of %s set to %s", payload.username, stamp)


class AuditTrail(Listener):
    """Exercise 3: every ``data_modified`` becomes a row of ``audit_log``."""

    def __init__(self, app: Flask, storage: Storage) -> None:
        super().__init__(app)
        self.storage = storage
        self.listen(data_modified, self.record)

    def record(self, sender: Flask, payload: DataModified) -> None:
        """Append the modification to the audit log."""
        self.storage.record_audit(
            actor=payload.actor,
            table=payload.table,
            record_id=payload.record_id,
            operation=payload.operation,
            previous=payload.previous,
            changes=payload.changes,
            cause=self.cause(self.record),
        )
        log.info(
            "audit: %s %s #%d (%s)",
            payload.operation,
            payload.table,
            payload.record_id,
            ", ".join(payload.changes) or "no columns",
        )


class Analytics(Listener):
    """Exercise 4: page views (successful HTML GETs) and user interactions."""

    def __init__(self, app: Flask, storage: Storage) -> None:
        super().__init__(app)
        self.storage = storage
        self.listen(request_finished, self.count_page_view)
        self.listen(user_action, self.count_interaction)

    def count_page_view(self, sender: Flask, payload: RequestFinished) -> None:
        """Count a page view when an HTML page was served."""
        response = payload.response
        is_page = response.status_code == 200 and response.mimetype == "text/html"
        if request.method == "GET" and is_page:
            self.storage.record_page_view(
                username=current_username(),
                path=request.path,
                status=response.status_code,
                cause=self.cause(self.count_page_view),
            )

    def count_interaction(self, sender: Flask, payload: UserAction) -> None:
        """Count a user interaction."""
        self.storage.record_interaction(
            username=payload.username or current_username(),
            action=payload.action,
            cause=self.cause(self.count_interaction),
        )


class PartnerTracker(Listener):
    """Forwards shares to a partner analytics network, which is down (simulated).

    The failing receiver of the demo: under the app's ``"log"`` error policy its error
    is logged and the user still gets their response.
    """

    def __init__(self, app: Flask) -> None:
        super().__init__(app)
        self.listen(user_action, self.forward_share)

    def forward_share(self, sender: Flask, payload: UserAction) -> None:
        """Try to report a share to the partner network."""
        if payload.action == "share":
            raise ConnectionError("partner analytics network unreachable (simulated outage)")


@dataclass
class Receivers:
    """The receiver objects of one app (the app keeps them alive)."""

    listeners: list[Listener] = field(default_factory=list)

    def disconnect(self) -> None:
        """Disconnect every receiver (tests use it; an app just keeps them)."""
        for listener in self.listeners:
            listener.disconnect()
        self.listeners.clear()


def connect_receivers(
    app: Flask, storage: Storage, *, partner_tracking: bool, delivery: Delivery
) -> Receivers:
    """Connect every receiver for ``app`` and return them; the welcome email via ``delivery``."""
    listeners: list[Listener] = [
        ActivityLogger(app, storage),
        WelcomeMailer(app, storage, delivery),
        TemplateLog(app, storage),
        ProfileTimestamps(app, storage),
        AuditTrail(app, storage),
        Analytics(app, storage),
    ]
    if partner_tracking:
        listeners.append(PartnerTracker(app))
    return Receivers(listeners)
