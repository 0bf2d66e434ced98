"""The JSON Schema and AsyncAPI exports of a catalog: structure, hoisting, golden files."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from golden_files import check_golden
from pydantic import create_model

from typedsignals import Payload, Signal
from typedsignals.catalog import (
    ASYNCAPI_VERSION,
    CATALOG_FORMAT,
    SCHEMA_DIALECT,
    Catalog,
    export_asyncapi,
    export_jsonschema,
    read_modules,
    read_signal,
)
from typedsignals.cli import dump_json

FLASK_CATALOGS = [
    "typedsignals.flask",
    "typedsignals.flask.login",
    "typedsignals.flask.principal",
    "typedsignals.flask.mail",
    "typedsignals.flask.sqlalchemy",
]
EXPORTERS: dict[str, Callable[[Catalog], dict[str, Any]]] = {
    "jsonschema": export_jsonschema,
    "asyncapi": export_asyncapi,
}
ASYNCAPI_KEY = re.compile(r"^[\w\d.\-_]+$")
"""The pattern AsyncAPI 3.0 requires of channel, operation and component keys."""


def _refs(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "$ref":
                yield item
            else:
                yield from _refs(item)
    elif isinstance(value, list):
        for item in value:
            yield from _refs(item)


def _resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = document
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


class Point(Payload):
    x: int


class Moved(Payload):
    start: Point
    end: Point


OtherMoved = create_model("Moved", __base__=Payload, by=(Point, ...))
"""A second payload model called ``Moved``, as another module could declare."""


def _nested_pair() -> Catalog:
    """Two signals whose payloads share a nested model and clash on a class name."""
    return Catalog(
        signals=(
            *read_signal(Signal("moved", Moved)).signals,
            *read_signal(Signal("nudged", OtherMoved)).signals,
        )
    )


@pytest.mark.parametrize("kind", sorted(EXPORTERS))
@pytest.mark.parametrize("modules", [["catalog_sample"], FLASK_CATALOGS])
def test_export_matches_golden_file(kind: str, modules: list[str]) -> None:
    """The export of the sample module and of the Flask catalogs is pinned."""
    name = "sample" if modules == ["catalog_sample"] else "flask"
    check_golden(f"{name}.{kind}.json", dump_json(EXPORTERS[kind](read_modules(modules))))


@pytest.mark.parametrize("kind", sorted(EXPORTERS))
@pytest.mark.parametrize("modules", [["catalog_sample"], FLASK_CATALOGS])
def test_every_reference_resolves(kind: str, modules: list[str]) -> None:
    """Every $ref of an export points at an entry of the same document."""
    document = EXPORTERS[kind](read_modules(modules))
    refs = list(_refs(document))
    assert refs
    for ref in refs:
        assert isinstance(_resolve(document, ref), dict), ref


def test_jsonschema_export_has_dialect_and_format() -> None:
    """The JSON Schema export declares draft 2020-12 and the catalog format version."""
    document = export_jsonschema(read_modules(["catalog_sample"]))
    assert document["$schema"] == SCHEMA_DIALECT
    assert document["x-typedsignals"]["format"] == CATALOG_FORMAT


def test_nested_models_are_hoisted_once() -> None:
    """A model nested in several payloads is one $defs entry that each references."""
    document = export_jsonschema(_nested_pair())
    defs = document["$defs"]
    assert sorted(defs) == [
        "Moved",
        "Point",
        "test_catalog_export__Moved",
    ]
    assert defs["Moved"]["properties"]["start"] == {"$ref": "#/$defs/Point"}
    assert "$defs" not in defs["Moved"]


def test_clashing_model_names_get_distinct_entries() -> None:
    """Two payload models with one class name are two entries, each signal naming its own."""
    document = export_jsonschema(_nested_pair())
    payloads = [entry["payload"] for entry in document["x-typedsignals"]["signals"]]
    assert payloads[0] == "#/$defs/Moved"
    assert _resolve(document, payloads[1])["properties"] == {"by": {"$ref": "#/$defs/Point"}}


def test_asyncapi_has_a_channel_message_and_operation_per_signal() -> None:
    """Each signal is a channel addressed by its name, with its message and a send."""
    catalog = read_modules(FLASK_CATALOGS)
    document = export_asyncapi(catalog)
    assert (document["asyncapi"], document["info"]["version"]) == (ASYNCAPI_VERSION, "1.0.0")
    addresses = [channel["address"] for channel in document["channels"].values()]
    assert addresses == [spec.name for spec in catalog.signals]
    for key, channel in document["channels"].items():
        (message_ref,) = channel["messages"].values()
        message = _resolve(document, message_ref["$ref"])
        assert message["name"] == channel["address"]
        assert _resolve(document, message["payload"]["$ref"])["type"] == "object"
        assert document["operations"][key]["action"] == "send"


@pytest.mark.parametrize("section", ["channels", "operations"])
def test_asyncapi_keys_match_the_specification_pattern(section: str) -> None:
    """Channel, operation and component keys are made of the characters AsyncAPI allows."""
    signals = (Signal("user registered/v1"), Signal("user registered/v1"))
    catalog = Catalog(signals=tuple(read_signal(s).signals[0] for s in signals))
    document = export_asyncapi(catalog)
    keys = [*document[section], *document["components"]["messages"]]
    assert keys[:2] == ["user_registered_v1", "user_registered_v1_2"]
    assert all(ASYNCAPI_KEY.match(key) for key in keys)
