"""The benchmark suite runs end to end in smoke mode (tiny counts, no thresholds).

Timings on shared machines are noisy, so nothing here checks a target: the tests only
check that every workload produces a positive number for every library that is
installed and can do it, and that the report has the expected shape.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from benchmarks import workloads
from benchmarks.adapters import ADAPTERS, BlinkerAdapter
from benchmarks.cli import MODES
from benchmarks.report import render
from benchmarks.results import WORKLOAD_ROWS, Cell, Results, Row, machine_info
from benchmarks.targets import TARGETS, evaluate

ROOT = Path(__file__).resolve().parent.parent
REFERENCE_ROWS = {"send-0-floor", "import-pydantic", "import-typed-api", "import-pydantic-model"}
"""Rows measured in the typedsignals column only, as yardsticks for its own numbers."""
EXPECTED_ROWS = [
    "send-0",
    "send-0-floor",
    "send-1",
    "send-10",
    "send-100",
    "send-filtered",
    "connect-disconnect",
    "memory-strong",
    "memory-default",
    "import",
    "import-pydantic",
    "import-typed-api",
    "import-pydantic-model",
    "send-async-10",
    "flask-request",
    "flask-no-receivers",
    "growth-small",
    "growth-large",
    "growth-factor",
]
COMPAT = "typedsignals.blinker"
LIBRARIES = ["blinker", "typedsignals", "typedsignals.blinker", "psygnal", "django"]


def _run(tmp_path: Path, *options: str) -> tuple[subprocess.CompletedProcess[str], Any]:
    out = tmp_path / "results.json"
    completed = subprocess.run(
        [
            sys.executable,
            "-W",
            "error",
            "-m",
            "benchmarks",
            "--quiet",
            "--json",
            str(out),
            *options,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    data = json.loads(out.read_text(encoding="utf-8")) if out.exists() else None
    return completed, data


@pytest.fixture(scope="module")
def smoke(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, Any]]:
    """One ``python -m benchmarks --smoke`` run shared by the tests of this module."""
    completed, data = _run(tmp_path_factory.mktemp("smoke"), "--smoke")
    assert completed.returncode == 0, completed.stderr
    assert data is not None
    return completed.stdout, data


def test_smoke_run_lists_every_row_in_order(smoke: tuple[str, dict[str, Any]]) -> None:
    """The smoke run produces every workload's rows, in table order."""
    _, data = smoke
    assert [row["key"] for row in data["rows"]] == EXPECTED_ROWS


def test_table_has_a_line_per_row(smoke: tuple[str, dict[str, Any]]) -> None:
    """The printed table starts one line with each row's key."""
    stdout, _ = smoke
    starts = {line.split()[0] for line in stdout.splitlines() if line.strip()}
    assert set(EXPECTED_ROWS) <= starts


def test_header_names_machine_and_versions(smoke: tuple[str, dict[str, Any]]) -> None:
    """The report starts with the machine, the Python version and the library versions."""
    stdout, data = smoke
    assert stdout.startswith("typedsignals benchmarks")
    assert "machine:" in stdout
    assert "versions:" in stdout
    assert data["machine"]["python"] in stdout
    assert list(data["libraries"]) == LIBRARIES


def test_available_libraries_have_positive_numbers(smoke: tuple[str, dict[str, Any]]) -> None:
    """Every library that imports has a positive value wherever it can run the workload."""
    _, data = smoke
    declared = {cls.name: cls for cls in ADAPTERS}
    missing = []
    for row in data["rows"]:
        for name, cell in row["cells"].items():
            if not data["libraries"][name]["available"]:
                assert cell["status"] == "unavailable"
                continue
            if cell["status"] == "ok":
                assert cell["value"] > 0, (row["key"], name)
            elif cell["status"] == "unsupported":
                assert row["workload"] in declared[name].unsupported, (row["key"], name)
            elif cell["status"] == "not applicable":
                assert row["key"] in REFERENCE_ROWS or row["workload"] == "flask", (
                    row["key"],
                    name,
                )
            elif cell["status"] == "unavailable":
                # Only an optional integration module (typedsignals.flask) may be missing.
                assert row["workload"] == "flask", (row["key"], name, cell["reason"])
            else:
                missing.append((row["key"], name, cell))
    assert missing == []


def test_reference_library_always_measured(smoke: tuple[str, dict[str, Any]]) -> None:
    """blinker, the reference of every ratio, has a number in every row that compares."""
    _, data = smoke
    assert data["libraries"]["blinker"]["available"]
    for row in data["rows"]:
        if row["key"] in REFERENCE_ROWS:
            continue
        assert row["cells"]["blinker"]["status"] == "ok", row["key"]


def test_smoke_mode_checks_no_targets(smoke: tuple[str, dict[str, Any]]) -> None:
    """Smoke mode prints no targets: its counts are too small to mean anything."""
    stdout, data = smoke
    assert data["targets"] == []
    assert "Targets" not in stdout


def test_only_runs_the_chosen_workloads(tmp_path: Path) -> None:
    """``--only`` limits the run to the named workloads."""
    completed, data = _run(tmp_path, "--smoke", "--only", "send-1,connect-disconnect")
    assert completed.returncode == 0, completed.stderr
    assert [row["key"] for row in data["rows"]] == ["send-1", "connect-disconnect"]


def test_unknown_workload_is_an_error(tmp_path: Path) -> None:
    """An unknown ``--only`` name fails with a usage error listing the workloads."""
    completed, _ = _run(tmp_path, "--smoke", "--only", "nonsense")
    assert completed.returncode == 2
    assert "send-filtered" in completed.stderr


def test_check_refuses_smoke_mode(tmp_path: Path) -> None:
    """``--check`` with ``--smoke`` is a usage error: smoke numbers have no thresholds."""
    completed, _ = _run(tmp_path, "--smoke", "--check")
    assert completed.returncode == 2


def _results(rows: list[Row]) -> Results:
    libraries = {
        name: {"column": name, "available": True, "version": "0", "error": None}
        for name in LIBRARIES
    }
    return Results(MODES["smoke"], libraries, rows=rows)


def test_targets_pass_and_miss_on_ratios() -> None:
    """A ratio target passes at or under its limit and misses above it."""
    cells = {"blinker": Cell.ok(1000.0), "typedsignals": Cell.ok(900.0)}
    passing = _results([Row("send-1", "send-1", "", "ns", cells)])
    verdicts = {o.target.label: o.verdict for o in evaluate(passing, {"send-1"})}
    assert verdicts["typedsignals send-1 <= 0.9x blinker"] == "pass"
    cells["typedsignals"] = Cell.ok(901.0)
    verdicts = {o.target.label: o.verdict for o in evaluate(passing, {"send-1"})}
    assert verdicts["typedsignals send-1 <= 0.9x blinker"] == "miss"


def test_unheard_send_target_reports_the_floor_beside_the_ratio() -> None:
    """The send-0 target is judged on send-0 alone and shows the floor's ratio with it."""
    send = {"blinker": Cell.ok(200.0), "typedsignals": Cell.ok(101.0)}
    floor = {"blinker": Cell.missing("not applicable", "typedsignals reference")}
    floor["typedsignals"] = Cell.ok(90.0)
    results = _results(
        [
            Row("send-0", "send-0", "", "ns", send),
            Row("send-0-floor", "send-0", "", "ns", floor, ratio=False),
        ]
    )
    (outcome,) = evaluate(results, {"send-0"})
    assert (outcome.verdict, outcome.measured) == ("miss", "0.505x (floor 0.450x)")
    send["typedsignals"] = Cell.ok(100.0)
    (outcome,) = evaluate(results, {"send-0"})
    assert (outcome.verdict, outcome.measured) == ("pass", "0.500x (floor 0.450x)")


def test_floor_row_is_measured_for_typedsignals_only(smoke: tuple[str, dict[str, Any]]) -> None:
    """send-0-floor has a number in the typedsignals column and nowhere else."""
    _, data = smoke
    (row,) = [row for row in data["rows"] if row["key"] == "send-0-floor"]
    statuses = {name: cell["status"] for name, cell in row["cells"].items()}
    assert statuses.pop("typedsignals") == "ok"
    assert set(statuses.values()) == {"not applicable"}


def test_targets_without_numbers_are_not_met() -> None:
    """A target whose library is unavailable is n/a, which ``--check`` counts as missed."""
    cells = {
        "blinker": Cell.ok(1000.0),
        "typedsignals.blinker": Cell.missing("unavailable", "module not available: x"),
    }
    results = _results([Row("send-1", "send-1", "", "ns", cells)])
    outcomes = [o for o in evaluate(results, {"send-1"}) if o.target.label.startswith(COMPAT)]
    assert [o.verdict for o in outcomes] == ["n/a"]
    assert "module not available" in outcomes[0].measured


def test_every_target_reads_existing_rows() -> None:
    """Each target belongs to a workload that exists."""
    assert {target.workload for target in TARGETS} <= set(WORKLOAD_ROWS)


class _Unimportable(BlinkerAdapter):
    """A library whose import fails."""

    name = "unimportable"
    column = "unimportable"

    def _import(self) -> None:
        raise ImportError("No module named 'unimportable'")


def test_unimportable_library_is_reported_not_available() -> None:
    """A library that fails to import prints n/a with the error; the others still run."""
    adapters = [BlinkerAdapter(), _Unimportable()]
    for adapter in adapters:
        adapter.load()
    rows = workloads.send(1)(adapters, MODES["smoke"])
    value = rows[0].value("blinker")
    assert value is not None
    assert value > 0
    assert rows[0].cells["unimportable"].status == "unavailable"
    libraries = {
        adapter.name: {
            "column": adapter.column,
            "available": adapter.available,
            "version": "0",
            "error": adapter.error,
        }
        for adapter in adapters
    }
    text = render(Results(MODES["smoke"], libraries, machine_info(), rows), [])
    table_line = next(line for line in text.splitlines() if line.startswith("send-1 "))
    assert table_line.endswith("n/a")
    assert "unimportable: n/a (module not available: ImportError: No module named" in text
