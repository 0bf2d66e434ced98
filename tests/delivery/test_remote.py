"""Out-of-process delivery in one process: connect-time checks, messages, the worker side."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from pydantic import Field

from typedsignals import Payload, ReceiverTypeError, SenderTypeError, Signal
from typedsignals.delivery import (
    DeferredCall,
    Envelope,
    MessageRejected,
    RemoteDelivery,
    current_envelope,
    deliver,
    reduce_sender,
    register_flask_app,
    register_sender,
    restore_sender,
)


class Loopback(RemoteDelivery):
    """Publishes by keeping each message; the test delivers it."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def publish(self, call: DeferredCall, message: str) -> str:
        self.messages.append(message)
        return call.id


class Signup(Payload):
    user_id: int
    email: str


class Token:
    """A sender type with no serialisable form."""


class Region:
    """A sender type given one below."""

    def __init__(self, code: str) -> None:
        self.code = code


register_sender(Region, lambda region: region.code, Region, key="tests-region")


def fresh(sender: type[Any] | None = None) -> Signal[Any, ..., Signup]:
    """A signal with a name no other test uses (the worker registry is per process)."""
    return Signal(f"remote-{uuid.uuid4().hex[:8]}", Signup, sender=sender)


@pytest.fixture
def loop() -> Loopback:
    """A loopback delivery."""
    return Loopback()


seen: list[tuple[object, Signup, Envelope | None]] = []


def remember(sender: object, payload: Signup) -> str:
    """Keep what arrived, with the message being delivered."""
    seen.append((sender, payload, current_envelope()))
    return "done"


def failing(sender: object, payload: Signup) -> None:
    """Fail as a flaky SMTP server would."""
    raise ConnectionError("smtp down")


@pytest.fixture
def connected(loop: Loopback) -> Iterator[Signal[Any, ..., Signup]]:
    """A fresh signal with ``remember`` deferred through ``loop``."""
    signal = fresh()
    signal.connect(remember, via=loop)
    seen.clear()
    yield signal
    signal.disconnect(remember)


def test_message_round_trip_calls_the_receiver(
    connected: Signal[Any, ..., Signup], loop: Loopback
) -> None:
    """deliver() rebuilds the payload with the model and calls the receiver with it."""
    ((_, handle),) = connected.send("web", user_id="3", email="a@example.org")
    (text,) = loop.messages
    assert deliver(text) == "done"
    ((sender, payload, envelope),) = seen
    assert sender == "web"
    assert payload == Signup(user_id=3, email="a@example.org")
    assert envelope is not None
    assert envelope.id == handle
    assert current_envelope() is None


def test_message_is_the_documented_json(
    connected: Signal[Any, ..., Signup], loop: Loopback
) -> None:
    """The wire message holds the documented keys, and nothing else."""
    connected.send(None, user_id=3, email="a@example.org")
    data = json.loads(loop.messages[0])
    assert data == {
        "format": 1,
        "signal": connected.name,
        "receiver": f"{__name__}:remember",
        "schema": 1,
        "id": data["id"],
        "sender": None,
        "payload": {"user_id": 3, "email": "a@example.org"},
        "headers": {},
    }


def test_invalid_payload_is_rejected_and_logged_by_signal(
    connected: Signal[Any, ..., Signup], loop: Loopback, caplog: pytest.LogCaptureFixture
) -> None:
    """A payload the model rejects is logged with the signal's name; the receiver never runs."""
    connected.send(None, user_id=3, email="a@example.org")
    data = json.loads(loop.messages[0])
    data["payload"]["user_id"] = "three"
    with (
        caplog.at_level(logging.ERROR, logger="typedsignals"),
        pytest.raises(MessageRejected, match="Signup rejects it"),
    ):
        deliver(json.dumps(data))
    assert seen == []
    (record,) = caplog.records
    assert f"signal {connected.name!r}" in record.getMessage()
    assert "rejected, not retried" in record.getMessage()


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"signal": "remote-nowhere"}, "unknown signal"),
        ({"receiver": "elsewhere:remember"}, "this receiver is not deferred"),
        ({"schema": 2}, "schema version 2 is newer than this worker's Signup (version 1)"),
        ({"sender": {"tests-unknown-form": 1}}, "the sender form 'tests-unknown-form' is unknown"),
    ],
    ids=["signal", "receiver", "schema", "sender"],
)
def test_unknown_parts_are_rejected(
    connected: Signal[Any, ..., Signup],
    loop: Loopback,
    caplog: pytest.LogCaptureFixture,
    changes: dict[str, Any],
    why: str,
) -> None:
    """Unknown signal, receiver, newer schema or sender form: rejected with a log line."""
    connected.send(None, user_id=3, email="a@example.org")
    data = {**json.loads(loop.messages[0]), **changes}
    with caplog.at_level(logging.ERROR, logger="typedsignals"), pytest.raises(MessageRejected):
        deliver(json.dumps(data))
    assert seen == []
    assert why in caplog.text


def test_older_schema_is_validated_by_the_newer_model(loop: Loopback) -> None:
    """A message of an older schema version runs if the worker's newer model accepts it."""

    class SignupV3(Signup):
        __schema_version__ = 3

    signal: Signal[Any, ..., SignupV3] = Signal(f"remote-{uuid.uuid4().hex[:8]}", SignupV3)
    signal.connect(remember, via=loop)
    seen.clear()
    try:
        signal.send(None, user_id=1, email="a")
        data = {**json.loads(loop.messages[0]), "schema": 1}
        deliver(json.dumps(data))
        assert type(seen[0][1]) is SignupV3
    finally:
        signal.disconnect(remember)


def test_corrupt_message_is_rejected(caplog: pytest.LogCaptureFixture) -> None:
    """A message that is not JSON is rejected with a log line, not a crash."""
    with caplog.at_level(logging.ERROR, logger="typedsignals"), pytest.raises(MessageRejected):
        deliver(b"\xff{")
    assert "deferred message rejected, not retried" in caplog.text


def test_receiver_exception_propagates(loop: Loopback) -> None:
    """A receiver's own exception is raised as is, for the queue's retry policy."""
    signal = fresh()
    signal.connect(failing, via=loop)
    try:
        signal.send(None, user_id=1, email="a")
        with pytest.raises(ConnectionError, match="smtp down"):
            deliver(loop.messages[0])
    finally:
        signal.disconnect(failing)


def test_disconnected_receiver_is_no_longer_delivered(loop: Loopback) -> None:
    """Once disconnected, a receiver's messages are rejected: the registry forgets it."""
    signal = fresh()
    signal.connect(remember, via=loop)
    signal.send(None, user_id=1, email="a")
    signal.disconnect(remember)
    with pytest.raises(MessageRejected, match="unknown signal"):
        deliver(loop.messages[0])


class Alias(Payload):
    user_id: int = Field(alias="userId")


def test_aliased_fields_round_trip(loop: Loopback) -> None:
    """A model with field aliases travels by alias, as send() takes its fields."""
    signal: Signal[Any, ..., Alias] = Signal(f"remote-{uuid.uuid4().hex[:8]}", Alias)
    got: list[Alias] = []

    def keep(sender: object, payload: Alias) -> None:
        got.append(payload)

    signal.connect(keep, via=loop)
    try:
        signal.send(None, userId=5)
        assert json.loads(loop.messages[0])["payload"] == {"userId": 5}
        deliver(loop.messages[0])
        assert got == [Alias(userId=5)]
    finally:
        signal.disconnect(keep)


# -- connect-time checks ------------------------------------------------------------


def test_unreducible_sender_filter_is_refused_at_connect(loop: Loopback) -> None:
    """Connecting for a sender that cannot travel fails at once, naming signal and receiver."""
    signal = fresh()
    with pytest.raises(SenderTypeError, match=r"signal 'remote-.*a Token sender.*remember"):
        signal.connect(remember, Token(), via=loop)
    assert signal.receivers_for(None) == ()


def test_unreducible_declared_sender_type_is_refused_at_connect(loop: Loopback) -> None:
    """With ANY, the signal's declared sender type must have a serialisable form."""
    signal = fresh(Token)
    with pytest.raises(SenderTypeError, match=r"its sender type Token has no serialisable form"):
        signal.connect(remember, via=loop)


@pytest.mark.parametrize("sender_type", [str, int, Flask, Region], ids=lambda t: t.__name__)
def test_reducible_declared_sender_types_connect(loop: Loopback, sender_type: type[Any]) -> None:
    """Plain types, Flask apps and registered types are accepted for ANY."""
    signal = fresh(sender_type)
    signal.connect(remember, via=loop)
    signal.disconnect(remember)


def test_undeclared_sender_type_is_checked_on_send(
    connected: Signal[Any, ..., Signup], loop: Loopback
) -> None:
    """A signal with no sender type checks each send's sender before queueing anything."""
    with pytest.raises(SenderTypeError, match=r"a Token sender cannot leave the process"):
        connected.send(Token(), user_id=1, email="a")
    assert loop.messages == []


def test_lambda_is_refused(loop: Loopback) -> None:
    """A lambda has no unique path a worker could find it by."""
    signal = fresh()
    with pytest.raises(ReceiverTypeError, match="no unique name"):
        signal.connect(lambda sender, payload: None, via=loop)


def make_receiver() -> Callable[[object, Signup], None]:
    """A new function object with the same path each time."""

    def twin(sender: object, payload: Signup) -> None: ...

    return twin


def test_two_receivers_with_one_path_for_one_sender_are_refused(loop: Loopback) -> None:
    """A worker could not tell apart two receivers of one path for the same sender."""
    signal = fresh()
    first, second = make_receiver(), make_receiver()
    signal.connect(first, via=loop)
    try:
        with pytest.raises(ReceiverTypeError, match="could not tell them apart"):
            signal.connect(second, via=loop)
    finally:
        signal.disconnect(first)


class Mailer:
    """One mailer per app: the same receiver path, told apart by the sender."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.sent: list[int] = []

    def welcome(self, sender: Flask, payload: Signup) -> None:
        self.sent.append(payload.user_id)


def test_receivers_of_one_path_are_told_apart_by_sender(loop: Loopback) -> None:
    """Bound methods of one path connected per app: each message reaches its app's one."""
    signal = fresh(Flask)
    apps = [Flask("tests_remote_first"), Flask("tests_remote_second")]
    mailers = [Mailer("first"), Mailer("second")]
    for app, mailer in zip(apps, mailers):
        signal.connect(mailer.welcome, app, via=loop)
    try:
        signal.send(apps[1], user_id=2, email="a")
        signal.send(apps[0], user_id=1, email="a")
        for text in loop.messages:
            deliver(text)
        assert [m.sent for m in mailers] == [[1], [2]]
    finally:
        for app, mailer in zip(apps, mailers):
            signal.disconnect(mailer.welcome, app)


# -- sender forms -------------------------------------------------------------------


@pytest.mark.parametrize("sender", [None, "web", 7, 2.5, True], ids=repr)
def test_plain_senders_are_themselves(sender: object) -> None:
    """None, str, int, float and bool travel as themselves."""
    assert reduce_sender(sender) == sender
    assert restore_sender(sender) == sender


def test_flask_app_travels_by_import_name() -> None:
    """A Flask app's form is its import name; restoring gives the registered app."""
    app = Flask("tests_remote_app")
    assert reduce_sender(app) == {"flask": "tests_remote_app"}
    assert restore_sender({"flask": "tests_remote_app"}) is app
    newer = Flask("tests_remote_app")
    register_flask_app(newer)
    assert restore_sender({"flask": "tests_remote_app"}) is newer


def test_registered_type_travels_under_its_key() -> None:
    """A registered type reduces to {key: form} and is restored by its restore function."""
    assert reduce_sender(Region("eu")) == {"tests-region": "eu"}
    restored = restore_sender({"tests-region": "eu"})
    assert isinstance(restored, Region)
    assert restored.code == "eu"


def test_a_key_belongs_to_one_type() -> None:
    """Registering another type under a used key is refused."""
    with pytest.raises(ValueError, match="already used for Region"):
        register_sender(Token, repr, lambda form: Token(), key="tests-region")


def test_unknown_forms_are_errors() -> None:
    """Restoring a form that is neither plain nor known names what is wrong."""
    with pytest.raises(Exception, match="is not a sender form"):
        restore_sender([1, 2])
