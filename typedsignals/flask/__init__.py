"""Typed Flask signals: Flask's built-in signals with Pydantic payloads, and an extension.

Each of Flask's ten signals is declared here under the same name as in
``flask.signals``, with a payload model holding the keyword arguments Flask sends::

    from flask import Flask
    from typedsignals.flask import RequestFinished, request_finished

    app = Flask(__name__)

    @request_finished.connect_via(app)
    def log_response(sender: Flask, payload: RequestFinished) -> None:
        print(f"finished with status {payload.response.status_code}")

The bridge is lazy: nothing is connected to Flask's own blinker signal until a typed
receiver connects, and then one plain receiver forwards each send to the typed ones.
Sending through a typed declaration reaches Flask's raw blinker receivers as well.

:class:`TypedSignals` is the Flask extension holding per-app settings (the receiver
error policy); :func:`send` sends a custom signal from the current app under that
policy. Catalogs for extensions live in submodules, each importable when its extension
is installed: :mod:`typedsignals.flask.login`, :mod:`typedsignals.flask.principal`,
:mod:`typedsignals.flask.mail`, :mod:`typedsignals.flask.sqlalchemy`.

This module needs Flask: ``pip install "typedsignals[flask]"``.
"""

from __future__ import annotations

from .._require import missing_extra as _missing_extra

try:
    import flask as _flask  # noqa: F401  # fail here, with the extra to install, not deeper
except ModuleNotFoundError as _exc:
    raise _missing_extra(
        _exc, "flask", extra="flask", needed_by="typedsignals.flask", project="Flask"
    ) from None

from ._bridge import BridgedSignal, BridgeWarning
from ._ext import CONFIG_ERROR_POLICY, EXTENSION_KEY, AppSettings, TypedSignals, send, settings_for
from ._signals import (
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
    appcontext_popped,
    appcontext_pushed,
    appcontext_tearing_down,
    before_render_template,
    got_request_exception,
    message_flashed,
    request_finished,
    request_started,
    request_tearing_down,
    template_rendered,
)

__all__ = [
    "CONFIG_ERROR_POLICY",
    "EXTENSION_KEY",
    "AppContextPopped",
    "AppContextPushed",
    "AppContextTearingDown",
    "AppSettings",
    "BeforeRenderTemplate",
    "BridgeWarning",
    "BridgedSignal",
    "GotRequestException",
    "MessageFlashed",
    "RequestFinished",
    "RequestStarted",
    "RequestTearingDown",
    "TemplateRendered",
    "TypedSignals",
    "appcontext_popped",
    "appcontext_pushed",
    "appcontext_tearing_down",
    "before_render_template",
    "got_request_exception",
    "message_flashed",
    "request_finished",
    "request_started",
    "request_tearing_down",
    "send",
    "settings_for",
    "template_rendered",
]

for _public in (AppSettings, TypedSignals):
    _public.__module__ = __name__  # reprs and docs show the public path
