"""``python -m benchmarks.mypy_plugin``: what the ``typedsignals.mypy`` plugin costs mypy (#17).

The issue's targets: on a corpus of 200 modules that declare, send and receive signals
(:mod:`benchmarks._mypy_corpus`), mypy with the plugin takes at most 1.15 times as long
as mypy without it on a cold cache, and at most 1.10 times on a warm cache, measured in
the same run. The same comparison is made with pydantic's plugin enabled in both
configurations (both plugins against ``pydantic.mypy`` alone).

Method:

* Every configuration is a generated TOML config file (``--config-file``), so nothing
  in the repository's ``pyproject.toml`` or the caller's environment (``MYPYPATH``,
  ``MYPY_CACHE_DIR``...) changes what mypy does; only the ``plugins`` line differs.
* mypy runs as a child process, ``python -m mypy``, from this interpreter, with the
  same environment for every run. The time of a run is the child's wall time (what a
  user waits for), start-up and plugin import included; its CPU time is recorded too.
* A *cold* run starts from a cache directory that does not exist yet; each cold run is
  followed by ``warm_runs`` *warm* runs on the cache it wrote, with nothing changed.
* Each repetition runs every configuration once, in an order rotated by one at each
  repetition, so a slow phase of the machine, or a drift, hits them all alike.
* Reported: the median over the repetitions of each configuration's cold times and of
  its warm times, and the ratio of the medians (plugin / no plugin). The median of the
  ratios within each repetition (``paired``) and the ratio of the CPU-time medians
  (``cpu``) are printed beside it as cross-checks: on a busy machine the wall-time
  ratio wanders more than either (the targets are judged on wall time all the same).
* Each run's diagnostics are kept: a run with errors, or a warm run whose output differs
  from the cold run before it, is listed in the notes (the issue asks for identical
  diagnostics warm and cold).

No test checks these timings (the machine is shared and noisy): ``--check`` is for a
quiet machine, by hand.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from ._mypy_corpus import PACKAGE, generate
from .results import load_average, machine_info

__all__ = [
    "COMPARISONS",
    "LIMITS",
    "PHASES",
    "PLUGIN",
    "PYDANTIC_PLUGIN",
    "VARIANTS",
    "Comparison",
    "Figure",
    "Measurement",
    "Run",
    "Variant",
    "child_environment",
    "compare",
    "config_text",
    "main",
    "measure",
    "mypy_command",
    "render",
    "run_mypy",
    "schedule",
]

ROOT = Path(__file__).resolve().parent.parent
PLUGIN = "typedsignals.mypy"
PYDANTIC_PLUGIN = "pydantic.mypy"
Phase = Literal["cold", "warm"]
PHASES: tuple[Phase, ...] = ("cold", "warm")
LIMITS: dict[Phase, float] = {"cold": 1.15, "warm": 1.10}
"""The issue's bounds on plugin / no plugin, per phase."""
Verdict = Literal["pass", "miss", "n/a"]
Clock = Literal["wall", "cpu"]
_SCRUBBED = ("MYPYPATH", "MYPY_CACHE_DIR", "MYPY_NUM_WORKERS", "MYPY_FORCE_COLOR")
"""Environment variables that would change what mypy does or where it caches."""


@dataclass(frozen=True)
class Variant:
    """One mypy configuration: its key in the results and the plugins it enables."""

    key: str
    plugins: tuple[str, ...]


VARIANTS = (
    Variant("mypy", ()),
    Variant("mypy+typedsignals", (PLUGIN,)),
    Variant("pydantic", (PYDANTIC_PLUGIN,)),
    Variant("pydantic+typedsignals", (PYDANTIC_PLUGIN, PLUGIN)),
)
"""Every configuration timed, in the order of the first repetition."""


@dataclass(frozen=True)
class Comparison:
    """A row of the targets: a configuration with the plugin against one without."""

    label: str
    base: str
    plugin: str


COMPARISONS = (
    Comparison(f"{PLUGIN} / no plugin", "mypy", "mypy+typedsignals"),
    Comparison(
        f"{PYDANTIC_PLUGIN} + {PLUGIN} / {PYDANTIC_PLUGIN}", "pydantic", "pydantic+typedsignals"
    ),
)


@dataclass(frozen=True)
class Run:
    """One mypy run: how long it took and what it said."""

    seconds: float
    cpu_seconds: float | None
    returncode: int
    output: str


Runner = Callable[[Sequence[str], Path, Mapping[str, str]], Run]


@dataclass
class Measurement:
    """Every run of one configuration: ``cold[i]`` and ``warm[i]`` are repetition ``i``."""

    variant: Variant
    unavailable: str = ""
    """Why the configuration was not run (a plugin that cannot be imported), or ``""``."""
    cold: list[Run] = field(default_factory=list)
    warm: list[list[Run]] = field(default_factory=list)

    def seconds(self, phase: Phase, clock: Clock = "wall") -> list[float]:
        """One time per repetition: the cold run's, or the median of the warm runs'.

        ``clock="cpu"`` gives the child's CPU time instead, or ``[]`` where it is unknown.
        """
        per_repetition = [[run] for run in self.cold] if phase == "cold" else self.warm
        times = []
        for runs in per_repetition:
            values = [run.seconds if clock == "wall" else run.cpu_seconds for run in runs]
            if not values or None in values:
                return []
            times.append(statistics.median(value for value in values if value is not None))
        return times

    def median(self, phase: Phase, clock: Clock = "wall") -> float | None:
        """The median time of ``phase`` over the repetitions, or ``None`` if not run."""
        times = self.seconds(phase, clock)
        return statistics.median(times) if times else None

    def broken(self) -> str:
        """Why the timings cannot be trusted (mypy failed to run), or ``""``."""
        if self.unavailable:
            return self.unavailable
        runs = [*self.cold, *(run for runs in self.warm for run in runs)]
        crashed = [run for run in runs if run.returncode not in (0, 1)]
        if crashed:
            return f"mypy exited with {crashed[0].returncode}: {_last_line(crashed[0].output)}"
        if not self.cold:
            return "not run"
        return ""


@dataclass(frozen=True)
class Figure:
    """One comparison in one phase: the medians, their ratio and the verdict."""

    comparison: Comparison
    phase: Phase
    base: float | None
    plugin: float | None
    ratio: float | None
    paired: float | None
    limit: float
    verdict: Verdict
    reason: str = ""
    cpu_ratio: float | None = None
    """The same ratio of medians in CPU time, which other processes disturb less."""


def _last_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[-1] if lines else "no output"


# -- configurations and commands ------------------------------------------------------


def config_text(variant: Variant) -> str:
    """The mypy config file of a configuration (TOML, as in a ``pyproject.toml``)."""
    lines = ["[tool.mypy]", "strict = true"]
    if variant.plugins:
        lines.append("plugins = [" + ", ".join(f'"{name}"' for name in variant.plugins) + "]")
    return "\n".join(lines) + "\n"


def mypy_command(python: str, config: Path, cache_dir: Path) -> list[str]:
    """The command line of one run over the corpus, with its own config and cache."""
    return [
        python,
        "-m",
        "mypy",
        "--config-file",
        str(config),
        "--cache-dir",
        str(cache_dir),
        PACKAGE,
    ]


def child_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The environment of every run: ``environ`` without mypy's variables, one hash seed.

    A fixed ``PYTHONHASHSEED`` makes set and dict orders, and so the work mypy does, the
    same from run to run.
    """
    env = {key: value for key, value in environ.items() if key not in _SCRUBBED}
    env["PYTHONHASHSEED"] = "0"
    return env


def _children_cpu() -> float | None:
    """CPU seconds used so far by finished child processes, or ``None`` (Windows)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows has no resource module
        return None
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_mypy(command: Sequence[str], cwd: Path, env: Mapping[str, str]) -> Run:
    """Run ``command`` and time it (wall time, and the child's CPU time where known)."""
    cpu_before = _children_cpu()
    started = time.perf_counter()
    completed = subprocess.run(
        list(command),
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    seconds = time.perf_counter() - started
    cpu_after = _children_cpu()
    cpu = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
    return Run(seconds, cpu, completed.returncode, completed.stdout + completed.stderr)


def _importable(python: str, module: str, env: Mapping[str, str]) -> str:
    """``""`` if ``module`` imports in the child interpreter, else the error."""
    try:
        completed = subprocess.run(
            [python, "-c", f"import {module}"],
            env=dict(env),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    except OSError as exc:  # no such interpreter (--python)
        return f"{module} cannot be imported: {python}: {exc.strerror}"
    if completed.returncode == 0:
        return ""
    return f"{module} cannot be imported: {_last_line(completed.stderr)}"


# -- measuring ------------------------------------------------------------------------


def schedule(variants: Sequence[Variant], repeats: int) -> list[list[Variant]]:
    """The order of the configurations in each repetition, rotated by one each time."""
    count = len(variants)
    return [
        [variants[(start + offset) % count] for offset in range(count)]
        for start in (repetition % count if count else 0 for repetition in range(repeats))
    ]


def measure(
    workdir: Path,
    variants: Sequence[Variant],
    repeats: int,
    warm_runs: int,
    *,
    python: str = sys.executable,
    runner: Runner = run_mypy,
    environ: Mapping[str, str] = os.environ,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Measurement]:
    """Time mypy over the corpus in ``workdir`` in each configuration, interleaved.

    ``workdir`` holds the ``shopapp`` package; the configs and the caches are written
    beside it. Configurations whose plugins do not import are marked unavailable.
    """
    env = child_environment(environ)
    results = {variant.key: Measurement(variant) for variant in variants}
    plugins = {name for variant in variants for name in variant.plugins}
    errors = {name: _importable(python, name, env) for name in sorted(plugins)}
    configs = workdir / "configs"
    configs.mkdir(exist_ok=True)
    for variant in variants:
        missing = [errors[name] for name in variant.plugins if errors[name]]
        results[variant.key].unavailable = "; ".join(missing)
        (configs / f"{variant.key}.toml").write_text(config_text(variant), encoding="utf-8")
    caches = workdir / "caches"
    for repetition, order in enumerate(schedule(variants, repeats)):
        for variant in order:
            measurement = results[variant.key]
            if measurement.unavailable:
                continue
            cache = caches / f"{variant.key}-{repetition}"
            command = mypy_command(python, configs / f"{variant.key}.toml", cache)
            cold = runner(command, workdir, env)
            warm = [runner(command, workdir, env) for _ in range(warm_runs)]
            measurement.cold.append(cold)
            measurement.warm.append(warm)
            shutil.rmtree(cache, ignore_errors=True)  # 200 modules' cache: tens of MB
            if progress is not None:
                warm_text = " ".join(f"{run.seconds:.2f}" for run in warm)
                progress(
                    f"{repetition + 1}/{repeats} {variant.key}: cold {cold.seconds:.2f} s, "
                    f"warm {warm_text} s"
                )
    return results


# -- judging and reporting ------------------------------------------------------------


def _paired(base: Measurement, plugin: Measurement, phase: Phase) -> float | None:
    ratios = [
        with_plugin / without
        for without, with_plugin in zip(base.seconds(phase), plugin.seconds(phase))
        if without > 0
    ]
    return statistics.median(ratios) if ratios else None


def compare(
    results: Mapping[str, Measurement], comparisons: Sequence[Comparison] = COMPARISONS
) -> list[Figure]:
    """Every comparison in every phase, judged against :data:`LIMITS`."""
    figures = []
    for comparison in comparisons:
        base, plugin = results.get(comparison.base), results.get(comparison.plugin)
        for phase in PHASES:
            limit = LIMITS[phase]
            if base is None or plugin is None:
                figures.append(
                    Figure(comparison, phase, None, None, None, None, limit, "n/a", "not run")
                )
                continue
            reason = "; ".join(
                f"{m.variant.key}: {m.broken()}" for m in (base, plugin) if m.broken()
            )
            without, with_plugin = base.median(phase), plugin.median(phase)
            if reason or not without or with_plugin is None:
                figures.append(
                    Figure(
                        comparison,
                        phase,
                        without,
                        with_plugin,
                        None,
                        None,
                        limit,
                        "n/a",
                        reason or "no time",
                    )
                )
                continue
            ratio = with_plugin / without
            verdict: Verdict = "pass" if ratio <= limit else "miss"
            paired = _paired(base, plugin, phase)
            cpu_without, cpu_with = base.median(phase, "cpu"), plugin.median(phase, "cpu")
            cpu = cpu_with / cpu_without if cpu_without and cpu_with is not None else None
            figures.append(
                Figure(
                    comparison, phase, without, with_plugin, ratio, paired, limit, verdict, "", cpu
                )
            )
    return figures


def notes(results: Mapping[str, Measurement]) -> list[str]:
    """What a reader must know about the runs: errors reported, warm output differing."""
    found = []
    for key, measurement in results.items():
        broken = measurement.broken()
        if broken:
            found.append(
                f"{key}: not timed: {broken}" if measurement.unavailable else f"{key}: {broken}"
            )
            continue
        errors = [run for run in measurement.cold if run.returncode == 1]
        if errors:
            found.append(
                f"{key}: mypy reported errors in {len(errors)} of {len(measurement.cold)} cold "
                f"runs: {_last_line(errors[0].output)}; first: {errors[0].output.splitlines()[0]}"
            )
        differing = sum(
            run.output != cold.output
            for cold, warm in zip(measurement.cold, measurement.warm)
            for run in warm
        )
        if differing:
            found.append(
                f"{key}: {differing} warm runs printed other diagnostics than the cold run"
            )
    return found


_VERSIONS_CHILD = """\
import json, platform
from importlib import metadata
found = {"python": platform.python_implementation() + " " + platform.python_version()}
for name in ("pydantic", "typedsignals"):
    try:
        found[name] = metadata.version(name)
    except metadata.PackageNotFoundError:  # on the path without being installed
        try:
            found[name] = __import__(name).__version__ + " (not installed, on the path)"
        except Exception:
            found[name] = "not installed"
print(json.dumps(found))
"""


def _versions(python: str) -> dict[str, str]:
    """What the interpreter that runs mypy has: mypy (compiled or not), Python, pydantic."""
    try:
        mypy = subprocess.run(
            [python, "-m", "mypy", "--version"],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        others = subprocess.run(
            [python, "-c", _VERSIONS_CHILD],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    except OSError as exc:  # no such interpreter (--python): the runs will say so too
        return {"python": f"{python}: {exc.strerror}"}
    # "mypy 1.11.0 (compiled: yes)": the name is printed beside it already
    found = {"mypy": (mypy.stdout.strip() or _last_line(mypy.stderr)).removeprefix("mypy ")}
    if others.returncode == 0:
        found.update(json.loads(others.stdout))
    else:
        found["python"] = f"unknown ({_last_line(others.stderr)})"
    git = subprocess.run(
        ["git", "describe", "--always", "--dirty"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if git.returncode == 0:
        found["commit"] = git.stdout.strip()
    return found


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}x"


def _table(head: Sequence[str], body: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(line[i]) for line in [head, *body]) for i in range(len(head))]

    def line(cells: Sequence[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = (cell.rjust(width) for cell, width in zip(cells[1:], widths[1:]))
        return "  ".join([first, *rest]).rstrip()

    rule = "-" * len(line(["-" * width for width in widths]))
    return [line(head), rule, *(line(cells) for cells in body), rule]


def render(report: Mapping[str, Any]) -> str:
    """The report as text: the header, the times, the targets and the notes."""
    settings, machine, versions = report["settings"], report["machine"], report["versions"]
    lines = [
        f"typedsignals mypy plugin benchmark (#17), {machine['date']}: "
        f"{settings['modules']} modules ({settings['lines']:,} lines, seed {settings['seed']}), "
        f"{settings['repeats']} repetitions in rotated order, each a cold run and "
        f"{settings['warm_runs']} warm runs; medians of wall time",
        f"machine: {machine['platform']}; {machine['cpu']}; {machine['cpu_count']} CPUs; "
        f"{machine['python']}",
        f"load average (1/5/15 min): {machine['load_average']} before, "
        f"{machine.get('load_average_after', 'unknown')} after",
        "versions: " + ", ".join(f"{name} {value}" for name, value in versions.items()),
        "",
    ]
    body = []
    for key, data in report["variants"].items():
        plugins = ", ".join(data["plugins"]) or "(none)"
        if data["unavailable"]:
            body.append([key, plugins, "n/a", "n/a"])
        else:
            body.append(
                [key, plugins, _seconds(data["median"]["cold"]), _seconds(data["median"]["warm"])]
            )
    lines += _table(["configuration", "plugins", "cold (s)", "warm (s)"], body)
    lines.append("")
    body = [
        [
            figure["label"],
            figure["phase"],
            _ratio(figure["ratio"]),
            _ratio(figure["paired"]),
            _ratio(figure["cpu_ratio"]),
            f"<= {figure['limit']:.2f}x",
            figure["verdict"].upper() + (f" ({figure['reason']})" if figure["reason"] else ""),
        ]
        for figure in report["figures"]
    ]
    met = sum(figure["verdict"] == "pass" for figure in report["figures"])
    lines.append(f"Targets ({met} of {len(report['figures'])} met):")
    lines += _table(
        ["with plugin / without", "cache", "ratio", "paired", "cpu", "target", "verdict"], body
    )
    lines += textwrap.wrap(
        "ratio (judged): median wall time with the plugin / median without; paired: median "
        "of the same ratio within each repetition; cpu: the ratio of the medians of the "
        "child's CPU time, which other processes on the machine disturb less.",
        100,
    )
    if report["notes"]:
        lines += ["", "Notes:", *(f"  {note}" for note in report["notes"])]
    return "\n".join(lines) + "\n"


def _report(
    settings: Mapping[str, Any],
    machine: Mapping[str, Any],
    versions: Mapping[str, str],
    results: Mapping[str, Measurement],
) -> dict[str, Any]:
    """Everything a run found, as JSON-ready data (what ``--json`` writes)."""
    figures = compare(results)
    return {
        "settings": dict(settings),
        "machine": dict(machine),
        "versions": dict(versions),
        "variants": {
            key: {
                "plugins": list(m.variant.plugins),
                "unavailable": m.unavailable,
                "median": {phase: m.median(phase) for phase in PHASES},
                "cold": [asdict(run) for run in m.cold],
                "warm": [[asdict(run) for run in runs] for runs in m.warm],
            }
            for key, m in results.items()
        },
        "figures": [
            {
                "label": f.comparison.label,
                "base": f.comparison.base,
                "plugin": f.comparison.plugin,
                "phase": f.phase,
                "base_seconds": f.base,
                "plugin_seconds": f.plugin,
                "ratio": f.ratio,
                "paired": f.paired,
                "cpu_ratio": f.cpu_ratio,
                "limit": f.limit,
                "verdict": f.verdict,
                "reason": f.reason,
            }
            for f in figures
        ],
        "notes": notes(results),
    }


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.mypy_plugin",
        description="Time mypy on a generated application with and without the "
        "typedsignals.mypy plugin (and with pydantic.mypy), cold and warm cache, interleaved.",
    )
    parser.add_argument("--modules", type=int, default=200, help="modules in the corpus (200)")
    parser.add_argument("--seed", type=int, default=0, help="the corpus generator's seed (0)")
    parser.add_argument("--repeats", type=int, default=10, help="repetitions (10)")
    parser.add_argument(
        "--warm-runs", type=int, default=3, help="warm runs after each cold run (3)"
    )
    parser.add_argument("--json", metavar="FILE", type=Path, help="also write the results as JSON")
    parser.add_argument(
        "--keep",
        metavar="DIR",
        type=Path,
        help="work in DIR (corpus, configs) and keep it, instead of a temporary directory",
    )
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if a target is missed (n/a counts)"
    )
    parser.add_argument(
        "--python",
        metavar="PATH",
        default=sys.executable,
        help="the interpreter that runs mypy (another virtualenv, for another mypy "
        "version); typedsignals must be installed there. Default: this one",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines on standard error")
    return parser


def main(argv: Sequence[str] | None = None, runner: Runner = run_mypy) -> int:
    """Entry point of ``python -m benchmarks.mypy_plugin``; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.repeats < 1 or args.warm_runs < 1:
        parser.error("--repeats and --warm-runs must be at least 1")

    def progress(message: str) -> None:
        if not args.quiet:
            print(message, file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="mypy-plugin-bench-") as temporary:
        workdir = Path(temporary) if args.keep is None else args.keep
        if args.keep is not None and (workdir / PACKAGE).exists():
            shutil.rmtree(workdir / PACKAGE)  # a corpus left by an earlier run
        workdir.mkdir(parents=True, exist_ok=True)
        try:
            files = generate(workdir, args.modules, args.seed)
        except ValueError as exc:
            parser.error(str(exc))
        lines = sum(len(path.read_text(encoding="utf-8").splitlines()) for path in files)
        machine = machine_info()
        versions = _versions(args.python)
        started = time.perf_counter()
        results = measure(
            workdir,
            VARIANTS,
            args.repeats,
            args.warm_runs,
            python=args.python,
            runner=runner,
            progress=progress,
        )
        machine["load_average_after"] = load_average()
    settings = {
        "modules": args.modules,
        "seed": args.seed,
        "lines": lines,
        "repeats": args.repeats,
        "warm_runs": args.warm_runs,
        "measure_seconds": round(time.perf_counter() - started, 1),
        "finished": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }
    report = _report(settings, machine, versions, results)
    sys.stdout.write(render(report))
    if args.json is not None:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    if args.check:
        return 1 if any(figure["verdict"] != "pass" for figure in report["figures"]) else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
