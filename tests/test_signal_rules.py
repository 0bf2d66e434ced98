"""Rules of the typed signal, seen through the public API in both strict modes.

Each test pins a behaviour that mutation testing of typedsignals/_signal.py found
unguarded (see docs/guarantees.md, "Mutation testing"): what each send path hands its
receivers, the checks of send_payload, send_async, send_async_payload and validate,
the error policies and their reports, and how payloads are built.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Awaitable, Callable
from contextlib import nullcontext
from typing import Any

import pytest
from pydantic import field_validator

from typedsignals import (
    Payload,
    PayloadError,
    PayloadTypeError,
    ReceiverErrors,
    ReceiverTypeError,
    SenderTypeError,
    Signal,
    SignalDefinitionError,
)


class Order(Payload):
    order_id: int


class Refund(Payload):
    order_id: int


class Shop:
    """The declared sender type."""


class Outlet(Shop):
    """A subclass of the declared sender type."""


class Stranger:
    """Not a Shop."""


class Listener:
    """An object whose bound method is a (weakly held) receiver."""

    def __init__(self, seen: list[tuple[str, object, object]]) -> None:
        self.seen = seen

    def on_order(self, sender: object, payload: object) -> str:
        self.seen.append(("listener", sender, payload))
        return "listener"


Seen = list[tuple[str, object, object]]


@pytest.fixture
def orders() -> Signal[Shop, Any, Order]:
    """A fresh signal carrying Order from Shop senders."""
    return Signal("orders", Order, sender=Shop)


@pytest.fixture
def seen() -> Seen:
    """``(receiver name, sender, payload)`` of every call, in call order."""
    return []


def recorder(seen: Seen, name: str) -> Callable[[object, object], str]:
    """A receiver that records what it was called with."""

    def receiver(sender: object, payload: object) -> str:
        seen.append((name, sender, payload))
        return name

    receiver.__qualname__ = name
    return receiver


def async_recorder(seen: Seen, name: str) -> Callable[[object, object], Awaitable[str]]:
    """A coroutine receiver that records what it was called with."""

    async def receiver(sender: object, payload: object) -> str:
        await asyncio.sleep(0)
        seen.append((name, sender, payload))
        return name

    receiver.__qualname__ = name
    return receiver


def failing(name: str, error: Exception) -> Callable[[object, object], None]:
    """A receiver that raises ``error``."""

    def receiver(sender: object, payload: object) -> None:
        raise error

    receiver.__qualname__ = name
    return receiver


# -- what each send path hands its receivers -------------------------------------------

SEND_PATHS: dict[str, Callable[[Signal[Shop, Any, Order], Shop], Any]] = {
    "send": lambda s, shop: s.send(shop, order_id=7),
    "send-collect": lambda s, shop: s.send_payload(shop, Order(order_id=7), error_policy="collect"),
    "send-log": lambda s, shop: s.send_payload(shop, Order(order_id=7), error_policy="log"),
    "send-payload": lambda s, shop: s.send_payload(shop, Order(order_id=7)),
    "send-async": lambda s, shop: asyncio.run(s.send_async(shop, order_id=7)),
    "send-async-payload": lambda s, shop: asyncio.run(
        s.send_async_payload(shop, Order(order_id=7))
    ),
    "send-async-collect": lambda s, shop: asyncio.run(
        s.send_async_payload(shop, Order(order_id=7), error_policy="collect")
    ),
    "send-async-concurrent": lambda s, shop: asyncio.run(
        s.send_async_payload(shop, Order(order_id=7), concurrent=True)
    ),
}


@pytest.mark.parametrize("count", [1, 2], ids=["one-receiver", "two-receivers"])
@pytest.mark.parametrize("path", list(SEND_PATHS))
def test_every_send_path_hands_each_receiver_the_sender_and_payload(
    orders: Signal[Shop, Any, Order], seen: Seen, path: str, count: int
) -> None:
    """Each receiver gets the very sender and an equal payload, whichever way it is sent."""
    shop = Outlet()
    names = ["first", "second"][:count]
    with (
        orders.connected_to(recorder(seen, "first")),
        orders.connected_to(recorder(seen, "second"), shop) if count == 2 else nullcontext(),
    ):
        SEND_PATHS[path](orders, shop)
    assert [name for name, _, _ in seen] == names
    assert all(sender is shop for _, sender, _ in seen)
    assert all(payload == Order(order_id=7) for _, _, payload in seen)


@pytest.mark.parametrize("path", list(SEND_PATHS))
def test_every_send_path_resolves_a_weakly_held_receiver(
    orders: Signal[Shop, Any, Order], seen: Seen, path: str
) -> None:
    """A live weakly held receiver (a bound method) is called through its reference."""
    listener = Listener(seen)
    shop = Shop()
    orders.connect(listener.on_order)
    try:
        SEND_PATHS[path](orders, shop)
    finally:
        orders.disconnect(listener.on_order)
    assert seen == [("listener", shop, Order(order_id=7))]


@pytest.mark.parametrize("concurrent", [False, True], ids=["sequential", "concurrent"])
@pytest.mark.parametrize("policy", ["raise", "collect"])
def test_send_async_hands_coroutine_receivers_the_sender_and_payload(
    orders: Signal[Shop, Any, Order], seen: Seen, concurrent: bool, policy: Any
) -> None:
    """Coroutine receivers are awaited with the sender and payload, on every async path."""
    shop = Shop()
    with (
        orders.connected_to(async_recorder(seen, "a")),
        orders.connected_to(async_recorder(seen, "b")),
    ):
        asyncio.run(
            orders.send_async_payload(
                shop, Order(order_id=3), concurrent=concurrent, error_policy=policy
            )
        )
    assert sorted(seen, key=lambda call: call[0]) == [
        ("a", shop, Order(order_id=3)),
        ("b", shop, Order(order_id=3)),
    ]


def test_send_async_payload_follows_the_concurrent_setting_of_the_signal(seen: Seen) -> None:
    """Without concurrent=, send_async_payload runs coroutine receivers as the signal says."""
    both_started = asyncio.Event()
    started: list[str] = []

    def waiter(name: str) -> Callable[[object, object], Awaitable[None]]:
        async def receiver(sender: object, payload: object) -> None:
            started.append(name)
            if len(started) == 2:
                both_started.set()
            await asyncio.wait_for(both_started.wait(), 0.5)

        return receiver

    concurrent = Signal("concurrent-orders", Order, concurrent=True)
    first, second = waiter("first"), waiter("second")
    with concurrent.connected_to(first), concurrent.connected_to(second):
        asyncio.run(concurrent.send_async_payload(None, Order(order_id=1)))
    assert started == ["first", "second"]


# -- muting ------------------------------------------------------------------------

MUTED_PATHS: dict[str, Callable[[Signal[Shop, Any, Order]], Any]] = {
    "send": lambda s: s.send(Shop(), order_id=1),
    "send-payload": lambda s: s.send_payload(Shop(), Order(order_id=1)),
    "send-async": lambda s: asyncio.run(s.send_async(Shop(), order_id=1)),
    "send-async-payload": lambda s: asyncio.run(s.send_async_payload(Shop(), Order(order_id=1))),
}


@pytest.mark.parametrize("path", list(MUTED_PATHS))
def test_muted_signal_delivers_nothing_on_any_send_path(
    orders: Signal[Shop, Any, Order], seen: Seen, path: str
) -> None:
    """Inside muted(), every send path returns [] and calls no receiver."""
    with orders.connected_to(recorder(seen, "r")), orders.muted():
        assert MUTED_PATHS[path](orders) == []
    assert seen == []


# -- sender checks -------------------------------------------------------------------

CHECKED_PATHS: dict[str, Callable[[Signal[Shop, Any, Order], object], Any]] = {
    "send": lambda s, sender: s.send(sender, order_id=1),  # type: ignore[arg-type]
    "send-payload": lambda s, sender: s.send_payload(sender, Order(order_id=1)),  # type: ignore[arg-type]
    "send-async": lambda s, sender: asyncio.run(s.send_async(sender, order_id=1)),  # type: ignore[arg-type]
    "send-async-payload": lambda s, sender: asyncio.run(
        s.send_async_payload(sender, Order(order_id=1))  # type: ignore[arg-type]
    ),
    "validate": lambda s, sender: s.validate(sender, order_id=1),  # type: ignore[arg-type]
}


@pytest.mark.parametrize("heard", [False, True], ids=["unheard", "heard"])
@pytest.mark.parametrize("path", list(CHECKED_PATHS))
def test_sender_of_the_declared_type_or_a_subclass_is_accepted(
    orders: Signal[Shop, Any, Order], seen: Seen, path: str, heard: bool
) -> None:
    """A Shop or an Outlet passes the sender check of every path, heard or not."""
    with orders.connected_to(recorder(seen, "r")) if heard else nullcontext():
        CHECKED_PATHS[path](orders, Shop())
        CHECKED_PATHS[path](orders, Outlet())
    assert len(seen) == (2 if heard and path != "validate" else 0)


CHECKED_ALWAYS = ["send-payload", "send-async", "send-async-payload", "validate"]


@pytest.mark.parametrize("path", CHECKED_ALWAYS)
def test_wrong_sender_is_refused_even_when_nobody_listens(
    orders: Signal[Shop, Any, Order], path: str
) -> None:
    """Apart from send's idle fast path, every path checks the sender and names its type."""
    with pytest.raises(SenderTypeError, match=r"'orders'.*instance of Shop, got Stranger"):
        CHECKED_PATHS[path](orders, Stranger())


@pytest.mark.parametrize("path", CHECKED_ALWAYS)
def test_wrong_sender_is_refused_before_any_receiver_runs(
    orders: Signal[Shop, Any, Order], seen: Seen, path: str
) -> None:
    """With receivers connected, a wrong sender is refused and nobody is called."""
    with (
        orders.connected_to(recorder(seen, "r")),
        pytest.raises(SenderTypeError, match="got Stranger"),
    ):
        CHECKED_PATHS[path](orders, Stranger())
    assert seen == []


# -- payload checks --------------------------------------------------------------------

PAYLOAD_PATHS: dict[str, Callable[[Signal[Shop, Any, Order], object], Any]] = {
    "send-payload": lambda s, payload: s.send_payload(Shop(), payload),  # type: ignore[arg-type]
    "send-async-payload": lambda s, payload: asyncio.run(
        s.send_async_payload(Shop(), payload)  # type: ignore[arg-type]
    ),
}


@pytest.mark.parametrize("heard", [False, True], ids=["unheard", "heard"])
@pytest.mark.parametrize("path", list(PAYLOAD_PATHS))
def test_prebuilt_payload_of_another_model_is_refused(
    orders: Signal[Shop, Any, Order], seen: Seen, path: str, heard: bool
) -> None:
    """A payload of another model is refused, naming both models, heard or not."""
    with (
        orders.connected_to(recorder(seen, "r")) if heard else nullcontext(),
        pytest.raises(PayloadTypeError, match=r"'orders'.*instance of Order, got Refund"),
    ):
        PAYLOAD_PATHS[path](orders, Refund(order_id=1))
    assert seen == []


def test_validate_reports_every_bad_field(orders: Signal[Shop, Any, Order]) -> None:
    """validate() raises a PayloadError carrying pydantic's error for the bad field."""
    with pytest.raises(PayloadError, match="orders") as caught:
        orders.validate(Shop(), order_id="many")
    assert caught.value.validation_error is not None
    assert [error["loc"] for error in caught.value.errors()] == [("order_id",)]


@pytest.mark.parametrize(
    "call",
    [
        lambda s: s.validate(Shop(), order_id=-1),
        lambda s: asyncio.run(s.send_async(Shop(), order_id=-1)),
    ],
    ids=["validate", "send-async"],
)
def test_validator_failure_that_is_not_a_validation_error_is_reported(
    seen: Seen, call: Callable[[Signal[Shop, Any, Any]], Any]
) -> None:
    """A validator raising a non-pydantic error gives a PayloadError naming that error."""

    class Checked(Order):
        @field_validator("order_id")
        @classmethod
        def positive(cls, value: int) -> int:
            if value < 0:
                raise LookupError("no such order")
            return value

    checked: Signal[Shop, Any, Checked] = Signal("checked", Checked, sender=Shop)
    with (
        checked.connected_to(recorder(seen, "r")),
        pytest.raises(
            PayloadError,
            match=r"'checked'.*a validator raised LookupError: no such order",
        ) as caught,
    ):
        call(checked)
    assert isinstance(caught.value.__cause__, LookupError)
    assert seen == []


@pytest.mark.parametrize(
    ("call", "method"),
    [
        (lambda s: s.validate(Shop(), 1), "validate"),
        (lambda s: asyncio.run(s.send_async(Shop(), 1)), "send_async"),
        (lambda s: s.send(Shop(), 1), "send"),
    ],
    ids=["validate", "send-async", "send"],
)
def test_positional_payload_arguments_are_refused_naming_the_method(
    orders: Signal[Shop, Any, Order], call: Callable[[Signal[Shop, Any, Order]], Any], method: str
) -> None:
    """Payload fields given by position are refused, naming signal, method and count."""
    with (
        orders.connected_to(recorder([], "r")),  # heard: send checks its arguments
        pytest.raises(
            TypeError,
            match=rf"'orders': {method}\(\) takes the sender .* pass payload fields by "
            r"keyword \(1 extra given\)$",
        ),
    ):
        call(orders)


@pytest.mark.only_strict
@pytest.mark.parametrize("method", ["send", "send_async"])
def test_strict_mode_accepts_a_valid_unheard_send(
    orders: Signal[Shop, Any, Order], method: str
) -> None:
    """In strict mode an unheard send with a valid sender and fields passes quietly."""
    if method == "send":
        assert orders.send(Outlet(), order_id=1) == []
    else:
        assert asyncio.run(orders.send_async(Outlet(), order_id=1)) == []


# -- how payloads are built ------------------------------------------------------------


class Normalised(Payload):
    """A model with its own __init__, which must run on every send."""

    email: str

    def __init__(self, **data: Any) -> None:
        data["email"] = str(data["email"]).lower()
        super().__init__(**data)


class Defaults(Payload):
    """A model whose every field has a default."""

    retries: int = 3


def test_model_with_its_own_init_is_built_through_it(seen: Seen) -> None:
    """send() and validate() build a payload through the model's own __init__."""
    mail: Signal[object, Any, Normalised] = Signal("mail", Normalised)
    assert mail.validate(None, email="A@Example.ORG").email == "a@example.org"
    with mail.connected_to(recorder(seen, "r")):
        mail.send(None, email="B@Example.ORG")
    assert seen == [("r", None, Normalised(email="b@example.org"))]


def test_model_with_defaults_sent_without_fields_delivers_that_model(seen: Seen) -> None:
    """A send without fields delivers an instance of the signal's model, with its defaults."""
    retry: Signal[object, Any, Defaults] = Signal("retry", Defaults)
    with retry.connected_to(recorder(seen, "r")):
        retry.send(None)
    assert [type(payload) for _, _, payload in seen] == [Defaults]
    assert seen[0][2] == Defaults(retries=3)


# -- error policies --------------------------------------------------------------------


def test_error_policy_setter_refuses_an_unknown_policy(orders: Signal[Shop, Any, Order]) -> None:
    """Setting an unknown policy raises, naming the signal, and keeps the old policy."""
    with pytest.raises(SignalDefinitionError, match=r"'orders'.*error_policy.*'ignore'"):
        orders.error_policy = "ignore"  # type: ignore[assignment]
    assert orders.error_policy == "raise"


def test_error_policy_setter_changes_the_next_send(
    orders: Signal[Shop, Any, Order], seen: Seen, caplog: pytest.LogCaptureFixture
) -> None:
    """Each policy set takes effect on the next send: collect, then log, then raise again."""
    with (
        orders.connected_to(failing("first", ValueError("first failed"))),
        orders.connected_to(recorder(seen, "after")),
    ):
        orders.error_policy = "collect"
        with pytest.raises(ReceiverErrors):
            orders.send(Shop(), order_id=1)
        orders.error_policy = "log"
        with caplog.at_level(logging.ERROR, logger="typedsignals"):
            orders.send(Shop(), order_id=2)
        assert "first failed" in caplog.text
        orders.error_policy = "raise"
        with pytest.raises(ValueError, match="first failed"):
            orders.send(Shop(), order_id=3)
    assert [payload for _, _, payload in seen] == [Order(order_id=1), Order(order_id=2)]


@pytest.mark.parametrize(
    ("count", "message"),
    [(1, "1 receiver of signal 'orders' failed"), (2, "2 receivers of signal 'orders' failed")],
)
def test_collected_failures_are_counted_in_the_message(
    orders: Signal[Shop, Any, Order], count: int, message: str
) -> None:
    """ReceiverErrors says how many receivers failed, singular or plural."""
    orders.error_policy = "collect"
    broken = [failing(f"broken{i}", ValueError(str(i))) for i in range(count)]
    for receiver in broken:
        orders.connect(receiver)
    try:
        with pytest.raises(ReceiverErrors) as caught:
            orders.send(Shop(), order_id=1)
    finally:
        for receiver in broken:
            orders.disconnect(receiver)
    assert str(caught.value).startswith(message)


def test_an_exception_raised_on_every_send_is_noted_once(orders: Signal[Shop, Any, Order]) -> None:
    """A prebuilt exception collected on two sends carries the receiver's note only once."""
    error = ValueError("always")
    orders.error_policy = "collect"
    with orders.connected_to(failing("stubborn", error)):
        for _ in range(2):
            with pytest.raises(ReceiverErrors):
                orders.send(Shop(), order_id=1)
    assert getattr(error, "__notes__", None) == [
        f"raised by receiver {__name__}.stubborn of signal 'orders'"
    ]


def test_log_policy_names_receiver_signal_and_error(
    orders: Signal[Shop, Any, Order], caplog: pytest.LogCaptureFixture
) -> None:
    """The "log" policy logs which receiver of which signal raised what, with the traceback."""
    error = KeyError("missing")
    orders.error_policy = "log"
    with (
        orders.connected_to(failing("lookup", error)),
        caplog.at_level(logging.ERROR, logger="typedsignals"),
    ):
        orders.send(Shop(), order_id=1)
    [record] = caplog.records
    assert record.getMessage() == (f"receiver {__name__}.lookup of signal 'orders' raised KeyError")
    assert record.exc_info is not None
    assert record.exc_info[1] is error


def test_concurrent_raise_propagates_the_first_failure_in_receiver_order(
    orders: Signal[Shop, Any, Order], caplog: pytest.LogCaptureFixture
) -> None:
    """Under "raise", a concurrent send raises the first receiver's failure; the later
    failures are logged, naming receiver, signal and error, with their traceback."""
    late_error, early_error = ValueError("first receiver"), KeyError("second receiver")

    async def first(sender: object, payload: object) -> None:
        await asyncio.sleep(0.01)  # fails last in time, first in receiver order
        raise late_error

    async def second(sender: object, payload: object) -> None:
        raise early_error

    with (
        orders.connected_to(first),
        orders.connected_to(second),
        caplog.at_level(logging.ERROR, logger="typedsignals"),
        pytest.raises(ValueError, match="first receiver"),
    ):
        asyncio.run(orders.send_async_payload(Shop(), Order(order_id=1), concurrent=True))
    [record] = caplog.records
    assert record.getMessage() == (
        f"receiver {__name__}.{second.__qualname__} of signal 'orders' also raised KeyError "
        "(the first failure propagates)"
    )
    assert record.exc_info is not None
    assert record.exc_info[1] is early_error


def test_three_concurrent_failures_log_every_one_after_the_first(
    orders: Signal[Shop, Any, Order], caplog: pytest.LogCaptureFixture
) -> None:
    """Every failure but the propagated one is logged, however many there are."""
    receivers = [failing(f"broken{i}", ValueError(f"error {i}")) for i in range(3)]
    for receiver in receivers:
        orders.connect(receiver)
    try:
        with (
            caplog.at_level(logging.ERROR, logger="typedsignals"),
            pytest.raises(ValueError, match="error 0"),
        ):
            asyncio.run(orders.send_async_payload(Shop(), Order(order_id=1), concurrent=True))
    finally:
        for receiver in receivers:
            orders.disconnect(receiver)
    assert ["broken1" in r.getMessage() for r in caplog.records] == [True, False]
    assert ["broken2" in r.getMessage() for r in caplog.records] == [False, True]


def test_sync_send_refusal_names_only_the_coroutine_receivers(
    orders: Signal[Shop, Any, Order], seen: Seen
) -> None:
    """send() refusing coroutine receivers lists each of them, and no plain receiver."""

    async def fetch(sender: object, payload: object) -> None:
        pass

    async def store(sender: object, payload: object) -> None:
        pass

    plain = recorder(seen, "plain")
    with (
        orders.connected_to(plain),
        orders.connected_to(fetch),
        orders.connected_to(store),
        pytest.raises(ReceiverTypeError) as caught,
    ):
        orders.send(Shop(), order_id=1)
    message = str(caught.value)
    assert f"{fetch.__qualname__}, {__name__}.{store.__qualname__};" in message
    assert "plain" not in message
    assert seen == []


def test_dead_weak_receiver_is_skipped_by_send_async(
    orders: Signal[Shop, Any, Order], seen: Seen
) -> None:
    """send_async skips a weakly held receiver whose owner died, and calls the rest."""
    listener = Listener(seen)
    orders.connect(listener.on_order)
    with orders.connected_to(recorder(seen, "after")):
        orders.send(Shop(), order_id=1)
        seen.clear()
        del listener
        gc.collect()
        results = asyncio.run(orders.send_async(Shop(), order_id=2))
    assert [name for name, _, _ in seen] == ["after"]
    assert [result for _, result in results] == ["after"]


# -- declaration -----------------------------------------------------------------------


def test_signal_doc_defaults_to_empty() -> None:
    """A signal declared without doc= has an empty doc."""
    assert Signal("undocumented").doc == ""


def test_invalid_name_message_shows_the_name() -> None:
    """Refusing a signal name says what a name must be and shows the one given."""
    with pytest.raises(SignalDefinitionError, match=r"non-empty string, not 42"):
        Signal(42)  # type: ignore[call-overload]


@pytest.mark.parametrize(
    ("signal", "expected"),
    [
        (lambda: Signal("plain"), "<Signal 'plain' payload=EmptyPayload>"),
        (
            lambda: Signal("orders", Order, sender=Shop),
            "<Signal 'orders' payload=Order sender=Shop>",
        ),
        (lambda: Signal("any", Order, sender=object), "<Signal 'any' payload=Order>"),
    ],
    ids=["no-model", "model-and-sender", "object-sender"],
)
def test_repr_names_signal_model_and_declared_sender(
    signal: Callable[[], Signal[Any, Any, Any]], expected: str
) -> None:
    """The repr shows the name, the model and a declared sender type (not object)."""
    assert repr(signal()) == expected


def test_disconnect_for_a_sender_of_the_declared_type_removes_that_connection(
    orders: Signal[Shop, Any, Order], seen: Seen
) -> None:
    """On a signal with a sender type, disconnect(receiver, sender) removes that connection."""
    shop = Shop()
    receiver = recorder(seen, "r")
    orders.connect(receiver, shop)
    orders.disconnect(receiver, shop)
    assert orders.send(shop, order_id=1) == []
    assert orders.connection_count() == 0


def test_cancelled_receiver_of_a_concurrent_send_cancels_the_send(
    orders: Signal[Shop, Any, Order], seen: Seen
) -> None:
    """A receiver cancelled during a concurrent send cancels the send once the others ran."""

    async def cancelled(sender: object, payload: object) -> None:
        raise asyncio.CancelledError

    with (
        orders.connected_to(cancelled),
        orders.connected_to(async_recorder(seen, "sibling")),
        pytest.raises(
            asyncio.CancelledError, match=r"^a receiver of a concurrent send was cancelled$"
        ),
    ):
        asyncio.run(orders.send_async_payload(Shop(), Order(order_id=1), concurrent=True))
    assert [name for name, _, _ in seen] == ["sibling"]


def test_interrupted_collecting_send_reports_the_failures_it_had_collected(
    orders: Signal[Shop, Any, Order], caplog: pytest.LogCaptureFixture
) -> None:
    """A BaseException ending a "collect" send carries a note per failure before it, and
    each failure is logged with its traceback, naming receiver, signal and both errors."""
    error = ValueError("collected")

    def interrupt(sender: object, payload: object) -> None:
        raise KeyboardInterrupt

    orders.error_policy = "collect"
    with (
        orders.connected_to(failing("broken", error)),
        orders.connected_to(interrupt),
        caplog.at_level(logging.ERROR, logger="typedsignals"),
        pytest.raises(KeyboardInterrupt) as caught,
    ):
        orders.send(Shop(), order_id=1)
    assert getattr(caught.value, "__notes__", None) == [
        f"before this, receiver {__name__}.broken of signal 'orders' raised ValueError: "
        "collected (logged on the 'typedsignals' logger)"
    ]
    [record] = caplog.records
    assert record.getMessage() == (
        f"receiver {__name__}.broken of signal 'orders' raised ValueError; the send was "
        "then interrupted by KeyboardInterrupt"
    )
    assert record.exc_info is not None
    assert record.exc_info[1] is error


class Impostor:
    """Claims to be a Shop through __class__, with no _get_current_object to unwrap."""

    @property  # type: ignore[misc]  # as a proxy does
    def __class__(self) -> type:  # pyright: ignore[reportIncompatibleMethodOverride]
        return Shop


class BrokenProxy(Impostor):
    """Claims to be a Shop; its _get_current_object is not callable."""

    _get_current_object = None


@pytest.mark.parametrize("impostor", [Impostor, BrokenProxy])
def test_sender_claiming_the_type_without_a_way_to_unwrap_it_is_taken_as_is(
    orders: Signal[Shop, Any, Order], seen: Seen, impostor: type
) -> None:
    """An object that passes isinstance() but cannot be unwrapped is the sender itself."""
    sender = impostor()
    assert orders.validate(sender, order_id=1) == Order(order_id=1)
    with orders.connected_to(recorder(seen, "r"), sender):
        orders.send(sender, order_id=2)
    assert seen == [("r", sender, Order(order_id=2))]


class Outpost(Shop):
    """A real Shop that happens to have a _get_current_object method."""

    def __init__(self, elsewhere: Shop | None = None) -> None:
        self.elsewhere = elsewhere

    def _get_current_object(self) -> Shop | None:
        return self.elsewhere


def test_real_sender_of_the_declared_type_is_never_unwrapped(
    orders: Signal[Shop, Any, Order], seen: Seen
) -> None:
    """Only an object that merely claims the sender type is unwrapped; a real one is itself."""
    outpost = Outpost(Shop())
    with orders.connected_to(recorder(seen, "r"), outpost):
        orders.send(outpost, order_id=1)
    assert seen == [("r", outpost, Order(order_id=1))]
