"""The catalog benchmark (#18): its module generator and its harness, not its timings.

Timings on a shared machine are too noisy to assert, so nothing here checks a command
against its target. What is checked: the generated module is deterministic, declares the
requested signals with nested payloads, imports and is clean under ``mypy --strict``;
the harness rotates the commands, stops on a failed run, summarises and judges the
samples it is given, and writes its JSON result.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from pydantic import BaseModel

from benchmarks import _catalog_module as generator
from benchmarks import catalog as bench
from typedsignals import Signal
from typedsignals.catalog import read_module

SMALL = 30
"""The module size the slow tests use."""


@pytest.fixture
def imported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """The generated module of SMALL signals, imported."""
    (tmp_path / f"{generator.MODULE}.py").write_text(generator.render(SMALL), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop(generator.MODULE, None)
    yield importlib.import_module(generator.MODULE)
    sys.modules.pop(generator.MODULE, None)


# -- the module ---------------------------------------------------------------------------


def test_module_is_deterministic() -> None:
    """The same size and seed give the same source, byte for byte."""
    assert generator.render(50, seed=3) == generator.render(50, seed=3)


def test_seed_changes_the_module() -> None:
    """Another seed gives other payloads for the same signals."""
    assert generator.render(50, seed=0) != generator.render(50, seed=1)


@pytest.mark.parametrize("signals", [1, 7, 1_000])
def test_module_declares_the_requested_signals(signals: int) -> None:
    """`signals` declarations, each with a payload model and a nested one of its own."""
    source = generator.render(signals)
    assert source.count(' = Signal("event-') + source.count(' = bench.signal("event-') == signals
    assert source.count("(Payload):") == 2 * signals


def test_module_refuses_no_signals() -> None:
    """A module needs one signal at least."""
    with pytest.raises(ValueError, match="at least one signal, not 0"):
        generator.render(0)


def test_module_imports_with_nested_payloads(imported: ModuleType) -> None:
    """Every signal's payload holds a nested model; the catalog reads them all."""
    signals = [v for v in vars(imported).values() if isinstance(v, Signal)]
    assert len(signals) == SMALL
    for signal in signals:
        nested = signal.payload_model.model_fields["detail"].annotation
        assert isinstance(nested, type)
        assert issubclass(nested, BaseModel)
    assert len(read_module(imported).signals) == SMALL


def test_module_passes_mypy_strict(tmp_path: Path) -> None:
    """The generated module is clean under mypy --strict."""
    path = tmp_path / f"{generator.MODULE}.py"
    path.write_text(generator.render(SMALL), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(path)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout


# -- the harness --------------------------------------------------------------------------


def test_schedule_rotates_the_order() -> None:
    """Each repetition runs every command once, starting one further each time."""
    commands = bench.COMMANDS[:3]
    order = bench.schedule(commands, 4)
    assert [row[0] for row in order] == [commands[0], commands[1], commands[2], commands[0]]
    assert all(sorted(c.label for c in row) == sorted(c.label for c in commands) for row in order)


def test_targets_are_the_issues() -> None:
    """2 s for list, export and stubgen; 10 s for codegen; the import only measured."""
    targets = {command.label: command.target for command in bench.COMMANDS}
    assert targets == {
        "list --json": 2.0,
        "export jsonschema": 2.0,
        "export asyncapi": 2.0,
        "stubgen": 2.0,
        "codegen": 10.0,
    }
    assert bench.IMPORT_ONLY.target is None


def _fake(times: dict[str, float]) -> bench.Runner:
    def run(command: bench.Command, cwd: Path) -> bench.Sample:
        return bench.Sample(times.get(command.label, 1.0), times.get(command.label, 1.0) / 2, 0)

    return run


def test_summary_takes_medians_and_judges_them() -> None:
    """The median wall time is judged against the target; CPU medians are reported."""
    samples = {
        command.label: [bench.Sample(w, w / 2, 0) for w in (1.0, 3.0, 2.5)]
        for command in (bench.IMPORT_ONLY, *bench.COMMANDS)
    }
    rows = {row["command"]: row for row in bench.summarise(samples)}
    assert rows["list --json"]["median_wall_s"] == 2.5
    assert rows["list --json"]["min_wall_s"] == 1.0
    assert rows["list --json"]["median_cpu_s"] == 1.25
    assert rows["list --json"]["meets_target"] is False
    assert rows["codegen"]["meets_target"] is True
    assert rows["import the module"]["meets_target"] is None


def test_failed_run_stops_the_benchmark(tmp_path: Path) -> None:
    """A command exiting non-zero is an error naming it, not a time."""

    def failing(command: bench.Command, cwd: Path) -> bench.Sample:
        return bench.Sample(0.1, 0.1, 2, "typedsignals list: error: boom")

    with pytest.raises(RuntimeError, match="'import the module' exited with 2"):
        bench.measure(tmp_path, 1, failing)


def test_main_writes_the_json_result(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The report has the machine, versions, rows and samples; --check exits 1 on a miss."""
    result = tmp_path / "result.json"
    argv = ["--signals", "3", "--repeats", "2", "--json", str(result), "--quiet", "--check"]
    status = bench.main(argv, runner=_fake({"stubgen": 5.0}))
    report = json.loads(result.read_text())
    assert status == 1
    assert report["signals"] == 3
    assert report["repeats"] == 2
    assert {"cpu", "cpu_count", "python", "load_average"} <= set(report["machine"])
    assert "pydantic" in report["versions"]
    assert [r["command"] for r in report["rows"] if r["meets_target"] is False] == ["stubgen"]
    assert len(report["samples"]["codegen"]) == 2
    assert "stubgen" in capsys.readouterr().out


def test_real_commands_run_on_a_small_module(tmp_path: Path) -> None:
    """Every command succeeds as a child process on a generated module (one run each)."""
    bench.prepare(tmp_path, 5, generator.DEFAULT_SEED, bench.run_command)
    samples = bench.measure(tmp_path, 1, bench.run_command)
    assert all(len(runs) == 1 and runs[0].wall > 0 for runs in samples.values())
    assert (tmp_path / "generated.py").exists()
    assert (tmp_path / "stubs" / f"{generator.MODULE}-stubs" / "__init__.pyi").exists()
