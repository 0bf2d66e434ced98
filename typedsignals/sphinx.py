"""Sphinx extension: the generated reference of typed signals, with cross-references.

Add it to a project's ``conf.py``::

    extensions = ["typedsignals.sphinx"]

and write, in any page::

    .. autosignals:: myapp.signals
       :import: myapp.audit myapp.mail

    .. autosignal:: myapp.signals.order_placed

``autosignals`` documents the signals a module declares (or a namespace holds, given by
its Python path); ``autosignal`` one signal, given by its Python path, or as
``NAMESPACE_PATH:NAME`` for a signal only a namespace holds. Each signal becomes a
section: its name, Python path, doc, sender type, payload field table and the receivers
connected once the modules are imported (the sender-receiver map; ``:import:`` names
modules imported first, such as those connecting receivers, and the
``typedsignals_import`` setting lists modules for every directive). Each section has an
index entry, and ``:signal:`order-placed``` (or the Python path) links to it; a target
that names no documented signal is a warning, so ``sphinx-build -W`` fails on it.
``:no-index:`` documents without an index entry or link target (for a second listing).

The sections come from the one renderer of the catalog
(:mod:`typedsignals.catalog._render`), which the MkDocs plugin and ``typedsignals docs``
use too: the same payload gives the same field table everywhere.
"""

from __future__ import annotations

import html
import importlib
import importlib.util
import inspect
from collections.abc import Callable, Iterable, Iterator, Set
from types import ModuleType
from typing import Any, ClassVar, Final
from weakref import WeakKeyDictionary

from ._require import missing_extra

try:
    from docutils import nodes  # type: ignore[import-untyped]  # docutils ships no types
    from docutils.parsers.rst import directives  # type: ignore[import-untyped]
    from docutils.statemachine import StringList  # type: ignore[import-untyped]
    from sphinx import addnodes
    from sphinx.application import Sphinx
    from sphinx.domains import Domain, ObjType
    from sphinx.roles import XRefRole
    from sphinx.transforms.post_transforms import SphinxPostTransform
    from sphinx.util import logging
    from sphinx.util.docutils import SphinxDirective
    from sphinx.util.nodes import make_refnode
except ModuleNotFoundError as _exc:
    raise missing_extra(
        _exc, ("sphinx", "docutils"), extra="docs", needed_by=__name__, project="Sphinx"
    ) from None

from . import __version__
from ._namespace import Namespace
from ._signal import Signal
from .catalog._read import gc_paused, import_modules, read_module, read_namespace, spec_of
from .catalog._render import (
    SignalEntry,
    body_html,
    docutils_body,
    docutils_head,
    is_plain,
    markup_runs,
    reference_of,
)
from .catalog._spec import Catalog, CatalogError

__all__ = ["DOMAIN", "SignalDomain", "setup"]

DOMAIN: Final = "typedsignals"
"""The Sphinx domain of documented signals (``:typedsignals:signal:`` is ``:signal:``)."""
IMPORT_SETTING: Final = "typedsignals_import"
"""``conf.py`` setting: modules every directive imports before reading its signals."""
_ENV_VERSION: Final = 1
"""Bumped when the domain's stored data changes shape (Sphinx then rereads every page)."""

_logger = logging.getLogger(__name__)


class SignalDomain(Domain):
    """Where documented signals are recorded, for the ``:signal:`` role and the index.

    ``data["signals"]`` maps a Python path or a signal name to the ``(docname, anchor,
    name)`` entries documenting it: a Python path has one; a name shared by signals of
    several modules has several, and a link by that name is then ambiguous.
    """

    name = DOMAIN
    label = "Typed signals"
    object_types: ClassVar[dict[str, ObjType]] = {"signal": ObjType("signal", "signal")}
    roles: ClassVar[dict[str, Any]] = {
        "signal": XRefRole(innernodeclass=nodes.literal, warn_dangling=True)
    }
    initial_data: ClassVar[dict[str, Any]] = {"signals": {}}
    dangling_warnings: ClassVar[dict[str, str]] = {
        "signal": "no documented signal is called %(target)r (:signal: reference)"
    }

    @property
    def signals(self) -> dict[str, list[tuple[str, str, str]]]:
        """Targets (Python paths and names) to the entries documenting them."""
        found: dict[str, list[tuple[str, str, str]]] = self.data.setdefault("signals", {})
        return found

    def note_signal(self, entry: SignalEntry, docname: str, location: Any) -> None:
        """Record a documented signal; warn when its Python path is documented twice."""
        for target in entry.targets:
            places = self.signals.setdefault(target, [])
            if target != entry.name and places:  # a name may be shared; a Python path not
                _logger.warning(
                    "signal %r (%s) is documented twice, also in %r; "
                    "give one of them the :no-index: option",
                    entry.name,
                    target,
                    places[0][0],
                    location=location,
                    type=DOMAIN,
                    subtype="duplicate",
                )
                continue
            places.append((docname, entry.anchor, entry.name))

    def clear_doc(self, docname: str) -> None:
        """Forget the signals documented in a page that is read again or removed."""
        for target, places in list(self.signals.items()):
            kept = [place for place in places if place[0] != docname]
            if kept:
                self.signals[target] = kept
            else:
                del self.signals[target]

    def merge_domaindata(self, docnames: Set[str], otherdata: dict[str, Any]) -> None:
        """Take in what a parallel reader recorded for ``docnames``."""
        for target, places in otherdata["signals"].items():
            mine = self.signals.setdefault(target, [])
            mine.extend(place for place in places if place[0] in docnames)

    def resolve_xref(
        self,
        env: Any,
        fromdocname: str,
        builder: Any,
        typ: str,
        target: str,
        node: Any,
        contnode: Any,
    ) -> Any:
        """Link ``:signal:`target``` to the signal's section; None when there is none."""
        places = self.signals.get(target, [])
        if len(places) > 1:
            _logger.warning(
                "%r names %d documented signals (%s); link by the Python path instead",
                target,
                len(places),
                ", ".join(sorted(f"{docname}#{anchor}" for docname, anchor, _ in places)),
                location=node,
                type=DOMAIN,
                subtype="ambiguous",
            )
        if not places:
            return None
        docname, anchor, name = places[0]
        return make_refnode(builder, fromdocname, docname, anchor, contnode, f"signal {name}")

    def resolve_any_xref(
        self, env: Any, fromdocname: str, builder: Any, target: str, node: Any, contnode: Any
    ) -> list[tuple[str, Any]]:
        """What an ``:any:`` reference to ``target`` may link to."""
        found = self.resolve_xref(env, fromdocname, builder, "signal", target, node, contnode)
        return [] if found is None else [(f"{DOMAIN}:signal", found)]

    def get_objects(self) -> Iterable[tuple[str, str, str, str, str, int]]:
        """Every documented signal, by Python path (for intersphinx and search)."""
        for target, places in self.signals.items():
            for docname, anchor, name in places:
                if target != name:
                    yield (target, name, "signal", docname, anchor, 1)


class signal_body(nodes.General, nodes.Element):  # type: ignore[misc]  # docutils is untyped
    """A signal's facts and tables: one node holding its :class:`SignalEntry`.

    Its children are the parsed runs of the signal's doc markup that are not plain
    text (one ``inline`` each, in the order of
    :func:`~typedsignals.catalog._render.markup_runs`; plain runs need no parsing).
    HTML builders write it as one fragment (:func:`_visit_body_html`); for every other output format
    :class:`_ExpandBodies` replaces it with docutils tables first. One node instead of a
    hundred per signal keeps a reference of 1,000 signals within its build-time budget
    (see :func:`~typedsignals.catalog._render.body_html`).
    """


def _visit_body_html(translator: Any, node: Any) -> None:
    runs = iter(node.children)

    def markup(text: str) -> str:
        if is_plain(text):
            return html.escape(text, quote=False)
        # The translator writes a child's HTML to its body; take that text back out.
        start = len(translator.body)
        for child in next(runs).children:
            child.walkabout(translator)
        written = "".join(translator.body[start:])
        del translator.body[start:]
        return str(written)

    translator.body.append(body_html(node["entry"], markup=markup))
    raise nodes.SkipNode


class _ExpandBodies(SphinxPostTransform):
    """For output formats other than HTML: each :class:`signal_body` as docutils nodes."""

    default_priority = 200

    def is_supported(self) -> bool:
        return _FORMATS.get(self.env) != "html"

    def run(self, **kwargs: Any) -> None:
        for node in list(self.document.findall(signal_body)):
            runs = iter(node.children)

            def parse_inline(text: str, runs: Iterator[Any] = runs) -> list[Any]:
                return [nodes.Text(text)] if is_plain(text) else list(next(runs).children)

            node.replace_self(docutils_body(node["entry"], parse_inline=parse_inline))


_FORMATS: WeakKeyDictionary[Any, str] = WeakKeyDictionary()
"""The output format of the builder working on each build environment (``html``,
``latex``...), noted when the builder starts: transforms reach the environment on every
Sphinx version, and the builder only through APIs that differ between them."""


def _note_format(app: Sphinx) -> None:
    _FORMATS[app.env] = app.builder.format


class _SignalRole(XRefRole):
    """The bare ``:signal:`` role: the domain's role under a name without its prefix."""

    def run(self) -> tuple[list[Any], list[Any]]:
        self.name = f"{DOMAIN}:signal"
        return super().run()


class _SignalsDirective(SphinxDirective):
    """What ``autosignals`` and ``autosignal`` share: options, import, render, record."""

    required_arguments = 1
    has_content = False
    option_spec: ClassVar[dict[str, Callable[[str], Any]] | None] = {
        "import": directives.unchanged,
        "no-index": directives.flag,
        "noindex": directives.flag,  # the spelling before Sphinx 7.2
    }

    def read(self, target: str) -> Catalog:
        """The catalog the directive documents (hook of each directive)."""
        raise NotImplementedError

    def run(self) -> list[Any]:
        # Reading a large module builds its payloads' schemas and then thousands of
        # nodes, objects that all live on: the collector's passes over them are wasted
        # (the catalog's gc_paused, as for the command line).
        with gc_paused():
            return self._sections()

    def _sections(self) -> list[Any]:
        target = self.arguments[0]
        extra = [*self.config[IMPORT_SETTING], *self.options.get("import", "").split()]
        try:
            for module in import_modules(extra):
                self._depend_on(module)
            catalog = self.read(target)
        except CatalogError as exc:
            _logger.warning(
                "%s %s: %s", self.name, target, exc, location=self.get_location(), type=DOMAIN
            )
            return []
        no_index = "no-index" in self.options or "noindex" in self.options
        domain = self.env.get_domain(DOMAIN)
        assert isinstance(domain, SignalDomain)  # registered by setup()
        sections: list[Any] = []
        for entry in reference_of(catalog).entries:
            section = docutils_head(entry, parse_block=self._block)
            body = signal_body(entry=entry)
            body.extend(
                nodes.inline("", "", *self._inline(run))
                for run in markup_runs(entry)
                if not is_plain(run)
            )
            section += body
            if entry.anchor in self.state.document.ids:  # the same signal twice in a page
                section["ids"] = []
            self.state.document.set_id(section)
            if not no_index:
                index = addnodes.index(
                    entries=[("single", f"{entry.name} (signal)", section["ids"][0], "", None)]
                )
                section.insert(1, index)  # after the title, which comes first
                domain.note_signal(entry, self.env.docname, self.get_location())
            sections.append(section)
        return sections

    def _block(self, text: str) -> list[Any]:
        if is_plain(text):  # what parsing would give, without its cost
            return [nodes.paragraph(text, text)]
        holder = nodes.Element()
        lines = StringList(inspect.cleandoc(text).splitlines(), source=self.get_source_info()[0])
        self.state.nested_parse(lines, self.content_offset, holder)
        return list(holder.children)

    def _inline(self, text: str) -> list[Any]:
        found, messages = self.state.inline_text(text, self.lineno)
        return [*found, *messages]

    def _depend_on(self, module: ModuleType) -> None:
        """Reread the page when a module it reads changes."""
        path = getattr(module, "__file__", None)
        if isinstance(path, str):
            self.env.note_dependency(path)


class AutoSignals(_SignalsDirective):
    """``.. autosignals:: MODULE_OR_NAMESPACE``: every signal of a module or namespace."""

    def read(self, target: str) -> Catalog:
        found = _resolve(target)
        if isinstance(found, ModuleType):
            self._depend_on(found)
            return read_module(found)
        if isinstance(found, Namespace):
            return read_namespace(found)
        raise CatalogError(
            f"{target!r} is neither a module nor a Namespace (for one signal, use autosignal)"
        )


class AutoSignal(_SignalsDirective):
    """``.. autosignal:: PATH`` (or ``NAMESPACE_PATH:NAME``): one signal."""

    def read(self, target: str) -> Catalog:
        path, colon, name = target.partition(":")
        found = _resolve(path)
        if colon:
            if not isinstance(found, Namespace):
                raise CatalogError(f"{path!r} is not a Namespace (in {target!r})")
            if name not in found:
                raise CatalogError(f"namespace {path!r} has no signal {name!r}")
            return Catalog(signals=(spec_of(found[name], namespace=found.name or None),))
        if not isinstance(found, Signal):
            raise CatalogError(f"{target!r} is not a signal (for a module, use autosignals)")
        return Catalog(signals=(spec_of(found),))


def _resolve(path: str) -> object:
    """The object at a dotted path: a module, then attributes (or a package's submodules).

    Raises:
        CatalogError: A module on the way cannot be imported, or nothing is found
            there; the message names the path and the cause.
    """
    head, *rest = path.split(".")
    found: object = import_modules([head])[0]
    for index, part in enumerate(rest, start=2):
        if hasattr(found, part):
            found = getattr(found, part)
            continue
        name = ".".join(path.split(".")[:index])
        if hasattr(found, "__path__") and importlib.util.find_spec(name) is not None:
            found = import_modules([name])[0]
            continue
        raise CatalogError(f"cannot find {path!r}: nothing is called {name!r}")
    return found


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the domain, the directives, the ``:signal:`` role and the setting."""
    app.add_config_value(IMPORT_SETTING, [], "env", types=[list, tuple])
    app.add_domain(SignalDomain)
    app.add_node(signal_body, html=(_visit_body_html, None))
    app.add_post_transform(_ExpandBodies)
    app.connect("builder-inited", _note_format)
    app.add_directive("autosignals", AutoSignals)
    app.add_directive("autosignal", AutoSignal)
    app.add_role("signal", _SignalRole(innernodeclass=nodes.literal, warn_dangling=True))
    return {
        "version": __version__,
        "env_version": _ENV_VERSION,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
