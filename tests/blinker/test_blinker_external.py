"""blinker 1.9's own test suite and Flask's signal tests, passing on typedsignals.blinker.

Neither suite is part of this repository: each test fetches the sdist from PyPI and runs
its tests in a subprocess where ``blinker`` resolves to ``typedsignals.blinker``, with
the typedsignals pytest plugin loaded in its default state (see ``blinker_support``).
tests/blinker/test_third_party_suites.py compares whole suites with real blinker.
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path
from typing import Final

from blinker_support import run_suite, sdist_tests

pytest_plugins = ["blinker_support"]  # the suite_tools fixture

BLINKER_VERSION: Final = "1.9.0"

FLASK_SIGNAL_TESTS: Final = {
    "tests.test_signals::test_template_rendered",
    "tests.test_signals::test_before_render_template",
    "tests.test_signals::test_request_signals",
    "tests.test_signals::test_request_exception_signal",
    "tests.test_signals::test_appcontext_signals",
    "tests.test_signals::test_flash_signal",
    "tests.test_signals::test_appcontext_tearing_down_signal",
    "tests.test_testing::test_client_json_no_app_context",  # appcontext_popped.connected_to
}
"""Flask's tests that use signals: all of tests/test_signals.py, one of test_testing.py."""


def test_blinkers_own_suite_passes(suite_tools: list[Path]) -> None:
    """blinker 1.9.0's test suite: 25 of 25 pass on ours, next to our plugin's defaults."""
    root = sdist_tests("blinker", BLINKER_VERSION)
    outcome = run_suite(
        root, suite_tools, "typedsignals.blinker", "-p", "pytest_asyncio.plugin", "tests"
    )
    assert outcome.counts == {"passed": 25, "failed": 0, "skipped": 0}, outcome.output


def test_flasks_signal_tests_pass(suite_tools: list[Path]) -> None:
    """Flask's signal tests (test_signals.py, test_testing.py) pass on ours."""
    version = metadata.version("flask")
    assert version.startswith("3.1."), f"these tests target Flask 3.1, found {version}"
    root = sdist_tests("flask", version)
    outcome = run_suite(
        root, suite_tools, "typedsignals.blinker", "tests/test_signals.py", "tests/test_testing.py"
    )
    assert (outcome.failed, outcome.skipped) == (set(), set()), outcome.output
    assert outcome.passed >= FLASK_SIGNAL_TESTS, outcome.output


def test_blinkers_own_suite_passes_under_our_checks(suite_tools: list[Path]) -> None:
    """blinker's suite passes on ours with our leak check and strict mode switched on:
    neither reports anything the suite does not leave behind."""
    root = sdist_tests("blinker", BLINKER_VERSION)
    checks = ("-o", "typedsignals_leak_check=true", "-o", "typedsignals_strict=true")
    outcome = run_suite(
        root, suite_tools, "typedsignals.blinker", "-p", "pytest_asyncio.plugin", *checks, "tests"
    )
    assert outcome.counts == {"passed": 25, "failed": 0, "skipped": 0}, outcome.output
