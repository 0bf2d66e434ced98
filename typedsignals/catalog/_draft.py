"""Write the draft module of ``typedsignals infer``: a payload model and a declaration
per signal found, with what could not be inferred marked ``# TODO``.

The module is written in the layout ``ruff format`` keeps (calls exploded one argument
a line with a trailing comma), imports the classes its annotations name by their
paths, and passes ``ruff check`` and ``mypy --strict`` (the tests run both on it).
"""

from __future__ import annotations

import keyword
import re
import sys
import textwrap
from dataclasses import dataclass, field
from typing import Final

from ._codegen import _field_name, _string
from ._infer import Inference, InferredField, InferredSignal

__all__ = ["draft_module"]

_INDENT: Final = "    "
_WIDTH: Final = 88
"""ruff's default line length, which comments are wrapped to."""
_MAX_SITES: Final = 4
"""How many send sites or receivers a docstring lists before it counts the rest."""
_PATH: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+")
"""A dotted class path inside an annotation's text."""
_FIXED_NAMES: Final = frozenset({"Any", "Field", "Payload", "Signal", "annotations"})


def draft_module(inference: Inference) -> str:
    """The Python source of the draft declarations for what ``infer`` found.

    Example:
        >>> from typedsignals.catalog import InferredField, InferredSignal, Inference
        >>> found = InferredSignal(
        ...     name="saved",
        ...     attribute="saved",
        ...     module="app",
        ...     declared_at="app.py:2",
        ...     python_path="app.saved",
        ...     fields=(InferredField(name="count", annotation="int", required=True),),
        ... )
        >>> print(draft_module(Inference(signals=(found,), files=1)).split("\\n\\n\\n")[1])
        class Saved(Payload):
            \"\"\"Payload of ``saved``.
        <BLANKLINE>
            Declared as ``app.saved`` at app.py:2. Never sent. No receivers.
            \"\"\"
        <BLANKLINE>
            count: int
    """
    return _Draft(inference).module()


@dataclass
class _Names:
    """Short names for the classes the draft imports, and the lines importing them."""

    taken: set[str]
    first_party: frozenset[str]
    short: dict[str, str] = field(default_factory=dict)
    modules: set[str] = field(default_factory=set)
    names: dict[str, set[str]] = field(default_factory=dict)

    def use(self, annotation: str) -> str:
        """The annotation with each dotted class path replaced by the name imported."""
        return _PATH.sub(lambda match: self._name(match.group(0)), annotation)

    def _name(self, path: str) -> str:
        if path in self.short:
            return self.short[path]
        module, _, name = path.rpartition(".")
        if path == "typing.Any":
            self.names.setdefault("typing", set()).add("Any")
            self.short[path] = "Any"
        elif name in self.taken:
            self.modules.add(module)
            self.short[path] = path
        else:
            self.taken.add(name)
            self.names.setdefault(module, set()).add(name)
            self.short[path] = name
        return self.short[path]

    def lines(self) -> list[str]:
        """Import lines in isort's layout: ``__future__``, the standard library, third
        party, then the code base's own modules (ruff counts them first party)."""
        blocks: list[list[str]] = [["from __future__ import annotations"], [], [], []]
        for module in sorted(self.modules):
            self._block(blocks, module).append(f"import {module}")
        for module in sorted(self.names):
            line = f"from {module} import {', '.join(sorted(self.names[module]))}"
            self._block(blocks, module).append(line)
        for block in blocks[1:]:
            # isort puts "import x" lines before "from x import" lines within a block.
            block.sort(key=lambda line: (line.startswith("from "), line.split()[1]))
        out: list[str] = []
        for block in blocks:
            if block:
                out += [*block, ""]
        return out

    def _block(self, blocks: list[list[str]], module: str) -> list[str]:
        top = module.partition(".")[0]
        if top in sys.stdlib_module_names:
            return blocks[1]
        return blocks[3] if top in self.first_party else blocks[2]


class _Draft:
    def __init__(self, inference: Inference) -> None:
        self.inference = inference
        self.classes: dict[int, str] = {}
        self.variables: dict[int, str] = {}
        taken = set(_FIXED_NAMES)
        for index, spec in enumerate(inference.signals):
            self.variables[index] = _unique(_snake(_base_name(spec)), taken)
        for index, spec in enumerate(inference.signals):
            if spec.fields:
                self.classes[index] = _unique(_camel(_base_name(spec)), taken)
        self.names = _Names(taken, inference.packages)

    def module(self) -> str:
        blocks: list[str] = []
        for index, spec in enumerate(self.inference.signals):
            if index in self.classes:
                blocks.append(self._model(spec, self.classes[index]))
            blocks.append(self._declaration(spec, index))
        uses = any("Field(" in block for block in blocks)
        if uses:
            self.names.names.setdefault("pydantic", set()).add("Field")
        core = {"Signal"} | ({"Payload"} if self.classes else set())
        self.names.names.setdefault("typedsignals", set()).update(core)
        head = [*self._docstring(), "", *self.names.lines()]
        pointers = self._pointers()
        if pointers:
            head += [*pointers, ""]
        if not self.inference.signals:
            return "\n".join(head).rstrip("\n") + "\n"
        return "\n".join(head) + "\n\n" + "\n\n\n".join(blocks) + "\n"

    def _docstring(self) -> list[str]:
        count = self.inference.files
        files = f"{count} file" + ("" if count == 1 else "s")
        title = f"Typed signal declarations drafted by ``typedsignals infer`` from {files}."
        lines = [f'"""{title}', ""]
        if self.inference.signals:
            lines += _wrap(
                "Review each TODO: a type that could not be inferred is ``Any``, and a "
                "field that some send sites leave out is optional. Then replace the "
                "blinker signals with these declarations."
            )
        else:
            lines += ["No blinker signal declarations were found."]
        if self.inference.unreadable:
            lines += ["", "These files could not be read, so their signals are missing:", ""]
            lines += [f"* {_safe(line)}" for line in self.inference.unreadable]
        return [*lines, '"""']

    def _pointers(self) -> list[str]:
        if not self.inference.typed_elsewhere:
            return []
        lines = ["# These raw signals already have typed declarations in typedsignals:"]
        lines += [f"#   {raw} -> {typed}" for raw, typed in self.inference.typed_elsewhere]
        return lines

    def _model(self, spec: InferredSignal, name: str) -> str:
        lines = [f"class {name}(Payload):"]
        lines += [f"{_INDENT}{line}" if line else "" for line in self._model_doc(spec)]
        lines.append("")
        taken: set[str] = set()
        for item in spec.fields:
            lines += self._field(item, taken)
        return "\n".join(lines)

    def _model_doc(self, spec: InferredSignal) -> list[str]:
        where = f"as ``{spec.python_path}`` " if spec.python_path else ""
        parts = [f"Declared {where}at {spec.declared_at}."]
        parts.append(_listing("Sent at", spec.sent_at) if spec.sent_at else "Never sent.")
        received = spec.received_by
        parts.append(_listing("Received by", received) if received else "No receivers.")
        text = _safe(" ".join(parts))
        body = textwrap.wrap(text, _WIDTH - 2 * len(_INDENT), break_on_hyphens=False)
        return [f'"""Payload of ``{_safe(spec.name)}``.', "", *body, '"""']

    def _field(self, item: InferredField, taken: set[str]) -> list[str]:
        notes: list[str] = []
        if item.conflict:
            notes.append(f"TODO: conflict: {item.conflict}.")
        if item.annotation is None:
            seen = item.sent_as or tuple(f"read by {r}" for r in item.read_by)
            notes.append(f"TODO: type not inferred ({'; '.join(_few(seen))}).")
        elif item.unsure:
            notes.append(f"TODO: check the type; not inferred from {'; '.join(_few(item.unsure))}.")
        if item.never_sent:
            notes.append("Read by receivers but sent by no send site, so optional.")
        if not keyword.iskeyword(item.name) and not item.name.isidentifier():
            notes.append(f"The key {item.name!r} is not a keyword argument a send can take.")
        annotation = self.names.use(item.annotation or "typing.Any")
        if not item.required and not _has_none(annotation) and item.annotation is not None:
            annotation = f"{annotation} | None"
        python_name = _field_name(item.name)
        while python_name in taken:
            python_name += "_"
        taken.add(python_name)
        options: list[str] = []
        if not item.required:
            options.append("default=None")
        if python_name != item.name:
            options.append(f"alias={_string(item.name)}")
        if python_name != item.name:
            value = f" = Field({', '.join(options)})"
        elif not item.required:
            value = " = None"
        else:
            value = ""
        lines = [f"{_INDENT}# {line}" for note in notes for line in _wrap(note, 2)]
        return [*lines, f"{_INDENT}{python_name}: {annotation}{value}"]

    def _declaration(self, spec: InferredSignal, index: int) -> str:
        notes: list[str] = []
        if spec.sender_note:
            notes.append(f"TODO: {spec.sender_note}.")
        if spec.open_sends:
            notes.append(
                f"TODO: sent with **kwargs at {', '.join(_few(spec.open_sends))}: "
                "fields may be missing."
            )
        if spec.open_receivers:
            notes.append(
                f"TODO: receivers not followed ({', '.join(_few(spec.open_receivers))}): "
                "fields they read may be missing."
            )
        args = [_string(spec.name)]
        if index in self.classes:
            args.append(self.classes[index])
        if spec.sender and spec.sender not in ("object", "None") and "[" not in spec.sender:
            args.append(f"sender={self.names.use(spec.sender)}")
        if spec.doc:
            args.append(f"doc={_string(spec.doc)}")
        lines = [f"# {line}" for note in notes for line in _wrap(note, 0)]
        lines.append(f"{self.variables[index]} = Signal(")
        lines += [f"{_INDENT}{arg}," for arg in args]
        lines.append(")")
        return "\n".join(lines)


def _base_name(spec: InferredSignal) -> str:
    """What the draft's names are made from: the variable holding the signal at module
    level (``user_logged_in`` for ``"logged-in"``), else the signal's name."""
    at_module_level = spec.python_path == f"{spec.module}.{spec.attribute}"
    return spec.attribute if spec.attribute and at_module_level else spec.name


def _listing(label: str, items: tuple[str, ...]) -> str:
    return f"{label} {', '.join(_few(items))}."


def _few(items: tuple[str, ...]) -> list[str]:
    shown = list(items[:_MAX_SITES])
    if len(items) > _MAX_SITES:
        shown.append(f"and {len(items) - _MAX_SITES} more")
    return shown


def _wrap(text: str, indent: int = 0) -> list[str]:
    return textwrap.wrap(text, _WIDTH - indent - 2, break_on_hyphens=False) or [""]


def _has_none(annotation: str) -> bool:
    return "None" in (part.strip() for part in annotation.split("|"))


def _safe(text: str) -> str:
    """Text that can stand inside a triple-quoted docstring."""
    return text.replace("\\", "/").replace('"""', "'''")


def _snake(name: str) -> str:
    text = re.sub(r"\W+", "_", name, flags=re.ASCII).strip("_").lower() or "signal"
    if text[0].isdigit():
        text = f"signal_{text}"
    return text + "_" if keyword.iskeyword(text) else text


def _camel(name: str) -> str:
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", name) if p]
    text = "".join(p[:1].upper() + p[1:] for p in parts) or "Payload"
    return f"Signal{text}" if text[0].isdigit() else text


def _unique(name: str, taken: set[str]) -> str:
    candidate, number = name, 2
    while candidate in taken:
        candidate, number = f"{name}_{number}", number + 1
    taken.add(candidate)
    return candidate
