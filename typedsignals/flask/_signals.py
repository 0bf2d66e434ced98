"""Typed declarations of Flask's ten built-in signals and their payload models.

Every signal is sent by Flask with the app as sender, so every declaration has
``sender=Flask``. The fields are exactly the keyword arguments Flask passes, and accept
every value Flask really sends (checked against the sources of Flask 3.1): fields
holding objects Flask makes (the template, its context, the response, the exception)
are checked with ``isinstance`` and never copied; the flashed message and its category
are whatever the view gave ``flash()``, which Flask stores without a check, so they are
typed ``Any`` and taken as they are.
"""

from __future__ import annotations

from typing import Annotated, Any

from flask import signals as _raw
from jinja2 import Template
from pydantic import InstanceOf
from werkzeug.wrappers import Response

from ._bridge import CatalogPayload, bridge, opaque

__all__ = [
    "AppContextPopped",
    "AppContextPushed",
    "AppContextTearingDown",
    "BeforeRenderTemplate",
    "GotRequestException",
    "MessageFlashed",
    "RequestFinished",
    "RequestStarted",
    "RequestTearingDown",
    "TemplateRendered",
    "appcontext_popped",
    "appcontext_pushed",
    "appcontext_tearing_down",
    "before_render_template",
    "got_request_exception",
    "message_flashed",
    "request_finished",
    "request_started",
    "request_tearing_down",
    "template_rendered",
]

_MODULE = "typedsignals.flask"

JinjaTemplate = Annotated[Template, opaque("jinja2.Template", "The Jinja template object.")]
"""A ``jinja2.Template``, checked with ``isinstance``."""

TemplateContext = InstanceOf[dict[str, Any]]
"""The context dict Flask renders with. Checked with ``isinstance`` only, so the payload
holds the very dict Flask uses (a receiver's changes reach the template) and a large
context is never copied; its values are whatever the view passed."""

FlaskResponse = Annotated[
    Response,
    opaque(
        "werkzeug.wrappers.Response",
        "The response object (an instance of app.response_class).",
    ),
]
"""The response Flask is about to send. Typed as werkzeug's ``Response``, the base class
of ``flask.Response``, so apps with a custom ``response_class`` are accepted too."""

RaisedException = Annotated[
    Exception, opaque("Exception", "The exception raised while handling the request.")
]
"""An exception instance, checked with ``isinstance`` (never converted)."""

TeardownException = Annotated[
    BaseException | None,
    opaque(
        "BaseException | None",
        "The unhandled exception, or null after a clean exit.",
        nullable=True,
    ),
]
"""The exception a context is torn down with, or ``None`` when it ended normally."""


class TemplateRendered(CatalogPayload):
    """Payload of :data:`template_rendered`."""

    template: JinjaTemplate
    """The template that was rendered."""
    context: TemplateContext
    """The context it was rendered with: the view's variables plus ``g``, ``request``
    and ``session`` when a request is active. The very dict Flask used."""


class BeforeRenderTemplate(CatalogPayload):
    """Payload of :data:`before_render_template`."""

    template: JinjaTemplate
    """The template about to be rendered."""
    context: TemplateContext
    """The context Flask is about to render with, the very dict: entries a receiver adds
    or changes are what the template sees."""


class RequestStarted(CatalogPayload):
    """Payload of :data:`request_started` (no fields: use ``flask.request``)."""


class RequestFinished(CatalogPayload):
    """Payload of :data:`request_finished`."""

    response: FlaskResponse
    """The response about to be sent to the client."""


class GotRequestException(CatalogPayload):
    """Payload of :data:`got_request_exception`."""

    exception: RaisedException
    """The unhandled exception (Flask sends this signal before turning it into a 500
    response, or re-raising it when exceptions propagate, as in testing)."""


class RequestTearingDown(CatalogPayload):
    """Payload of :data:`request_tearing_down`."""

    exc: TeardownException
    """The unhandled exception that ended the request, or ``None``."""


class AppContextTearingDown(CatalogPayload):
    """Payload of :data:`appcontext_tearing_down`."""

    exc: TeardownException
    """The unhandled exception that ended the app context, or ``None``."""


class AppContextPushed(CatalogPayload):
    """Payload of :data:`appcontext_pushed` (no fields)."""


class AppContextPopped(CatalogPayload):
    """Payload of :data:`appcontext_popped` (no fields)."""


class MessageFlashed(CatalogPayload):
    """Payload of :data:`message_flashed`."""

    message: Any
    """The flashed message, the very object given to ``flash()``: usually a ``str``, but
    Flask stores whatever it gets, so it may be a ``markupsafe.Markup``, a lazy
    translation string (flask_babel's ``LazyString``), a dict... Use ``str(message)``
    when you need text."""
    category: Any
    """Its category: ``"message"`` unless the caller chose another; usually a ``str``,
    but taken as given, like the message."""


template_rendered = bridge(
    _raw.template_rendered,
    TemplateRendered,
    "Sent after a template was rendered successfully, with the template and its context.",
    module=_MODULE,
)
"""Mirror of ``flask.signals.template_rendered``."""

before_render_template = bridge(
    _raw.before_render_template,
    BeforeRenderTemplate,
    "Sent before a template is rendered; receivers may add to or change the context, "
    "which is the dict Flask renders with.",
    module=_MODULE,
)
"""Mirror of ``flask.signals.before_render_template``."""

request_started = bridge(
    _raw.request_started,
    RequestStarted,
    "Sent when the request context is set up, before any request processing; "
    "flask.request is available.",
    module=_MODULE,
)
"""Mirror of ``flask.signals.request_started``."""

request_finished = bridge(
    _raw.request_finished,
    RequestFinished,
    "Sent right before the response is sent to the client.",
    module=_MODULE,
)
"""Mirror of ``flask.signals.request_finished``."""

got_request_exception = bridge(
    _raw.got_request_exception,
    GotRequestException,
    "Sent when an unhandled exception occurs during request handling, before Flask "
    "looks for an error handler or returns a 500.",
    module=_MODULE,
)
"""Mirror of ``flask.signals.got_request_exception``."""

request_tearing_down = bridge(
    _raw.request_tearing_down,
    RequestTearingDown,
    "Sent when the request is tearing down, always, even after an exception.",
    module=_MODULE,
)
"""Mirror of ``flask.signals.request_tearing_down``."""

appcontext_tearing_down = bridge(
    _raw.appcontext_tearing_down,
    AppContextTearingDown,
    "Sent when the app context is tearing down, always, even after an exception.",
    module=_MODULE,
)
"""Mirror of ``flask.signals.appcontext_tearing_down``."""

appcontext_pushed = bridge(
    _raw.appcontext_pushed,
    AppContextPushed,
    "Sent when an app context is pushed.",
    module=_MODULE,
)
"""Mirror of ``flask.signals.appcontext_pushed``."""

appcontext_popped = bridge(
    _raw.appcontext_popped,
    AppContextPopped,
    "Sent when an app context is popped.",
    module=_MODULE,
)
"""Mirror of ``flask.signals.appcontext_popped``."""

message_flashed = bridge(
    _raw.message_flashed,
    MessageFlashed,
    "Sent when flask.flash() records a message.",
    module=_MODULE,
)
"""Mirror of ``flask.signals.message_flashed``."""
