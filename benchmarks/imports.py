"""Import time, each sample in a fresh interpreter.

A child interpreter (``python -E -c ...``, run from the repository root) reads the clock,
runs the import statement, reads the clock again and prints the difference, so the
interpreter's own start-up is not counted and needs no subtraction. Statements are
interleaved across samples like the timed workloads; the minimum sample is reported.

``import typedsignals`` loads its pydantic-based names lazily, on first use, so the
typedsignals column has reference rows besides: the import at first use
(``from typedsignals import Payload, Signal``), and what pydantic alone costs.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from .adapters import TYPED, Adapter
from .results import Cell, Row, Settings
from .timing import interleaved
from .workloads import unavailable_cell

__all__ = ["REFERENCE_STATEMENT", "TYPED_REFERENCES", "WATCHED", "import_seconds", "imports"]

ROOT = Path(__file__).resolve().parent.parent
REFERENCE_STATEMENT = "from pydantic import BaseModel"
"""What ``import typedsignals`` is compared with (target: at most 5 ms more)."""
WATCHED = ("pydantic", "asyncio", "flask")
"""Heavy modules whose loading by an import is reported."""

_CHILD = """\
import sys, time
_t0 = time.perf_counter()
{statement}
_t1 = time.perf_counter()
import json
print(json.dumps({{"seconds": _t1 - _t0,
                  "imported": [m for m in {watched!r} if m in sys.modules]}}))
"""


def import_seconds(statement: str) -> tuple[float, tuple[str, ...]]:
    """Seconds ``statement`` takes in a fresh interpreter, and the watched modules it loaded."""
    code = _CHILD.format(statement=statement, watched=WATCHED)
    completed = subprocess.run(
        [sys.executable, "-E", "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if completed.returncode != 0:
        lines = completed.stderr.strip().splitlines() or [f"exit status {completed.returncode}"]
        raise RuntimeError(lines[-1])
    data = json.loads(completed.stdout.strip().splitlines()[-1])
    return float(data["seconds"]), tuple(data["imported"])


_PYDANTIC_MODEL = "from pydantic import BaseModel\nclass Two(BaseModel):\n    a: int\n    b: str"
TYPED_REFERENCES: dict[str, tuple[str, str]] = {
    "import-pydantic": (REFERENCE_STATEMENT, f"reference for typedsignals: {REFERENCE_STATEMENT}"),
    "import-typed-api": (
        "from typedsignals import Payload, Signal",
        "typedsignals at first use: from typedsignals import Payload, Signal (loads pydantic "
        "and builds typedsignals' own models)",
    ),
    "import-pydantic-model": (
        _PYDANTIC_MODEL,
        "reference for import-typed-api: from pydantic import BaseModel, then define one "
        "two-field model",
    ),
}
"""Rows timed in the typedsignals column only: statement and description."""


def imports(adapters: Sequence[Adapter], settings: Settings) -> list[Row]:
    """The ``import`` row (one statement per library) and typedsignals' reference rows."""
    probes = {(a.name, "import"): a.import_statement for a in adapters if a.available}
    typed = next((a for a in adapters if a.name == TYPED), None)
    if typed is not None and typed.available:
        probes.update({(TYPED, key): text for key, (text, _) in TYPED_REFERENCES.items()})
    best: dict[tuple[str, str], tuple[float, tuple[str, ...]]] = {}
    errors: dict[tuple[str, str], str] = {}
    for probe in interleaved(list(probes), settings.import_samples):
        if probe in errors:
            continue
        try:
            seconds, imported = import_seconds(probes[probe])
        except Exception as exc:  # a failed import is reported, not fatal
            errors[probe] = f"{type(exc).__name__}: {exc}"
            continue
        if probe not in best or seconds < best[probe][0]:
            best[probe] = (seconds, imported)

    def cell(adapter: Adapter, key: str) -> Cell:
        probe = (adapter.name, key)
        if not adapter.available:
            return unavailable_cell(adapter)
        if probe in errors:
            return Cell.missing("unavailable", f"module not available: {errors[probe]}")
        if probe not in best:
            return Cell.missing("not applicable", "typedsignals reference")
        seconds, imported = best[probe]
        return Cell.ok(seconds * 1e3, imported)

    statements = "; ".join(f"{a.column}: {a.import_statement}" for a in adapters)
    rows = [
        Row(
            "import",
            "import",
            f"import time in a fresh interpreter, ms ({statements})",
            "ms",
            {adapter.name: cell(adapter, "import") for adapter in adapters},
        )
    ]
    for key, (_, description) in TYPED_REFERENCES.items():
        cells = {adapter.name: cell(adapter, key) for adapter in adapters}
        rows.append(Row(key, "import", f"{description}; ms", "ms", cells, ratio=False))
    return rows
