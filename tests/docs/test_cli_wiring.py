"""The ``docs`` subcommand is wired into the ``typedsignals`` command line."""

from __future__ import annotations

import subprocess
import sys


def test_typedsignals_docs_prints_the_reference() -> None:
    """``python -m typedsignals docs MODULE --format md`` prints each signal's section."""
    result = subprocess.run(
        [sys.executable, "-m", "typedsignals", "docs", "typedsignals.flask.mail", "--format", "md"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "## `flask-mail.email-dispatched`" in result.stdout
    assert "typedsignals.flask.mail.EmailDispatched" in result.stdout
