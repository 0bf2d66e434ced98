"""``python -m benchmarks.docs_reference``: what the signal reference adds to a docs build (#19).

The issue's target: building the reference of 1,000 signals adds at most 3 s to a Sphinx
build and to a MkDocs build.

Method:

* A module of 1,000 signals is generated into a fresh temporary folder: each payload
  has four fields (a constrained ``int``, a described ``str``, an optional field and a
  list with a default factory), and every tenth signal has a receiver connected at
  import, so the sender-receiver map has rows.
* Two small projects per tool, alike but for one page: *with* the reference (Sphinx:
  ``.. autosignals::`` of the module; MkDocs: a ``::: typedsignals-reference`` marker
  with the plugin enabled) and *without* (the same page with its title only, the
  extension or plugin still enabled). The difference of their build times is what the
  reference adds: importing the module (pydantic builds 1,000 payload models), reading
  the catalog, rendering and writing the page.
* Every build is a fresh child process (``python -m sphinx -E -b html``, ``python -m
  mkdocs build``) into an empty output folder: what a user waits for, start-up
  included. The MkDocs plugin's entry point is declared by a distribution written to
  the same folder (as tests/docs does), whatever the installed typedsignals declares.
* One untimed build of each project first (bytecode caches), then ``--repeat``
  rounds; each round builds the four projects, alternating the order of *with* and
  *without*. Reported: the median and the minimum of each, and the difference of the
  medians, judged against the target.

No test checks these timings (the machine is shared and noisy): ``--check`` is for a
quiet machine, by hand.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Final

__all__ = ["TARGET_SECONDS", "Project", "generate_module", "main", "measure", "write_projects"]

TARGET_SECONDS: Final = 3.0
"""The most the reference of the module may add to a build (issue #19)."""
MODULE: Final = "bench_doc_signals"
"""The generated module's name."""

_ENTRY_POINT: Final = "[mkdocs.plugins]\ntypedsignals = typedsignals.mkdocs:SignalsPlugin\n"
_ROOT: Final = Path(__file__).resolve().parents[1]


def generate_module(signals: int) -> str:
    """Source of a module declaring ``signals`` signals, every tenth with a receiver."""
    lines = [
        f'"""{signals} generated signals for the docs reference benchmark."""',
        "",
        "from pydantic import Field",
        "",
        "from typedsignals import Payload, Signal",
        "",
    ]
    for index in range(signals):
        lines += [
            "",
            f"class Event{index}(Payload):",
            f'    """Payload of ``event-{index}``."""',
            "",
            '    item_id: int = Field(ge=1, description="The item\'s number.")',
            '    label: str = Field(max_length=80, description="A short label.")',
            "    note: str | None = None",
            "    tags: list[str] = Field(default_factory=list)",
            "",
            "",
            f'event_{index} = Signal("event-{index}", Event{index}, doc="Event number {index}.")',
        ]
        if index % 10 == 0:
            lines += [
                "",
                "",
                f"@event_{index}.connect",
                f"def on_event_{index}(sender: object, payload: Event{index}) -> None:",
                '    """A receiver (listed in the map)."""',
            ]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Project:
    """One project to build: its tool, whether it holds the reference, its folder."""

    tool: str
    reference: bool
    folder: Path

    @property
    def label(self) -> str:
        """``sphinx with``, ``mkdocs without``..."""
        return f"{self.tool} {'with' if self.reference else 'without'}"


def write_projects(root: Path, signals: int) -> list[Project]:
    """Write the module, the entry point and the four projects under ``root``."""
    (root / f"{MODULE}.py").write_text(generate_module(signals), encoding="utf-8")
    info = root / "typedsignals_docs_bench-0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: typedsignals-docs-bench\nVersion: 0\n"
    )
    (info / "entry_points.txt").write_text(_ENTRY_POINT)
    projects: list[Project] = []
    for reference in (True, False):
        suffix = "with" if reference else "without"
        sphinx = root / f"sphinx-{suffix}"
        sphinx.mkdir()
        (sphinx / "conf.py").write_text('project = "bench"\nextensions = ["typedsignals.sphinx"]\n')
        page = "Signals\n=======\n" + (f"\n.. autosignals:: {MODULE}\n" if reference else "")
        (sphinx / "index.rst").write_text(page)
        projects.append(Project("sphinx", reference, sphinx))
        mkdocs = root / f"mkdocs-{suffix}"
        (mkdocs / "docs").mkdir(parents=True)
        (mkdocs / "mkdocs.yml").write_text("site_name: bench\nplugins:\n  - typedsignals\n")
        page = "# Signals\n" + (f"\n::: typedsignals-reference {MODULE}\n" if reference else "")
        (mkdocs / "docs" / "index.md").write_text(page)
        projects.append(Project("mkdocs", reference, mkdocs))
    return projects


def build(project: Project, root: Path, out: Path) -> float:
    """Build ``project`` into ``out`` in a child process; return its wall time in seconds."""
    if project.tool == "sphinx":
        command = ["-m", "sphinx", "-E", "-q", "-b", "html", str(project.folder), str(out)]
    else:
        command = ["-m", "mkdocs", "build", "-q", "-f", str(project.folder / "mkdocs.yml")]
        command += ["-d", str(out)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), str(_ROOT)])}
    env["NO_MKDOCS_2_WARNING"] = "1"
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, *command], env=env, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{project.label}: the build failed:\n{result.stderr}")
    return elapsed


def measure(signals: int, repeat: int) -> dict[str, list[float]]:
    """Build every project ``repeat`` times (after one untimed build); times by label."""
    with tempfile.TemporaryDirectory(prefix="docs-bench-") as folder:
        root = Path(folder)
        projects = write_projects(root, signals)
        times: dict[str, list[float]] = {project.label: [] for project in projects}
        runs = 0

        def timed(project: Project) -> float:
            nonlocal runs
            runs += 1
            return build(project, root, root / f"out-{runs}")

        for project in projects:
            timed(project)
        for round_ in range(repeat):
            # "with" builds first in even rounds, "without" first in odd ones.
            first = round_ % 2 == 0
            for project in sorted(projects, key=lambda p: p.reference != first):
                times[project.label].append(timed(project))
        return times


def render_report(times: dict[str, list[float]], signals: int) -> tuple[str, bool]:
    """The report as text, and whether both tools meet the target."""
    versions = ", ".join(
        f"{name} {metadata.version(name)}" for name in ("sphinx", "mkdocs", "pydantic")
    )
    lines = [
        f"Docs reference of {signals} signals (issue #19): target +{TARGET_SECONDS:.1f} s",
        f"Python {platform.python_version()}, {versions}, {platform.machine()}, "
        f"{os.cpu_count()} CPUs, {time.strftime('%Y-%m-%d')}",
        "",
        f"{'build':<16}{'median':>9}{'min':>9}",
    ]
    for label, values in times.items():
        lines.append(f"{label:<16}{statistics.median(values):>8.2f}s{min(values):>8.2f}s")
    lines.append("")
    ok = True
    for tool in ("sphinx", "mkdocs"):
        added = statistics.median(times[f"{tool} with"]) - statistics.median(
            times[f"{tool} without"]
        )
        within = added <= TARGET_SECONDS
        ok = ok and within
        lines.append(f"{tool}: the reference adds {added:.2f} s ({'ok' if within else 'OVER'})")
    return "\n".join(lines) + "\n", ok


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the report; with ``--check``, exit 1 over target."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.docs_reference")
    parser.add_argument("--signals", type=int, default=1000, help="signals in the module")
    parser.add_argument("--repeat", type=int, default=5, help="timed rounds (default: 5)")
    parser.add_argument("--check", action="store_true", help="exit 1 when over the target")
    args = parser.parse_args(argv)
    report, ok = render_report(measure(args.signals, args.repeat), args.signals)
    print(report, end="")
    return 1 if args.check and not ok else 0


if __name__ == "__main__":
    raise SystemExit(main())
