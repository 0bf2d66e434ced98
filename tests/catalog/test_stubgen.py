"""typedsignals stubgen and stubs/: raw Flask signals typed for mypy and pyright."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from typedsignals.catalog import STUB_HEADER, raw_stubs
from typedsignals.cli import EXIT_OK, main

ROOT = Path(__file__).parents[2]
STUBS = ROOT / "stubs"
BIN = Path(sys.executable).parent

USER_CODE = """\
from typing import Any

from flask import Flask
from flask.signals import request_finished, template_rendered
from jinja2 import Template
from werkzeug.wrappers import Response


def good(sender: Flask, template: Template, context: dict[str, Any], **extra: Any) -> None: ...


def wrong_type(sender: Flask, template: str, context: dict[str, Any], **extra: Any) -> None: ...


def missing(sender: Flask, template: Template) -> None: ...


def on_finish(sender: Flask, response: Response, **extra: Any) -> None: ...


def anything(sender: Any, **extra: Any) -> None: ...


template_rendered.connect(good)
template_rendered.connect(wrong_type)
template_rendered.connect(missing)
request_finished.connect(on_finish)
request_finished.connect(anything)
request_finished.send(Flask("x"), response=Response())
request_finished.send(Flask("x"), respons=Response())
"""
"""A user module with kwargs-style receivers: lines 25, 26 and 30 are wrong."""

EXPECTED_ERROR_LINES = {25, 26, 30}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A folder standing for site-packages, with the stub package installed in it."""
    target = tmp_path / "site"
    shutil.copytree(STUBS / "flask-stubs", target / "flask-stubs")
    return target


def _run(*args: str, site: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(args),
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        env={"PYTHONPATH": str(site), "PATH": str(BIN), "HOME": str(cwd)},
    )


def test_checked_in_stubs_match_a_regeneration(tmp_path: Path) -> None:
    """stubs/ is what `typedsignals stubgen typedsignals.flask -o stubs` writes now."""
    assert main(["stubgen", "typedsignals.flask", "-o", str(tmp_path)]) == EXIT_OK
    generated = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert generated == [Path("flask-stubs/py.typed"), Path("flask-stubs/signals.pyi")]
    for path in generated:
        assert (tmp_path / path).read_text() == (STUBS / path).read_text(), (
            f"stubs/{path} is stale: run typedsignals stubgen typedsignals.flask -o stubs"
        )


def test_stub_package_is_partial() -> None:
    """py.typed says partial: the rest of Flask keeps its own inline types."""
    assert (STUBS / "flask-stubs" / "py.typed").read_text() == "partial\n"


def test_stub_has_the_generated_by_header() -> None:
    """The stub's first line says it is generated, by what, from which modules."""
    source = raw_stubs(["typedsignals.flask"])["flask.signals"]
    assert source.splitlines()[0] == STUB_HEADER.format(sources="typedsignals.flask")


@pytest.mark.parametrize("checker", ["mypy", "pyright"])
def test_kwargs_receivers_are_checked_without_a_plugin(
    checker: str, site: Path, tmp_path: Path
) -> None:
    """mypy and pyright flag a wrong field type, a missing field and a misspelt send."""
    (tmp_path / "app.py").write_text(USER_CODE)
    if checker == "mypy":
        result = _run(
            sys.executable, "-m", "mypy", "--strict", "--no-incremental", "app.py",
            site=site, cwd=tmp_path,
        )  # fmt: skip
        lines = {int(row.split(":")[1]) for row in result.stdout.splitlines() if ": error:" in row}
    else:
        result = _run(
            str(BIN / "pyright"), "--pythonpath", sys.executable, "app.py",
            site=site, cwd=tmp_path,
        )  # fmt: skip
        lines = {
            int(row.split(":")[1]) for row in result.stdout.splitlines() if " - error: " in row
        }
    assert lines == EXPECTED_ERROR_LINES, result.stdout


def test_stubs_pass_stubtest(site: Path, tmp_path: Path) -> None:
    """stubtest finds the stub consistent with the runtime flask.signals."""
    result = _run(str(BIN / "stubtest"), "flask.signals", site=site, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("checker", ["mypy", "pyright"])
def test_stub_itself_type_checks(checker: str, site: Path, tmp_path: Path) -> None:
    """The stub file passes mypy --strict and pyright."""
    # Checked as a stub of its own name: "flask-stubs" is no importable package name.
    stub = str(tmp_path / "flask_signals_stub.pyi")
    shutil.copy(site / "flask-stubs" / "signals.pyi", stub)
    if checker == "mypy":
        command = [sys.executable, "-m", "mypy", "--strict", "--no-incremental", stub]
    else:
        command = [str(BIN / "pyright"), "--pythonpath", sys.executable, stub]
    result = _run(*command, site=site, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
