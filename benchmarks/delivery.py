"""``python -m benchmarks.delivery``: what deferred delivery costs (#20).

Two comparisons, each against the plain tool doing the same job:

* **Thread pool, enqueue cost.** The cost of queueing one deferred receiver call on a
  :class:`~typedsignals.delivery.ThreadPoolDelivery` (what a send pays per deferred
  receiver: the stand-in builds the call, with its idempotency key, and queues it) next
  to a bare ``ThreadPoolExecutor.submit(receiver, sender, payload)``. The issue's target:
  within 2x. The whole ``send`` of a signal with one deferred receiver (payload
  validation included) is reported beside it. Each repeat queues ``calls`` calls on
  each side, interleaved in a rotating order, and the queues are drained, untimed,
  between batches; the figure is the median per call over the repeats.
* **Celery throughput.** Messages per second through a local ``redis-server`` with one
  Celery worker (``--pool=solo``): ``messages`` sends of a signal whose receiver is
  deferred through :class:`~typedsignals.celery.CeleryDelivery`, next to as many
  ``apply_async`` calls of a plain Celery task given the same JSON text. Both tasks
  have the same options (``acks_late``, no result stored) and do the same work (one
  Redis ``INCR``, which is how the benchmark sees them finish). Reported: the publish
  rate (sender side alone) and the end-to-end rate (first publish to last message
  run), and our overhead as the ratio plain / ours.

The benchmark starts its own ``redis-server`` (Debian package ``redis-server``) on a
free loopback port and its own worker (``celery -A benchmarks.delivery:celery_app``),
and stops both. No test checks these timings (the machine is shared and noisy).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from typedsignals import Payload, Signal
from typedsignals.delivery import DeferredCall, DeferredReceiver, ThreadPoolDelivery

from .results import load_average, machine_info

if __name__ == "__main__":
    # Run as benchmarks.delivery, the module the worker imports: receiver paths and task
    # names must be the same on both sides ("__main__:counted" is not), and nothing of
    # this module is defined twice.
    from benchmarks.delivery import main as _main

    sys.exit(_main())

__all__ = [
    "CeleryFigures",
    "EnqueueFigures",
    "celery_throughput",
    "main",
    "render",
    "thread_pool_enqueue",
]

ROOT = Path(__file__).resolve().parent.parent
COUNTER = "typedsignals-bench:done"
"""The Redis key both benchmark tasks increment."""


class Registered(Payload):
    """The payload both sides carry."""

    user_id: int
    email: str


def noop(sender: object, payload: Registered) -> None:
    """A receiver that does nothing: what is timed is the queueing."""


# -- thread pool ------------------------------------------------------------------------


@dataclass(frozen=True)
class EnqueueFigures:
    """Seconds per call, medians over the repeats.

    ``held``: the workers are kept busy while the batch is queued, so the figure is the
    sender's cost alone. ``draining``: the workers run the calls meanwhile, and the
    sender shares the interpreter with them (what a busy application sees).
    """

    deferred: float
    """Queueing one deferred receiver call (the stand-in, called as a send calls it), held."""
    executor: float
    """``ThreadPoolExecutor.submit`` of the receiver, held."""
    deferred_draining: float
    executor_draining: float
    send: float
    """A whole ``send`` with one deferred receiver (validation, then the queueing), held."""
    calls: int
    repeats: int

    @property
    def ratio(self) -> float:
        """Deferred / bare submit, held: the issue's target is at most 2."""
        return self.deferred / self.executor

    @property
    def ratio_draining(self) -> float:
        """Deferred / bare submit while the workers drain the queue."""
        return self.deferred_draining / self.executor_draining


def thread_pool_enqueue(calls: int = 20_000, repeats: int = 7, workers: int = 2) -> EnqueueFigures:
    """Time queueing ``calls`` calls, per side, ``repeats`` times (see the module)."""
    signal: Signal[object, ..., Registered] = Signal("bench-deferred", Registered)
    pool = ThreadPoolDelivery(max_workers=workers, max_queued=calls + workers + 1)
    executor = ThreadPoolExecutor(max_workers=workers)
    signal.connect(noop, via=pool)
    payload = Registered(user_id=1, email="a@example.org")
    futures: list[Any] = []
    try:
        (stand_in,) = signal.receivers_for("bench")
        assert isinstance(stand_in, DeferredReceiver)

        def deferred() -> None:
            for _ in range(calls):
                futures.append(stand_in("bench", payload))

        def send() -> None:
            for _ in range(calls):
                futures.extend(handle for _, handle in signal.send("bench", user_id=1, email="a"))

        def bare() -> None:
            for _ in range(calls):
                futures.append(executor.submit(noop, "bench", payload))

        def hold(side: str) -> threading.Event:
            """Occupy every worker of the side's pool until the event is set."""
            gate, started = threading.Event(), threading.Semaphore(0)

            def block(*args: object) -> None:
                started.release()
                gate.wait()

            for _ in range(workers):
                if side == "executor":
                    futures.append(executor.submit(block))
                else:
                    futures.append(pool.submit(DeferredCall(signal, block, "bench", payload)))
            for _ in range(workers):
                started.acquire()
            return gate

        sides: dict[str, Callable[[], None]] = {
            "deferred": deferred,
            "send": send,
            "executor": bare,
        }
        cases = [(name, held) for name in sides for held in (True, False) if held or name != "send"]
        times: dict[tuple[str, bool], list[float]] = {case: [] for case in cases}
        for repeat in range(repeats):
            for name, held in cases[repeat % len(cases) :] + cases[: repeat % len(cases)]:
                gate = hold(name) if held else None
                started = time.perf_counter()
                sides[name]()
                times[name, held].append((time.perf_counter() - started) / calls)
                if gate is not None:
                    gate.set()
                wait(futures)  # drained, untimed, before the next batch
                futures.clear()
        median = {case: statistics.median(values) for case, values in times.items()}
        return EnqueueFigures(
            deferred=median["deferred", True],
            executor=median["executor", True],
            deferred_draining=median["deferred", False],
            executor_draining=median["executor", False],
            send=median["send", True],
            calls=calls,
            repeats=repeats,
        )
    finally:
        signal.disconnect(noop)
        pool.shutdown(wait=True)
        executor.shutdown(wait=True)


# -- Celery -------------------------------------------------------------------------------
# The worker imports this module (celery -A benchmarks.delivery:celery_app), so the app,
# the deferred receiver and the plain task are defined at import, from the environment.

BROKER = os.environ.get("TYPEDSIGNALS_BENCH_BROKER", "redis://127.0.0.1:1/0")


def _make_celery() -> Any:
    from celery import Celery  # type: ignore[import-untyped]  # Celery ships no types

    from typedsignals.celery import CeleryDelivery

    app = Celery("typedsignals-bench", broker=BROKER)
    app.conf.update(
        broker_connection_retry_on_startup=True,
        worker_cancel_long_running_tasks_on_connection_loss=True,
        task_ignore_result=True,
    )
    return app, CeleryDelivery(app, acks_late=True, ignore_result=True)


celery_app, celery_delivery = _make_celery()
_counter_client: list[Any] = []


def _count() -> None:
    if not _counter_client:
        import redis

        _counter_client.append(redis.Redis.from_url(celery_app.conf.broker_url))
    _counter_client[0].incr(COUNTER)


def counted(sender: object, payload: Registered) -> None:
    """The deferred receiver: count the message."""
    _count()


@celery_app.task(
    name="bench.plain", shared=False, acks_late=True, ignore_result=True, serializer="json"
)
def plain(message: str) -> None:
    """The plain task, given the same JSON text: count the message."""
    _count()


bench_signal: Signal[str, ..., Registered] = Signal("bench-celery", Registered, sender=str)
bench_signal.connect(counted, via=celery_delivery)


@dataclass(frozen=True)
class CeleryFigures:
    """Messages per second, medians over the repeats."""

    ours_publish: float
    plain_publish: float
    ours_end_to_end: float
    plain_end_to_end: float
    messages: int
    repeats: int

    @property
    def overhead(self) -> float:
        """Plain / ours end to end: how many times slower our messages go through."""
        return self.plain_end_to_end / self.ours_end_to_end

    @property
    def publish_overhead(self) -> float:
        """Plain / ours on the sender's side alone."""
        return self.plain_publish / self.ours_publish


def _free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.01)


@contextmanager
def services(workdir: Path) -> Iterator[str]:
    """A redis-server and one Celery worker on it; yields the Redis URL."""
    import redis

    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed (Debian package redis-server)")
    port = _free_port()
    url = f"redis://127.0.0.1:{port}/0"
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", workdir],
        stdout=subprocess.DEVNULL,
    )
    log = workdir / "worker.log"
    worker: subprocess.Popen[bytes] | None = None
    try:
        client = redis.Redis(port=port)

        def answers() -> bool:
            try:
                return bool(client.ping())
            except redis.ConnectionError:
                return False

        _wait(answers, 20, "redis-server")
        worker = subprocess.Popen(
            [
                *(sys.executable, "-m", "celery", "-A", "benchmarks.delivery:celery_app"),
                *("worker", "--pool=solo", "--loglevel=WARNING", f"--logfile={log}"),
                *("--without-heartbeat", "--without-mingle", "--without-gossip"),
            ],
            cwd=ROOT,
            env={**os.environ, "TYPEDSIGNALS_BENCH_BROKER": url},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        celery_app.conf.update(broker_url=url)
        client.set(COUNTER, 0)
        plain.apply_async(("warm-up",))  # the worker is ready once it ran this
        _wait(lambda: int(client.get(COUNTER) or 0) == 1, 60, "the Celery worker")
        client.close()
        yield url
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(30)
        server.terminate()
        server.wait(30)


def celery_throughput(messages: int = 2000, repeats: int = 3) -> CeleryFigures:
    """Publish and run ``messages`` messages per side, ``repeats`` times (see the module)."""
    import redis

    with (
        tempfile.TemporaryDirectory(prefix="typedsignals-bench-") as workdir,
        services(Path(workdir)) as url,
    ):
        client = redis.Redis.from_url(url)
        # What the plain task carries: one of our messages, as JSON.
        sample = bench_signal.validate("bench", user_id=1, email="a@example.org")
        text = DeferredCall(bench_signal, counted, "bench", sample).envelope("bench").to_json()

        def ours() -> None:
            for n in range(messages):
                bench_signal.send("bench", user_id=n + 1, email="a@example.org")

        def bare() -> None:
            for _ in range(messages):
                plain.apply_async((text,))

        sides = {"ours": ours, "plain": bare}
        publish: dict[str, list[float]] = {name: [] for name in sides}
        end_to_end: dict[str, list[float]] = {name: [] for name in sides}
        names = list(sides)
        for repeat in range(repeats):
            for name in names[repeat % 2 :] + names[: repeat % 2]:
                client.set(COUNTER, 0)
                started = time.perf_counter()
                sides[name]()
                published = time.perf_counter()
                _wait(
                    lambda: int(client.get(COUNTER) or 0) >= messages,
                    max(30.0, messages / 50),
                    f"{messages} {name} messages",
                )
                done = time.perf_counter()
                publish[name].append(messages / (published - started))
                end_to_end[name].append(messages / (done - started))
        client.close()
    return CeleryFigures(
        ours_publish=statistics.median(publish["ours"]),
        plain_publish=statistics.median(publish["plain"]),
        ours_end_to_end=statistics.median(end_to_end["ours"]),
        plain_end_to_end=statistics.median(end_to_end["plain"]),
        messages=messages,
        repeats=repeats,
    )


# -- report -------------------------------------------------------------------------------


def render(enqueue: EnqueueFigures | None, celery: CeleryFigures | None) -> str:
    """The figures as text."""
    lines = [f"Deferred delivery (#20); load average {load_average()}"]
    if enqueue is not None:
        verdict = "within" if enqueue.ratio <= 2 else "OVER"
        lines += [
            "",
            f"Thread pool, enqueue cost per call (median of {enqueue.repeats} x "
            f"{enqueue.calls} calls):",
            f"  {'':38}{'workers held':>14}{'draining':>12}",
            f"  {'deferred receiver (stand-in -> pool)':38}{enqueue.deferred * 1e6:11.2f} us"
            f"{enqueue.deferred_draining * 1e6:9.2f} us",
            f"  {'ThreadPoolExecutor.submit':38}{enqueue.executor * 1e6:11.2f} us"
            f"{enqueue.executor_draining * 1e6:9.2f} us",
            f"  {'ratio':38}{enqueue.ratio:13.2f}x{enqueue.ratio_draining:11.2f}x"
            f"  ({verdict} the 2x target, held)",
            f"  {'whole send, one deferred receiver':38}{enqueue.send * 1e6:11.2f} us",
        ]
    if celery is not None:
        lines += [
            "",
            f"Celery through local Redis, one worker (--pool=solo), median of "
            f"{celery.repeats} x {celery.messages} messages, messages/s:",
            f"  {'':24}{'typedsignals':>14}{'plain task':>14}{'plain/ours':>12}",
            f"  {'publish (sender only)':24}{celery.ours_publish:14.0f}"
            f"{celery.plain_publish:14.0f}{celery.publish_overhead:11.2f}x",
            f"  {'end to end':24}{celery.ours_end_to_end:14.0f}"
            f"{celery.plain_end_to_end:14.0f}{celery.overhead:11.2f}x",
        ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the figures (``--json`` to print them as JSON)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.delivery", description=__doc__)
    parser.add_argument("--calls", type=int, default=20_000, help="thread-pool calls per batch")
    parser.add_argument("--messages", type=int, default=2000, help="Celery messages per side")
    parser.add_argument("--repeats", type=int, default=5, help="repeats of each comparison")
    parser.add_argument("--only", choices=["threads", "celery"], help="run one comparison")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    enqueue = (
        thread_pool_enqueue(args.calls, args.repeats) if args.only in (None, "threads") else None
    )
    celery = (
        celery_throughput(args.messages, max(1, args.repeats // 2 + 1))
        if args.only in (None, "celery")
        else None
    )
    if args.json:
        figures = {
            "machine": machine_info(),
            "enqueue": asdict(enqueue)
            | {"ratio": enqueue.ratio, "ratio_draining": enqueue.ratio_draining}
            if enqueue
            else None,
            "celery": asdict(celery) | {"overhead": celery.overhead} if celery else None,
        }
        print(json.dumps(figures, indent=2))
    else:
        print(render(enqueue, celery))
    return 0
