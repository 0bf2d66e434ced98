"""The plugin's settings, its cache hygiene and what importing it costs."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import golden
import pytest

SOURCE = textwrap.dedent(
    """
    from typing import Any
    from typedsignals import Payload, Signal

    class Ping(Payload):
        n: int

    ping = Signal("ping", Ping)
    fields: dict[str, Any] = {"n": 1}
    ping.send(None, **fields)
    """
)
UNCHECKED = "[typedsignals-unchecked-payload]"


def check(directory: Path, setting: str | None, cache: Path | None = None) -> tuple[int, str]:
    """Run mypy with the plugin over SOURCE, given ``untyped_payload = setting``."""
    (directory / "ping.py").write_text(SOURCE)
    config = '[tool.mypy]\nstrict = true\nplugins = ["typedsignals.mypy"]\n'
    if setting is not None:
        config += f'\n[tool.typedsignals.mypy]\nuntyped_payload = "{setting}"\n'
    (directory / "pyproject.toml").write_text(config)
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", "pyproject.toml",
         "--cache-dir", str(cache or directory / ".cache"), "ping.py"],
        cwd=directory, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    return result.returncode, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("setting", "status", "expected"),
    [
        (None, 1, 'ping.py:10: error: Signal "ping": the fields unpacked from "dict[str, Any]"'),
        ("error", 1, "ping.py:10: error: Signal"),
        ("note", 0, "ping.py:10: note: Signal"),
    ],
)
def test_untyped_payload_setting(
    tmp_path: Path, setting: str | None, status: int, expected: str
) -> None:
    """``untyped_payload`` makes the unchecked unpack an error (the default) or a note."""
    returncode, output = check(tmp_path, setting)
    assert returncode == status, output
    assert expected in output, output
    assert (UNCHECKED in output) == (status == 1), output  # mypy shows no code on notes


def test_untyped_payload_off(tmp_path: Path) -> None:
    """``untyped_payload = "off"`` silences the diagnostic."""
    returncode, output = check(tmp_path, "off")
    assert returncode == 0, output
    assert UNCHECKED not in output


def test_bad_setting_is_one_clear_error(tmp_path: Path) -> None:
    """A setting the plugin does not know stops mypy with one line naming it, no traceback."""
    returncode, output = check(tmp_path, "loud")
    assert returncode == 2
    assert "typedsignals.mypy: pyproject.toml: typedsignals.mypy setting untyped_payload" in output
    assert "'loud'" in output
    assert "INTERNAL ERROR" not in output
    assert "Traceback" not in output


def test_ini_section_is_read(tmp_path: Path) -> None:
    """In mypy.ini or setup.cfg the settings live in a ``[typedsignals.mypy]`` section."""
    (tmp_path / "ping.py").write_text(SOURCE)
    (tmp_path / "mypy.ini").write_text(
        "[mypy]\nplugins = typedsignals.mypy\n\n[typedsignals.mypy]\nuntyped_payload = off\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", "mypy.ini", "ping.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout
    assert UNCHECKED not in result.stdout


def test_changed_setting_invalidates_the_cache(tmp_path: Path) -> None:
    """A warm cache made under one setting is not reused under another."""
    cache = tmp_path / "shared-cache"
    assert check(tmp_path, "error", cache)[0] == 1
    returncode, output = check(tmp_path, "off", cache)
    assert returncode == 0, output
    assert UNCHECKED not in output
    returncode, output = check(tmp_path, "error", cache)
    assert returncode == 1, output
    assert UNCHECKED in output


def test_importing_the_plugin_is_light() -> None:
    """The plugin imports neither pydantic nor Flask: mypy loads it in every run."""
    code = (
        "import sys, typedsignals.mypy as p; "
        "assert callable(p.plugin); "
        "print(sorted(m for m in ('pydantic', 'flask') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=golden.ROOT
    )
    assert result.stdout.strip() == "[]"


def test_plugin_entry_returns_the_plugin_class() -> None:
    """``plugin(version)`` is the entry point mypy calls, and returns a Plugin subclass."""
    from mypy.plugin import Plugin

    from typedsignals.mypy import TypedSignalsPlugin, plugin

    assert plugin("2.0.0") is TypedSignalsPlugin
    assert issubclass(TypedSignalsPlugin, Plugin)
