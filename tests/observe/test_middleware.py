"""Middleware around sends and receiver calls, per signal, namespace and process."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from typedsignals import Namespace, Payload, ReceiverErrors, ReceiverTypeError, Signal
from typedsignals.observe import Middleware, ReceiverCall, SendInfo, current_send, remove, use


class Ping(Payload):
    n: int


class Recorder(Middleware):
    """Records the hooks it sees, tagged with its label."""

    def __init__(self, label: str, log: list[str]) -> None:
        self.label = label
        self.log = log

    def before(self, call: ReceiverCall) -> None:
        self.log.append(f"{self.label}:before:{call.receiver.__name__}")

    def after(self, call: ReceiverCall, result: Any, seconds: float) -> None:
        assert seconds >= 0
        self.log.append(f"{self.label}:after:{call.receiver.__name__}={result}")

    def error(self, call: ReceiverCall, exc: BaseException, seconds: float) -> None:
        self.log.append(f"{self.label}:error:{type(exc).__name__}")

    def around_send(self, send: SendInfo, proceed: Callable[[], Any]) -> Any:
        self.log.append(f"{self.label}:send:{send.signal.name}:{send.receivers}")
        return proceed()


@pytest.fixture
def ping() -> Iterator[Signal[object, ..., Ping]]:
    """A signal with one receiver, disconnected after the test."""
    signal = Signal("observed-ping", Ping)

    def double(sender: object, payload: Ping) -> int:
        return payload.n * 2

    signal.connect(double)
    yield signal
    signal.disconnect(double)


def test_hooks_run_around_each_receiver(ping: Signal[object, ..., Ping]) -> None:
    """before, after (with the result) and around_send see every call; results are kept."""
    log: list[str] = []
    ping.use_middleware(Recorder("a", log))
    assert [result for _, result in ping.send(None, n=2)] == [4]
    assert log == ["a:send:observed-ping:1", "a:before:double", "a:after:double=4"]
    assert [receiver.__name__ for receiver, _ in ping.send(None, n=1)] == ["double"]


def test_levels_compose_process_namespace_signal(ping: Signal[object, ..., Ping]) -> None:
    """Process-wide middleware is outermost, then the namespace's, then the signal's."""
    log: list[str] = []
    ns = Namespace("observed")
    signal = ns.signal("observed-levels", Ping)

    def echo(sender: object, payload: Ping) -> int:
        return payload.n

    signal.connect(echo)
    process, shared, own = Recorder("p", log), Recorder("n", log), Recorder("s", log)
    use(process)
    try:
        ns.use_middleware(shared)
        signal.use_middleware(own)
        signal.send(None, n=1)
    finally:
        remove(process)
        signal.disconnect(echo)
    befores = [entry for entry in log if ":before:" in entry]
    afters = [entry for entry in log if ":after:" in entry]
    assert befores == ["p:before:echo", "n:before:echo", "s:before:echo"]
    assert afters == ["s:after:echo=1", "n:after:echo=1", "p:after:echo=1"]


def test_removing_middleware_restores_the_plain_path(ping: Signal[object, ..., Ping]) -> None:
    """After remove_middleware, sends are not observed and take the inline path again."""
    log: list[str] = []
    recorder = Recorder("a", log)
    ping.use_middleware(recorder)
    assert ping._fail_fast is False
    ping.remove_middleware(recorder)
    assert ping._fail_fast is True
    ping.send(None, n=1)
    assert log == []


class Retry(Middleware):
    """Calls the receiver again when it raises, up to ``times``."""

    def __init__(self, times: int) -> None:
        self.times = times

    def around_receiver(self, call: ReceiverCall, proceed: Callable[[], Any]) -> Any:
        for _ in range(self.times - 1):
            try:
                return proceed()
            except ConnectionError:
                continue
        return proceed()


def test_around_receiver_can_retry() -> None:
    """around_receiver may call proceed() more than once (a retrying middleware)."""
    signal = Signal("observed-retry", Ping)
    attempts: list[int] = []

    def flaky(sender: object, payload: Ping) -> str:
        attempts.append(payload.n)
        if len(attempts) < 3:
            raise ConnectionError("try again")
        return "done"

    signal.connect(flaky)
    signal.use_middleware(Retry(3))
    try:
        assert signal.send(None, n=7) == [(flaky, "done")]
        assert attempts == [7, 7, 7]
    finally:
        signal.disconnect(flaky)


class Translate(Middleware):
    """Turns a receiver's KeyError into a LookupError of our own."""

    def around_receiver(self, call: ReceiverCall, proceed: Callable[[], Any]) -> Any:
        try:
            return proceed()
        except KeyError as exc:
            raise LookupError(f"translated: {exc}") from exc


def test_around_receiver_can_translate_exceptions() -> None:
    """What around_receiver raises is what the send's error policy sees."""
    signal = Signal("observed-translate", Ping)

    def broken(sender: object, payload: Ping) -> None:
        raise KeyError("missing")

    signal.connect(broken)
    signal.use_middleware(Translate())
    try:
        with pytest.raises(LookupError, match="translated"):
            signal.send(None, n=1)
    finally:
        signal.disconnect(broken)


class Exploding(Middleware):
    def before(self, call: ReceiverCall) -> None:
        raise RuntimeError("middleware bug")


def test_failing_middleware_follows_the_error_policy(caplog: pytest.LogCaptureFixture) -> None:
    """A middleware that raises is a receiver failure, named in the error it raises."""
    signal = Signal("observed-exploding", Ping, error_policy="collect")

    def fine(sender: object, payload: Ping) -> int:
        return 1

    signal.connect(fine)
    signal.use_middleware(Exploding())
    try:
        with pytest.raises(ReceiverErrors) as caught:
            signal.send(None, n=1)
        (exc,) = caught.value.exceptions
        assert "raised in middleware Exploding.before" in "".join(getattr(exc, "__notes__", []))
        signal.error_policy = "log"
        with caplog.at_level(logging.ERROR, logger="typedsignals"):
            assert signal.send(None, n=1) == []
        assert "observed-exploding" in caplog.text
    finally:
        signal.disconnect(fine)


def test_send_ids_and_parents_follow_nested_sends() -> None:
    """A send made inside a receiver has the outer send's id as its parent."""
    outer = Signal("observed-outer", Ping)
    inner = Signal("observed-inner", Ping)
    seen: dict[str, tuple[int, int | None]] = {}

    def relay(sender: object, payload: Ping) -> None:
        send = current_send()
        assert send is not None
        seen["outer"] = (send.id, send.parent_id)
        inner.send(None, n=payload.n)

    def leaf(sender: object, payload: Ping) -> None:
        send = current_send()
        assert send is not None
        seen["inner"] = (send.id, send.parent_id)

    outer.connect(relay)
    inner.connect(leaf)
    recorder = Recorder("x", [])
    use(recorder)
    try:
        outer.send(None, n=1)
    finally:
        remove(recorder)
        outer.disconnect(relay)
        inner.disconnect(leaf)
    outer_id, outer_parent = seen["outer"]
    inner_id, inner_parent = seen["inner"]
    assert outer_parent is None
    assert inner_parent == outer_id
    assert inner_id != outer_id
    assert current_send() is None


def test_async_sends_are_observed() -> None:
    """send_async calls before/after around coroutine receivers too, in order."""
    signal = Signal("observed-async", Ping)
    log: list[str] = []

    async def later(sender: object, payload: Ping) -> int:
        await asyncio.sleep(0)
        return payload.n + 1

    signal.connect(later)
    signal.use_middleware(Recorder("a", log))
    try:
        results = asyncio.run(signal.send_async(None, n=1))
    finally:
        signal.disconnect(later)
    assert results == [(later, 2)]
    assert log == ["a:before:later", "a:after:later=2"]


def test_a_coroutine_receiver_still_refuses_a_sync_send() -> None:
    """With middleware on, a sync send of a coroutine receiver fails as it did before."""
    signal = Signal("observed-refuse", Ping)

    async def later(sender: object, payload: Ping) -> None: ...

    signal.connect(later)
    signal.use_middleware(Recorder("a", []))
    try:
        with pytest.raises(ReceiverTypeError, match="later"):
            signal.send(None, n=1)
    finally:
        signal.disconnect(later)


def test_only_middleware_instances_are_accepted() -> None:
    """Installing something that is not a Middleware is a TypeError naming it."""
    signal = Signal("observed-bad", Ping)
    with pytest.raises(TypeError, match="Middleware instance"):
        signal.use_middleware(print)  # type: ignore[arg-type]


class Failing(Recorder):
    """A Recorder whose hook named ``where`` raises."""

    def __init__(self, label: str, log: list[str], where: str) -> None:
        super().__init__(label, log)
        self.where = where

    def before(self, call: ReceiverCall) -> None:
        super().before(call)
        if self.where == "before":
            raise LookupError(f"{self.label} before")

    def after(self, call: ReceiverCall, result: Any, seconds: float) -> None:
        super().after(call, result, seconds)
        if self.where == "after":
            raise LookupError(f"{self.label} after")

    def error(self, call: ReceiverCall, exc: BaseException, seconds: float) -> None:
        super().error(call, exc, seconds)
        if self.where == "error":
            raise KeyError(f"{self.label} error")


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        # The inner middleware's before raises: the outer one, entered, hears how it ended.
        ("before", ["a:before:double", "b:before:double", "a:error:LookupError"]),
        # The inner middleware's after raises: the outer one gets error instead of after.
        (
            "after",
            ["a:before:double", "b:before:double", "b:after:double=4", "a:error:LookupError"],
        ),
    ],
)
def test_entered_middleware_hears_the_end_when_another_hook_raises(
    ping: Signal[object, ..., Ping], where: str, expected: list[str]
) -> None:
    """Each middleware whose before ran gets one after or error, whatever another raises."""
    log: list[str] = []
    outer = Recorder("a", log)
    ping.use_middleware(outer)
    ping.use_middleware(Failing("b", log, where))
    with pytest.raises(LookupError, match=f"b {where}") as caught:
        ping.send(None, n=2)
    assert [entry for entry in log if ":send:" not in entry] == expected
    assert any("Failing." + where in note for note in caught.value.__notes__)


def test_every_error_hook_runs_when_one_raises(ping: Signal[object, ..., Ping]) -> None:
    """A failing receiver reaches every error hook; the first hook's own error is raised."""
    log: list[str] = []

    def broken(sender: object, payload: Ping) -> None:
        raise ValueError("receiver")

    ping.use_middleware(Recorder("a", log))
    ping.use_middleware(Failing("b", log, "error"))
    with ping.connected_to(broken), pytest.raises(KeyError, match="b error") as caught:
        ping.send(None, n=2)
    assert "b:error:ValueError" in log
    assert "a:error:ValueError" in log
    assert isinstance(caught.value.__context__, ValueError)
