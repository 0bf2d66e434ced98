"""Hostile input: whatever keyword arguments ``send`` gets, it validates or refuses.

The property, for every test model and every input (generated from the model's JSON
Schema, or arbitrary junk): ``send`` agrees with pydantic. When the model accepts the
fields, every receiver gets the one validated payload, equal to what pydantic builds;
when the model refuses them (with a ``ValidationError`` or with any exception a
validator raises), ``send`` raises :class:`~typedsignals.PayloadError` and no receiver
runs. Oversized and deeply nested inputs are refused or delivered in bounded time and
memory.
"""

from __future__ import annotations

import asyncio
import time
import tracemalloc
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any, Final, Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    ValidationError,
    field_validator,
    model_validator,
)

from typedsignals import Payload, PayloadError, Signal

from ._hostile import ReprRaises, expected_outcome, junk_fields, junk_values, same
from ._schema_strategy import from_json_schema
from ._support import MIB, run_property, scaled
from .conftest import Figures

EXAMPLES: Final = scaled(40, 2_000)
"""Hypothesis examples per property."""
SendMode = Literal["send", "send_async"]


# -- the test models -------------------------------------------------------------------


class Flat(Payload):
    count: int
    name: str
    ratio: float = 0.0
    enabled: bool = False
    tags: list[str] = Field(default_factory=list)
    scores: dict[str, int] = Field(default_factory=dict)
    note: str | None = None
    kind: Literal["a", "b"] = "a"


class Constrained(Payload):
    age: int = Field(ge=0, le=150)
    code: str = Field(pattern=r"^[A-Z]{3}$")
    ratio: float = Field(gt=0, lt=1)
    items: list[int] = Field(default_factory=list, max_length=5)


class Address(Payload):
    street: str
    zip: str = Field(min_length=5, max_length=5)


class Nested(Payload):
    user_id: int
    address: Address
    history: list[Address] = Field(default_factory=list)
    point: tuple[int, int] = (0, 0)


class StrictTypes(Payload):
    model_config = ConfigDict(strict=True)

    n: int
    s: str
    flags: list[bool] = Field(default_factory=list)


class Tree(Payload):
    label: str
    children: list[Tree] = Field(default_factory=list)


class Document(Payload):
    body: JsonValue


class Opaque(Payload):
    """Fields that accept anything: the very objects must be delivered."""

    handle: Any
    anything: object = None


class Loose(BaseModel):
    """Not a Payload: mutable, and unknown fields are ignored instead of refused."""

    a: int = 0
    b: list[int] = Field(default_factory=list)


class Validated(Payload):
    """Validators that raise other things than ValueError."""

    key: str
    amount: int = 0

    @field_validator("key")
    @classmethod
    def key_is_known(cls, value: str) -> str:
        if value.startswith("type"):
            raise TypeError(f"type error for {value!r}")
        if value.startswith("lookup"):
            raise KeyError(value)
        if value.startswith("zero"):
            raise ZeroDivisionError(value)
        if value.startswith("value"):
            raise ValueError(value)
        return value

    @model_validator(mode="after")
    def amount_fits(self) -> Validated:
        if self.amount == 13:
            raise RuntimeError("unlucky amount")
        return self


class CustomInit(Payload):
    """A model with its own ``__init__``, which send must go through."""

    total: int
    parts: list[int] = Field(default_factory=list)

    def __init__(self, **data: Any) -> None:
        if "parts" in data and "total" not in data:
            data["total"] = sum(data["parts"])
        super().__init__(**data)


MODELS: Final[list[type[BaseModel]]] = [
    Flat,
    Constrained,
    Nested,
    StrictTypes,
    Tree,
    Document,
    Opaque,
    Loose,
    Validated,
    CustomInit,
]


# -- the property ------------------------------------------------------------------------


def check_send(model: type[BaseModel], fields: dict[str, Any], mode: SendMode) -> str:
    """Send ``fields`` to a signal of ``model``: delivered as pydantic builds it, or refused.

    Returns:
        ``"refused"`` or ``"delivered"``.
    """
    sig: Signal[object, Any, Any] = Signal(f"hostile-{model.__name__}", model)
    delivered: list[object] = []

    def first(sender: object, payload: object) -> None:
        delivered.append(payload)

    def second(sender: object, payload: object) -> None:
        delivered.append(payload)

    expected = expected_outcome(model, fields)
    raised: PayloadError | None = None
    with sig.connected_to(first), sig.connected_to(second):
        try:
            if mode == "send":
                sig.send("app", **fields)
            else:
                asyncio.run(sig.send_async("app", **fields))
        except PayloadError as exc:
            raised = exc
    if expected is None:
        assert raised is not None, f"{model.__name__} refused {fields!r:.200} but send accepted"
        assert delivered == [], "a refused payload reached a receiver"
        assert isinstance(raised.__cause__, Exception)
        assert raised.signal_name == sig.name
        return "refused"
    else:
        assert raised is None, f"{model.__name__} accepted the fields but send raised {raised}"
        assert len(delivered) == 2
        assert delivered[0] is delivered[1]
        assert type(delivered[0]) is model
        assert same(delivered[0], expected)
        return "delivered"


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_schema_generated_fields_are_delivered_as_validated(
    model: type[BaseModel], figures: Figures
) -> None:
    """Fields drawn from the model's JSON Schema are delivered exactly as pydantic builds them."""
    outcomes = run_property(
        from_json_schema(model.model_json_schema()),
        lambda fields: check_send(model, fields, "send"),
        examples=EXAMPLES,
    )
    figures(examples=outcomes.total(), **outcomes, errors=0)


@pytest.mark.parametrize("mode", ["send", "send_async"])
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_junk_fields_are_refused_with_payload_error_or_delivered(
    model: type[BaseModel], mode: SendMode, figures: Figures
) -> None:
    """Arbitrary junk raises PayloadError and reaches no receiver, unless the model takes it."""
    outcomes = run_property(
        junk_fields(model), lambda fields: check_send(model, fields, mode), examples=EXAMPLES
    )
    figures(examples=outcomes.total(), **outcomes, errors=0)


@settings(max_examples=EXAMPLES, deadline=None)
@given(handle=junk_values, anything=junk_values)
def test_values_of_any_fields_are_delivered_as_the_very_objects(
    handle: object, anything: object
) -> None:
    """A field typed Any or object delivers the sender's very object, not a copy."""
    sig: Signal[object, Any, Opaque] = Signal("opaque", Opaque)
    delivered: list[Opaque] = []
    with sig.connected_to(lambda sender, payload: delivered.append(payload)):
        sig.send("app", handle=handle, anything=anything)
    assert delivered[0].handle is handle
    assert delivered[0].anything is anything


def send_by(sig: Signal[object, Any, Any], mode: str, fields: dict[str, Any]) -> object:
    """Validate ``fields`` through ``send``, ``send_async`` or ``validate``."""
    if mode == "send":
        return sig.send("app", **fields)
    if mode == "send_async":
        return asyncio.run(sig.send_async("app", **fields))
    return sig.validate("app", **fields)


@pytest.mark.parametrize(
    ("fields", "cause"),
    [
        ({"key": "type-1"}, TypeError),
        ({"key": "lookup-1"}, KeyError),
        ({"key": "zero-1"}, ZeroDivisionError),
        ({"key": "value-1"}, ValidationError),
        ({"key": "ok", "amount": 13}, RuntimeError),
    ],
)
@pytest.mark.parametrize("mode", ["send", "send_async", "validate"])
def test_validator_raising_any_exception_is_a_payload_error(
    fields: dict[str, Any], cause: type[Exception], mode: str
) -> None:
    """Whatever a model's validator raises, send raises PayloadError and no receiver runs."""
    sig: Signal[object, Any, Validated] = Signal("validated", Validated)
    delivered: list[object] = []
    with (
        sig.connected_to(lambda sender, payload: delivered.append(payload)),
        pytest.raises(PayloadError) as caught,
    ):
        send_by(sig, mode, fields)
    assert delivered == []
    assert isinstance(caught.value.__cause__, cause)
    assert "'validated'" in str(caught.value)


@pytest.mark.parametrize("control", [KeyboardInterrupt, SystemExit])
def test_validator_raising_a_control_flow_exception_propagates_it(
    control: type[BaseException],
) -> None:
    """KeyboardInterrupt or SystemExit from a validator propagates; no receiver runs."""

    class Interrupting(Payload):
        n: int

        @field_validator("n")
        @classmethod
        def interrupt(cls, value: int) -> int:
            raise control

    sig: Signal[object, Any, Interrupting] = Signal("interrupting", Interrupting)
    delivered: list[object] = []
    with (
        sig.connected_to(lambda sender, payload: delivered.append(payload)),
        pytest.raises(control),
    ):
        sig.send("app", n=1)
    assert delivered == []


# -- oversized and deeply nested input ---------------------------------------------------


def nested_lists(depth: int) -> list[Any]:
    """``[[[...]]]``, ``depth`` levels deep, built without recursion."""
    root: list[Any] = []
    node = root
    for _ in range(depth - 1):
        child: list[Any] = []
        node.append(child)
        node = child
    return root


def nested_tree(depth: int) -> dict[str, Any]:
    """A Tree payload ``depth`` levels deep, as plain dicts."""
    node: dict[str, Any] = {"label": "leaf"}
    for _ in range(depth - 1):
        node = {"label": "node", "children": [node]}
    return node


def refuse(sig: Signal[object, Any, Any], fields: dict[str, Any]) -> tuple[type, float]:
    """Send with receivers connected; return (exception type raised, seconds taken)."""
    delivered: list[object] = []
    began = time.perf_counter()
    with sig.connected_to(lambda sender, payload: delivered.append(payload)):
        try:
            sig.send("app", **fields)
        except Exception as exc:
            assert delivered == []
            return type(exc), time.perf_counter() - began
    return type(None), time.perf_counter() - began


@pytest.mark.parametrize("depth", [10, 100, 400])
@pytest.mark.parametrize(
    ("model", "make"),
    [
        (Document, lambda depth: {"body": nested_lists(depth)}),
        (Tree, nested_tree),
    ],
    ids=["json-field", "recursive-model"],
)
def test_moderately_nested_input_is_delivered_or_refused(
    model: type[BaseModel], make: Callable[[int], dict[str, Any]], depth: int
) -> None:
    """Nesting up to pydantic's limit is delivered; past it, it is a PayloadError."""
    check_send(model, make(depth), "send")


@pytest.mark.parametrize(
    ("model", "make"),
    [
        (Flat, lambda depth: {"count": nested_lists(depth), "name": "x"}),
        (Document, lambda depth: {"body": nested_lists(depth)}),
        (Tree, nested_tree),
    ],
    ids=["int-field", "json-field", "recursive-model"],
)
@pytest.mark.parametrize("depth", [2_000, 100_000])
def test_deeply_nested_input_is_refused_with_payload_error(
    model: type[BaseModel],
    make: Callable[[int], dict[str, Any]],
    depth: int,
    figures: Figures,
) -> None:
    """Input nested far deeper than any payload needs raises PayloadError quickly."""
    sig: Signal[object, Any, Any] = Signal(f"deep-{model.__name__}", model)
    raised, seconds = refuse(sig, make(depth))
    figures(depth=depth, raised=raised.__name__, seconds=seconds)
    assert raised is PayloadError
    assert seconds < 1.0


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        (Flat, {"count": ReprRaises(), "name": "x"}),
        (Flat, {"count": 1, "name": "x", "unknown": ReprRaises()}),
        (Constrained, {"age": 10**10_000, "code": "ABC", "ratio": 0.5}),
    ],
    ids=["repr-raises", "unknown-field-repr-raises", "int-too-long-for-repr"],
)
def test_unprintable_invalid_input_is_refused_with_payload_error(
    model: type[BaseModel], fields: dict[str, Any]
) -> None:
    """An invalid value that cannot be printed still gives a PayloadError."""
    sig: Signal[object, Any, Any] = Signal(f"unprintable-{model.__name__}", model)
    raised, _ = refuse(sig, fields)
    assert raised is PayloadError


HUGE: Final = 200_000
"""Items in the oversized inputs."""


@pytest.mark.parametrize(
    ("model", "make"),
    [
        (Flat, lambda n: {"count": 1, "name": "x", "tags": [None] * n}),
        (Flat, lambda n: {"count": 1, "name": "x", **{f"extra_{i}": i for i in range(n)}}),
    ],
    ids=["bad-list-items", "unknown-fields"],
)
def test_huge_invalid_input_is_refused_in_bounded_time_and_memory(
    model: type[BaseModel], make: Callable[[int], dict[str, Any]], figures: Figures
) -> None:
    """200,000 invalid items are refused within half a second and 16 MiB of Python memory.

    The memory is counted beyond what the call's own ``**fields`` costs (unpacking
    200,000 keyword arguments copies them into a new dict, whatever the callee).
    """
    sig: Signal[object, Any, Any] = Signal("huge-invalid", model)
    fields = make(HUGE)
    raised, seconds = refuse(sig, fields)
    figures(items=HUGE, raised=raised.__name__, seconds=seconds)
    assert raised is PayloadError
    assert seconds < 0.5
    baseline = traced_peak(lambda: keywords_only(**fields))
    peak = traced_peak(lambda: refuse(sig, fields))
    figures(peak_bytes_beyond_the_call=peak - baseline)
    assert peak - baseline < 16 * MIB


def keywords_only(**fields: Any) -> int:
    return len(fields)


def traced_peak(run: Callable[[], object]) -> int:
    """Peak bytes traced by tracemalloc while ``run`` runs."""
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_message_of_a_huge_refusal_is_built_in_bounded_time(figures: Figures) -> None:
    """Printing the PayloadError of one huge invalid value takes under 0.2 s."""
    sig: Signal[object, Any, Flat] = Signal("huge-message", Flat)
    with (
        sig.connected_to(lambda sender, payload: None),
        pytest.raises(PayloadError) as caught,
    ):
        sig.send("app", count=[7] * 20_000_000, name="x")
    began = time.perf_counter()
    text = str(caught.value)
    seconds = time.perf_counter() - began
    figures(items=20_000_000, seconds=seconds, message_chars=len(text))
    assert seconds < 0.2
    assert len(text) < 1_000


@pytest.mark.parametrize(
    ("fields", "size"),
    [
        ({"count": 1, "name": "x", "tags": ["t"] * 1_000_000}, 1_000_000),
        ({"count": 1, "name": "x" * (64 * MIB)}, 64 * MIB),
        ({"count": 1, "name": "x", "scores": {str(i): i for i in range(200_000)}}, 200_000),
    ],
    ids=["million-item-list", "64-MiB-string", "200k-key-dict"],
)
def test_huge_valid_input_is_delivered_in_bounded_time(
    fields: dict[str, Any], size: int, figures: Figures
) -> None:
    """Large valid payloads are delivered whole within two seconds."""
    sig: Signal[object, Any, Flat] = Signal("huge-valid", Flat)
    delivered: list[Flat] = []
    began = time.perf_counter()
    with sig.connected_to(lambda sender, payload: delivered.append(payload)):
        sig.send("app", **fields)
    seconds = time.perf_counter() - began
    figures(size=size, seconds=seconds)
    assert len(delivered) == 1
    assert same(delivered[0], Flat.model_validate(fields))
    assert seconds < 2.0


def test_huge_int_string_is_refused_quickly() -> None:
    """A 100,000-digit string for an int field is a PayloadError, not a long parse."""
    sig: Signal[object, Any, Flat] = Signal("huge-int", Flat)
    raised, seconds = refuse(sig, {"count": "9" * 100_000, "name": "x"})
    assert raised is PayloadError
    assert seconds < 1.0


@given(when=st.datetimes(), amount=st.decimals(allow_nan=False, allow_infinity=False))
@settings(max_examples=EXAMPLES, deadline=None)
def test_python_objects_for_json_fields_are_validated_not_passed_through(
    when: datetime, amount: Decimal
) -> None:
    """Non-JSON Python objects for JSON-typed fields never reach receivers unvalidated."""
    check_send(Document, {"body": [str(when), when]}, "send")
    check_send(Flat, {"count": amount, "name": when}, "send")
