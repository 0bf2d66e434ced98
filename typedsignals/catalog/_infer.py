"""Read a blinker/Flask code base, by its syntax tree only, into drafts of typed signals.

``typedsignals infer`` parses every Python file under the given paths (nothing is
imported or run) and finds:

* the declarations: ``signal("x")`` and ``Namespace().signal("x")`` from blinker or
  ``flask.signals`` under any import alias, ``ns.signal("x")`` for a namespace held in
  a variable (of this module or imported), ``NamedSignal("x")`` and ``Signal()``;
* their send sites, ``sig.send(sender, k=v)`` (and ``send_async``), reached through
  the declaring variable, an import of it under any name, a module attribute
  (``signals.sig.send``) or the name itself (``signal("x").send``);
* their receivers: ``@sig.connect``, ``@sig.connect_via(sender)``, ``sig.connect(f)``
  and ``sig.connected_to(f)``, with the fields each reads: named parameters after the
  sender, and ``kw["k"]`` / ``kw.get("k")`` on the ``**kw`` parameter.

Each signal becomes an :class:`InferredSignal` whose fields carry the type that could
be inferred (a literal's type, the annotation of a receiver's parameter, of a variable
or of a function's return, the class a value is built from) or none, whether every send
site passes them, and the conflicts met (a keyword sent as an ``int`` here and a ``str``
there). :mod:`._draft` writes the draft module from them.

Types are kept as text whose class names are dotted import paths (``flask.Flask``,
``list[myapp.models.User]``); builtins are bare, and ``typing.Any`` stands for unknown.
"""

from __future__ import annotations

import ast
import inspect
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from ._infer_scan import TYPED_ELSEWHERE, Analysis, Decl, Module
from ._spec import CatalogError

__all__ = ["TYPED_ELSEWHERE", "Inference", "InferredField", "InferredSignal", "infer_paths"]

_SKIPPED_DIRS: Final = frozenset(
    {"__pycache__", "node_modules", "build", "dist", "venv", "site-packages"}
)
"""Folders a walk does not enter (besides hidden ones): caches, builds, environments."""


@dataclass(frozen=True)
class InferredField:
    """One keyword argument of a signal, as the code base sends or reads it."""

    name: str
    annotation: str | None
    """The inferred type (class names as dotted paths), or None when none was found."""
    required: bool
    """Whether every send site passes it (when nothing sends the signal: whether a
    receiver needs it)."""
    sent_as: tuple[str, ...] = ()
    """What the send sites pass, as ``expression at file:line``."""
    read_by: tuple[str, ...] = ()
    """The receivers that read it (``name at file:line``)."""
    unsure: tuple[str, ...] = ()
    """Send sites (``expression at file:line``) whose value's type is unknown while
    other sites tell it: the annotation may be too narrow."""
    conflict: str | None = None
    """Why the inferred types disagree, when they do."""
    never_sent: bool = False
    """Read by a receiver but passed by no send site although the signal is sent."""


@dataclass(frozen=True)
class InferredSignal:
    """A signal of the code base: its declaration, send sites and receivers."""

    name: str
    """The signal's name (for an anonymous ``Signal()``, its variable's)."""
    attribute: str | None
    """The variable that holds it, when it is declared as one."""
    module: str
    """The module that declares it."""
    declared_at: str
    """``file:line`` of the declaration."""
    doc: str = ""
    python_path: str | None = None
    """Where code imports it from (``shop.signals.placed``, ``shop.signals.Cart.placed``),
    when it is held by a module or class attribute."""
    sender: str | None = None
    """The sender type every send site (and ``connect_via``) agrees on, or None."""
    sender_note: str | None = None
    """Why no sender type was inferred, when senders were seen."""
    fields: tuple[InferredField, ...] = ()
    sent_at: tuple[str, ...] = ()
    received_by: tuple[str, ...] = ()
    open_sends: tuple[str, ...] = ()
    """Send sites passing ``**kwargs``: their fields are unknown."""
    open_receivers: tuple[str, ...] = ()
    """Receivers whose ``**kwargs`` is read in ways infer cannot follow."""


@dataclass(frozen=True)
class Inference:
    """What ``infer`` found under some paths."""

    signals: tuple[InferredSignal, ...]
    unreadable: tuple[str, ...] = ()
    """One message per file that could not be parsed (its name and the error)."""
    typed_elsewhere: tuple[tuple[str, str], ...] = ()
    """Raw signals used here that typedsignals already declares: (raw path, typed path)."""
    files: int = 0
    """How many files were found."""
    packages: frozenset[str] = frozenset()
    """The top-level names of the modules read (first-party code, for sorting imports)."""

    @property
    def conflicts(self) -> tuple[str, ...]:
        """One line per field whose inferred types disagree, naming signal and field."""
        return tuple(
            f"signal {s.name!r}: field {f.name!r}: {f.conflict}"
            for s in self.signals
            for f in s.fields
            if f.conflict is not None
        )


def infer_paths(paths: Sequence[str | os.PathLike[str]]) -> Inference:
    """Find the blinker signals declared, sent and received in the files under ``paths``.

    Args:
        paths: Python files, or folders searched for ``*.py`` files (hidden folders,
            caches and virtual environments skipped).

    Raises:
        CatalogError: A path does not exist, or no file under the paths could be read
            (the message names the path or the file and the problem). A file that
            cannot be parsed among others that can is listed in
            :attr:`Inference.unreadable` instead.

    Example:
        >>> import pathlib, tempfile
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (folder / "app.py").write_text(
        ...     "from blinker import signal\\n"
        ...     "saved = signal('saved')\\n"
        ...     "saved.send(None, count=3)\\n"
        ... )
        >>> spec = infer_paths([folder]).signals[0]
        >>> spec.name, [(f.name, f.annotation, f.required) for f in spec.fields]
        ('saved', [('count', 'int', True)])
    """
    files = list(_python_files(paths))
    modules: list[Module] = []
    unreadable: list[str] = []
    for path, shown in files:
        try:
            tree = ast.parse(path.read_bytes(), filename=shown)
        except SyntaxError as exc:
            unreadable.append(f"{shown}:{exc.lineno or 0}: cannot parse the file: {exc.msg}")
            continue
        except (OSError, ValueError) as exc:
            unreadable.append(f"{shown}: cannot parse the file: {exc}")
            continue
        modules.append(Module(_module_name(path), shown, tree))
    if not modules and unreadable:
        raise CatalogError(unreadable[0] if len(unreadable) == 1 else "; ".join(unreadable))
    return _inference(modules, unreadable, len(files))


def _python_files(paths: Sequence[str | os.PathLike[str]]) -> Iterator[tuple[Path, str]]:
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = []
            for folder, dirs, names in os.walk(path):
                dirs[:] = sorted(
                    d for d in dirs if not d.startswith(".") and d not in _SKIPPED_DIRS
                )
                found += [Path(folder) / n for n in names if n.endswith(".py")]
            for file in sorted(found):
                yield file, _shown(file)
        elif path.is_file():
            yield path, _shown(path)
        else:
            raise CatalogError(f"{raw}: no such file or folder")


def _shown(path: Path) -> str:
    """The file's name as messages and comments show it: relative to the working
    directory when it is below it (stable across machines), else as given."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _module_name(path: Path) -> str:
    """The dotted module name of a file, its package found by ``__init__.py`` files."""
    parts = [] if path.stem == "__init__" else [path.stem]
    folder = path.resolve().parent
    while (folder / "__init__.py").exists():
        parts.insert(0, folder.name)
        folder = folder.parent
    return ".".join(parts) or path.parent.name


def _inference(modules: list[Module], unreadable: list[str], files: int) -> Inference:
    decls, elsewhere = Analysis(modules).run()
    return Inference(
        signals=tuple(_signal(decl) for decl in decls),
        unreadable=tuple(unreadable),
        typed_elsewhere=tuple(sorted(elsewhere.items())),
        files=files,
        packages=frozenset(m.name.partition(".")[0] for m in modules),
    )


def _signal(decl: Decl) -> InferredSignal:
    names: list[str] = []
    for send in decl.sends:
        names += [k for k in send.kwargs if k not in names]
    for receiver in decl.receivers:
        names += [k for k in receiver.reads if k not in names]
    fields = tuple(_field(name, decl) for name in names)
    sender, note = _sender_of(decl)
    return InferredSignal(
        name=decl.name,
        attribute=decl.attribute,
        module=decl.module,
        declared_at=decl.site,
        doc=inspect.cleandoc(decl.doc) if decl.doc else "",
        python_path=decl.path,
        sender=sender,
        sender_note=note,
        fields=fields,
        sent_at=tuple(s.site for s in decl.sends),
        received_by=tuple(r.label for r in decl.receivers),
        open_sends=tuple(s.site for s in decl.sends if s.star),
        open_receivers=tuple(r.label for r in decl.receivers if r.opaque),
    )


def _field(name: str, decl: Decl) -> InferredField:
    sent = [(s.kwargs[name], s.site) for s in decl.sends if name in s.kwargs]
    read = [(r.reads[name], r.label) for r in decl.receivers if name in r.reads]
    observed = _dedupe(t for (t, _), _ in sent if t is not None)
    declared = _dedupe(t for (t, _), _ in read if t is not None)
    conflict = None
    unsure: tuple[str, ...] = ()
    annotation: str | None
    if len(declared) > 1:
        conflict = f"receivers annotate it as {' and '.join(declared)}"
        annotation = " | ".join(declared)
    elif declared:
        annotation = declared[0]
        misfits = [t for t in observed if not _fits(t, annotation)]
        if misfits:
            conflict = (
                f"receivers annotate it as {annotation} but it is sent as {' and '.join(misfits)}"
            )
            annotation = " | ".join(_dedupe([annotation, *misfits]))
    else:
        annotation = _merge(observed)
        plain = [t for t in observed if t != "None"]
        if len(set(plain) - ({"int"} if "float" in plain else set())) > 1:
            where = ", ".join(f"{t} at {site}" for (t, _), site in sent if t and t != "None")
            conflict = f"sent with different types: {where}"
        if annotation not in (None, "None"):
            unsure = tuple(f"{text} at {site}" for (t, text), site in sent if t is None)
    if annotation == "None":
        annotation = None
    # A field some site does not pass is optional; at a site passing **kwargs it may be
    # in them, or not: only a field passed by name everywhere is known to be required.
    if decl.sends:
        required = all(name in s.kwargs for s in decl.sends)
    else:  # nothing sends it: what the receivers need tells
        required = any(needed for (_, needed), _ in read)
    return InferredField(
        name=name,
        annotation=annotation,
        required=required,
        sent_as=tuple(f"{text} at {site}" for (_, text), site in sent),
        read_by=tuple(label for _, label in read),
        unsure=unsure,
        conflict=conflict,
        never_sent=bool(decl.sends) and not sent and not any(s.star for s in decl.sends),
    )


# -- helpers -----------------------------------------------------------------------------


def _sender_of(decl: Decl) -> tuple[str | None, str | None]:
    seen = [(s.sender, s.site) for s in decl.sends]
    seen += [(r.sender, r.site) for r in decl.receivers if r.sender is not None]
    kinds = _dedupe(t for (t, _), _ in seen if t not in (None, "None"))
    unknown = [f"{text} at {site}" for (t, text), site in seen if t is None]
    if unknown:
        return None, f"sender type not inferred ({', '.join(unknown[:3])})"
    if len(kinds) > 1:
        return None, f"senders of different types: {', '.join(kinds)}"
    return (kinds[0] if kinds else None), None


def _fits(observed: str, annotation: str) -> bool:
    members = {m.strip() for m in annotation.split("|")}
    if observed in members or "typing.Any" in members or "object" in members:
        return True
    if observed == "int" and "float" in members:
        return True
    return observed.partition("[")[0] in members


def _merge(observed: list[str]) -> str | None:
    if not observed:
        return None
    plain = [t for t in observed if t != "None"]
    if "float" in plain and "int" in plain:
        plain = [t for t in plain if t != "int"]
    if not plain:
        return "None"
    text = " | ".join(plain)
    return f"{text} | None" if "None" in observed else text


def _dedupe(items: Iterator[str] | list[str]) -> list[str]:
    return list(dict.fromkeys(items))
