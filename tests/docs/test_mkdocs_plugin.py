"""The MkDocs plugin: markers expanded by a real ``mkdocs build --strict``, the same field
tables as Sphinx, and the marker syntax and its errors."""

from __future__ import annotations

import gc
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import docs_sample  # noqa: F401  # imported here, so receivers connect outside any test
import pytest
from docs_golden import HERE, html_tables, listeners_path, python_path, sphinx_build

from typedsignals.catalog import CatalogError
from typedsignals.catalog._render import FIELD_HEADER, RECEIVER_HEADER
from typedsignals.mkdocs import expand_references

PROJECT = HERE / "mkdocs_project"

ENTRY_POINT = "[mkdocs.plugins]\ntypedsignals = typedsignals.mkdocs:SignalsPlugin\n"
"""The plugin's entry point (MkDocs finds plugins by entry point only), installed for
the build by a distribution of the test's own, whatever this checkout's install holds."""


@pytest.fixture(scope="module")
def plugin_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding a distribution that declares only the plugin's entry point."""
    folder = tmp_path_factory.mktemp("entry-point")
    info = folder / "typedsignals_docs_tests-0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: typedsignals-docs-tests\nVersion: 0\n"
    )
    (info / "entry_points.txt").write_text(ENTRY_POINT)
    return folder


def mkdocs_build(
    project: Path, site: Path, plugin_path: Path, *path: Path
) -> subprocess.CompletedProcess[str]:
    """Run ``mkdocs build --strict`` of ``project`` into ``site`` in a fresh process."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(project / "mkdocs.yml"),
         "-d", str(site)],
        cwd=project,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1",
             "PYTHONPATH": python_path(plugin_path, *path)},
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, plugin_path: Path) -> Path:
    """The sample MkDocs project, built once with --strict."""
    site = tmp_path_factory.mktemp("site")
    result = mkdocs_build(PROJECT, site, plugin_path)
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    return site


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh copy of the sample MkDocs project."""
    copy = tmp_path / "project"
    shutil.copytree(PROJECT, copy)
    return copy


def page(site: Path, name: str) -> str:
    """The HTML of a built page (``""`` for the home page)."""
    return (site / name / "index.html").read_text(encoding="utf-8")


def test_marker_becomes_the_reference(site: Path) -> None:
    """The marker line is replaced by each signal's section, its heading carrying its id."""
    html = page(site, "")
    assert '<h2 id="signal-docs-sample-invoice-paid"><code>invoice-paid</code></h2>' in html
    assert "typedsignals-reference" not in html


def test_heading_level_option(site: Path) -> None:
    """``heading_level: 3`` under a marker makes each signal an h3."""
    assert '<h3 id="signal-docs-twin-invoice-paid"><code>invoice-paid</code></h3>' in page(site, "")


def test_marker_in_a_code_block_is_left_alone(site: Path) -> None:
    """A marker inside a fenced block is shown as written, not expanded."""
    assert "::: typedsignals-reference no_such_module" in page(site, "usage")


def test_links_to_signal_anchors_pass_strict_validation(
    project: Path, tmp_path: Path, plugin_path: Path
) -> None:
    """A link to an anchor no signal has fails the strict build: the ids are real."""
    usage = project / "docs" / "usage.md"
    usage.write_text(usage.read_text() + "\n[gone](index.md#signal-docs-sample-gone)\n")
    result = mkdocs_build(project, tmp_path / "site", plugin_path)
    assert result.returncode != 0
    assert "signal-docs-sample-gone" in result.stderr


def test_unimportable_module_stops_the_build(
    project: Path, tmp_path: Path, plugin_path: Path
) -> None:
    """A marker naming a module that cannot be imported fails the build, naming it."""
    index = project / "docs" / "index.md"
    lines = [*index.read_text().splitlines(), "", "::: typedsignals-reference no_such_module"]
    index.write_text("\n".join(lines) + "\n")
    result = mkdocs_build(project, tmp_path / "site", plugin_path)
    assert result.returncode != 0
    where = f"typedsignals: index.md: line {len(lines)}: cannot import module 'no_such_module'"
    assert where in result.stderr


def test_import_setting_adds_receivers(project: Path, tmp_path: Path, plugin_path: Path) -> None:
    """Modules in the plugin's ``import`` setting are imported first: their receivers show."""
    config = project / "mkdocs.yml"
    config.write_text(
        config.read_text().replace(
            "  - typedsignals\n", "  - typedsignals:\n      import: [docs_listeners]\n"
        )
    )
    result = mkdocs_build(project, tmp_path / "site", plugin_path, listeners_path(tmp_path))
    assert result.returncode == 0, result.stderr
    assert ["log_voided", "docs_listeners", "0", "any"] in html_tables(page(tmp_path / "site", ""))[
        2
    ]


def test_sphinx_and_mkdocs_show_the_same_tables(site: Path, tmp_path: Path) -> None:
    """The same module gives the same field tables and receiver maps, cell for cell, in the
    Sphinx extension's HTML and the MkDocs plugin's."""
    result = sphinx_build(sys.executable, HERE / "sphinx_project", tmp_path / "sphinx", "-W")
    assert result.returncode == 0, result.stderr
    sphinx_tables = _ours(html_tables((tmp_path / "sphinx" / "index.html").read_text("utf-8")))
    mkdocs_tables = _ours(html_tables(page(site, "")))
    assert len(mkdocs_tables) == 2  # docs_twin's signal has no field and no receiver
    assert sphinx_tables[:2] == mkdocs_tables


def _ours(tables: list[list[list[str]]]) -> list[list[list[str]]]:
    """The field tables and receiver maps among a page's tables (not the theme's)."""
    return [t for t in tables if tuple(t[0]) in (FIELD_HEADER, RECEIVER_HEADER)]


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("    colour: red", "line 1: unknown option 'colour' (options: heading_level, import)"),
        ("    heading_level: 9", "line 1: heading_level must be 1 to 6, not '9'"),
        ("    import: no_such_module", "line 1: cannot import module 'no_such_module'"),
    ],
)
def test_marker_option_errors_name_the_line(option: str, message: str) -> None:
    """A bad option under a marker is an error naming the marker's line."""
    with pytest.raises(CatalogError, match=re.escape(message)):
        expand_references(f"::: typedsignals-reference docs_sample\n{option}\n")


@pytest.mark.parametrize("fence", ["```", "~~~~"])
def test_fences_protect_markers(fence: str) -> None:
    """Markers inside backtick or tilde fences are kept as written."""
    text = f"{fence}\n::: typedsignals-reference no_such_module\n{fence}\n"
    assert expand_references(text) == text


def test_text_around_markers_is_kept() -> None:
    """Lines before and after a marker stay in place, a blank line apart from it."""
    expanded = expand_references("before\n::: typedsignals-reference docs_sample\nafter")
    assert expanded.startswith("before\n\n## `invoice-paid`")
    assert expanded.endswith("connected when the modules are imported.</p></div>\n\nafter")


def test_reference_is_read_and_rendered_with_the_collector_paused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A marker's reference is read and rendered with the cyclic collector paused, which
    is on again afterwards."""
    import typedsignals.mkdocs as plugin

    seen: list[bool] = []
    real = plugin.to_markdown

    def spy(*args: Any, **kwargs: Any) -> str:
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(plugin, "to_markdown", spy)
    page = expand_references("::: typedsignals-reference docs_sample\n")
    assert "invoice-paid" in page
    assert seen == [False]
    assert gc.isenabled()
