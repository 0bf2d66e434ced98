"""Real services for the delivery tests: a redis-server and a Celery worker.

The Redis server runs on a free loopback port with an append-only file synced on every
write (so a restart keeps the queue, as a production broker must); the worker is
``celery worker`` in a subprocess on the app of :mod:`delivery.celery_worker`. Both are
stopped when the session ends. Without ``redis-server`` (Debian package
``redis-server``) the tests fail: they never skip.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
import redis

TESTS = Path(__file__).resolve().parent.parent
ROOT = TESTS.parent


def free_port() -> int:
    """A TCP port on the loopback interface that is free right now."""
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for(check: Callable[[], Any], timeout: float = 20.0, what: str = "") -> Any:
    """Poll ``check`` until it returns something true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what or check}")
        time.sleep(0.05)


class RedisServer:
    """A ``redis-server`` process on a free port, with a durable append-only file."""

    def __init__(self, directory: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is not installed (Debian package redis-server)")
        self.binary = binary
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the server on its port and directory; return once it answers."""
        self.process = subprocess.Popen(
            [
                self.binary,
                *("--port", str(self.port), "--dir", str(self.directory), "--save", ""),
                *["--bind", "127.0.0.1", "--appendonly", "yes", "--appendfsync", "always"],
                *("--logfile", str(self.directory / "redis.log")),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        try:
            wait_for(lambda: _answers(client), 20, "redis-server to answer")
        finally:
            client.close()

    def kill(self) -> None:
        """Stop the server at once (SIGKILL), as a crash would."""
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)
            self.process = None

    def client(self) -> redis.Redis:
        """A client of this server (close it after use)."""
        return redis.Redis(port=self.port)


def _answers(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A redis-server for the session, killed at its end."""
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server
    finally:
        server.kill()


class Worker:
    """A ``celery worker`` subprocess running :mod:`delivery.celery_worker`."""

    def __init__(self, broker: str, directory: Path) -> None:
        self.out = directory / "received.jsonl"
        self.out.touch()
        self.spans = directory / "spans.jsonl"
        self.spans.touch()
        self.log = directory / "worker.log"
        self.env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(TESTS), str(ROOT)]),
            "TYPEDSIGNALS_TEST_BROKER": broker,
            "TYPEDSIGNALS_TEST_OUT": str(self.out),
            "TYPEDSIGNALS_TEST_SCHEMA": "2",
            "TYPEDSIGNALS_TEST_SPANS": str(self.spans),
        }
        self.process = self._spawn()

    def _spawn(self) -> subprocess.Popen[bytes]:
        """Start ``celery worker``; return once its log says it is ready."""
        logged = self.log.stat().st_size if self.log.exists() else 0
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "celery", "-A", "delivery.celery_worker", "worker"),
                *["--pool=solo", "--loglevel=INFO", "--without-heartbeat", "--without-mingle"],
                *("--without-gossip", f"--logfile={self.log}"),
                *("--hostname", f"tests-{os.getpid()}@localhost"),
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

        def ready() -> bool:
            if process.poll() is not None:
                assert process.stderr is not None
                pytest.fail(f"the Celery worker exited: {process.stderr.read().decode()}")
            # Only what this start logged counts: a restarted worker appends to the log.
            return self.log.exists() and b" ready." in self.log.read_bytes()[logged:]

        wait_for(ready, 60, "the Celery worker to be ready")
        return process

    def kill(self) -> None:
        """Kill the worker at once (SIGKILL), as a crash or an OOM kill would."""
        self.process.kill()
        self.process.wait(10)
        assert self.process.stderr is not None
        self.process.stderr.close()

    def restart(self) -> None:
        """Start a new worker process after :meth:`kill`, on the same files."""
        self.process = self._spawn()

    def received(self) -> list[dict[str, Any]]:
        """What the receivers wrote so far, one dict per complete line.

        The worker may be writing a line while the test reads: a last line without its
        newline is left for the next read (it failed a loaded CI-like run as bad JSON).
        """
        *complete, _partial = self.out.read_text().split("\n")
        return [json.loads(line) for line in complete]

    def exported_spans(self) -> list[dict[str, Any]]:
        """The spans the worker exported so far (complete lines only, as received())."""
        *complete, _partial = self.spans.read_text().split("\n")
        return [json.loads(line) for line in complete]

    def log_text(self) -> str:
        """The worker's log so far."""
        return self.log.read_text()

    def stop(self) -> None:
        """Warm shutdown (SIGTERM); kill it if it does not stop."""
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        assert self.process.stderr is not None
        self.process.stderr.close()


@pytest.fixture(scope="session")
def worker(redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Worker]:
    """A Celery worker for the session, on the session's Redis, with the v2 profile model."""
    from delivery.celery_worker import celery_app

    celery_app.conf.update(broker_url=redis_server.url, result_backend=redis_server.url)
    running = Worker(redis_server.url, tmp_path_factory.mktemp("worker"))
    try:
        yield running
    finally:
        running.stop()
