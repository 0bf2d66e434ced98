"""``python -m benchmarks.observe``: what observability costs (issue #21).

One run times a send to 0, 1 and 10 receivers (the ``send-0``/``send-1``/``send-10``
workloads of ``python -m benchmarks``: a two-field payload validated on every heard
send, receivers that do nothing) for:

* **before**: the build before observability (commit :data:`BEFORE`), extracted with
  ``git archive`` and imported in a child process (skipped, with the reason, when the
  tree is not a git checkout);
* **off**: this build with everything off, timed the same way in a child process,
  alternating with *before* round by round, so the ratio off/before compares like with
  like (target: at most :data:`OFF_TARGET`);
* in this process, interleaved with the peers (blinker, psygnal, django.dispatch):
  **off** again, **metrics** on (target at 10 receivers: at most
  :data:`METRICS_TARGET` of off; the default: counts exact, about one send in
  ``metrics.DEFAULT_TIME_EVERY`` timed), **metrics/1** (``time_every=1``: every call
  timed), **middleware** (a no-op :class:`~typedsignals.observe.Middleware`), and
  **tracing** (``typedsignals.otel``'s middleware with an SDK tracer provider that
  exports nowhere), when ``typedsignals.otel`` is importable.

Memory per connected receiver (``tracemalloc``, as ``python -m benchmarks``' memory
workload) is measured in both child processes: it must not change.

No test checks these timings (the machine is shared and noisy); tests/
test_benchmark_observe.py checks the report's shape.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any

from .adapters import TYPED, Adapter, TypedSignalsAdapter, load_adapters
from .memory import bytes_per_receiver
from .results import load_average, machine_info
from .timing import Case, measure
from .workloads import send_case

__all__ = [
    "BEFORE",
    "METRICS_TARGET",
    "OFF_TARGET",
    "RECEIVERS",
    "Figures",
    "main",
    "measure_build",
    "render",
    "run",
]

ROOT = Path(__file__).resolve().parent.parent
BEFORE = "b8ad2ce"
"""The last commit before observability (issue #21)."""
RECEIVERS = (0, 1, 10)
OFF_TARGET = 1.03
"""Off / before, every receiver count."""
METRICS_TARGET = 1.5
"""Metrics on / off, 10 receivers."""
MEMORY_RECEIVERS = 2_000


@dataclass(frozen=True)
class Mode:
    """How much work a run does."""

    rounds: int
    """Child-process rounds (before, off; alternating); the minimum is kept."""
    repeats: int
    min_time: float
    memory_receivers: int


MODES = {
    "quick": Mode(rounds=1, repeats=2, min_time=0.002, memory_receivers=200),
    "full": Mode(rounds=5, repeats=9, min_time=0.05, memory_receivers=MEMORY_RECEIVERS),
}


@dataclass
class Figures:
    """Nanoseconds per send by column and receiver count, bytes per receiver, ratios."""

    mode: str
    columns: dict[str, dict[str, float | None]] = field(default_factory=dict)
    """Column -> ``{"send-0": ns, ...}`` (None where a column could not run)."""
    skipped: dict[str, str] = field(default_factory=dict)
    """Column -> why it has no figures."""
    memory: dict[str, float | None] = field(default_factory=dict)
    """``before`` and ``off``: bytes per connected receiver."""
    ratios: dict[str, float | None] = field(default_factory=dict)
    machine: dict[str, Any] = field(default_factory=dict)

    def ratio(self, column: str, base: str, row: str) -> float | None:
        value = self.columns.get(column, {}).get(row)
        reference = self.columns.get(base, {}).get(row)
        if value is None or reference is None or reference <= 0:
            return None
        return value / reference


# -- the child process: one build, the send rows and memory ----------------------------


def measure_build(tree: str | None, mode: Mode) -> dict[str, Any]:
    """Time the send rows and measure memory for the typedsignals importable from
    ``tree`` (an extracted build; None: this build). Runs in a child process."""
    if tree is not None:
        sys.path.insert(0, tree)
    adapter = TypedSignalsAdapter()
    adapter.load()
    import typedsignals

    origin = str(Path(typedsignals.__file__).resolve().parent)
    with adapter.session():
        cases = {f"send-{n}": send_case(adapter, n) for n in RECEIVERS}
        try:
            timings = measure(cases, mode.repeats, mode.min_time)
        finally:
            for case in cases.values():
                case.close()
        memory = min(bytes_per_receiver(adapter, mode.memory_receivers, False) for _ in range(3))
    return {"origin": origin, "send": timings, "memory": memory}


def _child(tree: str | None, mode_name: str) -> dict[str, Any]:
    command = [sys.executable, "-m", "benchmarks.observe", "--child", "--mode", mode_name]
    if tree is not None:
        command += ["--tree", tree]
    env = {**os.environ, "TYPEDSIGNALS_STRICT": "0"}
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, check=True, env=env, timeout=600
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


@contextmanager
def before_tree() -> Iterator[tuple[str | None, str]]:
    """The build before observability, extracted: ``(path, "")``, or ``(None, why)``."""
    try:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", "--format=tar", BEFORE, "typedsignals"],
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        yield None, f"not a git checkout with commit {BEFORE} ({type(exc).__name__})"
        return
    with tempfile.TemporaryDirectory(prefix="typedsignals-before-") as tmp:
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            if hasattr(tarfile, "data_filter"):
                tar.extractall(tmp, filter="data")
            else:  # Pythons before the extraction filters (3.10.11 and older)
                tar.extractall(tmp)  # our own repository's archive
        yield tmp, ""


# -- this process: the variants and the peers -------------------------------------------


Configure = Callable[[Any], Callable[[], None]]
"""Switches a variant on for one signal; returns what switches it off."""


def _metrics(every: int | None) -> Configure:
    """Metrics on, timing about one send in ``every`` (None: the default)."""

    def configure(sig: Any) -> Callable[[], None]:
        from typedsignals import metrics

        if every is None:
            metrics.enable(sig)
        else:
            metrics.enable(sig, time_every=every)
        return lambda: metrics.disable(sig)

    return configure


def _middleware(sig: Any) -> Callable[[], None]:
    from typedsignals.observe import Middleware

    middleware = Middleware()
    sig.use_middleware(middleware)
    return lambda: sig.remove_middleware(middleware)


def _tracing(sig: Any) -> Callable[[], None]:
    otel = importlib.import_module("typedsignals.otel")
    from opentelemetry.sdk.trace import TracerProvider

    middleware = otel.TracingMiddleware(TracerProvider())  # spans made, exported nowhere
    sig.use_middleware(middleware)
    return lambda: sig.remove_middleware(middleware)


def _off(sig: Any) -> Callable[[], None]:
    return lambda: None


VARIANTS: dict[str, Configure] = {
    "off": _off,
    "metrics": _metrics(None),
    "metrics/1": _metrics(1),
    "middleware": _middleware,
    "tracing": _tracing,
}
"""The in-process columns of this build, by name."""


def _variant_case(adapter: Adapter, receivers: int, configure: Configure) -> Case:
    case = send_case(adapter, receivers)
    undo = configure(case.keep[0])  # send_case keeps the signal first
    cleanup = case.cleanup

    def close() -> None:
        undo()
        if cleanup is not None:
            cleanup()

    return Case(case.loop, case.keep, close)


def in_process(mode: Mode, figures: Figures) -> None:
    """Time the variants of this build and the peers, interleaved."""
    adapters = [adapter for adapter in load_adapters() if adapter.name != "typedsignals.blinker"]
    typed = next(adapter for adapter in adapters if adapter.name == TYPED)
    cases: dict[tuple[str, str], Case] = {}
    try:
        with typed.session():
            for name, configure in VARIANTS.items():
                try:
                    for n in RECEIVERS:
                        case = _variant_case(typed, n, configure)
                        cases[name, f"send-{n}"] = case
                        case.loop(1)
                except ImportError as exc:
                    figures.skipped[name] = f"{type(exc).__name__}: {exc}"
                    for n in RECEIVERS:
                        dropped = cases.pop((name, f"send-{n}"), None)
                        if dropped is not None:
                            dropped.close()
            for adapter in adapters:
                if adapter.name == TYPED:
                    continue
                if not adapter.available:
                    figures.skipped[adapter.name] = f"module not available: {adapter.error}"
                    continue
                for n in RECEIVERS:
                    cases[adapter.name, f"send-{n}"] = send_case(adapter, n)
            timings = measure(cases, mode.repeats, mode.min_time)
    finally:
        for case in cases.values():
            case.close()
    for (column, row), nanoseconds in timings.items():
        figures.columns.setdefault(column, {})[row] = nanoseconds


def run(mode_name: str = "full", *, before: bool = True) -> Figures:
    """The whole benchmark (see the module docstring)."""
    mode = MODES[mode_name]
    figures = Figures(mode_name, machine={**machine_info(), "load_average": load_average()})
    with before_tree() as (tree, why):
        if not before:
            tree, why = None, "skipped by --no-before"
        child: dict[str, list[dict[str, Any]]] = {"before": [], "off (child)": []}
        for _ in range(mode.rounds):
            if tree is not None:
                measured = _child(tree, mode_name)
                if not measured["origin"].startswith(str(Path(tree).resolve())):
                    raise RuntimeError(f"the before build came from {measured['origin']}")
                child["before"].append(measured)
            child["off (child)"].append(_child(None, mode_name))
    if tree is None:
        figures.skipped["before"] = why
    for column, results in child.items():
        if not results:
            continue
        rows = {f"send-{n}": min(r["send"][f"send-{n}"] for r in results) for n in RECEIVERS}
        figures.columns[column] = dict(rows)
        figures.memory[column] = min(r["memory"] for r in results)
    in_process(mode, figures)
    for n in RECEIVERS:
        row = f"send-{n}"
        figures.ratios[f"off/before {row}"] = figures.ratio("off (child)", "before", row)
    for name in ("metrics", "metrics/1", "middleware", "tracing"):
        for n in RECEIVERS:
            row = f"send-{n}"
            figures.ratios[f"{name}/off {row}"] = figures.ratio(name, "off", row)
    before_memory, off_memory = figures.memory.get("before"), figures.memory.get("off (child)")
    figures.ratios["memory off/before"] = (
        off_memory / before_memory if off_memory is not None and before_memory else None
    )
    return figures


# -- report -----------------------------------------------------------------------------

_PEERS = ("blinker", "psygnal", "django")
_TARGETS = {
    **{f"off/before send-{n}": OFF_TARGET for n in RECEIVERS},
    "metrics/off send-10": METRICS_TARGET,
}


def render(figures: Figures) -> str:
    """The plain-text report: a table of ns per send, then the ratios and targets."""
    columns = [
        "before",
        "off (child)",
        "off",
        *(name for name in VARIANTS if name != "off"),
        *_PEERS,
    ]
    head = ["ns per send", *columns]
    body = [
        [f"send-{n}"]
        + [_ns(figures.columns.get(column, {}).get(f"send-{n}")) for column in columns]
        for n in RECEIVERS
    ]
    widths = [max(len(line[i]) for line in [head, *body]) for i in range(len(head))]
    lines = [
        f"typedsignals observability cost, mode {figures.mode}, "
        f"load average {figures.machine.get('load_average', 'unknown')}",
        "",
        *("  ".join(cell.rjust(w) for cell, w in zip(line, widths)) for line in [head, *body]),
        "",
        "ratios (target in brackets):",
    ]
    for key, value in figures.ratios.items():
        target = _TARGETS.get(key)
        shown = "-" if value is None else f"{value:.3f}x"
        verdict = ""
        if target is not None and value is not None:
            verdict = f"  [<= {target}x: {'met' if value <= target else 'NOT met'}]"
        lines.append(f"  {key:<24} {shown}{verdict}")
    lines.append("")
    lines.append(
        "memory per connected receiver: "
        + ", ".join(f"{name} {_bytes(value)}" for name, value in figures.memory.items())
    )
    for column, why in figures.skipped.items():
        lines.append(f"  {column}: skipped ({why})")
    return "\n".join(lines)


def _ns(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def _bytes(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f} B"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.observe", description=__doc__)
    parser.add_argument("--mode", choices=sorted(MODES), default="full")
    parser.add_argument("--quick", action="store_const", const="quick", dest="mode")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--no-before", action="store_true", help="skip the before build")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--tree", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure_build(args.tree, MODES[args.mode])))
        return 0
    figures = run(args.mode, before=not args.no_before)
    print(json.dumps(asdict(figures), indent=2) if args.json else render(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
