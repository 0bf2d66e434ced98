"""The declarations: names, payload fields, schemas and the import guards."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from flask import Flask
from flask import signals as flask_signals
from pydantic import BaseModel

import typedsignals.flask
from typedsignals.flask import BridgedSignal

FLASK_SIGNALS: dict[str, tuple[str, ...]] = {
    "template_rendered": ("template", "context"),
    "before_render_template": ("template", "context"),
    "request_started": (),
    "request_finished": ("response",),
    "got_request_exception": ("exception",),
    "request_tearing_down": ("exc",),
    "appcontext_tearing_down": ("exc",),
    "appcontext_pushed": (),
    "appcontext_popped": (),
    "message_flashed": ("message", "category"),
}
"""Every Flask signal and the keyword arguments Flask sends it with."""


def declared(name: str) -> BridgedSignal[Any, ..., Any]:
    """The typed declaration named ``name`` in typedsignals.flask."""
    signal = getattr(typedsignals.flask, name)
    assert isinstance(signal, BridgedSignal)
    return signal


def test_every_flask_signal_is_declared() -> None:
    """typedsignals.flask declares exactly the signals flask.signals defines."""
    flask_names = {
        name for name, value in vars(flask_signals).items() if type(value).__name__ == "NamedSignal"
    }
    assert flask_names == set(FLASK_SIGNALS)


@pytest.mark.parametrize("name", sorted(FLASK_SIGNALS))
def test_declaration_mirrors_flask_signal(name: str) -> None:
    """Each declaration mirrors the flask.signals object of the same name."""
    signal = declared(name)
    raw = getattr(flask_signals, name)
    assert signal.raw is raw
    assert signal.name == signal.raw_name == name.replace("_", "-")
    assert signal.sender_type is Flask
    assert signal.module == "typedsignals.flask"
    assert signal.doc


@pytest.mark.parametrize(("name", "fields"), sorted(FLASK_SIGNALS.items()))
def test_payload_fields_are_flask_kwargs(name: str, fields: tuple[str, ...]) -> None:
    """Each payload model declares exactly the keyword arguments Flask sends."""
    assert tuple(declared(name).payload_model.model_fields) == fields


@pytest.mark.parametrize("name", sorted(FLASK_SIGNALS))
def test_payload_fields_are_documented(name: str) -> None:
    """Every payload field has a description, for generated docs."""
    model = declared(name).payload_model
    assert model.__doc__
    assert all(field.description for field in model.model_fields.values())


@pytest.mark.parametrize("name", sorted(FLASK_SIGNALS))
def test_payload_json_schema(name: str) -> None:
    """Every payload has a JSON Schema, with Python-only types marked."""
    schema = declared(name).payload_model.model_json_schema()
    json.dumps(schema)
    assert schema["additionalProperties"] is False


def test_public_names() -> None:
    """__all__ lists the public names, sorted, and nothing else is public."""
    public = {
        name
        for name, value in vars(typedsignals.flask).items()
        if not name.startswith("_") and not isinstance(value, type(sys))
    }
    public -= {"annotations"}
    assert set(typedsignals.flask.__all__) == public
    assert typedsignals.flask.__all__ == sorted(typedsignals.flask.__all__, key=_isort_key)


def _isort_key(name: str) -> tuple[int, str]:
    kind = 0 if name.isupper() else 1 if name[0].isupper() else 2
    return kind, name


def test_public_classes_show_the_public_module() -> None:
    """Exported classes report typedsignals.flask as their module."""
    for name in typedsignals.flask.__all__:
        value = getattr(typedsignals.flask, name)
        if isinstance(value, type):
            assert value.__module__ == "typedsignals.flask", name


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter."""
    return subprocess.run(
        [sys.executable, "-W", "error", "-c", code],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_import_typedsignals_does_not_import_flask() -> None:
    """The core package never imports Flask."""
    result = run_python("import sys, typedsignals; print('flask' in sys.modules)")
    assert result.stdout.strip() == "False", result.stderr


@pytest.mark.parametrize(
    ("module", "blocked", "extra"),
    [
        ("typedsignals.flask", "flask", "flask"),
        ("typedsignals.flask.login", "flask_login", "flask-login"),
        ("typedsignals.flask.principal", "flask_principal", "flask-principal"),
        ("typedsignals.flask.mail", "flask_mail", "flask-mail"),
        ("typedsignals.flask.sqlalchemy", "flask_sqlalchemy", "flask-sqlalchemy"),
    ],
)
def test_missing_dependency_names_the_extra(module: str, blocked: str, extra: str) -> None:
    """Without its dependency a module fails with one ImportError naming the extra."""
    code = (
        f"import sys; sys.modules[{blocked!r}] = None\n"
        f"try:\n    import {module}\n"
        "except ImportError as exc:\n"
        "    print(type(exc).__name__, exc, exc.__cause__, exc.__suppress_context__)\n"
    )
    result = run_python(code)
    assert result.stderr == ""
    assert result.stdout.strip() == (
        f"ModuleNotFoundError {module} needs {_project(blocked)}, which is not installed; "
        f'install it with: pip install "typedsignals[{extra}]" None True'
    )


def _project(module: str) -> str:
    return {
        "flask": "Flask",
        "flask_login": "Flask-Login",
        "flask_principal": "Flask-Principal",
        "flask_mail": "Flask-Mail",
        "flask_sqlalchemy": "Flask-SQLAlchemy",
    }[module]


def test_broken_dependency_is_not_reported_as_missing() -> None:
    """An ImportError from inside an installed extension is not masked."""
    code = (
        "import sys; sys.modules['werkzeug'] = None\n"
        "try:\n    import typedsignals.flask\n"
        "except ImportError as exc:\n    print(exc.name)\n"
    )
    assert run_python(code).stdout.strip().startswith("werkzeug")


def test_payload_models_are_frozen_pydantic_models() -> None:
    """Payload models are frozen Payload subclasses that forbid unknown fields."""
    for name in FLASK_SIGNALS:
        model = declared(name).payload_model
        assert issubclass(model, BaseModel)
        assert model.model_config.get("frozen") is True
        assert model.model_config.get("extra") == "forbid"
