"""``python -m benchmarks.tracing``: what causality ids and OpenTelemetry tracing cost (#21).

One signal, sent with 0, 1 and 10 plain receivers, in four states of the process:

* **off**: nothing installed (the default);
* **ids**: ``observe.track_ids()``;
* **traced**: ``otel.instrument()`` on an SDK tracer provider that samples every span
  and hands it to a ``BatchSpanProcessor`` whose exporter discards it (what a real
  exporter costs comes on top, on the processor's thread);
* **unsampled**: the same, with a sampler that records nothing (``ALWAYS_OFF``): the
  cost of the middleware path and of the non-recording spans alone.

The states are measured interleaved (:func:`benchmarks.timing.measure`); a state is
switched on before its loop and off after, outside the timed part. Figures are
nanoseconds per send (the minimum over repeats) and each state's ratio to **off**. A
send with no receiver returns before any middleware runs, so it costs the same in every
state. No test checks these timings (the machine is shared and noisy).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import asdict, dataclass
from typing import Any

from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF

from typedsignals import Payload, Signal, otel
from typedsignals.observe import track_ids

from .results import load_average, machine_info
from .timing import Case, measure, sync_loop

__all__ = ["STATES", "TracingFigures", "main", "render", "send_costs"]

RECEIVERS = (0, 1, 10)
"""How many receivers each measured send has."""


class Event(Payload):
    """The payload of the measured signal."""

    n: int


def noop(sender: object, payload: Event) -> None:
    """A receiver that does nothing: the figures are the signal's own cost."""


class _Discard(SpanExporter):
    """An exporter that drops what it is given."""

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return SpanExportResult.SUCCESS


@contextmanager
def _off() -> Iterator[None]:
    yield


@contextmanager
def _ids() -> Iterator[None]:
    track_ids()
    try:
        yield
    finally:
        track_ids(False)


def _traced(provider: TracerProvider) -> Callable[[], AbstractContextManager[None]]:
    @contextmanager
    def state() -> Iterator[None]:
        otel.instrument(provider)
        try:
            yield
        finally:
            otel.uninstrument()

    return state


def _provider(sampled: bool) -> TracerProvider:
    provider = TracerProvider() if sampled else TracerProvider(sampler=ALWAYS_OFF)
    provider.add_span_processor(BatchSpanProcessor(_Discard()))
    return provider


STATES = ("off", "ids", "traced", "unsampled")
"""The states of the process measured, in report order."""


@dataclass
class TracingFigures:
    """Nanoseconds per send, by state and receiver count, and the ratios to ``off``."""

    ns: dict[str, dict[int, float]]
    repeats: int

    def ratio(self, state: str, receivers: int) -> float:
        """``state``'s cost over ``off``'s for sends with ``receivers`` receivers."""
        return self.ns[state][receivers] / self.ns["off"][receivers]


def _case(signal: Signal[object, ..., Event], state: Callable[[], Any]) -> Case:
    inner = sync_loop("sig.send(None, n=1)", {"sig": signal})

    def loop(number: int) -> float:
        with state():
            return inner(number)

    return Case(loop)


def send_costs(repeats: int = 7, min_time: float = 0.05) -> TracingFigures:
    """Measure every state for every receiver count; see the module."""
    providers = {"traced": _provider(True), "unsampled": _provider(False)}
    states: dict[str, Callable[[], Any]] = {
        "off": _off,
        "ids": _ids,
        "traced": _traced(providers["traced"]),
        "unsampled": _traced(providers["unsampled"]),
    }
    ns: dict[str, dict[int, float]] = {state: {} for state in STATES}
    try:
        for receivers in RECEIVERS:
            signal: Signal[object, ..., Event] = Signal(f"bench-traced-{receivers}", Event)
            # Distinct functions: one function connected ten times is one receiver.
            connected = [_copy(noop) for _ in range(receivers)]
            for receiver in connected:
                signal.connect(receiver)
            try:
                cases = {state: _case(signal, make) for state, make in states.items()}
                for state, value in measure(cases, repeats, min_time).items():
                    ns[state][receivers] = value
            finally:
                for receiver in connected:
                    signal.disconnect(receiver)
    finally:
        for provider in providers.values():
            provider.shutdown()
    return TracingFigures(ns, repeats)


def _copy(function: Callable[[object, Event], None]) -> Callable[[object, Event], None]:
    def receiver(sender: object, payload: Event) -> None:
        function(sender, payload)

    return receiver


def render(figures: TracingFigures) -> str:
    """The figures as a Markdown table."""
    lines = [
        "| receivers | " + " | ".join(STATES) + " |",
        "| ---: | " + " | ".join("---:" for _ in STATES) + " |",
    ]
    for receivers in RECEIVERS:
        cells = [f"{figures.ns['off'][receivers]:,.0f} ns"]
        cells += [
            f"{figures.ns[state][receivers]:,.0f} ns ({figures.ratio(state, receivers):.2f}x)"
            for state in STATES[1:]
        ]
        lines.append(f"| {receivers} | " + " | ".join(cells) + " |")
    lines.append(f"\nload average: {load_average()}; {figures.repeats} repeats, minimum taken")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; print the table, or JSON with ``--json``."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.tracing", description=__doc__)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--min-time", type=float, default=0.05)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    figures = send_costs(args.repeats, args.min_time)
    if args.json:
        print(json.dumps({"machine": machine_info(), **asdict(figures)}, indent=2))
    else:
        print(render(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
