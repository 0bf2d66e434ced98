"""Payload immutability: what a signal delivers is deeply read-only where validation built it.

One payload object goes to every receiver of a send (and to ``capture()``), so no
receiver may change what the next one sees. Containers validation built are read-only;
objects checked with ``isinstance`` or typed ``Any`` stay the sender's own objects;
``send_payload`` validates the instance it is given. See docs/payloads.md.
"""

from __future__ import annotations

import asyncio
import copy
import json
import pickle
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, Field, InstanceOf, JsonValue
from typing_extensions import TypedDict

from typedsignals import (
    Payload,
    PayloadError,
    Signal,
    SignalDefinitionError,
    TypedSignalsError,
)
from typedsignals.testing import capture

# -- models ---------------------------------------------------------------------------


class Tagged(Payload):
    tags: list[int]
    scores: dict[str, int] = Field(default_factory=dict)
    labels: set[str] = Field(default_factory=set)


class Address(Payload):
    lines: list[str]


class Point(NamedTuple):
    coords: list[int]


class Extras(TypedDict):
    notes: list[str]


class Deep(Payload):
    matrix: list[list[int]] = Field(default_factory=list)
    groups: dict[str, list[int]] = Field(default_factory=dict)
    address: Address | None = None
    history: list[Address] = Field(default_factory=list)
    pairs: tuple[list[int], ...] = ()
    point: Point | None = None
    extras: Extras | None = None
    body: JsonValue = None


class Tree(Payload):
    label: str
    children: list[Tree] = Field(default_factory=list)


class Handle:
    """An object pydantic knows nothing about: checked with isinstance only."""


class Shared(Payload):
    context: InstanceOf[dict[str, Any]]
    anything: Any = None
    handle: Handle | None = None
    tags: list[int] = Field(default_factory=list)


class Scalars(Payload):
    user_id: int
    email: str


class Counted(Payload):
    count: int
    tags: list[int] = Field(default_factory=list)


class CustomInit(Payload):
    tags: list[int]

    def __init__(self, *, first: int = 0, **data: Any) -> None:
        data.setdefault("tags", [first])
        super().__init__(**data)


class Loose(BaseModel):
    """Not frozen: mutable on purpose, delivered as pydantic builds it."""

    tags: list[int]


def signal_of(model: Any, name: str = "immutability") -> Signal[object, Any, Any]:
    return Signal(name, model)


def deliver(signal: Signal[object, Any, Any], **fields: Any) -> Any:
    """Send ``fields`` and return the payload the receiver got."""
    seen: list[Any] = []
    with signal.connected_to(lambda sender, payload: seen.append(payload)):
        signal.send(None, **fields)
    return seen[0]


def deliver_instance(signal: Signal[object, Any, Any], payload: Any) -> Any:
    """Send a prebuilt ``payload`` and return what the receiver got."""
    seen: list[Any] = []
    with signal.connected_to(lambda sender, payload: seen.append(payload)):
        signal.send_payload(None, payload)
    return seen[0]


# -- read-only containers --------------------------------------------------------------

MUTATIONS: dict[str, Callable[[Tagged], object]] = {
    "list.append": lambda p: p.tags.append(4),
    "list.extend": lambda p: p.tags.extend([4]),
    "list.insert": lambda p: p.tags.insert(0, 4),
    "list.pop": lambda p: p.tags.pop(),
    "list.remove": lambda p: p.tags.remove(1),
    "list.clear": lambda p: p.tags.clear(),
    "list.sort": lambda p: p.tags.sort(),
    "list.reverse": lambda p: p.tags.reverse(),
    "list[i] =": lambda p: p.tags.__setitem__(0, 4),
    "list[a:b] =": lambda p: p.tags.__setitem__(slice(0, 1), [4]),
    "del list[i]": lambda p: p.tags.__delitem__(0),
    "list +=": lambda p: p.tags.__iadd__([4]),
    "list *=": lambda p: p.tags.__imul__(2),
    "dict[k] =": lambda p: p.scores.__setitem__("z", 4),
    "del dict[k]": lambda p: p.scores.__delitem__("a"),
    "dict.clear": lambda p: p.scores.clear(),
    "dict.pop": lambda p: p.scores.pop("a"),
    "dict.popitem": lambda p: p.scores.popitem(),
    "dict.setdefault": lambda p: p.scores.setdefault("z", 4),
    "dict.update": lambda p: p.scores.update(z=4),
    "dict |=": lambda p: p.scores.__ior__({"z": 4}),
    "set.add": lambda p: p.labels.add("z"),
    "set.discard": lambda p: p.labels.discard("x"),
    "set.remove": lambda p: p.labels.remove("x"),
    "set.pop": lambda p: p.labels.pop(),
    "set.clear": lambda p: p.labels.clear(),
    "set.update": lambda p: p.labels.update({"z"}),
    "set.intersection_update": lambda p: p.labels.intersection_update(set()),
    "set.difference_update": lambda p: p.labels.difference_update({"x"}),
    "set.symmetric_difference_update": lambda p: p.labels.symmetric_difference_update({"z"}),
    "set |=": lambda p: p.labels.__ior__({"z"}),
    "set &=": lambda p: p.labels.__iand__(set()),
    "set -=": lambda p: p.labels.__isub__({"x"}),
    "set ^=": lambda p: p.labels.__ixor__({"z"}),
}

TAGGED_FIELDS: dict[str, Any] = {"tags": [1, 2, 3], "scores": {"a": 1}, "labels": {"x"}}


@pytest.mark.parametrize("mutate", MUTATIONS.values(), ids=MUTATIONS.keys())
def test_a_receiver_cannot_change_a_container_of_the_payload(
    mutate: Callable[[Tagged], object],
) -> None:
    """Every mutating method of a delivered list, dict or set raises a TypeError."""
    payload = deliver(signal_of(Tagged), **TAGGED_FIELDS)
    with pytest.raises(TypeError, match="immutable"):
        mutate(payload)
    assert payload.model_dump() == TAGGED_FIELDS


def test_the_next_receiver_and_capture_see_the_original_values() -> None:
    """A receiver's failed change leaves the payload as sent, for later receivers and capture()."""
    tagged = signal_of(Tagged)
    later: list[list[int]] = []

    def meddler(sender: object, payload: Tagged) -> None:
        with pytest.raises(TypeError):
            payload.tags.append(99)

    with (
        capture(tagged) as captured,
        tagged.connected_to(meddler),
        tagged.connected_to(lambda sender, payload: later.append(list(payload.tags))),
    ):
        tagged.send(None, tags=[1, 2])
    assert later == [[1, 2]]
    assert captured[0].payload.tags == [1, 2]


def test_the_refusal_says_what_is_immutable_and_how_to_copy() -> None:
    """The error names the field, says payloads are immutable and how to get a mutable copy."""
    payload = deliver(signal_of(Tagged), tags=[1])
    with pytest.raises(TypeError) as info:
        payload.tags.append(2)
    message = str(info.value)
    assert "Tagged.tags" in message
    assert "immutable" in message
    assert "list(...)" in message
    assert "model_dump()" in message


def test_the_refusal_is_a_typedsignals_error() -> None:
    """The error is both a TypedSignalsError and a TypeError."""
    payload = deliver(signal_of(Tagged), tags=[1])
    with pytest.raises(TypedSignalsError):
        payload.scores["a"] = 1


@pytest.mark.parametrize(
    ("field", "builtin", "value"),
    [("tags", list, [1, 2]), ("scores", dict, {"a": 1}), ("labels", set, {"x", "y"})],
)
def test_read_only_containers_are_the_annotated_builtins(
    field: str, builtin: type, value: object
) -> None:
    """Delivered containers are instances of the annotated builtin and compare equal to it."""
    payload = deliver(signal_of(Tagged), **{"tags": [], field: value})
    delivered = getattr(payload, field)
    assert isinstance(delivered, builtin)
    assert delivered == value
    assert type(delivered) is not builtin


@pytest.mark.parametrize(
    ("field", "value"), [("tags", [1, 2]), ("scores", {"a": 1}), ("labels", {"x"})]
)
def test_a_copy_of_a_delivered_container_is_mutable(field: str, value: Any) -> None:
    """copy() of a delivered container is a plain, mutable builtin."""
    payload = deliver(signal_of(Tagged), **{"tags": [], field: value})
    copied = getattr(payload, field).copy()
    assert type(copied) is type(value)


def test_model_dump_gives_plain_mutable_containers() -> None:
    """model_dump() of a delivered payload holds plain lists, dicts and sets."""
    dumped = deliver(signal_of(Deep), matrix=[[1]], groups={"a": [1]}).model_dump()
    assert type(dumped["matrix"]) is list
    assert type(dumped["matrix"][0]) is list
    assert type(dumped["groups"]["a"]) is list


def test_json_dump_of_a_delivered_payload_matches_pydantic() -> None:
    """model_dump_json() of a delivered payload is what pydantic dumps for the same fields."""
    fields: dict[str, Any] = {"tags": [3, 1], "scores": {"a": 1}, "labels": {"x"}}
    payload = deliver(signal_of(Tagged), **fields)
    assert json.loads(payload.model_dump_json()) == json.loads(Tagged(**fields).model_dump_json())


@pytest.mark.parametrize(
    "clone",
    [lambda p: pickle.loads(pickle.dumps(p)), copy.deepcopy, copy.copy],
    ids=["pickle", "deepcopy", "copy"],
)
def test_copies_of_a_payload_are_equal_and_still_read_only(clone: Callable[[Any], Any]) -> None:
    """Pickling and copying a delivered payload keep it equal and its containers read-only."""
    payload = deliver(signal_of(Deep), matrix=[[1, 2]], groups={"a": [1]})
    cloned = clone(payload)
    assert cloned == payload
    with pytest.raises(TypeError, match="immutable"):
        cloned.matrix[0].append(3)


# -- nested values ---------------------------------------------------------------------

NESTED: dict[str, tuple[dict[str, Any], Callable[[Any], object]]] = {
    "list in a list": ({"matrix": [[1]]}, lambda p: p.matrix[0].append(2)),
    "list in a dict": ({"groups": {"a": [1]}}, lambda p: p.groups["a"].append(2)),
    "list of a nested model": (
        {"address": {"lines": ["x"]}},
        lambda p: p.address.lines.append("y"),
    ),
    "list of a model in a list": (
        {"history": [{"lines": ["x"]}]},
        lambda p: p.history[0].lines.append("y"),
    ),
    "list in a tuple": ({"pairs": ([1],)}, lambda p: p.pairs[0].append(2)),
    "list in a named tuple": ({"point": {"coords": [1]}}, lambda p: p.point.coords.append(2)),
    "typed dict": ({"extras": {"notes": ["x"]}}, lambda p: p.extras.__setitem__("notes", [])),
    "list in a typed dict": ({"extras": {"notes": ["x"]}}, lambda p: p.extras["notes"].append("y")),
    "JSON value": ({"body": {"a": [1, {"b": [2]}]}}, lambda p: p.body["a"][1]["b"].append(3)),
}


@pytest.mark.parametrize(("fields", "mutate"), NESTED.values(), ids=NESTED.keys())
def test_nested_containers_are_read_only(
    fields: dict[str, Any], mutate: Callable[[Deep], object]
) -> None:
    """Containers inside containers, tuples, typed dicts and nested models are read-only too."""
    payload = deliver(signal_of(Deep), **fields)
    with pytest.raises(TypeError, match="immutable"):
        mutate(payload)


def test_a_recursive_model_is_read_only_at_every_level() -> None:
    """The children of children of a recursive model are read-only."""
    payload = deliver(signal_of(Tree), label="a", children=[{"label": "b", "children": []}])
    with pytest.raises(TypeError, match="immutable"):
        payload.children[0].children.append(payload)


def test_a_nested_model_instance_of_the_sender_is_left_unchanged() -> None:
    """A nested model instance the sender passed keeps its own (mutable) list."""
    address = Address(lines=["x"])
    payload = deliver(signal_of(Deep), address=address)
    assert type(address.lines) is list
    with pytest.raises(TypeError, match="immutable"):
        payload.address.lines.append("y")


def test_a_model_with_its_own_init_is_frozen_too() -> None:
    """A payload model built through its own __init__ is read-only as well."""
    payload = deliver(signal_of(CustomInit), first=5)
    assert payload.tags == [5]
    with pytest.raises(TypeError, match="immutable"):
        payload.tags.append(6)


@given(
    matrix=st.lists(st.lists(st.integers(), max_size=3), max_size=3),
    groups=st.dictionaries(st.text(max_size=3), st.lists(st.integers(), max_size=3), max_size=3),
    body=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=3),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
        max_leaves=8,
    ),
)
def test_delivered_payloads_equal_pydantics_and_hold_no_mutable_container(
    matrix: list[list[int]], groups: dict[str, list[int]], body: Any
) -> None:
    """For any valid fields: the payload equals pydantic's, and holds no mutable container."""
    fields = {"matrix": matrix, "groups": groups, "body": body}
    payload = deliver(signal_of(Deep), **fields)
    assert payload == Deep(**fields)
    assert not list(_mutable_containers(payload))


def _mutable_containers(value: object) -> Any:
    """Every plain (mutable) list, dict or set reachable from a payload."""
    if type(value) in (list, dict, set):
        yield value
    if isinstance(value, BaseModel):
        for entry in value.__dict__.values():
            yield from _mutable_containers(entry)
    elif isinstance(value, dict):
        for entry in value.values():
            yield from _mutable_containers(entry)
    elif isinstance(value, (list, tuple, set)):
        for entry in value:
            yield from _mutable_containers(entry)


# -- values shared by reference -----------------------------------------------------------


def test_an_instance_of_field_is_the_very_object_sent() -> None:
    """An InstanceOf[dict] field is the sender's dict, and a receiver's change reaches it."""
    context: dict[str, Any] = {}
    shared = signal_of(Shared)
    with shared.connected_to(lambda sender, payload: payload.context.update(seen=True)):
        shared.send(None, context=context)
    assert context == {"seen": True}


@pytest.mark.parametrize("field", ["anything", "handle"])
def test_any_and_arbitrary_fields_are_the_very_objects_sent(field: str) -> None:
    """Any-typed and arbitrary-type fields hold the sender's objects, not copies."""
    value: object = [1, 2] if field == "anything" else Handle()
    payload = deliver(signal_of(Shared), context={}, **{field: value})
    assert getattr(payload, field) is value


def test_a_model_that_is_not_frozen_is_delivered_as_pydantic_builds_it() -> None:
    """A plain BaseModel payload (mutable on purpose) keeps its plain, mutable lists."""
    payload = deliver(signal_of(Loose), tags=[1])
    payload.tags.append(2)
    assert type(payload.tags) is list


def test_validate_returns_a_read_only_payload() -> None:
    """validate() builds the payload send would deliver: read-only containers included."""
    payload = signal_of(Tagged).validate(None, tags=[1])
    with pytest.raises(TypeError, match="immutable"):
        payload.tags.append(2)


def test_send_async_delivers_a_read_only_payload() -> None:
    """send_async() delivers read-only containers too."""
    tagged = signal_of(Tagged)
    seen: list[Tagged] = []

    async def receiver(sender: object, payload: Tagged) -> None:
        seen.append(payload)

    with tagged.connected_to(receiver):
        asyncio.run(tagged.send_async(None, tags=[1]))
    with pytest.raises(TypeError, match="immutable"):
        seen[0].tags.append(2)


# -- declarations refused ------------------------------------------------------------------


class PlainInner(BaseModel):
    value: int = 0


@dataclass
class MutablePoint:
    x: int = 0


class HoldsPlainModel(Payload):
    inner: PlainInner


class HoldsPlainModelInList(Payload):
    inners: list[PlainInner]


class HoldsMutableDataclass(Payload):
    point: MutablePoint


class HoldsDeque(Payload):
    queue: deque[int]


@pytest.mark.parametrize(
    ("model", "where"),
    [
        (HoldsPlainModel, "HoldsPlainModel.inner"),
        (HoldsPlainModelInList, "HoldsPlainModelInList.inners"),
        (HoldsMutableDataclass, "HoldsMutableDataclass.point"),
        (HoldsDeque, "HoldsDeque.queue"),
    ],
    ids=["model", "model-in-list", "dataclass", "deque"],
)
def test_a_frozen_model_holding_something_mutable_is_refused(model: Any, where: str) -> None:
    """A frozen payload holding a mutable value that cannot be frozen is refused, naming it."""
    with pytest.raises(SignalDefinitionError, match="bad-declaration") as info:
        Signal("bad-declaration", model)
    assert where in str(info.value)


def test_a_send_with_an_unfrozen_subclass_of_a_nested_model_is_refused() -> None:
    """A nested instance of a subclass that is not frozen is refused, naming the field."""

    class Unfrozen(Address):
        model_config = ConfigDict(frozen=False)

    with pytest.raises(PayloadError, match=r"Deep\.address") as info:
        deliver(signal_of(Deep, "nested-subclass"), address=Unfrozen(lines=["x"]))
    assert "nested-subclass" in str(info.value)


def test_a_mutable_value_may_be_shared_on_purpose_with_instance_of() -> None:
    """InstanceOf[...] around a mutable model declares it shared by reference, and is accepted."""

    class SharesPlainModel(Payload):
        inner: InstanceOf[PlainInner]

    inner = PlainInner()
    assert deliver(signal_of(SharesPlainModel), inner=inner).inner is inner


# -- send_payload validates what it is given --------------------------------------------------


def test_send_payload_refuses_a_constructed_instance_missing_a_field() -> None:
    """model_construct() without a required field is refused, naming the signal and the field."""
    with pytest.raises(PayloadError, match="counted") as info:
        deliver_instance(signal_of(Counted, "counted"), Counted.model_construct(tags=[1]))
    assert info.value.fields == ("count",)


def test_send_payload_refuses_a_constructed_instance_with_a_wrong_type() -> None:
    """model_construct() with a value of the wrong type is refused, naming the field."""
    with pytest.raises(PayloadError) as info:
        deliver_instance(signal_of(Counted), Counted.model_construct(count="many"))
    assert info.value.fields == ("count",)


def test_send_payload_refuses_an_invalid_model_copy_update() -> None:
    """model_copy(update=...) with an invalid value is refused."""
    bad = Counted(count=1).model_copy(update={"tags": "not a list"})
    with pytest.raises(PayloadError) as info:
        deliver_instance(signal_of(Counted), bad)
    assert info.value.fields == ("tags",)


def test_send_payload_delivers_a_model_copy_update_as_validated() -> None:
    """A model_copy(update=...) value is validated (and coerced) before receivers see it."""
    updated = Counted(count=1).model_copy(update={"count": "7"})
    assert deliver_instance(signal_of(Counted), updated).count == 7


def test_send_payload_freezes_the_containers_of_an_instance() -> None:
    """A prebuilt instance's lists reach receivers read-only; the sender's instance is unchanged."""
    prebuilt = Counted(count=1, tags=[1])
    delivered = deliver_instance(signal_of(Counted), prebuilt)
    with pytest.raises(TypeError, match="immutable"):
        delivered.tags.append(2)
    assert type(prebuilt.tags) is list


def test_send_async_payload_validates_the_instance() -> None:
    """send_async_payload() refuses an invalid instance as send_payload() does."""
    counted = signal_of(Counted)

    async def receiver(sender: object, payload: Counted) -> None:
        raise AssertionError("no receiver runs for an invalid payload")

    with counted.connected_to(receiver), pytest.raises(PayloadError):
        asyncio.run(counted.send_async_payload(None, Counted.model_construct(count="x")))


def test_send_payload_delivers_a_subclass_instance_as_the_signal_model() -> None:
    """An instance of a subclass is validated and delivered as the signal's own model."""

    class Tighter(Counted):
        pass

    delivered = deliver_instance(signal_of(Counted), Tighter(count=2))
    assert type(delivered) is Counted
    assert delivered == Counted(count=2)


def test_send_payload_refuses_a_subclass_instance_with_more_fields() -> None:
    """A subclass instance carrying fields the signal's model lacks is refused, naming them."""

    class Wider(Counted):
        note: str = ""

    with pytest.raises(PayloadError) as info:
        deliver_instance(signal_of(Counted), Wider(count=2, note="x"))
    assert info.value.fields == ("note",)
    assert "Wider" in "".join(getattr(info.value, "__notes__", []))


def test_send_payload_keeps_the_fields_the_sender_set() -> None:
    """Validation keeps which fields were set: model_dump(exclude_unset=True) is unchanged."""
    prebuilt = Counted(count=1)
    delivered = deliver_instance(signal_of(Counted), prebuilt)
    assert delivered.model_dump(exclude_unset=True) == {"count": 1}


def test_send_payload_delivers_an_already_valid_immutable_instance_itself() -> None:
    """An instance validation leaves unchanged, or one validate() built, is delivered as is."""
    scalars = Scalars(user_id=1, email="a@example.org")
    assert deliver_instance(signal_of(Scalars), scalars) is scalars
    tagged = signal_of(Tagged)
    built = tagged.validate(None, tags=[1])
    assert deliver_instance(tagged, built) is built


class Pair(Payload):
    pair: tuple[int, int]


def test_send_payload_delivers_what_validate_built_without_validating_again() -> None:
    """validate() then send_payload() delivers that very payload (validation would copy it)."""
    paired = signal_of(Pair)
    built = paired.validate(None, pair=(1, 2))
    assert deliver_instance(paired, built) is built
    assert deliver_instance(paired, Pair(pair=(1, 2))) is not built


def test_a_delivered_payload_can_be_sent_again() -> None:
    """A payload a receiver got can be passed on with send_payload, read-only still."""
    tagged = signal_of(Tagged)
    first = deliver(tagged, tags=[1], labels={"x"})
    again = deliver_instance(tagged, first)
    assert again == first
    with pytest.raises(TypeError, match="immutable"):
        again.labels.add("y")


def test_model_config_freezing_is_what_counts() -> None:
    """A BaseModel declared frozen by its own config gets the same guarantee as a Payload."""

    class OwnFrozen(BaseModel):
        model_config = ConfigDict(frozen=True)
        tags: list[int]

    payload = deliver(signal_of(OwnFrozen), tags=[1])
    with pytest.raises(TypeError, match="immutable"):
        payload.tags.append(2)


# -- cost ----------------------------------------------------------------------------------


class SharedOnly(Payload):
    context: InstanceOf[dict[str, Any]]
    anything: Any = None
    handle: Handle | None = None
    pair: tuple[int, str] = (0, "")
    kinds: frozenset[str] = frozenset()


@pytest.mark.parametrize("model", [Scalars, SharedOnly, Loose])
def test_a_model_with_nothing_to_freeze_keeps_pydantics_bare_validator(model: Any) -> None:
    """Scalars, tuples, frozensets, shared fields, a model not frozen: no extra cost per send."""
    from typedsignals._frozen import validator_for  # what Signal builds send's validation from

    assert validator_for(model, "cost") == model.__pydantic_validator__.validate_python
