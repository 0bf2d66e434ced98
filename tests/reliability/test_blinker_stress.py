"""Concurrency, memory and shutdown of the blinker-compatible layer (``typedsignals.blinker``).

The same checks as ``test_concurrency.py``, through blinker 1.9's API: receivers are
called as ``receiver(sender, **kwargs)``, connected weakly by default (so the test
keeps every receiver referenced), in connection order. Under churn from eight threads
with a tiny switch interval: no exception, no receiver lost, no call from a send that
began after the receiver's disconnect returned, and no delivery to a stranger that
reuses a dead sender's ``id()`` (the blinker bug this layer must not have).
"""

from __future__ import annotations

import asyncio
import collections
import gc
import itertools
import subprocess
import sys
import textwrap
import tracemalloc
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, Final

from typedsignals.blinker import Signal

from ._support import MIB, run_threads, scaled, stored_connections, stored_routes
from .conftest import Figures

THREADS: Final = 8
ROUNDS: Final = scaled(150, 25_000)
TIMEOUT: Final = scaled(60, 3_600)
CYCLES: Final = scaled(5_000, 1_000_000)


class WeakSender:
    __slots__ = ("__weakref__", "token")

    def __init__(self, token: int) -> None:
        self.token = token


class PlainSender:
    """Cannot be weakly referenced: blinker keys it by ``id()`` alone."""

    __slots__ = ("token",)

    def __init__(self, token: int) -> None:
        self.token = token


@dataclass
class Run:
    clock: Callable[[], int] = field(default_factory=lambda: itertools.count().__next__)
    tokens: Callable[[], int] = field(default_factory=lambda: itertools.count(1).__next__)
    sends: Callable[[], int] = field(default_factory=lambda: itertools.count().__next__)
    violations: list[str] = field(default_factory=list)

    def send(self, sig: Signal, sender: object) -> list[tuple[Callable[..., Any], Any]]:
        results = sig.send(sender, seq=self.clock())
        self.sends()
        return results


class Probe:
    """A receiver connected once and disconnected once, checking every call it gets."""

    __slots__ = ("__weakref__", "disconnected_at", "run", "token")

    def __init__(self, run: Run, token: int | None = None) -> None:
        self.run = run
        self.token = token
        self.disconnected_at: int | None = None

    def __call__(self, sender: object, **kwargs: Any) -> None:
        if self.token is not None and getattr(sender, "token", None) != self.token:
            self.run.violations.append(f"false delivery to the receiver of {self.token}")
        gone = self.disconnected_at
        if gone is not None and kwargs["seq"] > gone:
            self.run.violations.append(f"send {kwargs['seq']} called a receiver gone at {gone}")


class Counter:
    """Counts its calls atomically; read ``calls`` once, at the end."""

    __slots__ = ("__weakref__", "_calls")

    def __init__(self) -> None:
        self._calls = itertools.count()

    def __call__(self, sender: object, **kwargs: Any) -> None:
        next(self._calls)

    @property
    def calls(self) -> int:
        return next(self._calls)


def called(results: list[tuple[Callable[..., Any], Any]], receiver: object) -> int:
    return sum(1 for r, _ in results if r is receiver)


def churn_worker(sig: Signal, run: Run, keep: list[Probe]) -> None:
    """Fresh senders, weakrefable or not, each with its own probe (held weakly)."""
    for n in range(ROUNDS):
        token = run.tokens()
        sender = WeakSender(token) if n % 2 else PlainSender(token)
        probe = Probe(run, token)
        sig.connect(probe, sender)
        if called(run.send(sig, sender), probe) != 1:
            run.violations.append("a receiver missed the first send after its connect")
        if n % 4 == 3 and isinstance(sender, WeakSender):
            keep.append(probe)  # the sender dies still connected
            continue
        sig.disconnect(probe, sender)
        probe.disconnected_at = run.clock()
        if called(run.send(sig, sender), probe):
            run.violations.append("a receiver was called after its disconnect")


def toggle_worker(sig: Signal, run: Run) -> None:
    for _ in range(ROUNDS):
        probe = Probe(run)
        sig.connect(probe)
        if called(run.send(sig, "toggler"), probe) != 1:
            run.violations.append("a receiver for ANY missed the first send after its connect")
        sig.disconnect(probe)
        probe.disconnected_at = run.clock()


def dying_receivers_worker(sig: Signal, run: Run) -> None:
    """Weakly connected receivers that die without disconnecting (on their own sender, so
    that other threads' sends, which hold what they call, do not keep them alive)."""
    for _ in range(ROUNDS):
        probe = Probe(run)
        sig.connect(probe, "dying")
        run.send(sig, "dying")
        del probe


def chaos(sig: Signal, run: Run) -> tuple[Callable[..., None], collections.deque[Probe]]:
    """A receiver that connects and disconnects other receivers during every send."""
    pool: collections.deque[Probe] = collections.deque()

    def receiver(sender: object, **kwargs: Any) -> None:
        probe = Probe(run)
        sig.connect(probe, weak=False)
        pool.append(probe)
        if len(pool) > 8:
            try:
                oldest = pool.popleft()
            except IndexError:
                return
            sig.disconnect(oldest)
            oldest.disconnected_at = run.clock()

    return receiver, pool


def test_eight_threads_churning_and_sending_lose_nothing(figures: Figures) -> None:
    """8 threads on a blinker-compatible signal: no error, loss, late call, false delivery."""
    sig = Signal("blinker-concurrency")
    run = Run()
    first, on_any, on_weak, on_plain, on_str = (Counter() for _ in range(5))
    weak_sender, plain_sender = WeakSender(-1), PlainSender(-2)
    expected: collections.Counter[str] = collections.Counter()
    keep: list[Probe] = []
    agitator, pool = chaos(sig, run)

    def sender_worker() -> None:
        senders = [("weak", weak_sender), ("plain", plain_sender), ("str", "app"), ("none", None)]
        sent: collections.Counter[str] = collections.Counter()
        for n in range(ROUNDS):
            kind, sender = senders[n % 4]
            results = run.send(sig, sender)
            sent[kind] += 1
            if not results or results[0][0] is not first:
                run.violations.append(f"send from {kind}: the first receiver did not run first")
        expected.update(sent)  # Counter.update under the GIL; one call per thread

    sig.connect(first)
    sig.connect(on_any)
    sig.connect(on_weak, weak_sender)
    sig.connect(on_plain, plain_sender)
    sig.connect(on_str, "app")
    sig.connect(agitator, weak=False)
    try:
        errors = run_threads(
            [
                lambda: churn_worker(sig, run, keep),
                lambda: churn_worker(sig, run, keep),
                lambda: toggle_worker(sig, run),
                lambda: dying_receivers_worker(sig, run),
                *[sender_worker for _ in range(THREADS - 4)],
            ],
            timeout=TIMEOUT,
        )
    finally:
        receivers: list[Callable[..., Any]] = [first, on_any, on_weak, on_plain, on_str]
        receivers += [agitator, *pool, *keep]
        for receiver in receivers:
            sig.disconnect(receiver)
    sends = run.sends()
    figures(threads=THREADS, sends=sends, errors=len(errors), violations=len(run.violations))
    assert errors == []
    assert run.violations == []
    assert (on_weak.calls, on_plain.calls, on_str.calls) == (
        expected["weak"],
        expected["plain"],
        expected["str"],
    )
    assert first.calls == on_any.calls == sends
    assert stored_connections(sig) == 0


def test_send_async_from_event_loops_in_threads_loses_nothing(figures: Figures) -> None:
    """send_async from four event loops in threads, amid churn, awaits every receiver."""
    sig = Signal("blinker-async")
    run = Run()
    keep: list[Probe] = []
    awaited = Counter()
    sent: list[int] = []

    async def on_loop(sender: object, **kwargs: Any) -> None:
        await asyncio.sleep(0)
        awaited(sender, **kwargs)

    def to_async(receiver: Callable[..., Any]) -> Callable[..., Coroutine[Any, Any, Any]]:
        async def call(*args: Any, **kwargs: Any) -> Any:
            return receiver(*args, **kwargs)

        return call

    async def loop_sends() -> None:
        for n in range(ROUNDS):
            await sig.send_async("loop", _sync_wrapper=to_async, seq=run.clock())
            sent.append(n)

    def loop_worker() -> None:
        asyncio.run(loop_sends())

    sig.connect(on_loop, "loop")
    try:
        errors = run_threads(
            [
                *[loop_worker for _ in range(4)],
                lambda: churn_worker(sig, run, keep),
                lambda: churn_worker(sig, run, keep),
                lambda: toggle_worker(sig, run),
                lambda: dying_receivers_worker(sig, run),
            ],
            timeout=TIMEOUT,
        )
    finally:
        sig.disconnect(on_loop)
        for probe in keep:
            sig.disconnect(probe)
    figures(threads=THREADS, async_sends=len(sent), errors=len(errors))
    assert errors == []
    assert run.violations == []
    assert awaited.calls == len(sent) == 4 * ROUNDS


def test_connect_disconnect_cycles_keep_memory_and_tables_flat(figures: Figures) -> None:
    """Blinker-style cycles (weak receivers, fresh senders) leave memory and tables flat."""
    sig = Signal("blinker-memory")

    def cycle(n: int) -> None:
        receiver = Counter()
        sender = WeakSender(n) if n % 2 else PlainSender(n)
        sig.connect(receiver, sender)
        sig.send(sender)
        sig.disconnect(receiver, sender)
        sig.connect(receiver)  # dies connected, weakly held

    for n in range(500):
        cycle(n)
    gc.collect()
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        for n in range(CYCLES):
            cycle(n)
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - start
    finally:
        tracemalloc.stop()
    sizes = (stored_connections(sig), stored_routes(sig))
    figures(cycles=CYCLES, bytes_grown=grown, stored=sizes[0], routes=sizes[1])
    assert grown < min(MIB, CYCLES * 8)
    assert sizes[0] <= 1
    assert sizes[1] == 0


def test_exit_with_live_blinker_signals_is_silent() -> None:
    """An interpreter exiting with live blinker-layer receivers and senders prints nothing."""
    code = textwrap.dedent(
        """
        import threading
        from typedsignals.blinker import Namespace, signal

        class Sender:
            pass

        class Owner:
            def __init__(self):
                self.me = self
            def on(self, sender, **kwargs):
                pass
            def __del__(self):
                ping.send(self, why="finaliser")

        ping = signal("ping")
        owners = [Owner() for _ in range(20)]
        senders = [Sender() for _ in range(20)]
        for owner, sender in zip(owners, senders):
            ping.connect(owner.on)
            ping.connect(owner.on, sender)
        Namespace().signal("other").connect(lambda sender, **kw: None, weak=False)
        def churn():
            while True:
                sender = Sender()
                ping.connect(Owner().on, sender)
                ping.send(sender, why="thread")
        threading.Thread(target=churn, daemon=True).start()
        """
    )
    result = subprocess.run(
        [sys.executable, "-X", "dev", "-c", code], capture_output=True, text=True, timeout=120
    )
    assert "Exception ignored" not in result.stderr
    assert (result.returncode, result.stderr) == (0, "")
