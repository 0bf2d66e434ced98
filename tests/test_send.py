"""Sending: validation, delivery order, results, prebuilt payloads and strict mode."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from typedsignals import (
    EmptyPayload,
    Payload,
    PayloadError,
    SenderTypeError,
    Signal,
    is_strict,
    set_strict,
    strict_mode,
)


class UserRegistered(Payload):
    user_id: int
    email: str


class App:
    """A sender type."""


Calls = list[tuple[str, object, object]]


@pytest.fixture
def users() -> Signal[object, Any, UserRegistered]:
    """A fresh signal carrying UserRegistered."""
    return Signal("user-registered", UserRegistered)


@pytest.fixture
def calls() -> Calls:
    """What the receivers made by ``recorder`` saw, in call order."""
    return []


@pytest.fixture
def recorder(calls: Calls) -> Callable[[str], Callable[[object, object], str]]:
    """Make a receiver that appends ``(name, sender, payload)`` to ``calls``."""

    def make(name: str) -> Callable[[object, object], str]:
        def receiver(sender: object, payload: object) -> str:
            calls.append((name, sender, payload))
            return f"result of {name}"

        receiver.__qualname__ = name
        return receiver

    return make


@pytest.fixture
def not_strict() -> Iterator[None]:
    """Turn the process-wide strict mode (on for the test session) off for one test."""
    with strict_mode(False):
        yield


def test_send_calls_receiver_with_sender_and_validated_payload(
    users: Signal[object, Any, UserRegistered], recorder: Callable[..., Any], calls: Calls
) -> None:
    """A receiver is called with the sender and a payload model instance."""
    sender = App()
    with users.connected_to(recorder("r")):
        users.send(sender, user_id=1, email="a@example.org")
    assert calls == [("r", sender, UserRegistered(user_id=1, email="a@example.org"))]
    assert type(calls[0][2]) is UserRegistered


def test_send_returns_receiver_result_pairs_in_call_order(
    users: Signal[object, Any, UserRegistered], recorder: Callable[..., Any]
) -> None:
    """send() returns ``[(receiver, result), ...]`` in the order receivers were called."""
    first, second = recorder("first"), recorder("second")
    users.connect(first)
    users.connect(second)
    try:
        results = users.send(None, user_id=1, email="a@example.org")
    finally:
        users.disconnect(first)
        users.disconnect(second)
    assert results == [(first, "result of first"), (second, "result of second")]


def test_send_without_receivers_returns_empty_list(
    users: Signal[object, Any, UserRegistered],
) -> None:
    """A send nobody hears returns an empty list."""
    assert users.send(None, user_id=1, email="a@example.org") == []


def test_send_delivers_one_payload_object_to_every_receiver(
    users: Signal[object, Any, UserRegistered], recorder: Callable[..., Any], calls: Calls
) -> None:
    """All receivers of one send get the very same payload object."""
    first, second = recorder("first"), recorder("second")
    with users.connected_to(first), users.connected_to(second):
        users.send(None, user_id=1, email="a@example.org")
    assert calls[0][2] is calls[1][2]


@pytest.mark.parametrize(
    ("connects", "expected"),
    [
        pytest.param([("a", 0), ("b", 0), ("c", 0)], ["a", "b", "c"], id="registration-order"),
        pytest.param([("a", 0), ("b", 5), ("c", 0)], ["b", "a", "c"], id="priority-moves-earlier"),
        pytest.param(
            [("a", -1), ("b", 0), ("c", -1)], ["b", "a", "c"], id="negative-priority-later"
        ),
        pytest.param([("a", 2), ("b", 2), ("c", 1), ("d", 2)], ["a", "b", "d", "c"], id="ties"),
        pytest.param([("a", 1), ("b", 2), ("c", 3)], ["c", "b", "a"], id="ascending"),
    ],
)
def test_send_calls_receivers_by_priority_then_registration_order(
    users: Signal[object, Any, UserRegistered],
    recorder: Callable[..., Any],
    calls: Calls,
    connects: list[tuple[str, int]],
    expected: list[str],
) -> None:
    """Higher priority runs first; equal priorities keep registration order."""
    receivers = [(recorder(name), priority) for name, priority in connects]
    for receiver, priority in receivers:
        users.connect(receiver, priority=priority)
    try:
        users.send(None, user_id=1, email="a@example.org")
    finally:
        for receiver, _ in receivers:
            users.disconnect(receiver)
    assert [name for name, _, _ in calls] == expected


def test_send_merges_any_and_sender_receivers_in_one_order(
    users: Signal[object, Any, UserRegistered], recorder: Callable[..., Any], calls: Calls
) -> None:
    """Receivers for ANY and for the sender are called in one priority/registration order."""
    any_1, routed, any_2, urgent = (recorder(n) for n in ("any_1", "routed", "any_2", "urgent"))
    users.connect(any_1)
    users.connect(routed, sender="app")
    users.connect(any_2)
    users.connect(urgent, sender="app", priority=1)
    try:
        users.send("app", user_id=1, email="a@example.org")
    finally:
        for receiver in (any_1, routed, any_2, urgent):
            users.disconnect(receiver)
    assert [name for name, _, _ in calls] == ["urgent", "any_1", "routed", "any_2"]


def test_send_coerces_fields_laxly(
    users: Signal[object, Any, UserRegistered], recorder: Callable[..., Any], calls: Calls
) -> None:
    """Validation is pydantic's lax default: the string "7" becomes the int 7."""
    with users.connected_to(recorder("r")):
        users.send(None, user_id="7", email="a@example.org")
    payload = calls[0][2]
    assert isinstance(payload, UserRegistered)
    assert payload.user_id == 7
    assert type(payload.user_id) is int


def test_send_of_signal_without_model_delivers_empty_payload(
    recorder: Callable[..., Any], calls: Calls
) -> None:
    """A signal declared without a payload model sends an EmptyPayload."""
    ping = Signal("ping")
    with ping.connected_to(recorder("r")):
        ping.send("tests")
    assert isinstance(calls[0][2], EmptyPayload)
    assert ping.payload_model is EmptyPayload


def test_send_payload_delivers_the_prebuilt_instance(
    users: Signal[object, Any, UserRegistered], recorder: Callable[..., Any], calls: Calls
) -> None:
    """send_payload() hands receivers the given model instance itself."""
    payload = UserRegistered(user_id=1, email="a@example.org")
    receiver = recorder("r")
    with users.connected_to(receiver):
        results = users.send_payload("app", payload)
    assert calls == [("r", "app", payload)]
    assert calls[0][2] is payload
    assert results == [(receiver, "result of r")]


def test_send_payload_validates_an_unchecked_instance(
    users: Signal[object, Any, UserRegistered], recorder: Callable[..., Any], calls: Calls
) -> None:
    """send_payload() refuses an instance built with model_construct and bad values."""
    unchecked = UserRegistered.model_construct(user_id="not an int", email="x")
    with users.connected_to(recorder("r")), pytest.raises(PayloadError, match="user_id"):
        users.send_payload(None, unchecked)
    assert calls == []


def test_send_payload_delivers_a_validated_payload_as_is(
    users: Signal[object, Any, UserRegistered], recorder: Callable[..., Any], calls: Calls
) -> None:
    """A payload from validate() is delivered by send_payload() as the very instance."""
    payload = users.validate(None, user_id=3, email="a@example.org")
    with users.connected_to(recorder("r")):
        users.send_payload(None, payload)
    assert calls[0][2] is payload


def test_validate_builds_the_payload_without_sending(
    users: Signal[object, Any, UserRegistered], recorder: Callable[..., Any], calls: Calls
) -> None:
    """Signal.validate() returns the payload send() would deliver and calls nobody."""
    with users.connected_to(recorder("r")):
        payload = users.validate(None, user_id="3", email="a@example.org")
    assert payload == UserRegistered(user_id=3, email="a@example.org")
    assert calls == []


def test_send_skips_validation_without_receivers_when_not_strict(
    users: Signal[object, Any, UserRegistered], not_strict: None
) -> None:
    """Outside strict mode, a send nobody hears is not validated (it is nearly free)."""
    assert users.send(None, user_id="not an int") == []


def test_send_skips_sender_check_without_receivers_when_not_strict(not_strict: None) -> None:
    """Outside strict mode, a send nobody hears does not check the sender type either."""
    started = Signal("started", sender=App)
    assert started.send("not an app") == []  # type: ignore[arg-type]


def test_send_validates_with_receivers_when_not_strict(
    users: Signal[object, Any, UserRegistered], recorder: Callable[..., Any], not_strict: None
) -> None:
    """Outside strict mode, a send with a receiver is still validated."""
    with users.connected_to(recorder("r")), pytest.raises(PayloadError):
        users.send(None, user_id="not an int", email="a@example.org")


def test_strict_mode_validates_send_without_receivers(
    users: Signal[object, Any, UserRegistered],
) -> None:
    """In strict mode a bad send fails even when nobody listens."""
    with strict_mode(), pytest.raises(PayloadError, match="user-registered"):
        users.send(None, user_id="not an int", email="a@example.org")


def test_strict_mode_checks_sender_without_receivers() -> None:
    """In strict mode a wrong sender fails even when nobody listens."""
    started = Signal("started", sender=App)
    with strict_mode(), pytest.raises(SenderTypeError):
        started.send("not an app")  # type: ignore[arg-type]


def test_strict_mode_validates_muted_send(
    users: Signal[object, Any, UserRegistered], recorder: Callable[..., Any], calls: Calls
) -> None:
    """In strict mode a muted send is validated too, and still delivers nothing."""
    with users.connected_to(recorder("r")), users.muted(), strict_mode():
        with pytest.raises(PayloadError):
            users.send(None, user_id="x", email="a@example.org")
        assert users.send(None, user_id=1, email="a@example.org") == []
    assert calls == []


def test_set_strict_switches_and_returns_previous_setting() -> None:
    """set_strict() turns strict mode on or off and returns what it was."""
    original = is_strict()
    try:
        assert set_strict(False) is original
        assert is_strict() is False
        assert set_strict(True) is False
        assert is_strict() is True
    finally:
        set_strict(original)


def test_set_strict_applies_to_sends_without_receivers(
    users: Signal[object, Any, UserRegistered],
) -> None:
    """set_strict(True) makes unheard bad sends fail; set_strict(False) lets them pass."""
    original = set_strict(False)
    try:
        users.send(None, user_id="x")
        set_strict(True)
        with pytest.raises(PayloadError):
            users.send(None, user_id="x")
    finally:
        set_strict(original)


@pytest.mark.parametrize("outer", [True, False])
@pytest.mark.parametrize("inner", [True, False])
def test_strict_mode_restores_previous_setting(outer: bool, inner: bool) -> None:
    """strict_mode(enabled) sets strict mode for its block and restores it afterwards."""
    with strict_mode(outer):
        with strict_mode(inner):
            assert is_strict() is inner
        assert is_strict() is outer


def test_strict_mode_restores_setting_after_exception() -> None:
    """strict_mode() restores the previous setting when its block raises."""
    with strict_mode(False):
        with pytest.raises(RuntimeError), strict_mode(True):
            raise RuntimeError("boom")
        assert is_strict() is False


def test_signal_strict_validates_without_receivers_when_process_is_not_strict(
    not_strict: None,
) -> None:
    """A signal declared strict=True validates unheard sends even outside strict mode."""
    strict_users = Signal("strict-users", UserRegistered, strict=True)
    with pytest.raises(PayloadError):
        strict_users.send(None, user_id="x", email="a@example.org")  # type: ignore[arg-type]


def test_send_passes_sender_through_unchanged(
    users: Signal[object, Any, UserRegistered], recorder: Callable[..., Any], calls: Calls
) -> None:
    """The receiver gets the very sender object that was passed to send()."""
    sender = App()
    with users.connected_to(recorder("r")):
        users.send(sender, user_id=1, email="a@example.org")
    assert calls[0][1] is sender


def test_send_accepts_sender_of_declared_type_and_subclasses(
    recorder: Callable[..., Any], calls: Calls
) -> None:
    """A signal with sender=App accepts App instances and instances of its subclasses."""

    class SubApp(App):
        pass

    started = Signal("started", sender=App)
    with started.connected_to(recorder("r")):
        started.send(App())
        started.send(SubApp())
    assert len(calls) == 2


def test_strict_mode_applies_to_signals_declared_while_it_was_off(
    users: Signal[object, Any, UserRegistered],
) -> None:
    """Turning strict mode on also affects signals declared (and sent) while it was off."""
    with strict_mode(False):
        quiet = Signal("quiet", UserRegistered)
        assert quiet.send(None, user_id="x") == []  # type: ignore[call-arg, arg-type]
    with strict_mode(True), pytest.raises(PayloadError):
        quiet.send(None, user_id="x")  # type: ignore[call-arg, arg-type]


def test_signal_strict_can_be_switched_on_later(not_strict: None) -> None:
    """Setting signal.strict = True after declaration validates unheard sends from then on."""
    later = Signal("later", UserRegistered)
    assert later.send(None, user_id="x") == []  # type: ignore[call-arg, arg-type]
    later.strict = True
    with pytest.raises(PayloadError):
        later.send(None, user_id="x")  # type: ignore[call-arg, arg-type]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", "True"), ("on", "True"), ("TRUE", "True"), ("0", "False"), ("", "False")],
)
def test_strict_mode_environment_variable(value: str, expected: str) -> None:
    """TYPEDSIGNALS_STRICT turns strict mode on at import time."""
    result = subprocess.run(
        [sys.executable, "-c", "import typedsignals; print(typedsignals.is_strict())"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "TYPEDSIGNALS_STRICT": value},
        timeout=60,
    )
    assert result.stdout.strip() == expected


def test_send_async_positional_payload_arguments_raise_even_when_nobody_listens(
    users: Signal[object, Any, UserRegistered], not_strict: None
) -> None:
    """A positional payload argument is a call error for send_async, receivers or not."""
    with pytest.raises(TypeError, match="user-registered"):
        asyncio.run(users.send_async(None, 1))


def test_unheard_send_does_not_look_at_positional_arguments(
    users: Signal[object, Any, UserRegistered], not_strict: None
) -> None:
    """With nothing connected and strict mode off, send returns at once (documented)."""
    assert users.send(None, 1) == []


@pytest.mark.parametrize("strict", [True, False], ids=["strict-unheard", "heard"])
def test_positional_payload_arguments_raise_when_heard_or_strict(
    users: Signal[object, Any, UserRegistered],
    recorder: Callable[..., Any],
    calls: Calls,
    strict: bool,
) -> None:
    """A positional payload argument is a call error whenever send looks at its arguments."""
    with strict_mode(strict):
        if strict:
            with pytest.raises(TypeError, match="user-registered"):
                users.send(None, 1)
        else:
            with (
                users.connected_to(recorder("listener")),
                pytest.raises(TypeError, match="user-registered"),
            ):
                users.send(None, 1)
    assert calls == []


def test_receiver_connected_during_a_send_is_not_called_by_it(
    users: Signal[object, Any, UserRegistered], recorder: Callable[..., Any], calls: Calls
) -> None:
    """A send calls the receivers connected when it started, not one connected meanwhile."""
    late = recorder("late")

    def connects_late(sender: object, payload: object) -> None:
        users.connect(late)

    users.connect(connects_late)
    try:
        users.send(None, user_id=1, email="a@example.org")
        assert calls == []
        users.send(None, user_id=2, email="a@example.org")
        assert [name for name, _, _ in calls] == ["late"]
    finally:
        users.disconnect(connects_late)
        users.disconnect(late)


def test_receiver_disconnecting_itself_does_not_skip_the_next(
    users: Signal[object, Any, UserRegistered], recorder: Callable[..., Any], calls: Calls
) -> None:
    """A receiver that disconnects itself during a send does not make the next one skipped."""

    def once(sender: object, payload: object) -> None:
        calls.append(("once", sender, payload))
        users.disconnect(once)

    after = recorder("after")
    users.connect(once)
    users.connect(after)
    try:
        users.send(None, user_id=1, email="a@example.org")
        users.send(None, user_id=2, email="a@example.org")
    finally:
        users.disconnect(once)
        users.disconnect(after)
    assert [name for name, _, _ in calls] == ["once", "after", "after"]


def test_receiver_may_send_the_same_signal(users: Signal[object, Any, UserRegistered]) -> None:
    """A receiver can send the signal it is receiving (re-entrant send)."""
    seen: list[int] = []

    def countdown(sender: object, payload: UserRegistered) -> None:
        seen.append(payload.user_id)
        if payload.user_id:
            users.send(sender, user_id=payload.user_id - 1, email=payload.email)

    with users.connected_to(countdown):
        users.send(None, user_id=3, email="a@example.org")
    assert seen == [3, 2, 1, 0]
