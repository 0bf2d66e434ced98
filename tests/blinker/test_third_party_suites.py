"""Third-party test suites give the same results on typedsignals.blinker as on blinker.

Each suite comes from its project's sdist on PyPI (never from this repository) and runs
twice at once in subprocesses, once on the real blinker and once with ``blinker``
resolving to ``typedsignals.blinker``, both with the typedsignals pytest plugin loaded in
its default state, as in any project that installs typedsignals. The results must be the
same test by test: a test that fails on blinker too (Flask-SQLAlchemy 3.1.1's tests, for
instance, predate SQLAlchemy 2.1) fails the same way on ours.

Flask-Principal and Flask-Mail publish no tests in their sdists (any version of
Flask-Principal; Flask-Mail since 0.10), so they are not here; tests/test_testing.py
runs Flask-Principal under the leak check instead.
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

import pytest
from blinker_support import run_suite_on_both, sdist_tests

pytest_plugins = ["blinker_support"]  # the suite_tools fixture


@pytest.mark.parametrize(
    ("project", "args", "least"),
    [
        pytest.param("blinker", ("-p", "pytest_asyncio.plugin"), 25, id="blinker"),
        pytest.param("flask", (), 480, id="flask"),
        pytest.param("flask-login", (), 110, id="flask-login"),
        pytest.param("flask-sqlalchemy", (), 450, id="flask-sqlalchemy"),
    ],
)
def test_suite_gives_the_same_results_on_ours(
    suite_tools: list[Path], project: str, args: tuple[str, ...], least: int
) -> None:
    """The installed version's suite: every test has the same outcome on both blinkers."""
    root = sdist_tests(project, metadata.version(project))
    real, ours = run_suite_on_both(root, suite_tools, *args, "tests")
    assert len(real.results) >= least, real.output
    differing = {
        test: (outcome, ours.results.get(test, "missing"))
        for test, outcome in real.results.items()
        if ours.results.get(test) != outcome
    }
    assert differing == {}, ours.output
    assert ours.results.keys() == real.results.keys()
