"""The deferred-delivery benchmark (#20): its harness, not its timings.

Timings on a shared machine are too noisy to assert. What is checked: each comparison
runs end to end on tiny sizes (the Celery one against the real redis-server and worker
it starts itself), every message it publishes is run, and the report and the JSON hold
every figure.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import delivery as bench

ROOT = Path(__file__).resolve().parent.parent


def test_thread_pool_figures_are_per_call() -> None:
    """Every side of the thread-pool comparison gives a positive time per call."""
    figures = bench.thread_pool_enqueue(calls=50, repeats=2)
    times = [figures.deferred, figures.executor, figures.deferred_draining]
    assert all(0 < value < 0.01 for value in [*times, figures.executor_draining, figures.send])
    assert figures.ratio == pytest.approx(figures.deferred / figures.executor)
    assert (figures.calls, figures.repeats) == (50, 2)


def test_thread_pool_batches_run_every_call() -> None:
    """The receiver runs once per call of every timed batch: the batches really drain."""
    runs: list[object] = []
    original = bench.noop
    bench.noop = lambda sender, payload: runs.append(payload)  # type: ignore[assignment]
    try:
        bench.thread_pool_enqueue(calls=30, repeats=1)
    finally:
        bench.noop = original
    assert len(runs) == 30 * 5  # deferred and submit, held and draining; send, held


def test_celery_throughput_runs_every_message() -> None:
    """Both sides publish and run every message through a real Redis and worker."""
    figures = bench.celery_throughput(messages=20, repeats=1)
    rates = [figures.ours_publish, figures.plain_publish]
    assert all(rate > 0 for rate in [*rates, figures.ours_end_to_end, figures.plain_end_to_end])
    assert figures.overhead == pytest.approx(figures.plain_end_to_end / figures.ours_end_to_end)
    report = bench.render(None, figures)
    assert "messages/s" in report
    assert "end to end" in report


def test_report_and_json_hold_every_figure() -> None:
    """``python -m benchmarks.delivery --json`` prints every figure, run as the module."""
    result = subprocess.run(
        [
            *(sys.executable, "-m", "benchmarks.delivery", "--only", "threads", "--json"),
            *("--calls", "20", "--repeats", "1"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    figures = json.loads(result.stdout)
    assert set(figures["enqueue"]) >= {"deferred", "executor", "send", "ratio", "ratio_draining"}
    assert figures["celery"] is None
    assert "Thread pool, enqueue cost" in bench.render(
        bench.EnqueueFigures(1e-6, 1e-6, 2e-6, 1e-6, 3e-6, calls=1, repeats=1), None
    )
