"""Keyword receivers connected to Flask's raw blinker signals."""

from __future__ import annotations

from typing import Any

import flask
import flask.signals
from flask import Flask, Response, template_rendered
from flask.signals import before_render_template, message_flashed, request_finished
from flask_sqlalchemy.track_modifications import models_committed
from jinja2 import Template

import typedsignals.flask as typed_flask
from typedsignals.flask.login import user_logged_in
from typedsignals.flask.sqlalchemy import models_committed as typed_models_committed


# -- clean --------------------------------------------------------------------------------------
def on_rendered(
    sender: Flask, template: Template, context: dict[str, Any], **extra: Any
) -> None: ...


def on_any(sender: Flask, **extra: Any) -> None: ...


def on_finished(sender: Flask, response: Response, **extra: object) -> None: ...


def on_flash(sender: Flask, message: object, category: object) -> None: ...


template_rendered.connect(on_rendered)
flask.signals.before_render_template.connect(on_rendered)
request_finished.connect(on_finished)
request_finished.connect(on_any)
message_flashed.connect(on_flash)
template_rendered.connect(lambda sender, **extra: None, weak=False)
typed_flask.template_rendered.connect(lambda sender, payload: print(payload.context))


# -- what Flask does not send, or a receiver that cannot take what it sends -------------------
def misspelt(sender: Flask, template: Template, ctx: dict[str, Any]) -> None: ...


def typed_style(sender: Flask, payload: typed_flask.TemplateRendered) -> None: ...


def too_few(sender: Flask, template: Template) -> None: ...


def wrong_type(sender: Flask, response: int, **extra: Any) -> None: ...


template_rendered.connect(misspelt)
# MYPY: error: Signal "template-rendered" sends no keyword "ctx" (receiver "misspelt"); did you mean "context"?  [typedsignals-raw-receiver]
flask.signals.template_rendered.connect(typed_style)
# MYPY: error: Receiver "typed_style" takes (sender, payload), but signal "template-rendered" is a blinker signal that calls its receivers with keywords (context, template); connect it to typedsignals.flask.template_rendered instead  [typedsignals-raw-receiver]
before_render_template.connect(too_few)
# MYPY: error: Receiver "too_few" does not take the keyword "context" that signal "before-render-template" sends; add the parameter or **kwargs  [typedsignals-raw-receiver]
request_finished.connect(wrong_type)
# MYPY: error: Receiver "wrong_type": signal "request-finished" sends "response" as "Response", not "int"  [typedsignals-raw-receiver]

# -- blinker holds receivers weakly unless told otherwise ----------------------------------------
template_rendered.connect(lambda sender, **extra: None)
# MYPY: error: Signal "template-rendered": a lambda connected with blinker's default weak=True is dropped as soon as nothing else refers to it; connect it with weak=False or keep a reference  [typedsignals-dropped-receiver]

# -- the typed mirrors check sends like any typed signal -----------------------------------------
typed_flask.message_flashed.send(Flask("x"), message="hi", category="info")
typed_flask.message_flashed.send(Flask("x"), mesage="hi", category="info")
# MYPY: error: Signal "message-flashed" has no field "mesage"; did you mean "message"?  [typedsignals-unknown-field]
# PYRIGHT: error: Argument missing for parameter "message" (reportCallIssue)
# PYRIGHT: error: No parameter named "mesage" (reportCallIssue)


# -- the extension catalogs ----------------------------------------------------------------------
def on_committed(sender: Flask, changes: list[tuple[Any, str]]) -> None: ...


def on_commited(sender: Flask, changez: list[tuple[Any, str]]) -> None: ...


models_committed.connect(on_committed)
models_committed.connect(on_commited)
# MYPY: error: Signal "models-committed" sends no keyword "changez" (receiver "on_commited"); did you mean "changes"?  [typedsignals-raw-receiver]
typed_models_committed.send(Flask("x"), changes=[])
typed_models_committed.send(Flask("x"), change=[])
# MYPY: error: Signal "flask-sqlalchemy.models-committed" has no field "change"; did you mean "changes"?  [typedsignals-unknown-field]
# PYRIGHT: error: Argument missing for parameter "changes" (reportCallIssue)
# PYRIGHT: error: No parameter named "change" (reportCallIssue)
user_logged_in.send(Flask("x"), usr=None)
# MYPY: error: Signal "flask-login.logged-in" has no field "usr"; did you mean "user"?  [typedsignals-unknown-field]
# PYRIGHT: error: Argument missing for parameter "user" (reportCallIssue)
# PYRIGHT: error: No parameter named "usr" (reportCallIssue)
