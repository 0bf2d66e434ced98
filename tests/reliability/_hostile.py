"""Hostile values for the hostile-input tests, and how to compare what was delivered.

``junk_values`` draws arbitrary Python values: JSON-like data, NaN and infinities,
huge integers, bytes, decimals, datetimes, complex numbers, and objects that raise
from numeric conversion, iteration, comparison, hashing or attribute lookup. It
leaves out what the known ``PayloadError`` bugs trip over (values whose ``repr()``
fails, deep nesting, integers too long to print): those have their own tests.
"""

from __future__ import annotations

import math
from typing import Any

from hypothesis import strategies as st
from pydantic import BaseModel

__all__ = [
    "HostileEquality",
    "HostileGetattr",
    "HostileIterable",
    "HostileNumber",
    "HostileStr",
    "ReprRaises",
    "expected_outcome",
    "junk_fields",
    "junk_values",
    "same",
]


class HostileNumber:
    """Raises from every numeric conversion."""

    def __int__(self) -> int:
        raise ZeroDivisionError("__int__")

    def __index__(self) -> int:
        raise ZeroDivisionError("__index__")

    def __float__(self) -> float:
        raise ZeroDivisionError("__float__")


class HostileIterable:
    """Raises when iterated."""

    def __iter__(self) -> Any:
        raise RuntimeError("__iter__")

    def __len__(self) -> int:
        raise RuntimeError("__len__")


class HostileEquality:
    """Raises when compared or hashed."""

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("__eq__")

    def __hash__(self) -> int:
        raise RuntimeError("__hash__")


class HostileStr(str):
    """A str subclass that raises when compared or hashed."""

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("__eq__")

    def __hash__(self) -> int:
        raise RuntimeError("__hash__")


class HostileGetattr:
    """Raises on any lookup of a public attribute (a from_attributes trap)."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # leave the printing hooks of test tools alone
            raise AttributeError(name)
        raise RuntimeError(f"__getattr__({name})")


class ReprRaises:
    """Raises from ``repr()``."""

    def __repr__(self) -> str:
        raise RuntimeError("__repr__")


hostile_objects = st.one_of(
    st.builds(HostileNumber),
    st.builds(HostileIterable),
    st.builds(HostileEquality),
    st.builds(HostileGetattr),
    st.builds(object),
    st.builds(HostileStr, st.text(max_size=5)),
)

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**200), max_value=2**200)
    | st.floats()
    | st.text()
    | st.binary(max_size=20)
    | st.decimals()
    | st.datetimes()
    | st.complex_numbers()
    | st.sampled_from([math.nan, math.inf, -math.inf, "", "0", "1e400", "ABC", "a", "b"])
    | hostile_objects
)
junk_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=8), inner, max_size=4)
        | st.frozensets(st.integers() | st.text(max_size=4), max_size=4)
    ),
    max_leaves=12,
)


def junk_fields(model: type[BaseModel]) -> st.SearchStrategy[dict[str, Any]]:
    """Keyword arguments: the model's field names and random names, with junk values."""
    names: st.SearchStrategy[str] = st.text(min_size=1, max_size=10)
    if model.model_fields:
        names = st.sampled_from(sorted(model.model_fields)) | names
    return st.dictionaries(names, junk_values, max_size=len(model.model_fields) + 2)


def expected_outcome(model: type[BaseModel], fields: dict[str, Any]) -> BaseModel | None:
    """What pydantic makes of the fields: the model instance, or None if it refuses."""
    try:
        if model.__init__ is not BaseModel.__init__:
            return model(**fields)
        return model.model_validate(fields)
    except Exception:
        return None


def same(a: object, b: object) -> bool:
    """Equality that treats NaN as equal to NaN and compares models field by field."""
    if a is b:
        return True
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, BaseModel) and isinstance(b, BaseModel):
        return type(a) is type(b) and same(a.__dict__, b.__dict__)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        # Same kind, not same class: payload lists arrive as read-only list subclasses.
        kind_a = list if isinstance(a, list) else tuple
        return isinstance(b, kind_a) and len(a) == len(b) and all(map(same, a, b))
    try:
        return bool(a == b)
    except Exception:
        return False
