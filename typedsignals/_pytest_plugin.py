"""The typedsignals pytest plugin, registered through the ``pytest11`` entry point.

pytest loads it in every test session of every project that has typedsignals installed,
so by default it changes nothing: it registers two ini options, two command-line flags,
one marker and the ``signal_capture`` fixture, and imports nothing heavy (Pydantic is
imported only when the fixture is used). A project opts in to the checks (see
docs/testing.md):

* strict mode (ini ``typedsignals_strict = true`` or ``--typedsignals-strict``): every
  send is validated even when no receiver listens, so a bad send fails the test that
  makes it;
* the leak check (ini ``typedsignals_leak_check = true`` or
  ``--typedsignals-leak-check``): a test that leaves a live receiver connected fails at
  teardown; mark a test with ``@pytest.mark.typedsignals_allow_leaks`` to exempt it.

What the leak check counts: connections made while the test body ran (after its
fixtures were set up) that are still live once its fixtures are torn down and the
garbage collector has run. It ignores connections that existed when setup ended
(import-time registrations, whatever the fixtures connected, however long they live),
connections whose receiver or weakly held sender died, and registrations made by the
first import of a module inside the test: a leftover receiver defined in such a module
(its ``__module__``), or held as a global of it (itself, or the instance of a bound
method), counts as that import's, so a test does not fail or pass depending on whether
an earlier test imported the module first.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable, Generator, Hashable, Iterator, Mapping
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any, Final, TypeVar

import pytest

if TYPE_CHECKING:
    from ._table import Connection, ReceiverTable
    from .testing import Captured

_T = TypeVar("_T")
_Key = tuple[int, Hashable, Hashable]
"""A connection's identity: (signal, sender, receiver)."""

_Leak = tuple["ReceiverTable", object, "Connection"]


class _Before:
    """What the leak check recorded when a test's setup ended."""

    __slots__ = ("connections", "modules")

    def __init__(self, connections: set[_Key], modules: set[str]) -> None:
        self.connections = connections
        self.modules = modules


_BEFORE: Final = pytest.StashKey[_Before]()
_FIXTURE_VALUES: Final = pytest.StashKey[set[int]]()
"""Identities of the values of a test's function-scoped fixtures."""
_STRICT: Final = "typedsignals_strict"
_LEAK_CHECK: Final = "typedsignals_leak_check"
_ALLOW_LEAKS: Final = "typedsignals_allow_leaks"
_previous_strict: list[bool] = []


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("typedsignals")
    group.addoption(
        "--typedsignals-strict",
        action="store_true",
        dest=_STRICT,
        default=False,
        help="validate every send during the tests, even with no receiver (strict mode)",
    )
    group.addoption(
        "--typedsignals-leak-check",
        action="store_true",
        dest=_LEAK_CHECK,
        default=False,
        help="fail a test that leaves receivers connected to a typedsignals signal",
    )
    parser.addini(
        _STRICT,
        "typedsignals: validate every send during tests, even with no receiver",
        type="bool",
        default=False,
    )
    parser.addini(
        _LEAK_CHECK,
        "typedsignals: fail a test that leaves receivers connected",
        type="bool",
        default=False,
    )


def _enabled(config: pytest.Config, name: str) -> bool:
    """Whether the command line or the ini file switched ``name`` on."""
    return bool(config.getoption(name) or config.getini(name))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{_ALLOW_LEAKS}: do not fail this test for receivers it leaves connected "
        f"(with {_LEAK_CHECK} on)",
    )
    if _enabled(config, _STRICT):
        from ._config import set_strict  # only now: the default run imports nothing more

        _previous_strict.append(set_strict(True))
    if _enabled(config, _LEAK_CHECK):
        config.pluginmanager.register(_LeakCheck(), "typedsignals-leak-check")


def pytest_unconfigure(config: pytest.Config) -> None:
    if _previous_strict:
        from ._config import set_strict

        set_strict(_previous_strict.pop())


def _live_connections() -> Iterator[tuple[_Key, ReceiverTable, object, Connection]]:
    """Every live connection with its identity.

    Keyed by identity rather than by connection object, so a pre-existing receiver that a
    test disconnects and connects again is not taken for a leak.
    """
    from ._table import all_signals

    for table in all_signals():
        for sender, conn in table._connections():
            sender_key = sender if isinstance(sender, (str, int)) else id(sender)
            yield (id(table), sender_key, conn.key), table, sender, conn


def _leaks(before: _Before, fixture_values: set[int]) -> list[_Leak]:
    """Live connections that were not there when setup ended, less those that die with a
    function-scoped fixture value and those an import made."""
    found = [
        (table, sender, conn)
        for key, table, sender, conn in _live_connections()
        if key not in before.connections and not _dies_with(sender, conn, fixture_values)
    ]
    if not found:
        return found
    new_modules = {
        name: module for name, module in list(sys.modules.items()) if name not in before.modules
    }
    return [leak for leak in found if not _registered_by_import(leak[2], new_modules)]


def _dies_with(sender: object, conn: Connection, values: set[int]) -> bool:
    """Whether the connection lives only as long as one of ``values`` (ids) does.

    pytest releases a test's fixture values only after its teardown hooks ran, so such a
    connection is still live when the check runs, though it will not outlive the test.
    """
    if not values:
        return False
    held = [] if isinstance(sender, (str, int)) else [sender]  # other senders: held weakly
    if conn.ref is not None:  # a weakly held receiver, or the instance of its bound method
        receiver = conn.target()
        held += [receiver, getattr(receiver, "__self__", None)]
    return any(id(obj) in values for obj in held if obj is not None)


def _registered_by_import(conn: Connection, modules: Mapping[str, object]) -> bool:
    """Whether a module first imported during the test defines or holds the receiver."""
    if not modules:
        return False
    receiver = conn.target()
    owners: list[object] = [receiver]
    function = getattr(receiver, "__func__", None)
    if function is not None:  # a bound method: its function and its instance
        owners += [function, getattr(receiver, "__self__", None)]
    for owner in owners[:2]:
        defined_in = getattr(owner, "__module__", None)
        if isinstance(defined_in, str) and defined_in in modules:
            return True
    held = {id(owner) for owner in owners if owner is not None}
    return any(
        id(value) in held
        for module in modules.values()
        for value in list(getattr(module, "__dict__", {}).values())
    )


def _describe_leaks(leaks: list[_Leak]) -> str:
    from ._receivers import ANY, describe

    return "\n".join(
        f"  signal {table.name!r}: {describe(conn.target())}"
        + ("" if sender is ANY else f" (sender {sender!r:.60})")
        for table, sender, conn in leaks
    )


def _take(stash: pytest.Stash, key: pytest.StashKey[_T]) -> _T | None:
    """Remove ``key`` from ``stash`` and return its value, or None if it was not there."""
    value = stash.get(key, None)
    if key in stash:
        del stash[key]
    return value


class _LeakCheck:
    """The leak check's hooks, registered only when the project switched it on."""

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(
        self, fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest
    ) -> Generator[None, object, object]:
        value = yield
        if fixturedef.scope == "function":
            request.node.stash.setdefault(_FIXTURE_VALUES, set()).add(id(value))
        return value

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> Generator[None, None, None]:
        # Taken once every fixture of the test is set up: what fixtures connect (an app
        # factory, an extension's init_app) is theirs to tear down, or to keep.
        yield
        if item.get_closest_marker(_ALLOW_LEAKS) is None:
            item.stash[_BEFORE] = _Before(
                {key for key, *_ in _live_connections()}, set(sys.modules)
            )

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        if call.when == "call" and call.excinfo is not None:
            # A test that failed (or skipped) may not have reached its clean-up code:
            # its failure is the report, not what it left connected.
            _take(item.stash, _BEFORE)
        return report

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_teardown(self, item: pytest.Item) -> Generator[None, None, None]:
        # Outermost wrapper: checked once every fixture whose scope ends here is torn down.
        yield
        before = _take(item.stash, _BEFORE)
        fixture_values = _take(item.stash, _FIXTURE_VALUES) or set()
        if before is None:  # setup failed, the test failed, or it is exempt
            return
        if not _leaks(before, fixture_values):
            return
        # Only now collect garbage (a full collection per test would be slow): a weakly
        # held receiver or sender that sits in a reference cycle is not dead until then.
        gc.collect()
        leaks = _leaks(before, fixture_values)
        if leaks:
            pytest.fail(
                "test left receivers connected (disconnect them, use connected_to(), or "
                f"mark the test with @pytest.mark.{_ALLOW_LEAKS}):\n" + _describe_leaks(leaks),
                pytrace=False,
            )


@pytest.fixture
def signal_capture() -> Iterator[Callable[..., Captured[Any, Any]]]:
    """``signal_capture(signal, sender=ANY)`` records deliveries until the test ends."""
    from ._receivers import ANY
    from .testing import capture

    with ExitStack() as stack:

        def start(signal: Any, sender: Any = ANY) -> Captured[Any, Any]:
            return stack.enter_context(capture(signal, sender))

        yield start
