"""The narrated run: drive the app with Flask's test client, then show the database.

Each step prints the request, the lines the receivers log while it runs (indented),
and the response: a page, or the redirect that answers a form and the message it
flashed. Forms are posted as a browser would, with the CSRF token of the page the run
opened first. Then the tables are read back from the database, and two bad payloads
are shown being rejected before any receiver runs.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from typing import Any, TextIO

from flask import Flask
from flask import signals as flask_signals
from flask.logging import default_handler
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from typedsignals import PayloadError

from .app import CSRF_EXTRA, state_of
from .signals import user_registered
from .storage import Storage

__all__ = ["TABLES_SHOWN", "csrf_token_of", "format_table", "run_demo"]

TABLES_SHOWN: dict[str, str] = {
    "users": "Users (last_modified is stamped by the profile_changed receiver)",
    "audit_log": "Audit log: every data modification (data_modified receiver)",
    "page_views": "Analytics: page views (request_finished receiver)",
    "interactions": "Analytics: interactions (user_action receiver)",
    "activity_log": "Activity log: requests, actions and errors (the ActivityLogger)",
    "template_log": "Template log with context data (template_rendered receiver)",
    "outbox": "Outbox (welcome email receiver of user_registered)",
}
"""The tables printed after the run, with their headings."""

_HIDDEN_COLUMNS = frozenset({"id", "body", "signal", "receiver", "request_id"})
"""Columns left out of the printed tables (the web pages show the causes)."""

_CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token_of(html: str) -> str | None:
    """The CSRF token of a page's forms, or None when the page has none."""
    found = _CSRF_INPUT.search(html)
    return found.group(1) if found else None


class _OneLineFormatter(logging.Formatter):
    """Receiver log lines, indented; an exception as one line instead of a traceback."""

    def format(self, record: logging.LogRecord) -> str:
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            name = type(exc).__name__
            text += f": {exc}" if text.endswith(name) else f": {name}: {exc}"
        marker = "!" if record.levelno >= logging.WARNING else "|"
        source = "typedsignals" if record.name == "typedsignals" else record.name.split(".")[-1]
        return f"      {marker} [{source}] {text}"


def configure_logging(stream: TextIO) -> None:
    """Show the receivers' log lines and logged receiver failures on ``stream``."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(_OneLineFormatter())
    for name, level in (("tutorial_app", logging.INFO), ("typedsignals", logging.ERROR)):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level)
        logger.propagate = False


def format_table(rows: Sequence[Mapping[str, Any]], *, max_width: int = 64) -> str:
    """``rows`` as an aligned text table (long values are shortened)."""
    if not rows:
        return "  (empty)"
    columns = [name for name in rows[0] if name not in _HIDDEN_COLUMNS]
    cells = [[_cell(row[name], max_width) for name in columns] for row in rows]
    widths = [max(len(name), *(len(line[i]) for line in cells)) for i, name in enumerate(columns)]
    header = "  ".join(name.ljust(width) for name, width in zip(columns, widths))
    rule = "  ".join("-" * width for width in widths)
    body = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths)) for line in cells]
    return "\n".join("  " + line.rstrip() for line in (header, rule, *body))


def _cell(value: object, max_width: int) -> str:
    if value is None:
        return "-"
    text = f"{value:.1f}" if isinstance(value, float) else str(value)
    return text if len(text) <= max_width else text[: max_width - 3] + "..."


class _Run:
    """The narrated run's browser: a test client and the CSRF token of the first page."""

    def __init__(self, client: FlaskClient, out: TextIO) -> None:
        self.client = client
        self.out = out
        self.token: str | None = None
        self.number = 0

    def step(self, method: str, path: str, note: str, form: dict[str, str] | None = None) -> int:
        """Make one request, print it, the receivers' lines and the outcome."""
        self.number += 1
        shown = "".join(f" {key}={value!r}" for key, value in (form or {}).items())
        self.out.write(f"\n{self.number:>2}. {method} {path}{shown}\n    ({note})\n")
        self.out.flush()
        data = dict(form or {})
        if method == "POST" and self.token is not None:
            data["csrf_token"] = self.token
        response = self.client.open(path, method=method, data=data)
        for handle in state_of(self.client.application).settle():
            if not isinstance(handle, Future):  # Celery: the receiver logged on the worker
                self.out.write(
                    f"      | [celery] deferred call {handle.id} ran on a worker: {handle.state}\n"
                )
        if response.mimetype == "text/html" and self.token is None:
            self.token = csrf_token_of(response.text)
        self.out.write(f"    <- {response.status}: {_outcome(self.client, response)}\n")
        return response.status_code


def _outcome(client: FlaskClient, response: TestResponse) -> str:
    """What the user would see: a page, or where a redirect goes and what it flashed."""
    location = response.headers.get("Location")
    if location is not None:
        # The page it leads to would show the flashed messages; the run reads them
        # from the session instead, so they do not pile up there.
        with client.session_transaction() as session:
            flashes: list[tuple[str, str]] = session.pop("_flashes", [])
        said = "".join(f"; {category}: {message}" for category, message in flashes)
        return f"to {location}{said}"
    if response.mimetype == "text/html":
        return f"an HTML page ({len(response.text)} characters)"
    return response.text.strip().splitlines()[0] if response.text.strip() else ""


def run_demo(app: Flask, out: TextIO = sys.stdout) -> dict[str, int]:
    """Drive ``app`` through the tutorial's scenario and print what happened.

    Returns:
        The status code of each step, by step name (for tests).
    """
    storage: Storage = state_of(app).storage
    configure_logging(out)
    app.logger.removeHandler(default_handler)  # "Exception on /error" goes through ours
    app.logger.handlers[:] = logging.getLogger("tutorial_app").handlers
    out.write(
        "Typed Flask signals: the tutorial app\n"
        f"Storage: {storage.backend.description} (tables emptied for this run)\n"
        "Error policy of the app: log (a failing receiver is logged; the request goes on)\n"
        f"The welcome email is deferred via {state_of(app).delivery!r}\n"
        f"{_csrf_note(app)}\n"
    )
    run = _Run(app.test_client(), out)
    alice = {"username": "alice", "email": "alice@example.org"}
    statuses = {
        "home": run.step("GET", "/", "the home page, as a visitor"),
        "register": run.step("POST", "/register", "a new account", alice),
        "login": run.step("POST", "/login", "log in", {"username": "alice"}),
        "profile": run.step("GET", "/profile", "view the profile page"),
        "change_profile": run.step(
            "POST",
            "/profile",
            "change the profile: the last_modified stamp and the audit log follow",
            {"display_name": "Alice Liddell", "bio": "Curious about signals"},
        ),
        "bad_request": run.step(
            "POST",
            "/register",
            "a bad request: invalid username and email",
            {"username": "X", "email": "not-an-email"},
        ),
        "share": run.step(
            "POST",
            "/share",
            "the partner tracker's receiver fails; the 'log' policy keeps the request alive",
        ),
        "error": run.step("GET", "/error", "the tutorial's deliberate error"),
    }
    out.write("\n== What the receivers stored (read back from the database) ==\n")
    for table, heading in TABLES_SHOWN.items():
        out.write(f"\n{heading}\n{format_table(storage.rows(table))}\n")
    _show_rejections(app, storage, out)
    return statuses


def _csrf_note(app: Flask) -> str:
    if "csrf" in app.extensions:
        return "CSRF protection: on (Flask-WTF); the forms are posted with the home page's token"
    return f"CSRF protection: off (Flask-WTF is not installed; --serve needs it: {CSRF_EXTRA})"


def _show_rejections(app: Flask, storage: Storage, out: TextIO) -> None:
    out.write("\n== Bad payloads are rejected before any receiver runs ==\n")
    emails_before = len(storage.rows("outbox"))
    out.write(
        "\n>>> user_registered.send(app, user_id=0, username='Mallory!', "
        "email='mallory-at-example')\n"
    )
    try:
        user_registered.send(app, user_id=0, username="Mallory!", email="mallory-at-example")
    except PayloadError as exc:
        out.write(_indent(f"PayloadError: {exc}") + "\n")
    emails_after = len(storage.rows("outbox"))
    out.write(
        f"    (outbox rows before: {emails_before}, after: {emails_after}: no email queued)\n"
    )
    out.write(
        "\n>>> flask.signals.request_finished.send(app, response='<p>not a Response</p>')\n"
        "    (a raw Flask send whose kwargs do not fit the typed declaration)\n"
    )
    try:
        flask_signals.request_finished.send(app, response="<p>not a Response</p>")
    except PayloadError as exc:
        notes = "".join(f"\n{note}" for note in getattr(exc, "__notes__", ()))
        out.write(_indent(f"PayloadError: {exc}{notes}") + "\n")


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())
