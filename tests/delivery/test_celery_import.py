"""typedsignals.celery is optional: the core never imports Celery, and its absence is clear."""

from __future__ import annotations

import subprocess
import sys

import pytest


def run(code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter."""
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize("module", ["typedsignals", "typedsignals.delivery"])
def test_core_and_thread_pool_do_not_import_celery(module: str) -> None:
    """The embedded default needs nothing installed: Celery is not imported."""
    result = run(f"import sys, {module}; print('celery' in sys.modules)")
    assert result.stdout.strip() == "False", result.stderr


def test_missing_celery_names_the_extra() -> None:
    """Without Celery, importing typedsignals.celery says which extra installs it."""
    result = run("import sys; sys.modules['celery'] = None; import typedsignals.celery")
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last == (
        "ModuleNotFoundError: typedsignals.celery needs Celery, which is not installed; "
        'install it with: pip install "typedsignals[celery]"'
    )
