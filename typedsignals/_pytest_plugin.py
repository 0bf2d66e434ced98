"""The typedsignals pytest plugin, registered through the ``pytest11`` entry point.

What it does in every test session of a project that has typedsignals installed:

* turns on strict mode (ini ``typedsignals_strict``, default true): every send is
  validated even when no receiver listens, so a bad send fails the test that makes it;
* fails a test that leaves receivers connected to any signal (ini
  ``typedsignals_leak_check``, default true; mark a test with
  ``@pytest.mark.typedsignals_allow_leaks`` to exempt it). Receivers connected before the
  test started, at import time for instance, are not counted;
* provides the ``signal_capture`` fixture: ``signal_capture(signal)`` starts a
  :func:`typedsignals.testing.capture` that ends with the test.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from ._config import set_strict
from ._receivers import ANY, describe
from ._table import Connection, all_signals
from .testing import Captured, capture

_previous_strict: list[bool] = []


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "typedsignals_strict",
        "typedsignals: validate every send during tests, even with no receiver",
        type="bool",
        default=True,
    )
    parser.addini(
        "typedsignals_leak_check",
        "typedsignals: fail a test that leaves receivers connected",
        type="bool",
        default=True,
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "typedsignals_allow_leaks: do not fail this test for receivers it leaves connected",
    )
    if config.getini("typedsignals_strict"):
        _previous_strict.append(set_strict(True))


def pytest_unconfigure(config: pytest.Config) -> None:
    if _previous_strict:
        set_strict(_previous_strict.pop())


def _snapshot() -> dict[tuple[int, Hashable, Hashable], tuple[str, object, Connection]]:
    """Live connections, keyed by (signal, sender, receiver) identity.

    Keyed by identity rather than by connection object, so a pre-existing receiver that
    a test disconnects and connects again is not taken for a leak.
    """
    found: dict[tuple[int, Hashable, Hashable], tuple[str, object, Connection]] = {}
    for table in all_signals():
        for sender, conn in table._connections():
            if conn.target() is not None:
                sender_key = sender if isinstance(sender, (str, int)) else id(sender)
                found[(id(table), sender_key, conn.key)] = (table.name, sender, conn)
    return found


@pytest.fixture(autouse=True)
def _typedsignals_leak_check(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail the test if it leaves receivers connected that were not there before."""
    enabled = request.config.getini("typedsignals_leak_check")
    if not enabled or request.node.get_closest_marker("typedsignals_allow_leaks"):
        yield
        return
    before = _snapshot()
    yield
    leaked = [entry for key, entry in _snapshot().items() if key not in before]
    if leaked:
        lines = [
            f"  signal {name!r}: {describe(conn.target())}"
            + ("" if sender is ANY else f" (sender {sender!r:.60})")
            for name, sender, conn in leaked
        ]
        pytest.fail(
            "test left receivers connected (disconnect them, use connected_to(), or mark "
            "the test with @pytest.mark.typedsignals_allow_leaks):\n" + "\n".join(lines),
            pytrace=False,
        )


@pytest.fixture
def signal_capture() -> Iterator[Callable[..., Captured[Any, Any]]]:
    """``signal_capture(signal, sender=ANY)`` records deliveries until the test ends."""
    with ExitStack() as stack:

        def start(signal: Any, sender: Any = ANY) -> Captured[Any, Any]:
            return stack.enter_context(capture(signal, sender))

        yield start
