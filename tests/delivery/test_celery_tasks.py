"""CeleryDelivery's task registration, in process (no broker needed to connect)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from celery import Celery  # type: ignore[import-untyped]  # Celery ships no types

from typedsignals import Payload, Signal
from typedsignals.celery import CeleryDelivery, task_name
from typedsignals.delivery import DeliveryError, MessageRejected


class Ping(Payload):
    n: int


def pong(sender: object, payload: Ping) -> None:
    """A receiver to defer."""


@pytest.fixture
def ping() -> Iterator[Signal[Any, ..., Ping]]:
    """A fresh signal; ``pong`` is disconnected after the test."""
    signal: Signal[Any, ..., Ping] = Signal(f"tasks-{uuid.uuid4().hex[:8]}", Ping)
    yield signal
    signal.disconnect(pong)


def test_connect_registers_one_task_with_the_options(ping: Signal[Any, ..., Ping]) -> None:
    """The task is named from signal and receiver, with defaults, options and no-retry rules."""
    app = Celery("tasks-test")
    ping.connect(pong, via=CeleryDelivery(app, max_retries=7))
    task = app.tasks[task_name(ping.name, f"{__name__}:pong")]
    assert task.max_retries == 7
    assert task.acks_late is True
    assert task.serializer == "json"
    assert MessageRejected in task.dont_autoretry_for
    assert MessageRejected in task.throws


def test_with_options_adds_to_the_delivery_options() -> None:
    """with_options() keeps the app and the options, and overrides the ones given."""
    app = Celery("tasks-test")
    base = CeleryDelivery(app, max_retries=1, queue="mail")
    more = base.with_options(max_retries=5)
    assert more.app is app
    assert more.options == {**base.options, "max_retries": 5}


def test_one_task_cannot_have_two_sets_of_options(ping: Signal[Any, ..., Ping]) -> None:
    """Connecting a receiver's task again with other options is refused, naming it."""
    app = Celery("tasks-test")
    ping.connect(pong, via=CeleryDelivery(app, max_retries=1))
    other: Signal[Any, ..., Ping] = Signal(ping.name, Ping)
    with pytest.raises(DeliveryError, match=r"tasks-.*pong is already registered"):
        other.connect(pong, via=CeleryDelivery(app, max_retries=2))
