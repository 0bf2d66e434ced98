"""Type checking is part of the product: the package and the typing tests, both checkers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TYPING_TESTS = sorted(str(path) for path in (ROOT / "tests" / "typing").glob("check_*.py"))
BIN = Path(sys.executable).parent


def run(*command: str) -> subprocess.CompletedProcess[str]:
    """Run a checker from this interpreter's environment, in the repository root."""
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)


SWITCH = "_typedsignals_switch.py"
"""The no-code switch's top-level module, shipped in the wheel beside the package."""


def test_typing_tests_exist() -> None:
    """The typing-test files are found, so the checks below check something."""
    assert TYPING_TESTS, "no tests/typing/check_*.py files"


def test_package_passes_mypy_strict() -> None:
    """mypy --strict reports no error over the package."""
    result = run(sys.executable, "-m", "mypy", "--strict", "typedsignals", SWITCH)
    assert result.returncode == 0, result.stdout + result.stderr


def test_package_passes_pyright() -> None:
    """pyright (standard mode) reports no error over the package."""
    result = run(str(BIN / "pyright"), "--pythonpath", sys.executable, "typedsignals", SWITCH)
    assert result.returncode == 0, result.stdout + result.stderr


def test_typing_tests_pass_mypy() -> None:
    """mypy reports exactly the pinned errors in the typing tests, and no others."""
    result = run(sys.executable, "-m", "mypy", "--strict", "--warn-unused-ignores", *TYPING_TESTS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_typing_tests_pass_pyright() -> None:
    """pyright reports exactly the pinned errors in the typing tests, and no others."""
    config = str(ROOT / "tests" / "typing" / "pyrightconfig.json")
    result = run(str(BIN / "pyright"), "--pythonpath", sys.executable, "-p", config, *TYPING_TESTS)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("checker", "marker"),
    [("mypy", "# type: ignore["), ("pyright", "# pyright: ignore[")],
)
def test_pinned_errors_are_counted(checker: str, marker: str) -> None:
    """Each typing test pins errors for both checkers, the same number for each."""
    for path in TYPING_TESTS:
        text = Path(path).read_text()
        assert text.count(marker) > 0, f"{path} pins no {checker} error"
        assert text.count("# type: ignore[") == text.count("# pyright: ignore["), path


def test_ruff_is_clean() -> None:
    """ruff check and ruff format --check pass over the whole repository."""
    check = run(str(BIN / "ruff"), "check", ".")
    assert check.returncode == 0, check.stdout + check.stderr
    fmt = run(str(BIN / "ruff"), "format", "--check", ".")
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr
