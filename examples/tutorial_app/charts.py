"""Charts for the analytics page, drawn on the server as inline SVG (no JavaScript).

:func:`timeline` counts time stamps per minute, hour or day (whichever keeps the chart
readable) with the empty periods in between; :func:`column_chart` draws those counts as
grouped columns, one colour per series; :func:`bar_chart` draws values by name as
horizontal bars, some of them marked (a failure). Every label is escaped; the colours
come from the stylesheet (``.series-0``, ``.series-1``..., ``.marked``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from markupsafe import Markup, escape

__all__ = ["Timeline", "bar_chart", "column_chart", "timeline"]

_STEPS: Final = (
    ("minute", timedelta(minutes=1), "%Y-%m-%d %H:%M", "%H:%M"),
    ("hour", timedelta(hours=1), "%Y-%m-%d %H:00", "%d %H:00"),
    ("day", timedelta(days=1), "%Y-%m-%d", "%m-%d"),
)
"""Period name, length, key format and axis-label format, finest first."""

MAX_PERIODS: Final = 60
"""The most columns a timeline shows: the finest period that fits, the latest ones."""


@dataclass(frozen=True)
class Timeline:
    """Counts per period for several series, periods in time order."""

    period: str
    """``minute``, ``hour`` or ``day``."""
    labels: tuple[str, ...]
    """Each period's axis label."""
    series: dict[str, tuple[int, ...]]
    """Each series' count per period."""


def timeline(stamps: Mapping[str, Iterable[str]]) -> Timeline:
    """Count each series' ``YYYY-MM-DD HH:MM:SS`` stamps per period.

    The period is the finest of minute, hour and day whose span of the data needs at
    most :data:`MAX_PERIODS` columns; with more, the latest ones are shown.
    """
    parsed = {name: [datetime.fromisoformat(s) for s in values] for name, values in stamps.items()}
    every = [moment for moments in parsed.values() for moment in moments]
    if not every:
        return Timeline("minute", (), dict.fromkeys(stamps, ()))
    first, last = min(every), max(every)
    period, step, key_format, label_format = next(
        (
            choice
            for choice in _STEPS
            if (last - _floor(first, choice[0])) // choice[1] < MAX_PERIODS
        ),
        _STEPS[-1],
    )
    start = _floor(first, period)
    periods: list[datetime] = []
    moment = _floor(last, period)
    while moment >= start and len(periods) < MAX_PERIODS:
        periods.append(moment)
        moment -= step
    periods.reverse()
    keys = [moment.strftime(key_format) for moment in periods]
    series = {}
    for name, moments in parsed.items():
        counted = Counter(moment.strftime(key_format) for moment in moments)
        series[name] = tuple(counted[key] for key in keys)
    labels = tuple(moment.strftime(label_format) for moment in periods)
    return Timeline(period, labels, series)


def _floor(moment: datetime, period: str) -> datetime:
    moment = moment.replace(second=0, microsecond=0)
    if period in ("hour", "day"):
        moment = moment.replace(minute=0)
    if period == "day":
        moment = moment.replace(hour=0)
    return moment


def _nice_top(value: int) -> int:
    """The axis maximum: ``value`` rounded up to 1, 2 or 5 times a power of ten."""
    top = 1
    while True:
        for factor in (1, 2, 5):
            if top * factor >= value:
                return top * factor
        top *= 10


def column_chart(
    data: Timeline,
    *,
    title: str,
    width: int = 720,
    height: int = 240,
    caption: str | None = None,
) -> Markup:
    """The timeline as grouped columns, with a legend and a labelled axis.

    ``caption`` (bottom right) says what a column counts; by default ``per <period>``.
    """
    left, right, top, bottom = 40, 10, 28, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    count = len(data.labels)
    peak = _nice_top(max((max(v, default=0) for v in data.series.values()), default=0))
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for fraction in (0, 0.5, 1):
        y = top + plot_h * (1 - fraction)
        value = peak * fraction
        shown = f"{value:g}"
        parts.append(f'<line class="grid" x1="{left}" x2="{width - right}" y1="{y}" y2="{y}"/>')
        parts.append(
            f'<text class="axis" x="{left - 6}" y="{y + 4}" text-anchor="end">{shown}</text>'
        )
    names = list(data.series)
    if count:
        slot = plot_w / count
        bar = min(36.0, max(1.0, slot * 0.8 / max(len(names), 1)))
        label_every = max(1, round(count / 8))
        for i, label in enumerate(data.labels):
            x0 = left + (i + 0.5) * slot - bar * len(names) / 2
            for j, name in enumerate(names):
                value = data.series[name][i]
                h = plot_h * value / peak
                x = x0 + j * bar
                parts.append(
                    f'<rect class="series-{j}" x="{x:.1f}" y="{top + plot_h - h:.1f}" '
                    f'width="{bar:.1f}" height="{h:.1f}"><title>{escape(name)}, '
                    f"{escape(label)}: {value}</title></rect>"
                )
            if i % label_every == 0:
                parts.append(
                    f'<text class="axis" x="{left + (i + 0.5) * slot:.1f}" '
                    f'y="{height - bottom + 16}" text-anchor="middle">{escape(label)}</text>'
                )
    else:
        parts.append(
            f'<text class="axis" x="{left + plot_w / 2}" y="{top + plot_h / 2}" '
            'text-anchor="middle">nothing recorded yet</text>'
        )
    x = left
    for j, name in enumerate(names):
        parts.append(f'<rect class="series-{j}" x="{x}" y="6" width="12" height="12"/>')
        parts.append(f'<text class="legend" x="{x + 16}" y="16">{escape(name)}</text>')
        x += 24 + 8 * len(name)
    parts.append(
        f'<text class="axis" x="{width - right}" y="{height - 4}" text-anchor="end">'
        f"{escape(caption or f'per {data.period}')}</text></svg>"
    )
    return Markup("".join(parts))


def bar_chart(
    counts: Sequence[tuple[str, float]],
    *,
    title: str,
    width: int = 420,
    label_width: int = 130,
    shown: Callable[[float], str] = "{:g}".format,
    marked: Collection[str] = (),
) -> Markup:
    """Values by name as horizontal bars, largest first, each labelled with ``shown(value)``.

    A bar whose name is in ``marked`` is drawn, with its label, in the ``marked`` class
    (the stylesheet colours it as a failure).
    """
    rows = sorted(counts, key=lambda item: (-item[1], item[0]))
    row_h = 24
    height = max(1, len(rows)) * row_h + 8
    peak = max((value for _, value in rows), default=0) or 1
    plot_w = width - label_width - 60
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    if not rows:
        parts.append('<text class="axis" x="8" y="20">nothing recorded yet</text>')
    for i, (name, value) in enumerate(rows):
        y = 4 + i * row_h
        w = plot_w * value / peak
        style = "marked" if name in marked else "series-0"
        label = "legend marked" if name in marked else "legend"
        parts.append(
            f'<text class="{label}" x="{label_width - 8}" y="{y + 16}" text-anchor="end">'
            f"{escape(name)}</text>"
        )
        parts.append(
            f'<rect class="{style}" x="{label_width}" y="{y + 3}" width="{w:.1f}" '
            f'height="{row_h - 6}"><title>{escape(name)}: {escape(shown(value))}</title></rect>'
        )
        parts.append(
            f'<text class="axis" x="{label_width + w + 6:.1f}" y="{y + 16}">'
            f"{escape(shown(value))}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
