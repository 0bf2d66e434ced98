"""The trace context through a real Celery worker: its receiver span continues the sender's."""

from __future__ import annotations

import uuid

from otel_spans import instrumented, span_id, trace_id

from delivery.celery_worker import registered
from delivery.conftest import Worker, wait_for


def test_worker_span_is_a_child_of_the_senders_span(worker: Worker) -> None:
    """The worker (traced, exporting to a file) makes the receiver's span under the queuing span."""
    email = f"{uuid.uuid4().hex[:12]}@example.org"
    with instrumented() as traced:
        ((_, handle),) = registered.send("web", user_id=5, email=email)
    assert handle.get(timeout=20) == "recorded"
    (queued,) = traced.children(traced.one(f"send {registered.name}"))
    trace = f"{trace_id(queued):032x}"
    (span,) = wait_for(
        lambda: [s for s in worker.exported_spans() if s["trace_id"] == trace],
        20,
        "the worker to export the receiver's span",
    )
    assert span["parent_id"] == f"{span_id(queued):016x}"
    assert span["name"] == f"{registered.name} -> delivery.celery_worker:record (deferred)"
    assert span["kind"] == "CONSUMER"
    assert span["pid"] == worker.process.pid


def test_untraced_send_starts_a_new_trace_on_the_worker(worker: Worker) -> None:
    """A send made with tracing off carries no context: the worker's span is a root."""
    email = f"{uuid.uuid4().hex[:12]}@example.org"
    before = {s["span_id"] for s in worker.exported_spans()}
    ((_, handle),) = registered.send("web", user_id=6, email=email)
    assert handle.get(timeout=20) == "recorded"
    new = wait_for(
        lambda: [s for s in worker.exported_spans() if s["span_id"] not in before],
        20,
        "the worker to export the receiver's span",
    )
    assert [s["parent_id"] for s in new] == [None]
