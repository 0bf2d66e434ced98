"""Concurrency: many threads connecting, disconnecting and sending at once.

Every test here runs its threads with a tiny GIL switch interval, so that a thread
switch can fall between almost any two bytecodes. The checks:

* no exception in any thread;
* no receiver lost: receivers connected for the whole run get every send made to them,
  and a receiver whose connect returned is reached by the next send of that thread;
* no call after disconnect: a send that *started* after a receiver's disconnect
  returned never calls it (a send already running on another thread works from the
  snapshot it took, so it may);
* no false delivery: a receiver connected for one sender is only ever called with that
  sender, even when senders die and new ones reuse their ``id()``.
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

from typedsignals import Payload, ReceiverConnected, ReceiverDisconnected, Signal

from ._support import run_threads, scaled, stored_connections, stored_routes
from .conftest import Figures

THREADS: Final = 8
ROUNDS: Final = scaled(150, 25_000)
"""Iterations per thread."""
TIMEOUT: Final = scaled(60, 3_600)
"""Seconds a thread may run before the test reports it as stuck."""
CHAOS_POOL: Final = 8
"""Receivers the chaos receiver keeps connected at most."""


class Tick(Payload):
    """One send: ``seq`` is drawn from the test's clock just before ``send`` is called."""

    seq: int


class WeakSender:
    """A sender that can be weakly referenced; ``token`` identifies it beyond ``id()``."""

    __slots__ = ("__weakref__", "token")

    def __init__(self, token: int) -> None:
        self.token = token


class PlainSender:
    """A sender that cannot be weakly referenced (no ``__weakref__`` slot)."""

    __slots__ = ("token",)

    def __init__(self, token: int) -> None:
        self.token = token


@dataclass
class Run:
    """Shared state of one concurrency run: the clock and what went wrong."""

    clock: Callable[[], int] = field(default_factory=lambda: itertools.count().__next__)
    tokens: Callable[[], int] = field(default_factory=lambda: itertools.count(1).__next__)
    violations: list[str] = field(default_factory=list)
    ops: Callable[[], int] = field(default_factory=lambda: itertools.count().__next__)
    sends: Callable[[], int] = field(default_factory=lambda: itertools.count().__next__)

    def op(self) -> None:
        self.ops()

    def send(
        self, sig: Signal[object, Any, Tick], sender: object
    ) -> list[tuple[Callable[..., Any], Any]]:
        """Send from ``sender`` with the next clock reading, counting the send."""
        results = sig.send(sender, seq=self.clock())
        self.sends()
        return results


class Probe:
    """A receiver connected once and disconnected once, checking every call it gets.

    ``token`` is the token of the only sender it may hear (``None``: any sender);
    ``disconnected_at`` is the clock reading taken right after its disconnect returned.
    """

    __slots__ = ("__weakref__", "disconnected_at", "run", "token")

    def __init__(self, run: Run, token: int | None = None) -> None:
        self.run = run
        self.token = token
        self.disconnected_at: int | None = None

    def __call__(self, sender: object, payload: Tick) -> None:
        if self.token is not None and getattr(sender, "token", None) != self.token:
            self.run.violations.append(
                f"false delivery: receiver for sender {self.token} called with {sender!r}"
            )
        gone = self.disconnected_at
        if gone is not None and payload.seq > gone:
            self.run.violations.append(
                f"send {payload.seq} began after the disconnect at {gone} and still called it"
            )


class Counter:
    """A receiver connected for the whole run, counting its calls (atomically)."""

    def __init__(self) -> None:
        self._calls = itertools.count()

    def __call__(self, sender: object, payload: Tick) -> None:
        next(self._calls)

    @property
    def calls(self) -> int:
        # Reading a count() advances it: read once, at the end of the run.
        return next(self._calls)


class Owner:
    """Owner of a bound-method receiver, held weakly by the signal."""

    def on_tick(self, sender: object, payload: Tick) -> None:
        pass


def fresh_sender(run: Run, n: int) -> WeakSender | PlainSender:
    token = run.tokens()
    return WeakSender(token) if n % 2 else PlainSender(token)


def called(results: list[tuple[Callable[..., Any], Any]], receiver: object) -> int:
    return sum(1 for r, _ in results if r is receiver)


def churn_worker(sig: Signal[object, Any, Tick], run: Run, abandoned: list[Probe]) -> None:
    """Fresh senders (weakrefable or not), each with its own probe, connected and dropped."""
    for n in range(ROUNDS):
        sender = fresh_sender(run, n)
        probe = Probe(run, sender.token)
        sig.connect(probe, sender, weak=False)
        if called(run.send(sig, sender), probe) != 1:
            run.violations.append("a receiver was not called once right after its connect")
        if n % 4 == 3 and isinstance(sender, WeakSender):
            abandoned.append(probe)  # the sender dies with its connection still in place
            run.op()
            continue
        sig.disconnect(probe, sender)
        probe.disconnected_at = run.clock()
        if called(run.send(sig, sender), probe):
            run.violations.append("a receiver was called by a send after its disconnect")
        run.op()


def weak_churn_worker(sig: Signal[object, Any, Tick], run: Run) -> None:
    """Bound-method receivers whose owners die without disconnecting.

    They listen to their own sender: a send holds the receivers it called (its result
    list) until it returns, so owners heard by every thread's sends would outlive their
    ``del`` by the length of those sends, and pile up while the chaos receiver slows
    every send down.
    """
    for _ in range(ROUNDS):
        owner = Owner()
        sig.connect(owner.on_tick, "weak-churn")  # held weakly on its owner
        run.send(sig, "weak-churn")
        del owner
        run.op()


def toggle_worker(sig: Signal[object, Any, Tick], run: Run) -> None:
    """Probes for ANY, each connected, checked, disconnected, checked."""
    for _ in range(ROUNDS):
        probe = Probe(run)
        sig.connect(probe)
        if called(run.send(sig, "toggler"), probe) != 1:
            run.violations.append("a receiver for ANY missed the first send after its connect")
        sig.disconnect(probe)
        probe.disconnected_at = run.clock()
        run.op()


def chaos_receiver(sig: Signal[object, Any, Tick], run: Run) -> Callable[[object, Tick], None]:
    """A receiver that connects and disconnects other receivers during every send."""
    pool: collections.deque[Probe] = collections.deque()

    def chaos(sender: object, payload: Tick) -> None:
        probe = Probe(run)
        sig.connect(probe)
        pool.append(probe)
        if len(pool) > CHAOS_POOL:
            try:
                oldest = pool.popleft()
            except IndexError:  # another thread emptied it first
                return
            sig.disconnect(oldest)
            oldest.disconnected_at = run.clock()

    chaos.pool = pool  # type: ignore[attr-defined]  # read back by the test
    return chaos


@dataclass
class Stable:
    """Receivers connected for the whole run and the sends each of them must see."""

    first: Counter = field(default_factory=Counter)
    on_any: Counter = field(default_factory=Counter)
    on_weak: Counter = field(default_factory=Counter)
    on_plain: Counter = field(default_factory=Counter)
    on_str: Counter = field(default_factory=Counter)
    weak_sender: WeakSender = field(default_factory=lambda: WeakSender(-1))
    plain_sender: PlainSender = field(default_factory=lambda: PlainSender(-2))
    expected: collections.Counter[str] = field(default_factory=collections.Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def connect(self, sig: Signal[object, Any, Tick]) -> None:
        sig.connect(self.first, priority=100)
        sig.connect(self.on_any)
        sig.connect(self.on_weak, self.weak_sender)
        sig.connect(self.on_plain, self.plain_sender)
        sig.connect(self.on_str, "app")

    def disconnect(self, sig: Signal[object, Any, Tick]) -> None:
        for receiver in (self.first, self.on_any, self.on_weak, self.on_plain, self.on_str):
            sig.disconnect(receiver)

    def senders(self) -> list[tuple[str, object]]:
        return [
            ("weak", self.weak_sender),
            ("plain", self.plain_sender),
            ("str", "app"),
            ("none", None),
        ]

    def count(self, sent: collections.Counter[str]) -> None:
        with self.lock:
            self.expected.update(sent)


def sender_worker(sig: Signal[object, Any, Tick], run: Run, stable: Stable) -> None:
    """Sends from long-lived senders; checks that the priority-100 receiver is first."""
    sent: collections.Counter[str] = collections.Counter()
    for n in range(ROUNDS):
        kind, sender = stable.senders()[n % 4]
        results = run.send(sig, sender)
        sent[kind] += 1
        if not results or results[0][0] is not stable.first:
            run.violations.append(f"send from {kind}: the priority receiver did not run first")
        run.op()
    stable.count(sent)


def test_eight_threads_churning_and_sending_lose_nothing(figures: Figures) -> None:
    """8 threads connect, disconnect and send: no error, loss, late call or false delivery."""
    sig: Signal[object, Any, Tick] = Signal("concurrency", Tick)
    run = Run()
    stable = Stable()
    abandoned: list[Probe] = []
    chaos = chaos_receiver(sig, run)
    stable.connect(sig)
    sig.connect(chaos)
    try:
        workers: list[Callable[[], None]] = [
            lambda: churn_worker(sig, run, abandoned),
            lambda: churn_worker(sig, run, abandoned),
            lambda: weak_churn_worker(sig, run),
            lambda: toggle_worker(sig, run),
            *[lambda: sender_worker(sig, run, stable) for _ in range(THREADS - 4)],
        ]
        errors = run_threads(workers, timeout=TIMEOUT)
    finally:
        sig.disconnect(chaos)
        for probe in (*chaos.pool, *abandoned):  # type: ignore[attr-defined]
            sig.disconnect(probe)
        stable.disconnect(sig)
    expected = stable.expected
    seen = {
        "weak": stable.on_weak.calls,
        "plain": stable.on_plain.calls,
        "str": stable.on_str.calls,
    }
    sends = run.sends()
    figures(
        threads=THREADS,
        ops=run.ops(),
        sends=sends,
        errors=len(errors),
        violations=len(run.violations),
    )
    assert errors == []
    assert run.violations == []
    assert seen == {kind: expected[kind] for kind in seen}
    assert stable.first.calls == stable.on_any.calls == sends
    assert sig.connection_count() == 0
    assert (stored_connections(sig), stored_routes(sig)) == (0, 0)


def test_racing_connects_of_one_receiver_store_it_once(figures: Figures) -> None:
    """Threads connecting the same receivers at once store and announce each one once."""
    sig: Signal[object, Any, Tick] = Signal("racing-connects", Tick)
    receivers = [Counter() for _ in range(ROUNDS)]
    announced: list[object] = []

    def on_connected(sender: object, payload: ReceiverConnected) -> None:
        announced.append(payload.receiver)

    def connect_all() -> None:
        for receiver in receivers:
            sig.connect(receiver, "app")

    with sig.receiver_connected.connected_to(on_connected):
        try:
            errors = run_threads([connect_all] * THREADS, timeout=TIMEOUT)
            stored = sig.connection_count()
        finally:
            for receiver in receivers:
                sig.disconnect(receiver)
    figures(threads=THREADS, connects=THREADS * ROUNDS, stored=stored, errors=len(errors))
    assert errors == []
    assert stored == len(receivers)
    assert sorted(map(id, announced)) == sorted(map(id, receivers))


def test_racing_disconnects_of_one_receiver_announce_it_once(figures: Figures) -> None:
    """Threads disconnecting the same receivers at once remove and announce each one once."""
    sig: Signal[object, Any, Tick] = Signal("racing-disconnects", Tick)
    receivers = [Counter() for _ in range(ROUNDS)]
    announced: list[object] = []

    def on_disconnected(sender: object, payload: ReceiverDisconnected) -> None:
        announced.append(payload.receiver)

    def disconnect_all() -> None:
        for receiver in receivers:
            sig.disconnect(receiver)

    for receiver in receivers:
        sig.connect(receiver)
        sig.connect(receiver, "app")
    with sig.receiver_disconnected.connected_to(on_disconnected):
        try:
            errors = run_threads([disconnect_all] * THREADS, timeout=TIMEOUT)
        finally:
            for receiver in receivers:
                sig.disconnect(receiver)
    figures(threads=THREADS, disconnects=THREADS * ROUNDS, announced=len(announced))
    assert errors == []
    assert sorted(map(id, announced)) == sorted(map(id, receivers))
    assert sig.connection_count() == 0


def test_muted_blocks_in_many_threads_silence_and_balance(figures: Figures) -> None:
    """Sends inside muted() deliver nothing while other threads mute and unmute."""
    sig: Signal[object, Any, Tick] = Signal("muted-threads", Tick)
    heard = Counter()
    leaks: list[int] = []

    def mute_and_send() -> None:
        for n in range(ROUNDS):
            with sig.muted(), sig.muted():
                if sig.send(None, seq=n):
                    leaks.append(n)

    with sig.connected_to(heard):
        errors = run_threads([mute_and_send] * THREADS, timeout=TIMEOUT)
        after = sig.send(None, seq=-1)
    figures(threads=THREADS, muted_sends=THREADS * ROUNDS, delivered_while_muted=len(leaks))
    assert errors == []
    assert leaks == []
    assert not sig.is_muted
    assert [receiver for receiver, _ in after] == [heard]
    assert heard.calls == 1


async def _loop_sends(sig: Signal[object, Any, Tick], run: Run, sent: list[int]) -> None:
    for n in range(ROUNDS):
        if n % 2:
            await sig.send_async("loop", seq=run.clock())
        else:
            payload = Tick(seq=run.clock())
            await sig.send_async_payload("loop", payload, concurrent=True)
        sent.append(n)
        run.op()


def test_send_async_from_event_loops_in_threads_loses_nothing(figures: Figures) -> None:
    """send_async from four event loops in threads, amid churn, reaches every receiver."""
    sig: Signal[object, Any, Tick] = Signal("async-threads", Tick)
    run = Run()
    abandoned: list[Probe] = []
    on_any = Counter()
    awaited = Counter()
    sent: list[int] = []

    async def on_loop(sender: object, payload: Tick) -> None:
        await asyncio.sleep(0)
        awaited(sender, payload)

    def loop_worker() -> None:
        asyncio.run(_loop_sends(sig, run, sent))

    sig.connect(on_any)
    sig.connect(on_loop, "loop")
    try:
        workers: list[Callable[[], None]] = [
            *[loop_worker for _ in range(4)],
            lambda: churn_worker(sig, run, abandoned),
            lambda: churn_worker(sig, run, abandoned),
            lambda: toggle_worker(sig, run),
            lambda: weak_churn_worker(sig, run),
        ]
        errors = run_threads(workers, timeout=TIMEOUT)
    finally:
        sig.disconnect(on_any)
        sig.disconnect(on_loop)
        for probe in abandoned:
            sig.disconnect(probe)
    figures(
        threads=THREADS,
        loops=4,
        async_sends=len(sent),
        ops=run.ops(),
        errors=len(errors),
        violations=len(run.violations),
    )
    assert errors == []
    assert run.violations == []
    assert awaited.calls == len(sent) == 4 * ROUNDS
    assert sig.connection_count() == 0
