"""Helpers and fixtures shared by the blinker compatibility tests.

Each test module loads this file as a pytest plugin (``pytest_plugins =
["blinker_support"]``) rather than through a ``conftest.py``: a directory named
``blinker`` cannot be a package (it would shadow blinker itself), and a second
package-less ``conftest.py`` collides with ``tests/conftest.py`` under
``--doctest-modules``.

``impl`` runs a test once on blinker 1.9 itself and once on ``typedsignals.blinker``;
the defect tests use it to show each defect on blinker and its absence here. Tests that
need ``blinker`` to resolve to ``typedsignals.blinker`` (Flask, the tutorial, the
install hook) run in a subprocess (``run_python``), so this process keeps the real
blinker.

PYTEST_DONT_REWRITE: test modules import helpers from here before pytest registers it
as a plugin, so it cannot have its assertions rewritten (it has none).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Final

import blinker
import pytest

import typedsignals.blinker

__all__ = ["IMPLEMENTATIONS", "REPO", "RunPython", "impl", "is_ours", "python_env", "run_python"]

REPO: Final = Path(__file__).resolve().parents[2]
"""The repository root: put on ``PYTHONPATH`` of subprocesses."""

IMPLEMENTATIONS: Final[dict[str, ModuleType]] = {
    "blinker": blinker,
    "typedsignals.blinker": typedsignals.blinker,
}
"""blinker 1.9 itself, and ours."""

if blinker is typedsignals.blinker:  # pragma: no cover - a broken environment
    raise RuntimeError("the test process must import the real blinker, not typedsignals'")


def is_ours(module: ModuleType) -> bool:
    """Whether ``module`` is ``typedsignals.blinker`` (not blinker itself)."""
    return module is typedsignals.blinker


def python_env(pythonpath: Sequence[str] = (), /, **extra: str) -> dict[str, str]:
    """A subprocess environment: the repository importable, no pytest or typedsignals
    settings inherited from this run."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST_", "TYPEDSIGNALS_", "PYTHONPATH"))
    }
    env["PYTHONPATH"] = os.pathsep.join([*pythonpath, str(REPO)])
    env.update(extra)
    return env


RunPython = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(params=list(IMPLEMENTATIONS))
def impl(request: pytest.FixtureRequest) -> ModuleType:
    """The module under test: blinker 1.9, then ``typedsignals.blinker``."""
    return IMPLEMENTATIONS[request.param]


@pytest.fixture
def run_python(tmp_path: Path) -> RunPython:
    """``run_python(code, **env)``: run ``code`` as a script in ``tmp_path``; it must succeed
    unless ``check=False``."""

    def run(code: str, *, check: bool = True, **env: str) -> subprocess.CompletedProcess[str]:
        script = tmp_path / "script.py"
        script.write_text(textwrap.dedent(code))
        result = subprocess.run(
            [sys.executable, str(script)],
            cwd=tmp_path,
            env=python_env(**env),
            capture_output=True,
            text=True,
            timeout=120,
        )
        if check and result.returncode != 0:
            pytest.fail(f"script failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        return result

    return run
