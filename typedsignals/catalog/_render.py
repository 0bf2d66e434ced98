"""The one renderer of the generated signal reference: a small document model and its outputs.

:func:`reference_of` turns a :class:`~typedsignals.catalog.Catalog` into a
:class:`Reference`: per signal, its facts (Python path, sender, payload...), its doc, a
payload field table and the sender-receiver map. That model is written out as Markdown
(:func:`to_markdown`: the MkDocs plugin and ``typedsignals docs --format md``), as
reStructuredText (:func:`to_rst`: ``--format rst``), and for the Sphinx extension as
docutils nodes (:func:`docutils_head`, :func:`docutils_body`) and HTML
(:func:`body_html`, also what the MkDocs plugin puts under each heading), so every
output shows the same tables.

Text comes in three kinds (:class:`Inline`): plain text, escaped for each output; code,
shown literally; and the signal's own doc markup (its doc and its fields' descriptions,
written in reStructuredText inline markup, whose ````literal```` Markdown reads alike),
passed through to the text outputs and parsed by the Sphinx adapter.

Example:
    >>> from typedsignals import Signal, Payload
    >>> from typedsignals.catalog import read_signal
    >>> class Paid(Payload):
    ...     amount: int
    >>> paid = Signal("paid", Paid, doc="An invoice was paid.")
    >>> print(to_markdown(reference_of(read_signal(paid))))  # doctest: +ELLIPSIS
    ## `paid`
    <BLANKLINE>
    An invoice was paid.
    <BLANKLINE>
    - Sender: `object`
    ...
    | Field | Type | Default | Description | Constraints |
    | --- | --- | --- | --- | --- |
    | `amount` | `int` | required |  |  |
    ...
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal

from ._spec import Catalog, FieldSpec, ReceiverSpec, SignalSpec

if TYPE_CHECKING:
    from docutils import nodes  # type: ignore[import-untyped]  # docutils ships no types

__all__ = [
    "FIELD_HEADER",
    "RECEIVER_HEADER",
    "Inline",
    "Reference",
    "SignalEntry",
    "Table",
    "anchor_of",
    "entry_of",
    "field_table",
    "receiver_table",
    "body_html",
    "docutils_body",
    "docutils_head",
    "is_plain",
    "markup_html",
    "markup_runs",
    "reference_of",
    "to_markdown",
    "to_rst",
]

FIELD_HEADER: Final = ("Field", "Type", "Default", "Description", "Constraints")
"""The columns of a payload field table."""
RECEIVER_HEADER: Final = ("Receiver", "Module", "Priority", "Sender")
"""The columns of the sender-receiver map."""
REQUIRED: Final = "required"
"""What the Default column says of a required field."""
ANY_SENDER: Final = "any"
"""What the Sender column says of a receiver connected for every sender (``ANY``)."""
FIELDS_CAPTION: Final = "Payload fields"
RECEIVERS_CAPTION: Final = "Receivers"
NO_FIELDS: Final = "The payload has no fields."
NO_RECEIVERS: Final = "No receiver is connected when the modules are imported."

_MAX_COLUMN: Final = 40
"""The widest a docutils table column is declared, in characters."""
_RST_ADORNMENTS: Final = "=-~^\"'"
"""Section underline characters of reStructuredText, outermost first."""

Kind = Literal["text", "code", "markup"]


@dataclass(frozen=True, slots=True)
class Inline:
    """A run of text inside a paragraph or table cell.

    Attributes:
        text: The text.
        kind: ``"text"`` (plain, escaped by each output), ``"code"`` (shown literally)
            or ``"markup"`` (the signal's own inline markup, passed through or parsed).
    """

    text: str
    kind: Kind = "text"


Cell = tuple[Inline, ...]
"""The content of one table cell or fact: a sequence of inline runs."""


@dataclass(frozen=True, slots=True)
class Table:
    """A table with a header row; ``empty`` is said instead when it has no rows."""

    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    empty: str


@dataclass(frozen=True, slots=True)
class SignalEntry:
    """The reference of one signal.

    Attributes:
        name: The signal's name (the entry's title).
        anchor: The HTML id of the entry (``signal-`` and its Python path as a slug).
        targets: What a cross-reference may name it by: its Python path, then its name.
        doc: The signal's doc, in its own markup.
        facts: ``(label, value)`` lines: Python path, sender, payload, options.
        fields: The payload field table.
        receivers: The sender-receiver map.
    """

    name: str
    anchor: str
    targets: tuple[str, ...]
    doc: str
    facts: tuple[tuple[str, Cell], ...]
    fields: Table
    receivers: Table


@dataclass(frozen=True, slots=True)
class Reference:
    """The generated reference of a catalog: one entry per signal, in catalog order."""

    entries: tuple[SignalEntry, ...]


def reference_of(catalog: Catalog) -> Reference:
    """The document model of a catalog's reference."""
    return Reference(entries=tuple(entry_of(spec) for spec in catalog.signals))


def anchor_of(spec: SignalSpec) -> str:
    """The HTML id of a signal's entry: stable, and unique per declaring module.

    Example:
        >>> from typedsignals.catalog import read_modules
        >>> anchor_of(read_modules(["typedsignals.flask"]).signals[0])
        'signal-typedsignals-flask-appcontext-popped'
    """
    where = spec.python_path or ".".join(
        part for part in (spec.module, spec.namespace, spec.name) if part
    )
    return "signal-" + re.sub(r"[^a-z0-9]+", "-", where.lower()).strip("-")


def entry_of(spec: SignalSpec) -> SignalEntry:
    """The document model of one signal's reference."""
    facts: list[tuple[str, Cell]] = []
    if spec.python_path is not None:
        facts.append(("Python path", (Inline(spec.python_path, "code"),)))
    elif spec.namespace is not None:
        facts.append(("Namespace", (Inline(spec.namespace, "code"),)))
    facts.append(("Sender", (Inline(spec.sender.path, "code"),)))
    facts.append(("Payload", (Inline(spec.payload.path, "code"),)))
    if spec.signal_class.path != "typedsignals.Signal":
        facts.append(("Signal class", (Inline(spec.signal_class.path, "code"),)))
    if spec.bridges is not None:
        facts.append(("Bridges raw signal", (Inline(spec.bridges, "code"),)))
    options = [
        f"{name}={value!r}"
        for name, value, default in (
            ("error_policy", spec.error_policy, "raise"),
            ("strict", spec.strict, False),
            ("concurrent", spec.concurrent, False),
        )
        if value != default
    ]
    if options:
        facts.append(("Options", _joined(Inline(option, "code") for option in options)))
    targets = tuple(t for t in (spec.python_path, spec.name) if t is not None)
    return SignalEntry(
        name=spec.name,
        anchor=anchor_of(spec),
        targets=targets,
        doc=spec.doc,
        facts=tuple(facts),
        fields=field_table(spec.fields),
        receivers=receiver_table(spec.receivers),
    )


def field_table(fields: Sequence[FieldSpec]) -> Table:
    """The payload field table: name, type, required or default, description, constraints."""
    rows = tuple(
        (
            (Inline(field.name, "code"),),
            (Inline(field.annotation, "code"),),
            (Inline(REQUIRED),) if field.required else (Inline(str(field.default), "code"),),
            (Inline(field.description, "markup"),) if field.description else (),
            _joined(
                Inline(f"{key}={json.dumps(value, ensure_ascii=False)}", "code")
                for key, value in field.constraints.items()
            ),
        )
        for field in fields
    )
    return Table(FIELDS_CAPTION, FIELD_HEADER, rows, NO_FIELDS)


def receiver_table(receivers: Sequence[ReceiverSpec]) -> Table:
    """The sender-receiver map: each receiver's name, module, priority and sender filter."""
    rows = tuple(
        (
            (Inline(receiver.name, "code"),)
            + ((Inline(f" (deferred: {receiver.via})"),) if receiver.via else ()),
            (Inline(receiver.module, "code"),) if receiver.module else (),
            (Inline("unknown" if receiver.priority is None else str(receiver.priority)),),
            (Inline(ANY_SENDER),)
            if receiver.sender is None
            else (Inline(receiver.sender, "code"),),
        )
        for receiver in receivers
    )
    return Table(RECEIVERS_CAPTION, RECEIVER_HEADER, rows, NO_RECEIVERS)


def _joined(items: Iterable[Inline]) -> Cell:
    """Inline runs separated by commas."""
    cell: list[Inline] = []
    for item in items:
        if cell:
            cell.append(Inline(", "))
        cell.append(item)
    return tuple(cell)


# -- Markdown ------------------------------------------------------------------------------------

_MD_SPECIAL: Final = re.compile(r"([\\`*_\[\]<>|#])")


def to_markdown(
    reference: Reference,
    *,
    level: int = 2,
    anchors: bool = False,
    title: str | None = None,
    html_body: bool = False,
) -> str:
    """The reference as Markdown (Python-Markdown with ``tables``, as MkDocs reads it).

    Args:
        reference: What to render.
        level: The heading level of each signal's entry (1 to 6).
        anchors: Give each entry's heading its :func:`anchor_of` id, in the
            ``{ #id }`` syntax of the ``attr_list`` extension.
        title: A heading, one level above the entries, to start with.
        html_body: Write each entry's facts and tables as one block of HTML
            (:func:`body_html`) instead of a Markdown list and tables: the same
            content, which Python-Markdown passes through instead of parsing (the
            MkDocs plugin's choice, for speed).
    """
    _check_level(level, 6)
    parts: list[str] = []
    if title is not None:
        parts.append(f"{'#' * max(level - 1, 1)} {_md_text(title)}")
    for entry in reference.entries:
        heading = f"{'#' * level} {_md_code(entry.name)}"
        if anchors:
            heading += f" {{ #{entry.anchor} }}"
        parts.append(heading)
        if entry.doc:
            parts.append(entry.doc.strip())
        if html_body:
            parts.append(f'<div class="typedsignals-body">{body_html(entry)}</div>')
            continue
        parts.append("\n".join(f"- {label}: {_md_cell(value)}" for label, value in entry.facts))
        for table in (entry.fields, entry.receivers):
            parts.append(f"**{table.caption}**")
            parts.append(_md_table(table))
    return "\n\n".join(parts) + "\n"


def _md_table(table: Table) -> str:
    if not table.rows:
        return table.empty
    lines = [
        "| " + " | ".join(table.header) + " |",
        "| " + " | ".join("---" for _ in table.header) + " |",
    ]
    for row in table.rows:
        lines.append("| " + " | ".join(_md_cell(cell) for cell in row) + " |")
    return "\n".join(lines)


def _md_cell(cell: Cell) -> str:
    return "".join(_md_inline(run) for run in cell)


def _md_inline(run: Inline) -> str:
    if run.kind == "code":
        return _md_code(run.text)
    if run.kind == "markup":
        # One line, and no bare pipe: a pipe would end the table cell.
        return _one_line(run.text).replace("|", "\\|")
    return _md_text(run.text)


def _md_text(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", _one_line(text))


def _md_code(text: str) -> str:
    if "|" in text:
        # A pipe ends a table cell even inside a code span for GitHub's tables, and an
        # escaped one shows its backslash in Python-Markdown's: an HTML code element with
        # the pipe as a character reference reads the same in both.
        escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return "<code>" + escaped.replace("|", "&#124;") + "</code>"
    fence = "`"
    while fence in text:
        fence += "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


# -- reStructuredText ----------------------------------------------------------------------------

_RST_SPECIAL: Final = re.compile(r"([\\`*_|:<>\[\]])")


def to_rst(reference: Reference, *, level: int = 2, title: str | None = None) -> str:
    """The reference as reStructuredText (plain docutils: a label, a field list and a
    ``list-table`` per table; no Sphinx-only directive).

    Args:
        reference: What to render.
        level: The section level of each signal's entry (1 to 6, each level with its
            own underline character: ``= - ~ ^ " '``).
        title: A title, one level above the entries, to start with.
    """
    _check_level(level, len(_RST_ADORNMENTS))
    parts: list[str] = []
    if title is not None:
        parts.append(_rst_heading(_rst_text(title), max(level - 1, 1)))
    for entry in reference.entries:
        parts.append(f".. _{entry.anchor}:")
        parts.append(_rst_heading(_rst_code(entry.name), level))
        if entry.doc:
            parts.append(entry.doc.strip())
        parts.append("\n".join(f":{label}: {_rst_cell(value)}" for label, value in entry.facts))
        for table in (entry.fields, entry.receivers):
            parts.append(f".. rubric:: {table.caption}")
            parts.append(_rst_table(table))
    return "\n\n".join(parts) + "\n"


def _rst_heading(text: str, level: int) -> str:
    return f"{text}\n{_RST_ADORNMENTS[level - 1] * len(text)}"


def _rst_table(table: Table) -> str:
    if not table.rows:
        return table.empty
    lines = [".. list-table::", "   :header-rows: 1", ""]
    for row in ((tuple((Inline(h),) for h in table.header)), *table.rows):
        for index, cell in enumerate(row):
            bullet = "* -" if index == 0 else "  -"
            text = _rst_cell(cell)
            lines.append(f"   {bullet} {text}" if text else f"   {bullet}")
    return "\n".join(lines)


def _rst_cell(cell: Cell) -> str:
    return "".join(_rst_inline(run) for run in cell)


def _rst_inline(run: Inline) -> str:
    if run.kind == "code":
        return _rst_code(run.text)
    if run.kind == "markup":
        return _one_line(run.text)
    return _rst_text(run.text)


def _rst_text(text: str) -> str:
    return _RST_SPECIAL.sub(r"\\\1", _one_line(text))


def _rst_code(text: str) -> str:
    if "``" in text or text != text.strip() or not text:
        return _rst_text(text)  # an inline literal cannot hold these: plain text reads the same
    return f"``{text}``"


def _one_line(text: str) -> str:
    """Text with each run of whitespace (newlines too) made one space, ends kept."""
    return re.sub(r"\s+", " ", text)


def _check_level(level: int, deepest: int) -> None:
    if not 1 <= level <= deepest:
        raise ValueError(f"heading level must be 1 to {deepest}, not {level!r}")


# -- HTML --------------------------------------------------------------------------------------

_LITERAL: Final = re.compile(r"``(.+?)``|`([^`]+)`")
"""Inline literals of the signals' doc markup: reST ````code````, and single backticks,
which Markdown reads as code (and reST as the default role, mostly code in docstrings)."""


def markup_html(text: str) -> str:
    """The signals' inline doc markup as HTML: literals as ``<code>``, the rest escaped.

    Example:
        >>> markup_html("The ``id`` of <this> item.")
        'The <code>id</code> of &lt;this&gt; item.'
    """
    parts: list[str] = []
    last = 0
    for match in _LITERAL.finditer(text):
        parts.append(html.escape(text[last : match.start()], quote=False))
        parts.append(f"<code>{html.escape(match[1] or match[2], quote=False)}</code>")
        last = match.end()
    parts.append(html.escape(text[last:], quote=False))
    return _one_line("".join(parts))


def body_html(entry: SignalEntry, *, markup: Callable[[str], str] = markup_html) -> str:
    """A signal's facts and tables as one HTML fragment (everything but title and doc).

    Written as one string, not as a tree of nodes or Markdown: a reference of 1,000
    signals has some 100,000 table cells, and the tools that would parse them (docutils'
    transforms and pickling, Python-Markdown's table extension) take far longer than
    the 3 s the whole reference may add to a build (benchmarks/docs_reference.py).

    Args:
        entry: What to render.
        markup: Renders a run of the signal's own markup (a field's description) as
            HTML; runs are asked for in the order :func:`docutils_body` asks for them.
    """
    facts = "".join(
        f"<dt>{html.escape(label)}</dt><dd>{_html_cell(value, markup)}</dd>"
        for label, value in entry.facts
    )
    parts = [f'<dl class="typedsignals-facts">{facts}</dl>']
    for table, kind in ((entry.fields, "fields"), (entry.receivers, "receivers")):
        parts.append(f'<p class="rubric">{html.escape(table.caption)}</p>')
        if not table.rows:
            parts.append(f"<p>{html.escape(table.empty)}</p>")
            continue
        head = "".join(f"<th>{html.escape(h)}</th>" for h in table.header)
        rows = "".join(
            "<tr>" + "".join(f"<td>{_html_cell(c, markup)}</td>" for c in row) + "</tr>"
            for row in table.rows
        )
        parts.append(
            f'<table class="docutils typedsignals-{kind}"><thead><tr>{head}</tr></thead>'
            f"<tbody>{rows}</tbody></table>"
        )
    return "".join(parts)


def _html_cell(cell: Cell, markup: Callable[[str], str]) -> str:
    found: list[str] = []
    for run in cell:
        if run.kind == "code":
            found.append(f"<code>{html.escape(run.text, quote=False)}</code>")
        elif run.kind == "markup":
            found.append(markup(run.text))
        else:
            found.append(html.escape(run.text, quote=False))
    return "".join(found)


_PLAIN: Final = re.compile(r"[A-Za-z][A-Za-z0-9 ,.;!?'\"()%&=/-]*")
"""Text that reStructuredText (and Markdown) read as itself: one line of words and
punctuation, no markup character, no list or directive start."""


def is_plain(text: str) -> bool:
    """Whether a run of doc markup reads as itself: it needs no parsing, only escaping.

    Parsing is the slow part of a large reference in Sphinx, and most docs and field
    descriptions are plain sentences.

    Example:
        >>> is_plain("The user who logged in."), is_plain("The ``id``."), is_plain("a_")
        (True, False, False)
    """
    return _PLAIN.fullmatch(text) is not None


def markup_runs(entry: SignalEntry) -> list[str]:
    """The entry's runs of doc markup, in the order the body renderers ask for them."""
    cells = [value for _, value in entry.facts]
    cells += [cell for row in entry.fields.rows for cell in row]
    cells += [cell for row in entry.receivers.rows for cell in row]
    return [run.text for cell in cells for run in cell if run.kind == "markup"]


# -- docutils ------------------------------------------------------------------------------------


def docutils_head(
    entry: SignalEntry, *, parse_block: Callable[[str], list[nodes.Node]]
) -> nodes.section:
    """A signal's section with its title and doc (for the Sphinx extension).

    Args:
        entry: What to render.
        parse_block: Parses the signal's doc (its own markup) into body elements.
    """
    from docutils import nodes

    section = nodes.section(ids=[entry.anchor], names=[])
    section += nodes.title("", "", nodes.literal(entry.name, entry.name))
    if entry.doc:
        section.extend(parse_block(entry.doc))
    return section


def docutils_body(
    entry: SignalEntry, *, parse_inline: Callable[[str], list[nodes.Node]]
) -> list[nodes.Node]:
    """A signal's facts and tables as docutils nodes (for Sphinx's other output formats).

    Args:
        entry: What to render.
        parse_inline: Gives the inline nodes of a run of the signal's own markup (a
            field's description); runs are asked for in the order of :func:`markup_runs`.
    """
    from docutils import nodes

    facts = nodes.field_list(classes=["typedsignals-facts"])
    for label, value in entry.facts:
        body = nodes.paragraph("", "", *_du_cell(value, parse_inline))
        facts += nodes.field("", nodes.field_name(label, label), nodes.field_body("", body))
    found: list[nodes.Node] = [facts]
    for table, kind in ((entry.fields, "fields"), (entry.receivers, "receivers")):
        found.append(nodes.rubric(table.caption, table.caption))
        found.append(_du_table(table, kind, parse_inline))
    return found


def _du_table(
    table: Table, kind: str, parse_inline: Callable[[str], list[nodes.Node]]
) -> nodes.Element:
    from docutils import nodes

    if not table.rows:
        return nodes.paragraph(table.empty, table.empty)
    group = nodes.tgroup(cols=len(table.header))
    # Text and LaTeX writers size columns by these widths: the longest text (with the
    # quotes the text writer puts around code), capped.
    for column, header in enumerate(table.header):
        longest = max(_width(row[column]) for row in table.rows)
        group += nodes.colspec(colwidth=min(max(longest, len(header)), _MAX_COLUMN))

    def row_of(cells: Iterable[list[nodes.Node]]) -> nodes.row:
        row = nodes.row()
        for content in cells:
            row += nodes.entry("", *([nodes.paragraph("", "", *content)] if content else []))
        return row

    group += nodes.thead("", row_of([nodes.Text(h)] for h in table.header))
    group += nodes.tbody("", *(row_of(_du_cell(c, parse_inline) for c in r) for r in table.rows))
    return nodes.table("", group, classes=[f"typedsignals-{kind}"])


def _width(cell: Cell) -> int:
    return sum(len(run.text) + (2 if run.kind == "code" else 0) for run in cell)


def _du_cell(cell: Cell, parse_inline: Callable[[str], list[nodes.Node]]) -> list[nodes.Node]:
    from docutils import nodes

    found: list[nodes.Node] = []
    for run in cell:
        if run.kind == "code":
            found.append(nodes.literal(run.text, run.text))
        elif run.kind == "markup":
            found.extend(parse_inline(run.text))
        else:
            found.append(nodes.Text(run.text))
    return found
