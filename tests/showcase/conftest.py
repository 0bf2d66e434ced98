"""The showcase served for real and a real browser: Debian's chromium through Playwright.

The app runs as ``python -m examples.tutorial_app --serve`` in a subprocess, on a free
loopback port and a SQLite file of its own; the browser is launched once per module
from ``/usr/bin/chromium`` (Playwright's own browser download is not reachable; .ci's
system-packages installs Debian's ``chromium`` when it is missing). Screenshots go to
``TYPEDSIGNALS_SCREENSHOTS`` when it is set, else to a folder under pytest's temporary
directory; the folder is printed at the end of the run.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

ROOT = Path(__file__).resolve().parent.parent.parent
CHROMIUM = Path("/usr/bin/chromium")
"""Debian's chromium, which the tests drive."""

_SCREENSHOTS = pytest.StashKey[Path]()


def free_port() -> int:
    """A TCP port on the loopback interface that is free right now."""
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class Served:
    """A served tutorial app: its base URL and its database file."""

    url: str
    db: Path


def serve(db: Path) -> tuple[subprocess.Popen[bytes], Served]:
    """Start ``--serve`` on a free port with ``db``; return once it answers."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "examples.tutorial_app",
            "--serve",
            "--port",
            str(port),
            "--db",
            str(db),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url + "/", timeout=2):
                return process, Served(url, db)
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"the served app did not answer on {url}")
            time.sleep(0.1)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The tutorial app served on a free loopback port, with a fresh SQLite file."""
    process, app = serve(tmp_path_factory.mktemp("served") / "showcase.sqlite")
    try:
        yield app
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    """Playwright's driver, once per module: while it runs, its event loop is the running
    loop of the main thread, and ``asyncio.run`` in later tests would refuse to start."""
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Debian's chromium, headless, launched once per module."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `bash .ci/system-packages` (Debian chromium)")
    launched = playwright.chromium.launch(executable_path=str(CHROMIUM))
    try:
        yield launched
    finally:
        launched.close()


@pytest.fixture(scope="session")
def screenshots(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder the screenshots go to (``TYPEDSIGNALS_SCREENSHOTS`` or a temporary one)."""
    chosen = os.environ.get("TYPEDSIGNALS_SCREENSHOTS")
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    request.config.stash[_SCREENSHOTS] = folder
    print(f"showcase screenshots: {folder}")
    return folder


def shoot(page: Page, folder: Path, name: str) -> Path:
    """Save a full-page screenshot of ``page`` as ``name``.png in ``folder``."""
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say where the screenshots are, when a test took some."""
    folder = terminalreporter.config.stash.get(_SCREENSHOTS, None)
    if folder is not None:
        terminalreporter.write_line(f"showcase screenshots: {folder}")
