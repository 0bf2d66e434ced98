"""Raw sends by Flask and its extensions: every value they really send is accepted, and a
send the declaration cannot describe is reported under the app's error policy."""

from __future__ import annotations

import enum
import logging
from typing import Any

import pytest
from blinker import Namespace
from flask import Flask, flash
from markupsafe import Markup
from pydantic import field_validator

from typedsignals import Payload, PayloadError, SenderTypeError, strict_mode
from typedsignals.flask import (
    BridgedSignal,
    BridgeWarning,
    MessageFlashed,
    TypedSignals,
    message_flashed,
    request_tearing_down,
)
from typedsignals.testing import capture


class LazyText:
    """Stands for a lazy translation string (flask_babel's LazyString): not a ``str``."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return self.text

    def __html__(self) -> str:
        return self.text


class Level(enum.Enum):
    """A flash category that is not a string."""

    WARNING = 30


MESSAGES: list[object] = [
    "saved",
    Markup("<b>saved</b>"),
    LazyText("gespeichert"),
    {"title": "Saved", "body": "Your profile was saved."},
    ("saved", 3),
    42,
    None,
]
"""Messages Flask's flash() accepts: it stores and sends whatever it is given."""


@pytest.mark.parametrize("message", MESSAGES, ids=lambda m: type(m).__name__)
def test_flash_delivers_any_message_as_is(app: Flask, message: object) -> None:
    """A flashed message of any type reaches typed receivers as the very object flashed."""
    with capture(message_flashed) as sent, app.test_request_context():
        flash(message)  # type: ignore[arg-type]  # Flask's annotation says str; it stores anything
    payload: MessageFlashed = sent.payloads[0]
    assert payload.message is message
    assert payload.category == "message"


@pytest.mark.parametrize("category", ["error", Level.WARNING, 3, None], ids=repr)
def test_flash_delivers_any_category_as_is(app: Flask, category: object) -> None:
    """A category of any type reaches typed receivers unchanged."""
    with capture(message_flashed) as sent, app.test_request_context():
        flash("saved", category)  # type: ignore[arg-type]  # as above
    assert sent.payloads[0].category is category


def test_flash_of_a_dict_keeps_the_request_alive(app: Flask) -> None:
    """A view flashing a dict answers 200 while a typed receiver listens."""
    heard: list[object] = []

    @app.route("/flash-dict")
    def flash_dict() -> str:
        flash({"title": "Saved"}, "info")  # type: ignore[arg-type]  # as above
        return "ok"

    def on_flash(sender: Flask, payload: MessageFlashed) -> None:
        heard.append(payload.message)

    with message_flashed.connected_to(on_flash):
        response = app.test_client().get("/flash-dict")
    assert response.status_code == 200
    assert heard == [{"title": "Saved"}]


def test_teardown_with_a_base_exception(app: Flask) -> None:
    """request_tearing_down accepts any BaseException, as Flask passes sys.exc_info()[1]."""
    interrupt = KeyboardInterrupt()
    with capture(request_tearing_down) as sent, app.test_request_context():
        app.do_teardown_request(interrupt)
    assert sent.payloads[0].exc is interrupt


# -- a raw send the declaration cannot describe -------------------------------------------


class Counted(Payload):
    """Payload of the private test signal."""

    count: int


def private_signal() -> BridgedSignal[Flask, ..., Counted]:
    """A bridged signal on a raw signal no other test touches."""
    return BridgedSignal(Namespace().signal("counted"), Counted, sender=Flask)


def test_log_policy_logs_a_bad_raw_send_and_skips_typed_receivers(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    """Under the app's "log" policy a raw send that fails validation is logged, not raised."""
    TypedSignals(app, error_policy="log")
    signal = private_signal()
    with capture(signal) as sent, caplog.at_level(logging.ERROR):
        signal.raw.send(app, count="many")
    assert len(sent) == 0
    (record,) = [r for r in caplog.records if r.name == "typedsignals"]
    message = record.getMessage()
    assert "'counted'" in message
    assert "count" in message
    assert isinstance(record.exc_info and record.exc_info[1], PayloadError)


def test_log_policy_logs_a_raw_send_from_a_wrong_sender(caplog: pytest.LogCaptureFixture) -> None:
    """Under a signal's "log" policy a raw send from a wrong sender type is logged."""
    signal = BridgedSignal(Namespace().signal("counted"), Counted, sender=Flask, error_policy="log")
    with capture(signal) as sent, caplog.at_level(logging.ERROR):
        signal.raw.send("not an app", count=1)
    assert len(sent) == 0
    (record,) = [r for r in caplog.records if r.name == "typedsignals"]
    assert "'counted'" in record.getMessage()
    assert isinstance(record.exc_info and record.exc_info[1], SenderTypeError)


def test_log_policy_keeps_a_request_alive_when_flask_sends_something_unexpected(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    """A request whose raw send cannot be validated still answers 200 under "log"."""
    TypedSignals(app, error_policy="log")
    signal = private_signal()

    @app.route("/odd")
    def odd() -> str:
        signal.raw.send(app, count=object())
        return "ok"

    with signal.connected_to(lambda sender, payload: None), caplog.at_level(logging.ERROR):
        response = app.test_client().get("/odd")
    assert response.status_code == 200
    assert "'counted'" in caplog.text


@pytest.mark.parametrize("policy", ["raise", "collect"])
def test_other_policies_raise_a_bad_raw_send(app: Flask, policy: Any) -> None:
    """Under "raise" and "collect" a raw send that fails validation raises PayloadError."""
    TypedSignals(app, error_policy=policy)
    signal = private_signal()
    with capture(signal), pytest.raises(PayloadError, match="count"):
        signal.raw.send(app, count="many")


def test_strict_mode_reports_unheard_raw_sends_under_the_policy(
    app: Flask, other_app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    """In strict mode an unheard bad raw send is checked, and logged under "log"."""
    TypedSignals(app, error_policy="log")
    signal = private_signal()
    with (
        strict_mode(True),
        signal.connected_to(lambda sender, payload: None, sender=other_app),
        caplog.at_level(logging.ERROR),
    ):
        signal.raw.send(app, count="many")
    assert "'counted'" in caplog.text


# -- validators run once per raw send -------------------------------------------------------


VALIDATOR_CALLS: list[int] = []
"""The values the validator of :class:`Audited` was called with."""


class Audited(Payload):
    """A payload whose validator has a side effect: it counts its calls."""

    count: int

    @field_validator("count")
    @classmethod
    def positive(cls, value: int) -> int:
        """Count the call, then refuse negative counts."""
        VALIDATOR_CALLS.append(value)
        if value < 0:
            raise ValueError("count must not be negative")
        return value


@pytest.fixture
def audited() -> BridgedSignal[Flask, ..., Audited]:
    """A private bridged signal with the counting validator, and a fresh count."""
    VALIDATOR_CALLS.clear()
    return BridgedSignal(Namespace().signal("audited"), Audited, sender=Flask)


def test_valid_raw_send_runs_the_validator_once(
    app: Flask, audited: BridgedSignal[Flask, ..., Audited]
) -> None:
    """A valid raw send validates its arguments once."""
    with capture(audited):
        audited.raw.send(app, count=1)
    assert VALIDATOR_CALLS == [1]


def test_invalid_raw_send_runs_the_validator_once(
    app: Flask, audited: BridgedSignal[Flask, ..., Audited]
) -> None:
    """A raw send the validator refuses runs it once before PayloadError."""
    with capture(audited), pytest.raises(PayloadError, match="negative"):
        audited.raw.send(app, count=-1)
    assert VALIDATOR_CALLS == [-1]


def test_raw_send_with_unknown_argument_validates_twice_at_most(
    app: Flask, audited: BridgedSignal[Flask, ..., Audited]
) -> None:
    """Unknown arguments cost one more validation, of the known ones only."""
    with capture(audited), pytest.warns(BridgeWarning, match="colour"):
        audited.raw.send(app, count=2, colour="red")
    assert VALIDATOR_CALLS == [2, 2]


def test_strict_unheard_raw_send_runs_the_validator_once(
    app: Flask, other_app: Flask, audited: BridgedSignal[Flask, ..., Audited]
) -> None:
    """In strict mode an unheard raw send is validated once."""
    with strict_mode(True), audited.connected_to(lambda sender, payload: None, sender=other_app):
        audited.raw.send(app, count=3)
    assert VALIDATOR_CALLS == [3]
