"""What a run produces: rows of cells, one cell per library, and the run's settings."""

from __future__ import annotations

import datetime
import os
import platform
import sys
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

__all__ = [
    "REFERENCE",
    "WORKLOAD_ROWS",
    "Cell",
    "Results",
    "Row",
    "Settings",
    "Status",
    "Unit",
    "load_average",
    "machine_info",
    "workload_of",
]

REFERENCE = "blinker"
"""The library every ratio is computed against."""

WORKLOAD_ROWS: dict[str, tuple[str, ...]] = {
    "send-0": ("send-0", "send-0-floor"),
    "send-1": ("send-1",),
    "send-10": ("send-10",),
    "send-100": ("send-100",),
    "send-filtered": ("send-filtered",),
    "connect-disconnect": ("connect-disconnect",),
    "connect-scale": (
        "connect-scale-small",
        "connect-scale-large",
        "connect-scale-huge",
        "connect-scale-large-factor",
        "connect-scale-huge-factor",
    ),
    "connect-bulk": ("connect-bulk", "disconnect-bulk", "connect-disconnect-bulk"),
    "memory": ("memory-strong", "memory-default"),
    "import": ("import", "import-pydantic", "import-typed-api", "import-pydantic-model"),
    "send-async": ("send-async-10",),
    "flask": ("flask-request", "flask-no-receivers"),
    "growth": ("growth-small", "growth-large", "growth-factor"),
}
"""Every workload (what ``--only`` selects) and the rows it produces, in table order."""

Status = Literal["ok", "unsupported", "not applicable", "unavailable", "error"]
Unit = Literal["ns", "B", "ms", "x"]


@dataclass(frozen=True)
class Settings:
    """How much work a run does; see :data:`benchmarks.cli.MODES`."""

    mode: str
    repeats: int
    """Interleaved repeats of each timed workload (the minimum is reported)."""
    min_time: float
    """Seconds one repeat of one library runs at least (sets the loop count)."""
    factor_repeats: int
    """Interleaved repeats of the workloads whose targets divide one of their rows by
    another within a library (``growth``, ``connect-scale``): more, shorter ones, which a
    busy machine disturbs less (see :mod:`benchmarks.scale`)."""
    factor_min_time: float
    memory_receivers: int
    memory_repeats: int
    import_samples: int
    """Fresh interpreters per import statement (the minimum is reported)."""
    flask_rounds: int
    """Flask child processes, one after another."""
    flask_repeats: int
    """Interleaved repeats of the Flask variants inside each child."""
    flask_min_time: float
    filter_senders: int
    growth_signals: int
    growth_senders: int
    scale_large: int
    """Receivers already connected in ``connect-scale-large`` (10,000 in a full run)."""
    scale_huge: int
    """Receivers already connected in ``connect-scale-huge`` (100,000 in a full run)."""
    bulk_receivers: int
    """Receivers the ``connect-bulk`` rows connect one by one, then disconnect."""


@dataclass(frozen=True)
class Cell:
    """One library's result for one row, or why there is none."""

    value: float | None = None
    status: Status = "ok"
    reason: str = ""
    imported: tuple[str, ...] = ()
    """For import rows: notable modules the import loaded (pydantic, flask, ...)."""

    @classmethod
    def ok(cls, value: float, imported: tuple[str, ...] = ()) -> Cell:
        return cls(value=value, imported=imported)

    @classmethod
    def missing(cls, status: Status, reason: str) -> Cell:
        return cls(status=status, reason=reason)


@dataclass
class Row:
    """One line of the table."""

    key: str
    """Stable row name, printed first in the table (``send-10``)."""
    workload: str
    """The workload that produced it (what ``--only`` selects)."""
    description: str
    unit: Unit
    cells: dict[str, Cell]
    ratio: bool = True
    """Whether a ratio to blinker means something for this row."""

    def value(self, library: str) -> float | None:
        """The library's value, or None when it has none."""
        cell = self.cells.get(library)
        return None if cell is None else cell.value

    def ratio_to(self, library: str, reference: str = REFERENCE) -> float | None:
        """``library``'s value divided by ``reference``'s, when both exist."""
        value, base = self.value(library), self.value(reference)
        if value is None or base is None or base <= 0:
            return None
        return value / base


@dataclass
class Results:
    """A whole run: settings, machine, versions and rows in table order."""

    settings: Settings
    libraries: dict[str, dict[str, Any]]
    """Library name -> ``{"column", "available", "version", "error"}``."""
    machine: dict[str, Any] = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)

    def row(self, key: str) -> Row | None:
        """The row called ``key``, if the run produced it."""
        return next((row for row in self.rows if row.key == key), None)

    def to_json(self) -> dict[str, Any]:
        """Plain data for ``--json``; ratios are included where they mean something."""
        rows = []
        for row in self.rows:
            cells: dict[str, Any] = {}
            for library, cell in row.cells.items():
                data = {k: v for k, v in asdict(cell).items() if v not in ("", (), None)}
                data["imported"] = list(cell.imported)
                ratio = row.ratio_to(library) if row.ratio else None
                if ratio is not None:
                    data["ratio"] = ratio
                cells[library] = data
            rows.append(
                {
                    "key": row.key,
                    "workload": row.workload,
                    "description": row.description,
                    "unit": row.unit,
                    "cells": cells,
                }
            )
        return {
            "settings": asdict(self.settings),
            "machine": self.machine,
            "libraries": self.libraries,
            "rows": rows,
        }


def workload_of(row_key: str) -> str:
    """The workload that produces the row called ``row_key``."""
    for workload, rows in WORKLOAD_ROWS.items():
        if row_key in rows:
            return workload
    raise KeyError(row_key)


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def machine_info() -> dict[str, Any]:
    """Where and when the run happened."""
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "python_build": " ".join(platform.python_build()),
        "executable": sys.executable,
        "load_average": load_average(),
    }


def load_average() -> str:
    """The 1, 5 and 15 minute load averages: other work on the machine skews timings."""
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except (AttributeError, OSError):  # not on every platform
        return "unknown"
