"""The tutorial showcase: the README command, its output and what it stores."""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import closing
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from examples.tutorial_app import create_app, open_storage
from examples.tutorial_app.app import state_of
from examples.tutorial_app.demo import csrf_token_of
from examples.tutorial_app.signals import user_action
from typedsignals.testing import capture

ROOT = Path(__file__).resolve().parent.parent


def run_showcase(*args: str, env: dict[str, str] | None = None) -> str:
    """Run ``python -m examples.tutorial_app`` from the repository root; return stdout."""
    result = subprocess.run(
        [sys.executable, "-W", "error", "-m", "examples.tutorial_app", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, **(env or {})},
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def table(db: Path, name: str) -> list[dict[str, Any]]:
    """Every row of ``name`` in the SQLite file ``db``."""
    with closing(sqlite3.connect(db)) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(row) for row in conn.execute(f"SELECT * FROM {name} ORDER BY id")]


@pytest.fixture(scope="module")
def showcase(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """The output of one showcase run and its database file."""
    db = tmp_path_factory.mktemp("showcase") / "tutorial.sqlite"
    return run_showcase("--db", str(db)), db


@pytest.mark.parametrize(
    "expected",
    [
        "1. GET /",
        "CSRF protection: on (Flask-WTF); the forms are posted with the home page's token",
        "<- 303 SEE OTHER: to /; success: Registered alice",
        "<- 303 SEE OTHER: to /profile; success: Logged in as alice.",
        "<- 303 SEE OTHER: to /profile; success: Profile updated: display name, bio.",
        "<- 303 SEE OTHER: to /; error: Invalid registration: username:",
        "of signal 'user-action' raised ConnectionError: partner analytics network unreachable",
        "<- 303 SEE OTHER: to /profile; success: Profile shared",
        "<- 500 INTERNAL SERVER ERROR: an HTML page",
        "mail: welcome email queued for alice@example.org",
        "The welcome email is deferred via ThreadPoolDelivery(",
        "profile: last_modified of alice set to",
        "Audit log: every data modification",
        "Analytics: page views",
        "PayloadError: invalid payload for signal 'user-registered' (3 errors):",
        "(outbox rows before: 1, after: 1: no email queued)",
        "PayloadError: invalid payload for signal 'request-finished' (1 error):",
    ],
)
def test_showcase_output_narrates_the_run(showcase: tuple[str, Path], expected: str) -> None:
    """The narrated output shows each step, the logged failure and the rejections."""
    output, _ = showcase
    assert expected in output


def test_showcase_prints_tables_read_back(showcase: tuple[str, Path]) -> None:
    """The printed audit and analytics tables hold the stored rows."""
    output, _ = showcase
    audit = output.split("Audit log:")[1].split("\n\n")[0]
    assert audit.count("users       1") == 3
    interactions = output.split("Analytics: interactions")[1].split("\n\n")[0]
    for action in ("login", "view_profile", "change_profile", "share"):
        assert action in interactions


def test_showcase_database_users(showcase: tuple[str, Path]) -> None:
    """The account exists with its new profile and a last_modified stamp."""
    _, db = showcase
    (user,) = table(db, "users")
    assert user["username"] == "alice"
    assert user["display_name"] == "Alice Liddell"
    assert user["last_modified"] >= user["created_at"]


def test_showcase_database_audit(showcase: tuple[str, Path]) -> None:
    """Every data modification is in the audit log, with its changes."""
    _, db = showcase
    rows = table(db, "audit_log")
    assert [(row["operation"], row["table_name"], row["actor"]) for row in rows] == [
        ("insert", "users", "alice"),
        ("update", "users", "alice"),
        ("update", "users", "alice"),
    ]
    changes = [json.loads(row["changes"]) for row in rows]
    assert changes[0] == {"username": "alice", "email": "alice@example.org"}
    assert changes[1] == {"display_name": "Alice Liddell", "bio": "Curious about signals"}
    assert set(changes[2]) == {"last_modified"}
    previous = [json.loads(row["previous"]) for row in rows]
    assert previous == [{}, {"display_name": None, "bio": None}, {"last_modified": None}]


def test_showcase_database_analytics(showcase: tuple[str, Path]) -> None:
    """Page views count successful pages; interactions count user actions."""
    _, db = showcase
    views = [(row["username"], row["path"]) for row in table(db, "page_views")]
    assert views == [("anonymous", "/"), ("alice", "/profile")]
    actions = [row["action"] for row in table(db, "interactions")]
    assert actions == ["login", "view_profile", "change_profile", "share"]


def test_showcase_database_logs(showcase: tuple[str, Path]) -> None:
    """Activity, template and outbox tables hold what the receivers wrote."""
    _, db = showcase
    activity = table(db, "activity_log")
    requests = [row for row in activity if row["kind"] == "request"]
    assert len(requests) == 8
    assert all(row["duration_ms"] is not None and row["duration_ms"] >= 0 for row in requests)
    assert [row["detail"] for row in activity if row["kind"] == "error"] == [
        "GET /error: RuntimeError('Deliberate error')"
    ]
    templates = table(db, "template_log")
    assert [row["template"] for row in templates] == ["index.html", "profile.html", "error.html"]
    assert "rendered_at" in json.loads(templates[1]["context"])
    assert json.loads(templates[1]["context"])["username"] == "alice"
    (email,) = table(db, "outbox")
    assert email["recipient"] == "alice@example.org"


def test_showcase_rows_name_their_cause(showcase: tuple[str, Path]) -> None:
    """Each log row names its signal and receiver; the deferred email, its request too."""
    _, db = showcase
    (email,) = table(db, "outbox")
    assert (email["signal"], email["receiver"]) == (
        "user-registered",
        "WelcomeMailer.send_welcome_email",
    )
    (insert, *_) = table(db, "audit_log")
    assert (insert["signal"], insert["receiver"]) == ("data-modified", "AuditTrail.record")
    assert email["request_id"] == insert["request_id"] is not None
    registering = [
        row for row in table(db, "activity_log") if row["request_id"] == email["request_id"]
    ]
    assert [row["detail"] for row in registering] == ["POST /register -> 303"]


def test_database_path_from_environment(tmp_path: Path) -> None:
    """TUTORIAL_APP_DB chooses the SQLite file when --db is not given."""
    db = tmp_path / "from-env.sqlite"
    output = run_showcase(env={"TUTORIAL_APP_DB": str(db)})
    assert f"SQLite file {db}" in output
    assert len(table(db, "users")) == 1


def test_database_url_through_sqlalchemy(tmp_path: Path) -> None:
    """--db-url stores through SQLAlchemy (a SQLite URL stands in for a server)."""
    db = tmp_path / "via-url.sqlite"
    output = run_showcase("--db-url", f"sqlite:///{db}")
    assert "sqlite database sqlite:///" in output
    assert len(table(db, "audit_log")) == 3


def pg_binary(name: str) -> str:
    """A PostgreSQL server program, on PATH or where Debian installs it."""
    found = shutil.which(name) or next(
        (str(p) for p in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))), None
    )
    if found is None:
        pytest.fail(f"PostgreSQL's {name} is not installed (Debian package postgresql)")
    return found


def as_postgres(command: list[str]) -> list[str]:
    """``command`` run as the postgres user when we are root (initdb refuses root)."""
    if os.geteuid() != 0:
        return command
    return ["su", "postgres", "-c", " ".join(command)]


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL server on a free local port, stopped afterwards.

    PostgreSQL's server binaries come from Debian's ``postgresql`` package, which
    .ci/run installs when they are missing; without them this test fails.
    """
    initdb, pg_ctl = pg_binary("initdb"), pg_binary("pg_ctl")
    if os.geteuid() == 0 and shutil.which("su") is None:
        pytest.fail("running as root without su: cannot run initdb as the postgres user")
    # Not under tmp_path: as root, its parents are closed to the postgres user.
    with tempfile.TemporaryDirectory(prefix="typedsignals-pg-") as workdir:
        base = Path(workdir)
        data = base / "data"
        data.mkdir()
        if os.geteuid() == 0:
            shutil.chown(base, "postgres")
            shutil.chown(data, "postgres")
        port = free_port()
        options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1"
        subprocess.run(
            as_postgres([initdb, "-D", str(data), "-A", "trust", "-U", "postgres"]),
            check=True,
            capture_output=True,
            timeout=120,
        )
        # -l: the server writes to a log file, not to pipes this test would wait on.
        start = [pg_ctl, "-D", str(data), "-l", str(base / "server.log"), "-w", "-o"]
        if os.geteuid() == 0:
            start = as_postgres([*start, f"'{options}'", "start"])
        else:
            start = [*start, options, "start"]
        try:
            subprocess.run(start, check=True, capture_output=True, timeout=120)
            yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
        finally:
            subprocess.run(
                as_postgres([pg_ctl, "-D", str(data), "-m", "immediate", "stop"]),
                check=False,
                capture_output=True,
                timeout=60,
            )


def test_database_url_on_a_postgresql_server(postgres_url: str) -> None:
    """--db-url runs the showcase on a real PostgreSQL server."""
    output = run_showcase("--db-url", postgres_url)
    assert "postgresql database postgresql+psycopg://postgres@127.0.0.1:" in output
    assert "<- 303 SEE OTHER: to /; success: Registered alice" in output
    audit = output.split("Audit log:")[1].split("\n\n")[0]
    assert audit.count("users       1") == 3


def free_port() -> int:
    """A TCP port on the loopback interface that is free right now."""
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The app served by ``--serve`` on a free local port; stopped afterwards."""
    port = free_port()
    db = tmp_path / "served.sqlite"
    process = subprocess.Popen(
        [sys.executable, "-m", "examples.tutorial_app", "--serve", "--port", str(port), "--db", db],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url + "/", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.1)
        yield url, db
    finally:
        process.terminate()
        process.wait(timeout=30)
        assert process.stdout is not None
        process.stdout.close()


def test_serve_flag_runs_the_dev_server(served: tuple[str, Path]) -> None:
    """--serve answers real HTTP requests and stores what they cause."""
    url, db = served
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    with opener.open(url + "/", timeout=10) as response:
        token = csrf_token_of(response.read().decode())
    assert token is not None
    form = urllib.parse.urlencode(
        {"username": "bob", "email": "bob@example.org", "csrf_token": token}
    ).encode()
    # The 303 answer is followed by a GET of the home page, which shows the flash.
    with opener.open(url + "/register", data=form, timeout=10) as response:
        assert response.status == 200
        assert response.url == url + "/"
        assert "Registered bob" in response.read().decode()
    # The welcome email is deferred to a worker thread: it lands shortly after the answer.
    deadline = time.monotonic() + 10
    while not table(db, "outbox") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [row["recipient"] for row in table(db, "outbox")] == ["bob@example.org"]


def test_receivers_are_connected_per_app(tutorial_app: Flask, tmp_path: Path) -> None:
    """Two apps in one process keep separate logs: receivers filter by sender."""
    other = create_app(open_storage(path=tmp_path / "other.sqlite"), secret_key="tests")
    try:
        tutorial_app.test_client().get("/")
        assert len(state_of(tutorial_app).storage.rows("page_views")) == 1
        assert state_of(other).storage.rows("page_views") == []
    finally:
        state_of(other).close()


def form_token(client: FlaskClient) -> str:
    """The CSRF token of the home page's forms, for ``client``'s session."""
    token = csrf_token_of(client.get("/").text)
    assert token is not None
    return token


def test_login_sends_typed_user_action(tutorial_app: Flask) -> None:
    """Logging in sends user_action with the username, checked with capture()."""
    client = tutorial_app.test_client()
    token = form_token(client)
    client.post(
        "/register", data={"username": "carol", "email": "carol@example.org", "csrf_token": token}
    )
    with capture(user_action, tutorial_app) as sent:
        response = client.post("/login", data={"username": "carol", "csrf_token": token})
    assert response.status_code == 303
    sent.assert_sent(tutorial_app, action="login", username="carol", times=1)


def test_welcome_email_is_deferred_to_a_worker_thread(tutorial_app: Flask) -> None:
    """Registering hands the email to the app's thread pool; the handle is a Future."""
    client = tutorial_app.test_client()
    token = form_token(client)
    client.post(
        "/register", data={"username": "dave", "email": "dave@example.org", "csrf_token": token}
    )
    (handle,) = state_of(tutorial_app).settle()
    assert isinstance(handle, Future)
    assert handle.exception(0) is None
    outbox = state_of(tutorial_app).storage.rows("outbox")
    assert [row["recipient"] for row in outbox] == ["dave@example.org"]
