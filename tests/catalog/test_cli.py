"""The typedsignals command line: list and export, exit codes, one-line errors."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from golden_files import check_golden

from typedsignals.catalog import read_modules
from typedsignals.cli import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, main

HERE = Path(__file__).parent


def test_list_prints_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    """list prints one row per signal: name, Python path, sender, payload, receivers."""
    assert main(["list", "catalog_sample"]) == EXIT_OK
    check_golden("sample.list.txt", capsys.readouterr().out)


def test_list_json_prints_the_catalog(capsys: pytest.CaptureFixture[str]) -> None:
    """list --json prints the catalog's own JSON form."""
    assert main(["list", "catalog_sample", "--json"]) == EXIT_OK
    assert capsys.readouterr().out == read_modules(["catalog_sample"]).to_json() + "\n"


@pytest.mark.parametrize("kind", ["jsonschema", "asyncapi"])
def test_export_writes_the_document_to_a_file(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """export -o FILE writes the same document as the golden export, and nothing to stdout."""
    target = tmp_path / "signals.json"
    assert main(["export", "catalog_sample", "--format", kind, "-o", str(target)]) == EXIT_OK
    expected = (HERE / "golden" / f"sample.{kind}.json").read_text(encoding="utf-8")
    assert target.read_text(encoding="utf-8") == expected
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["list", "no_such_module"], "typedsignals list: error: cannot import module "),
        (["export", "catalog_sample", "-o", "/no/such/dir/x.json"], "/no/such/dir/x.json: "),
        (["export", "catalog_sample", "--format", "yaml"], "invalid choice: 'yaml'"),
        (["list"], "the following arguments are required: MODULE"),
        ([], "the following arguments are required: COMMAND"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
    ],
)
def test_bad_input_exits_2_with_one_message(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Usage and input errors exit with 2 and say what is wrong on stderr, no traceback."""
    assert _status(argv) == EXIT_USAGE
    captured = capsys.readouterr()
    assert message in captured.err
    assert "Traceback" not in captured.err
    assert captured.out == ""


@pytest.mark.parametrize("command", [["-m", "typedsignals"], ["-c", "CONSOLE"]])
def test_command_runs_as_module_and_console_script(command: list[str]) -> None:
    """python -m typedsignals and the typedsignals script run the same command line."""
    if command[0] == "-c":
        argv = [str(Path(sys.executable).parent / "typedsignals")]
    else:
        argv = [sys.executable, *command]
    env = {**os.environ, "PYTHONPATH": str(HERE)}
    result = subprocess.run(
        [*argv, "export", "catalog_sample"], capture_output=True, text=True, env=env, check=False
    )
    assert (result.returncode, result.stderr) == (EXIT_OK, "")
    assert json.loads(result.stdout)["x-typedsignals"]["signals"][0]["name"] == "order-placed"


def test_unimportable_module_in_a_subprocess_is_one_line() -> None:
    """A failing run prints exactly one line on stderr and exits 2."""
    result = subprocess.run(
        [sys.executable, "-m", "typedsignals", "list", "no_such_module"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == EXIT_USAGE
    assert result.stderr.splitlines() == [
        "typedsignals list: error: cannot import module 'no_such_module': "
        "ModuleNotFoundError: No module named 'no_such_module'"
    ]


def _status(argv: list[str]) -> int:
    """Run the command line; argparse's own exits become the status they carry."""
    try:
        return main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)


@pytest.mark.parametrize("kind", ["jsonschema", "asyncapi"])
def test_export_check_passes_on_a_current_export(kind: str) -> None:
    """export --check exits 0 when the committed file is what the code exports."""
    committed = HERE / "golden" / f"sample.{kind}.json"
    assert main(["export", "catalog_sample", "--format", kind, "--check", str(committed)]) == 0


def test_export_check_reports_changed_signals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """export --check exits 1 and names the signals and schemas that differ."""
    document = json.loads((HERE / "golden" / "sample.jsonschema.json").read_text())
    document["x-typedsignals"]["signals"][1]["doc"] = "Old text."
    del document["$defs"]["Address"]
    committed = tmp_path / "signals.json"
    committed.write_text(json.dumps(document))
    assert main(["export", "catalog_sample", "--check", str(committed)]) == EXIT_FINDINGS
    assert "(signal 'order-cancelled', schema 'Address')" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "cannot read the file"), ("{oops", "not valid JSON")],
)
def test_export_check_of_a_bad_file_exits_2(
    content: str | None, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A committed export that is missing or not JSON is an input error naming the file."""
    committed = tmp_path / "signals.json"
    if content is not None:
        committed.write_text(content)
    assert _status(["export", "catalog_sample", "--check", str(committed)]) == EXIT_USAGE
    assert f"{committed}: {message}" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["list", "typedsignals.flask"], ["list", "no_such_module"]])
def test_collector_is_paused_during_a_command_and_restored(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A command reads with the cyclic collector paused, and gives the caller's setting back."""
    import typedsignals.catalog as catalog

    seen: list[bool] = []
    real = catalog.read_modules

    def spy(modules: list[str]) -> catalog.Catalog:
        seen.append(gc.isenabled())
        return real(modules)

    monkeypatch.setattr(catalog, "read_modules", spy)
    assert gc.isenabled()
    main(argv)
    assert seen == [False]
    assert gc.isenabled()
    gc.disable()
    try:
        main(argv)
        assert not gc.isenabled()
    finally:
        gc.enable()
