"""The seed tutorial's examples, typed: they are also the code of docs/flask.md."""

from __future__ import annotations

import re
import time
import unittest
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask, g, render_template_string, request, session
from flask.testing import FlaskClient

from typedsignals import Payload, Signal
from typedsignals.flask import (
    RequestFinished,
    RequestStarted,
    TemplateRendered,
    request_finished,
    request_started,
    template_rendered,
)
from typedsignals.testing import Captured, assert_sent, capture

DOCS = Path(__file__).resolve().parents[2] / "docs" / "flask.md"

# -- "Creating custom signals" and "Testing with signals" ---------------------------------


class UserCreated(Payload):
    """Payload of user_created."""

    username: str


user_created = Signal("user-created", UserCreated, sender=Flask)


def create_app() -> Flask:
    """The tutorial's testing app: /create_user sends user_created."""
    app = Flask(__name__)

    @app.route("/create_user")
    def create_user() -> str:
        user_created.send(app, username="testuser")
        return "User created"

    return app


class TestSignals(unittest.TestCase):
    """The tutorial's unittest example, with typedsignals.testing."""

    def test_user_created_signal(self) -> None:
        """The request sends user_created with the username."""
        client = create_app().test_client()
        with capture(user_created) as sent:
            response = client.get("/create_user")
        self.assertEqual(response.text, "User created")  # noqa: PT009  # the tutorial's unittest style
        self.assertEqual([payload.username for payload in sent.payloads], ["testuser"])  # noqa: PT009  # the tutorial's unittest style

    def test_user_created_signal_with_a_receiver(self) -> None:
        """The tutorial's own shape: a receiver records, connected for the block only."""
        received: list[str] = []

        def receiver(sender: Flask, payload: UserCreated) -> None:
            received.append(payload.username)

        with user_created.connected_to(receiver):
            create_app().test_client().get("/create_user")
        self.assertEqual(received, ["testuser"])  # noqa: PT009  # the tutorial's unittest style


def test_user_created_signal() -> None:
    """The same test with pytest and assert_sent."""
    app = create_app()
    with assert_sent(user_created, app, username="testuser", times=1):
        app.test_client().get("/create_user")


def test_user_created_signal_with_fixture(
    signal_capture: Callable[..., Captured[Flask, UserCreated]],
) -> None:
    """The same test with the plugin's signal_capture fixture."""
    app = create_app()
    sent = signal_capture(user_created)
    app.test_client().get("/create_user")
    assert sent.assert_sent(app, username="testuser").sender is app


def test_bad_send_fails_the_test_even_without_receivers() -> None:
    """Strict mode (on under pytest) validates a send nobody listens to."""
    from typedsignals import PayloadError

    with pytest.raises(PayloadError, match="username"):
        user_created.send(create_app(), username=None)  # type: ignore[arg-type]  # on purpose


# -- "Basic signal usage" -----------------------------------------------------------------


@pytest.fixture
def basic_app() -> Flask:
    """The tutorial's first app."""
    app = Flask(__name__)

    @app.route("/")
    def index() -> str:
        return "Hello, Signals!"

    return app


def log_request_started(sender: Flask, payload: RequestStarted) -> None:
    """The tutorial's first receiver, typed."""
    print(f"Request started: {request.endpoint}")


def log_request_finished(sender: Flask, payload: RequestFinished) -> None:
    """The tutorial's second receiver: the response is a typed field."""
    print(f"Request finished: {request.endpoint} with status {payload.response.status_code}")


def test_basic_usage(basic_app: Flask, capsys: pytest.CaptureFixture[str]) -> None:
    """Typed receivers on request_started/request_finished print as in the tutorial."""
    with (
        request_started.connected_to(log_request_started),
        request_finished.connected_to(log_request_finished),
    ):
        basic_app.test_client().get("/")
    assert capsys.readouterr().out == (
        "Request started: index\nRequest finished: index with status 200\n"
    )


# -- "Connecting to specific senders" -----------------------------------------------------


def log_template_renders(sender: Flask, payload: TemplateRendered) -> None:
    """Exercise 1's receiver: the template's name and its context."""
    context = {key: value for key, value in payload.context.items() if key == "title"}
    print(f"Rendering template {payload.template.name} with {context}")


def test_sender_filtering(basic_app: Flask, capsys: pytest.CaptureFixture[str]) -> None:
    """A receiver connected for one app ignores renders of another app."""

    @basic_app.route("/page")
    def page() -> str:
        return render_template_string("{{ title }}", title="Signal Example")

    other = Flask("other")
    with template_rendered.connected_to(log_template_renders, sender=basic_app):
        basic_app.test_client().get("/page")
        with other.test_request_context():
            render_template_string("{{ title }}", title="Not mine")
    assert capsys.readouterr().out == ("Rendering template None with {'title': 'Signal Example'}\n")


# -- "Practical example: activity logging" -----------------------------------------------


class UserAction(Payload):
    """Payload of user_action: what was done and, optionally, by whom."""

    action: str
    username: str | None = None


user_action = Signal("user-action", UserAction, sender=Flask)


class ActivityLogger:
    """The tutorial's ActivityLogger, typed (bound methods are held weakly)."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.setup_signal_handlers()

    def setup_signal_handlers(self) -> None:
        request_started.connect(self.on_request_started)
        request_finished.connect(self.on_request_finished)
        user_action.connect(self.on_user_action)

    def on_request_started(self, sender: Flask, payload: RequestStarted) -> None:
        g.start_time = time.time()

    def on_request_finished(self, sender: Flask, payload: RequestFinished) -> None:
        if "start_time" in g:
            duration = time.time() - g.start_time
            user_id = session.get("user_id", "anonymous")
            status = payload.response.status_code
            self.lines.append(
                f"User {user_id} made {request.method} request to {request.path}, "
                f"returned {status} in {duration:.2f}s"
            )

    def on_user_action(self, sender: Flask, payload: UserAction) -> None:
        user_id = payload.username or session.get("user_id", "anonymous")
        self.lines.append(f"User {user_id} performed action: {payload.action}")


@pytest.fixture
def activity_app() -> Flask:
    """The tutorial's activity logging app."""
    app = Flask(__name__)
    app.secret_key = "tests"

    @app.route("/login", methods=["POST"])
    def login() -> str:
        session["user_id"] = request.form.get("username", "demo_user")
        user_action.send(app, action="login", username=session["user_id"])
        return "Logged in successfully!"

    @app.route("/profile")
    def profile() -> tuple[str, int] | str:
        if "user_id" not in session:
            return "Please log in first", 401
        user_action.send(app, action="view_profile")
        return f"Profile page for {session['user_id']}"

    return app


def test_activity_logger(activity_app: Flask) -> None:
    """The ActivityLogger times requests and records actions; it dies without leaking."""
    logger = ActivityLogger()
    client: FlaskClient = activity_app.test_client()
    client.post("/login", data={"username": "alice"})
    client.get("/profile")
    lines = [re.sub(r"in \d+\.\d\ds", "in Ts", line) for line in logger.lines]
    assert lines == [
        "User alice performed action: login",
        "User alice made POST request to /login, returned 200 in Ts",
        "User alice performed action: view_profile",
        "User alice made GET request to /profile, returned 200 in Ts",
    ]
    del logger  # its bound-method receivers go with it: nothing to disconnect


# -- the docs page ------------------------------------------------------------------------


def python_blocks(text: str) -> list[str]:
    """The ```python blocks of a Markdown page."""
    return re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)


def test_docs_code_blocks_compile() -> None:
    """Every Python block of docs/flask.md is valid Python."""
    blocks = python_blocks(DOCS.read_text(encoding="utf-8"))
    assert len(blocks) >= 8
    for number, block in enumerate(blocks, 1):
        compile(block, f"{DOCS.name} block {number}", "exec")
