"""Errors: receiver error policies and rejected input (payloads, senders, receivers, signals)."""

from __future__ import annotations

import dataclasses
import functools
import gc
import logging
import sys
from collections.abc import Callable
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from typedsignals import (
    Payload,
    PayloadError,
    PayloadTypeError,
    ReceiverErrors,
    ReceiverTypeError,
    SenderTypeError,
    Signal,
    SignalDefinitionError,
    TypedSignalsError,
    all_signals,
    is_strict,
    set_strict,
)

if sys.version_info >= (3, 11):
    from builtins import ExceptionGroup

    # except* is a syntax error before 3.11: compiled at run time so this module still
    # imports on 3.10, where the backport's catch() is the equivalent.
    _EXCEPT_STAR = """
def split_by_type(send):
    caught = []
    try:
        send()
    except* KeyError as group:
        caught.append(group)
    except* ValueError as group:
        caught.append(group)
    return caught
"""
    _namespace: dict[str, Any] = {}
    exec(compile(_EXCEPT_STAR, __file__, "exec"), _namespace)
    split_by_type: Callable[[Callable[[], object]], list[BaseException]]
    split_by_type = _namespace["split_by_type"]
else:  # pragma: no cover - Python 3.10
    from exceptiongroup import ExceptionGroup, catch

    def split_by_type(send: Callable[[], object]) -> list[BaseException]:
        caught: list[BaseException] = []
        with catch({KeyError: caught.append, ValueError: caught.append}):
            send()
        return caught


class UserRegistered(Payload):
    user_id: int
    email: str


class OrderPlaced(Payload):
    order_id: int


class Flexible(Payload):
    model_config = ConfigDict(extra="allow")

    user_id: int


class Checked(Payload):
    code: str

    @field_validator("code")
    @classmethod
    def known_code(cls, value: str) -> str:
        return {"a": "alpha"}[value]  # KeyError for anything else: not a ValidationError


class App:
    """The declared sender type."""


class Listener:
    def good(self, sender: object, payload: object) -> None:
        """Takes (sender, payload)."""

    def too_few(self, sender: object) -> None:
        """Takes only the sender."""


class CallableGood:
    def __call__(self, sender: object, payload: object) -> None:
        """Takes (sender, payload)."""


class CallableBad:
    def __call__(self, sender: object, payload: object, extra: object) -> None:
        """Needs a third argument."""


def two(sender: object, payload: object) -> None:
    """Takes (sender, payload)."""


def one(sender: object) -> None:
    """Takes only the sender."""


def three(sender: object, payload: object, extra: object) -> None:
    """Needs a third argument."""


def three_args(tag: str, sender: object, payload: object) -> str:
    return tag


def kwonly_required(sender: object, payload: object, *, flag: bool) -> None:
    """Needs a keyword-only argument."""


def kwonly_default(sender: object, payload: object, *, flag: bool = False) -> None:
    """Has an optional keyword-only argument."""


def star_args(*args: object) -> None:
    """Takes anything positional."""


def one_then_star(sender: object, *args: object) -> None:
    """One named, the rest variadic."""


def three_then_star(a: object, b: object, c: object, *rest: object) -> None:
    """Needs three positional arguments."""


def defaults(sender: object, payload: object = None, extra: object = None) -> None:
    """Extra parameters with defaults."""


def kwargs_only(**kwargs: object) -> None:
    """Only keyword arguments."""


def positional_only(sender: object, payload: object, /) -> None:
    """Positional-only parameters."""


def double_star(sender: object, payload: object, **kwargs: object) -> None:
    """Takes (sender, payload) and keywords."""


@pytest.fixture
def users() -> Signal[object, Any, UserRegistered]:
    """A fresh signal carrying UserRegistered."""
    return Signal("user-registered", UserRegistered)


def failing(message: str, calls: list[str]) -> Callable[[object, object], str]:
    """A receiver that records its name in ``calls`` and raises ValueError(message)."""

    def receiver(sender: object, payload: object) -> str:
        calls.append(message)
        raise ValueError(message)

    receiver.__qualname__ = f"failing_{message}"
    return receiver


def working(name: str, calls: list[str]) -> Callable[[object, object], str]:
    """A receiver that records its name in ``calls`` and returns it."""

    def receiver(sender: object, payload: object) -> str:
        calls.append(name)
        return name

    receiver.__qualname__ = f"working_{name}"
    return receiver


# -- receiver error policies ----------------------------------------------------------


def test_raise_policy_propagates_first_error_and_stops(
    users: Signal[object, Any, UserRegistered],
) -> None:
    """Under "raise" (the default) the first error propagates; later receivers do not run."""
    calls: list[str] = []
    receivers = [working("ok", calls), failing("first", calls), failing("second", calls)]
    receivers.append(working("late", calls))
    assert users.error_policy == "raise"
    for receiver in receivers:
        users.connect(receiver)
    try:
        with pytest.raises(ValueError, match="first"):
            users.send(None, user_id=1, email="a@example.org")
    finally:
        for receiver in receivers:
            users.disconnect(receiver)
    assert calls == ["ok", "first"]


def test_collect_policy_runs_all_then_raises_receiver_errors() -> None:
    """Under "collect" every receiver runs, then one ReceiverErrors carries every failure."""
    collecting = Signal("collecting", UserRegistered, error_policy="collect")
    calls: list[str] = []
    first, second = failing("first", calls), failing("second", calls)
    receivers = [first, working("middle", calls), second, working("last", calls)]
    for receiver in receivers:
        collecting.connect(receiver)
    try:
        with pytest.raises(ReceiverErrors) as info:
            collecting.send(None, user_id=1, email="a@example.org")
    finally:
        for receiver in receivers:
            collecting.disconnect(receiver)
    assert calls == ["first", "middle", "second", "last"]
    group = info.value
    assert [str(exc) for exc in group.exceptions] == ["first", "second"]
    assert group.receivers == (first, second)
    assert group.signal_name == "collecting"
    assert "collecting" in str(group)


def test_receiver_errors_is_an_exception_group_and_a_typedsignals_error() -> None:
    """ReceiverErrors is both an ExceptionGroup and a TypedSignalsError."""
    assert issubclass(ReceiverErrors, ExceptionGroup)
    assert issubclass(ReceiverErrors, TypedSignalsError)


def test_collect_policy_notes_name_each_receiver() -> None:
    """Every collected exception carries a note naming its receiver and the signal."""
    collecting = Signal("collecting", UserRegistered, error_policy="collect")
    calls: list[str] = []
    first, second = failing("first", calls), failing("second", calls)
    with (
        collecting.connected_to(first),
        collecting.connected_to(second),
        pytest.raises(ReceiverErrors) as info,
    ):
        collecting.send(None, user_id=1, email="a@example.org")
    notes = [exc.__notes__ for exc in info.value.exceptions]
    assert len(notes) == 2
    assert "failing_first" in notes[0][0]
    assert "failing_second" in notes[1][0]
    assert all("collecting" in note[0] for note in notes)


def test_collect_policy_works_with_except_star() -> None:
    """except* splits a ReceiverErrors by exception type, keeping signal and receivers."""
    collecting = Signal("collecting", UserRegistered, error_policy="collect")

    def key_error(sender: object, payload: object) -> None:
        raise KeyError("k")

    def value_error(sender: object, payload: object) -> None:
        raise ValueError("v")

    with collecting.connected_to(key_error), collecting.connected_to(value_error):
        key_group, value_group = split_by_type(
            lambda: collecting.send(None, user_id=1, email="a@example.org")
        )
    assert isinstance(key_group, ReceiverErrors)
    assert isinstance(value_group, ReceiverErrors)
    assert key_group.receivers == (key_error,)
    assert value_group.receivers == (value_error,)
    assert key_group.signal_name == value_group.signal_name == "collecting"


def test_collect_policy_without_failures_returns_all_results() -> None:
    """Under "collect" a send where nobody fails returns every result."""
    collecting = Signal("collecting", UserRegistered, error_policy="collect")
    calls: list[str] = []
    first, second = working("first", calls), working("second", calls)
    with collecting.connected_to(first), collecting.connected_to(second):
        results = collecting.send(None, user_id=1, email="a@example.org")
    assert results == [(first, "first"), (second, "second")]


def test_log_policy_logs_and_runs_the_rest(caplog: pytest.LogCaptureFixture) -> None:
    """Under "log" a failure is logged with signal, receiver and traceback; the rest run."""
    logging_signal = Signal("logging-signal", UserRegistered, error_policy="log")
    calls: list[str] = []
    bad, good = failing("boom", calls), working("good", calls)
    with (
        logging_signal.connected_to(bad),
        logging_signal.connected_to(good),
        caplog.at_level(logging.ERROR, logger="typedsignals"),
    ):
        results = logging_signal.send(None, user_id=1, email="a@example.org")
    assert calls == ["boom", "good"]
    assert results == [(good, "good")]
    [record] = caplog.records
    assert record.name == "typedsignals"
    assert record.levelno == logging.ERROR
    message = record.getMessage()
    assert "logging-signal" in message
    assert "failing_boom" in message
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], ValueError)
    assert "Traceback" in caplog.text
    assert "ValueError: boom" in caplog.text


@pytest.mark.parametrize("policy", ["raise", "collect", "log"])
def test_error_policy_is_readable(policy: Any) -> None:
    """The error policy given at declaration is the signal's error_policy."""
    assert Signal("s", error_policy=policy).error_policy == policy


def test_send_payload_error_policy_overrides_for_one_send(
    users: Signal[object, Any, UserRegistered], caplog: pytest.LogCaptureFixture
) -> None:
    """send_payload(..., error_policy="log") logs instead of raising, for that send only."""
    calls: list[str] = []
    bad, good = failing("boom", calls), working("good", calls)
    payload = UserRegistered(user_id=1, email="a@example.org")
    with users.connected_to(bad), users.connected_to(good):
        with caplog.at_level(logging.ERROR, logger="typedsignals"):
            results = users.send_payload(None, payload, error_policy="log")
        assert results == [(good, "good")]
        assert len(caplog.records) == 1
        with pytest.raises(ValueError, match="boom"):
            users.send_payload(None, payload)
    assert users.error_policy == "raise"


def test_send_payload_error_policy_collect_override(
    users: Signal[object, Any, UserRegistered],
) -> None:
    """send_payload(..., error_policy="collect") collects on a "raise" signal."""
    calls: list[str] = []
    first, second = failing("first", calls), failing("second", calls)
    payload = UserRegistered(user_id=1, email="a@example.org")
    with (
        users.connected_to(first),
        users.connected_to(second),
        pytest.raises(ReceiverErrors) as info,
    ):
        users.send_payload(None, payload, error_policy="collect")
    assert info.value.receivers == (first, second)


def test_send_payload_error_policy_raise_override() -> None:
    """send_payload(..., error_policy="raise") fails fast on a "log" signal."""
    logging_signal = Signal("logging-signal", UserRegistered, error_policy="log")
    calls: list[str] = []
    payload = UserRegistered(user_id=1, email="a@example.org")
    with (
        logging_signal.connected_to(failing("boom", calls)),
        logging_signal.connected_to(working("late", calls)),
        pytest.raises(ValueError, match="boom"),
    ):
        logging_signal.send_payload(None, payload, error_policy="raise")
    assert calls == ["boom"]


def test_send_payload_rejects_unknown_error_policy(
    users: Signal[object, Any, UserRegistered],
) -> None:
    """A per-send error policy that does not exist is rejected, naming the signal."""
    payload = UserRegistered(user_id=1, email="a@example.org")
    with users.connected_to(two), pytest.raises(ValueError, match="user-registered"):
        users.send_payload(None, payload, error_policy="ignore")  # type: ignore[arg-type]


# -- bad payloads ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "bad_fields"),
    [
        pytest.param({"user_id": "x", "email": "a@example.org"}, ("user_id",), id="wrong-type"),
        pytest.param({"user_id": 1}, ("email",), id="missing-field"),
        pytest.param(
            {"user_id": 1, "email": "a@example.org", "name": "Ann"}, ("name",), id="unknown-kw"
        ),
        pytest.param({"user_id": [], "nick": "n"}, ("user_id", "email", "nick"), id="several"),
    ],
)
def test_bad_payload_raises_payload_error_and_dispatches_nothing(
    users: Signal[object, Any, UserRegistered],
    fields: dict[str, Any],
    bad_fields: tuple[str, ...],
) -> None:
    """Invalid fields raise PayloadError naming the signal and every bad field; nobody runs."""
    calls: list[str] = []
    with users.connected_to(working("r", calls)), pytest.raises(PayloadError) as info:
        users.send(None, **fields)
    assert calls == []
    error = info.value
    assert "user-registered" in str(error)
    assert error.signal_name == "user-registered"
    assert set(error.fields) == set(bad_fields)
    for name in bad_fields:
        assert name in str(error)
    assert f"({len(bad_fields)} error" in str(error)


def test_payload_error_is_a_typedsignals_error_and_a_value_error() -> None:
    """PayloadError is both a TypedSignalsError and a ValueError."""
    assert issubclass(PayloadError, TypedSignalsError)
    assert issubclass(PayloadError, ValueError)


def test_payload_error_wraps_pydantic_validation_error(
    users: Signal[object, Any, UserRegistered],
) -> None:
    """PayloadError keeps pydantic's ValidationError as validation_error and __cause__."""
    with users.connected_to(two), pytest.raises(PayloadError) as info:
        users.send(None, user_id="x", email="a@example.org")
    error = info.value
    assert isinstance(error.validation_error, ValidationError)
    assert error.__cause__ is error.validation_error
    assert error.errors() == error.validation_error.errors(include_url=False)
    [detail] = error.errors()
    assert detail["loc"] == ("user_id",)
    assert detail["type"] == "int_parsing"
    assert error.fields == ("user_id",)


def test_payload_error_message_shows_offending_input(
    users: Signal[object, Any, UserRegistered],
) -> None:
    """The message shows what was given for a wrongly typed field."""
    with users.connected_to(two), pytest.raises(PayloadError) as info:
        users.send(None, user_id="not-a-number", email="a@example.org")
    assert "'not-a-number'" in str(info.value)


def test_model_allowing_extras_accepts_unknown_keywords() -> None:
    """A payload model with extra="allow" accepts and keeps unknown keywords."""
    flexible = Signal("flexible", Flexible)
    seen: list[Flexible] = []
    with flexible.connected_to(lambda sender, payload: seen.append(payload)):
        flexible.send(None, user_id=1, nickname="ann")  # type: ignore[call-arg]
    assert seen[0].model_extra == {"nickname": "ann"}


def test_validator_raising_other_exception_becomes_payload_error() -> None:
    """A validator raising something else than a ValidationError gives PayloadError; nobody runs."""
    checked = Signal("checked", Checked)
    calls: list[str] = []
    with checked.connected_to(working("r", calls)), pytest.raises(PayloadError) as info:
        checked.send(None, code="zzz")
    assert calls == []
    error = info.value
    assert "checked" in str(error)
    assert "KeyError" in str(error)
    assert isinstance(error.__cause__, KeyError)
    assert error.validation_error is None
    assert error.errors() == []
    assert error.fields == ()


def test_validator_runs_on_send() -> None:
    """A field validator's result is what receivers get."""
    checked = Signal("checked", Checked)
    seen: list[Checked] = []
    with checked.connected_to(lambda sender, payload: seen.append(payload)):
        checked.send(None, code="a")
    assert seen[0].code == "alpha"


def test_positional_payload_arguments_raise_type_error(
    users: Signal[object, Any, UserRegistered],
) -> None:
    """send() takes the sender as its only positional argument; nothing is dispatched."""
    calls: list[str] = []
    with users.connected_to(working("r", calls)), pytest.raises(TypeError, match="user-registered"):
        users.send(None, 1, "a@example.org")
    assert calls == []


def test_send_payload_with_wrong_model_raises_payload_type_error(
    users: Signal[object, Any, UserRegistered],
) -> None:
    """send_payload() with an instance of another model raises PayloadTypeError; nobody runs."""
    calls: list[str] = []
    with users.connected_to(working("r", calls)), pytest.raises(PayloadTypeError) as info:
        users.send_payload(None, OrderPlaced(order_id=1))  # type: ignore[arg-type]
    assert calls == []
    message = str(info.value)
    assert "user-registered" in message
    assert "UserRegistered" in message
    assert "OrderPlaced" in message
    assert isinstance(info.value, TypeError)
    assert isinstance(info.value, TypedSignalsError)


def test_send_payload_with_a_dict_raises_payload_type_error(
    users: Signal[object, Any, UserRegistered],
) -> None:
    """send_payload() does not build a model from a dict."""
    with users.connected_to(two), pytest.raises(PayloadTypeError):
        users.send_payload(None, {"user_id": 1, "email": "a@example.org"})  # type: ignore[arg-type]


# -- bad senders ---------------------------------------------------------------------------


@pytest.fixture
def app_signal() -> Signal[App, Any, UserRegistered]:
    """A fresh signal whose senders must be App instances."""
    return Signal("app-signal", UserRegistered, sender=App)


def test_wrong_sender_type_raises_sender_type_error(
    app_signal: Signal[App, Any, UserRegistered],
) -> None:
    """send() from a sender of the wrong type raises SenderTypeError; nobody runs."""
    calls: list[str] = []
    with app_signal.connected_to(working("r", calls)), pytest.raises(SenderTypeError) as info:
        app_signal.send("not an app", user_id=1, email="a@example.org")  # type: ignore[arg-type]
    assert calls == []
    message = str(info.value)
    assert "app-signal" in message
    assert "App" in message
    assert "str" in message
    assert isinstance(info.value, TypeError)
    assert isinstance(info.value, TypedSignalsError)


def test_wrong_sender_type_on_send_payload_raises(
    app_signal: Signal[App, Any, UserRegistered],
) -> None:
    """send_payload() from a sender of the wrong type raises SenderTypeError; nobody runs."""
    calls: list[str] = []
    payload = UserRegistered(user_id=1, email="a@example.org")
    with app_signal.connected_to(working("r", calls)), pytest.raises(SenderTypeError):
        app_signal.send_payload(object(), payload)  # type: ignore[arg-type]
    assert calls == []


def test_wrong_sender_type_at_connect_raises(
    app_signal: Signal[App, Any, UserRegistered],
) -> None:
    """connect(sender=...) with a sender of the wrong type raises SenderTypeError."""
    with pytest.raises(SenderTypeError, match="app-signal"):
        app_signal.connect(two, sender="not an app")  # type: ignore[arg-type]
    assert app_signal.receivers_for(App()) == ()


def test_wrong_sender_type_at_connect_via_raises(
    app_signal: Signal[App, Any, UserRegistered],
) -> None:
    """connect_via() with a sender of the wrong type raises SenderTypeError when applied."""
    with pytest.raises(SenderTypeError):
        app_signal.connect_via(42)(two)  # type: ignore[arg-type]


def test_sender_type_is_checked_before_validation(
    app_signal: Signal[App, Any, UserRegistered],
) -> None:
    """A wrong sender and bad fields: the sender error is reported."""
    with app_signal.connected_to(two), pytest.raises(SenderTypeError):
        app_signal.send("not an app", user_id="x")  # type: ignore[arg-type]


# -- bad receivers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "receiver",
    [
        pytest.param(one, id="too-few-params"),
        pytest.param(three, id="too-many-required-params"),
        pytest.param(kwonly_required, id="required-keyword-only"),
        pytest.param(three_then_star, id="star-args-after-three-required"),
        pytest.param(kwargs_only, id="only-kwargs"),
        pytest.param(lambda: None, id="lambda-without-params"),
        pytest.param(Listener().too_few, id="bound-method-too-few"),
        pytest.param(functools.partial(three_args, "x", "y"), id="partial-binding-too-many"),
        pytest.param(functools.partial(two, payload=None), id="partial-binding-payload-by-kw"),
        pytest.param(CallableBad(), id="callable-instance-bad-call"),
        pytest.param(len, id="builtin-one-param"),
    ],
)
def test_receiver_that_cannot_take_sender_and_payload_is_rejected_at_connect(
    users: Signal[object, Any, UserRegistered], receiver: Callable[..., Any]
) -> None:
    """connect() raises ReceiverTypeError for a receiver that cannot take (sender, payload)."""
    with pytest.raises(ReceiverTypeError) as info:
        users.connect(receiver)
    assert "user-registered" in str(info.value)
    assert "(sender, payload)" in str(info.value)
    assert not users.has_receivers_for(None)


@pytest.mark.parametrize(
    "receiver",
    [
        pytest.param(two, id="two-params"),
        pytest.param(defaults, id="extra-params-with-defaults"),
        pytest.param(kwonly_default, id="optional-keyword-only"),
        pytest.param(star_args, id="star-args"),
        pytest.param(one_then_star, id="one-then-star-args"),
        pytest.param(double_star, id="with-kwargs"),
        pytest.param(positional_only, id="positional-only"),
        pytest.param(lambda sender, payload: None, id="lambda"),
        pytest.param(Listener().good, id="bound-method"),
        pytest.param(functools.partial(three_args, "x"), id="partial"),
        pytest.param(CallableGood(), id="callable-instance"),
        pytest.param(print, id="builtin"),
    ],
)
def test_receiver_taking_sender_and_payload_is_accepted(
    users: Signal[object, Any, UserRegistered], receiver: Callable[..., Any]
) -> None:
    """connect() accepts any callable that can be called as receiver(sender, payload)."""
    users.connect(receiver, weak=False)
    try:
        assert users.receivers_for(None) == (receiver,)
    finally:
        users.disconnect(receiver)


@pytest.mark.parametrize("receiver", [None, 42, "receiver", object()])
def test_non_callable_receiver_is_rejected_at_connect(
    users: Signal[object, Any, UserRegistered], receiver: object
) -> None:
    """connect() raises ReceiverTypeError for something that is not callable."""
    with pytest.raises(ReceiverTypeError, match="not callable") as info:
        users.connect(receiver)  # type: ignore[arg-type]
    assert "user-registered" in str(info.value)
    assert isinstance(info.value, TypeError)
    assert not users.has_receivers_for(None)


def test_receiver_type_error_names_the_receiver(
    users: Signal[object, Any, UserRegistered],
) -> None:
    """The ReceiverTypeError message names the rejected receiver."""
    with pytest.raises(ReceiverTypeError, match="three"):
        users.connect(three)


def test_bad_receiver_is_rejected_by_connect_via(
    users: Signal[object, Any, UserRegistered],
) -> None:
    """connect_via() rejects a receiver that cannot take (sender, payload) when applied."""
    with pytest.raises(ReceiverTypeError):
        users.connect_via("app")(one)  # type: ignore[arg-type]
    assert not users.has_receivers_for("app")


def test_bad_receiver_is_rejected_by_connected_to(
    users: Signal[object, Any, UserRegistered],
) -> None:
    """connected_to() rejects a receiver that cannot take (sender, payload)."""
    with pytest.raises(ReceiverTypeError), users.connected_to(one):  # type: ignore[arg-type]
        pass
    assert not users.has_receivers_for(None)


# -- bad signal definitions ------------------------------------------------------------------


@dataclasses.dataclass
class NotAModel:
    x: int


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(int, id="builtin-type"),
        pytest.param(dict, id="dict"),
        pytest.param(NotAModel, id="dataclass"),
        pytest.param(UserRegistered(user_id=1, email="e"), id="model-instance"),
        pytest.param("UserRegistered", id="string"),
    ],
)
def test_non_model_payload_raises_signal_definition_error(payload: Any) -> None:
    """A payload that is not a pydantic model class is rejected, naming the signal."""
    with pytest.raises(SignalDefinitionError, match="bad-signal"):
        Signal("bad-signal", payload)


def test_plain_base_model_payload_is_accepted() -> None:
    """Any pydantic BaseModel subclass is a valid payload model, not only Payload."""

    class Plain(BaseModel):
        x: int

    assert Signal("plain", Plain).payload_model is Plain


def test_unknown_error_policy_raises_signal_definition_error() -> None:
    """An error policy that does not exist is rejected, naming the signal and the policy."""
    with pytest.raises(SignalDefinitionError, match="bad-signal") as info:
        Signal("bad-signal", error_policy="ignore")  # type: ignore[call-overload]
    assert "ignore" in str(info.value)


def test_rejected_signal_does_not_break_set_strict() -> None:
    """A signal rejected at declaration leaves nothing behind that breaks set_strict()."""
    problem = None
    with pytest.raises(SignalDefinitionError) as info:  # info keeps the traceback alive
        Signal("bad-signal", error_policy="ignore")  # type: ignore[call-overload]
    try:
        set_strict(is_strict())  # the same value: only refreshes every live signal
    except Exception as exc:  # kept as text: the exception would keep the signal alive
        problem = repr(exc)
    del info  # release the rejected signal before asserting, so no later test trips on it
    gc.collect()
    assert problem is None


def test_rejected_signal_is_not_listed_in_all_signals() -> None:
    """A signal rejected at declaration is not registered as a live signal."""
    name = "rejected-signal"
    with pytest.raises(SignalDefinitionError) as info:  # info keeps the traceback alive
        Signal(name, error_policy="ignore")  # type: ignore[call-overload]
    listed = sum(table.name == name for table in all_signals())
    del info  # release the rejected signal before asserting, so no later test trips on it
    gc.collect()
    assert listed == 0


@pytest.mark.parametrize("name", ["", None, 42])
def test_invalid_signal_name_raises_signal_definition_error(name: Any) -> None:
    """A signal name must be a non-empty string."""
    with pytest.raises(SignalDefinitionError):
        Signal(name)


def test_non_class_sender_raises_signal_definition_error() -> None:
    """sender= must be a class."""
    with pytest.raises(SignalDefinitionError, match="bad-signal"):
        Signal("bad-signal", sender=App())  # type: ignore[call-overload]


def test_signal_definition_error_is_a_value_error() -> None:
    """SignalDefinitionError is both a TypedSignalsError and a ValueError."""
    assert issubclass(SignalDefinitionError, TypedSignalsError)
    assert issubclass(SignalDefinitionError, ValueError)


@pytest.mark.parametrize(
    "error",
    [PayloadTypeError, SenderTypeError, ReceiverTypeError],
)
def test_type_errors_are_typedsignals_errors_and_type_errors(error: type[Exception]) -> None:
    """PayloadTypeError, SenderTypeError and ReceiverTypeError are TypeErrors."""
    assert issubclass(error, TypedSignalsError)
    assert issubclass(error, TypeError)


@pytest.mark.parametrize("policy", ["collect", "log"])
def test_base_exceptions_are_never_collected_or_logged(policy: Any) -> None:
    """KeyboardInterrupt and other BaseExceptions propagate at once under every policy."""
    soft = Signal("soft", UserRegistered, error_policy=policy)
    calls: list[str] = []

    def interrupted(sender: object, payload: object) -> None:
        raise KeyboardInterrupt

    with (
        soft.connected_to(interrupted),
        soft.connected_to(working("late", calls)),
        pytest.raises(KeyboardInterrupt),
    ):
        soft.send(None, user_id=1, email="a@example.org")
    assert calls == []


def test_signal_without_model_rejects_keywords() -> None:
    """A signal declared without a payload model accepts no payload fields."""
    ping = Signal("ping")
    with ping.connected_to(two), pytest.raises(PayloadError, match="ping") as info:
        ping.send(None, extra=1)  # type: ignore[call-arg]
    assert info.value.fields == ("extra",)


@pytest.mark.parametrize("priority", [1.5, "1", None])
def test_non_int_priority_is_rejected(
    users: Signal[object, Any, UserRegistered], priority: Any
) -> None:
    """connect(priority=...) must be an int; anything else raises TypeError naming the signal."""
    with pytest.raises(TypeError, match="user-registered"):
        users.connect(two, priority=priority)
    assert not users.has_receivers_for(None)
