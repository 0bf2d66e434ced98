"""Making blinker code use typedsignals.blinker: install() and the .pth packaging option.

Each test runs in a subprocess, so that this test process keeps the real blinker.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import typedsignals.blinker

pytest_plugins = ["blinker_support"]  # the impl and run_python fixtures

PTH = Path(typedsignals.blinker.__file__).with_name("typedsignals-blinker.pth")

RunPython = Callable[..., Any]


def test_install_makes_flask_and_blinker_imports_use_it(run_python: RunPython) -> None:
    """After install(), blinker, its submodules and Flask's signals are typedsignals'."""
    result = run_python(
        """
        import sys
        import typedsignals.blinker as ours
        ours.install()

        import blinker
        import blinker.base
        from blinker import ANY, Namespace, NamedSignal, Signal, default_namespace, signal
        from blinker._utilities import Symbol, make_id, make_ref
        from blinker.base import ANY as BASE_ANY
        import flask
        from flask import Flask, template_rendered

        assert blinker is ours and blinker.base is ours.base and ANY is BASE_ANY is ours.ANY
        assert type(flask.request_started) is ours.NamedSignal
        assert ours.installed()

        app = Flask(__name__)
        app.add_url_rule("/", "index", lambda: "hi")
        seen = []
        def started(sender, **extra):
            seen.append(("started", sender is app))
        flask.request_started.connect(started, app)
        assert app.test_client().get("/").data == b"hi"
        print(seen, "pydantic" in sys.modules)
        """
    )
    assert result.stdout.strip() == "[('started', True)] False"


def test_install_twice_changes_nothing(run_python: RunPython) -> None:
    """A second install() is a no-op."""
    run_python(
        """
        import sys
        import typedsignals.blinker as ours
        ours.install()
        ours.install()
        assert sys.modules["blinker"] is ours
        """
    )


def test_install_after_blinker_was_imported_fails(run_python: RunPython) -> None:
    """install() refuses once the real blinker is imported, and says what to do."""
    result = run_python(
        """
        import blinker
        import typedsignals.blinker as ours
        try:
            ours.install()
        except RuntimeError as exc:
            print(exc)
        import sys
        assert sys.modules["blinker"] is blinker and not ours.installed()
        """
    )
    assert "before importing Flask" in result.stdout
    assert "TYPEDSIGNALS_BLINKER=1" in result.stdout


def test_uninstall_restores_the_real_blinker(run_python: RunPython) -> None:
    """After uninstall(), importing blinker gives the real one again."""
    run_python(
        """
        import typedsignals.blinker as ours
        ours.install()
        ours.uninstall()
        import blinker
        assert blinker is not ours and not ours.installed()
        assert blinker.__file__ != ours.__file__
        """
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", "typedsignals.blinker"),
        ("yes", "typedsignals.blinker"),
        ("0", "blinker"),
        (None, "blinker"),
    ],
)
def test_pth_file_switches_on_the_environment_variable(
    run_python: RunPython, tmp_path: Path, value: str | None, expected: str
) -> None:
    """The shipped .pth file installs at startup when TYPEDSIGNALS_BLINKER is set."""
    site_dir = tmp_path / "site-packages"
    site_dir.mkdir()
    shutil.copy(PTH, site_dir)
    env = {} if value is None else {"TYPEDSIGNALS_BLINKER": value}
    result = run_python(
        f"""
        import site
        site.addsitedir({str(site_dir)!r})  # processes .pth files as at startup
        import flask.signals
        print(type(flask.signals.request_started).__module__.removesuffix(".base"))
        """,
        **env,
    )
    assert (result.stdout.strip(), result.stderr) == (expected, "")


def test_pth_file_is_one_import_line() -> None:
    """The .pth file holds a single line that site.py executes (it starts with import)."""
    lines = PTH.read_text().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("import ")


def test_typed_flask_signals_bridge_to_the_installed_blinker(run_python: RunPython) -> None:
    """typedsignals.flask's typed receivers hear Flask when blinker is typedsignals.blinker."""
    result = run_python(
        """
        import typedsignals.blinker
        typedsignals.blinker.install()

        import flask.signals
        from flask import Flask
        from typedsignals.flask import RequestFinished, request_finished

        app = Flask(__name__)
        app.add_url_rule("/", "index", lambda: "hi")
        heard = []

        @request_finished.connect
        def typed(sender: Flask, payload: RequestFinished) -> None:
            heard.append(("typed", payload.response.status_code))

        def raw(sender, response, **extra):
            heard.append(("raw", response.status_code))

        flask.signals.request_finished.connect(raw, weak=False)
        app.test_client().get("/")
        print(sorted(heard), type(flask.signals.request_finished).__module__)
        """
    )
    assert result.stdout.strip() == "[('raw', 200), ('typed', 200)] typedsignals.blinker"
