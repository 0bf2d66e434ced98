"""The showcase with ``--celery``: the welcome email runs on a real Celery worker."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from delivery.conftest import ROOT, RedisServer, wait_for


@pytest.fixture
def showcase_worker(redis_server: RedisServer, tmp_path: Path) -> Iterator[tuple[str, Path, Path]]:
    """The tutorial app's Celery worker on the session's Redis, with a fresh database."""
    db = tmp_path / "showcase.sqlite"
    log = tmp_path / "worker.log"
    url = redis_server.url.replace("/0", "/1")  # a database of its own: no stray messages
    env = {**os.environ, "TUTORIAL_APP_CELERY": url, "TUTORIAL_APP_DB": str(db)}
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "celery", "-A", "examples.tutorial_app.worker:celery_app"),
            *("worker", "--pool=solo", "--loglevel=INFO", f"--logfile={log}"),
            *("--without-heartbeat", "--without-mingle", "--without-gossip"),
            *("--hostname", f"showcase-{os.getpid()}@localhost"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: log.exists() and " ready." in log.read_text(), 60, "the worker")
        yield url, db, log
    finally:
        process.terminate()
        process.wait(20)


def test_showcase_sends_the_welcome_email_through_celery(
    showcase_worker: tuple[str, Path, Path],
) -> None:
    """--celery REDIS_URL: the register step's email is written by the Celery worker."""
    url, db, log = showcase_worker
    result = subprocess.run(
        [
            *(sys.executable, "-W", "error", "-m", "examples.tutorial_app"),
            *("--db", str(db), "--celery", url),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "The welcome email is deferred via CeleryDelivery('tutorial_app')" in result.stdout
    assert "ran on a worker: SUCCESS" in result.stdout
    assert "<- 303 SEE OTHER: to /; success: Registered alice" in result.stdout
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("SELECT recipient FROM outbox").fetchall() == [("alice@example.org",)]
    assert "mail: welcome email queued for alice@example.org" in log.read_text()
