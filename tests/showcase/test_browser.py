"""The served showcase in a real browser: a user's whole visit, then every page checked.

One visit (module fixture) registers, logs in, edits the profile with a hostile display
name, shares and triggers the deliberate error; each test then opens a page and checks
that it shows the rows those actions produced, and saves a screenshot of it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog, Page, expect

from .conftest import Served, free_port, shoot

HOSTILE = "<script>alert(1)</script>"
"""A display name that runs a script wherever a page fails to escape it."""

PAGES = (
    "/",
    "/profile",
    "/activity",
    "/audit",
    "/analytics",
    "/templates",
    "/outbox",
    "/signals",
    "/metrics",
)


@dataclass
class Visit:
    """What the user's visit left: the browser page, and what it saw on the way."""

    page: Page
    served: Served
    screenshots: Path
    seen: dict[str, str] = field(default_factory=dict)
    dialogs: list[str] = field(default_factory=list)

    def saw(self, dialog: Dialog) -> None:
        """Record a dialog (an ``alert`` an injected script opened) and dismiss it."""
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open(self, path: str, name: str) -> Page:
        """Go to ``path``, check that no script ran, and save a screenshot."""
        self.page.goto(self.served.url + path)
        shoot(self.page, self.screenshots, name)
        assert self.dialogs == []
        return self.page


@pytest.fixture(scope="module")
def visit(browser: Browser, served: Served, screenshots: Path) -> Iterator[Visit]:
    """A visitor registers, logs in, edits the profile, shares and hits the error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    done = Visit(page, served, screenshots)
    page.on("dialog", done.saw)
    page.goto(served.url + "/")
    shoot(page, screenshots, "01-home")
    register = page.locator("form[action='/register']")
    register.locator("input[name=username]").fill("alice")
    register.locator("input[name=email]").fill("alice@example.org")
    register.locator("button").click()
    done.seen["after register"] = page.url
    done.seen["register flash"] = page.locator(".flashes").inner_text()
    shoot(page, screenshots, "02-registered")
    login = page.locator("form[action='/login']")
    login.locator("input[name=username]").fill("alice")
    login.locator("button").click()
    done.seen["after login"] = page.url
    done.seen["last modified before edit"] = page.locator("dd.last-modified").inner_text()
    done.seen["created"] = page.locator("dt:text-is('Created') + dd").inner_text()
    shoot(page, screenshots, "03-profile")
    edit = page.locator("form[action='/profile']")
    edit.locator("input[name=display_name]").fill(HOSTILE)
    edit.locator("textarea[name=bio]").fill("Curious about signals")
    edit.locator("button").click()
    done.seen["edit flash"] = page.locator(".flashes").inner_text()
    done.seen["last modified after edit"] = page.locator("dd.last-modified").inner_text()
    shoot(page, screenshots, "04-profile-edited")
    page.locator("form[action='/share'] button").click()
    done.seen["share flash"] = page.locator(".flashes").inner_text()
    response = page.goto(served.url + "/error")
    assert response is not None
    done.seen["error status"] = str(response.status)
    shoot(page, screenshots, "05-error")
    try:
        yield done
    finally:
        context.close()


def test_register_redirects_home_with_a_flash(visit: Visit) -> None:
    """Registering answers with a redirect to the home page and a flash message."""
    assert visit.seen["after register"] == visit.served.url + "/"
    assert "Registered alice" in visit.seen["register flash"]


def test_login_leads_to_the_profile(visit: Visit) -> None:
    """Logging in redirects to the profile page."""
    assert visit.seen["after login"] == visit.served.url + "/profile"


def test_last_modified_is_empty_until_the_first_edit(visit: Visit) -> None:
    """Before any edit the profile says so instead of showing the creation time."""
    assert "never" in visit.seen["last modified before edit"]
    assert visit.seen["created"] not in visit.seen["last modified before edit"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", visit.seen["last modified after edit"])


def test_profile_shows_the_hostile_name_as_text(visit: Visit) -> None:
    """The edited profile shows the display name literally; no script runs."""
    page = visit.open("/profile", "06-profile")
    expect(page.locator("h1")).to_have_text(f"Profile page for {HOSTILE}")
    assert "Profile updated" in visit.seen["edit flash"]
    assert "Profile shared" in visit.seen["share flash"]


@pytest.mark.parametrize("path", PAGES)
def test_no_page_contains_a_script(visit: Visit, path: str) -> None:
    """No page has a script element: the hostile name is escaped everywhere."""
    page = visit.open(path, f"escaped{path.replace('/', '-') or '-home'}")
    assert page.locator("script").count() == 0


def test_deliberate_error_gets_the_500_page(visit: Visit) -> None:
    """The deliberate error answers 500 with a page in the layout."""
    assert visit.seen["error status"] == "500"
    page = visit.open("/error", "07-error")
    expect(page.locator(".error-page h1")).to_have_text("Internal Server Error")
    expect(page.locator("header nav a")).to_have_count(8)


def test_unknown_page_gets_the_404_page(visit: Visit) -> None:
    """An unknown address answers 404 with a page in the layout."""
    response = visit.page.goto(visit.served.url + "/no-such-page")
    assert response is not None
    assert response.status == 404
    shoot(visit.page, visit.screenshots, "08-not-found")
    expect(visit.page.locator(".error-page h1")).to_have_text("Not Found")


def test_activity_page_shows_requests_actions_and_the_error(visit: Visit) -> None:
    """The activity log lists the visit's requests with timings, its actions, its error."""
    page = visit.open("/activity", "10-activity")
    table = page.locator("table")
    for text in ("POST /register -> 303", "POST /login -> 303", "GET /error -> 500"):
        expect(table.get_by_text(text, exact=True).first).to_be_visible()
    for action in ("login", "change_profile", "share"):
        expect(table.locator("tr.kind-action code").get_by_text(action, exact=True)).to_have_count(
            1
        )
    error = page.locator("tr.kind-error").first
    expect(error).to_contain_text("GET /error: RuntimeError('Deliberate error')")
    expect(error.locator("a.receiver")).to_have_text("ActivityLogger.on_exception")


def test_audit_page_shows_old_and_new_values(visit: Visit) -> None:
    """The audit log shows the insert and the profile change with old and new values."""
    page = visit.open("/audit", "11-audit")
    change = page.locator("tr", has=page.locator("td.after dt", has_text="display_name"))
    expect(change.locator("td.before dt:text-is('display_name') + dd")).to_have_text("none")
    expect(change.locator("td.after dt:text-is('display_name') + dd")).to_have_text(HOSTILE)
    stamp = page.locator("tr", has=page.locator("td.after dt", has_text="last_modified"))
    expect(stamp.locator("td.before dd")).to_have_text("none")
    expect(page.locator("tr", has=page.locator("span.tag.insert"))).to_have_count(1)


def test_analytics_page_charts_views_and_interactions(visit: Visit) -> None:
    """The analytics page draws the counts as SVG and lists views and interactions."""
    page = visit.open("/analytics", "12-analytics")
    expect(page.locator("svg.chart")).to_have_count(3)
    assert page.locator("svg.chart rect.series-0").count() >= 2
    views = page.locator("#page-views + table")
    expect(views.locator("td code").get_by_text("/profile", exact=True).first).to_be_visible()
    actions = page.locator("#interactions + table")
    for action in ("login", "view_profile", "change_profile", "share"):
        expect(actions.get_by_text(action, exact=True).first).to_be_visible()


def test_templates_page_shows_context_keys(visit: Visit) -> None:
    """The template log lists the profile page's render with its context keys."""
    page = visit.open("/templates", "13-templates")
    row = page.locator("tr", has=page.get_by_text("profile.html", exact=True)).first
    for key in ("rendered_at", "user", "username"):
        expect(row.locator("dt").get_by_text(key, exact=True)).to_have_count(1)


def test_outbox_shows_the_welcome_email_and_its_request(visit: Visit) -> None:
    """The outbox holds the welcome email, linked to the request that registered alice."""
    page = visit.open("/outbox", "14-outbox")
    row = page.locator("tbody tr", has=page.get_by_text("alice@example.org"))
    expect(row.get_by_text("Welcome, alice!")).to_be_visible()
    expect(row.locator("a.signal")).to_have_text("user-registered")
    row.locator("a.request").click()
    shoot(page, visit.screenshots, "15-request")
    activity = page.locator("table", has=page.locator("span.tag.request"))
    expect(activity.get_by_text("POST /register -> 303", exact=True)).to_have_count(1)
    expect(page.locator("span.tag.insert")).to_have_count(1)


def test_signal_link_leads_to_the_catalog_entry(visit: Visit) -> None:
    """A row's signal link opens that signal's entry on the signals page."""
    page = visit.open("/audit", "16-audit-again")
    page.locator("a.signal").first.click()
    assert page.url.endswith("/signals#signal-data-modified")
    expect(page.locator("#signal-data-modified")).to_be_in_viewport()


def test_signals_page_lists_the_catalog(visit: Visit) -> None:
    """The signals page shows each signal's doc, fields, sender and receivers."""
    page = visit.open("/signals", "17-signals")
    card = page.locator("#signal-user-registered")
    expect(card).to_contain_text("the welcome email listens")
    expect(card.locator(".fields-table")).to_contain_text("user_id")
    expect(card.locator(".meta code").first).to_have_text("Flask")
    # The deferred welcome email: named as the method, with the delivery that runs it.
    expect(card.locator(".receivers li")).to_have_count(1)
    expect(card.locator(".receivers li")).to_contain_text("WelcomeMailer.send_welcome_email")
    expect(card.locator(".receivers li")).to_contain_text("deferred to ThreadPoolDelivery")
    finished = page.locator("#signal-request-finished .receivers")
    expect(finished).to_contain_text("ActivityLogger.on_request_finished")
    expect(finished).to_contain_text("Analytics.count_page_view")


def test_metrics_page_charts_the_visit_and_its_failure(visit: Visit) -> None:
    """The metrics page counts the visit's sends, charts time per receiver as SVG bars and
    highlights the partner tracker, which failed on the one share."""
    page = visit.open("/metrics", "20-metrics")
    expect(page.locator("header nav a[aria-current=page]")).to_have_text("Metrics")
    expect(page.locator("svg.chart")).to_have_count(2)
    bars = page.locator("svg.chart").first.locator("rect")
    assert bars.count() >= 8  # every receiver the visit reached has a bar
    expect(page.locator("svg.chart rect.marked")).to_have_count(1)
    failed = page.locator("tr.receiver-row.failed")
    expect(failed).to_have_count(1)
    expect(failed.locator("a.receiver")).to_have_text("PartnerTracker.forward_share")
    expect(failed.locator("td.failures")).to_have_text("1")
    assert failed.evaluate("row => getComputedStyle(row.cells[0]).backgroundColor") != (
        page.locator("tr.receiver-row:not(.failed)").first.evaluate(
            "row => getComputedStyle(row.cells[0]).backgroundColor"
        )
    )
    registered = page.locator("#metrics-user-registered tr.signal-row td.sends")
    expect(registered).to_have_text("1")
    receiver = failed.locator("a.receiver").get_attribute("href")
    assert receiver is not None
    page.locator("#metrics-user-action a.signal").click()
    assert page.url.endswith("/signals#signal-user-action")
    expect(page.locator("#signal-user-action")).to_be_in_viewport()
    _, anchor = receiver.split("#")  # the receiver's entry on the signals page
    expect(page.locator(f'[id="{anchor}"]')).to_contain_text("PartnerTracker.forward_share")


class _Attacker(BaseHTTPRequestHandler):
    """Another site on the same host: its page posts a form to the app on load."""

    target = ""

    def do_GET(self) -> None:
        body = (
            f'<form id="f" method="post" action="{self.target}/profile">'
            '<input name="display_name" value="Forged"></form>'
            "<script>document.getElementById('f').submit()</script>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def attacker(served: Served) -> Iterator[str]:
    """A page on another port of the loopback address that forges a profile change."""
    handler = type("Attacker", (_Attacker,), {"target": served.url})
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_forged_cross_site_post_is_refused(visit: Visit, attacker: str) -> None:
    """A form posted from another site, with the user's cookies, is refused (no token)."""
    page = visit.page
    with page.expect_navigation(url=visit.served.url + "/profile"):
        page.goto(attacker)
    shoot(page, visit.screenshots, "18-forged-post")
    expect(page.locator(".error-page .code")).to_have_text("400")
    expect(page.locator(".error-page")).to_contain_text("CSRF token is missing")
    expect(page.locator(".who strong")).to_have_text("alice")  # the cookies were sent
    page = visit.open("/profile", "19-profile-after-forgery")
    expect(page.locator("h1")).to_have_text(f"Profile page for {HOSTILE}")
