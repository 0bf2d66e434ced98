"""The metrics exporters: Prometheus text format and OpenTelemetry observable instruments."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from typedsignals import Payload, ReceiverErrors, Signal, metrics


class Order(Payload):
    total: int


def ship(sender: object, payload: Order) -> None:
    time.sleep(0.001)


def refuse(sender: object, payload: Order) -> None:
    raise ValueError("out of stock")


RECEIVER_SHIP = f"{__name__}.ship"
RECEIVER_REFUSE = f"{__name__}.refuse"


@pytest.fixture
def orders() -> Iterator[Signal[object, ..., Order]]:
    """A measured signal sent three times: ship runs thrice, refuse fails thrice."""
    signal = Signal("export-orders", Order, error_policy="collect")
    with metrics.enabled(signal), signal.connected_to(ship), signal.connected_to(refuse):
        for total in range(3):
            with pytest.raises(ReceiverErrors):
                signal.send(None, total=total)
        yield signal
    metrics.reset(signal)


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of a Prometheus text page, by name and labels."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def labels(**extra: str) -> frozenset[tuple[str, str]]:
    return frozenset({"signal": "export-orders", "namespace": "", **extra}.items())


def test_prometheus_text_parses_and_holds_the_counts(orders: Signal[object, ..., Order]) -> None:
    """render_prometheus() is valid exposition text with sends, calls and failures."""
    found = samples(metrics.render_prometheus())
    assert found["typedsignals_sends_total", labels()] == 3
    assert found["typedsignals_receiver_calls_total", labels(receiver=RECEIVER_SHIP)] == 3
    assert found["typedsignals_receiver_failures_total", labels(receiver=RECEIVER_REFUSE)] == 3
    assert found["typedsignals_receiver_failures_total", labels(receiver=RECEIVER_SHIP)] == 0


def test_prometheus_histogram_matches_the_snapshot(orders: Signal[object, ..., Order]) -> None:
    """The duration histogram's buckets are cumulative; +Inf, _count and _sum agree."""
    found = samples(metrics.render_prometheus())
    ship = next(r for r in metrics.of(orders).receivers if r.name == RECEIVER_SHIP)
    base = "typedsignals_receiver_duration_seconds"
    buckets = [
        found[f"{base}_bucket", labels(receiver=RECEIVER_SHIP, le=repr(bound))]
        for bound in metrics.BUCKET_BOUNDS
    ]
    assert buckets == sorted(buckets)
    assert found[f"{base}_bucket", labels(receiver=RECEIVER_SHIP, le="+Inf")] == 3
    assert found[f"{base}_count", labels(receiver=RECEIVER_SHIP)] == 3
    assert found[f"{base}_sum", labels(receiver=RECEIVER_SHIP)] == pytest.approx(ship.seconds_total)
    assert found[f"{base}_sum", labels(receiver=RECEIVER_SHIP)] >= 0.003
    longest = found["typedsignals_receiver_duration_max_seconds", labels(receiver=RECEIVER_SHIP)]
    assert longest == pytest.approx(ship.seconds_max)


def test_collector_registers_in_a_registry(orders: Signal[object, ..., Order]) -> None:
    """prometheus_collector() works in an application's own registry."""
    registry = CollectorRegistry()
    registry.register(metrics.prometheus_collector())
    found = samples(generate_latest(registry).decode())
    assert found["typedsignals_sends_total", labels()] == 3


def otel_points(reader: InMemoryMetricReader) -> dict[str, list[Any]]:
    data = reader.get_metrics_data()
    assert data is not None
    return {
        metric.name: list(metric.data.data_points)
        for resource in data.resource_metrics
        for scope in resource.scope_metrics
        for metric in scope.metrics
    }


def test_otel_instruments_report_the_metrics(orders: Signal[object, ..., Order]) -> None:
    """Observable instruments read by the SDK's in-memory reader carry the counts."""
    reader = InMemoryMetricReader()
    provider = MeterProvider(metric_readers=[reader])
    try:
        metrics.otel_instruments(provider)
        points = otel_points(reader)
    finally:
        provider.shutdown()

    def value(name: str, **attributes: str) -> Any:
        wanted = {"signal": "export-orders", "namespace": "", **attributes}
        return next(p.value for p in points[name] if dict(p.attributes) == wanted)

    assert value("typedsignals.sends") == 3
    assert value("typedsignals.receiver.calls", receiver=RECEIVER_SHIP) == 3
    assert value("typedsignals.receiver.failures", receiver=RECEIVER_REFUSE) == 3
    assert value("typedsignals.receiver.duration", receiver=RECEIVER_SHIP) >= 0.003
    assert value("typedsignals.receiver.duration.max", receiver=RECEIVER_SHIP) >= 0.001
    assert value("typedsignals.receiver.duration.bucket", receiver=RECEIVER_SHIP, le="+Inf") == 3


@pytest.mark.parametrize(
    ("module", "call", "extra"),
    [
        ("prometheus_client", "render_prometheus()", "prometheus"),
        ("prometheus_client", "prometheus_collector()", "prometheus"),
        ("opentelemetry", "otel_instruments()", "otel"),
    ],
)
def test_missing_extra_names_it(module: str, call: str, extra: str) -> None:
    """Without its package, an exporter fails with one ImportError naming the extra."""
    code = textwrap.dedent(
        f"""
        import sys
        sys.modules[{module!r}] = None
        from typedsignals import metrics
        try:
            metrics.{call}
        except ImportError as exc:
            print(exc)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert f'which is not installed; install it with: pip install "typedsignals[{extra}]"' in out
    assert "exporter of typedsignals.metrics needs" in out


def test_importing_metrics_imports_no_exporter() -> None:
    """import typedsignals.metrics loads neither prometheus_client nor opentelemetry."""
    code = (
        "import sys, typedsignals.metrics; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('prometheus_client', 'opentelemetry')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
