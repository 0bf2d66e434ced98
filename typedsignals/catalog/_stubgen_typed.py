"""Stubs of modules declaring typed signals, with every signal spelled out field by field.

``Signal[S, P, M]`` takes the keyword parameters of ``send`` from the payload model's
constructor (a ParamSpec). Tools that do not resolve a ParamSpec taken from a model (some
editors, older checkers) see ``send(sender, *args, **kwargs)``. The stub this module
writes gives each signal a class of its own, a subclass of the signal's class, in which
``send``, ``send_async`` and ``validate`` take the payload's fields as keyword
parameters (typed, with ``= ...`` where the field has a default), ``send_payload`` and
``send_async_payload`` the model, and ``connect`` / ``connect_via`` a receiver typed by
a protocol of its own (``receiver(sender, payload)``).

The rest of the module is written as precisely as the runtime tells: payload models with
their fields and an explicit keyword ``__init__``, enums with their members, other
classes with their annotated attributes and methods, functions with their signatures
(``typing.get_type_hints``; ``Any`` where an annotation is missing or cannot be
resolved), other values by their class. Names a facade re-exports (in ``__all__``) from
another module are re-exported from the module that defines them, except payload models
and enums, which are written in place so that their fields show.

The JSON Schema of the payloads is never generated: a stub needs the Python types, which
the catalog only carries as text, and not the schema, whose generation is most of the
cost of reading a catalog.
"""

from __future__ import annotations

import enum
import functools
import importlib.util
import inspect
import sys
import types
import typing
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, Final

from pydantic import BaseModel
from typing_extensions import TypeIs

from .._signal import Signal
from ._spec import CatalogError
from ._stubtext import INDENT, STUB_HEADER, camel, define, docstring

__all__ = ["SIGNALS_PER_FILE", "own_signals", "typed_stub", "typed_stubs"]

SIGNALS_PER_FILE: Final = 250
"""The most signals one stub file spells out (see :func:`typed_stubs`)."""
_PART: Final = "_signals_{}"

_OVERRIDE: Final = "  # pyright: ignore[reportIncompatibleMethodOverride]"
"""connect_via returns a plain decorator, narrower than the base's overloaded protocol
(pyright says so; mypy accepts it, and its unused-ignore check refuses a type: ignore)."""
_FROM_IMPORTED: Final = frozenset({"typing", "typing_extensions", "collections.abc"})
"""Modules whose names a stub imports bare (``Any``, ``Callable``), as annotations show them."""
_TYPING_MODULES: Final = ("typing", "typing_extensions")
_LITERAL_TYPES: Final = (bool, int, float, str, bytes)
_MISSING: Final = object()
_POLICY: Final = 'Literal["raise", "collect", "log"] | None'


def typed_stubs(
    module: str | ModuleType,
    *,
    sources: Sequence[str] | None = None,
    per_file: int = SIGNALS_PER_FILE,
) -> dict[str, str]:
    """The ``.pyi`` sources typing a module that declares typed signals.

    One stub, keyed by the module's name, when the module declares at most ``per_file``
    signals. Beyond that, the classes spelling out the signals go to private stubs of
    ``per_file`` signals each (``module._signals_0``, ``module._signals_1``...) and the
    module's own stub becomes the ``__init__`` of a stub package that imports them:
    pyright refuses to analyse a module scope past a fixed size (about 30,000 nodes of
    its code-flow graph, class bodies included), which one stub of 1,000 signals spelled
    out exceeds while the module itself does not.

    Args:
        module: The module, or its dotted name (imported if needed).
        sources: The modules named in the header; by default ``module`` itself.
        per_file: The most signals one stub file spells out.

    Returns:
        ``{dotted path: source}``: ``{"app.events": ...}`` or ``{"app.events.__init__":
        ..., "app.events._signals_0": ...}`` (the key of a package's own stub ends in
        ``.__init__``, as that of a module that is a package at runtime does).

    Raises:
        CatalogError: The module cannot be imported, or declares no typed signal.
    """
    if isinstance(module, str):
        from ._read import import_modules

        (module,) = import_modules([module])
    writer = _Writer(module)
    if not writer.signals:
        raise CatalogError(f"module {module.__name__!r} declares no typed signal")
    shown = list(sources or [module.__name__])
    chunks = [writer.signals[i : i + per_file] for i in range(0, len(writer.signals), per_file)]
    if len(chunks) == 1 and not hasattr(module, "__path__"):
        return {module.__name__: writer.render(shown)}
    if len(chunks) == 1:
        return {f"{module.__name__}.__init__": writer.render(shown)}
    written: dict[str, str] = {}
    for number, names in enumerate(chunks):
        part = f"{module.__name__}.{_PART.format(number)}"
        written[part] = writer.render_signals(names, shown)
        for name in names:
            writer.elsewhere[name] = part
    written[f"{module.__name__}.__init__"] = writer.render(shown)
    return dict(sorted(written.items()))


def typed_stub(module: str | ModuleType, *, sources: Sequence[str] | None = None) -> str:
    """The one ``.pyi`` source typing a module, however many signals it declares.

    Raises:
        CatalogError: The module cannot be imported, or declares no typed signal.
    """
    (source,) = typed_stubs(module, sources=sources, per_file=sys.maxsize).values()
    return source


def own_signals(module: ModuleType, *, bridged: Collection[int] = ()) -> list[str]:
    """The attributes holding the typed signals a module's stub writes, less ``bridged``.

    Args:
        module: The module.
        bridged: The ids of signals to leave out (the module's bridged declarations).
    """
    entries, exported = _public(module)
    return [
        name
        for name in _typed_signals(module, entries, exported)
        if id(getattr(module, name)) not in bridged
    ]


def _public(module: ModuleType) -> tuple[list[tuple[str, Any]], set[str]]:
    """A module's public names and values (``__all__``'s, in its order), and ``__all__``."""
    public = getattr(module, "__all__", None)
    names = list(public) if public is not None else list(vars(module))
    entries = [
        (name, getattr(module, name))
        for name in names
        if not name.startswith("_") and hasattr(module, name)
    ]
    return entries, set(public) if public is not None else set()


def _typed_signals(
    module: ModuleType, entries: list[tuple[str, Any]], exported: set[str]
) -> list[str]:
    """The names of the signals the module declares or exports."""
    return [
        name
        for name, value in entries
        if isinstance(value, Signal) and (value.module == module.__name__ or name in exported)
    ]


class _Writer:
    """Collects a module's public names, then writes them with the imports they need."""

    def __init__(self, module: ModuleType) -> None:
        self.module = module
        self.name = module.__name__
        self.imports: set[str] = set()  # `import x.y`
        self.bare: dict[str, set[str]] = {}  # `from typing import Any`
        self.local: dict[int, str] = {}  # objects written in this stub -> their name
        self.elsewhere: dict[str, str] = {}  # signal attribute -> the part stub typing it
        self.qualify = False  # in a part stub: the module's own names are qualified
        self.entries, self.exported = _public(module)
        self.signals = _typed_signals(module, self.entries, self.exported)
        self.defined: set[str] = set()  # the class names the stub defines or re-exports
        for name, value in self.entries:
            if not isinstance(value, type):
                continue
            if self._written_here(name, value):
                self.local.setdefault(id(value), name)
                self.defined.add(name)
            elif name in self.exported:
                self.defined.add(name)

    # -- what goes where ------------------------------------------------------------

    def home_of(self, value: object, name: str) -> str:
        """The module a stub imports ``value`` from: where it is defined.

        ``__module__`` is the answer, except for a facade that sets it to its own name
        on what it re-exports: a function's code names its file, and a class is looked
        up in the facade's submodules.
        """
        declared = getattr(value, "__module__", None)
        if not isinstance(declared, str):
            return self.name
        if declared != self.name:
            return declared
        code = getattr(value, "__code__", None)
        if code is not None and code.co_filename == getattr(self.module, "__file__", None):
            return self.name
        if code is None and not isinstance(value, type):
            return self.name
        held = [other for other, loaded in self.submodules if getattr(loaded, name, None) is value]
        return min(held, default=self.name)

    @functools.cached_property
    def submodules(self) -> list[tuple[str, ModuleType]]:
        """The loaded submodules of a package (none for a plain module)."""
        if not hasattr(self.module, "__path__"):
            return []
        prefix = self.name + "."
        return [(name, m) for name, m in list(sys.modules.items()) if name.startswith(prefix)]

    def _written_here(self, name: str, cls: type[Any]) -> bool:
        """A class is written in the stub when it is this module's, or a model or enum."""
        if cls.__name__ != name:  # an alias of a class: a variable, not a definition
            return False
        if self.home_of(cls, name) != self.name:
            # Re-exported: models and enums are written in place so their fields show.
            return name in self.exported and issubclass(cls, BaseModel | enum.Enum)
        return True

    def render(self, sources: Sequence[str]) -> str:
        blocks: list[list[str]] = []
        reexports: list[str] = []
        for name, value in self.entries:
            if isinstance(value, ModuleType):
                continue
            if isinstance(value, Signal):
                part = self.elsewhere.get(name)
                if part is not None:
                    self.imports.add(part)
                    blocks.append([f"{name}: {part}.{_signal_class(name)}"])
                elif name in self.signals:
                    blocks.append(self._signal(name, value))
                continue  # another module's signal: its own stub types it
            home = self.home_of(value, name)
            if isinstance(value, type) or _is_function(value):
                if isinstance(value, type) and self.local.get(id(value)) == name:
                    blocks.append(self._class(name, value, ""))
                elif home != self.name:
                    if name in self.exported:
                        reexports.append(f"from {home} import {name} as {name}")
                elif isinstance(value, type):  # a class under another name: an alias
                    alias = self.typing_name("TypeAlias")
                    blocks.append([f"{name}: {alias} = {self.cls(value)}"])
                else:
                    blocks.append(self._function(name, value, ""))
            elif name in self.exported or _is_own_value(name, value):
                blocks.append(self._variable(name, value))
        head = self._head(sources) + sorted(reexports)
        public = getattr(self.module, "__all__", None)
        if public is not None:  # stubtest wants it, and checkers read star imports by it
            head += ["", "__all__ = [", *(f'{INDENT}"{name}",' for name in public), "]"]
        return _joined(head, blocks)

    def render_signals(self, names: Sequence[str], sources: Sequence[str]) -> str:
        """A part stub: the classes spelling out the signals ``names`` (for the module's
        own stub to annotate them with), the module's names qualified."""
        saved = self.imports, self.bare
        self.imports, self.bare, self.qualify = set(), {}, True
        try:
            blocks = [
                self._signal(name, getattr(self.module, name), variable=False) for name in names
            ]
            return _joined(self._head(sources), blocks)
        finally:
            (self.imports, self.bare), self.qualify = saved, False

    def _head(self, sources: Sequence[str]) -> list[str]:
        head = [STUB_HEADER.format(sources=", ".join(sources)), ""]
        for source, names in sorted(self.bare.items()):
            head.append(f"from {source} import {', '.join(sorted(names))}")
        if self.bare:
            head.append("")
        return head + [f"import {name}" for name in sorted(self.imports)]

    # -- names and annotations ------------------------------------------------------

    def typing_name(self, name: str, source: str = "typing") -> str:
        self.bare.setdefault(source, set()).add(name)
        return name

    def cls(self, cls: type[Any]) -> str:
        """A class as the stub names it, its module imported."""
        local = self.local.get(id(cls))
        if local is not None and self.qualify:
            self.imports.add(self.name)
            return f"{self.name}.{local}"
        if local is not None:
            return local
        module = getattr(cls, "__module__", None) or "builtins"
        qualname = cls.__qualname__
        if module == "builtins":
            return qualname
        if "<locals>" in qualname or module == "__main__":
            return self.typing_name("Any")  # nothing can import it
        if module in _FROM_IMPORTED:
            head, dot, rest = qualname.partition(".")
            return self.typing_name(head, module) + dot + rest
        if module == self.name:
            # Written or re-exported here under that name, or else nothing a stub can name.
            if qualname not in self.defined:
                return self.typing_name("Any")
            if self.qualify:
                self.imports.add(self.name)
                return f"{self.name}.{qualname}"
            return qualname
        if not _is_typed(module.partition(".")[0]):
            # A checker sees Any for it anyway, and mypy --strict refuses the import.
            return self.typing_name("Any")
        self.imports.add(module)
        return f"{module}.{qualname}"

    def annotation(self, annotation: Any) -> str:
        """An annotation as stub source (``Annotated`` metadata left out)."""
        if annotation is None or annotation is type(None):
            return "None"
        if annotation is Any:
            return self.typing_name("Any")
        if annotation is Ellipsis:
            return "..."
        if isinstance(annotation, list):  # the parameters of a Callable
            return "[" + ", ".join(self.annotation(a) for a in annotation) + "]"
        if isinstance(annotation, str | typing.ForwardRef):
            return self.typing_name("Any")  # unresolved: better nothing than a wrong name
        origin = typing.get_origin(annotation)
        args = typing.get_args(annotation)
        if origin is typing.Annotated:
            return self.annotation(args[0])
        if origin in (typing.Union, types.UnionType):
            return " | ".join(self.annotation(arg) for arg in args)
        if origin is typing.Literal:
            if all(isinstance(arg, _LITERAL_TYPES) or arg is None for arg in args):
                return f"{self.typing_name('Literal')}[{', '.join(_literal(a) for a in args)}]"
            return " | ".join(self.cls(type(arg)) for arg in args)
        if origin is not None:
            head = self.annotation(origin) if not isinstance(origin, type) else self.cls(origin)
            if not args:
                return head
            return f"{head}[{', '.join(self.annotation(arg) for arg in args)}]"
        if isinstance(annotation, type):
            return self.cls(annotation)
        if isinstance(annotation, typing.TypeVar | typing.ParamSpec):
            return self.typing_name("Any")  # a stub has no scope to bind it in
        special = getattr(annotation, "_name", None)  # typing.Any-like special forms
        if isinstance(special, str) and hasattr(typing, special):
            return self.typing_name(special)
        return self.typing_name("Any")

    # -- blocks ---------------------------------------------------------------------

    def _signal(
        self, name: str, signal: Signal[Any, ..., Any], *, variable: bool = True
    ) -> list[str]:
        base = camel(name)
        receiver, bound, cls = f"_{base}Receiver", f"_{base}R", _signal_class(name)
        sender = self.cls(signal.sender_type)
        model = self.cls(signal.payload_model)
        fields = self._fields(signal.payload_model)
        keywords = (["*"] if fields else []) + fields
        callable_, any_ = self.typing_name("Callable", "collections.abc"), self.typing_name("Any")
        results = f"list[tuple[{callable_}[[{sender}, {model}], {any_}], {any_}]]"
        signal_class = type(signal)
        generic = getattr(signal_class, "__parameters__", ())
        base_class = self.cls(signal_class) + (
            f"[{sender}, ..., {model}]" if len(generic) == 3 else ""
        )
        any_type = "typedsignals.AnyType"
        self.imports.add("typedsignals")
        self.imports.add("typedsignals._protocols")
        self.typing_name("Protocol")
        self.typing_name("TypeVar")
        self.typing_name("type_check_only")
        self.typing_name("Literal")
        lines = [
            "@type_check_only",
            f"class {receiver}(Protocol):",
            *define("__call__", ["self", f"sender: {sender}", f"payload: {model}", "/"], "Any"),
            "",
            f'{bound} = TypeVar("{bound}", bound={receiver})',
            "",
            "@type_check_only",
            f"class {cls}({base_class}):",
        ]
        lines += [*docstring(signal.doc)]
        lines += define("send", ["self", f"sender: {sender}", "/", *keywords], results)
        lines += define(
            "send_payload",
            [
                "self",
                f"sender: {sender}",
                f"payload: {model}",
                "/",
                "*",
                f"error_policy: {_POLICY} = ...",
            ],
            results,
        )
        lines += define(
            "send_async",
            ["self", f"sender: {sender}", "/", *keywords],
            results,
            prefix="async ",
        )
        lines += define(
            "send_async_payload",
            [
                "self",
                f"sender: {sender}",
                f"payload: {model}",
                "/",
                "*",
                "concurrent: bool | None = ...",
                f"error_policy: {_POLICY} = ...",
            ],
            results,
            prefix="async ",
        )
        lines += define("validate", ["self", f"sender: {sender}", "/", *keywords], model)
        lines += define(
            "connect",
            [
                "self",
                f"receiver: {bound}",
                f"sender: {sender} | {any_type} = ...",
                "*",
                "weak: bool | None = ...",
                "priority: int = ...",
                "via: typedsignals._protocols.Deferral | None = ...",
            ],
            bound,
        )
        lines += define(
            "connect_via",
            [
                "self",
                f"sender: {sender} | {any_type}",
                "*",
                "weak: bool | None = ...",
                "priority: int = ...",
            ],
            f"Callable[[{bound}], {bound}]",
            pragma=_OVERRIDE,
        )
        return lines + (["", f"{name}: {cls}"] if variable else [])

    def _fields(self, model: type[BaseModel]) -> list[str]:
        """The model's fields as keyword parameters (by alias, as a send takes them)."""
        params: list[str] = []
        for field, info in model.model_fields.items():
            keyword = info.alias or field
            default = "" if info.is_required() else " = ..."
            params.append(f"{keyword}: {self.annotation(info.annotation)}{default}")
        return params

    def _class(self, name: str, cls: type[Any], indent: str) -> list[str]:
        if _is_named_tuple(cls) or typing.is_typeddict(cls):
            # Their runtime bases and generated methods are the factory's, not the class's.
            kind = "NamedTuple" if _is_named_tuple(cls) else "TypedDict"
            bases = [self.typing_name(kind)]
        else:
            bases = [
                self.annotation(base)
                for base in cls.__dict__.get("__orig_bases__", cls.__bases__)
                if base is not object
            ]
        lines: list[str] = []
        if getattr(cls, "_is_runtime_protocol", False):
            lines.append(f"{indent}@{self.typing_name('runtime_checkable')}")
        lines.append(
            f"{indent}class {name}({', '.join(bases)}):" if bases else f"{indent}class {name}:"
        )
        inner = indent + INDENT
        body = docstring(cls.__doc__ or "", inner) if cls.__doc__ and _own_doc(cls) else []
        if issubclass(cls, enum.Enum):
            for member, value in cls.__members__.items():
                shown = _literal(value.value) if isinstance(value.value, _LITERAL_TYPES) else "..."
                body.append(f"{inner}{member} = {shown}")
            if getattr(cls, "_member_type_", object) is not object:
                # Else the checkers take the mixin's __new__ (str's), which stubtest
                # finds inconsistent with the enum's own __new__(cls, value).
                body += define("__new__", ["cls", "value: object"], name, indent=inner)
        elif issubclass(cls, BaseModel):
            own = inspect.get_annotations(cls)
            for field, info in cls.model_fields.items():
                if field in own:
                    default = "" if info.is_required() else " = ..."
                    body.append(f"{inner}{field}: {self.annotation(info.annotation)}{default}")
            if cls.model_fields:
                body += define("__init__", ["self", "*", *self._fields(cls)], "None", indent=inner)
        else:
            hints = _hints(cls)
            for attribute in inspect.get_annotations(cls):
                if not attribute.startswith("_"):
                    body.append(f"{inner}{attribute}: {self.annotation(hints.get(attribute, Any))}")
        # The dunders of a model or an enum are pydantic's and Enum's (a frozen model's
        # __hash__, say), typed by their own stubs.
        generated = issubclass(cls, BaseModel | enum.Enum | tuple | dict)
        body += self._members(cls, inner, dunders=not generated)
        return lines + (body or [f"{inner}..."])

    def _members(self, cls: type[Any], indent: str, *, dunders: bool) -> list[str]:
        """Methods and properties defined in the class body (an enum's dunders are Enum's)."""
        lines: list[str] = []
        for member, value in cls.__dict__.items():
            dunder = member.startswith("__") and member.endswith("__")
            if member.startswith("_") and not (dunders and dunder):
                continue
            function = (
                value.fget if isinstance(value, property) else getattr(value, "__func__", value)
            )
            if getattr(function, "__qualname__", None) != f"{cls.__qualname__}.{member}":
                continue  # put there by a decorator or a base (Protocol's __init__): not its own
            if isinstance(value, property) and value.fget is not None:
                lines.append(f"{indent}@property")
                lines += self._function(member, value.fget, indent, method=True)
            elif isinstance(value, staticmethod | classmethod):
                lines.append(f"{indent}@{type(value).__name__}")
                lines += self._function(
                    member, value.__func__, indent, method=isinstance(value, classmethod)
                )
            elif inspect.isfunction(value) and member not in _SKIPPED_DUNDERS:
                lines += self._function(member, value, indent, method=True)
        return lines

    def _function(
        self, name: str, func: Callable[..., Any], indent: str, *, method: bool = False
    ) -> list[str]:
        prefix = "async " if inspect.iscoroutinefunction(func) else ""
        try:
            signature = inspect.signature(func)
        except (TypeError, ValueError):  # a builtin without a text signature
            return define(
                name,
                ["*args: Any", "**kwargs: Any"],
                self.typing_name("Any"),
                indent=indent,
                prefix=prefix,
            )
        hints = _hints(func)
        params: list[str] = []
        previous: inspect._ParameterKind | None = None
        for index, parameter in enumerate(signature.parameters.values()):
            kind = parameter.kind
            if previous is inspect.Parameter.POSITIONAL_ONLY and kind is not kind.POSITIONAL_ONLY:
                params.append("/")
            if kind is kind.KEYWORD_ONLY and previous not in (
                kind.KEYWORD_ONLY,
                kind.VAR_POSITIONAL,
            ):
                params.append("*")
            previous = kind
            star = "*" if kind is kind.VAR_POSITIONAL else "**" if kind is kind.VAR_KEYWORD else ""
            if method and index == 0 and parameter.name not in hints:
                params.append(parameter.name)  # self or cls
                continue
            text = f"{star}{parameter.name}: {self.annotation(hints.get(parameter.name, Any))}"
            if parameter.default is not parameter.empty:
                text += " = ..."
            params.append(text)
        if previous is inspect.Parameter.POSITIONAL_ONLY:
            params.append("/")
        returns = self.annotation(hints["return"]) if "return" in hints else self.typing_name("Any")
        return define(name, params, returns, indent=indent, prefix=prefix)

    def _variable(self, name: str, value: object) -> list[str]:
        if _is_type_form(value):
            return [f"{name}: {self.typing_name('TypeAlias')} = {self.annotation(value)}"]
        if value is None:
            return [f"{name}: None"]
        return [f"{name}: {self.cls(type(value))}"]


def _signal_class(attribute: str) -> str:
    """The name of the class spelling out the signal held by ``attribute``."""
    return f"_{camel(attribute)}Signal"


def _joined(head: list[str], blocks: list[list[str]]) -> str:
    body = "\n\n".join("\n".join(block) for block in blocks)
    return "\n".join(head).rstrip("\n") + "\n\n" + body + "\n"


_SKIPPED_DUNDERS: Final = frozenset(
    {"__init_subclass__", "__class_getitem__", "__get_pydantic_core_schema__"}
)


def _is_named_tuple(cls: type[Any]) -> bool:
    return issubclass(cls, tuple) and hasattr(cls, "_fields")


def _literal(value: object) -> str:
    """A literal as ruff format writes it: strings in double quotes."""
    text = repr(value)
    if isinstance(value, str) and text.startswith("'") and '"' not in value:
        return '"' + text[1:-1].replace("\\'", "'") + '"'
    return text


@functools.cache
def _is_typed(package: str) -> bool:
    """Whether checkers have types for a top-level package (PEP 561 or the standard library).

    Without them mypy --strict refuses the stub's import of it (import-untyped).
    """
    if package in sys.stdlib_module_names or package == "builtins":
        return True
    for entry in sys.path:
        if (Path(entry or ".") / f"{package}-stubs").is_dir():
            return True
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        return False
    origin = Path(spec.origin)
    folder = origin.parent if origin.name == "__init__.py" else None
    return folder is not None and (folder / "py.typed").exists()


def _own_doc(cls: type[Any]) -> bool:
    """Whether the class has a docstring of its own (not an inherited one)."""
    return "__doc__" in cls.__dict__


def _hints(obj: object) -> dict[str, Any]:
    """Resolved annotations, or none when some cannot be resolved."""
    try:
        return typing.get_type_hints(obj)
    except Exception:  # a name only imported under TYPE_CHECKING, say: write Any
        return {}


def _is_function(value: object) -> TypeIs[Callable[..., Any]]:
    return inspect.isfunction(value) or inspect.isbuiltin(value)


def _is_type_form(value: object) -> bool:
    """A type alias made at runtime (``Annotated[...]``, ``int | None``, ``list[str]``)."""
    if isinstance(value, types.UnionType | types.GenericAlias):
        return True
    return type(value).__module__ in _TYPING_MODULES and typing.get_origin(value) is not None


def _is_own_value(name: str, value: object) -> bool:
    """Whether a module-level value is the module's own, not an imported typing helper.

    ``from typing import Annotated, TYPE_CHECKING`` and ``from __future__ import
    annotations`` leave public names that a stub does not repeat.
    """
    if getattr(typing, name, _MISSING) is value:
        return False
    if type(value).__module__ in (*_TYPING_MODULES, "__future__"):
        return _is_type_form(value)
    return True
