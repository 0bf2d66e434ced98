"""A Redis restart while messages are queued and in flight loses none of them."""

from __future__ import annotations

import time
import uuid

from delivery.celery_worker import bulk
from delivery.conftest import RedisServer, Worker, wait_for

COUNT = 30


def test_redis_crash_and_restart_loses_no_message(
    redis_server: RedisServer, worker: Worker
) -> None:
    """Killed mid-delivery and restarted, Redis (AOF, fsync always) and acks_late lose nothing.

    The documented settings: the broker persists every write (``appendonly yes``,
    ``appendfsync always``), tasks acknowledge late, and the visibility timeout brings
    back what was taken but not acknowledged when the connection broke. Delivery is at
    least once: a message in flight at the crash may run twice.
    """
    run = uuid.uuid4().hex[:8]
    emails = [f"{run}-{n}@example.org" for n in range(COUNT)]
    for n, email in enumerate(emails):
        bulk.send("web", user_id=n + 1, email=email)

    def delivered() -> set[str]:
        return {e.get("payload", {}).get("email") for e in worker.received()} & set(emails)

    wait_for(lambda: len(delivered()) >= 5, what="the first deliveries")
    redis_server.kill()
    time.sleep(0.5)
    redis_server.start()
    wait_for(lambda: delivered() == set(emails), timeout=30, what="every message after the restart")
