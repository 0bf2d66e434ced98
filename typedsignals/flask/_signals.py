"""Typed declarations of Flask's ten built-in signals and their payload models.

Every signal is sent by Flask with the app as sender, so every declaration has
``sender=Flask``. The fields are exactly the keyword arguments Flask passes, with the
types Flask gives them. Fields holding objects Flask still uses (the template context,
the response, the exception) are checked with ``isinstance`` and never copied.
"""

from __future__ import annotations

from typing import Annotated, Any

from flask import Flask
from flask import signals as _raw
from jinja2 import Template
from pydantic import ConfigDict, InstanceOf
from werkzeug.wrappers import Response

from .._payload import Payload
from ._bridge import BridgedSignal, opaque

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


class _FlaskPayload(Payload):
    """Base of the Flask payload models: field docstrings become schema descriptions."""

    model_config = ConfigDict(use_attribute_docstrings=True)


class TemplateRendered(_FlaskPayload):
    """Payload of :data:`template_rendered`."""

    template: JinjaTemplate
    """The template that was rendered."""
    context: TemplateContext
    """The context it was rendered with: the view's variables plus ``g``, ``request``
    and ``session`` when a request is active. The very dict Flask used."""


class BeforeRenderTemplate(_FlaskPayload):
    """Payload of :data:`before_render_template`."""

    template: JinjaTemplate
    """The template about to be rendered."""
    context: TemplateContext
    """The context Flask is about to render with, the very dict: entries a receiver adds
    or changes are what the template sees."""


class RequestStarted(_FlaskPayload):
    """Payload of :data:`request_started` (no fields: use ``flask.request``)."""


class RequestFinished(_FlaskPayload):
    """Payload of :data:`request_finished`."""

    response: FlaskResponse
    """The response about to be sent to the client."""


class GotRequestException(_FlaskPayload):
    """Payload of :data:`got_request_exception`."""

    exception: RaisedException
    """The unhandled exception (Flask sends this signal before turning it into a 500
    response, or re-raising it when exceptions propagate, as in testing)."""


class RequestTearingDown(_FlaskPayload):
    """Payload of :data:`request_tearing_down`."""

    exc: TeardownException
    """The unhandled exception that ended the request, or ``None``."""


class AppContextTearingDown(_FlaskPayload):
    """Payload of :data:`appcontext_tearing_down`."""

    exc: TeardownException
    """The unhandled exception that ended the app context, or ``None``."""


class AppContextPushed(_FlaskPayload):
    """Payload of :data:`appcontext_pushed` (no fields)."""


class AppContextPopped(_FlaskPayload):
    """Payload of :data:`appcontext_popped` (no fields)."""


class MessageFlashed(_FlaskPayload):
    """Payload of :data:`message_flashed`."""

    message: InstanceOf[str]
    """The flashed message. Checked with ``isinstance``, so a ``markupsafe.Markup``
    message stays ``Markup``."""
    category: str
    """Its category: ``"message"`` unless the caller chose another."""


template_rendered = BridgedSignal(
    _raw.template_rendered,
    TemplateRendered,
    sender=Flask,
    module=_MODULE,
    doc="Sent after a template was rendered successfully, with the template and its context.",
)
"""Mirror of ``flask.signals.template_rendered``."""

before_render_template = BridgedSignal(
    _raw.before_render_template,
    BeforeRenderTemplate,
    sender=Flask,
    module=_MODULE,
    doc=(
        "Sent before a template is rendered; receivers may add to or change the context, "
        "which is the dict Flask renders with."
    ),
)
"""Mirror of ``flask.signals.before_render_template``."""

request_started = BridgedSignal(
    _raw.request_started,
    RequestStarted,
    sender=Flask,
    module=_MODULE,
    doc=(
        "Sent when the request context is set up, before any request processing; "
        "flask.request is available."
    ),
)
"""Mirror of ``flask.signals.request_started``."""

request_finished = BridgedSignal(
    _raw.request_finished,
    RequestFinished,
    sender=Flask,
    module=_MODULE,
    doc="Sent right before the response is sent to the client.",
)
"""Mirror of ``flask.signals.request_finished``."""

got_request_exception = BridgedSignal(
    _raw.got_request_exception,
    GotRequestException,
    sender=Flask,
    module=_MODULE,
    doc=(
        "Sent when an unhandled exception occurs during request handling, before Flask "
        "looks for an error handler or returns a 500."
    ),
)
"""Mirror of ``flask.signals.got_request_exception``."""

request_tearing_down = BridgedSignal(
    _raw.request_tearing_down,
    RequestTearingDown,
    sender=Flask,
    module=_MODULE,
    doc="Sent when the request is tearing down, always, even after an exception.",
)
"""Mirror of ``flask.signals.request_tearing_down``."""

appcontext_tearing_down = BridgedSignal(
    _raw.appcontext_tearing_down,
    AppContextTearingDown,
    sender=Flask,
    module=_MODULE,
    doc="Sent when the app context is tearing down, always, even after an exception.",
)
"""Mirror of ``flask.signals.appcontext_tearing_down``."""

appcontext_pushed = BridgedSignal(
    _raw.appcontext_pushed,
    AppContextPushed,
    sender=Flask,
    module=_MODULE,
    doc="Sent when an app context is pushed.",
)
"""Mirror of ``flask.signals.appcontext_pushed``."""

appcontext_popped = BridgedSignal(
    _raw.appcontext_popped,
    AppContextPopped,
    sender=Flask,
    module=_MODULE,
    doc="Sent when an app context is popped.",
)
"""Mirror of ``flask.signals.appcontext_popped``."""

message_flashed = BridgedSignal(
    _raw.message_flashed,
    MessageFlashed,
    sender=Flask,
    module=_MODULE,
    doc="Sent when flask.flash() records a message.",
)
"""Mirror of ``flask.signals.message_flashed``."""

for _model in (
    AppContextPopped,
    AppContextPushed,
    AppContextTearingDown,
    BeforeRenderTemplate,
    GotRequestException,
    MessageFlashed,
    RequestFinished,
    RequestStarted,
    RequestTearingDown,
    TemplateRendered,
):
    _model.__module__ = _MODULE  # reprs and docs show the public path
