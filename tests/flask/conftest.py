"""Fixtures for the Flask layer tests: a small app and its test client."""

from __future__ import annotations

import pytest
from flask import Flask, abort, flash, render_template_string
from flask.testing import FlaskClient


def build_app(name: str = "tests.flask") -> Flask:
    """A Flask app with a few routes exercising every built-in signal."""
    app = Flask(name)
    app.config.update(TESTING=True, SECRET_KEY="tests")

    @app.route("/")
    def index() -> str:
        return "hello"

    @app.route("/page/<title>")
    def page(title: str) -> str:
        return render_template_string("<h1>{{ title }}</h1>{{ note|default('') }}", title=title)

    @app.route("/flash")
    def flash_message() -> str:
        flash("saved", "info")
        return "flashed"

    @app.route("/error")
    def error() -> str:
        raise RuntimeError("deliberate error")

    @app.route("/missing")
    def missing() -> str:
        abort(404)

    return app


@pytest.fixture
def app() -> Flask:
    """A fresh app in testing mode (exceptions propagate to the test)."""
    return build_app()


@pytest.fixture
def other_app() -> Flask:
    """A second app, for sender filtering."""
    return build_app("tests.other")


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """The app's test client."""
    return app.test_client()
