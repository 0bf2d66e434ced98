"""The performance targets (issues #9 and #16) and their evaluation against one run.

Most targets are ratios to blinker 1.9 *in the same run*, so they hold on any machine;
the growth factors are ratios within one library in the same run; two are absolute
(bytes per receiver, the 5 ms import budget). A target whose numbers are missing (a
library not importable, a workload that failed) is ``n/a``, and ``--check`` counts it as
missed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from .interface import TYPED
from .results import Results, workload_of

__all__ = ["TARGETS", "Outcome", "Target", "evaluate"]

Verdict = Literal["pass", "miss", "n/a"]
_IMPORT_BUDGET_MS = 5.0
COMPAT = "typedsignals.blinker"


@dataclass(frozen=True)
class Outcome:
    """How one target fared: the verdict and the measured value as text."""

    target: Target
    verdict: Verdict
    measured: str


@dataclass(frozen=True)
class Target:
    """A named bound on one run's results."""

    label: str
    workload: str
    """The workload whose rows it reads; targets of workloads not run are skipped."""
    judge: Callable[[Results], tuple[Verdict, str]]


def _missing(results: Results, row_key: str, *libraries: str) -> str:
    row = results.row(row_key)
    if row is None:
        return f"no {row_key} row"
    for library in libraries:
        cell = row.cells.get(library)
        if cell is None:
            return f"{library}: not run"
        if cell.status == "unavailable":
            return f"{library}: n/a (module not available, see the notes)"
        if cell.value is None:
            return f"{library}: {cell.status} ({cell.reason})"
    return "no value"


def _ratio_judge(
    row_key: str, library: str, limit: float, against: str
) -> Callable[[Results], tuple[Verdict, str]]:
    def judge(results: Results) -> tuple[Verdict, str]:
        row = results.row(row_key)
        value = None if row is None else row.ratio_to(library, against)
        if value is None:
            return "n/a", _missing(results, row_key, library, against)
        return ("pass" if value <= limit else "miss"), f"{value:.3f}x"

    return judge


def ratio(
    row_key: str, library: str, limit: float, against: str = "blinker", label: str = ""
) -> Target:
    """``library``'s value at most ``limit`` times ``against``'s on one row."""
    judge = _ratio_judge(row_key, library, limit, against)
    if not label and limit == 1:
        label = f"{library} {row_key} ahead of {against}"
    elif not label:
        label = f"{library} {row_key} <= {limit:g}x {against}"
    return Target(label, workload_of(row_key), judge)


def at_most(row_key: str, library: str, limit: float, unit: str) -> Target:
    """``library``'s value on one row at most ``limit`` (an absolute bound)."""

    def judge(results: Results) -> tuple[Verdict, str]:
        row = results.row(row_key)
        value = None if row is None else row.value(library)
        if value is None:
            return "n/a", _missing(results, row_key, library)
        measured = f"{value:.3f}x" if unit == "x" else _amount(value, unit)
        return ("pass" if value <= limit else "miss"), measured

    label = f"{library} {row_key} <= {_amount(limit, unit)}"
    return Target(label, workload_of(row_key), judge)


def _amount(value: float, unit: str) -> str:
    return f"{value:.2f}x" if unit == "x" else f"{value:,.0f} {unit}"


def _import_budget(results: Results) -> tuple[Verdict, str]:
    row, reference = results.row("import"), results.row("import-pydantic")
    value = None if row is None else row.value(TYPED)
    base = None if reference is None else reference.value(TYPED)
    if value is None or base is None:
        return "n/a", _missing(results, "import", TYPED)
    verdict: Verdict = "pass" if value <= base + _IMPORT_BUDGET_MS else "miss"
    return verdict, f"{value:.1f} ms; pydantic {base:.1f} ms"


_UNHEARD_LIMIT = 0.5


def _unheard_send(results: Results) -> tuple[Verdict, str]:
    """The send-0 ratio, with the floor row's ratio beside it: how close it can get."""
    verdict, measured = _ratio_judge("send-0", TYPED, _UNHEARD_LIMIT, "blinker")(results)
    floor_row, send_row = results.row("send-0-floor"), results.row("send-0")
    floor = None if floor_row is None else floor_row.value(TYPED)
    base = None if send_row is None else send_row.value("blinker")
    if verdict != "n/a" and floor is not None and base:
        measured += f" (floor {floor / base:.3f}x)"
    return verdict, measured


def _compat_without_pydantic(results: Results) -> tuple[Verdict, str]:
    row = results.row("import")
    cell = None if row is None else row.cells.get(COMPAT)
    if cell is None or cell.value is None:
        return "n/a", _missing(results, "import", COMPAT)
    if "pydantic" in cell.imported:
        return "miss", "imports pydantic"
    return "pass", "pydantic not imported"


TARGETS: tuple[Target, ...] = (
    ratio("send-1", TYPED, 0.9),
    ratio("send-10", TYPED, 0.3),
    ratio("send-100", TYPED, 0.15),
    ratio("send-10", TYPED, 1.0, against="psygnal"),
    ratio("send-100", TYPED, 1.0, against="psygnal"),
    Target(f"{TYPED} send-0 <= {_UNHEARD_LIMIT:g}x blinker", "send-0", _unheard_send),
    ratio("send-1", COMPAT, 0.5),
    ratio("send-10", COMPAT, 0.3),
    ratio("send-filtered", COMPAT, 0.5),
    ratio("connect-disconnect", TYPED, 1.5),
    ratio("connect-disconnect", COMPAT, 1.5),
    # Issue #16: a change costs the same however many receivers are connected (a ratio
    # within each library), and connecting many one by one stays near blinker.
    at_most("connect-scale-large-factor", TYPED, 1.5, "x"),
    at_most("connect-scale-huge-factor", TYPED, 1.5, "x"),
    at_most("connect-scale-large-factor", COMPAT, 1.5, "x"),
    at_most("connect-scale-huge-factor", COMPAT, 1.5, "x"),
    ratio("connect-disconnect-bulk", TYPED, 2.0),
    ratio("connect-disconnect-bulk", COMPAT, 2.0),
    at_most("memory-strong", TYPED, 400, "B"),
    at_most("memory-default", TYPED, 400, "B"),
    at_most("memory-strong", COMPAT, 400, "B"),
    at_most("memory-default", COMPAT, 400, "B"),
    ratio("import", COMPAT, 1.2),
    Target(f"import {COMPAT} does not import pydantic", "import", _compat_without_pydantic),
    Target(f"import {TYPED} <= from pydantic import BaseModel + 5 ms", "import", _import_budget),
    ratio("flask-request", TYPED, 1.05, label=f"{TYPED} flask-request <= 1.05x raw blinker"),
    at_most("growth-factor", TYPED, 1.25, "x"),
    at_most("growth-factor", COMPAT, 1.25, "x"),
)
"""Every target, in the order the report lists them."""


def evaluate(results: Results, workloads: set[str]) -> list[Outcome]:
    """Judge every target whose workload was run."""
    return [
        Outcome(target, *target.judge(results))
        for target in TARGETS
        if target.workload in workloads
    ]
