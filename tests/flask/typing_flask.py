"""Type-checked, never run: what mypy and pyright see of typedsignals.flask.

Each line ending in ``# error`` must be reported by both checkers, and no other line;
``tests/flask/test_flask_typing.py`` checks it. The checks sit inside functions that
nobody calls, so importing this module (pytest's doctest collection does) does nothing.
"""

from __future__ import annotations

from flask import Flask
from jinja2 import Template
from typing_extensions import assert_type
from werkzeug.wrappers import Response

from typedsignals import Payload
from typedsignals.flask import (
    BeforeRenderTemplate,
    RequestFinished,
    TemplateRendered,
    before_render_template,
    message_flashed,
    request_finished,
    send,
    template_rendered,
)
from typedsignals.flask.login import UserLoggedIn, user_logged_in
from typedsignals.flask.sqlalchemy import ModelsCommitted, Operation, models_committed
from typedsignals.testing import capture


class Other(Payload):
    """An unrelated payload."""

    value: int


def on_rendered(sender: Flask, payload: TemplateRendered) -> None:
    """A well-typed receiver."""
    assert_type(payload.template, Template)
    payload.context["extra"] = 1


def on_finished(sender: Flask, payload: RequestFinished) -> None:
    """Another one."""
    assert_type(payload.response, Response)


def wrong_payload(sender: Flask, payload: Other) -> None:
    """A receiver for some other signal."""


def check_connect() -> None:
    """Receivers must take the signal's sender and payload types."""
    template_rendered.connect(on_rendered)
    request_finished.connect(on_finished)
    request_finished.connect(on_rendered)  # error
    template_rendered.connect(wrong_payload)  # error


def check_send(app: Flask, response: Response, template: Template) -> None:
    """Sends through the declarations check the fields."""
    request_finished.send(app, response=response)
    request_finished.send(app, response="text")  # error
    request_finished.send(app, status=200)  # error
    template_rendered.send(app, template=template, context={})
    before_render_template.send("not an app", template=template, context={})  # error
    message_flashed.send(app, message={"title": "Saved"}, category=3)  # flash() stores anything


def check_payloads(app: Flask) -> None:
    """Captured payloads keep their types."""
    with capture(before_render_template, app) as sent:
        pass
    payload = sent.payloads[0]
    assert_type(payload, BeforeRenderTemplate)
    assert_type(payload.context["anything"], object)  # error


def check_catalogs() -> None:
    """Extension catalog payloads are typed too."""

    @user_logged_in.connect
    def on_login(sender: Flask, payload: UserLoggedIn) -> None:
        payload.user.get_id()

    @models_committed.connect
    def on_commit(sender: Flask, payload: ModelsCommitted) -> None:
        for change in payload.changes:
            assert_type(change.operation, Operation)


def check_send_helper() -> None:
    """typedsignals.flask.send checks the fields of the signal it sends."""
    send(request_finished, response=Response())
    send(request_finished, response=None)  # error
