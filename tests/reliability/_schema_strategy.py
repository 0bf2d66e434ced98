"""Hypothesis strategies from the JSON Schemas pydantic generates.

``hypothesis-jsonschema`` would be the natural tool, but its latest release (0.23.1)
calls Hypothesis internals that Hypothesis 6.1xx removed (``many.more()``), so every
object schema fails to generate. Pydantic's schemas use a small vocabulary, covered
here: ``$ref``/``$defs`` (recursive models included), ``anyOf``/``oneOf``/``allOf``,
``enum``/``const``, objects with ``properties``/``required``/``additionalProperties``,
arrays with ``items``/``prefixItems`` and size bounds, strings with length bounds and
``pattern``, numbers with (exclusive) bounds, booleans, null, and the empty schema
(any JSON value). Keywords outside it are ignored, so a generated value may be one the
schema refuses; the tests compare with pydantic, not with the schema.
"""

from __future__ import annotations

import math
from typing import Any

from hypothesis import strategies as st

__all__ = ["from_json_schema", "json_values"]

json_values: st.SearchStrategy[Any] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=10,
)
"""Any JSON value (what the empty schema allows)."""


def from_json_schema(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """A strategy for the values of a pydantic-generated JSON Schema."""
    definitions: dict[str, Any] = schema.get("$defs", {})
    cache: dict[str, st.SearchStrategy[Any]] = {}

    def ref(pointer: str) -> st.SearchStrategy[Any]:
        name = pointer.rsplit("/", 1)[-1]
        if name not in cache:
            # Deferred: a recursive model refers to itself.
            cache[name] = st.deferred(lambda: convert(definitions[name]))
        return cache[name]

    def convert(node: dict[str, Any]) -> st.SearchStrategy[Any]:
        if "$ref" in node:
            return ref(node["$ref"])
        if "const" in node:
            return st.just(node["const"])
        if "enum" in node:
            return st.sampled_from(node["enum"])
        for key in ("anyOf", "oneOf"):
            if key in node:
                return st.one_of([convert(option) for option in node[key]])
        if "allOf" in node:
            return convert({k: v for part in node["allOf"] for k, v in part.items()})
        kind = node.get("type")
        if isinstance(kind, list):
            return st.one_of([convert({**node, "type": one}) for one in kind])
        if kind == "object":
            return objects(node)
        if kind == "array":
            return arrays(node)
        if kind == "string":
            return strings(node)
        if kind in ("integer", "number"):
            return numbers(node, integral=kind == "integer")
        if kind == "boolean":
            return st.booleans()
        if kind == "null":
            return st.none()
        return json_values

    def objects(node: dict[str, Any]) -> st.SearchStrategy[Any]:
        properties: dict[str, Any] = node.get("properties", {})
        required = set(node.get("required", ()))
        fixed = st.fixed_dictionaries(
            {name: convert(sub) for name, sub in properties.items() if name in required},
            optional={
                name: convert(sub) for name, sub in properties.items() if name not in required
            },
        )
        extra = node.get("additionalProperties", not properties)
        if extra is False:
            return fixed
        values = json_values if extra is True else convert(extra)
        names = st.text(max_size=10).filter(lambda name: name not in properties)
        more = st.dictionaries(names, values, max_size=4)
        return st.builds(lambda a, b: {**b, **a}, fixed, more)

    def arrays(node: dict[str, Any]) -> st.SearchStrategy[Any]:
        if "prefixItems" in node:
            return st.tuples(*(convert(sub) for sub in node["prefixItems"])).map(list)
        low = node.get("minItems", 0)
        high = node.get("maxItems", low + 5)
        return st.lists(convert(node.get("items", {})), min_size=low, max_size=high)

    def strings(node: dict[str, Any]) -> st.SearchStrategy[Any]:
        if "pattern" in node:
            return st.from_regex(node["pattern"], fullmatch=True)
        low = node.get("minLength", 0)
        return st.text(min_size=low, max_size=node.get("maxLength", low + 20))

    def numbers(node: dict[str, Any], *, integral: bool) -> st.SearchStrategy[Any]:
        low = node.get("minimum", node.get("exclusiveMinimum"))
        high = node.get("maximum", node.get("exclusiveMaximum"))
        if integral:
            if "exclusiveMinimum" in node:
                low = math.floor(node["exclusiveMinimum"]) + 1
            if "exclusiveMaximum" in node:
                high = math.ceil(node["exclusiveMaximum"]) - 1
            return st.integers(min_value=low, max_value=high)
        return st.floats(
            min_value=low,
            max_value=high,
            exclude_min="exclusiveMinimum" in node,
            exclude_max="exclusiveMaximum" in node,
            allow_nan=False,
            allow_infinity=False,
        )

    return convert(schema)
