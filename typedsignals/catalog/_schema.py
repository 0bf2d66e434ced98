"""JSON Schema of payload models, with opaque Python objects described instead of refused.

Pydantic cannot give a JSON Schema for a field holding an arbitrary class (a Flask app,
a ``Response``) and raises ``PydanticInvalidForJsonSchema``. Catalog fields annotated
with ``typedsignals.flask.opaque(...)`` carry their own schema; every other such field
gets the same shape here, an ``object`` schema naming the Python type under
``x-python-type``, so that reading a catalog never fails on a payload that works.
"""

from __future__ import annotations

import math
import types
import typing
from collections.abc import Sequence
from enum import Enum
from typing import Any, Final

from pydantic import BaseModel
from pydantic.json_schema import (
    DEFAULT_REF_TEMPLATE,
    GenerateJsonSchema,
    JsonSchemaMode,
    JsonSchemaValue,
    models_json_schema,
)
from pydantic_core import PydanticOmit, core_schema

__all__ = [
    "OPAQUE_KEY",
    "CatalogJsonSchema",
    "annotation_text",
    "model_schema",
    "models_schema",
    "type_path",
]

OPAQUE_KEY: Final = "x-python-type"
"""Schema key naming the Python type of a field that has no JSON form (as ``opaque()``)."""

_CONTAINER_FACTORIES: Final = (list, dict, set, frozenset, tuple)


def type_path(cls: type[Any]) -> str:
    """The dotted import path of a class (``flask.app.Flask``); builtins by bare name."""
    module = getattr(cls, "__module__", None)
    name = getattr(cls, "__qualname__", None) or getattr(cls, "__name__", repr(cls))
    if module in (None, "builtins"):
        return str(name)
    return f"{module}.{name}"


class CatalogJsonSchema(GenerateJsonSchema):
    """Pydantic's JSON Schema generator, describing opaque Python objects by their type.

    An ``isinstance``-checked class becomes ``{"type": "object", "x-python-type": path}``
    and a callable ``{"type": "object", "x-python-type": "Callable"}``, the shape
    ``typedsignals.flask.opaque()`` gives by hand, instead of an error.
    """

    def is_instance_schema(self, schema: core_schema.IsInstanceSchema) -> JsonSchemaValue:
        return _opaque(type_path(schema["cls"]))

    def callable_schema(self, schema: core_schema.CallableSchema) -> JsonSchemaValue:
        return _opaque("Callable")

    # pydantic's `mode` reads the mode override through ConfigWrapper.__getattr__, about a
    # hundred times a model: 12% of reading a catalog of 1,000 signals (issue #18 part 3
    # report). The same rule, read from the config dict; tests/catalog/
    # test_schema_fast_paths.py checks it against pydantic's property.
    @property
    def mode(self) -> JsonSchemaMode:
        try:
            config = self._config_wrapper_stack.tail.config_dict
        except AttributeError:  # pragma: no cover - a pydantic without these internals
            return super().mode
        override: JsonSchemaMode | None = config.get("json_schema_mode_override")
        return self._mode if override is None else override

    def encode_default(self, dft: Any) -> Any:
        # pydantic builds a TypeAdapter for every default it encodes: a third of reading
        # a catalog of 1,000 signals. A scalar, or an enum member holding one, is its own
        # JSON form whatever the config (tests/catalog/test_schema_fast_paths.py).
        kind = type(dft)
        if kind in _SELF_ENCODED or (kind is float and math.isfinite(dft)):
            return dft
        if isinstance(dft, Enum) and _plain_enum(kind):
            value = dft.value
            if type(value) in _SELF_ENCODED or (type(value) is float and math.isfinite(value)):
                return value
        return super().encode_default(dft)

    def get_default_value(self, schema: core_schema.WithDefaultSchema) -> Any:
        # An empty container made by a default factory is a default like any other
        # (pydantic leaves factories out); other factories may not be deterministic
        # (uuid4, datetime.now) and stay out of the schema.
        factory = schema.get("default_factory")
        if factory in _CONTAINER_FACTORIES and not schema.get("default_factory_takes_data"):
            return factory()
        return super().get_default_value(schema)

    def handle_invalid_for_json_schema(
        self,
        schema: Any,  # pydantic's CoreSchemaOrField, which it does not export
        error_info: str,
    ) -> JsonSchemaValue:
        # Whatever else pydantic cannot describe is still a field of a working payload.
        return _opaque(str(schema.get("type", "object")))


_SELF_ENCODED: Final = frozenset({str, int, bool, type(None)})
"""Types whose values pydantic encodes as themselves in a JSON Schema default."""


def _plain_enum(kind: type[Any]) -> bool:
    """An enum that pydantic serialises by its value (no hook of its own changes that)."""
    return not hasattr(kind, "__get_pydantic_core_schema__") and not hasattr(
        kind, "__get_pydantic_json_schema__"
    )


def _opaque(python_type: str) -> JsonSchemaValue:
    return {
        "type": "object",
        "description": f"A {python_type} object (a Python object with no JSON form).",
        OPAQUE_KEY: python_type,
    }


def model_schema(model: type[BaseModel], mode: JsonSchemaMode = "validation") -> dict[str, Any]:
    """The JSON Schema of one payload model, nested models under its own ``$defs``."""
    try:
        return model.model_json_schema(schema_generator=CatalogJsonSchema, mode=mode)
    except PydanticOmit:  # pragma: no cover - a model whose every field is omitted
        return {"type": "object", "title": model.__name__}


def models_schema(
    models: Sequence[type[BaseModel]], ref_template: str = DEFAULT_REF_TEMPLATE
) -> tuple[dict[type[BaseModel], str], dict[str, Any]]:
    """Schemas of several models in one ``$defs`` table, nested models hoisted.

    Returns:
        The name of each model's entry, and the table (its entries by name). Two models
        with the same class name get distinct entries (pydantic qualifies them).
    """
    unique = list(dict.fromkeys(models))
    refs, top = models_json_schema(
        [(model, "validation") for model in unique],
        ref_template=ref_template,
        schema_generator=CatalogJsonSchema,
    )
    prefix = ref_template.split("{model}")[0]
    names = {model: refs[(model, "validation")]["$ref"][len(prefix) :] for model in unique}
    return names, dict(top.get("$defs", {}))


def annotation_text(annotation: Any) -> str:
    """A field annotation as readable Python (``dict[str, Any]``, ``int | None``).

    Classes are spelled by their import path, builtins and ``typing`` names bare;
    ``Annotated`` metadata is left out (it shows in the schema's constraints).
    """
    if annotation is None or annotation is type(None):
        return "None"
    if annotation is Any:
        return "Any"
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return annotation_text(args[0])
    if origin in (typing.Union, types.UnionType):
        return " | ".join(annotation_text(arg) for arg in args)
    if origin is typing.Literal:
        return f"Literal[{', '.join(repr(arg) for arg in args)}]"
    if origin is not None:
        head = annotation_text(origin)
        if not args:
            return head
        shown = [
            "[" + ", ".join(annotation_text(a) for a in arg) + "]"
            if isinstance(arg, list)
            else "..."
            if arg is Ellipsis
            else annotation_text(arg)
            for arg in args
        ]
        return f"{head}[{', '.join(shown)}]"
    if isinstance(annotation, type):
        if annotation.__module__ == "collections.abc":
            return annotation.__qualname__
        return type_path(annotation)
    if isinstance(annotation, typing.TypeVar):
        return annotation.__name__
    text = repr(annotation)
    return text.removeprefix("typing.")
