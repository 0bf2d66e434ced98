"""The Celery app of the delivery tests: the tests send through it, the worker runs it.

The test process imports this module as the sender; the worker subprocess
(``celery -A delivery.celery_worker worker``) imports it too, so both connect the same
receivers and agree on their task names. Receivers append what they got, as a JSON
line, to the file named by ``TYPEDSIGNALS_TEST_OUT``. ``TYPEDSIGNALS_TEST_SCHEMA=2``
gives the worker the newer :class:`ProfileV2` model for :data:`profile_changed`.
With ``TYPEDSIGNALS_TEST_SPANS`` set (the worker's case), the worker traces with
``typedsignals.otel`` and writes each span it ends to that file as a JSON line.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Annotated, Any

from celery import Celery  # type: ignore[import-untyped]  # Celery ships no types
from flask import Flask
from pydantic import StringConstraints

from typedsignals import Payload, Signal
from typedsignals.celery import CeleryDelivery
from typedsignals.delivery import current_envelope, register_sender

BROKER = os.environ.get("TYPEDSIGNALS_TEST_BROKER", "redis://127.0.0.1:1/0")
"""The Redis URL; the tests set it in ``celery_app.conf`` before sending."""

celery_app = Celery("typedsignals-tests", broker=BROKER, backend=BROKER)
celery_app.conf.update(
    broker_connection_retry_on_startup=True,
    worker_cancel_long_running_tasks_on_connection_loss=True,
    worker_prefetch_multiplier=1,
    # Unacknowledged messages (acks_late) go back to the queue after this long: it must
    # exceed the slowest receiver, and bounds how late a lost message comes back. The
    # worker looks for them every interval x throttle seconds (kombu's default 10 x 10).
    broker_transport_options={
        "visibility_timeout": 4,
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    },
    result_expires=600,
)

tasks = CeleryDelivery(celery_app)
retrying = tasks.with_options(
    autoretry_for=(Exception,), max_retries=2, default_retry_delay=0, retry_jitter=False
)

site = Flask(__name__)
"""A Flask app as a sender: the worker finds it by its import name, this module."""


class Shop:
    """A sender type of our own, registered below with its serialisable form."""

    def __init__(self, code: str) -> None:
        self.code = code


register_sender(Shop, lambda shop: shop.code, Shop, key="shop")


class Registered(Payload):
    """Payload of :data:`registered`."""

    user_id: int
    email: str


class ProfileV1(Payload):
    """What the sender knows of :data:`profile_changed`."""

    user_id: int
    nickname: str


class ProfileV2(Payload):
    """The worker's newer model: nicknames of at least 3 characters."""

    __schema_version__ = 2

    user_id: int
    nickname: Annotated[str, StringConstraints(min_length=3)]


class Attempt(Payload):
    """Payload of :data:`attempted`: fail ``failures`` times before succeeding."""

    key: str
    failures: int


registered = Signal("celery-registered", Registered)
shop_opened = Signal("celery-shop-opened", Registered, sender=Shop)
site_signup = Signal("celery-site-signup", Registered, sender=Flask)
profile_changed = Signal(
    "celery-profile-changed",
    ProfileV2 if os.environ.get("TYPEDSIGNALS_TEST_SCHEMA") == "2" else ProfileV1,
)
attempted = Signal("celery-attempted", Attempt)
bulk = Signal("celery-bulk", Registered)


def write(entry: dict[str, Any]) -> None:
    """Append ``entry`` as a JSON line to the output file."""
    with Path(os.environ["TYPEDSIGNALS_TEST_OUT"]).open("a") as out:
        out.write(json.dumps(entry) + "\n")


def record(sender: object, payload: Payload) -> str:
    """Write what arrived: the sender's form, the payload, its model and message id."""
    envelope = current_envelope()
    write(
        {
            "sender": sender.code if isinstance(sender, Shop) else repr(sender),
            "payload": payload.model_dump(mode="json"),
            "model": type(payload).__qualname__,
            "id": envelope.id if envelope is not None else None,
            "pid": os.getpid(),
        }
    )
    return "recorded"


def flaky(sender: object, payload: Attempt) -> int:
    """Fail with ConnectionError the first ``payload.failures`` times for its key."""
    envelope = current_envelope()
    write({"attempt": payload.key, "id": envelope.id if envelope is not None else None})
    lines = Path(os.environ["TYPEDSIGNALS_TEST_OUT"]).read_text().splitlines()
    tries = sum(json.loads(line).get("attempt") == payload.key for line in lines)
    if tries <= payload.failures:
        raise ConnectionError(f"attempt {tries} of {payload.key} fails")
    return tries


def slow(sender: object, payload: Registered) -> None:
    """Take a while, then record: messages are in flight while Redis restarts.

    A message for an address that starts with ``hold-`` writes ``{"holding": email, "id":
    message id}`` and then waits (at most a minute) until the test creates the file
    ``<email>.open`` next to the output file: while it waits, the worker is inside this
    call and not fetching, so the test can crash Redis, or the worker, at a moment it
    knows.
    """
    if payload.email.startswith("hold-"):
        envelope = current_envelope()
        write({"holding": payload.email, "id": envelope.id if envelope is not None else None})
        gate = Path(os.environ["TYPEDSIGNALS_TEST_OUT"]).with_name(f"{payload.email}.open")
        deadline = time.monotonic() + 60
        while not gate.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
    else:
        time.sleep(0.05)
    record(sender, payload)


registered.connect(record, via=tasks)
shop_opened.connect(record, via=tasks)
site_signup.connect(record, via=tasks)
profile_changed.connect(record, via=tasks)
attempted.connect(flaky, via=retrying)
bulk.connect(slow, via=tasks)


def trace_to(path: str) -> None:
    """Instrument this process, exporting every span as a JSON line appended to ``path``."""
    from collections.abc import Sequence

    from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
    from opentelemetry.sdk.trace.export import (
        SimpleSpanProcessor,
        SpanExporter,
        SpanExportResult,
    )

    from typedsignals import otel

    class JsonLines(SpanExporter):
        def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
            with Path(path).open("a") as out:
                for span in spans:
                    assert span.context is not None
                    out.write(
                        json.dumps(
                            {
                                "name": span.name,
                                "trace_id": f"{span.context.trace_id:032x}",
                                "span_id": f"{span.context.span_id:016x}",
                                "parent_id": (
                                    None if span.parent is None else f"{span.parent.span_id:016x}"
                                ),
                                "kind": span.kind.name,
                                "pid": os.getpid(),
                            }
                        )
                        + "\n"
                    )
            return SpanExportResult.SUCCESS

    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(JsonLines()))
    otel.instrument(provider)


if os.environ.get("TYPEDSIGNALS_TEST_SPANS"):
    trace_to(os.environ["TYPEDSIGNALS_TEST_SPANS"])
