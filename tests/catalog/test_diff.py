"""typedsignals diff: every kind of change, whom it breaks, the output and the exit codes."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Annotated, Any, Literal

import pytest
from golden_files import check_golden
from pydantic import Field, create_model

from typedsignals import Payload, Signal
from typedsignals.catalog import (
    Catalog,
    diff_documents,
    export_asyncapi,
    export_jsonschema,
    read_modules,
    read_signal,
)
from typedsignals.cli import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, dump_json, main

FLASK_CATALOGS = [
    "typedsignals.flask",
    "typedsignals.flask.login",
    "typedsignals.flask.principal",
    "typedsignals.flask.mail",
    "typedsignals.flask.sqlalchemy",
]
"""Our Flask catalogs, as CI checks them."""
FLASK_EXPORT = Path(__file__).parents[2] / "docs" / "catalogs" / "flask.schema.json"
"""Their committed export."""
SENDERS = ("senders",)
RECEIVERS = ("receivers",)
BOTH = ("senders", "receivers")
NOBODY = ()


class Shop:
    """A sender type."""


class Till:
    """Another sender type."""


class Address(Payload):
    street: str


class AddressWithZip(Payload):
    street: str
    zip: str


def _model(name: str, fields: dict[str, Any]) -> type[Payload]:
    return create_model(name, __base__=Payload, **fields)


def _document(*signals: Signal[Any, ..., Any]) -> dict[str, Any]:
    """The JSON Schema export of some signals, as `typedsignals export` writes it."""
    specs = tuple(spec for signal in signals for spec in read_signal(signal).signals)
    return export_jsonschema(Catalog(signals=specs))


def _one(fields: dict[str, Any], name: str = "Placed", **options: Any) -> dict[str, Any]:
    """A document of one signal 'placed' whose payload has ``fields``."""
    return _document(Signal("placed", _model(name, fields), **options))


def _changes(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, tuple[str, ...]]]:
    return [(c.kind, c.breaks) for c in diff_documents(old, new).changes]


BASE = {"order_id": (int, ...), "note": (str, "")}
"""The payload fields each case starts from: a required int and an optional str."""


@pytest.mark.parametrize(
    ("new_fields", "expected"),
    [
        pytest.param(
            {**BASE, "currency": (str, ...)},
            [("field-added", SENDERS)],
            id="new required field breaks senders",
        ),
        pytest.param(
            {**BASE, "currency": (str | None, None)},
            [("field-added", NOBODY)],
            id="new optional field is compatible",
        ),
        pytest.param(
            {"order_id": (int, ...)},
            [("field-removed", BOTH)],
            id="removed field breaks receivers, and senders since payloads refuse unknown",
        ),
        pytest.param(
            {"number": (int, ...), "note": (str, "")},
            [("field-renamed", BOTH)],
            id="renamed field breaks both",
        ),
        pytest.param(
            {"order_id": (float, ...), "note": (str, "")},
            [("type-widened", RECEIVERS)],
            id="int to float widens: breaks receivers",
        ),
        pytest.param(
            {"order_id": (int | None, ...), "note": (str, "")},
            [("type-widened", RECEIVERS)],
            id="int to optional int widens: breaks receivers",
        ),
        pytest.param(
            {"order_id": (Annotated[int, Field(ge=1)], ...), "note": (str, "")},
            [("type-narrowed", SENDERS)],
            id="a new bound narrows: breaks senders",
        ),
        pytest.param(
            {"order_id": (str, ...), "note": (str, "")},
            [("type-changed", BOTH)],
            id="int to str breaks both",
        ),
        pytest.param(
            {**BASE, "note": (str, ...)},
            [("field-required", SENDERS)],
            id="optional made required breaks senders",
        ),
        pytest.param(
            {"order_id": (int, 0), "note": (str, "")},
            [("field-optional", NOBODY)],
            id="required made optional with a default is compatible",
        ),
        pytest.param(
            {**BASE, "note": (str, "none")},
            [("default-changed", NOBODY)],
            id="default changed is compatible",
        ),
        pytest.param(
            {**BASE, "note": (str, Field("", description="Left by the customer."))},
            [("description-changed", NOBODY)],
            id="description changed is compatible",
        ),
    ],
)
def test_field_change_is_classified(
    new_fields: dict[str, Any], expected: list[tuple[str, tuple[str, ...]]]
) -> None:
    """Each kind of field change is reported once, breaking the side it breaks."""
    assert _changes(_one(BASE), _one(new_fields)) == expected


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            Annotated[str, Field(max_length=10)],
            Annotated[str, Field(max_length=5)],
            [("type-narrowed", SENDERS)],
            id="tighter bound narrows",
        ),
        pytest.param(
            Annotated[str, Field(max_length=5)],
            str,
            [("type-widened", RECEIVERS)],
            id="bound dropped widens",
        ),
        pytest.param(
            Literal["a", "b"],
            Literal["a", "b", "c"],
            [("type-widened", RECEIVERS)],
            id="enum member added widens",
        ),
        pytest.param(
            Literal["a", "b"], Literal["a"], [("type-narrowed", SENDERS)], id="member removed"
        ),
        pytest.param(list[int], list[float], [("type-widened", RECEIVERS)], id="list items"),
        pytest.param(
            Address | None, Address, [("type-narrowed", SENDERS)], id="optional model required"
        ),
    ],
)
def test_type_change_direction(old: Any, new: Any, expected: list[Any]) -> None:
    """Narrowed, widened and changed types are told apart through bounds, enums, items
    and unions."""
    assert _changes(_one({"value": (old, ...)}), _one({"value": (new, ...)})) == expected


def test_nested_model_fields_are_compared_by_path() -> None:
    """A field added to a model nested in a payload is reported with its path."""
    old = _one({"ship_to": (Address, ...)})
    new = _one({"ship_to": (AddressWithZip, ...)})
    (change,) = diff_documents(old, new).changes
    assert (change.kind, change.field, change.breaks) == ("field-added", "ship_to.zip", SENDERS)


@pytest.mark.parametrize(
    ("old_sender", "new_sender", "expected"),
    [
        (None, Shop, [("sender-narrowed", SENDERS)]),
        (Shop, None, [("sender-widened", RECEIVERS)]),
        (Shop, Till, [("sender-changed", BOTH)]),
    ],
)
def test_sender_type_change(
    old_sender: type | None, new_sender: type | None, expected: list[Any]
) -> None:
    """A narrower sender type breaks senders, a wider one receivers, another one both."""
    old = _one(BASE, sender=old_sender)
    new = _one(BASE, sender=new_sender)
    assert _changes(old, new) == expected


def test_signal_removed_breaks_both() -> None:
    """A removed signal breaks its senders and its receivers."""
    old = _document(Signal("placed", _model("Placed", BASE)), Signal("gone", _model("Gone", {})))
    assert _changes(old, _one(BASE)) == [("signal-removed", BOTH)]


def test_signal_added_is_compatible() -> None:
    """A new signal breaks nobody."""
    new = _document(Signal("placed", _model("Placed", BASE)), Signal("new", _model("New", {})))
    assert _changes(_one(BASE), new) == [("signal-added", NOBODY)]


def test_same_payload_under_a_new_name_is_probably_renamed() -> None:
    """A signal removed and one added with the same payload and sender is a rename."""
    new = _document(Signal("order-placed", _model("Placed", BASE)))
    (change,) = diff_documents(_one(BASE), new).changes
    assert (change.kind, change.breaks) == ("signal-renamed", BOTH)
    assert change.message == (
        "signal removed; probably renamed to 'order-placed' (same payload and sender)"
    )


def test_doc_change_is_compatible() -> None:
    """A changed doc is reported and breaks nobody."""
    assert _changes(_one(BASE, doc="Old."), _one(BASE, doc="New.")) == [("doc-changed", NOBODY)]


def test_payload_model_renamed_breaks_code_importing_it() -> None:
    """A payload class renamed breaks code that imports it by name."""
    assert _changes(_one(BASE), _one(BASE, name="OrderPlaced")) == [("payload-renamed", BOTH)]


def test_no_change_between_equal_documents() -> None:
    """Two exports of the same signals have no changes."""
    assert _changes(_one(BASE), _one(BASE)) == []


# -- the sample catalog: output, formats, exit codes ---------------------------------------


def _sample() -> dict[str, Any]:
    return export_jsonschema(read_modules(["catalog_sample"]))


def _next_version() -> dict[str, Any]:
    """The sample export after a release that changed a bit of everything."""
    document = copy.deepcopy(_sample())
    signals = document["x-typedsignals"]["signals"]
    placed = document["$defs"]["OrderPlaced"]
    del placed["properties"]["note"]
    placed["properties"]["currency"] = {"title": "Currency", "type": "string"}
    placed["required"].append("currency")
    placed["properties"]["total"]["minimum"] = 1
    document["$defs"]["Address"]["properties"]["zip"] = {"title": "Zip", "type": "string"}
    document["$defs"]["Address"]["required"].append("zip")
    signals[0]["doc"] = "Sent after an order is stored and paid."
    signals[1]["name"] = "order-voided"
    signals[2]["doc"] = "Sent when the shop opens its doors."
    return document


@pytest.fixture
def versions(tmp_path: Path) -> tuple[str, str]:
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(dump_json(_sample()), encoding="utf-8")
    new.write_text(dump_json(_next_version()), encoding="utf-8")
    return str(old), str(new)


@pytest.mark.parametrize(("flag", "golden"), [([], "diff.sample.txt"), (["--json"], None)])
def test_diff_output_matches_golden_file(
    versions: tuple[str, str],
    flag: list[str],
    golden: str | None,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """The report, grouped per signal, and its JSON form are pinned; exit 1 on breaking."""
    monkeypatch.chdir(tmp_path)
    assert main(["diff", "old.json", "new.json", *flag]) == EXIT_FINDINGS
    out = capsys.readouterr().out
    if golden is None:
        check_golden("diff.sample.json", out)
        assert json.loads(out)["breaking"] is True
    else:
        check_golden(golden, out)


def test_compatible_changes_exit_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Only compatible changes: the report is printed and the exit status is 0."""
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps(_one(BASE, doc="Old.")))
    new.write_text(json.dumps(_one({**BASE, "extra": (int, 0)}, doc="New.")))
    assert main(["diff", str(old), str(new)]) == EXIT_OK
    assert capsys.readouterr().out == (
        "signal 'placed'\n"
        "  compatible: field 'extra' added, optional (integer)\n"
        "  compatible: doc changed\n"
        "2 changes, 0 breaking\n"
    )


def test_no_changes_exit_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Two equal documents: the report says so and the exit status is 0."""
    old = tmp_path / "old.json"
    old.write_text(json.dumps(_one(BASE)))
    assert main(["diff", str(old), str(old)]) == EXIT_OK
    assert capsys.readouterr().out == f"no changes between {old} and {old}\n"


@pytest.mark.parametrize("kind", ["catalog", "asyncapi"])
def test_any_input_kind_compares_with_any_other(kind: str, tmp_path: Path) -> None:
    """A catalog (list --json) or an AsyncAPI export compares like the JSON Schema one."""
    catalog = read_modules(["catalog_sample"])
    old = json.loads(catalog.to_json()) if kind == "catalog" else export_asyncapi(catalog)
    expected = diff_documents(_sample(), _next_version()).changes
    assert diff_documents(old, _next_version()).changes == expected
    assert diff_documents(old, _sample()).changes == ()


# -- the CI recipe on our own Flask catalogs ------------------------------------------------


def test_committed_flask_export_matches_the_code() -> None:
    """export --check passes on docs/catalogs/flask.schema.json: the committed export of
    the Flask catalogs is what the code exports (TYPEDSIGNALS_REGENERATE=1 rewrites it,
    as it does the golden files, when a Flask payload changes on purpose)."""
    if os.environ.get("TYPEDSIGNALS_REGENERATE") == "1":
        assert main(["export", *FLASK_CATALOGS, "-o", str(FLASK_EXPORT)]) == EXIT_OK
    assert main(["export", *FLASK_CATALOGS, "--check", str(FLASK_EXPORT)]) == EXIT_OK


def test_export_check_fails_when_the_code_changed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A committed export the code has moved away from fails the check, and diff tells
    whom the change breaks."""
    document = json.loads(FLASK_EXPORT.read_text(encoding="utf-8"))
    rendered = document["$defs"]["TemplateRendered"]
    rendered["required"] = [k for k in rendered["required"] if k != "context"]
    stale = tmp_path / "flask.schema.json"
    stale.write_text(dump_json(document), encoding="utf-8")
    assert main(["export", *FLASK_CATALOGS, "--check", str(stale)]) == EXIT_FINDINGS
    current = tmp_path / "current.json"
    assert main(["export", *FLASK_CATALOGS, "-o", str(current)]) == EXIT_OK
    capsys.readouterr()
    assert main(["diff", str(stale), str(current)]) == EXIT_FINDINGS
    assert capsys.readouterr().out.splitlines()[:2] == [
        "signal 'template-rendered'",
        "  breaks senders: field 'context': optional made required",
    ]


# -- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "old.json: cannot read the file"),
        ("{oops", "old.json: not valid JSON"),
        ("[1, 2]", "old.json: not a catalog or an exported document (not an object)"),
        ('{"hello": 1}', "old.json: not a catalog ('list --json') or an exported document"),
        ('{"format": 9, "signals": []}', "old.json: catalog format 9 is not supported"),
        (
            json.dumps({"$defs": {}, "x-typedsignals": {"format": 1, "signals": {}}}),
            "old.json: x-typedsignals.signals must be a list",
        ),
    ],
)
def test_bad_input_exits_2_naming_the_file(
    content: str | None,
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A file that is missing, not JSON, or neither a catalog nor an export is one line."""
    monkeypatch.chdir(tmp_path)
    if content is not None:
        Path("old.json").write_text(content, encoding="utf-8")
    Path("new.json").write_text(json.dumps(_one(BASE)), encoding="utf-8")
    assert main(["diff", "old.json", "new.json"]) == EXIT_USAGE
    captured = capsys.readouterr()
    assert captured.err.startswith(f"typedsignals diff: error: {message}")
    assert (captured.out, captured.err.count("\n")) == ("", 1)
