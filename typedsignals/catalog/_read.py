"""Read signal declarations into :class:`SignalSpec` objects.

Only public attributes of :class:`~typedsignals.Signal` are read (``name``, ``doc``,
``payload_model``, ``sender_type``, ``module``, ``error_policy``, ``strict``,
``concurrent``, ``connections``) and namespaces are iterated; the receiver table's
internals are not.
"""

from __future__ import annotations

import functools
import gc
import importlib
import sys
import traceback
import types
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from enum import Enum
from types import ModuleType
from typing import Any, Final

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from .._namespace import Namespace
from .._receivers import ANY
from .._signal import Signal
from ._schema import OPAQUE_KEY, annotation_text, model_schema, type_path
from ._spec import Catalog, CatalogError, FieldSpec, ReceiverSpec, SignalSpec, TypeRef

__all__ = [
    "import_modules",
    "read_module",
    "read_modules",
    "read_namespace",
    "read_signal",
    "spec_of",
]

CONSTRAINT_KEYS: Final = (
    "const",
    "enum",
    "exclusiveMaximum",
    "exclusiveMinimum",
    "format",
    "maxItems",
    "maxLength",
    "maxProperties",
    "maximum",
    "minItems",
    "minLength",
    "minProperties",
    "minimum",
    "multipleOf",
    "pattern",
    "uniqueItems",
)
"""JSON Schema keywords shown as a field's constraints."""


def spec_of(
    signal: Signal[Any, ..., Any],
    *,
    attribute: str | None = None,
    namespace: str | None = None,
) -> SignalSpec:
    """The spec of one signal.

    Args:
        signal: The signal to describe.
        attribute: The module attribute holding it; looked up in ``signal.module``
            when not given.
        namespace: The name of the namespace it was read from.
    """
    model: type[BaseModel] = signal.payload_model
    try:
        schema = model_schema(model)
    except Exception as exc:  # a user validator or annotation pydantic cannot render
        raise CatalogError(
            f"signal {signal.name!r}: no JSON Schema for payload {model.__qualname__}: {exc}"
        ) from None
    if attribute is None:
        attribute = _attribute_of(signal)
    raw = getattr(signal, "raw_name", None)
    return SignalSpec(
        name=signal.name,
        module=signal.module,
        attribute=attribute,
        doc=signal.doc,
        signal_class=TypeRef.of(type(signal)),
        sender=TypeRef.of(signal.sender_type),
        payload=TypeRef.of(model),
        payload_schema=schema,
        fields=_fields(model, schema),
        error_policy=signal.error_policy,
        strict=signal.strict,
        concurrent=bool(signal.concurrent),
        namespace=namespace,
        bridges=raw if isinstance(raw, str) else None,
        receivers=_receivers(signal),
    )


def read_signal(signal: Signal[Any, ..., Any]) -> Catalog:
    """A catalog of one signal."""
    return Catalog(signals=(spec_of(signal),))


def read_namespace(namespace: Namespace) -> Catalog:
    """A catalog of a namespace's signals, in creation order."""
    name = namespace.name or None
    return Catalog(signals=tuple(spec_of(s, namespace=name) for s in namespace))


def read_module(module: ModuleType) -> Catalog:
    """A catalog of a module's signals.

    Reads the module-level :class:`~typedsignals.Signal` objects declared by the module
    (in definition order), then the signals of its module-level namespaces that are
    not module attributes themselves. Signals imported from another module are left to
    that module's catalog.
    """
    found: dict[int, SignalSpec] = {}
    namespaces: list[Namespace] = []
    for attribute, value in vars(module).items():
        if isinstance(value, Signal):
            if value.module == module.__name__ and id(value) not in found:
                found[id(value)] = spec_of(value, attribute=attribute)
        elif isinstance(value, Namespace):
            namespaces.append(value)
    for namespace in namespaces:
        for signal in namespace:
            if id(signal) not in found:
                found[id(signal)] = spec_of(signal, namespace=namespace.name or None)
    return Catalog(signals=tuple(found.values()))


def read_modules(modules: Iterable[str | ModuleType]) -> Catalog:
    """A catalog of several modules, importing those given by name, in the given order.

    Raises:
        CatalogError: A module cannot be imported (the message names it and the error).
    """
    specs: list[SignalSpec] = []
    seen: set[tuple[str, str | None]] = set()
    with gc_paused():
        for module in import_modules(modules):
            for spec in read_module(module).signals:
                key = (spec.name, spec.module)
                if key not in seen:
                    seen.add(key)
                    specs.append(spec)
    return Catalog(signals=tuple(specs))


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for a burst of allocations, then resume it.

    Importing a signal module builds its payload models, and reading the catalog
    generates their JSON Schemas: hundreds of thousands of objects that live on, which
    the collector scans again and again as the heap grows. Pausing it takes 17% off
    importing a module of 1,000 signals and 20% off reading its catalog (CPU time,
    issue #18 part 3 report). Reference counting still frees everything acyclic; the
    collector runs as usual once the block ends. Nothing happens when the collector is
    already off.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def import_modules(modules: Iterable[str | ModuleType]) -> list[ModuleType]:
    """Import modules by name (modules given as objects are passed through).

    Raises:
        CatalogError: A module cannot be imported; the message names the module and
            the last line of the error.
    """
    imported: list[ModuleType] = []
    with gc_paused():
        _import_each(modules, imported)
    return imported


def _import_each(modules: Iterable[str | ModuleType], imported: list[ModuleType]) -> None:
    for module in modules:
        if isinstance(module, ModuleType):
            imported.append(module)
            continue
        try:
            imported.append(importlib.import_module(module))
        except Exception as exc:  # any error while importing user code is an input error
            last = traceback.format_exception_only(type(exc), exc)[-1].strip()
            raise CatalogError(f"cannot import module {module!r}: {last}") from None


def _attribute_of(signal: Signal[Any, ..., Any]) -> str | None:
    module = sys.modules.get(signal.module or "")
    if module is None:
        return None
    for attribute, value in vars(module).items():
        if value is signal:
            return attribute
    return None


def _fields(model: type[BaseModel], schema: dict[str, Any]) -> tuple[FieldSpec, ...]:
    properties: dict[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", ()))
    specs: list[FieldSpec] = []
    for name, info in model.model_fields.items():
        key = info.alias or name
        own: dict[str, Any] = properties.get(key, {})
        prop = _resolved(own, schema)
        specs.append(
            FieldSpec(
                name=key,
                annotation=prop.get(OPAQUE_KEY) or annotation_text(info.annotation),
                required=key in required or info.is_required(),
                default=_default_text(info),
                # The field's own description, not that of the model or enum it names.
                description=info.description or own.get("description", ""),
                constraints=_constraints(prop, schema),
                opaque=prop.get(OPAQUE_KEY),
            )
        )
    return tuple(specs)


def _default_text(info: FieldInfo) -> str | None:
    """A field's default as Python source, or None when the field is required."""
    if info.is_required():
        return None
    if info.default_factory is not None:
        factory = info.default_factory
        return f"{getattr(factory, '__qualname__', repr(factory))}()"
    value = info.default
    if value is PydanticUndefined:  # pragma: no cover - not required implies a default
        return None
    if isinstance(value, Enum):
        return f"{type(value).__qualname__}.{value.name}"
    return repr(value)


def _constraints(prop: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """The constraints of a property, those of an optional field's non-null branch too."""
    found: dict[str, Any] = {k: prop[k] for k in CONSTRAINT_KEYS if k in prop}
    for branch in prop.get("anyOf", ()):
        if isinstance(branch, dict) and branch.get("type") != "null":
            resolved = _resolved(branch, schema)
            found.update({k: resolved[k] for k in CONSTRAINT_KEYS if k in resolved})
    return found


def _resolved(prop: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """A property schema with a lone ``$ref`` (an enum, a nested model) followed once."""
    ref = prop.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        target = schema.get("$defs", {}).get(ref.removeprefix("#/$defs/"), {})
        return {**target, **{k: v for k, v in prop.items() if k != "$ref"}}
    return prop


def _receivers(signal: Signal[Any, ..., Any]) -> tuple[ReceiverSpec, ...]:
    """The sender-receiver map of a signal: every live connection, ``ANY`` ones first."""
    specs: list[ReceiverSpec] = []
    for info in signal.connections():
        receiver, via = _deferred(info.receiver)
        specs.append(
            ReceiverSpec(
                name=_receiver_name(receiver),
                module=getattr(receiver, "__module__", None),
                priority=info.priority,
                sender=None if info.sender is ANY else _sender_text(info.sender),
                via=via,
            )
        )
    return tuple(specs)


def _deferred(connected: Callable[..., Any]) -> tuple[Callable[..., Any], str | None]:
    """The receiver the user connected, and the class of its delivery when deferred.

    A ``connect(..., via=...)`` connects the stand-in its :class:`~typedsignals.Deferral`
    returned; the stand-ins of ``typedsignals.delivery`` name their delivery
    (``deferral``) and the receiver they run (``receiver``).
    """
    deferral = getattr(connected, "deferral", None)
    receiver = getattr(connected, "receiver", None)
    if deferral is None or not callable(receiver):
        return connected, None
    return receiver, type(deferral).__qualname__


def _receiver_name(receiver: Callable[..., Any]) -> str:
    """A receiver's qualified name; stable across runs (no ``at 0x...`` address)."""
    if isinstance(receiver, functools.partial):
        return f"partial({_receiver_name(receiver.func)})"
    name = getattr(receiver, "__qualname__", None)
    if isinstance(name, str):
        return name
    return f"<{type(receiver).__qualname__} instance>"


def _sender_text(sender: object) -> str:
    """A sender as a reference shows it: a class or module by its dotted path, a named
    function by its qualified name, another object by its repr unless that repr holds a
    memory address, which differs on every run (then by its class)."""
    if isinstance(sender, type):
        return type_path(sender)
    if isinstance(sender, ModuleType):
        return sender.__name__
    if isinstance(sender, (types.FunctionType, types.BuiltinFunctionType, types.MethodType)):
        return f"{sender.__module__}.{sender.__qualname__}"
    text = repr(sender)
    if " at 0x" in text:
        return f"<{type_path(type(sender))} instance>"
    return text
