"""Shared configuration of the core test suite.

The core test modules run every test twice: once with strict mode off (``[lax]``, the
path production runs: an unheard send returns at once, unvalidated) and once with it on
(``[strict]``, every send validated). A test that only makes sense in one mode says so
with ``@pytest.mark.only_strict`` or ``@pytest.mark.only_lax``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from typedsignals import strict_mode

pytest_plugins = ["pytester"]  # tests/test_testing.py runs the pytest plugin in a sandbox

CORE_MODULES = frozenset(
    {
        "test_async.py",
        "test_connect.py",
        "test_errors.py",
        "test_hardening.py",
        "test_namespace.py",
        "test_properties.py",
        "test_send.py",
        "test_signal_rules.py",
        "test_table_internals.py",
        "test_table_rules.py",
        "test_threads.py",
    }
)
"""Test modules (directly in tests/) that run in both strict modes."""

_TESTS = Path(__file__).parent
_MODES = {"lax": False, "strict": True}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "only_strict: run this core test with strict mode on only ([strict])"
    )
    config.addinivalue_line(
        "markers", "only_lax: run this core test with strict mode off only ([lax])"
    )


def _is_core(path: Path) -> bool:
    return path.parent == _TESTS and path.name in CORE_MODULES


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize every test of a core module over the strict modes it makes sense in."""
    if not _is_core(metafunc.definition.path):
        return
    only_strict = metafunc.definition.get_closest_marker("only_strict") is not None
    only_lax = metafunc.definition.get_closest_marker("only_lax") is not None
    if only_strict and only_lax:
        raise pytest.UsageError(f"{metafunc.definition.nodeid}: only_strict and only_lax conflict")
    modes = ["strict"] if only_strict else ["lax"] if only_lax else ["lax", "strict"]
    metafunc.parametrize("strictness", modes, indirect=True, scope="function")


@pytest.fixture(autouse=True)
def strictness(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """Run a core test with the process-wide strict mode of its ``[lax]``/``[strict]`` id.

    Elsewhere (tests/blinker, tests/flask, tests/reliability, the doctests) the mode is
    left as the session set it, and the value is None.
    """
    mode: str | None = getattr(request, "param", None)
    if mode is None:
        yield None
        return
    with strict_mode(_MODES[mode]):
        yield mode


@pytest.fixture
def tutorial_app(tmp_path: Path) -> Iterator[Any]:
    """The showcase's Flask app on a fresh SQLite file; its receivers disconnected and its
    metrics switched off afterwards (tests/test_examples.py, tests/showcase/)."""
    from examples.tutorial_app import create_app, open_storage  # Flask: only when used
    from examples.tutorial_app.app import state_of

    app = create_app(open_storage(path=tmp_path / "app.sqlite"), secret_key="tests")
    try:
        yield app
    finally:
        state_of(app).close()
