"""``typedsignals docs``: the reference as Markdown or reStructuredText, to a file or stdout.

The command is added to a parser of the test's own here (:func:`add_docs_command`),
as ``typedsignals.cli`` adds it to the real command line.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import docs_sample  # noqa: F401  # imported here, so receivers connect outside any test
import pytest
from docs_golden import check_golden, listeners_path, python_path

from typedsignals.catalog import CatalogError
from typedsignals.catalog._docs_command import DEFAULT_TITLE, add_docs_command


def run(*argv: str) -> int:
    """Parse ``docs ARGV...`` with a parser holding only the docs command, and run it."""
    parser = argparse.ArgumentParser(prog="typedsignals")
    add_docs_command(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["docs", *argv])
    status: int = args.run(args)
    return status


@pytest.mark.parametrize("fmt", ["md", "rst"])
def test_docs_writes_the_reference(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    """``docs MODULE --format md|rst`` prints the reference under a title, as the golden."""
    assert run("docs_sample", "--format", fmt) == 0
    check_golden(f"command.{fmt}", capsys.readouterr().out)


def test_docs_writes_to_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``-o FILE`` writes the same text to the file and nothing to stdout."""
    target = tmp_path / "signals.md"
    assert run("docs_sample", "-o", str(target)) == 0
    assert capsys.readouterr().out == ""
    assert target.read_text(encoding="utf-8") == (
        Path(__file__).parent / "golden/command.md"
    ).read_text(encoding="utf-8")


def test_markdown_is_the_default_format(capsys: pytest.CaptureFixture[str]) -> None:
    """Without --format, the reference is Markdown under the default title."""
    run("docs_sample")
    assert capsys.readouterr().out.startswith(f"# {DEFAULT_TITLE}\n\n## `invoice-paid`\n")


def test_empty_title_puts_signals_at_the_top(capsys: pytest.CaptureFixture[str]) -> None:
    """``--title ''`` leaves the title out; each signal is then a top-level heading."""
    run("docs_sample", "--title", "")
    assert capsys.readouterr().out.startswith("# `invoice-paid`\n")


def test_anchors_option_adds_heading_ids(capsys: pytest.CaptureFixture[str]) -> None:
    """``--anchors`` gives each signal heading its id, in attr_list syntax."""
    run("docs_sample", "--anchors")
    assert "## `invoice-paid` { #signal-docs-sample-invoice-paid }\n" in capsys.readouterr().out


def test_receivers_of_extra_modules_are_listed(tmp_path: Path) -> None:
    """A module given only for its receivers adds them to the map, and no signal.

    Run in a fresh interpreter (see ``docs_golden.LISTENERS``).
    """
    code = (
        "import sys; from test_docs_command import run; "
        "sys.exit(run('docs_sample', 'docs_listeners', '--title', ''))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": python_path(listeners_path(tmp_path))},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "| `log_voided` | `docs_listeners` | 0 | any |" in result.stdout
    assert result.stdout.count("\n# ") == 2  # invoice-voided, ledger-closed after invoice-paid


def test_unimportable_module_is_an_error() -> None:
    """A module that cannot be imported is a CatalogError naming it (the cli exits 2)."""
    with pytest.raises(CatalogError, match=r"cannot import module 'no_such_signals'"):
        run("no_such_signals")


def test_unwritable_output_is_an_error(tmp_path: Path) -> None:
    """A file that cannot be written is a CatalogError naming it."""
    target = tmp_path / "missing" / "signals.md"
    with pytest.raises(CatalogError, match=rf"{target}: cannot write the file"):
        run("docs_sample", "-o", str(target))


def test_unknown_format_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """A format other than md or rst is refused by the parser."""
    with pytest.raises(SystemExit):
        run("docs_sample", "--format", "html")
    assert "invalid choice: 'html'" in capsys.readouterr().err
