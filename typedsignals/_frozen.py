"""Deeply immutable payloads: what to freeze in a model, and the validators that do it.

A payload model declared ``frozen`` (every :class:`~typedsignals.Payload` is) refuses
attribute assignment, but pydantic leaves the lists, dicts and sets it builds mutable, so
one receiver could change what the next one (and ``capture()``) sees. This module makes
the promise deep, for the values validation built:

* lists become ``ReadOnlyList``, dicts ``ReadOnlyDict`` and sets ``ReadOnlySet`` (in
  ``_payload``): subclasses of the builtins, so ``isinstance``, equality, JSON dumps,
  pickling and the annotated types stay true, whose mutating methods raise
  ``ImmutablePayloadError``. Containers nested in containers, tuples, typed dicts,
  named tuples, nested frozen models and frozen dataclasses are frozen the same way.
* values validation did not build stay the very objects the sender passed: fields
  checked with ``isinstance`` (``InstanceOf[...]``, arbitrary types), ``Any``/``object``
  fields, values returned by a plain validator (``PlainValidator``, ``mode="plain"``).
* a frozen model that holds something mutable validation builds but this module cannot
  freeze (a model or dataclass that is not frozen, a ``deque``, ``OrderedDict``,
  ``defaultdict`` or ``Counter``) is refused when the signal is declared.

What to freeze is decided once per model, from its pydantic core schema, when a signal
is declared with it: a model with nothing to freeze (scalars, tuples, frozensets,
opaque objects) keeps pydantic's bare validator, and a model that is not frozen (a plain
``BaseModel``, mutable on purpose) is delivered as pydantic builds it.

See docs/payloads.md for the guarantee as users read it.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import operator
import sys
import threading
from collections import Counter, OrderedDict, defaultdict, deque
from collections.abc import Callable, Mapping
from typing import Any, Final, cast

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from ._payload import EmptyPayload, ReadOnlyDict, ReadOnlyList, ReadOnlySet, read_only
from .exceptions import PayloadError, SignalDefinitionError

__all__ = ["is_sealed", "revalidator_for", "seal", "validator_for"]

Freezer = Callable[[Any], Any]
"""Returns its argument, or a read-only equivalent of it when validation built it."""


class _Sealed(set[str]):
    """``__pydantic_fields_set__`` of a payload this module validated and froze.

    The mark lets ``send_payload`` skip revalidating such a payload. Every copy is a plain
    set, so ``model_copy(update=...)``, ``copy``, ``deepcopy`` and pickling all drop it.
    """

    __slots__ = ()

    def __copy__(self) -> set[str]:
        return set(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> set[str]:
        return set(self)

    def __reduce__(self) -> tuple[Any, ...]:
        return (set, (list(self),))


def is_sealed(payload: BaseModel) -> bool:
    """Whether ``payload`` was validated and frozen here, and not copied since."""
    return type(payload.__pydantic_fields_set__) is _Sealed


# -- freezers: one per schema node that builds something mutable ---------------------


def _list_freezer(item: Freezer | None, where: str) -> Freezer:
    def freeze_list(value: Any) -> Any:
        if type(value) is not list:  # a validator returned something else: leave it
            return value
        return read_only(ReadOnlyList, value if item is None else map(item, value), where)

    return freeze_list


def _dict_freezer(item: Freezer | None, where: str) -> Freezer:
    def freeze_dict(value: Any) -> Any:
        if type(value) is not dict:
            return value
        items = value if item is None else zip(value, map(item, value.values()))
        return read_only(ReadOnlyDict, items, where)

    return freeze_dict


def _keyed_dict_freezer(items: dict[str, Freezer], where: str) -> Freezer:
    """A typed dict: a read-only dict whose declared keys have their own freezers."""

    def freeze_typed_dict(value: Any) -> Any:
        if type(value) is not dict:
            return value
        entries = (
            (key, items[key](entry) if key in items else entry) for key, entry in value.items()
        )
        return read_only(ReadOnlyDict, entries, where)

    return freeze_typed_dict


def _set_freezer(where: str) -> Freezer:
    # Set items are hashable, so validation never puts a list, dict or set inside one.
    def freeze_set(value: Any) -> Any:
        if type(value) is not set:
            return value
        return read_only(ReadOnlySet, value, where)

    return freeze_set


def _tuple_freezer(positions: list[Freezer | None], variadic: int | None) -> Freezer:
    """A tuple is immutable itself: rebuild it only when an item had to be frozen."""
    head = positions if variadic is None else positions[:variadic]
    middle = None if variadic is None else positions[variadic]
    tail = [] if variadic is None else positions[variadic + 1 :]

    def freeze_tuple(value: Any) -> Any:
        if type(value) is not tuple:
            return value
        count = len(value)
        plan: list[Freezer | None] = (
            list(head)
            if middle is None and not tail and variadic is None
            else [*head, *[middle] * (count - len(head) - len(tail)), *tail]
        )
        frozen = tuple(
            entry if freezer is None else freezer(entry) for freezer, entry in zip(plan, value)
        )
        return value if all(map(operator.is_, frozen, value)) else frozen

    return freeze_tuple


def _frozen_attributes(value: Any, fields: dict[str, Freezer]) -> dict[str, Any]:
    """The attributes of ``value`` that freezing changes, by name, with their frozen values."""
    changes = {}
    for name, freezer in fields.items():
        entry = getattr(value, name)
        frozen = freezer(entry)
        if frozen is not entry:
            changes[name] = frozen
    return changes


def _named_tuple_freezer(fields: dict[str, Freezer]) -> Freezer:
    def freeze_named_tuple(value: Any) -> Any:
        replace = getattr(value, "_replace", None)
        if replace is None or not isinstance(value, tuple):
            return value
        changes = _frozen_attributes(value, fields)
        return replace(**changes) if changes else value

    return freeze_named_tuple


def _union_freezer(choices: list[Freezer]) -> Freezer:
    """Each choice leaves values that are not its own kind alone, so the first that
    changes the value is the one pydantic chose (choices that freeze deeper go first)."""

    def freeze_union(value: Any) -> Any:
        for freezer in choices:
            frozen = freezer(value)
            if frozen is not value:
                return frozen
        return value

    return freeze_union


def _model_freezer(declared: type[BaseModel], where: str) -> Freezer:
    """A nested model: a frozen copy when one of its fields had to be frozen.

    The instance may be the sender's own (pydantic passes model instances through), so
    it is copied, never changed in place.
    """

    def freeze_model(value: Any) -> Any:
        if not isinstance(value, BaseModel):
            return value
        model = type(value)
        plan = _PLANS.get(model, _MISSING)
        if plan is _MISSING:  # a subclass of the declared model, first seen here
            try:
                plan = _plan_checked(model, f"{where} (an instance of {model.__qualname__})")
            except _Refused as exc:  # too late to refuse the declaration: refuse the send
                raise TypeError(str(exc)) from None
        if plan is None:
            return value
        return cast("_ModelPlan", plan).frozen_copy(value)

    freeze_model.__qualname__ = f"freeze_model[{declared.__qualname__}]"
    return freeze_model


def _dataclass_freezer(fields: dict[str, Freezer]) -> Freezer:
    def freeze_dataclass(value: Any) -> Any:
        if not dataclasses.is_dataclass(value) or isinstance(value, type):
            return value
        changes = _frozen_attributes(value, fields)
        if not changes:
            return value
        made = copy.copy(value)  # not replace(): that would run __init__/__post_init__
        for name, frozen in changes.items():
            object.__setattr__(made, name, frozen)
        return made

    return freeze_dataclass


# -- the plan of one model ----------------------------------------------------------


class _ModelPlan:
    """Which fields of one frozen model to freeze, and how."""

    __slots__ = ("fields", "model")

    def __init__(self, model: type[BaseModel], fields: tuple[tuple[str, Freezer], ...]) -> None:
        self.model = model
        self.fields = fields

    def freeze_in_place(self, payload: BaseModel) -> BaseModel:
        """Freeze a payload validation just built (nobody else holds it yet)."""
        values = _values(payload)
        for name, freezer in self.fields:
            if name in values:  # a model validator may return a partial instance
                values[name] = freezer(values[name])
        return payload

    def frozen_copy(self, payload: BaseModel) -> BaseModel:
        """A frozen copy of a model instance someone else may hold (or itself, if frozen)."""
        values = _values(payload)
        changes = {}
        for name, freezer in self.fields:
            if name in values:
                entry = values[name]
                frozen = freezer(entry)
                if frozen is not entry:
                    changes[name] = frozen
        if not changes:
            return payload
        made = copy.copy(payload)
        _values(made).update(changes)
        return made


def _values(payload: BaseModel) -> dict[str, Any]:
    """A model's field values: its instance dict (vars() types it as the dict it is)."""
    return vars(payload)


class _Refused(Exception):
    """A frozen model holds a mutable value this module cannot freeze."""


_MISSING: Final = object()
_PLANS: dict[type[BaseModel], _ModelPlan | None] = {}
"""Plans of the models seen so far (``None``: nothing to freeze, or not frozen)."""
_LOCK: Final = threading.RLock()
_BUILDING: dict[type[BaseModel], list[Freezer | None]] = {}
"""Models whose plan is being built, with a cell a recursive reference reads later."""

_UNFREEZABLE: Final = {
    "deque": "a deque",
    "ordered-dict": "an OrderedDict",
    "counter": "a Counter",
}
_MUTABLE_CLASSES: Final = (list, dict, set, deque, OrderedDict, defaultdict, Counter)


def _is_frozen_model(model: type[BaseModel]) -> bool:
    return bool(model.model_config.get("frozen", False))


def _plan_checked(model: type[BaseModel], where: str) -> _ModelPlan | None:
    """The plan of a nested model, refusing one that is not frozen."""
    if not _is_frozen_model(model):
        raise _Refused(
            f"{where} is a {model.__qualname__}, a model that is not frozen, so a receiver "
            f"could change it for the receivers after it; declare {model.__qualname__} "
            "with model_config = ConfigDict(frozen=True) (or derive it from "
            "typedsignals.Payload), or type the field InstanceOf[...] to share the "
            "sender's object by reference on purpose"
        )
    return _plan(model)


def _plan(model: type[BaseModel]) -> _ModelPlan | None:
    plan = _PLANS.get(model, _MISSING)
    if plan is not _MISSING:
        return cast("_ModelPlan | None", plan)
    with _LOCK:
        plan = _PLANS.get(model, _MISSING)
        if plan is not _MISSING:
            return cast("_ModelPlan | None", plan)
        cell: list[Freezer | None] = [None]
        outermost = not _BUILDING
        known = set(_PLANS) if outermost else set()
        _BUILDING[model] = cell
        try:
            built = _Builder(model).model_plan()
        except BaseException:
            if outermost:  # models finished during a refused build may point into it
                for stale in _PLANS.keys() - known:
                    del _PLANS[stale]
            raise
        finally:
            del _BUILDING[model]
        _PLANS[model] = built
        if built is not None:
            cell[0] = _model_freezer(model, model.__qualname__)
        return built


class _Builder:
    """Walks one model's pydantic core schema into freezers for its fields."""

    def __init__(self, model: type[BaseModel]) -> None:
        self.model = model
        self.definitions: dict[str, dict[str, Any]] = {}
        self.refs: dict[tuple[str, str], list[Freezer | None]] = {}
        self.depth: dict[int, int] = {}

    def model_plan(self) -> _ModelPlan | None:
        node = self._model_node(cast("dict[str, Any]", self.model.__pydantic_core_schema__))
        if node is None:
            return None  # a model-level validator hides the model's own schema
        fields: list[tuple[str, Freezer]] = []
        inner = node["schema"]
        if node.get("root_model"):
            named = {"root": inner}
        else:
            named = {name: field["schema"] for name, field in inner.get("fields", {}).items()}
        for name, schema in named.items():
            where = f"{self.model.__qualname__}.{name}"
            freezer = self.freezer(schema, where)
            if freezer is not None:
                fields.append((name, freezer))
        return _ModelPlan(self.model, tuple(fields)) if fields else None

    def _model_node(self, node: dict[str, Any]) -> dict[str, Any] | None:
        while True:
            kind = node["type"]
            if kind == "definitions":
                self._define(node["definitions"])
                node = node["schema"]
            elif kind == "definition-ref":
                node = self.definitions[node["schema_ref"]]
            elif kind in ("function-before", "function-after", "function-wrap"):
                node = node["schema"]
            elif kind == "model" and node["cls"] is self.model:
                return node
            else:
                return None

    def _define(self, definitions: list[dict[str, Any]]) -> None:
        for definition in definitions:
            self.definitions[definition["ref"]] = definition

    def _deep(self, freezer: Freezer, depth: int) -> Freezer:
        self.depth[id(freezer)] = depth
        return freezer

    def _depth(self, freezer: Freezer | None) -> int:
        return 0 if freezer is None else self.depth.get(id(freezer), 1)

    def freezer(self, node: dict[str, Any], where: str) -> Freezer | None:
        """The freezer of the values ``node`` validates, or None if they are immutable."""
        kind = node["type"]
        if kind in (
            "default",
            "nullable",
            "function-before",
            "function-after",
            "function-wrap",
            "custom-error",
            "json",
        ):
            inner = node.get("schema")
            return None if inner is None else self.freezer(inner, where)
        if kind == "definitions":
            self._define(node["definitions"])
            return self.freezer(node["schema"], where)
        if kind == "definition-ref":
            return self._ref(node["schema_ref"], where)
        if kind == "list":
            item = self._item(node, "items_schema", where)
            return self._deep(_list_freezer(item, where), 1 + self._depth(item))
        if kind == "dict":
            item = self._item(node, "values_schema", where)
            return self._deep(_dict_freezer(item, where), 1 + self._depth(item))
        if kind == "set":
            return _set_freezer(where)
        if kind == "tuple":
            positions = [self.freezer(item, where) for item in node.get("items_schema", [])]
            if not any(positions):
                return None
            return self._deep(
                _tuple_freezer(positions, node.get("variadic_item_index")),
                max(map(self._depth, positions)),
            )
        if kind == "typed-dict":
            keyed = {
                name: freezer
                for name, field in node["fields"].items()
                if (freezer := self.freezer(field["schema"], where)) is not None
            }
            return self._deep(
                _keyed_dict_freezer(keyed, where),
                1 + max(map(self._depth, keyed.values()), default=0),
            )
        if kind == "named-tuple":
            named = {
                field["name"]: freezer
                for field in node["fields"]
                if (freezer := self.freezer(field["schema"], where)) is not None
            }
            return _named_tuple_freezer(named) if named else None
        if kind in ("union", "tagged-union"):
            return self._union(node, where)
        if kind == "lax-or-strict":
            self._refuse_mutable_class(node.get("strict_schema"), where)
            return self.freezer(node["lax_schema"], where)
        if kind == "json-or-python":
            return self.freezer(node["python_schema"], where)
        if kind == "chain":
            return self.freezer(node["steps"][-1], where) if node["steps"] else None
        if kind == "model":
            return self._nested_model(node["cls"], where)
        if kind == "dataclass":
            return self._dataclass(node, where)
        if kind in _UNFREEZABLE:
            raise _Refused(
                f"{where} holds {_UNFREEZABLE[kind]}, which has no read-only equivalent; "
                "declare it as a tuple, frozenset or dict instead, or type it "
                "InstanceOf[...] to share the sender's object by reference on purpose"
            )
        # Scalars, frozensets, is-instance checks, Any, plain validators, callables ...:
        # immutable, or not built by validation (the sender's object, shared on purpose).
        return None

    def _item(self, node: dict[str, Any], key: str, where: str) -> Freezer | None:
        inner = node.get(key)
        return None if inner is None else self.freezer(inner, where)

    def _ref(self, ref: str, where: str) -> Freezer | None:
        target = self.definitions[ref]
        if target["type"] == "model":
            return self._nested_model(target["cls"], where)
        key = (ref, where)
        cell = self.refs.get(key)
        if cell is not None:  # a recursive type alias (JsonValue ...) refers to itself
            return _deferred(cell)
        cell = self.refs[key] = [None]
        cell[0] = freezer = self.freezer(target, where)
        return freezer

    def _union(self, node: dict[str, Any], where: str) -> Freezer | None:
        raw = node["choices"]
        choices = raw.values() if isinstance(raw, Mapping) else raw
        freezers = [
            freezer
            for choice in choices
            if (freezer := self.freezer(choice[0] if isinstance(choice, tuple) else choice, where))
            is not None
        ]
        if not freezers:
            return None
        freezers.sort(key=self._depth, reverse=True)
        if len(freezers) == 1:
            return freezers[0]
        return self._deep(_union_freezer(freezers), self._depth(freezers[0]))

    def _nested_model(self, model: type[BaseModel], where: str) -> Freezer | None:
        cell = _BUILDING.get(model)
        if cell is not None:  # a recursive model: its plan is not finished yet
            return self._deep(_deferred(cell), 1)
        if _plan_checked(model, where) is None:
            return None
        return self._deep(_model_freezer(model, where), 1)

    def _dataclass(self, node: dict[str, Any], where: str) -> Freezer | None:
        cls = node["cls"]
        params = getattr(cls, "__dataclass_params__", None)
        if params is None or not params.frozen:
            raise _Refused(
                f"{where} is a {cls.__qualname__}, a dataclass that is not frozen, so a "
                "receiver could change it for the receivers after it; declare it "
                "@dataclass(frozen=True), or type the field InstanceOf[...] to share the "
                "sender's object by reference on purpose"
            )
        args = node["schema"]
        fields = {
            field["name"]: freezer
            for field in args.get("fields", [])
            if (freezer := self.freezer(field["schema"], f"{cls.__qualname__}.{field['name']}"))
            is not None
        }
        return self._deep(_dataclass_freezer(fields), 1) if fields else None

    def _refuse_mutable_class(self, node: dict[str, Any] | None, where: str) -> None:
        """A strict branch that checks ``isinstance(value, defaultdict)`` (for example)
        tells which class the lax branch builds: refuse mutable ones we cannot freeze."""
        while node is not None:
            kind = node["type"]
            if kind == "chain" and node["steps"]:
                node = node["steps"][0]
            elif kind == "json-or-python":
                node = node["python_schema"]
            elif kind == "is-instance":
                cls = node["cls"]
                if (
                    isinstance(cls, type)
                    and issubclass(cls, _MUTABLE_CLASSES)
                    and cls not in (list, dict, set)
                ):
                    raise _Refused(
                        f"{where} holds a {cls.__qualname__}, which has no read-only "
                        "equivalent; declare it as a dict, tuple or frozenset instead, or "
                        "type it InstanceOf[...] to share the sender's object by reference "
                        "on purpose"
                    )
                return
            else:
                return


def _deferred(cell: list[Freezer | None]) -> Freezer:
    def freeze_later(value: Any) -> Any:
        freezer = cell[0]
        return value if freezer is None else freezer(value)

    return freeze_later


def _plan_for_signal(model: type[BaseModel], signal_name: str) -> _ModelPlan | None:
    if not _is_frozen_model(model):
        return None  # mutable on purpose: delivered as pydantic builds it
    try:
        return _plan(model)
    except _Refused as exc:
        raise SignalDefinitionError(
            f"signal {signal_name!r}: payloads of a frozen model are deeply immutable, but {exc}"
        ) from None


# -- what Signal calls ---------------------------------------------------------------


def validator_for(
    model: type[BaseModel], signal_name: str
) -> Callable[[dict[str, Any]], BaseModel]:
    """Build the function that validates ``send``'s keyword fields into a payload.

    The payload is deeply immutable where validation built it (see the module). For a
    model with nothing to freeze this is pydantic's bare ``validate_python``; a model
    with its own ``__init__`` is built through it; :class:`~typedsignals.EmptyPayload`
    without fields is one shared instance.

    Raises:
        SignalDefinitionError: ``model`` is frozen but holds a mutable value that cannot
            be frozen (a model or dataclass that is not frozen, a deque ...); the message
            names the model and field.
    """
    plan = _plan_for_signal(model, signal_name)
    build: Callable[[dict[str, Any]], BaseModel]
    if model.__init__ is not BaseModel.__init__:
        # A model with its own __init__ must go through it.
        def construct(fields: dict[str, Any]) -> BaseModel:
            return model(**fields)

        build = construct
    else:
        build = cast(
            "Callable[[dict[str, Any]], BaseModel]", model.__pydantic_validator__.validate_python
        )
    if plan is not None:
        return _freezing(build, plan.fields)
    if model is EmptyPayload:
        empty = EmptyPayload()
        validate_python = build

        def validate_empty(fields: dict[str, Any]) -> BaseModel:
            return empty if not fields else validate_python(fields)

        return validate_empty
    return build


def _freezing(
    build: Callable[[dict[str, Any]], BaseModel], fields: tuple[tuple[str, Freezer], ...]
) -> Callable[[dict[str, Any]], BaseModel]:
    """``build``, then freeze ``fields`` of its result in place: _ModelPlan.freeze_in_place
    inlined (a method call and a loop less on every send; see docs/payloads.md for the cost).
    """
    if len(fields) == 1:
        ((name, freezer),) = fields

        def validate_frozen_one(kwargs: dict[str, Any]) -> BaseModel:
            payload = build(kwargs)
            # Not vars(): a call less. pyright types the class attribute, not the instance dict.
            values: dict[str, Any] = payload.__dict__  # pyright: ignore[reportAssignmentType]
            if name in values:  # a model validator may return a partial instance
                values[name] = freezer(values[name])
            return payload

        return validate_frozen_one

    def validate_frozen(kwargs: dict[str, Any]) -> BaseModel:
        payload = build(kwargs)
        values: dict[str, Any] = payload.__dict__  # pyright: ignore[reportAssignmentType]
        for name, freezer in fields:
            if name in values:
                values[name] = freezer(values[name])
        return payload

    return validate_frozen


def seal(payload: BaseModel) -> BaseModel:
    """Mark a payload :func:`validator_for` built so ``send_payload`` delivers it as is
    (when its model is frozen: an instance of a mutable model may change after).

    ``send`` does not pay for the mark; ``Signal.validate`` marks what it returns, and
    :func:`revalidator_for` marks what it builds, so a payload can be passed on for free.
    """
    object.__setattr__(payload, "__pydantic_fields_set__", _Sealed(payload.__pydantic_fields_set__))
    return payload


@functools.cache
def _takes_by_name() -> bool:
    """Whether pydantic-core's ``validate_python`` takes ``by_name`` (2.11 and later)."""
    from pydantic_core import SchemaValidator, core_schema

    try:
        SchemaValidator(core_schema.any_schema()).validate_python(None, by_name=True)
    except TypeError:  # pydantic-core before 2.11's: no by_name argument
        return False
    return True


def _input_key(name: str, field: FieldInfo) -> str:
    alias = field.validation_alias if field.validation_alias is not None else field.alias
    if isinstance(alias, str):
        return alias
    choices = getattr(alias, "choices", None)
    if choices:
        for choice in choices:
            if isinstance(choice, str):
                return choice
    return name


def revalidator_for(model: type[BaseModel], signal_name: str) -> Callable[[BaseModel], BaseModel]:
    """Build the function ``send_payload`` calls on the instance it is given.

    It validates the instance's field values as ``model`` (so ``model_construct`` with
    missing or wrong fields and unchecked ``model_copy(update=...)`` results are
    refused, and an instance of a subclass is delivered as ``model``), then freezes the
    result like :func:`validator_for`. It returns the instance itself when it is already
    a valid, deeply immutable payload of exactly ``model``: one :func:`seal` marked
    (``Signal.validate`` and this function mark what they build), or one whose every
    value validation left untouched.

    Raises:
        PayloadError: The instance's values are not a valid ``model`` (naming the
            signal and the fields); the error's notes say when the instance was of
            another class.
    """
    plan = _plan_for_signal(model, signal_name)
    frozen = _is_frozen_model(model)
    validate_python = model.__pydantic_validator__.validate_python
    fields = model.model_fields
    aliased = any(
        field.alias is not None or field.validation_alias is not None for field in fields.values()
    )
    rename: dict[str, str] | None = None
    by_name = False
    if aliased:
        if _takes_by_name():
            by_name = True
        else:  # pragma: no cover - pydantic < 2.11
            rename = {name: _input_key(name, field) for name, field in fields.items()}

    def inputs(payload: BaseModel) -> dict[str, Any]:
        values = _values(payload)
        extra = payload.__pydantic_extra__
        if extra:
            values = {**values, **extra}
        if rename is not None:
            values = {rename.get(key, key): value for key, value in values.items()}
        return values

    def revalidate(payload: BaseModel) -> BaseModel:
        exact = type(payload) is model
        if exact and frozen and type(payload.__pydantic_fields_set__) is _Sealed:
            return payload  # validated and frozen here, and never copied since
        try:
            if by_name:
                made = validate_python(inputs(payload), by_name=True, by_alias=False)
            else:
                made = validate_python(inputs(payload))
        except ValidationError as exc:
            raise _payload_error(signal_name, model, payload, exc) from exc
        except Exception as exc:
            error = PayloadError(
                signal_name, detail=f"a validator raised {type(exc).__name__}: {exc}"
            )
            raise error from exc
        old = _values(payload)
        new = _values(made)
        if exact and plan is None and all(map(operator.is_, new.values(), map(old.get, new))):
            return payload  # nothing to freeze and nothing validation changed
        # Keep what the sender set explicitly: model_dump(exclude_unset=True) must not
        # change because the payload was revalidated.
        object.__setattr__(
            made, "__pydantic_fields_set__", payload.__pydantic_fields_set__ & fields.keys()
        )
        if payload.__pydantic_private__:
            object.__setattr__(made, "__pydantic_private__", dict(payload.__pydantic_private__))
        if plan is not None:
            plan.freeze_in_place(made)
        # A model that is not frozen may be changed after validation: never trust it.
        return seal(made) if frozen else made

    return revalidate


def _payload_error(
    signal_name: str, model: type[BaseModel], payload: BaseModel, exc: ValidationError
) -> PayloadError:
    error = PayloadError(signal_name, exc)
    if type(payload) is not model:
        note = (
            f"send_payload() got an instance of {type(payload).__qualname__}, a subclass of "
            f"{model.__qualname__}: its fields are validated as {model.__qualname__}'s, and "
            "receivers get a " + model.__qualname__
        )
        if sys.version_info >= (3, 11):
            error.add_note(note)
        else:  # pragma: no cover - Python 3.10: the exceptiongroup backport prints __notes__
            error.__notes__ = [note]  # type: ignore[attr-defined]  # what add_note sets
    return error
