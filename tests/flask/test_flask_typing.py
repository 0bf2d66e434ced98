"""mypy and pyright see typedsignals.flask as typing_flask.py expects."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CASES = Path(__file__).with_name("typing_flask.py")
ROOT = CASES.parents[2]


def expected_lines() -> set[int]:
    """The lines of the cases file marked ``# error``."""
    lines = CASES.read_text(encoding="utf-8").splitlines()
    return {number for number, line in enumerate(lines, 1) if line.rstrip().endswith("# error")}


def checker(name: str) -> str:
    """The path of a checker installed next to this Python (the dev extra has both)."""
    found = shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[dev]'")
    return found


def run(command: list[str]) -> str:
    """Run a checker from the repository root and return its output."""
    result = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    return result.stdout + result.stderr


def test_mypy_reports_exactly_the_marked_lines() -> None:
    """mypy --strict flags every line marked # error, and nothing else."""
    output = run([checker("mypy"), "--strict", "--no-incremental", str(CASES)])
    found = {int(m) for m in re.findall(r"typing_flask\.py:(\d+): error:", output)}
    assert found == expected_lines(), output


def test_pyright_reports_exactly_the_marked_lines() -> None:
    """pyright flags every line marked # error, and nothing else."""
    output = run([checker("pyright"), "--pythonpath", sys.executable, str(CASES)])
    found = {int(m) for m in re.findall(r"typing_flask\.py:(\d+):\d+ - error:", output)}
    assert found == expected_lines(), output
