"""Golden files of the catalog and command-line tests.

They live in ``tests/catalog/golden``. To regenerate them after an intended change of
output, run ``TYPEDSIGNALS_REGENERATE=1 .venv/bin/python -m pytest tests/catalog`` and
review the diff. (A helper module, not a conftest.py: a second conftest module collected
before ``tests/conftest.py`` clashes with it under ``--doctest-modules``.)
"""

from __future__ import annotations

import os
from pathlib import Path

HERE = Path(__file__).parent
GOLDEN = HERE / "golden"


def check_golden(name: str, text: str) -> None:
    """Assert that ``text`` equals golden file ``name`` (rewrite it when regenerating)."""
    path = GOLDEN / name
    if os.environ.get("TYPEDSIGNALS_REGENERATE") == "1":
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path}: run with TYPEDSIGNALS_REGENERATE=1"
    assert text == path.read_text(encoding="utf-8"), f"output differs from {path}"
