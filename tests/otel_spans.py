"""Spans for the tracing tests: typedsignals.otel on an SDK tracer provider of the test's
own, exported to the SDK's in-memory exporter, and lookups over what was exported."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from typedsignals import otel


class Traced:
    """The spans exported while a test runs, and lookups over them."""

    def __init__(self, provider: TracerProvider, exporter: InMemorySpanExporter) -> None:
        self.provider = provider
        self.exporter = exporter

    def spans(self) -> list[ReadableSpan]:
        """Every finished span, in the order they ended."""
        return list(self.exporter.get_finished_spans())

    def named(self, name: str) -> list[ReadableSpan]:
        """The finished spans called ``name``."""
        return [span for span in self.spans() if span.name == name]

    def one(self, name: str) -> ReadableSpan:
        """The one finished span called ``name`` (fails if there are none or several)."""
        (span,) = self.named(name)
        return span

    def children(self, parent: ReadableSpan) -> list[ReadableSpan]:
        """The finished spans whose parent is ``parent``."""
        return [span for span in self.spans() if parent_of(span) == span_id(parent)]


def parent_of(span: ReadableSpan) -> int | None:
    """The span id of ``span``'s parent, or None for a root span."""
    return None if span.parent is None else span.parent.span_id


def span_id(span: ReadableSpan) -> int:
    assert span.context is not None
    return int(span.context.span_id)


def trace_id(span: ReadableSpan) -> int:
    assert span.context is not None
    return int(span.context.trace_id)


def attrs(span: ReadableSpan) -> dict[str, object]:
    """A span's attributes as a plain dict."""
    return dict(span.attributes or {})


@contextmanager
def instrumented() -> Iterator[Traced]:
    """otel.instrument() on a tracer provider of its own; uninstrumented at the end."""
    provider = TracerProvider()
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    otel.instrument(provider)
    try:
        yield Traced(provider, exporter)
    finally:
        otel.uninstrument()
        provider.shutdown()
