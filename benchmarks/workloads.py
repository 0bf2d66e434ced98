"""The timed workloads: send, filtered send, connect+disconnect, send_async, growth.

Each workload builds one :class:`~benchmarks.timing.Case` per library (the setup, done
before timing) and measures them interleaved. Setup failures are reported in the cell
(``error``) rather than stopping the run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .adapters import TYPED, Adapter, NotApplicable, Unsupported
from .results import Cell, Row, Settings
from .timing import Case, async_loop, measure, sync_loop

__all__ = [
    "SEND_COUNTS",
    "connect_disconnect",
    "connect_disconnect_case",
    "error_cell",
    "factor_row",
    "factor_timing",
    "growth",
    "send",
    "send_async",
    "send_filtered",
    "timed_row",
    "timed_rows",
    "unavailable_cell",
]

SEND_COUNTS = (0, 1, 10, 100)
"""Receiver counts of the plain send workloads."""
ASYNC_RECEIVERS = 10
CONNECTED_BEFORE = 10
"""Receivers already connected when the connect+disconnect workload runs."""


class Sender:
    """A plain sender object: hashable by identity and weakly referenceable."""


def unavailable_cell(adapter: Adapter) -> Cell:
    """The cell of a library whose module did not import."""
    return Cell.missing("unavailable", f"module not available: {adapter.error}")


def error_cell(exc: BaseException) -> Cell:
    """The cell of a case whose set-up or first run raised ``exc``."""
    return Cell.missing("error", f"{type(exc).__name__}: {exc}")


@dataclass(frozen=True)
class RowSpec:
    """One row of a timed workload: its key, its description and how to build a case."""

    key: str
    description: str
    build: Callable[[Adapter], Case]
    ratio: bool = True
    """False for a reference row that blinker has no value in."""


def timed_rows(
    workload: str,
    specs: Sequence[RowSpec],
    adapters: Sequence[Adapter],
    settings: Settings,
    *,
    repeats: int | None = None,
    min_time: float | None = None,
) -> list[Row]:
    """Build every (row, library) case, run each once to be sure it works, then time them
    all in one interleaved measurement, so rows that are compared (growth-small and
    growth-large) see the same machine conditions.

    ``repeats`` and ``min_time`` replace the settings' for this workload only.
    """
    cells: dict[tuple[str, str], Cell] = {}
    cases: dict[tuple[str, str], Case] = {}
    for spec in specs:
        for adapter in adapters:
            slot = (spec.key, adapter.name)
            if not adapter.available:
                cells[slot] = unavailable_cell(adapter)
                continue
            case: Case | None = None
            try:
                adapter.check_supported(workload)
                case = spec.build(adapter)
                case.loop(1)
            except Unsupported as exc:
                cells[slot] = Cell.missing("unsupported", str(exc))
            except NotApplicable as exc:
                cells[slot] = Cell.missing("not applicable", str(exc))
            except Exception as exc:  # a broken library must not hide the others' numbers
                cells[slot] = error_cell(exc)
            else:
                cases[slot] = case
                continue
            if case is not None:
                case.close()
    try:
        timings = measure(
            cases,
            settings.repeats if repeats is None else repeats,
            settings.min_time if min_time is None else min_time,
        )
    finally:
        for case in cases.values():
            case.close()
    for slot, nanoseconds in timings.items():
        cells[slot] = Cell.ok(nanoseconds)
    return [
        Row(
            spec.key,
            workload,
            spec.description,
            "ns",
            {adapter.name: cells[spec.key, adapter.name] for adapter in adapters},
            ratio=spec.ratio,
        )
        for spec in specs
    ]


def timed_row(
    workload: str,
    description: str,
    adapters: Sequence[Adapter],
    settings: Settings,
    build: Callable[[Adapter], Case],
    key: str | None = None,
) -> Row:
    """A workload of one row (keyed ``key``, by default the workload id)."""
    spec = RowSpec(key or workload, description, build)
    return timed_rows(workload, [spec], adapters, settings)[0]


# -- case builders ----------------------------------------------------------------------


def _connected(adapter: Adapter, sig: Any, receivers: int) -> Callable[[], None]:
    """Connect ``receivers`` new receivers to ``sig``; return a function undoing it."""
    connected = [adapter.receiver() for _ in range(receivers)]
    for receiver in connected:
        adapter.connect(sig, receiver)

    def disconnect() -> None:
        for receiver in connected:
            adapter.disconnect(sig, receiver)

    return disconnect


def send_case(adapter: Adapter, receivers: int) -> Case:
    """One send from one sender to ``receivers`` receivers connected for every sender."""
    sig = adapter.signal()
    cleanup = _connected(adapter, sig, receivers)
    loop = sync_loop(adapter.send_stmt, {"sig": sig, "sender": Sender()})
    return Case(loop, [sig], cleanup)


class FloorSignal:
    """A signal whose ``send`` has typedsignals' signature and does nothing.

    Calling it costs what any ``send`` written in Python costs before its first line:
    the call, with its keyword arguments packed into a new dict.
    """

    def send(self, sender: object, /, *args: object, **fields: object) -> list[Any]:
        return []


def floor_case(adapter: Adapter) -> Case:
    """``send-0-floor``: typedsignals' send statement on a :class:`FloorSignal`."""
    if adapter.name != TYPED:
        raise NotApplicable("typedsignals reference")
    return Case(sync_loop(adapter.send_stmt, {"sig": FloorSignal(), "sender": Sender()}), [])


def filtered_case(adapter: Adapter, senders: int) -> Case:
    """``senders`` senders with one receiver each; send from one of them."""
    sig = adapter.signal()
    pairs = [(Sender(), adapter.receiver()) for _ in range(senders)]
    for sender, receiver in pairs:
        adapter.connect(sig, receiver, sender)
    loop = sync_loop(adapter.send_stmt, {"sig": sig, "sender": pairs[len(pairs) // 2][0]})

    def cleanup() -> None:
        for _, receiver in pairs:
            adapter.disconnect(sig, receiver)

    return Case(loop, [sig, pairs], cleanup)


def connect_disconnect_case(adapter: Adapter, connected: int = CONNECTED_BEFORE) -> Case:
    """Connect one more receiver to a signal holding ``connected``, then disconnect it."""
    adapter.check_receivers(connected)
    sig = adapter.signal()
    cleanup = _connected(adapter, sig, connected)
    namespace = {"sig": sig, "receiver": adapter.receiver()}
    return Case(sync_loop(adapter.connect_disconnect_stmt, namespace), [sig], cleanup)


def send_async_case(adapter: Adapter) -> Case:
    """One awaited send to 10 coroutine receivers, inside a running event loop."""
    expr = adapter.send_async_stmt
    if not expr:
        raise Unsupported("no awaited async send")
    sig = adapter.signal()
    receivers = [adapter.async_receiver() for _ in range(ASYNC_RECEIVERS)]
    for receiver in receivers:
        adapter.connect(sig, receiver)
    event_loop = asyncio.new_event_loop()

    def cleanup() -> None:
        for receiver in receivers:
            adapter.disconnect(sig, receiver)
        event_loop.close()

    namespace = {"sig": sig, "sender": Sender()}
    return Case(async_loop(expr, namespace, event_loop), [sig, receivers], cleanup)


def growth_case(adapter: Adapter, signals: int, senders: int) -> Case:
    """Send to one receiver while ``signals`` other signals and ``senders`` other senders
    (each with its own receiver on the measured signal) exist; the sending sender has no
    receiver of its own."""
    sig = adapter.signal()
    undo = [_connected(adapter, sig, 1)]
    if "send-filtered" not in adapter.unsupported:
        pairs = [(Sender(), adapter.receiver()) for _ in range(senders)]
        for other_sender, receiver in pairs:
            adapter.connect(sig, receiver, other_sender)
        undo.extend(_disconnector(adapter, sig, receiver) for _, receiver in pairs)
    others = [adapter.signal() for _ in range(signals)]
    undo.extend(_connected(adapter, other, 1) for other in others)
    loop = sync_loop(adapter.send_stmt, {"sig": sig, "sender": Sender()})

    def cleanup() -> None:
        for step in undo:
            step()

    return Case(loop, [sig, others], cleanup)


def _disconnector(adapter: Adapter, sig: Any, receiver: Callable[..., Any]) -> Callable[[], None]:
    return lambda: adapter.disconnect(sig, receiver)


# -- rows -------------------------------------------------------------------------------


def send(receivers: int) -> Callable[[Sequence[Adapter], Settings], list[Row]]:
    """The ``send-N`` workload: one send with N receivers connected for every sender.

    ``send-0`` also times ``send-0-floor`` (interleaved with it): the least a send
    written in Python can cost, for comparison with typedsignals' unheard send.
    """

    def workload(adapters: Sequence[Adapter], settings: Settings) -> list[Row]:
        noun = "receiver" if receivers == 1 else "receivers"
        specs = [
            RowSpec(
                f"send-{receivers}",
                f"send from one sender with {receivers} {noun} connected (ANY); ns per send",
                lambda adapter: send_case(adapter, receivers),
            )
        ]
        if receivers == 0:
            specs.append(
                RowSpec(
                    "send-0-floor",
                    "reference for typedsignals' send-0: the same call to a Python method "
                    "with send's signature whose body is only 'return []'; ns per call",
                    floor_case,
                    ratio=False,
                )
            )
        return timed_rows(f"send-{receivers}", specs, adapters, settings)

    return workload


def send_filtered(adapters: Sequence[Adapter], settings: Settings) -> list[Row]:
    """``send-filtered``: one send reaching one of N sender-filtered receivers."""
    count = settings.filter_senders
    row = timed_row(
        "send-filtered",
        f"send from one of {count:,} senders, each with its own filtered receiver; ns per send",
        adapters,
        settings,
        lambda adapter: filtered_case(adapter, count),
    )
    return [row]


def connect_disconnect(adapters: Sequence[Adapter], settings: Settings) -> list[Row]:
    """``connect-disconnect``: one connect and one disconnect, 10 receivers already there."""
    row = timed_row(
        "connect-disconnect",
        f"connect + disconnect one receiver, {CONNECTED_BEFORE} already connected; ns per pair",
        adapters,
        settings,
        connect_disconnect_case,
    )
    return [row]


def send_async(adapters: Sequence[Adapter], settings: Settings) -> list[Row]:
    """``send-async-10``: one awaited send to 10 coroutine receivers."""
    row = timed_row(
        "send-async",
        f"await send_async with {ASYNC_RECEIVERS} coroutine receivers (django: asend, which "
        "gathers them concurrently); ns per send",
        adapters,
        settings,
        send_async_case,
        key=f"send-async-{ASYNC_RECEIVERS}",
    )
    return [row]


def growth(adapters: Sequence[Adapter], settings: Settings) -> list[Row]:
    """``growth-*``: the same send among 1, then among many, other signals and senders.

    Both sides have at least one sender-filtered connection, so the comparison shows how
    send cost scales with the *number* of signals and senders, not the one-off step some
    libraries take when a signal first gets a sender-specific receiver.
    """
    signals, senders = settings.growth_signals, settings.growth_senders
    small, large = timed_rows(
        "growth",
        [
            RowSpec(
                "growth-small",
                "send with 1 receiver (ANY) from a sender without receivers of its own, while "
                "1 other signal exists and 1 other sender has a filtered receiver on this "
                f"signal (timed with the next row in {factor_timing(settings)}); ns per send",
                lambda adapter: growth_case(adapter, 1, 1),
            ),
            RowSpec(
                "growth-large",
                f"the same with {signals:,} other signals (1 receiver each) and {senders:,} "
                "other senders (psygnal: signals only, it has no senders); ns per send",
                lambda adapter: growth_case(adapter, signals, senders),
            ),
        ],
        adapters,
        settings,
        repeats=settings.factor_repeats,
        min_time=settings.factor_min_time,
    )
    return [
        small,
        large,
        factor_row(
            "growth-factor",
            "growth-large / growth-small: 1.00x means send cost does not grow",
            large,
            small,
        ),
    ]


def factor_timing(settings: Settings) -> str:
    """How the rows of a workload with a factor row are timed, for their description."""
    return (
        f"{settings.factor_repeats} interleaved repeats of >= {settings.factor_min_time * 1e3:g} ms"
    )


def factor_row(key: str, description: str, large: Row, small: Row) -> Row:
    """Each library's ``large / small`` ratio, within that library (no ratio to blinker).

    A library without both values gets the cell that explains why (``large``'s first).
    """
    factor: dict[str, Cell] = {}
    for name, cell in large.cells.items():
        base = small.value(name)
        if cell.value is not None and base:
            factor[name] = Cell.ok(cell.value / base)
        else:
            factor[name] = cell if cell.value is None else small.cells[name]
    return Row(key, large.workload, description, "x", factor, ratio=False)
