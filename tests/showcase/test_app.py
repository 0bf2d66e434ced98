"""The showcase app in this process: its forms, fixes, safety and the demo's database."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from examples.tutorial_app import create_app, open_storage
from examples.tutorial_app.app import state_of
from examples.tutorial_app.charts import bar_chart, column_chart, timeline
from examples.tutorial_app.demo import csrf_token_of
from examples.tutorial_app.observe import measured_signals
from examples.tutorial_app.signals import user_action
from examples.tutorial_app.storage import SchemaOutdated
from typedsignals import flask as typed_flask
from typedsignals import metrics

from .conftest import ROOT

HOSTILE = "<script>alert(1)</script>"


@pytest.fixture
def app(tutorial_app: Flask) -> Flask:
    """The tutorial app on a fresh SQLite file (tests/conftest.py's ``tutorial_app``)."""
    return tutorial_app


class Visitor:
    """A test client that posts forms as the app's pages do, with their CSRF token."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        token = csrf_token_of(client.get("/").text)
        assert token is not None
        self.token = token

    def get(self, path: str) -> str:
        """The page at ``path``."""
        text: str = self.client.get(path).text
        return text

    def post(self, path: str, **form: str) -> str:
        """Post ``form`` with the token; return where the answer redirects."""
        response = self.client.post(path, data={**form, "csrf_token": self.token})
        assert response.status_code == 303, response.text
        location = response.headers.get("Location")
        assert location is not None
        return location


@pytest.fixture
def visitor(app: Flask) -> Visitor:
    """A visitor who opened the home page."""
    return Visitor(app.test_client())


@pytest.fixture
def alice(visitor: Visitor) -> Visitor:
    """The visitor, registered and logged in as alice."""
    visitor.post("/register", username="alice", email="alice@example.org")
    visitor.post("/login", username="alice")
    return visitor


def user_row(app: Flask) -> dict[str, object]:
    """The only account."""
    (row,) = state_of(app).storage.rows("users")
    return row


def test_posting_one_profile_field_keeps_the_other(app: Flask, alice: Visitor) -> None:
    """A profile post without the display name changes the bio only."""
    alice.post("/profile", display_name="Alice", bio="First")
    alice.post("/profile", bio="Second")
    row = user_row(app)
    assert (row["display_name"], row["bio"]) == ("Alice", "Second")


def test_last_modified_is_empty_until_the_first_edit(app: Flask, alice: Visitor) -> None:
    """A new account has no last-modified stamp; the first edit sets one."""
    assert user_row(app)["last_modified"] is None
    assert "never: the profile has not been edited yet" in alice.get("/profile")
    alice.post("/profile", bio="Hello")
    assert user_row(app)["last_modified"] is not None


@pytest.mark.parametrize(
    ("path", "form", "target"),
    [
        ("/register", {"username": "bob", "email": "bob@example.org"}, "/"),
        ("/register", {"username": "X", "email": "nope"}, "/"),
        ("/login", {"username": "alice"}, "/profile"),
        ("/login", {"username": "nobody"}, "/"),
        ("/profile", {"bio": "Hi"}, "/profile"),
        ("/profile", {"bio": "x" * 1001}, "/profile"),
        ("/share", {}, "/profile"),
        ("/logout", {}, "/"),
    ],
)
def test_every_form_post_redirects(
    alice: Visitor, path: str, form: dict[str, str], target: str
) -> None:
    """Each form post, accepted or not, is answered by 303 See Other (post/redirect/get)."""
    assert alice.post(path, **form) == target


def test_refused_input_is_flashed_as_an_error(visitor: Visitor) -> None:
    """An invalid registration is explained on the page the redirect leads to."""
    visitor.post("/register", username="X", email="nope")
    page = visitor.get("/")
    assert 'class="flash error"' in page
    assert "Invalid registration: username:" in page


def test_post_without_csrf_token_is_refused(app: Flask, visitor: Visitor) -> None:
    """A form posted without the token is refused with 400, and nothing is stored."""
    response = visitor.client.post(
        "/register", data={"username": "eve", "email": "eve@example.org"}
    )
    assert response.status_code == 400
    assert "The CSRF token is missing." in response.text
    assert state_of(app).storage.rows("users") == []


@pytest.mark.parametrize(
    "path",
    ["/", "/profile", "/activity", "/audit", "/templates", "/analytics", "/signals", "/metrics"],
)
def test_hostile_display_name_is_escaped(alice: Visitor, path: str) -> None:
    """A display name holding a script tag is shown escaped on every page."""
    alice.post("/profile", display_name=HOSTILE)
    page = alice.get(path)
    assert "<script" not in page


def test_request_page_of_an_unknown_request_is_404(visitor: Visitor) -> None:
    """A request id that wrote no row answers 404 in the layout."""
    response = visitor.client.get("/requests/0000")
    assert response.status_code == 404
    assert "<nav>" in response.text


def test_request_page_lists_what_a_request_caused(app: Flask, alice: Visitor) -> None:
    """The page of a profile change's request shows its audit rows and its action."""
    alice.post("/profile", bio="Hello")
    rows = state_of(app).storage.rows("audit_log")
    request_id = rows[-1]["request_id"]
    page = alice.get(f"/requests/{request_id}")
    assert "POST /profile -&gt; 303" in page
    assert "change_profile" in page
    assert page.count('class="tag update"') == 2  # the bio, then the last-modified stamp


def test_signals_page_reads_the_catalog(alice: Visitor) -> None:
    """The signals page lists the app's four signals and Flask's ten, with receivers."""
    page = alice.get("/signals")
    assert page.count('class="signal-card"') == 14
    assert "ProfileTimestamps.update_last_modified" in page


def test_outdated_database_is_refused_with_advice(tmp_path: Path) -> None:
    """A database made by an older version is named, not silently misused or wiped."""
    db = tmp_path / "old.sqlite"
    with closing(sqlite3.connect(db)) as conn:
        conn.execute("CREATE TABLE outbox (id INTEGER PRIMARY KEY, at TEXT, recipient TEXT)")
    with pytest.raises(SchemaOutdated, match="table 'outbox' was created by an older version"):
        open_storage(path=db)


def test_demo_keeps_the_served_apps_database(tmp_path: Path) -> None:
    """The narrated demo uses its own file by default and leaves the served one alone."""
    served = open_storage(path=tmp_path / "instance" / "tutorial_app.sqlite3")
    served.create_user("zoe", "zoe@example.org")
    served.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("TUTORIAL_APP_DB", None)
    result = subprocess.run(
        [sys.executable, "-W", "error", "-m", "examples.tutorial_app"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert (
        "Storage: SQLite file instance/tutorial_app_demo.sqlite3 (tables emptied" in result.stdout
    )
    kept = open_storage(path=tmp_path / "instance" / "tutorial_app.sqlite3")
    try:
        assert [row["username"] for row in kept.rows("users")] == ["zoe"]
    finally:
        kept.close()


def test_timeline_fills_the_gaps_between_minutes() -> None:
    """Stamps minutes apart are counted per minute, with the empty minutes shown."""
    data = timeline(
        {
            "views": ["2026-01-01 10:00:05", "2026-01-01 10:00:50", "2026-01-01 10:03:00"],
            "actions": ["2026-01-01 10:01:00"],
        }
    )
    assert data.period == "minute"
    assert data.labels == ("10:00", "10:01", "10:02", "10:03")
    assert data.series == {"views": (2, 0, 0, 1), "actions": (0, 1, 0, 0)}


def test_timeline_uses_hours_over_a_long_span() -> None:
    """Stamps hours apart are counted per hour."""
    data = timeline({"views": ["2026-01-01 10:00:00", "2026-01-01 15:30:00"]})
    assert data.period == "hour"
    assert data.series["views"] == (1, 0, 0, 0, 0, 1)


def test_charts_escape_their_labels() -> None:
    """A label holding markup is drawn as text."""
    svg = bar_chart([(HOSTILE, 3)], title="t") + column_chart(timeline({HOSTILE: []}), title="t")
    assert "<script" not in svg
    assert "&lt;script&gt;" in svg


def test_bar_chart_marks_the_named_bars() -> None:
    """A bar named in ``marked`` is drawn, label and bar, in the marked class; others not."""
    svg = bar_chart([("fine", 2.0), ("broken", 1.0)], title="t", marked={"broken"})
    assert re.findall(r'<rect class="([\w-]+)"', svg) == ["series-0", "marked"]
    assert '<text class="legend marked"' in svg
    assert svg.count("marked") == 2


def metrics_row(page: str, signal: str, receiver: str | None = None) -> tuple[str, dict[str, int]]:
    """The /metrics page's row of ``signal`` (or of its ``receiver``): its class and its
    counts by column (``sends``, ``calls``, ``failures``)."""
    body = re.search(rf'<tbody id="metrics-{signal}">(.*?)</tbody>', page, re.S)
    assert body is not None, f"no section for {signal}"
    rows = re.findall(r'<tr class="([^"]*)">(.*?)</tr>', body.group(1), re.S)
    if receiver is None:
        kind, cells = rows[0]
    else:
        kind, cells = next(row for row in rows if f">{receiver}</a>" in row[1])
    counts = re.findall(r'<td class="num (\w+)">(\d+)</td>', cells)
    return kind, {column: int(value) for column, value in counts}


def test_metrics_page_counts_finished_requests(visitor: Visitor) -> None:
    """request-finished's sends on /metrics are the requests made before it."""
    paths = ["/activity", "/audit", "/signals"]
    for path in paths:
        visitor.get(path)
    page = visitor.get("/metrics")
    requests = 1 + len(paths)  # the visitor opened the home page first
    assert metrics_row(page, "request-finished")[1]["sends"] == requests
    assert metrics_row(page, "request-finished", "Analytics.count_page_view")[1] == {
        "calls": requests,
        "failures": 0,
    }


@pytest.mark.parametrize("shares", [1, 3])
def test_metrics_page_counts_the_failing_receivers_failures(alice: Visitor, shares: int) -> None:
    """The partner tracker fails once per share; its row says so and is highlighted."""
    for _ in range(shares):
        alice.post("/share")
    page = alice.get("/metrics")
    kind, counts = metrics_row(page, "user-action", "PartnerTracker.forward_share")
    assert counts["failures"] == shares
    assert "failed" in kind.split()
    kind, counts = metrics_row(page, "user-action", "Analytics.count_interaction")
    assert (kind, counts["failures"]) == ("receiver-row", 0)


def build(tmp_path: Path, name: str, *, measure: bool = True) -> Flask:
    """Another tutorial app on a SQLite file of its own."""
    return create_app(
        open_storage(path=tmp_path / f"{name}.sqlite"), secret_key="tests", measure=measure
    )


def measuring() -> list[bool]:
    """Whether each signal the app measures is measured now."""
    return [metrics.is_measured(signal) for signal in measured_signals()]


def test_closing_the_app_switches_its_metrics_off(tmp_path: Path) -> None:
    """Metrics are on for the app's signals while it is open, then off and dropped."""
    app = build(tmp_path, "one")
    app.test_client().get("/")
    assert all(measuring())
    assert metrics.of(typed_flask.request_finished).sends == 1
    state_of(app).close()
    assert not any(measuring())
    measured = {(seen.namespace, seen.name) for seen in metrics.snapshot()}
    assert not measured & {
        (None if signal.namespace is None else signal.namespace.name, signal.name)
        for signal in measured_signals()
    }


def test_metrics_stay_on_until_the_last_app_closes(tmp_path: Path) -> None:
    """With two apps open, closing one leaves the other's metrics on."""
    first, second = build(tmp_path, "first"), build(tmp_path, "second")
    state_of(first).close()
    try:
        assert all(measuring())
    finally:
        state_of(second).close()
    assert not any(measuring())


def test_app_without_metrics_switches_nothing(tmp_path: Path) -> None:
    """create_app(measure=False) leaves the metrics off."""
    app = build(tmp_path, "quiet", measure=False)
    try:
        assert not any(measuring())
    finally:
        state_of(app).close()


def on_action(sender: object, payload: object) -> None:
    """A receiver of user_action for the test below."""


def test_closing_the_app_keeps_a_switch_it_found(tmp_path: Path) -> None:
    """A signal measured before the app was built stays measured, with its counts."""
    with metrics.enabled(user_action), user_action.connected_to(on_action):
        user_action.send(Flask(__name__), username="zoe", action="login")
        state_of(build(tmp_path, "borrowed")).close()
        kept = metrics.is_measured(user_action), metrics.of(user_action).sends
    metrics.reset(user_action)
    assert kept == (True, 1)


WITHOUT_FLASK_WTF = (
    "import runpy, sys; sys.modules['flask_wtf'] = None; "  # as if it were not installed
    "runpy.run_module('examples.tutorial_app', run_name='__main__', alter_sys=True)"
)
"""Runs ``python -m examples.tutorial_app`` where Flask-WTF cannot be imported."""


def run_without_flask_wtf(*args: str) -> subprocess.CompletedProcess[str]:
    """The showcase's command line, as the README's first command installs it."""
    return subprocess.run(
        [sys.executable, "-W", "error", "-c", WITHOUT_FLASK_WTF, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_demo_runs_without_flask_wtf(tmp_path: Path) -> None:
    """The README's first command installs Flask only: the demo runs, and says so."""
    result = run_without_flask_wtf("--db", str(tmp_path / "demo.sqlite"))
    assert result.returncode == 0, result.stderr
    assert "CSRF protection: off (Flask-WTF is not installed" in result.stdout
    assert "<- 303 SEE OTHER: to /; success: Registered alice" in result.stdout


def test_serve_refuses_to_run_without_flask_wtf(tmp_path: Path) -> None:
    """A served app never runs without its CSRF protection; the error says what to install."""
    result = run_without_flask_wtf("--serve", "--db", str(tmp_path / "app.sqlite"))
    assert result.returncode == 1
    assert 'install it first: pip install -e ".[examples]"' in result.stderr
