"""Stubs that type raw blinker signals by the payload of their typed declarations.

A :class:`~typedsignals.flask.BridgedSignal` declares, field by field, the keyword
arguments its raw blinker signal is sent with. From those specs this module writes a
``.pyi`` for the raw signals' module (``flask.signals``) in which each signal has a
class of its own: ``connect``, ``connect_via`` and ``connected_to`` take a receiver
callable as ``receiver(sender, **fields)`` (a protocol spelling out every field), and
``send`` / ``send_async`` take the fields as keyword arguments. Installed as a partial
stub package (PEP 561), it lets mypy and pyright check kwargs-style receivers such as
``def on_render(sender, template, context, **extra)`` with no plugin.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any, Final

from .._signal import Signal
from ._read import import_modules, spec_of
from ._spec import CatalogError, SignalSpec
from ._stubgen_typed import own_signals, typed_stubs
from ._stubtext import INDENT as _INDENT
from ._stubtext import STUB_HEADER, camel, docstring
from ._stubtext import define as _define

__all__ = ["STUB_HEADER", "raw_signal_stub", "raw_stubs", "stubs"]

_DOTTED: Final = re.compile(r"\b([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)\b")
_TYPING_NAMES: Final = ("Any", "Literal")


def raw_signal_stub(
    specs: Sequence[SignalSpec],
    *,
    sources: Sequence[str],
    untyped: Sequence[str] = (),
) -> str:
    """The ``.pyi`` source typing one module's raw signals.

    Args:
        specs: The specs of the bridged declarations mirroring the module's signals,
            each with ``attribute`` naming the raw signal's attribute in that module.
        sources: The modules the specs were read from (for the header).
        untyped: Other public raw signals of the module, typed as plain
            ``NamedSignal`` (so the stub stays complete).

    Raises:
        CatalogError: A spec has no attribute name.
    """
    imports: set[str] = set()  # the modules of the dotted names in annotations
    typing_names: set[str] = {"Any", "Protocol", "TypeVar", "type_check_only"}
    blocks: list[str] = []
    for spec in sorted(specs, key=lambda s: s.attribute or ""):
        if not spec.attribute:
            raise CatalogError(f"signal {spec.name!r}: no module attribute to write a stub for")
        blocks.append(_signal_block(spec, imports, typing_names))
    typing_names.add("TypeAlias")
    lines = [
        STUB_HEADER.format(sources=", ".join(sources)),
        "",
        "from collections.abc import Callable, Coroutine, Iterator",
        "from contextlib import contextmanager",
        f"from typing import {', '.join(sorted(typing_names))}",
        "",
        *(f"import {module}" for module in sorted(imports)),
        "from blinker import NamedSignal",
        "",
        "_AsyncWrapper: TypeAlias = Callable[",
        f"{_INDENT}[Callable[..., Coroutine[Any, Any, Any]]],",
        f"{_INDENT}Callable[..., Any],",
        "]",
        "_SyncWrapper: TypeAlias = Callable[",
        f"{_INDENT}[Callable[..., Any]],",
        f"{_INDENT}Callable[..., Coroutine[Any, Any, Any]],",
        "]",
        "",
    ]
    body = "\n\n".join(blocks)
    plain = "".join(f"\n{name}: NamedSignal" for name in sorted(untyped))
    return "\n".join(lines) + "\n" + body + "\n" + plain + ("\n" if plain else "")


def _signal_block(spec: SignalSpec, imports: set[str], typing_names: set[str]) -> str:
    base = camel(spec.attribute or spec.name)
    receiver, bound, cls = f"_{base}Receiver", f"_{base}R", f"_{base}Signal"
    sender = _annotation(spec.sender.path, imports, typing_names)
    fields = [
        (field, _annotation(field.annotation, imports, typing_names)) for field in spec.fields
    ]
    keywords = [f"{f.name}: {text}" for f, text in fields]
    sends = [f"{f.name}: {text}" + ("" if f.required else " = ...") for f, text in fields]
    # Every signature is exploded with a trailing comma: the layout ruff format keeps,
    # whatever the length of the names.
    lines = [
        "@type_check_only",
        f"class {receiver}(Protocol):",
        *_define(
            "__call__",
            ["self", f"sender: {sender}", "/", *(["*"] if keywords else []), *keywords],
            "Any",
        ),
        "",
        f'{bound} = TypeVar("{bound}", bound={receiver})',
        "",
        "# send and send_async take the fields, not any keyword: narrower than blinker's.",
        "@type_check_only",
        f"class {cls}(NamedSignal):",
    ]
    if spec.doc:
        lines += [*docstring(spec.doc), ""]
    lines += _define(
        "connect",
        ["self", f"receiver: {bound}", "sender: Any = ...", "weak: bool = ..."],
        bound,
    )
    lines += _define(
        "connect_via",
        ["self", "sender: Any", "weak: bool = ..."],
        f"Callable[[{bound}], {bound}]",
    )
    lines.append(f"{_INDENT}@contextmanager")
    lines += _define(
        "connected_to",
        ["self", f"receiver: {receiver}", "sender: Any = ..."],
        "Iterator[None]",
    )
    lines += _define(
        "send",
        [
            "self",
            "sender: Any | None = ...",
            "/",
            "*",
            "_async_wrapper: _AsyncWrapper | None = ...",
            *sends,
        ],
        "list[tuple[Callable[..., Any], Any]]",
        pragma=_IGNORE,
    )
    lines += _define(
        "send_async",
        [
            "self",
            "sender: Any | None = ...",
            "/",
            "*",
            "_sync_wrapper: _SyncWrapper | None = ...",
            *sends,
        ],
        "list[tuple[Callable[..., Any], Any]]",
        pragma=_IGNORE,
        prefix="async ",
    )
    lines += ["", f"{spec.attribute}: {cls}"]
    return "\n".join(lines)


_IGNORE: Final = "  # type: ignore[override]"


def _annotation(text: str, imports: set[str], typing_names: set[str]) -> str:
    """An annotation's text with the modules of its dotted names imported."""
    if text == "object":
        return "Any"
    for dotted in _DOTTED.findall(text):
        imports.add(dotted.rpartition(".")[0])
    for name in _TYPING_NAMES:
        if re.search(rf"(?<![\w.]){name}\b", text):
            typing_names.add(name)
    return text


def stubs(modules: Sequence[str]) -> dict[str, str]:
    """The stubs ``typedsignals stubgen`` writes for the given modules.

    A module's bridged declarations (:class:`~typedsignals.flask.BridgedSignal`) give
    the stub of the raw blinker module they mirror (``flask.signals`` for
    ``typedsignals.flask``): that is what the code still using the raw signals needs.
    A module declaring typed signals of its own gets its own typed stub, every signal
    spelled out field by field (bridged ones included, they are typed signals too; see
    :func:`~typedsignals.catalog._stubgen_typed.typed_stubs`). A module with both kinds
    gets both stubs, unless the raw signals live in that same module: its typed stub is
    then the one written, with the raw signals typed as blinker's ``NamedSignal``.

    Returns:
        The ``.pyi`` source of each stub keyed by its dotted path: the module's name,
        with ``.__init__`` appended for a package (``{"flask.signals": "...",
        "myapp.events.__init__": "..."}``), in sorted order.

    Raises:
        CatalogError: A module cannot be imported, or declares no typed signal.
    """
    imported = import_modules(modules)
    bridged: list[tuple[Signal[Any, ..., Any], object]] = []
    written: dict[str, str] = {}
    for module in imported:
        found = [
            (value, raw)
            for value in vars(module).values()
            if isinstance(value, Signal)
            and value.module == module.__name__
            and (raw := getattr(value, "raw", None)) is not None
        ]
        bridged += found
        if own_signals(module, bridged={id(signal) for signal, _ in found}):
            written.update(typed_stubs(module, sources=list(modules)))
        elif not found:
            raise CatalogError(f"module {module.__name__!r} declares no typed signal")
    if bridged:
        for key, source in _raw_stubs(bridged, modules).items():
            # Raw signals declared next to their typed bridges: the module's typed stub
            # is the one written (it types them as blinker's NamedSignal).
            if key not in written and f"{key}.__init__" not in written:
                written[key] = source
    return dict(sorted(written.items()))


raw_stubs = stubs
"""The name the command line calls :func:`stubs` by (cli.py is not this module's)."""


def _raw_stubs(
    bridged: list[tuple[Signal[Any, ..., Any], object]], modules: Sequence[str]
) -> dict[str, str]:
    """The stubs of the raw modules whose signals the bridged declarations mirror."""
    holders = {id(raw): _holders(raw) for _, raw in bridged}
    # A raw signal is also held by the modules that import it (flask.templating holds
    # two of flask.signals' signals): its home is the module holding most of them.
    held: dict[str, int] = {}
    for found_in in holders.values():
        for name, _ in found_in:
            held[name] = held.get(name, 0) + 1
    by_module: dict[str, list[SignalSpec]] = {}
    raws: dict[str, set[int]] = {}
    for signal, raw in bridged:
        home, attribute = max(holders[id(raw)], key=lambda h: (held[h[0]], h[0].count(".")))
        spec = spec_of(signal).model_copy(update={"attribute": attribute})
        by_module.setdefault(home, []).append(spec)
        raws.setdefault(home, set()).add(id(raw))
    return {
        home: raw_signal_stub(
            specs, sources=list(modules), untyped=_other_signals(sys.modules[home], raws[home])
        )
        for home, specs in sorted(by_module.items())
    }


def _holders(raw: object) -> list[tuple[str, str]]:
    """Every ``(module, attribute)`` holding a raw signal under a public name."""
    holders = [
        (name, attribute)
        for name, module in list(sys.modules.items())
        for attribute, value in list(getattr(module, "__dict__", {}).items())
        if value is raw and not attribute.startswith("_")
    ]
    if not holders:
        raise CatalogError(f"raw signal {raw!r} is no module attribute")
    return holders


def _other_signals(module: ModuleType, typed: set[int]) -> list[str]:
    """Public blinker signals of ``module`` that no declaration types."""
    names: list[str] = []
    for attribute, value in vars(module).items():
        if attribute.startswith("_") or id(value) in typed:
            continue
        if _is_blinker_signal(value):
            names.append(attribute)
    return names


def _is_blinker_signal(value: Any) -> bool:
    return any(
        cls.__module__ == "blinker.base" and cls.__name__ == "Signal" for cls in type(value).__mro__
    )
