"""The catalog's JSON Schema fast paths give what pydantic's own code gives."""

from __future__ import annotations

import datetime
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum, IntEnum
from typing import Any

import pytest
from pydantic import ConfigDict
from pydantic.json_schema import GenerateJsonSchema

from typedsignals.catalog._read import gc_paused
from typedsignals.catalog._schema import CatalogJsonSchema


class Colour(str, Enum):
    RED = "red"


class Size(IntEnum):
    BIG = 2


class Ratio(Enum):
    HALF = 0.5


class Shape(Enum):
    POINT = (0, 0)


DEFAULTS: list[Any] = [
    None,
    True,
    0,
    -7,
    1.5,
    float("inf"),
    float("nan"),
    "text",
    "",
    Colour.RED,
    Size.BIG,
    Ratio.HALF,
    Shape.POINT,
    [],
    {"a": 1},
    (1, 2),
    datetime.date(2026, 1, 2),
    b"bytes",
]


@contextmanager
def _generators(config: ConfigDict) -> Iterator[tuple[GenerateJsonSchema, CatalogJsonSchema]]:
    """Pydantic's generator and ours, as inside a model of the given config."""
    theirs, ours = GenerateJsonSchema(), CatalogJsonSchema()
    # The stack a generator pushes each model's config on (pydantic's own mechanism).
    with theirs._config_wrapper_stack.push(config), ours._config_wrapper_stack.push(config):
        yield theirs, ours


@pytest.mark.parametrize("default", DEFAULTS, ids=repr)
@pytest.mark.parametrize("config", [ConfigDict(), ConfigDict(ser_json_inf_nan="strings")])
def test_encode_default_matches_pydantic(default: Any, config: ConfigDict) -> None:
    """Every default encodes as pydantic encodes it, fast path or not."""
    with _generators(config) as (theirs, ours):
        expected, got = theirs.encode_default(default), ours.encode_default(default)
    assert repr(got) == repr(expected)  # repr: nan is not equal to itself


@pytest.mark.parametrize(
    "config",
    [ConfigDict(), ConfigDict(json_schema_mode_override="serialization")],
)
@pytest.mark.parametrize("mode", ["validation", "serialization"])
def test_mode_matches_pydantic(config: ConfigDict, mode: str) -> None:
    """The schema mode is pydantic's: the model's override first, else the mode asked."""
    with _generators(config) as (theirs, ours):
        theirs._mode = ours._mode = mode  # type: ignore[assignment]  # a plain str here
        assert ours.mode == theirs.mode


def test_gc_paused_pauses_then_resumes_the_collector() -> None:
    """The collector is off inside the block and on again after it."""
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_gc_paused_leaves_a_disabled_collector_disabled() -> None:
    """A collector someone else turned off stays off after the block."""
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
