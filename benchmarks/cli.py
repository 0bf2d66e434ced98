"""``python -m benchmarks``: run the workloads, print the table, check the targets."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from importlib import metadata
from pathlib import Path

from . import flask_request, imports, memory, scale, workloads
from .adapters import Adapter, load_adapters
from .report import render
from .results import WORKLOAD_ROWS, Results, Row, Settings, load_average, machine_info
from .targets import evaluate

__all__ = ["MODES", "WORKLOADS", "main", "run"]

MODES: dict[str, Settings] = {
    "full": Settings(
        mode="full",
        repeats=20,
        min_time=0.04,
        factor_repeats=200,
        factor_min_time=0.002,
        memory_receivers=10_000,
        memory_repeats=2,
        import_samples=20,
        flask_rounds=3,
        flask_repeats=10,
        flask_min_time=0.05,
        filter_senders=1_000,
        growth_signals=1_000,
        growth_senders=1_000,
        scale_large=10_000,
        scale_huge=100_000,
        bulk_receivers=30_000,
    ),
    "quick": Settings(
        mode="quick",
        repeats=5,
        min_time=0.01,
        factor_repeats=50,
        factor_min_time=0.002,
        memory_receivers=2_000,
        memory_repeats=1,
        import_samples=4,
        flask_rounds=1,
        flask_repeats=4,
        flask_min_time=0.03,
        filter_senders=1_000,
        growth_signals=1_000,
        growth_senders=1_000,
        scale_large=10_000,
        scale_huge=100_000,
        bulk_receivers=30_000,
    ),
    "smoke": Settings(
        mode="smoke",
        repeats=1,
        min_time=0.0002,
        factor_repeats=1,
        factor_min_time=0.0002,
        memory_receivers=50,
        memory_repeats=1,
        import_samples=1,
        flask_rounds=1,
        flask_repeats=1,
        flask_min_time=0.001,
        filter_senders=20,
        growth_signals=10,
        growth_senders=10,
        scale_large=20,
        scale_huge=50,
        bulk_receivers=30,
    ),
}
"""Run sizes: ``full`` (the default, 2 to 2.5 minutes), ``--quick`` and ``--smoke``."""

Workload = Callable[[Sequence[Adapter], Settings], list[Row]]

WORKLOADS: dict[str, Workload] = {
    **{f"send-{n}": workloads.send(n) for n in workloads.SEND_COUNTS},
    "send-filtered": workloads.send_filtered,
    "connect-disconnect": workloads.connect_disconnect,
    "connect-scale": scale.connect_scale,
    "connect-bulk": scale.connect_bulk,
    "memory": memory.memory,
    "import": imports.imports,
    "send-async": workloads.send_async,
    "flask": flask_request.flask,
    "growth": workloads.growth,
}
"""Every workload by id, in table order (the rows each produces: ``WORKLOAD_ROWS``)."""

_OTHER_VERSIONS = ("pydantic", "pydantic-core", "Flask", "Werkzeug")


def _versions() -> dict[str, str]:
    found = {}
    for name in _OTHER_VERSIONS:
        try:
            found[name.lower()] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name.lower()] = "not installed"
    return found


def run(
    settings: Settings,
    only: Sequence[str] = (),
    progress: Callable[[str], None] | None = None,
) -> Results:
    """Run the selected workloads (all by default) and collect their rows."""
    adapters = load_adapters()
    machine = machine_info()
    machine["other_versions"] = _versions()
    results = Results(
        settings=settings,
        libraries={
            adapter.name: {
                "column": adapter.column,
                "available": adapter.available,
                "version": adapter.version() if adapter.available else None,
                "error": adapter.error,
            }
            for adapter in adapters
        },
        machine=machine,
    )
    with ExitStack() as stack:
        for adapter in adapters:
            if adapter.available:
                stack.enter_context(adapter.session())
        for workload, function in WORKLOADS.items():
            if only and workload not in only:
                continue
            started = time.perf_counter()
            results.rows.extend(function(adapters, settings))
            if progress is not None:
                progress(f"{workload}: {time.perf_counter() - started:.1f} s")
    machine["load_average_after"] = load_average()
    return results


def _only(values: Sequence[str] | None) -> list[str]:
    chosen = [name.strip() for value in values or () for name in value.split(",") if name]
    unknown = [name for name in chosen if name not in WORKLOADS]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown workload {', '.join(unknown)}; choose from {', '.join(WORKLOADS)}"
        )
    return chosen


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Benchmark typedsignals against blinker, psygnal and django.dispatch "
        "on the same workloads, interleaved, in one run.",
        epilog="The mypy plugin's cost (issue #17) is measured separately: "
        "python -m benchmarks.mypy_plugin --help.",
    )
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="fewer repeats and samples: about 15 s")
    size.add_argument(
        "--smoke", action="store_true", help="tiny counts, no targets (for the test suite)"
    )
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if a target is missed (n/a counts)"
    )
    parser.add_argument("--json", metavar="FILE", type=Path, help="also write results as JSON")
    parser.add_argument(
        "--only",
        metavar="WORKLOAD",
        action="append",
        help=f"run only these workloads (repeat or comma-separate): {', '.join(WORKLOADS)}",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines on standard error")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m benchmarks``; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        only = _only(args.only)
    except argparse.ArgumentTypeError as exc:
        parser.error(str(exc))
    if args.smoke and args.check:
        parser.error("--smoke has no thresholds; --check needs a full or --quick run")
    settings = MODES["smoke" if args.smoke else "quick" if args.quick else "full"]

    def progress(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    results = run(settings, only, None if args.quiet else progress)
    ran = {workload for workload in WORKLOADS if not only or workload in only}
    outcomes = [] if args.smoke else evaluate(results, ran)
    sys.stdout.write(render(results, outcomes))
    if args.json is not None:
        data = results.to_json()
        data["targets"] = [
            {"target": o.target.label, "verdict": o.verdict, "measured": o.measured}
            for o in outcomes
        ]
        args.json.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    if args.check:
        missed = [o for o in outcomes if o.verdict != "pass"]
        for outcome in missed:
            print(
                f"missed: {outcome.target.label} ({outcome.verdict}: {outcome.measured})",
                file=sys.stderr,
            )
        return 1 if missed else 0
    return 0


assert set(WORKLOADS) == set(WORKLOAD_ROWS), "every workload lists its rows"
