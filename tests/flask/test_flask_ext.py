"""The TypedSignals extension: per-app settings and the error policy."""

from __future__ import annotations

import logging

import pytest
from blinker import Namespace
from flask import Flask
from flask.testing import FlaskClient

from typedsignals import ErrorPolicy, Payload, ReceiverErrors, Signal, SignalDefinitionError
from typedsignals.flask import (
    EXTENSION_KEY,
    AppSettings,
    BridgedSignal,
    RequestFinished,
    TypedSignals,
    request_finished,
    send,
    settings_for,
)
from typedsignals.flask._ext import app_policy
from typedsignals.testing import capture


class UserAction(Payload):
    """Payload of the custom signal below."""

    action: str


user_action = Signal("user-action", UserAction, sender=Flask)


def failing_analytics(sender: Flask, payload: RequestFinished) -> None:
    """A receiver whose backend is down."""
    raise ConnectionError("analytics backend unreachable")


def test_init_app_stores_settings_in_extensions(app: Flask) -> None:
    """init_app stores an AppSettings under app.extensions["typedsignals"]."""
    TypedSignals().init_app(app, error_policy="log")
    assert app.extensions[EXTENSION_KEY] == AppSettings("log")
    assert settings_for(app) == AppSettings(error_policy="log")


def test_settings_for_uninitialised_app_is_none(app: Flask) -> None:
    """An app without the extension has no settings."""
    assert settings_for(app) is None


def test_policy_from_config(app: Flask) -> None:
    """Without an explicit policy, init_app reads TYPEDSIGNALS_ERROR_POLICY."""
    app.config["TYPEDSIGNALS_ERROR_POLICY"] = "collect"
    TypedSignals(app)
    assert settings_for(app) == AppSettings("collect")


def test_explicit_policy_beats_config(app: Flask) -> None:
    """The constructor's policy wins over the config value."""
    app.config["TYPEDSIGNALS_ERROR_POLICY"] = "collect"
    TypedSignals(app, error_policy="log")
    assert settings_for(app) == AppSettings("log")


def test_one_extension_object_serves_several_apps(app: Flask, other_app: Flask) -> None:
    """init_app on two apps gives each its own settings."""
    ext = TypedSignals(error_policy="log")
    ext.init_app(app)
    ext.init_app(other_app, error_policy="collect")
    assert settings_for(app) == AppSettings("log")
    assert settings_for(other_app) == AppSettings("collect")


@pytest.mark.parametrize("policy", ["ignore", "LOG", "warn"])
def test_invalid_policy_is_rejected(app: Flask, policy: str) -> None:
    """An unknown policy name is refused with the valid ones listed."""
    app.config["TYPEDSIGNALS_ERROR_POLICY"] = policy
    with pytest.raises(SignalDefinitionError, match="error_policy"):
        TypedSignals(app)


def test_failing_receiver_fails_the_request_by_default(client: FlaskClient) -> None:
    """Under the default "raise" policy a failing receiver's error propagates."""
    with (
        request_finished.connected_to(failing_analytics),
        pytest.raises(ConnectionError, match="unreachable"),
    ):
        client.get("/")


def test_log_policy_keeps_the_request_alive(
    app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    """Under the app's "log" policy the failure is logged and the response is sent."""
    TypedSignals(app, error_policy="log")
    with request_finished.connected_to(failing_analytics), caplog.at_level(logging.ERROR):
        response = client.get("/")
    assert response.status_code == 200
    (record,) = [r for r in caplog.records if r.name == "typedsignals"]
    assert "request-finished" in record.getMessage()
    assert "failing_analytics" in record.getMessage()


def test_policy_is_per_app(app: Flask, other_app: Flask) -> None:
    """One app logs failures while another, without the setting, still raises."""
    TypedSignals(app, error_policy="log")
    with request_finished.connected_to(failing_analytics):
        assert app.test_client().get("/").status_code == 200
        with pytest.raises(ConnectionError):
            other_app.test_client().get("/")


def test_collect_policy_raises_receiver_errors(app: Flask, client: FlaskClient) -> None:
    """Under "collect" every receiver runs, then the failures are raised together."""
    TypedSignals(app, error_policy="collect")
    seen: list[int] = []

    def counting(sender: Flask, payload: RequestFinished) -> None:
        seen.append(payload.response.status_code)

    with (
        request_finished.connected_to(failing_analytics),
        request_finished.connected_to(counting),
        pytest.raises(ReceiverErrors) as info,
    ):
        client.get("/")
    assert seen == [200]
    assert info.value.signal_name == "request-finished"


def test_send_helper_uses_current_app_and_its_policy(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    """send() sends a custom signal from current_app under the app's policy."""
    TypedSignals(app, error_policy="log")
    senders: list[Flask] = []

    def record(sender: Flask, payload: UserAction) -> None:
        senders.append(sender)

    def broken(sender: Flask, payload: UserAction) -> None:
        raise RuntimeError("receiver bug")

    with (
        user_action.connected_to(record),
        user_action.connected_to(broken),
        app.app_context(),
        caplog.at_level(logging.ERROR),
    ):
        results = send(user_action, action="login")
    assert senders == [app]
    assert [receiver for receiver, _ in results] == [record]
    assert "user-action" in caplog.text


def test_send_helper_without_extension_uses_signal_policy(app: Flask) -> None:
    """Without TypedSignals on the app, send() keeps the signal's own policy."""

    def broken(sender: Flask, payload: UserAction) -> None:
        raise RuntimeError("receiver bug")

    with user_action.connected_to(broken), app.app_context(), pytest.raises(RuntimeError):
        send(user_action, action="login")


def test_send_helper_needs_an_app_context() -> None:
    """send() outside an app context is Flask's usual RuntimeError."""
    with pytest.raises(RuntimeError, match="application context"):
        send(user_action, action="login")


class CustomSettings(AppSettings):
    """An app's own settings class, extending the extension's."""


def test_settings_subclass_log_policy_keeps_the_request_alive(app: Flask) -> None:
    """An AppSettings subclass set to "log" is honoured by Flask's own sends."""
    app.extensions[EXTENSION_KEY] = CustomSettings(error_policy="log")
    with request_finished.connected_to(failing_analytics):
        assert app.test_client().get("/").status_code == 200


class Extended:
    """A sender that is not an app, with an ``extensions`` attribute of some kind."""

    def __init__(self, extensions: object) -> None:
        self.extensions = extensions


def configured(settings: object) -> Flask:
    """A fresh app whose extensions hold ``settings`` under the extension's key."""
    app = Flask("tests.configured")
    if settings is not None:
        app.extensions[EXTENSION_KEY] = settings
    return app


SENDERS: dict[str, object] = {
    "app without the extension": configured(None),
    "app with log": configured(AppSettings("log")),
    "app with collect": configured(AppSettings("collect")),
    "app with raise": configured(AppSettings("raise")),
    "app with no policy": configured(AppSettings(None)),
    "app with a settings subclass": configured(CustomSettings("log")),
    "app with a foreign value": configured("log"),
    "not an app": object(),
    "a string": "sender",
    "extensions is a list": Extended(["log"]),
    "extensions is None": Extended(None),
    "extensions is a foreign mapping": Extended({EXTENSION_KEY: {"error_policy": "log"}}),
    "extensions holds settings": Extended({EXTENSION_KEY: AppSettings("log")}),
}
"""Senders of every kind the raw receiver may meet, for the policy rule."""


class Count(Payload):
    """Payload of the policy probe."""

    count: int


def policy_applied(
    signal: BridgedSignal[object, ..., Count], sender: object, caplog: pytest.LogCaptureFixture
) -> str:
    """The error policy a raw send from ``sender`` applies to two failing receivers."""

    def first(sender: object, payload: Count) -> None:
        raise ValueError("first")

    def second(sender: object, payload: Count) -> None:
        raise ValueError("second")

    try:
        with (
            signal.connected_to(first),
            signal.connected_to(second),
            caplog.at_level(logging.ERROR),
        ):
            signal.raw.send(sender, count=1)
    except ReceiverErrors:
        return "collect"
    except ValueError:
        return "raise"
    assert len([r for r in caplog.records if r.name == "typedsignals"]) == 2
    return "log"


@pytest.mark.parametrize("default", ["raise", "collect", "log"])
@pytest.mark.parametrize("sender", list(SENDERS.values()), ids=list(SENDERS))
def test_raw_receiver_applies_app_policy(
    sender: object, default: ErrorPolicy, caplog: pytest.LogCaptureFixture
) -> None:
    """The bridge's receiver applies app_policy(sender), else the signal's own policy."""
    signal = BridgedSignal(Namespace().signal("probe"), Count, sender=object, error_policy=default)
    assert policy_applied(signal, sender, caplog) == (app_policy(sender) or default)


def test_app_policy_ignores_extensions_that_are_not_a_dict() -> None:
    """A sender whose ``extensions`` is not a dict has no app policy."""
    assert app_policy(Extended(["log"])) is None


def test_app_policy_reads_settings_subclasses() -> None:
    """app_policy accepts any AppSettings instance, subclasses included."""
    assert app_policy(configured(CustomSettings("collect"))) == "collect"


def test_send_helper_routes_to_receivers_of_the_current_app(app: Flask, other_app: Flask) -> None:
    """send() uses the app behind current_app, so receivers connected for it hear it."""
    with (
        capture(user_action, app) as mine,
        capture(user_action, other_app) as theirs,
        app.app_context(),
    ):
        send(user_action, action="login")
    assert mine.senders == [app]
    assert len(theirs) == 0
