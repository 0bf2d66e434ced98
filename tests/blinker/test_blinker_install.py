"""Making blinker code use typedsignals.blinker: install() and the .pth packaging option.

Each test runs in a subprocess, so that this test process keeps the real blinker.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from blinker_support import REPO, python_env

import _typedsignals_switch
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


SWITCHED_ON = ["1", "true", "yes", "on", "TRUE", " On "]
SWITCHED_OFF = [None, "", "0", "false", "no", "off", "2"]


def run_with_pth(tmp_path: Path, value: str | None, code: str) -> str:
    """Run ``code`` after processing the repository's .pth file as at startup; return stdout.

    Python runs with ``-S``, and the virtualenv's site-packages goes on ``sys.path``
    without its own .pth files, so only the copy under test runs (the development install
    has one too). ``_typedsignals_switch`` comes from the repository on ``PYTHONPATH``, as
    it comes from site-packages in a wheel install.
    """
    site_dir = tmp_path / "site-packages"
    site_dir.mkdir(exist_ok=True)
    shutil.copy(PTH, site_dir)
    script = tmp_path / "script.py"
    script.write_text(
        "import site, sys, sysconfig\n"
        "sys.path.append(sysconfig.get_path('purelib'))\n"
        f"site.addsitedir({str(site_dir)!r})\n" + textwrap.dedent(code)
    )
    env = {} if value is None else {"TYPEDSIGNALS_BLINKER": value}
    result = subprocess.run(
        [sys.executable, "-S", str(script)],
        cwd=tmp_path,
        env=python_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (result.returncode, result.stderr) == (0, ""), result.stdout + result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        *((value, "typedsignals.blinker") for value in SWITCHED_ON),
        *((value, "blinker") for value in SWITCHED_OFF),
    ],
)
def test_pth_file_switches_on_a_true_value_only(
    run_python: RunPython, tmp_path: Path, value: str | None, expected: str
) -> None:
    """The shipped .pth file makes Flask's signals typedsignals' only for a true value."""
    code = """
        import flask.signals
        print(type(flask.signals.request_started).__module__.removesuffix(".base"))
        """
    assert run_with_pth(tmp_path, value, code) == expected


@pytest.mark.parametrize("value", SWITCHED_OFF)
def test_pth_file_imports_nothing_when_off(
    run_python: RunPython, tmp_path: Path, value: str | None
) -> None:
    """Without a true value the .pth file imports nothing and registers no finder."""
    code = """
        import sys
        print([name for name in sys.modules if "typedsignals" in name], len(sys.meta_path))
        """
    baseline = run_with_pth(tmp_path, None, "import sys; print(len(sys.meta_path))")
    assert run_with_pth(tmp_path, value, code) == f"[] {baseline}"


def test_pth_file_does_not_import_typedsignals_at_startup(
    run_python: RunPython, tmp_path: Path
) -> None:
    """Switched on, startup imports the small switch module only; the first import of
    blinker brings in typedsignals.blinker, which keeps its own module identity."""
    code = """
        import sys
        print(sorted(name for name in sys.modules if "typedsignals" in name))
        import typedsignals.blinker as ours
        assert ours.installed() and "blinker" not in sys.modules  # will be ours on import
        from blinker._utilities import make_id
        import blinker
        import blinker.base
        assert blinker is ours and blinker.base is ours.base and make_id is ours._utilities.make_id
        assert ours.__name__ == ours.__spec__.name == "typedsignals.blinker"
        assert ours.base.__spec__.name == "typedsignals.blinker.base"
        print(ours.installed())
        """
    assert run_with_pth(tmp_path, "1", code) == "['_typedsignals_switch']\nTrue"


def test_uninstall_turns_the_switch_off(run_python: RunPython, tmp_path: Path) -> None:
    """uninstall() after the switch: the next import of blinker gives the real one."""
    code = """
        import typedsignals.blinker as ours
        import blinker
        assert blinker is ours
        ours.uninstall()
        assert not ours.installed()
        del blinker
        import blinker
        print(blinker is ours, ours.installed())
        """
    assert run_with_pth(tmp_path, "1", code) == "False False"


def test_install_after_the_switch_changes_nothing(run_python: RunPython, tmp_path: Path) -> None:
    """install() with the switch on, before or after the first import of blinker, is fine."""
    code = """
        import typedsignals.blinker as ours
        ours.install()
        import blinker
        ours.install()
        print(blinker is ours)
        """
    assert run_with_pth(tmp_path, "1", code) == "True"


def test_pth_file_is_one_import_line() -> None:
    """The .pth file holds a single line that site.py executes (it starts with import)."""
    lines = PTH.read_text().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("import ")


def test_pth_file_true_values_are_the_switchs() -> None:
    """The .pth file's copy of the true values is the switch module's set."""
    line = PTH.read_text()
    copied = ast.literal_eval(re.search(r"\{[^}]*\}", line).group())  # type: ignore[union-attr]  # pyright: ignore[reportOptionalMemberAccess]
    assert copied == _typedsignals_switch.TRUE_VALUES
    assert _typedsignals_switch.ENV_VAR in line


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


# -- the switch as users get it: a wheel, the newest pytest, filterwarnings = error --------

WHEEL_PROJECT_TEST = """
import os

import flask
import pytest

SWITCHED = os.environ.get("TYPEDSIGNALS_BLINKER") == "1"


def test_flask_signals_follow_the_switch():
    module = type(flask.request_started).__module__.removesuffix(".base")
    assert module == ("typedsignals.blinker" if SWITCHED else "blinker")


def test_a_request_reaches_a_receiver():
    app = flask.Flask(__name__)
    app.add_url_rule("/", "index", lambda: "hi")
    seen = []
    with flask.request_finished.connected_to(lambda sender, response: seen.append(sender), app):
        app.test_client().get("/")
    assert seen == [app]


def test_the_typedsignals_plugin_is_loaded(request):
    assert request.config.pluginmanager.has_plugin("typedsignals")
"""
"""A user's test module: it passes with the switch on and off."""


def _fresh_env(**extra: str) -> dict[str, str]:
    """This environment without pytest, typedsignals or PYTHONPATH settings."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST_", "TYPEDSIGNALS_", "PYTHONPATH"))
    }
    env.update(extra)
    return env


def _checked(*args: str, cwd: Path | None = None) -> None:
    result = subprocess.run(
        args, cwd=cwd, env=_fresh_env(), capture_output=True, text=True, timeout=600
    )
    if result.returncode != 0:
        pytest.fail(f"{' '.join(args)} failed (is PyPI reachable?):\n{result.stderr}")


@pytest.fixture(scope="session")
def wheel_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv with the typedsignals wheel, the newest pytest and Flask; its
    python."""
    root = tmp_path_factory.mktemp("wheel-venv")
    pip = (sys.executable, "-m", "pip", "--disable-pip-version-check")
    _checked(*pip, "wheel", "--no-deps", "--quiet", "-w", str(root / "dist"), str(REPO))
    (wheel,) = (root / "dist").glob("typedsignals-*.whl")
    _checked(sys.executable, "-m", "venv", "--without-pip", str(root / "venv"))
    python = root / "venv" / "bin" / "python"
    _checked(*pip, "--python", str(python), "install", "--quiet", str(wheel), "pytest", "flask")
    return python


@pytest.mark.parametrize("value", ["1", "0", None])
def test_switch_from_a_wheel_keeps_pytest_working(
    wheel_venv: Path, tmp_path: Path, value: str | None
) -> None:
    """With a wheel install, a suite with filterwarnings = error passes under
    TYPEDSIGNALS_BLINKER=1, =0 and unset; with 1, Flask's signals are typedsignals'."""
    (tmp_path / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\nfilterwarnings = ["error"]\n'
    )
    (tmp_path / "test_app.py").write_text(WHEEL_PROJECT_TEST)
    env = _fresh_env() if value is None else _fresh_env(TYPEDSIGNALS_BLINKER=value)
    result = subprocess.run(
        [str(wheel_venv), "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout
