"""Payload models on blinker-compatible signals: validate sends, keep kwargs receivers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from pydantic import BaseModel, field_validator

from typedsignals import Payload, strict_mode
from typedsignals.blinker import NamedSignal, Namespace, Signal
from typedsignals.exceptions import PayloadError, SignalDefinitionError

pytest_plugins = ["blinker_support"]  # the impl and run_python fixtures


class UserRegistered(Payload):
    user_id: int
    email: str


class Picky(BaseModel):
    name: str

    @field_validator("name")
    @classmethod
    def no_x(cls, value: str) -> str:
        if "x" in value:
            raise KeyError("no x please")  # not a ValueError: pydantic does not wrap it
        return value


def _recorder() -> tuple[list[tuple[object, dict[str, Any]]], Callable[..., None]]:
    heard: list[tuple[object, dict[str, Any]]] = []

    def receiver(sender: object, **kwargs: Any) -> None:
        heard.append((sender, kwargs))

    return heard, receiver


def test_a_valid_send_reaches_kwargs_receivers_unchanged() -> None:
    """Receivers get (sender, **kwargs) exactly as sent, after validation passed."""
    sig = Signal(payload=UserRegistered)
    heard, receiver = _recorder()
    context: dict[str, Any] = {"user_id": 7, "email": "a@example.org"}
    sig.connect(receiver, weak=False)
    try:
        sig.send("app", **context)
        sig.send("app", user_id="8", email="b@example.org")  # lax: "8" fits an int
    finally:
        sig.disconnect(receiver)
    assert heard == [("app", context), ("app", {"user_id": "8", "email": "b@example.org"})]


def test_an_invalid_send_raises_before_any_receiver() -> None:
    """Bad kwargs raise PayloadError naming the signal and the fields; nobody runs."""
    sig = NamedSignal("user-registered", payload=UserRegistered)
    heard, receiver = _recorder()
    sig.connect(receiver, weak=False)
    try:
        with pytest.raises(PayloadError, match="user-registered") as caught:
            sig.send("app", user_id="x", extra=1)
    finally:
        sig.disconnect(receiver)
    assert heard == []
    assert set(caught.value.fields) == {"user_id", "email", "extra"}
    assert isinstance(caught.value, ValueError)


def test_a_validator_error_becomes_a_payload_error() -> None:
    """An exception other than ValidationError from a validator is a PayloadError too."""
    sig = Signal(payload=Picky)
    heard, receiver = _recorder()
    sig.connect(receiver, weak=False)
    try:
        with pytest.raises(PayloadError, match="KeyError"):
            sig.send("app", name="xavier")
        sig.send("app", name="ann")
    finally:
        sig.disconnect(receiver)
    assert heard == [("app", {"name": "ann"})]


def test_a_model_with_its_own_init_is_used() -> None:
    """A model whose __init__ is its own is built through it."""
    calls: list[dict[str, Any]] = []

    class Traced(BaseModel):
        n: int

        def __init__(self, **data: Any) -> None:
            calls.append(data)
            super().__init__(**data)

    sig = Signal(payload=Traced)
    _, receiver = _recorder()
    sig.connect(receiver, weak=False)
    try:
        sig.send("app", n=1)
    finally:
        sig.disconnect(receiver)
    assert calls == [{"n": 1}]


@pytest.mark.parametrize("strict", [True, False])
def test_nobody_listening_validates_only_in_strict_mode(strict: bool) -> None:
    """With no receiver, a bad send fails in strict mode and is free otherwise."""
    sig = Signal(payload=UserRegistered)
    with strict_mode(strict):
        if strict:
            with pytest.raises(PayloadError):
                sig.send("app", user_id="x")
        else:
            assert sig.send("app", user_id="x") == []


def test_muted_sends_validate_in_strict_mode() -> None:
    """A muted signal still checks its sends in strict mode."""
    sig = Signal(payload=UserRegistered)
    _, receiver = _recorder()
    sig.connect(receiver, weak=False)
    try:
        with strict_mode(True), sig.muted(), pytest.raises(PayloadError):
            sig.send("app", user_id="x")
    finally:
        sig.disconnect(receiver)


def test_send_async_validates() -> None:
    """send_async validates before awaiting any receiver."""
    sig = Signal(payload=UserRegistered)
    heard: list[dict[str, Any]] = []

    async def receiver(sender: object, **kwargs: Any) -> None:
        heard.append(kwargs)

    sig.connect(receiver, weak=False)
    try:
        with pytest.raises(PayloadError):
            asyncio.run(sig.send_async("app", user_id=1))
        asyncio.run(sig.send_async("app", user_id=1, email="a@example.org"))
    finally:
        sig.disconnect(receiver)
    assert heard == [{"user_id": 1, "email": "a@example.org"}]


def test_payload_can_be_attached_and_removed() -> None:
    """Assigning payload starts validating an existing signal; None stops it."""
    sig = Signal()
    heard, receiver = _recorder()
    sig.connect(receiver, weak=False)
    try:
        sig.send("app", anything=1)
        sig.payload = UserRegistered
        assert sig.payload is UserRegistered
        with pytest.raises(PayloadError):
            sig.send("app", anything=2)
        sig.payload = None
        sig.send("app", anything=3)
    finally:
        sig.disconnect(receiver)
    assert [kwargs["anything"] for _, kwargs in heard] == [1, 3]


def test_payload_must_be_a_pydantic_model() -> None:
    """A payload that is not a pydantic model class is refused."""
    with pytest.raises(SignalDefinitionError, match="BaseModel"):
        Signal(payload=dict)


def test_namespace_attaches_a_payload_once() -> None:
    """Namespace.signal(name, payload=M) attaches M; a different model is refused."""
    namespace = Namespace()
    plain = namespace.signal("user-registered")
    assert namespace.signal("user-registered", payload=UserRegistered) is plain
    assert plain.payload is UserRegistered
    assert namespace.signal("user-registered", payload=UserRegistered) is plain
    assert namespace.signal("user-registered").payload is UserRegistered
    with pytest.raises(SignalDefinitionError, match="already validates"):
        namespace.signal("user-registered", payload=Picky)


def test_giving_a_payload_imports_pydantic_only_then(run_python: Callable[..., Any]) -> None:
    """pydantic is imported when a payload model is given, not before."""
    result = run_python(
        """
        import sys
        from typedsignals.blinker import Signal
        sig = Signal()
        before = "pydantic" in sys.modules
        from pydantic import BaseModel
        class Model(BaseModel):
            n: int
        sig.payload = Model
        print(before, "typedsignals.blinker._payload" in sys.modules)
        """
    )
    assert result.stdout.split() == ["False", "True"]
