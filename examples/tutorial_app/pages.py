"""A page per exercise, read from the database, and the signals page.

Routes (all ``GET``):

* ``/activity``: the ActivityLogger's log: requests with their timings, actions, errors.
* ``/audit``: the audit trail of data modifications, with old and new values.
* ``/analytics``: page views and interactions over time and by page (SVG charts).
* ``/templates``: every rendered template with its context data.
* ``/outbox``: the welcome emails.
* ``/signals``: the app's signals, read from the typedsignals catalog, with the
  receivers connected to each.
* ``/metrics``: per signal, its sends, deliveries and failures, and per receiver its
  calls, failures and time (:mod:`typedsignals.metrics`), with SVG charts.
* ``/requests/<request_id>``: everything one request caused, table by table.

Each log row names its cause: the signal, the receiver (both linked to the signals
page) and the request (linked to its own page).
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Final

from flask import Blueprint, abort, current_app, render_template

from typedsignals import flask as typed_flask
from typedsignals import metrics
from typedsignals.catalog import Catalog, read_module, read_namespace

from .app import state_of
from .charts import Timeline, bar_chart, column_chart, timeline
from .observe import SWITCH_ON, flask_signals, rows
from .signals import tutorial
from .storage import LOG_TABLES, Row, Storage

__all__ = ["LATEST", "blueprint", "signal_catalogs"]

blueprint = Blueprint("pages", __name__)
"""The log pages and the signals page."""

LATEST: Final = 200
"""How many rows a log page shows, newest first."""

TABLE_TITLES: Final = {
    "activity_log": "Activity log",
    "audit_log": "Audit log",
    "page_views": "Page views",
    "interactions": "Interactions",
    "template_log": "Template log",
    "outbox": "Outbox",
}
"""The heading of each log table on the request page."""


def _storage() -> Storage:
    return state_of(current_app).storage


def _decoded(rows: list[Row], *columns: str) -> list[Row]:
    """The rows with their JSON columns decoded."""
    return [{**row, **{name: json.loads(row[name]) for name in columns}} for row in rows]


@blueprint.get("/activity")
def activity() -> str:
    """Exercise 5: what the ActivityLogger saved."""
    rows = _storage().rows("activity_log", newest_first=True, limit=LATEST)
    return render_template("activity.html", rows=rows, limit=LATEST)


@blueprint.get("/audit")
def audit() -> str:
    """Exercise 3: the audit trail, with each change's old and new value."""
    rows = _storage().rows("audit_log", newest_first=True, limit=LATEST)
    return render_template("audit.html", rows=_decoded(rows, "previous", "changes"), limit=LATEST)


@blueprint.get("/analytics")
def analytics() -> str:
    """Exercise 4: page views and interactions, over time and by page or action."""
    storage = _storage()
    views = storage.rows("page_views")
    interactions = storage.rows("interactions")
    over_time = timeline(
        {
            "page views": [row["at"] for row in views],
            "interactions": [row["at"] for row in interactions],
        }
    )
    by_page = Counter(row["path"] for row in views)
    by_action = Counter(row["action"] for row in interactions)
    return render_template(
        "analytics.html",
        over_time=column_chart(over_time, title="Page views and interactions over time"),
        by_page=bar_chart(list(by_page.items()), title="Page views by page"),
        by_action=bar_chart(list(by_action.items()), title="Interactions by action"),
        views=views[::-1][:LATEST],
        interactions=interactions[::-1][:LATEST],
        totals={"page views": len(views), "interactions": len(interactions)},
        limit=LATEST,
    )


@blueprint.get("/templates")
def templates() -> str:
    """Exercise 1: every rendered template and the context it got."""
    rows = _storage().rows("template_log", newest_first=True, limit=LATEST)
    return render_template("templates.html", rows=_decoded(rows, "context"), limit=LATEST)


@blueprint.get("/outbox")
def outbox() -> str:
    """The welcome emails the deferred receiver queued."""
    rows = _storage().rows("outbox", newest_first=True, limit=LATEST)
    return render_template("outbox.html", rows=rows, limit=LATEST)


@blueprint.get("/requests/<request_id>")
def request_page(request_id: str) -> str:
    """Every row one request caused, table by table; 404 for an unknown request."""
    storage = _storage()
    found = {table: storage.rows(table, request_id=request_id) for table in LOG_TABLES}
    if not any(found.values()):
        abort(404, f"No row of any log was written during a request {request_id!r}.")
    found["audit_log"] = _decoded(found["audit_log"], "previous", "changes")
    found["template_log"] = _decoded(found["template_log"], "context")
    summary = next((row for row in found["activity_log"] if row["kind"] == "request"), None)
    return render_template(
        "request.html",
        request_id=request_id,
        summary=summary,
        found=found,
        titles=TABLE_TITLES,
    )


def signal_catalogs() -> list[tuple[str, str, Catalog]]:
    """The app's signals as the library's catalog reads them: its own namespace, then the
    typed Flask signals; each as (heading, explanation, catalog)."""
    return [
        (
            "The app's own signals",
            "Declared in examples/tutorial_app/signals.py, in the namespace "
            f"{tutorial.name!r}; the app sends them from its views and receivers.",
            read_namespace(tutorial),
        ),
        (
            "Flask's signals, typed",
            "typedsignals.flask declares Flask's ten signals with payload models; Flask "
            "sends them, and the bridge hands each typed receiver a validated payload.",
            read_module(typed_flask),
        ),
    ]


@blueprint.get("/signals")
def signals() -> str:
    """The app's signals from the catalog: name, doc, payload fields, sender type and
    connected receivers."""
    return render_template("signals.html", catalogs=signal_catalogs())


def _duration(seconds: float) -> str:
    """A duration in the unit that suits it, with three significant digits at most; a
    dash for none (every call takes some time, so zero means no call)."""
    if not seconds:
        return "\N{EN DASH}"
    for unit, size in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= size:
            return f"{seconds / size:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def _latencies(found: list[tuple[str, metrics.Histogram]]) -> Timeline:
    """Receiver calls per latency bucket, one series per group of signals, from the
    first bucket any call fell in to the last."""
    series: dict[str, list[int]] = {}
    for group, histogram in found:
        counts = series.setdefault(group, [0] * len(histogram.counts))
        for index, count in enumerate(histogram.counts):
            counts[index] += count
    calls = [sum(column) for column in zip(*series.values(), strict=True)]
    used = [index for index, count in enumerate(calls) if count]
    if not used:
        return Timeline("latency bucket", (), dict.fromkeys(series, ()))
    first, last = used[0], used[-1]
    bounds = metrics.BUCKET_BOUNDS
    labels = tuple(
        f"≤ {_duration(bounds[i])}" if i < len(bounds) else f"> {_duration(bounds[-1])}"
        for i in range(first, last + 1)
    )
    return Timeline(
        "latency bucket",
        labels,
        {name: tuple(counts[first : last + 1]) for name, counts in series.items()},
    )


@blueprint.get("/metrics")
def metrics_page() -> str:
    """Issue #21: each signal's sends, deliveries and failures, and each receiver's
    calls, failures and time, from :mod:`typedsignals.metrics`."""
    short_names = {
        f"{receiver.module}.{receiver.name}": receiver.name
        for _, _, catalog in signal_catalogs()
        for spec in catalog.signals
        for receiver in spec.receivers
    }
    found = rows(short_names)
    flask_names = {signal.name for signal in flask_signals()}
    receivers = [(row.seen.name, each) for row in found for each in row.receivers]
    by_receiver = bar_chart(
        [(each.name, each.seen.estimated_seconds_total) for _, each in receivers],
        title="Time spent per receiver",
        width=900,
        label_width=300,
        shown=_duration,
        marked={each.name for _, each in receivers if each.seen.failures},
    )
    over_latency = column_chart(
        _latencies(
            [
                (
                    "Flask's signals" if signal in flask_names else "the app's signals",
                    each.seen.histogram,
                )
                for signal, each in receivers
            ]
        ),
        title="Receiver calls by duration",
        width=900,
        height=220,
        caption="timed receiver calls per duration bucket",
    )
    return render_template(
        "metrics.html",
        rows=found,
        by_receiver=by_receiver,
        over_latency=over_latency,
        switch_on=SWITCH_ON,
        warm_up=metrics.WARM_UP_SENDS,
        time_every=metrics.DEFAULT_TIME_EVERY,
        duration=_duration,
        totals={
            "sends": sum(row.seen.sends for row in found),
            "receiver calls": sum(row.seen.deliveries for row in found),
            "failures": sum(row.seen.failures for row in found),
        },
    )
