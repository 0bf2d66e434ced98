"""Exporters of :mod:`typedsignals.metrics`: Prometheus and OpenTelemetry (optional extras).

Both read a snapshot when they are collected; nothing is recorded on the send path
beyond what :mod:`typedsignals.metrics` counts anyway. Metric names, in Prometheus'
spelling (OpenTelemetry uses dots: ``typedsignals.receiver.failures``):

* ``typedsignals_sends_total{signal, namespace}``
* ``typedsignals_receiver_calls_total{signal, namespace, receiver}``
* ``typedsignals_receiver_failures_total{signal, namespace, receiver}``
* ``typedsignals_receiver_duration_seconds{signal, namespace, receiver}``: a histogram
  of the timed calls (``_bucket{le}``; ``_sum``: their total time; ``_count``: how many
  were timed, a sample of the calls unless ``time_every=1``)
* ``typedsignals_receiver_duration_max_seconds{signal, namespace, receiver}``: a gauge.

OpenTelemetry has no observable histogram: there the buckets are the observable counter
``typedsignals.receiver.duration.bucket`` with an ``le`` attribute (cumulative, as in
Prometheus), beside ``typedsignals.receiver.duration`` (the timed calls' total, in seconds).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Final

from ._require import missing_extra

if TYPE_CHECKING:
    from opentelemetry.metrics import CallbackOptions, MeterProvider, Observation
    from prometheus_client.metrics_core import Metric
    from prometheus_client.registry import Collector

    from .metrics import ReceiverMetrics, SignalMetrics

__all__ = ["otel_instruments", "prometheus_collector", "render_prometheus"]

Snapshot = Callable[[], "tuple[SignalMetrics, ...]"]


_PROMETHEUS: Final = "the Prometheus exporter of typedsignals.metrics"
_OTEL: Final = "the OpenTelemetry exporter of typedsignals.metrics"


def _labels(signal: SignalMetrics) -> list[str]:
    return [signal.name, signal.namespace or ""]


def prometheus_collector(snapshot: Snapshot) -> Collector:
    """A custom ``prometheus_client`` collector over ``snapshot()``."""
    try:
        from prometheus_client.metrics_core import (
            CounterMetricFamily,
            GaugeMetricFamily,
            HistogramMetricFamily,
        )
        from prometheus_client.registry import Collector
    except ModuleNotFoundError as exc:
        raise missing_extra(
            exc,
            "prometheus_client",
            extra="prometheus",
            needed_by=_PROMETHEUS,
            project="prometheus-client",
        ) from None

    signal_labels = ["signal", "namespace"]
    receiver_labels = [*signal_labels, "receiver"]

    class SignalsCollector(Collector):
        """Reports typedsignals' metrics each time the registry is scraped."""

        def collect(self) -> Iterator[Metric]:
            sends = CounterMetricFamily(
                "typedsignals_sends", "Sends that reached a receiver.", labels=signal_labels
            )
            calls = CounterMetricFamily(
                "typedsignals_receiver_calls", "Receiver calls.", labels=receiver_labels
            )
            failures = CounterMetricFamily(
                "typedsignals_receiver_failures",
                "Receiver calls that raised.",
                labels=receiver_labels,
            )
            duration = HistogramMetricFamily(
                "typedsignals_receiver_duration_seconds",
                "Time per timed receiver call (a sample of the calls).",
                labels=receiver_labels,
            )
            longest = GaugeMetricFamily(
                "typedsignals_receiver_duration_max_seconds",
                "The longest timed receiver call.",
                labels=receiver_labels,
            )
            for signal in snapshot():
                sends.add_metric(_labels(signal), signal.sends)
                for receiver in signal.receivers:
                    labels = [*_labels(signal), receiver.name]
                    calls.add_metric(labels, receiver.calls)
                    failures.add_metric(labels, receiver.failures)
                    longest.add_metric(labels, receiver.seconds_max)
                    histogram = receiver.histogram
                    bounds = [*map(repr, histogram.bounds), "+Inf"]
                    duration.add_metric(
                        labels,
                        list(zip(bounds, map(float, histogram.cumulative()))),
                        receiver.seconds_total,
                    )
            yield from (sends, calls, failures, duration, longest)

    return SignalsCollector()


def render_prometheus(snapshot: Snapshot) -> str:
    """``snapshot()`` in the Prometheus text exposition format."""
    collector = prometheus_collector(snapshot)
    from prometheus_client import CollectorRegistry, generate_latest

    registry = CollectorRegistry(auto_describe=False)
    registry.register(collector)
    return generate_latest(registry).decode("utf-8")


def otel_instruments(snapshot: Snapshot, meter_provider: MeterProvider | None) -> None:
    """Register observable instruments reporting ``snapshot()`` on ``meter_provider``."""
    try:
        from opentelemetry import metrics as otel
    except ModuleNotFoundError as exc:
        raise missing_extra(
            exc, "opentelemetry", extra="otel", needed_by=_OTEL, project="OpenTelemetry"
        ) from None

    provider = otel.get_meter_provider() if meter_provider is None else meter_provider
    meter = provider.get_meter("typedsignals")

    def observe(
        read: Callable[[SignalMetrics], Iterable[tuple[float, dict[str, str]]]],
    ) -> Callable[[CallbackOptions], Iterable[Observation]]:
        def callback(options: CallbackOptions) -> Iterable[Observation]:
            return [
                otel.Observation(value, attributes)
                for signal in snapshot()
                for value, attributes in read(signal)
            ]

        return callback

    def per_receiver(
        value: Callable[[ReceiverMetrics], float],
    ) -> Callable[[SignalMetrics], Iterable[tuple[float, dict[str, str]]]]:
        def read(signal: SignalMetrics) -> Iterable[tuple[float, dict[str, str]]]:
            for receiver in signal.receivers:
                yield value(receiver), {**_attributes(signal), "receiver": receiver.name}

        return read

    def buckets(signal: SignalMetrics) -> Iterable[tuple[float, dict[str, str]]]:
        for receiver in signal.receivers:
            histogram = receiver.histogram
            bounds = [*map(repr, histogram.bounds), "+Inf"]
            for bound, count in zip(bounds, histogram.cumulative()):
                attributes = {**_attributes(signal), "receiver": receiver.name, "le": bound}
                yield count, attributes

    meter.create_observable_counter(
        "typedsignals.sends",
        [observe(lambda signal: [(signal.sends, _attributes(signal))])],
        unit="{send}",
        description="Sends that reached a receiver.",
    )
    meter.create_observable_counter(
        "typedsignals.receiver.calls",
        [observe(per_receiver(lambda receiver: receiver.calls))],
        unit="{call}",
        description="Receiver calls.",
    )
    meter.create_observable_counter(
        "typedsignals.receiver.failures",
        [observe(per_receiver(lambda receiver: receiver.failures))],
        unit="{call}",
        description="Receiver calls that raised.",
    )
    meter.create_observable_counter(
        "typedsignals.receiver.duration",
        [observe(per_receiver(lambda receiver: receiver.seconds_total))],
        unit="s",
        description="Time spent in the timed receiver calls (a sample of the calls).",
    )
    meter.create_observable_gauge(
        "typedsignals.receiver.duration.max",
        [observe(per_receiver(lambda receiver: receiver.seconds_max))],
        unit="s",
        description="The longest timed receiver call.",
    )
    meter.create_observable_counter(
        "typedsignals.receiver.duration.bucket",
        [observe(buckets)],
        unit="{call}",
        description="Timed receiver calls at most `le` seconds long (cumulative).",
    )


def _attributes(signal: SignalMetrics) -> dict[str, str]:
    return {"signal": signal.name, "namespace": signal.namespace or ""}
