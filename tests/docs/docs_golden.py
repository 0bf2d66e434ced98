"""Golden files of the docs tests, and helpers shared by them.

The goldens live in ``tests/docs/golden``. To regenerate them after an intended change
of output, run ``TYPEDSIGNALS_REGENERATE=1 .venv/bin/python -m pytest tests/docs`` and
review the diff. (A helper module, not a conftest.py: a second conftest module clashes
with ``tests/conftest.py`` under ``--doctest-modules``.)
"""

from __future__ import annotations

import os
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Final

HERE = Path(__file__).parent
GOLDEN = HERE / "golden"
ROOT = HERE.parents[1]


def check_golden(name: str, text: str) -> None:
    """Assert that ``text`` equals golden file ``name`` (rewrite it when regenerating)."""
    path = GOLDEN / name
    if os.environ.get("TYPEDSIGNALS_REGENERATE") == "1":
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path}: run with TYPEDSIGNALS_REGENERATE=1"
    assert text == path.read_text(encoding="utf-8"), f"output differs from {path}"


class _Tables(HTMLParser):
    """Collects the text of every table cell, per table, per row."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def html_tables(html: str) -> list[list[list[str]]]:
    """The text of each table of an HTML page: rows of cell texts, whitespace collapsed."""
    parser = _Tables()
    parser.feed(html)
    return parser.tables


LISTENERS: Final = '''"""A module that only connects a receiver to a sample signal (at import)."""

from docs_sample import invoice_voided


@invoice_voided.connect
def log_voided(sender: object, payload: object) -> None:
    """Log a voided invoice (listed in the sender-receiver map when imported)."""
'''
"""Source of ``docs_listeners``, written where a fresh process imports it: imported in the
test process (as ``--doctest-modules`` would do to a module of tests/docs), its receiver
would stay connected and show in every later reference of the sample."""


def listeners_path(folder: Path) -> Path:
    """``folder``, holding the ``docs_listeners`` module."""
    (folder / "docs_listeners.py").write_text(LISTENERS, encoding="utf-8")
    return folder


def python_path(*extra: Path) -> str:
    """PYTHONPATH for a fresh process: ``extra``, this checkout and the sample modules."""
    return os.pathsep.join(str(path) for path in (*extra, ROOT, HERE))


def sphinx_build(
    python: str, source: Path, out: Path, *options: str, path: tuple[Path, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m sphinx -b html`` (with ``options``, e.g. ``-W``) in a fresh process.

    The sample modules, this checkout's typedsignals and ``path`` are importable there.
    """
    return subprocess.run(
        [python, "-m", "sphinx", "-q", "-b", "html", *options, str(source), str(out)],
        env={**os.environ, "PYTHONPATH": python_path(*path)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
