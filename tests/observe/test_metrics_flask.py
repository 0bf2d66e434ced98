"""Metrics and budgets on Flask's typed signals, sent by a real Flask app."""

from __future__ import annotations

import logging
import time

import pytest
from blinker import Namespace as RawNamespace
from flask import Flask

from typedsignals import Payload, metrics
from typedsignals.flask import BridgedSignal, RequestStarted, request_started


def on_request(sender: Flask, payload: RequestStarted) -> None:
    """A typed receiver of Flask's request_started."""


def test_flask_sends_are_measured() -> None:
    """Requests of a real app count as sends of the typed request_started."""
    app = Flask(__name__)
    app.add_url_rule("/", "index", lambda: "ok")
    with metrics.enabled(request_started), request_started.connected_to(on_request):
        client = app.test_client()
        client.get("/")
        client.get("/")
    seen = metrics.of(request_started)
    metrics.reset(request_started)
    assert seen.sends == 2
    assert [(r.name, r.calls) for r in seen.receivers] == [(f"{__name__}.on_request", 2)]


class Flushed(Payload):
    keys: int


def test_bridged_declaration_takes_a_budget(caplog: pytest.LogCaptureFixture) -> None:
    """BridgedSignal(slow_receiver_ms=) warns for a typed receiver over it on raw sends."""
    raw = RawNamespace().signal("cache-flushed")
    flushed = BridgedSignal(raw, Flushed, sender=Flask, slow_receiver_ms=1)

    def slow(sender: Flask, payload: Flushed) -> None:
        time.sleep(0.004)

    with caplog.at_level(logging.WARNING, "typedsignals"), flushed.connected_to(slow):
        raw.send(Flask("demo"), keys=3)
    assert "slow receiver" in caplog.text
    assert "of signal 'cache-flushed' took" in caplog.text
