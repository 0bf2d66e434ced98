"""The benchmark suite runs end to end in smoke mode (tiny counts, no thresholds).

Timings on shared machines are noisy, so nothing here checks a target: the tests only
check that every workload produces a positive number for every library that is
installed and can do it, and that the report has the expected shape.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from benchmarks import scale, workloads
from benchmarks.adapters import ADAPTERS, BlinkerAdapter, DjangoAdapter, Unsupported
from benchmarks.cli import MODES, Workload
from benchmarks.report import render
from benchmarks.results import WORKLOAD_ROWS, Cell, Results, Row, machine_info
from benchmarks.targets import TARGETS, evaluate
from benchmarks.timing import each_loop

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
    "connect-scale-small",
    "connect-scale-large",
    "connect-scale-huge",
    "connect-scale-large-factor",
    "connect-scale-huge-factor",
    "connect-bulk",
    "disconnect-bulk",
    "connect-disconnect-bulk",
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
FACTOR_ROWS = {
    "connect-scale-large-factor": ("connect-scale-large", "connect-scale-small"),
    "connect-scale-huge-factor": ("connect-scale-huge", "connect-scale-small"),
    "growth-factor": ("growth-large", "growth-small"),
}
"""Rows dividing one row by another within each library: factor -> (numerator, denominator)."""
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


def _row(data: dict[str, Any], key: str) -> dict[str, Any]:
    rows: list[dict[str, Any]] = [row for row in data["rows"] if row["key"] == key]
    (row,) = rows
    return row


@pytest.mark.parametrize("factor", sorted(FACTOR_ROWS))
def test_factor_rows_divide_within_each_library(
    smoke: tuple[str, dict[str, Any]], factor: str
) -> None:
    """A factor row holds each library's own large / small value, with no ratio to blinker."""
    _, data = smoke
    large, small = (_row(data, key) for key in FACTOR_ROWS[factor])
    cells = _row(data, factor)["cells"]
    expected = {
        name: large["cells"][name]["value"] / small["cells"][name]["value"] for name in LIBRARIES
    }
    assert {name: cells[name]["value"] for name in LIBRARIES} == pytest.approx(expected)
    assert [name for name in LIBRARIES if "ratio" in cells[name]] == []


@pytest.mark.parametrize(
    ("key", "unit"),
    [
        ("connect-scale-small", "ns"),
        ("connect-scale-huge", "ns"),
        ("connect-scale-huge-factor", "x"),
        ("connect-bulk", "ms"),
        ("connect-disconnect-bulk", "ms"),
    ],
)
def test_growth_rows_have_their_units(
    smoke: tuple[str, dict[str, Any]], key: str, unit: str
) -> None:
    """The receiver-growth rows are in ns per pair, factors or ms per pass."""
    _, data = smoke
    assert _row(data, key)["unit"] == unit


def test_scale_rows_name_the_counts_of_the_run(smoke: tuple[str, dict[str, Any]]) -> None:
    """The legend of the receiver-growth rows gives the counts the run really used."""
    stdout, _ = smoke
    settings = MODES["smoke"]
    assert f"the same with {settings.scale_large} receivers already connected" in stdout
    assert f"the same with {settings.scale_huge} receivers already connected" in stdout
    assert f"connect {settings.bulk_receivers} distinct receivers" in stdout


def test_bulk_total_is_the_sum_of_its_two_parts(smoke: tuple[str, dict[str, Any]]) -> None:
    """connect-disconnect-bulk is connect-bulk + disconnect-bulk in every column."""
    _, data = smoke
    connect, disconnect, total = (_row(data, key)["cells"] for key in scale.BULK_ROWS)
    parts = {name: connect[name]["value"] + disconnect[name]["value"] for name in LIBRARIES}
    assert {name: total[name]["value"] for name in LIBRARIES} == pytest.approx(parts)


@pytest.mark.parametrize("workload", [workloads.growth, scale.connect_scale])
def test_factor_workloads_time_with_the_factor_repeats(
    monkeypatch: pytest.MonkeyPatch, workload: Workload
) -> None:
    """Workloads whose targets divide two of their rows use the factor repeats and min time."""
    used: list[tuple[int, float]] = []

    def measure(cases: dict[Any, Any], repeats: int, min_time: float) -> dict[Any, float]:
        used.append((repeats, min_time))
        return dict.fromkeys(cases, 1.0)

    monkeypatch.setattr(workloads, "measure", measure)
    settings = dataclasses.replace(MODES["smoke"], factor_repeats=7, factor_min_time=0.003)
    adapter = BlinkerAdapter()
    adapter.load()
    workload([adapter], settings)
    assert used == [(7, 0.003)]


def test_each_loop_runs_every_item_and_times_each_stretch() -> None:
    """A stretch loop runs its statement once per item, in order, and times each stretch."""
    seen: list[object] = []
    seconds = each_loop("sig.append(receiver)")(seen, [[1, 2], [3]])
    assert seen == [1, 2, 3]
    assert len(seconds) == 2


def test_bulk_pass_times_stretches_of_connects_then_disconnects() -> None:
    """A bulk pass of 2,500 receivers gives 3 connect and 3 disconnect stretch times."""
    adapter = BlinkerAdapter()
    adapter.load()
    seconds = scale.bulk_pass(adapter, 2 * scale.BULK_STRETCH + 500)()
    assert len(seconds) == 6
    assert min(seconds) > 0


class _Limited(BlinkerAdapter):
    """blinker, declared unable to hold more than the smoke run's large count."""

    name = "limited"
    column = "limited"
    max_receivers = MODES["smoke"].scale_large
    max_receivers_reason = "set up would take too long"


def _limited_adapters() -> list[BlinkerAdapter]:
    adapters = [BlinkerAdapter(), _Limited()]
    for adapter in adapters:
        adapter.load()
    return adapters


def test_receiver_limit_skips_only_the_larger_scale_rows() -> None:
    """Rows needing more receivers than a library's limit are unsupported, with the reason."""
    rows = scale.connect_scale(_limited_adapters(), MODES["smoke"])
    statuses = {row.key: row.cells["limited"].status for row in rows}
    assert statuses == {
        "connect-scale-small": "ok",
        "connect-scale-large": "ok",
        "connect-scale-huge": "unsupported",
        "connect-scale-large-factor": "ok",
        "connect-scale-huge-factor": "unsupported",
    }
    reason = rows[2].cells["limited"].reason
    assert reason == "50 receivers skipped (measured up to 20): set up would take too long"


def test_receiver_limit_skips_bulk_rows_and_says_why() -> None:
    """A library limited below the bulk count is unsupported there; the notes say why."""
    adapters = _limited_adapters()
    rows = scale.connect_bulk(adapters, MODES["smoke"])
    assert [row.cells["limited"].status for row in rows] == ["unsupported"] * 3
    assert [row.cells["blinker"].status for row in rows] == ["ok"] * 3
    libraries = {
        adapter.name: {"column": adapter.column, "available": True, "version": "0", "error": None}
        for adapter in adapters
    }
    text = render(Results(MODES["smoke"], libraries, machine_info(), rows), [])
    assert "limited, connect-bulk: unsupported: 30 receivers skipped (measured up to 20)" in text


def test_django_is_measured_at_the_large_scale_row() -> None:
    """django's O(n) connect is still measured with 10,000 receivers connected."""
    DjangoAdapter().check_receivers(MODES["full"].scale_large)


@pytest.mark.parametrize("receivers", [MODES["full"].scale_huge, MODES["full"].bulk_receivers])
def test_django_skips_the_counts_that_take_minutes(receivers: int) -> None:
    """django is skipped at 100,000 and 30,000 receivers, saying that connect is O(n)."""
    with pytest.raises(Unsupported, match=r"O\(n\) per connect"):
        DjangoAdapter().check_receivers(receivers)


@pytest.mark.parametrize(("factor", "verdict"), [(1.5, "pass"), (1.51, "miss")])
@pytest.mark.parametrize("row_key", ["connect-scale-large-factor", "connect-scale-huge-factor"])
@pytest.mark.parametrize("library", ["typedsignals", COMPAT])
def test_scale_targets_bound_the_factor_at_1_5(
    library: str, row_key: str, factor: float, verdict: str
) -> None:
    """A connect-scale factor target passes at 1.50x and misses above it."""
    row = Row(row_key, "connect-scale", "", "x", {library: Cell.ok(factor)}, ratio=False)
    outcomes = evaluate(_results([row]), {"connect-scale"})
    assert {o.target.label: o.verdict for o in outcomes}[f"{library} {row_key} <= 1.50x"] == verdict


@pytest.mark.parametrize(("milliseconds", "verdict"), [(20.0, "pass"), (20.1, "miss")])
@pytest.mark.parametrize("library", ["typedsignals", COMPAT])
def test_bulk_target_bounds_the_pass_at_twice_blinker(
    library: str, milliseconds: float, verdict: str
) -> None:
    """The connect-disconnect-bulk target passes at 2x blinker's pass and misses above it."""
    cells = {"blinker": Cell.ok(10.0), library: Cell.ok(milliseconds)}
    row = Row("connect-disconnect-bulk", "connect-bulk", "", "ms", cells)
    outcomes = evaluate(_results([row]), {"connect-bulk"})
    label = f"{library} connect-disconnect-bulk <= 2x blinker"
    assert {o.target.label: o.verdict for o in outcomes}[label] == verdict
