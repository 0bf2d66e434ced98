"""The one renderer of the signal reference: its model, Markdown and reStructuredText."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import docs_sample
import markdown
import pytest
from docs_golden import check_golden, html_tables
from docutils import nodes
from docutils.core import publish_doctree
from docutils.utils import SystemMessage
from markdown_it import MarkdownIt

from typedsignals import Payload, Signal
from typedsignals.catalog import Catalog, read_module, read_modules, read_signal
from typedsignals.catalog._render import (
    FIELD_HEADER,
    NO_FIELDS,
    NO_RECEIVERS,
    Inline,
    Reference,
    reference_of,
    to_markdown,
    to_rst,
)

FLASK_MODULES = (
    "typedsignals.flask",
    "typedsignals.flask.login",
    "typedsignals.flask.principal",
    "typedsignals.flask.mail",
    "typedsignals.flask.sqlalchemy",
)
"""The modules of the Flask layer that declare signals."""


class Empty(Payload):
    """A payload with no fields."""


_STRICT: Final = {"halt_level": 2, "report_level": 2}
"""docutils settings that turn a warning into an exception."""


def _sample() -> Catalog:
    return read_module(docs_sample)


def _md_html(text: str) -> str:
    return markdown.markdown(text, extensions=["tables", "attr_list"])


@pytest.mark.parametrize(
    ("name", "render"),
    [
        ("sample.md", lambda c: to_markdown(reference_of(c), anchors=True)),
        ("sample.rst", lambda c: to_rst(reference_of(c), level=1)),
    ],
)
def test_sample_reference_matches_golden(name: str, render: Callable[[Catalog], str]) -> None:
    """The sample module renders exactly as its golden file, in each text format."""
    check_golden(name, render(_sample()))


def test_flask_reference_matches_golden() -> None:
    """The Flask layer's signals render exactly as the golden file."""
    check_golden("flask.md", to_markdown(reference_of(read_modules(FLASK_MODULES)), level=3))


def test_field_table_rows_follow_the_fields() -> None:
    """Each field gives a row: name, type, required or default, description, constraints."""
    entry = reference_of(_sample()).entries[0]
    assert entry.fields.header == FIELD_HEADER
    first, second, *_ = entry.fields.rows
    assert first == (
        (Inline("invoice_id", "code"),),
        (Inline("int", "code"),),
        (Inline("required"),),
        (Inline("The invoice's number.", "markup"),),
        (Inline("minimum=1", "code"),),
    )
    assert second[2] == (Inline("0.0", "code"),)


def test_receiver_map_names_priority_and_sender() -> None:
    """The receiver table gives each receiver's name, module, priority and sender filter."""
    rows = reference_of(_sample()).entries[0].receivers.rows
    assert [tuple("".join(run.text for run in cell) for cell in row) for row in rows] == [
        ("notify_accounting", "docs_sample", "0", "any"),
        ("audit_first_invoice", "docs_sample", "10", "Invoice('INV-1')"),
    ]


def _gfm_html(text: str) -> str:
    return MarkdownIt("commonmark").enable("table").render(text)


@pytest.mark.parametrize("to_html", [_md_html, _gfm_html], ids=["python-markdown", "gfm"])
def test_markdown_tables_keep_piped_types_in_one_cell(to_html: Callable[[str], str]) -> None:
    """``str | None`` stays one cell of the Markdown table, shown with its pipe, both in
    Python-Markdown (MkDocs) and under GitHub's table rules (markdown-it), where a pipe
    splits a cell even inside a code span."""
    tables = html_tables(to_html(to_markdown(reference_of(_sample()))))
    reference_row = next(row for row in tables[0] if row[0] == "reference")
    assert reference_row == [
        "reference",
        "str | None",
        "None",
        "",
        'maxLength=40, pattern="^[A-Z]+$"',
    ]


def test_markdown_description_pipe_stays_in_its_cell() -> None:
    """A pipe in a field's description does not split its table cell."""
    tables = html_tables(_md_html(to_markdown(reference_of(_sample()))))
    tags_row = next(row for row in tables[0] if row[0] == "tags")
    assert tags_row[3] == "Free-form labels | tags."


def test_markdown_anchors_give_headings_their_ids() -> None:
    """With anchors, each signal heading carries the id of its Python path."""
    html = _md_html(to_markdown(reference_of(_sample()), anchors=True))
    assert '<h2 id="signal-docs-sample-invoice-paid"><code>invoice-paid</code></h2>' in html


def test_rst_output_is_valid_plain_docutils() -> None:
    """The reStructuredText output parses with plain docutils, without a warning, and
    holds one table per non-empty table of the model."""
    reference = reference_of(_sample())
    doctree = publish_doctree(to_rst(reference, title="Signals"), settings_overrides=_STRICT)
    expected = sum(bool(t.rows) for e in reference.entries for t in (e.fields, e.receivers))
    assert len(list(doctree.findall(nodes.table))) == expected


@pytest.mark.parametrize("render", [to_markdown, to_rst])
def test_empty_tables_say_so(render: Callable[[Reference], str]) -> None:
    """A payload without fields and a signal without receivers get a sentence, no table."""
    signal = Signal("bare", Empty, doc="Nothing to carry.")
    text = render(reference_of(read_signal(signal)))
    assert (NO_FIELDS in text, NO_RECEIVERS in text) == (True, True)


@pytest.mark.parametrize("level", [0, 7])
def test_heading_level_out_of_range_is_refused(level: int) -> None:
    """A heading level outside 1..6 is a ValueError naming it."""
    with pytest.raises(ValueError, match=rf"heading level must be 1 to 6, not {level}"):
        to_markdown(reference_of(_sample()), level=level)


def test_rst_escapes_markup_in_plain_text() -> None:
    """A title with reST markup characters reads as written."""
    text = to_rst(reference_of(Catalog()), title="*a* `b`_")
    doctree = publish_doctree(text, settings_overrides=_STRICT)
    assert doctree.astext() == "*a* `b`_"


def test_unrenderable_rst_warns_in_docutils() -> None:
    """The docutils check above can fail: an unescaped title is a warning there."""
    with pytest.raises(SystemMessage):
        publish_doctree("`b`_\n===\n", settings_overrides=_STRICT)
