"""The typed Flask request overhead: a request through Flask's test client.

Three variants of one app (a single route returning ``"ok"``): no receivers; a trivial
receiver on ``request_started`` and one on ``request_finished`` connected raw to blinker's
``flask.signals``; the same receivers, typed, on ``typedsignals.flask``.

The variants are timed in a child process (``python -m benchmarks.flask_request``), so
Flask's state owes nothing to the other workloads, and interleaved inside it: each
repeat connects one variant's receivers, times the request loop, disconnects them, and
moves on to the next variant in rotated order. Before each timing the child checks
that Flask's signals hold exactly the receivers of the variant being timed (typed
receivers install a bridge on Flask's signals; it must be gone once they disconnect,
or it would tax the other variants), and before anything else that both receivers of
every variant really run on a request. Several children run one after another; the
minimum over all repeats of all children is kept.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from .adapters import Adapter, adapter_named
from .results import Cell, Row, Settings, Status
from .timing import autorange, interleaved, sync_loop, without_collector
from .workloads import unavailable_cell

__all__ = ["NO_RECEIVERS", "flask", "main", "request_ns"]

ROOT = Path(__file__).resolve().parent.parent
NO_RECEIVERS = "none"

Connector = Callable[[Callable[..., Any], Callable[..., Any]], Callable[[], None]]


def _app_client() -> Any:
    from flask import Flask

    app = Flask("benchmark")

    @app.get("/")
    def index() -> str:
        return "ok"

    return app.test_client()


def _check_delivery(name: str, connect: Connector, client: Any) -> None:
    calls: list[str] = []

    def started(*args: object, **kwargs: object) -> None:
        calls.append("started")

    def finished(*args: object, **kwargs: object) -> None:
        calls.append("finished")

    disconnect = connect(started, finished)
    try:
        client.get("/")
    finally:
        disconnect()
    if calls != ["started", "finished"]:
        raise RuntimeError(f"{name}: one request delivered {calls}")


_EXPECTED_ON_FLASK = {NO_RECEIVERS: 0, "blinker": 1}
"""Receivers each of Flask's two signals holds while a variant is timed (when known)."""


def _check_flask_receivers(variant: str) -> None:
    from flask import signals

    expected = _EXPECTED_ON_FLASK.get(variant)
    if expected is None:
        return
    for signal in (signals.request_started, signals.request_finished):
        found = len(signal.receivers)
        if found != expected:
            raise RuntimeError(
                f"while timing {variant}, flask.signals.{signal.name} holds {found} receivers "
                f"instead of {expected}: something (a typed bridge?) stayed connected"
            )


def _trivial(adapter: Adapter | None) -> Callable[[], None]:
    """Connect the variant's two trivial receivers; return what disconnects them."""
    if adapter is None:
        return lambda: None
    return adapter.flask_connect(adapter.receiver(), adapter.receiver())


def request_ns(variants: Sequence[str], min_time: float, repeats: int) -> dict[str, Any]:
    """Time the variants interleaved in this process.

    Returns ``{variant: {"ns": ...} or {"error": ...}}``.
    """
    out: dict[str, Any] = {}
    try:
        client = _app_client()
    except ImportError as exc:
        error = f"module not available: {type(exc).__name__}: {exc}"
        return {variant: {"error": error} for variant in variants}
    owners: dict[str, Adapter | None] = {}
    for variant in variants:
        if variant == NO_RECEIVERS:
            owners[variant] = None
            continue
        adapter = adapter_named(variant)
        if not adapter.load():
            out[variant] = {"error": f"module not available: {adapter.error}"}
            continue
        try:
            _check_delivery(variant, adapter.flask_connect, client)
        except ImportError as exc:
            out[variant] = {"error": f"module not available: {type(exc).__name__}: {exc}"}
            continue
        owners[variant] = adapter
    loop = sync_loop("client.get('/')", {"client": client})
    numbers: dict[str, int] = {}
    best: dict[str, float] = {}
    with ExitStack() as sessions, without_collector():
        for owner in owners.values():
            if owner is not None:
                sessions.enter_context(owner.session())
        # One more round than repeats: the first one only chooses each loop count.
        for variant in interleaved(list(owners), repeats + 1):
            disconnect = _trivial(owners[variant])
            try:
                _check_flask_receivers(variant)
                if variant not in numbers:
                    numbers[variant] = autorange(loop, min_time)
                    continue
                seconds = loop(numbers[variant]) / numbers[variant]
                best[variant] = min(best.get(variant, seconds), seconds)
            finally:
                disconnect()
    out.update({variant: {"ns": seconds * 1e9} for variant, seconds in best.items()})
    return out


def _run_child(variants: Sequence[str], settings: Settings) -> dict[str, Any]:
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.flask_request",
            str(settings.flask_min_time),
            str(settings.flask_repeats),
            *variants,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if completed.returncode != 0:
        lines = completed.stderr.strip().splitlines() or [f"exit status {completed.returncode}"]
        return {variant: {"error": f"child failed: {lines[-1]}"} for variant in variants}
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def flask(adapters: Sequence[Adapter], settings: Settings) -> list[Row]:
    """``flask-request`` (raw blinker vs typed receivers) and ``flask-no-receivers``."""
    variants = [NO_RECEIVERS] + [a.name for a in adapters if a.available and a.flask]
    best: dict[str, float] = {}
    errors: dict[str, str] = {}
    for _ in range(settings.flask_rounds):
        for variant, result in _run_child(variants, settings).items():
            if "error" in result:
                errors.setdefault(variant, str(result["error"]))
            else:
                ns = float(result["ns"])
                best[variant] = min(best.get(variant, ns), ns)

    def cell(variant: str) -> Cell:
        if variant in best:
            return Cell.ok(best[variant])
        reason = errors[variant]
        status: Status = "unavailable" if reason.startswith("module not available") else "error"
        return Cell.missing(status, reason)

    with_receivers: dict[str, Cell] = {}
    baseline: dict[str, Cell] = {}
    for adapter in adapters:
        if not adapter.available:
            with_receivers[adapter.name] = unavailable_cell(adapter)
        elif adapter.flask:
            with_receivers[adapter.name] = cell(adapter.name)
        else:
            with_receivers[adapter.name] = Cell.missing("not applicable", "no Flask signals")
        baseline[adapter.name] = (
            cell(NO_RECEIVERS)
            if adapter.name == "blinker"
            else Cell.missing("not applicable", "baseline in the blinker column")
        )
    return [
        Row(
            "flask-request",
            "flask",
            "GET / through Flask's test client with a receiver on request_started and one "
            "on request_finished: raw blinker (flask.signals) vs typedsignals.flask; "
            "ns per request",
            "ns",
            with_receivers,
        ),
        Row(
            "flask-no-receivers",
            "flask",
            "the same request with no receiver connected (baseline); ns per request",
            "ns",
            baseline,
            ratio=False,
        ),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """Child entry point: time the variants and print the results as JSON."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.flask_request")
    parser.add_argument("min_time", type=float)
    parser.add_argument("repeats", type=int)
    parser.add_argument("variants", nargs="+")
    args = parser.parse_args(argv)
    print(json.dumps(request_ns(args.variants, args.min_time, args.repeats)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
