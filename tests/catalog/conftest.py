"""Fixtures of the catalog and command-line tests: golden files and sample modules.

Golden files live in ``tests/catalog/golden``. To regenerate them after an intended
change of output, run ``TYPEDSIGNALS_REGENERATE=1 .venv/bin/python -m pytest
tests/catalog`` and review the diff.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

HERE = Path(__file__).parent
GOLDEN = HERE / "golden"

# The sample modules are imported by name, as the command line imports user modules.
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))


@pytest.fixture
def golden() -> Callable[[str, str], None]:
    """Compare text with a golden file (or rewrite it when TYPEDSIGNALS_REGENERATE=1)."""

    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        if os.environ.get("TYPEDSIGNALS_REGENERATE") == "1":
            path.write_text(text, encoding="utf-8")
        assert path.exists(), f"no golden file {path}: run with TYPEDSIGNALS_REGENERATE=1"
        assert text == path.read_text(encoding="utf-8"), f"output differs from {path}"

    return check
