"""The Sphinx extension: directives, the :signal: role, index entries, warnings as errors.

Most tests build a copy of ``tests/docs/sphinx_project`` with Sphinx's own test
application (:class:`sphinx.testing.util.SphinxTestApp`); those about ``-W`` and the
``:import:`` option run ``sphinx-build`` in a fresh process, the oldest supported Sphinx
(7) in a virtualenv of its own.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import venv
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import docs_sample  # imported here, so receivers connect outside any test
import docs_twin  # noqa: F401
import pytest
from docs_golden import HERE, ROOT, html_tables, listeners_path, sphinx_build
from sphinx.testing.util import SphinxTestApp

from typedsignals.catalog import read_module
from typedsignals.catalog._render import FIELD_HEADER

PROJECT = HERE / "sphinx_project"
ANCHOR = "signal-docs-sample-invoice-paid"
"""The id of ``invoice-paid``'s section."""


class Built:
    """A built copy of the sample project: its warnings and its pages."""

    def __init__(self, app: SphinxTestApp, warnings: StringIO) -> None:
        self.app = app
        self.warnings = warnings

    def page(self, name: str) -> str:
        """The HTML of a built page (``index``, ``genindex``...)."""
        return (Path(self.app.outdir) / f"{name}.html").read_text(encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh copy of the sample Sphinx project."""
    source = tmp_path / "src"
    shutil.copytree(PROJECT, source)
    return source


def build(source: Path, builder: str = "html", **pages: str) -> Iterator[Built]:
    """Build ``source`` (after writing ``pages``: name to reST) with SphinxTestApp."""
    for name, text in pages.items():
        (source / f"{name}.rst").write_text(text, encoding="utf-8")
    warnings = StringIO()
    app = SphinxTestApp(
        builder,
        srcdir=source,
        builddir=source.parent / "build",
        status=StringIO(),
        warning=warnings,
    )
    try:
        app.build()
        yield Built(app, warnings)
    finally:
        app.cleanup()


@pytest.fixture
def built(project: Path) -> Iterator[Built]:
    """The sample project, built as it is."""
    yield from build(project)


def test_sample_project_builds_without_warning(built: Built) -> None:
    """The sample project (both directives, the role, :no-index:) builds with no warning."""
    assert built.warnings.getvalue() == ""


@pytest.mark.parametrize("target", ["invoice-paid", "docs_sample.invoice_paid"])
def test_signal_role_links_to_the_section(built: Built, target: str) -> None:
    """``:signal:`` by name or by Python path links to the signal's section."""
    pattern = rf'<a class="reference internal" href="#{ANCHOR}" title="signal invoice-paid">'
    pattern += (
        rf'<code class="xref typedsignals typedsignals-signal[^"]*"><span class="pre">{target}'
    )
    assert re.search(pattern, built.page("index"))


def test_signal_role_links_across_pages(built: Built) -> None:
    """A reference from another page links to the page documenting the signal."""
    assert 'href="index.html#signal-docs-sample-invoice-voided"' in built.page("one")


def test_sections_carry_the_anchor(built: Built) -> None:
    """Each signal is a section with the id of its Python path."""
    assert f'<section id="{ANCHOR}">' in built.page("index")


def test_each_signal_has_an_index_entry(built: Built) -> None:
    """The general index lists every documented signal, linking to its section."""
    index = built.page("genindex")
    for name, anchor in [
        ("invoice-paid", ANCHOR),
        ("ledger-closed", "signal-docs-sample-billing-ledger-closed"),
    ]:
        assert re.search(rf'<a href="index.html#{anchor}">{name} \(signal\)</a>', index)


def test_no_index_leaves_no_index_entry(project: Path) -> None:
    """A :no-index: listing adds no index entry (the namespace's signals, listed twice)."""
    for result in build(project):
        assert result.page("genindex").count("ledger-closed (signal)") == 1


def test_field_table_shows_the_payload(built: Built) -> None:
    """The first table of the page is invoice-paid's field table, cell for cell."""
    tables = html_tables(built.page("index"))
    assert tables[0][0] == list(FIELD_HEADER)
    assert tables[0][2] == ["amount", "float", "0.0", "Amount paid, in EUR.", "minimum=0"]


def test_receiver_map_shows_sender_filters(built: Built) -> None:
    """The second table is the sender-receiver map, with priority and sender filter."""
    assert html_tables(built.page("index"))[1][1:] == [
        ["notify_accounting", "docs_sample", "0", "any"],
        ["audit_first_invoice", "docs_sample", "10", "Invoice('INV-1')"],
    ]


def test_other_builders_get_docutils_tables(project: Path) -> None:
    """A non-HTML builder (text) writes the same tables from docutils nodes, the parsed
    description included, without a warning."""
    for result in build(project, "text"):
        assert result.warnings.getvalue() == ""
        text = (Path(result.app.outdir) / "index.txt").read_text(encoding="utf-8")
        assert (
            '| "amount"     | "float"                       | "0.0"    | Amount paid, in "EUR".'
            in text
        )
        assert '| "audit_first_invoice" | "docs_sample" | 10 ' in text


@pytest.mark.parametrize(
    ("page", "warning"),
    [
        (
            "See :signal:`no-such-signal`.",
            "no documented signal is called 'no-such-signal' (:signal: reference)",
        ),
        (
            ".. autosignal:: docs_sample.invoice_paid\n\n.. autosignal:: docs_sample.invoice_paid",
            "signal 'invoice-paid' (docs_sample.invoice_paid) is documented twice",
        ),
        (
            ".. autosignals:: docs_twin\n\nSee :signal:`invoice-paid`.",
            "'invoice-paid' names 2 documented signals",
        ),
        (".. autosignals:: no_such_module", "cannot import module 'no_such_module'"),
        (".. autosignal:: docs_sample", "'docs_sample' is not a signal"),
        (".. autosignals:: docs_sample.Invoice", "is neither a module nor a Namespace"),
        (".. autosignal:: docs_sample.nothing", "nothing is called 'docs_sample.nothing'"),
        (".. autosignal:: docs_sample.billing:no-such", "namespace 'docs_sample.billing' has no"),
    ],
)
def test_mistakes_are_warnings(project: Path, page: str, warning: str) -> None:
    """Each mistake in a page is one warning naming the signal or target concerned."""
    extra = f"Extra\n=====\n\n{page}\n"
    index = (project / "index.rst").read_text() + "\n.. toctree::\n\n   extra\n"
    for result in build(project, extra=extra, index=index):
        assert warning in result.warnings.getvalue()


def test_rebuild_after_an_edit_keeps_the_links(project: Path) -> None:
    """Rereading the page that documents the signals records them afresh: no duplicate,
    and the other pages' links still resolve (the domain's clear_doc)."""
    for _ in build(project):
        pass
    index = project / "index.rst"
    index.write_text(index.read_text() + "\nAnd :signal:`ledger-closed` again.\n")
    for again in build(project):
        assert again.warnings.getvalue() == ""
        assert 'href="index.html#signal-docs-sample-invoice-voided"' in again.page("one")


# -- -W, :import: and the oldest Sphinx, in fresh processes ----------------------------------------


@pytest.fixture(scope="session")
def sphinx7_python(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A virtualenv with the oldest supported Sphinx series (7) and pydantic."""
    directory = tmp_path_factory.mktemp("sphinx7")
    venv.create(directory, with_pip=True)
    python = str(directory / "bin" / "python")
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "sphinx==7.*", "pydantic", "typing-extensions"],
        check=True, timeout=600,
    )  # fmt: skip
    return python


@pytest.fixture(params=["current", "sphinx7"])
def python(request: pytest.FixtureRequest) -> str:
    """The interpreter of the Sphinx under test: this venv's, then Sphinx 7's."""
    if request.param == "current":
        return str(ROOT / ".venv" / "bin" / "python")
    found: str = request.getfixturevalue("sphinx7_python")
    return found


def test_sphinx_versions(python: str) -> None:
    """The two interpreters run the current Sphinx and Sphinx 7."""
    version = subprocess.run(
        [python, "-c", "import sphinx; print(sphinx.version_info[0])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert (version == "7") == ("sphinx7" in python)


def test_sample_project_builds_with_w(python: str, tmp_path: Path) -> None:
    """``sphinx-build -W`` passes on the sample project, with the same field table."""
    result = sphinx_build(python, PROJECT, tmp_path / "out", "-W")
    assert result.returncode == 0, result.stderr
    tables = html_tables((tmp_path / "out" / "index.html").read_text(encoding="utf-8"))
    spec = read_module(docs_sample).signals[0]
    assert [row[0] for row in tables[0][1:]] == [field.name for field in spec.fields]


def test_broken_reference_fails_a_w_build(python: str, project: Path, tmp_path: Path) -> None:
    """Under ``-W`` a :signal: reference to nothing fails the build, naming the target."""
    (project / "one.rst").write_text((project / "one.rst").read_text() + "\n:signal:`nope`\n")
    result = sphinx_build(python, project, tmp_path / "out", "-W")
    assert result.returncode != 0
    assert "no documented signal is called 'nope'" in result.stderr


def test_parallel_build_resolves_references_across_pages(
    python: str, project: Path, tmp_path: Path
) -> None:
    """``sphinx-build -j 2 -W`` (parallel reading, which needs more than five pages) gives
    each page the links and the index the entries of a serial build."""
    index = project / "index.rst"
    pages = [f"page{n}" for n in range(8)]
    index.write_text(
        index.read_text().replace("   one\n", "   one\n" + "".join(f"   {p}\n" for p in pages))
    )
    for n, page in enumerate(pages):
        (project / f"{page}.rst").write_text(
            f"Page {n}\n=======\n\nPaid: :signal:`invoice-paid`; closed: :signal:`ledger-closed`.\n"
        )
    serial = sphinx_build(python, project, tmp_path / "serial", "-W")
    parallel = sphinx_build(python, project, tmp_path / "parallel", "-W", "-j", "2")
    assert serial.returncode == 0, serial.stderr
    assert parallel.returncode == 0, parallel.stderr
    for page in pages:
        html = (tmp_path / "parallel" / f"{page}.html").read_text(encoding="utf-8")
        assert f'href="index.html#{ANCHOR}"' in html, page
        assert 'href="index.html#signal-docs-sample-billing-ledger-closed"' in html, page
    one = (tmp_path / "parallel" / "one.html").read_text(encoding="utf-8")
    assert 'href="index.html#signal-docs-sample-invoice-voided"' in one
    entries = [
        re.findall(r"signal-docs-sample-[a-z-]+", (tmp_path / out / "genindex.html").read_text())
        for out in ("serial", "parallel")
    ]
    assert entries[0]
    assert entries[0] == entries[1]


@pytest.mark.parametrize(
    ("option", "setting"),
    [("   :import: docs_listeners\n", ""), ("", "typedsignals_import = ['docs_listeners']\n")],
)
def test_imported_modules_add_their_receivers(
    project: Path, tmp_path: Path, option: str, setting: str
) -> None:
    """Modules named by :import: or typedsignals_import are imported first: their
    receivers show in the sender-receiver map."""
    index = (project / "index.rst").read_text()
    index = index.replace(
        ".. autosignals:: docs_sample\n", f".. autosignals:: docs_sample\n{option}"
    )
    (project / "index.rst").write_text(index)
    (project / "conf.py").write_text((project / "conf.py").read_text() + setting)
    python = str(ROOT / ".venv" / "bin" / "python")
    result = sphinx_build(python, project, tmp_path / "out", "-W", path=(listeners_path(tmp_path),))
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert ["log_voided", "docs_listeners", "0", "any"] in html_tables(html)[2]
