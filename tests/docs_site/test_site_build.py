"""The documentation site builds with ``mkdocs build --strict``: no warning, no broken link."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE_TIMEOUT = 300


def build(config: Path, site: Path) -> subprocess.CompletedProcess[str]:
    """Run ``mkdocs build --strict`` of ``config`` into ``site``, from the config's directory."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site)],
        cwd=config.parent,
        env={"PATH": "", "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(config.parent)},
        capture_output=True,
        text=True,
        timeout=SITE_TIMEOUT,
        check=False,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's site, built once for this module's tests."""
    site = tmp_path_factory.mktemp("site")
    result = build(ROOT / "mkdocs.yml", site)
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    return site


def page(site: Path, path: str) -> str:
    """The HTML of the built page at ``path`` (a directory URL, as MkDocs writes them)."""
    return (site / path / "index.html").read_text(encoding="utf-8")


def test_site_builds_strict_with_every_guide(site: Path) -> None:
    """Every guide of the nav is a built page."""
    for path in ["getting-started", "concepts/senders", "flask", "migration", "performance"]:
        assert "<h1" in page(site, path)


def test_api_reference_renders_the_public_names(site: Path) -> None:
    """The API reference holds the core classes, read from their docstrings."""
    html = page(site, "reference/api")
    for name in ["typedsignals.Signal", "typedsignals.Payload", "typedsignals.testing.capture"]:
        assert f'id="{name}"' in html


def test_api_reference_lists_inherited_methods(site: Path) -> None:
    """Methods a signal inherits (from the receiver table, the async mixin) are listed."""
    html = page(site, "reference/api")
    for name in ["typedsignals.Signal.muted", "typedsignals.Signal.send_async"]:
        assert f'id="{name}"' in html


def test_api_reference_shows_doctests_as_code(site: Path) -> None:
    """``Example:`` sections render as highlighted code, not as Markdown text."""
    html = page(site, "reference/api")
    assert '<span class="gp">&gt;&gt;&gt; </span>' in html
    assert ":meth:" not in html
    assert ":class:" not in html


@pytest.mark.parametrize(
    "signal",
    [
        "typedsignals-flask-request-finished",
        "typedsignals-flask-template-rendered",
        "typedsignals-flask-login-user-logged-in",
        "typedsignals-flask-principal-identity-loaded",
        "typedsignals-flask-mail-email-dispatched",
        "typedsignals-flask-sqlalchemy-models-committed",
        "examples-tutorial-app-signals-user-registered",
    ],
)
def test_signal_reference_has_each_catalog(site: Path, signal: str) -> None:
    """The generated reference holds Flask's, each extension's and the showcase's signals."""
    assert f'id="signal-{signal}"' in page(site, "reference/signals")


def test_signal_reference_maps_the_showcase_receivers(site: Path) -> None:
    """The sender-receiver map lists the showcase's receivers under the signal they hear."""
    html = page(site, "reference/signals")
    finished = html.split('id="signal-typedsignals-flask-request-finished"')[1]
    finished = finished.split('id="signal-')[0]
    assert "ActivityLogger.on_request_finished" in finished
    assert "examples.tutorial_app.receivers" in finished
    assert "&lt;Flask 'examples.tutorial_app.app'&gt;" in finished


def test_signal_reference_markers_are_all_expanded(site: Path) -> None:
    """No marker line reaches the built page."""
    assert "typedsignals-reference" not in page(site, "reference/signals")


BROKEN_LINKS = {
    "[a page that is not there](nowhere.md)": "'nowhere.md'",
    "[an anchor that is not there](flask.md#no-such-heading)": "'#no-such-heading'",
    "[a same-page anchor](#nor-this-one)": "'#nor-this-one'",
}
"""Links the strict build must refuse, with what its warning quotes of each."""


def test_broken_internal_links_fail_the_build(tmp_path: Path) -> None:
    """Links to a missing page or heading fail the strict build, each named (one build)."""
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    index = tmp_path / "docs" / "index.md"
    extra = "".join(f"\n{link}\n" for link in BROKEN_LINKS)
    index.write_text(index.read_text(encoding="utf-8") + extra, encoding="utf-8")
    result = build(tmp_path / "mkdocs.yml", tmp_path / "site")
    assert result.returncode != 0
    warnings = [line for line in result.stderr.splitlines() if line.startswith("WARNING")]
    for quoted in BROKEN_LINKS.values():
        assert any(quoted in line for line in warnings), (quoted, result.stderr)


def test_page_missing_from_the_nav_fails_the_build(tmp_path: Path) -> None:
    """A page in docs/ that the nav does not list fails the strict build."""
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    (tmp_path / "docs" / "orphan.md").write_text("# Orphan\n", encoding="utf-8")
    result = build(tmp_path / "mkdocs.yml", tmp_path / "site")
    assert result.returncode != 0
    assert "orphan.md" in result.stderr
