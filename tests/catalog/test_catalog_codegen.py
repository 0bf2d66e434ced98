"""typedsignals codegen: modules generated from exports, round trips, checkers, bad input."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from golden_files import HERE, check_golden

from typedsignals.catalog import (
    CatalogError,
    export_asyncapi,
    export_jsonschema,
    generate_module,
    parse_document,
    read_modules,
)
from typedsignals.cli import EXIT_OK, EXIT_USAGE, dump_json, main

FLASK_CATALOGS = [
    "typedsignals.flask",
    "typedsignals.flask.login",
    "typedsignals.flask.principal",
    "typedsignals.flask.mail",
    "typedsignals.flask.sqlalchemy",
]
SOURCES = {"sample": ["catalog_sample"], "flask": FLASK_CATALOGS}
"""The module sets whose exports are generated back into Python."""
BIN = Path(sys.executable).parent


def _export(source: str, kind: str) -> dict[str, Any]:
    catalog = read_modules(SOURCES[source])
    return export_asyncapi(catalog) if kind == "asyncapi" else export_jsonschema(catalog)


def _generate(source: str, kind: str) -> str:
    return generate_module(parse_document(_export(source, kind), f"{source}.{kind}.json"))


@pytest.fixture
def import_generated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Write generated source as a module in a temporary folder and import it."""
    monkeypatch.syspath_prepend(str(tmp_path))
    names: list[str] = []

    def load(name: str, source: str) -> Any:
        (tmp_path / f"{name}.py").write_text(source, encoding="utf-8")
        names.append(name)
        return importlib.import_module(name)

    yield load
    for name in names:
        sys.modules.pop(name, None)


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_generated_module_matches_golden_file(source: str) -> None:
    """The module generated from the sample and Flask exports is pinned."""
    check_golden(f"{source}.codegen.py.txt", _generate(source, "jsonschema"))


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_both_formats_generate_the_same_module(source: str) -> None:
    """A JSON Schema and an AsyncAPI export of the same signals give the same code."""
    generated = _generate(source, "asyncapi").replace("asyncapi.json", "jsonschema.json")
    assert generated == _generate(source, "jsonschema")


@pytest.mark.parametrize("kind", ["jsonschema", "asyncapi"])
@pytest.mark.parametrize("source", sorted(SOURCES))
def test_export_codegen_import_export_round_trips(
    source: str, kind: str, import_generated: Any
) -> None:
    """Exporting the generated module gives the document it was generated from."""
    document = _export(source, kind)
    module = import_generated(
        f"generated_{source}_{kind}", generate_module(parse_document(document, "doc.json"))
    )
    again = _export_module(module, kind)
    assert dump_json(again) == dump_json(document)


def _export_module(module: Any, kind: str) -> dict[str, Any]:
    catalog = read_modules([module])
    return export_asyncapi(catalog) if kind == "asyncapi" else export_jsonschema(catalog)


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_generated_module_is_ruff_clean_and_formatted(source: str, tmp_path: Path) -> None:
    """The output passes ruff check and ruff format --check with ruff's defaults."""
    target = tmp_path / "generated.py"
    target.write_text(_generate(source, "jsonschema"), encoding="utf-8")
    for args in (["check", "--isolated"], ["format", "--isolated", "--check"]):
        # Run from the folder of the module: there typedsignals is a third-party package,
        # as in the projects the code is generated for.
        result = subprocess.run(
            [str(BIN / "ruff"), *args, str(target)],
            capture_output=True,
            text=True,
            check=False,
            cwd=tmp_path,
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_generated_modules_pass_mypy_strict(tmp_path: Path) -> None:
    """The generated modules type-check under mypy --strict."""
    paths = []
    for source in sorted(SOURCES):
        path = tmp_path / f"generated_{source}.py"
        path.write_text(_generate(source, "jsonschema"), encoding="utf-8")
        paths.append(str(path))
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", *paths],
        capture_output=True,
        text=True,
        check=False,
        env={"MYPYPATH": str(HERE), "PATH": str(BIN)},
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_codegen_command_writes_the_module(tmp_path: Path) -> None:
    """typedsignals codegen DOCUMENT -o FILE writes the generated module."""
    document = tmp_path / "sample.jsonschema.json"
    document.write_text(dump_json(_export("sample", "jsonschema")), encoding="utf-8")
    target = tmp_path / "out.py"
    assert main(["codegen", str(document), "-o", str(target)]) == EXIT_OK
    assert target.read_text(encoding="utf-8") == _generate("sample", "jsonschema")


SCHEMA_ONLY = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$defs": {}}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{oops", "doc.json: not valid JSON"),
        ("[1, 2]", "doc.json: an exported document is a JSON object"),
        (json.dumps(SCHEMA_ONLY), "doc.json: no 'x-typedsignals' object: not a typedsignals"),
        (
            json.dumps({**SCHEMA_ONLY, "x-typedsignals": {"format": 7, "signals": []}}),
            "doc.json: x-typedsignals format 7 is not supported",
        ),
        (
            json.dumps(
                {
                    **SCHEMA_ONLY,
                    "x-typedsignals": {
                        "format": 1,
                        "signals": [{"name": "a", "payload": "#/$defs/A", "sender": {}}],
                    },
                }
            ),
            "doc.json: signal 'a': payload '#/$defs/A' is not an entry of the document",
        ),
        (
            json.dumps({"asyncapi": "3.0.0"}),
            "doc.json: no components.schemas object: not a typedsignals asyncapi export",
        ),
        (None, "doc.json: cannot read the file"),
    ],
)
def test_bad_document_exits_2_naming_the_file(
    content: str | None, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A document that is missing, not JSON or not an export is one error line."""
    document = tmp_path / "doc.json"
    if content is not None:
        document.write_text(content, encoding="utf-8")
    assert main(["codegen", str(document)]) == EXIT_USAGE
    captured = capsys.readouterr()
    assert message in captured.err
    assert (captured.out, captured.err.count("\n")) == ("", 1)


def test_malformed_schema_is_named() -> None:
    """A schema entry codegen cannot read is named in the error, not a traceback."""
    document = _export("sample", "jsonschema")
    document["$defs"]["Address"]["properties"] = {"street": "not a schema"}
    with pytest.raises(CatalogError, match=r"doc\.json: schema 'Address' is not valid"):
        generate_module(parse_document(document, "doc.json"))


def test_sender_defined_in_a_function_is_an_error() -> None:
    """A sender class that cannot be imported by its path is named with its signal."""
    document = _export("sample", "jsonschema")
    document["x-typedsignals"]["signals"][0]["sender"]["path"] = "app.make.<locals>.Sender"
    with pytest.raises(CatalogError, match=r"signal 'order-placed': the sender type"):
        generate_module(parse_document(document, "doc.json"))


def test_unknown_schema_is_kept_as_is(import_generated: Any) -> None:
    """A field schema codegen does not model is kept verbatim, so it still round-trips."""
    document = _export("sample", "jsonschema")
    email = {"format": "email", "title": "Street", "type": "string"}
    document["$defs"]["Address"]["properties"]["street"] = email
    module = import_generated("generated_kept", generate_module(parse_document(document, "d")))
    assert module.Address.model_json_schema()["properties"]["street"] == email
    assert dump_json(_export_module(module, "jsonschema")) == dump_json(document)
