"""``python -m benchmarks.catalog``: the catalog commands on a module of 1,000 signals (#18).

The issue's targets, on a generated module of 1,000 signals with nested payloads
(:mod:`benchmarks._catalog_module`): ``typedsignals list --json``, ``typedsignals
export`` (both formats) and ``typedsignals stubgen`` each finish within 2 s, and
``typedsignals codegen`` of the exported document within 10 s, wall time of the whole
command.

Method:

* The module is written to a fresh temporary folder, which is each command's working
  directory (``python -m typedsignals`` puts it on ``sys.path``). The JSON Schema
  document ``codegen`` reads is written once by ``typedsignals export`` before timing.
* Every command runs as a child process, ``python -m typedsignals ...`` from this
  interpreter, start-up and imports included: what a user waits for. Its CPU time
  (user + system, from ``getrusage`` of the children) is recorded beside the wall time:
  the machine is shared (2 cores) and CPU time wanders less when it is busy.
* One untimed run of each command first: it leaves the module's bytecode cached, as it
  is after a project's first run, so no timed run pays for compiling 20,000 lines.
* Each repetition runs every command once, in an order rotated by one at each
  repetition, so that a slow phase of the machine hits them all alike.
* Reported: the median, the minimum and the CPU-time median of each command, judged
  against its target on the median wall time; and, as the floor under every command,
  the time ``python -c "import MODULE"`` takes (pydantic building the payload models).
* A run that exits with a non-zero status stops the benchmark: its time would mean
  nothing.

No test checks these timings (the machine is shared and noisy): ``--check`` is for a
quiet machine, by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from ._catalog_module import DEFAULT_SEED, DEFAULT_SIGNALS, MODULE, render
from .results import load_average, machine_info

__all__ = [
    "COMMANDS",
    "IMPORT_ONLY",
    "Command",
    "Sample",
    "main",
    "measure",
    "render_report",
    "run_command",
    "schedule",
    "summarise",
]

ROOT = Path(__file__).resolve().parent.parent
DOCUMENT = "catalog.schema.json"
"""The exported document codegen reads, in the working folder."""


@dataclass(frozen=True)
class Command:
    """One timed command: its label, its arguments after ``typedsignals``, its target."""

    label: str
    args: tuple[str, ...]
    target: float | None
    """Seconds of median wall time allowed (None: measured, not judged)."""

    def argv(self) -> list[str]:
        """The child process's command line."""
        if self.label == IMPORT_ONLY.label:
            return [sys.executable, "-c", f"import {MODULE}"]
        return [sys.executable, "-m", "typedsignals", *self.args]


COMMANDS: tuple[Command, ...] = (
    Command("list --json", ("list", MODULE, "--json", "-o", "list.json"), 2.0),
    Command("export jsonschema", ("export", MODULE, "-o", "export.schema.json"), 2.0),
    Command(
        "export asyncapi",
        ("export", MODULE, "--format", "asyncapi", "-o", "export.asyncapi.json"),
        2.0,
    ),
    Command("stubgen", ("stubgen", MODULE, "-o", "stubs"), 2.0),
    Command("codegen", ("codegen", DOCUMENT, "-o", "generated.py"), 10.0),
)
"""The commands the issue sets targets for, with those targets (seconds)."""

IMPORT_ONLY = Command("import the module", (), None)
"""The floor: ``python -c "import MODULE"``, what every command above pays first."""


@dataclass(frozen=True)
class Sample:
    """One run of a command."""

    wall: float
    cpu: float
    returncode: int
    stderr: str = ""


Runner = Callable[[Command, Path], Sample]


def child_environment() -> dict[str, str]:
    """The environment of every run: this one, with the repository importable."""
    env = dict(os.environ)
    path = env.get("PYTHONPATH")
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + path if path else "")
    return env


def run_command(command: Command, cwd: Path) -> Sample:
    """Run one command as a child process; its wall time and CPU time (user + system)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(
        command.argv(),
        cwd=cwd,
        env=child_environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Sample(wall, cpu, result.returncode, result.stderr)


def schedule(commands: Sequence[Command], repeats: int) -> list[list[Command]]:
    """Every command once per repetition, the order rotated by one each time."""
    count = len(commands)
    return [[commands[(start + i) % count] for i in range(count)] for start in range(repeats)]


def prepare(folder: Path, signals: int, seed: int, runner: Runner) -> None:
    """Write the module and the document codegen reads; warm the bytecode cache.

    Raises:
        RuntimeError: A command failed (its error output is in the message).
    """
    (folder / f"{MODULE}.py").write_text(render(signals, seed=seed), encoding="utf-8")
    exporting = Command("prepare", ("export", MODULE, "-o", DOCUMENT), None)
    for command in (exporting, IMPORT_ONLY, *COMMANDS):
        _checked(command, runner(command, folder))


def _checked(command: Command, sample: Sample) -> Sample:
    if sample.returncode != 0:
        raise RuntimeError(
            f"{command.label!r} exited with {sample.returncode}: {sample.stderr.strip()}"
        )
    return sample


def measure(
    folder: Path,
    repeats: int,
    runner: Runner = run_command,
    progress: Callable[[str], None] | None = None,
) -> dict[str, list[Sample]]:
    """The samples of every command (and of the import alone), by label."""
    samples: dict[str, list[Sample]] = {c.label: [] for c in (IMPORT_ONLY, *COMMANDS)}
    for number, order in enumerate(schedule((IMPORT_ONLY, *COMMANDS), repeats), start=1):
        for command in order:
            samples[command.label].append(_checked(command, runner(command, folder)))
        if progress is not None:
            progress(f"repetition {number}/{repeats} done (load {load_average()})")
    return samples


def summarise(samples: Mapping[str, Sequence[Sample]]) -> list[dict[str, Any]]:
    """One row per command: medians, minimum, target and verdict."""
    rows: list[dict[str, Any]] = []
    for command in (IMPORT_ONLY, *COMMANDS):
        runs = samples[command.label]
        median = statistics.median(s.wall for s in runs)
        rows.append(
            {
                "command": command.label,
                "argv": ["typedsignals", *command.args] if command.args else command.argv()[1:],
                "runs": len(runs),
                "median_wall_s": round(median, 3),
                "min_wall_s": round(min(s.wall for s in runs), 3),
                "median_cpu_s": round(statistics.median(s.cpu for s in runs), 3),
                "target_s": command.target,
                "meets_target": None if command.target is None else median <= command.target,
            }
        )
    return rows


def _versions() -> dict[str, str]:
    found: dict[str, str] = {}
    for name in ("typedsignals", "pydantic", "pydantic-core"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def render_report(report: Mapping[str, Any]) -> str:
    """The results as a text table."""
    machine = report["machine"]
    lines = [
        f"typedsignals catalog commands on a module of {report['signals']} signals "
        f"(seed {report['seed']}), {report['repeats']} runs each",
        f"{machine['cpu']} x{machine['cpu_count']}, {machine['python']}, "
        f"pydantic {report['versions']['pydantic']}, load {machine['load_average']} "
        f"-> {report['load_after']}",
        "",
        f"{'command':<20} {'median s':>9} {'min s':>7} {'cpu s':>7} {'target s':>9}  verdict",
    ]
    for row in report["rows"]:
        target = "" if row["target_s"] is None else f"{row['target_s']:.1f}"
        verdict = {None: "(floor)", True: "ok", False: "OVER"}[row["meets_target"]]
        lines.append(
            f"{row['command']:<20} {row['median_wall_s']:>9.3f} {row['min_wall_s']:>7.3f} "
            f"{row['median_cpu_s']:>7.3f} {target:>9}  {verdict}"
        )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None, runner: Runner = run_command) -> int:
    """Run the benchmark; exit status 1 with ``--check`` when a target is missed."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.catalog",
        description="Time the typedsignals catalog commands on a generated signal module.",
    )
    parser.add_argument(
        "--signals", type=int, default=DEFAULT_SIGNALS, help="signals in the module (1000)"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="the generator's seed")
    parser.add_argument("--repeats", type=int, default=7, help="timed runs of each command (7)")
    parser.add_argument("--json", metavar="FILE", type=Path, help="also write the results as JSON")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when a median misses its target"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines on standard error")
    args = parser.parse_args(argv)
    if args.signals < 1 or args.repeats < 1:
        parser.error("--signals and --repeats must be at least 1")

    def progress(text: str) -> None:
        if not args.quiet:
            print(text, file=sys.stderr)

    machine = machine_info()
    with tempfile.TemporaryDirectory(prefix="typedsignals-catalog-bench-") as folder:
        progress(f"generating {args.signals} signals and warming up in {folder}")
        prepare(Path(folder), args.signals, args.seed, runner)
        samples = measure(Path(folder), args.repeats, runner, progress)
    report: dict[str, Any] = {
        "benchmark": "catalog",
        "issue": 18,
        "signals": args.signals,
        "seed": args.seed,
        "repeats": args.repeats,
        "machine": machine,
        "load_after": load_average(),
        "versions": _versions(),
        "rows": summarise(samples),
        "samples": {label: [asdict(s) for s in runs] for label, runs in samples.items()},
    }
    print(render_report(report), end="")
    if args.json is not None:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    missed = [row["command"] for row in report["rows"] if row["meets_target"] is False]
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
