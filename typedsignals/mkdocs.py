"""MkDocs plugin: the generated reference of typed signals, included in any page.

Enable it in ``mkdocs.yml``::

    plugins:
      - search
      - typedsignals:
          import: [myapp.audit]   # modules imported first (those connecting receivers)

and put a marker line, on its own line at the start, wherever a module's reference goes::

    ::: typedsignals-reference myapp.signals myapp.billing
        heading_level: 3

The line names one or more modules; the indented lines under it are options:
``heading_level`` (1 to 6, default 2: the level of each signal's heading) and
``import`` (more modules to import first, space-separated). The marker is replaced, before
the page is converted, by each signal's name, Python path, doc, sender, payload field
table and the receivers connected once the modules are imported (the sender-receiver
map). Markers inside fenced code blocks are left alone. Each heading gets the id
``signal-`` and the signal's Python path as a slug (``signal-myapp-signals-order-placed``),
so other pages can link to ``reference.md#signal-myapp-signals-order-placed``; the
plugin turns on the ``attr_list`` extension for that. A module that cannot be imported
stops the build with an error naming the page, the line and the module.

The text comes from the one renderer of the catalog (:mod:`typedsignals.catalog._render`),
which the Sphinx extension and ``typedsignals docs`` use too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from ._require import missing_extra

try:
    from mkdocs.config import base
    from mkdocs.config import config_options as options
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.exceptions import PluginError
    from mkdocs.plugins import BasePlugin
    from mkdocs.structure.files import Files
    from mkdocs.structure.pages import Page
except ModuleNotFoundError as _exc:
    raise missing_extra(
        _exc, "mkdocs", extra="docs", needed_by=__name__, project="MkDocs"
    ) from None

from .catalog._read import gc_paused, import_modules, read_modules
from .catalog._render import reference_of, to_markdown
from .catalog._spec import CatalogError

__all__ = ["MARKER", "SignalsPlugin", "SignalsPluginConfig", "expand_references"]

MARKER: Final = "::: typedsignals-reference"
"""What a line starts with to include the reference of the modules it then names."""

_MARKER_LINE: Final = re.compile(rf"^{re.escape(MARKER)}((?: +\S+)+) *$")
_OPTION_LINE: Final = re.compile(r"^ {4}(\w+): *(.*?) *$")
_FENCE: Final = re.compile(r"^ *(`{3,}|~{3,})")
_OPTIONS: Final = ("heading_level", "import")


class SignalsPluginConfig(base.Config):  # type: ignore[no-untyped-call]  # untyped __init_subclass__
    """The plugin's settings in ``mkdocs.yml``."""

    import_ = options.ListOfItems(options.Type(str), default=[])
    """Modules imported before any reference is read (``import:`` in the YAML)."""
    heading_level = options.Type(int, default=2)
    """The heading level of each signal, unless a marker says otherwise."""


class SignalsPlugin(BasePlugin[SignalsPluginConfig]):  # type: ignore[no-untyped-call]  # idem
    """Replaces each marker line with the reference of the modules it names."""

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        """Turn on ``attr_list``, which gives each signal's heading its stable id."""
        if "attr_list" not in config.markdown_extensions:
            config.markdown_extensions.append("attr_list")
        return config

    def on_page_markdown(
        self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        """The page's Markdown with its markers expanded."""
        try:
            return expand_references(
                markdown, level=self.config.heading_level, imports=self.config.import_
            )
        except CatalogError as exc:
            raise PluginError(f"typedsignals: {page.file.src_uri}: {exc}") from None


def expand_references(markdown: str, *, level: int = 2, imports: Sequence[str] = ()) -> str:
    """Markdown with each marker (and its option lines) replaced by the reference it asks for.

    Args:
        markdown: A page's Markdown.
        level: The heading level of each signal, unless a marker's options say otherwise.
        imports: Modules imported before any reference is read.

    Raises:
        CatalogError: A marker has a bad option or names a module that cannot be
            imported; the message names the line.

    Example:
        >>> page = "# Flask\\n\\n::: typedsignals-reference typedsignals.flask\\n"
        >>> print(expand_references(page).splitlines()[3])
        ## `appcontext-popped` { #signal-typedsignals-flask-appcontext-popped }
    """
    lines = markdown.split("\n")
    out: list[str] = []
    fence: str | None = None
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        opening = _FENCE.match(line)
        if fence is not None:
            if opening and opening[1][0] == fence[0] and len(opening[1]) >= len(fence):
                fence = None
            out.append(line)
            continue
        if opening:
            fence = opening[1]
            out.append(line)
            continue
        marker = _MARKER_LINE.match(line)
        if marker is None:
            out.append(line)
            continue
        where = f"line {index}"
        settings: dict[str, str] = {}
        while index < len(lines) and (option := _OPTION_LINE.match(lines[index])):
            if option[1] not in _OPTIONS:
                raise CatalogError(
                    f"{where}: unknown option {option[1]!r} (options: {', '.join(_OPTIONS)})"
                )
            settings[option[1]] = option[2]
            index += 1
        # Blank lines around: the HTML block ends before the page's next line.
        out.append("")
        out.append(
            _reference(
                marker[1].split(),
                level=_level(settings.get("heading_level"), level, where),
                imports=[*imports, *settings.get("import", "").split()],
                where=where,
            )
        )
        out.append("")
    return "\n".join(out)


def _reference(modules: list[str], *, level: int, imports: list[str], where: str) -> str:
    # The catalog's gc_paused over reading and rendering: what they build all lives on.
    with gc_paused():
        try:
            import_modules(imports)
            reference = reference_of(read_modules(modules))
        except CatalogError as exc:
            raise CatalogError(f"{where}: {exc}") from None
        return to_markdown(reference, level=level, anchors=True, html_body=True).rstrip("\n")


def _level(text: str | None, default: int, where: str) -> int:
    if text is None:
        return default
    if not text.isdigit() or not 1 <= int(text) <= 6:
        raise CatalogError(f"{where}: heading_level must be 1 to 6, not {text!r}")
    return int(text)
