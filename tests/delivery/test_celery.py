"""Celery delivery against a real redis-server and a real Celery worker subprocess."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from flask import Flask

from delivery.celery_worker import (
    Shop,
    attempted,
    celery_app,
    profile_changed,
    registered,
    shop_opened,
    site,
    site_signup,
)
from delivery.conftest import Worker, wait_for
from typedsignals.celery import task_name
from typedsignals.delivery import MessageRejected


def unique() -> str:
    """An email address no other test sends."""
    return f"{uuid.uuid4().hex[:12]}@example.org"


def received_for(worker: Worker, email: str) -> list[dict[str, Any]]:
    """What the worker's receivers wrote for payloads with ``email``."""
    return [entry for entry in worker.received() if entry.get("payload", {}).get("email") == email]


def test_receiver_runs_on_the_worker_with_a_revalidated_payload(worker: Worker) -> None:
    """A send publishes a task; the worker's receiver gets the payload rebuilt by its model."""
    email = unique()
    ((_, handle),) = registered.send("web", user_id="7", email=email)
    assert handle.get(timeout=20) == "recorded"
    (entry,) = received_for(worker, email)
    assert entry["payload"] == {"user_id": 7, "email": email}
    assert entry["model"] == "Registered"
    assert entry["sender"] == "'web'"
    assert entry["id"] == handle.id
    assert entry["pid"] == worker.process.pid


def test_registered_sender_type_travels(worker: Worker) -> None:
    """A sender of a type given to register_sender arrives as that type, restored."""
    email = unique()
    ((_, handle),) = shop_opened.send(Shop("eu-west"), user_id=1, email=email)
    handle.get(timeout=20)
    (entry,) = received_for(worker, email)
    assert entry["sender"] == "eu-west"


def test_flask_app_sender_is_restored_by_import_name(worker: Worker) -> None:
    """A Flask app travels as its import name; the worker restores its own app of that name."""
    email = unique()
    ((_, handle),) = site_signup.send(site, user_id=1, email=email)
    handle.get(timeout=20)
    (entry,) = received_for(worker, email)
    assert entry["sender"] == f"<Flask {site.import_name!r}>"


def test_payload_invalid_for_the_workers_newer_model_is_rejected(worker: Worker) -> None:
    """Valid for the sender's model, invalid for the worker's: logged by signal, not run."""
    ((_, handle),) = profile_changed.send(None, user_id=41, nickname="al")
    with pytest.raises(MessageRejected, match="ProfileV2 rejects it"):
        handle.get(timeout=20)
    assert not [e for e in worker.received() if e.get("payload", {}).get("user_id") == 41]
    lines = [line for line in worker.log_text().splitlines() if handle.id in line]
    assert any(
        "signal 'celery-profile-changed'" in line and "rejected, not retried" in line
        for line in lines
    )
    assert not any("Retry in" in line for line in lines)


def test_payload_valid_for_both_models_runs_on_the_newer_one(worker: Worker) -> None:
    """An old-schema message the newer model accepts is validated by it and runs."""
    ((_, handle),) = profile_changed.send(None, user_id=42, nickname="alice")
    handle.get(timeout=20)
    (entry,) = [e for e in worker.received() if e.get("payload", {}).get("user_id") == 42]
    assert entry["model"] == "ProfileV2"


def message(**changes: Any) -> str:
    """A well-formed message for the profile receiver, with ``changes`` applied."""
    fields: dict[str, Any] = {
        "format": 1,
        "signal": profile_changed.name,
        "receiver": "delivery.celery_worker:record",
        "schema": 1,
        "id": uuid.uuid4().hex,
        "sender": None,
        "payload": {"user_id": 43, "nickname": "alice"},
        "headers": {},
    }
    return json.dumps({**fields, **changes})


PROFILE_TASK = task_name("celery-profile-changed", "delivery.celery_worker:record")


@pytest.mark.parametrize(
    ("text", "logged"),
    [
        ("{not json", "deferred message rejected, not retried: a deferred-delivery message"),
        (message(format=2), "message format 2 is not 1"),
        (message(payload=[1]), "message field 'payload' must be a dict"),
        (message(schema=3), "schema version 3 is newer than this worker's ProfileV2 (version 2)"),
        (message(signal="celery-nowhere"), "it reached the task of"),
        (message(sender={"nope": 1}), "its sender cannot be restored"),
    ],
    ids=["not-json", "format", "payload-type", "newer-schema", "other-signal", "sender"],
)
def test_bad_messages_are_rejected_with_a_log_line(worker: Worker, text: str, logged: str) -> None:
    """Corrupt or unknown messages fail their task at once, logged; the worker goes on."""
    handle = celery_app.send_task(PROFILE_TASK, args=[text])
    with pytest.raises(MessageRejected):
        handle.get(timeout=20)
    assert logged in worker.log_text()
    ((_, after),) = registered.send("web", user_id=1, email=unique())
    assert after.get(timeout=20) == "recorded"


def test_unknown_signal_task_is_discarded_by_the_worker(worker: Worker) -> None:
    """A message for a signal the worker does not defer is discarded, and the worker lives."""
    celery_app.send_task(
        task_name("celery-nowhere", "x:y"), args=[message(signal="celery-nowhere")]
    )
    wait_for(
        lambda: "unregistered task of type 'typedsignals:celery-nowhere:x:y'" in worker.log_text(),
        what="the worker to discard the message",
    )
    ((_, after),) = registered.send("web", user_id=1, email=unique())
    assert after.get(timeout=20) == "recorded"


def test_receiver_exception_is_retried_by_the_task_options(worker: Worker) -> None:
    """A receiver failing twice runs a third time (max_retries=2), with the same key."""
    key = uuid.uuid4().hex
    ((_, handle),) = attempted.send(None, key=key, failures=2)
    assert handle.get(timeout=20) == 3
    attempts = [e for e in worker.received() if e.get("attempt") == key]
    assert [e["id"] for e in attempts] == [handle.id] * 3


def test_retries_stop_at_max_retries(worker: Worker) -> None:
    """A receiver that keeps failing fails its task after max_retries retries."""
    key = uuid.uuid4().hex
    ((_, handle),) = attempted.send(None, key=key, failures=10)
    with pytest.raises(ConnectionError, match="attempt 3 of"):
        handle.get(timeout=20)
    assert len([e for e in worker.received() if e.get("attempt") == key]) == 3


def test_sender_must_be_a_flask_app_of_the_worker(worker: Worker) -> None:
    """A Flask app the worker does not know is rejected with its import name, not run."""
    stranger = Flask("no.such.module")
    ((_, handle),) = site_signup.send(stranger, user_id=1, email=unique())
    with pytest.raises(MessageRejected, match=r"no Flask app with import name 'no\.such\.module'"):
        handle.get(timeout=20)


def test_rejected_message_is_not_retried_even_under_autoretry_for_exception(
    worker: Worker,
) -> None:
    """autoretry_for=(Exception,) retries receiver errors, never a rejected message."""
    text = message(
        signal=attempted.name,
        receiver="delivery.celery_worker:flaky",
        payload={"key": "k", "failures": "many"},
    )
    handle = celery_app.send_task(
        task_name(attempted.name, "delivery.celery_worker:flaky"), args=[text]
    )
    with pytest.raises(MessageRejected, match="Attempt rejects it"):
        handle.get(timeout=20)
    lines = [line for line in worker.log_text().splitlines() if handle.id in line]
    assert lines
    assert not any("Retry in" in line for line in lines)
