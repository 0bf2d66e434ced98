"""The observability cost benchmark (#21): its harness and report, not its timings."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from benchmarks import observe as bench

ROOT = Path(__file__).resolve().parent.parent


def run_quick(*extra: str) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.observe", "--quick", "--json", *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    figures: dict[str, object] = json.loads(result.stdout)
    return figures


def is_git_checkout() -> bool:
    done = subprocess.run(
        ["git", "-C", str(ROOT), "cat-file", "-e", f"{bench.BEFORE}^{{commit}}"],
        capture_output=True,
    )
    return done.returncode == 0


def test_quick_run_reports_every_column_ratio_and_memory() -> None:
    """A quick run gives ns per send for each variant and peer, the ratios and memory."""
    figures = run_quick()
    columns = figures["columns"]
    assert isinstance(columns, dict)
    expected = {"off (child)", "off", "metrics", "metrics/1", "middleware", "blinker"}
    if is_git_checkout():
        expected.add("before")
    assert expected <= set(columns)
    for column in expected:
        assert set(columns[column]) == {f"send-{n}" for n in bench.RECEIVERS}
        assert all(value > 0 for value in columns[column].values())
    ratios = figures["ratios"]
    assert isinstance(ratios, dict)
    assert {"off/before send-10", "metrics/off send-10", "memory off/before"} <= set(ratios)
    assert ratios["metrics/off send-10"] is not None
    memory = figures["memory"]
    assert isinstance(memory, dict)
    assert memory["off (child)"] > 0


def test_a_column_that_cannot_run_says_why() -> None:
    """Without the before build (or typedsignals.otel), the column is skipped with a reason."""
    figures = run_quick("--no-before")
    skipped = figures["skipped"]
    assert isinstance(skipped, dict)
    assert skipped["before"] == "skipped by --no-before"
    assert figures["ratios"]["off/before send-0"] is None  # type: ignore[index]


def test_report_shows_targets_and_verdicts() -> None:
    """The text report names each target and whether it was met."""
    figures = bench.Figures("quick")
    figures.columns = {
        "before": {"send-0": 100.0, "send-1": 200.0, "send-10": 1000.0},
        "off (child)": {"send-0": 101.0, "send-1": 201.0, "send-10": 1001.0},
        "off": {"send-0": 100.0, "send-1": 200.0, "send-10": 1000.0},
        "metrics": {"send-0": 100.0, "send-1": 300.0, "send-10": 2000.0},
    }
    figures.ratios = {
        "off/before send-10": figures.ratio("off (child)", "before", "send-10"),
        "metrics/off send-10": figures.ratio("metrics", "off", "send-10"),
    }
    figures.memory = {"before": 160.0, "off (child)": 160.0}
    report = bench.render(figures)
    lines = {line.split()[0]: line for line in report.splitlines() if "x  [<=" in line}
    assert lines["off/before"].endswith("1.001x  [<= 1.03x: met]")
    assert lines["metrics/off"].endswith("2.000x  [<= 1.5x: NOT met]")
    assert "before 160.0 B" in report
