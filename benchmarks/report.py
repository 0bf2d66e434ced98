"""The plain-text report: header, table, legend, notes and targets."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence

from .results import REFERENCE, Cell, Results, Row
from .targets import Outcome

__all__ = ["format_cell", "render"]

_WIDTH = 100


def _value(value: float, unit: str) -> str:
    if unit == "ms":
        return f"{value:.1f} ms"
    if unit == "x":
        return f"{value:.2f}x"
    return f"{value:,.0f} {unit}"


def format_cell(row: Row, library: str) -> str:
    """A table cell: the value, then its ratio to blinker where one makes sense."""
    cell = row.cells.get(library, Cell.missing("not applicable", ""))
    if cell.value is None:
        return {"unavailable": "n/a", "error": "error"}.get(cell.status, "-")
    text = _value(cell.value, row.unit)
    ratio = row.ratio_to(library) if row.ratio and library != REFERENCE else None
    return f"{text} {ratio:5.2f}x" if ratio is not None else text


def _header(results: Results) -> list[str]:
    s, m = results.settings, results.machine
    versions = []
    for name, info in results.libraries.items():
        if info["available"]:
            versions.append(f"{name} {info['version']}")
        else:
            versions.append(f"{name} n/a")
    versions.extend(f"{name} {version}" for name, version in m.get("other_versions", {}).items())
    lines = [
        f"typedsignals benchmarks, {m['date']}, mode {s.mode}: {s.repeats} interleaved "
        f"repeats of >= {s.min_time * 1e3:g} ms per library, minimum reported",
        f"machine: {m['platform']}; {m['cpu']}; {m['cpu_count']} CPUs; {m['python']}",
        f"load average (1/5/15 min): {m['load_average']} before, "
        f"{m.get('load_average_after', 'unknown')} after",
    ]
    lines += textwrap.wrap("versions: " + ", ".join(versions), _WIDTH, subsequent_indent="  ")
    return lines


def _table(results: Results) -> list[str]:
    libraries = list(results.libraries)
    head = ["workload"] + [results.libraries[name]["column"] for name in libraries]
    body = [[row.key] + [format_cell(row, name) for name in libraries] for row in results.rows]
    widths = [max(len(line[i]) for line in [head, *body]) for i in range(len(head))]

    def line(cells: Sequence[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = (cell.rjust(width) for cell, width in zip(cells[1:], widths[1:]))
        return "  ".join([first, *rest]).rstrip()

    rule = "-" * len(line(["-" * w for w in widths]))
    return [line(head), rule, *(line(cells) for cells in body), rule]


def _wrapped(prefix: str, text: str) -> list[str]:
    return textwrap.wrap(text, _WIDTH, initial_indent=prefix, subsequent_indent="    ")


def _notes(results: Results) -> list[str]:
    notes: list[str] = []
    for name, info in results.libraries.items():
        if not info["available"]:
            notes += _wrapped("  ", f"{name}: n/a (module not available: {info['error']})")
    for row in results.rows:
        for name, cell in row.cells.items():
            if not results.libraries[name]["available"]:
                continue
            if cell.status == "unavailable":
                notes += _wrapped("  ", f"{name}, {row.key}: n/a ({cell.reason})")
            elif cell.status in ("unsupported", "error"):
                notes += _wrapped("  ", f"{name}, {row.key}: {cell.status}: {cell.reason}")
            if cell.imported:
                loaded = ", ".join(cell.imported)
                notes += _wrapped("  ", f"{name}, {row.key}: the import loads {loaded}")
    return notes


def _legend(rows: Iterable[Row]) -> list[str]:
    lines: list[str] = []
    for row in rows:
        lines += _wrapped(f"  {row.key}: ", row.description)
    return lines


def _targets(outcomes: Sequence[Outcome]) -> list[str]:
    width = max((len(o.target.label) for o in outcomes), default=0)
    return [
        f"  [{o.verdict.upper():4}] {o.target.label.ljust(width)}  {o.measured}" for o in outcomes
    ]


def render(results: Results, outcomes: Sequence[Outcome]) -> str:
    """The whole report as text."""
    lines = [*_header(results), "", *_table(results)]
    columns = [
        f"{info['column']} = {name}"
        for name, info in results.libraries.items()
        if info["column"] != name
    ]
    lines += _wrapped(
        "",
        "Cells: value per operation, then the ratio to blinker in the same run; '-' not "
        "supported or not applicable; 'n/a' module not available. " + "; ".join(columns),
    )
    lines += [
        "",
        "Workloads:",
        *_legend(results.rows),
    ]
    notes = _notes(results)
    if notes:
        lines += ["", "Notes:", *notes]
    if outcomes:
        passed = sum(o.verdict == "pass" for o in outcomes)
        lines += ["", f"Targets ({passed} of {len(outcomes)} met):", *_targets(outcomes)]
    return "\n".join(lines) + "\n"
