"""The tracing benchmark (#21): its harness, not its timings (too noisy to assert here)."""

from __future__ import annotations

import pytest

from benchmarks import tracing as bench
from typedsignals import otel
from typedsignals.observe import installed


def test_every_state_and_receiver_count_has_a_figure() -> None:
    """Each state is measured for 0, 1 and 10 receivers; ratios are against "off"."""
    figures = bench.send_costs(repeats=1, min_time=0.001)
    assert set(figures.ns) == set(bench.STATES)
    for state in bench.STATES:
        assert set(figures.ns[state]) == set(bench.RECEIVERS)
        assert all(0 < value < 1e7 for value in figures.ns[state].values())
    assert figures.ratio("traced", 10) == pytest.approx(
        figures.ns["traced"][10] / figures.ns["off"][10]
    )
    table = bench.render(figures)
    assert table.count("\n| ") == 1 + len(bench.RECEIVERS)


def test_states_are_switched_off_after_the_run() -> None:
    """The benchmark leaves no middleware installed and tracing off."""
    bench.send_costs(repeats=1, min_time=0.001)
    assert installed() == ()
    assert not otel.instrumented()


def test_traced_state_really_traces() -> None:
    """In the traced state sends go through the tracing middleware (so it is not "off")."""
    seen: list[object] = []
    provider = bench._provider(True)
    try:
        with bench._traced(provider)():
            seen.extend(installed())
    finally:
        provider.shutdown()
    assert [type(m) for m in seen] == [otel.TracingMiddleware]
