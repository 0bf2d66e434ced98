"""Soak switch and figures for the reliability suite.

Each reliability test reports its figures (operations done, errors seen, bytes grown)
through the ``figures`` fixture: they are printed (``pytest -s`` or ``-rP`` shows them
next to the test) and collected into a "typedsignals reliability figures" section at the
end of every run, so CI logs always carry them.

Soak mode: ``TYPEDSIGNALS_SOAK=1 pytest tests/reliability`` (or
``pytest tests/reliability --soak``) switches every count to its soak value.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Final

import pytest

from ._support import SOAK_ENV, soak

Figures = Callable[..., None]
"""``figures(name=value, ...)``: report this test's figures."""

_FIGURES: Final = pytest.StashKey[list[tuple[str, str]]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--soak",
        action="store_true",
        default=False,
        help=f"typedsignals reliability: run the soak counts (same as {SOAK_ENV}=1)",
    )


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--soak", default=False):
        os.environ[SOAK_ENV] = "1"
    config.stash[_FIGURES] = []


def pytest_report_header(config: pytest.Config) -> str:
    mode = "soak" if soak() else f"bounded (set {SOAK_ENV}=1 for the soak counts)"
    return f"typedsignals reliability: {mode}"


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> Figures:
    """Report figures: printed with the test's output and listed at the end of the run."""

    def report(**values: object) -> None:
        text = ", ".join(f"{name}={_format(value)}" for name, value in values.items())
        print(f"[figures] {text}")
        request.config.stash[_FIGURES].append((request.node.nodeid, text))

    return report


def _format(value: object) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.3f}"
    return str(value)


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config
) -> None:
    reported = config.stash.get(_FIGURES, [])
    if not reported:
        return
    mode = "soak" if soak() else "bounded"
    terminalreporter.write_sep("=", f"typedsignals reliability figures ({mode})")
    for nodeid, text in reported:
        terminalreporter.write_line(f"{nodeid}: {text}")
