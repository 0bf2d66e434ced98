"""Generate Python payload models and signal declarations from an exported document.

``typedsignals codegen`` reads a JSON Schema or AsyncAPI export (see :mod:`._export`)
and writes one module: an enum per enum schema, a :class:`~typedsignals.Payload` model
per object schema (nested models, optional fields, defaults, constraints, titles and
descriptions kept), and a :class:`~typedsignals.Signal` declaration per signal. The
module exports to the same document again.

The models are written here rather than by datamodel-code-generator, which was measured
first: it turns an optional constrained field (``Annotated[str | None,
Field(max_length=200)]``, schema ``anyOf`` of a constrained string and null) into an
extra ``RootModel`` with a ``$defs`` entry of its own, and an opaque field
(``x-python-type``) into ``dict[str, Any]``, so its output does not export to the same
document. Our exports come from pydantic, whose schema shapes are few and known.

Whatever schema is not understood is kept as it is: the field is typed ``Any`` and
carries the schema with ``WithJsonSchema``, so the document still round-trips.
Every construct is written in the layout ``ruff format`` keeps (collections exploded
with a trailing comma), so the output is formatted as it is written.
"""

from __future__ import annotations

import ast
import inspect
import json
import keyword
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from ._load import Document
from ._spec import CatalogError

__all__ = ["generate_module"]

_REF: Final = "#/$defs/"
_FIELD_KEYS: Final = frozenset({"title", "description", "default"})
"""Property keys that belong to the field, not to its type."""
_MODEL_KEYS: Final = frozenset(
    {"type", "title", "description", "properties", "required", "additionalProperties"}
)
_NUMBER_CONSTRAINTS: Final = {
    "minimum": "ge",
    "maximum": "le",
    "exclusiveMinimum": "gt",
    "exclusiveMaximum": "lt",
    "multipleOf": "multiple_of",
}
_LENGTH_CONSTRAINTS: Final = {"minLength": "min_length", "maxLength": "max_length"}
_ITEM_CONSTRAINTS: Final = {"minItems": "min_length", "maxItems": "max_length"}
_STRING_FORMATS: Final = {
    "date-time": ("datetime", "datetime"),
    "date": ("datetime", "date"),
    "time": ("datetime", "time"),
    "duration": ("datetime", "timedelta"),
    "uuid": ("uuid", "UUID"),
    "binary": ("builtins", "bytes"),
}
_SCALARS: Final = {"integer": "int", "number": "float", "boolean": "bool", "null": "None"}
_RESERVED: Final = frozenset({*dir(__import__("pydantic").BaseModel), "model_config"})
"""Attribute names a payload field cannot take (pydantic's own); such fields get an alias."""
_INDENT: Final = "    "


def generate_module(document: Document) -> str:
    """The Python source of a module declaring the document's payloads and signals.

    Raises:
        CatalogError: A signal's sender type cannot be imported by its path (a class
            defined in a function), naming the signal.
    """
    return _Writer(document).module()


@dataclass
class _Imports:
    """The names the generated module uses, by the module they come from."""

    names: dict[str, set[str]] = field(default_factory=dict)
    modules: set[str] = field(default_factory=set)

    def add(self, module: str, name: str) -> str:
        if module != "builtins":
            self.names.setdefault(module, set()).add(name)
        return name

    def lines(self) -> list[str]:
        # isort's layout, as ruff's default isort rules want it: __future__, the
        # standard library, then everything else, "import x" before "from x import".
        stdlib = {"datetime", "enum", "typing", "uuid"}
        blocks = [
            ["from __future__ import annotations"],
            [self._from(m) for m in sorted(self.names) if m in stdlib],
            [
                *(f"import {m}" for m in sorted(self.modules)),
                *(self._from(m) for m in sorted(self.names) if m not in stdlib),
            ],
        ]
        out: list[str] = []
        for block in blocks:
            if block:
                out += [*block, ""]
        return out

    def _from(self, module: str) -> str:
        return f"from {module} import {', '.join(sorted(self.names[module]))}"


class _Writer:
    """Writes one module; holds the names given to classes, aliases and signals."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.imports = _Imports()
        self.classes = {name: _identifier(name, "Model") for name in document.defs}
        self.aliases: dict[str, str] = {}  # a kept schema (as JSON) -> its alias name
        self.alias_lines: list[str] = []
        self.enum_members: dict[str, dict[str, str]] = {}

    # -- the module ------------------------------------------------------------------

    def module(self) -> str:
        order = self._definition_order()
        bodies: list[str] = []
        for name in order:
            try:
                bodies.append(self._class(name))
            except (AttributeError, KeyError, TypeError, ValueError) as exc:
                # A hand-edited document: name the schema instead of a traceback.
                raise CatalogError(
                    f"{self.document.source}: schema {name!r} is not valid: {exc!r}"
                ) from None
        try:
            signals = self._signals()
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            raise CatalogError(
                f"{self.document.source}: a signal entry is not valid: {exc!r}"
            ) from None
        source = _safe_doc(Path(self.document.source).name)  # the same output anywhere
        head = [
            f"# Generated by typedsignals codegen from {source}: do not edit.",
            f'"""Payload models and signals generated from {source}."""',
            "",
            *self.imports.lines(),
        ]
        parts = ["\n".join(head).rstrip("\n")]
        if self.alias_lines:
            # One blank line after the imports when an assignment follows (isort's rule).
            parts = [parts[0] + "\n\n" + "\n".join(self.alias_lines)]
        parts += bodies
        if signals:
            parts.append(signals)
        return "\n\n\n".join(parts) + "\n"

    def _definition_order(self) -> list[str]:
        """Enums first (model defaults name their members), then models, each after
        the models it names where the references allow (cycles are left to pydantic)."""
        defs = self.document.defs
        enums = sorted(name for name, body in defs.items() if _is_enum(body))
        order: list[str] = list(enums)
        placed = set(order)

        def visit(name: str, path: set[str]) -> None:
            if name in placed or name in path or name not in defs:
                return
            path.add(name)
            for ref in sorted(_refs(defs[name])):
                visit(ref, path)
            path.discard(name)
            if name not in placed:
                placed.add(name)
                order.append(name)

        for name in sorted(defs):
            visit(name, set())
        return order

    # -- classes ---------------------------------------------------------------------

    def _class(self, name: str) -> str:
        body = self.document.defs[name]
        if _is_enum(body):
            return self._enum(name, body)
        if body.get("type") == "object" and isinstance(body.get("properties", {}), dict):
            return self._model(name, body)
        named_tuple = self._named_tuple(name, body)
        if named_tuple is not None:
            return named_tuple
        # Not a model: an alias that keeps the schema, for the references to it.
        alias = self._kept(body, name=self.classes[name])
        return f"# {name!r} is not a model schema: its references keep it as {alias}."

    def _enum(self, name: str, body: dict[str, Any]) -> str:
        values: list[Any] = body["enum"]
        kind = body.get("type")
        base = {"string": "StrEnum", "integer": "IntEnum"}.get(str(kind), "Enum")
        self.imports.add("enum", base)
        members: dict[str, str] = {}
        lines = [f"class {self.classes[name]}({base}):"]
        lines += self._docstring(body.get("description"))
        taken: set[str] = set()
        for value in values:
            member = _unique(_member_name(value), taken)
            members[json.dumps(value)] = member
            lines.append(f"{_INDENT}{member} = {_literal(value, 1)}")
        self.enum_members[name] = members
        return "\n".join(lines)

    def _model(self, name: str, body: dict[str, Any]) -> str:
        cls = self.classes[name]
        self.imports.add("typedsignals", "Payload")
        lines = [f"class {cls}(Payload):"]
        docstring = self._docstring(body.get("description"))
        lines += docstring
        config = self._model_config(cls, body, described=bool(docstring))
        if config:
            lines += [*config, ""] if body.get("properties") else config
        required = set(body.get("required", ()))
        taken: set[str] = set()
        for key, prop in body.get("properties", {}).items():
            lines += self._field(key, prop, key in required, taken)
        if lines[-1] == "":
            lines.pop()
        if len(lines) == 1:
            lines.append(f"{_INDENT}pass")
        return "\n".join(lines)

    def _named_tuple(self, name: str, body: dict[str, Any]) -> str | None:
        """A NamedTuple for pydantic's schema of one: fixed items, each titled by its
        field name."""
        items = body.get("prefixItems")
        if set(body) != {"type", "prefixItems", "minItems", "maxItems"} or not isinstance(
            items, list
        ):
            return None
        if not items or not body["minItems"] == body["maxItems"] == len(items):
            return None
        fields: list[str] = []
        for item in items:
            title = item.get("title") if isinstance(item, dict) else None
            field_name = _field_name(title.lower().replace(" ", "_")) if title else ""
            if not field_name or _auto_title(field_name) != title or field_name in fields:
                return None
            fields.append(field_name)
        self.imports.add("typing", "NamedTuple")
        lines = [f"class {self.classes[name]}(NamedTuple):"]
        for field_name, item in zip(fields, items, strict=True):
            annotation, _ = self._type({k: v for k, v in item.items() if k != "title"})
            lines.append(f"{_INDENT}{field_name}: {annotation}")
        return "\n".join(lines)

    def _model_config(self, cls: str, body: dict[str, Any], described: bool) -> list[str]:
        options: list[tuple[str, Any]] = []
        extra = body.get("additionalProperties")
        if extra is not False:  # Payload forbids extra fields: no key in the schema
            options.append(("extra", "allow" if extra is True else "ignore"))
            if extra not in (True, None):
                raise CatalogError(
                    f"{self.document.source}: schema {cls!r}: additionalProperties with a "
                    "schema is not supported for a model"
                )
        if body.get("title", cls) != cls:
            options.append(("title", body["title"]))
        rest = {k: v for k, v in body.items() if k not in _MODEL_KEYS}
        if "description" in body and not described:
            rest["description"] = body["description"]
        if rest:
            options.append(("json_schema_extra", rest))
        if not options:
            return []
        self.imports.add("pydantic", "ConfigDict")
        lines = [f"{_INDENT}model_config = ConfigDict("]
        lines += [f"{_INDENT * 2}{key}={_literal(value, 2)}," for key, value in options]
        lines.append(f"{_INDENT})")
        return lines

    def _docstring(self, description: object) -> list[str]:
        """A class docstring that pydantic reads back as ``description``, or nothing."""
        lines = _docstring(description)
        return [] if lines is None else [*lines, ""]

    # -- fields ----------------------------------------------------------------------

    def _field(self, key: str, prop: dict[str, Any], required: bool, taken: set[str]) -> list[str]:
        attribute = _unique(_field_name(key), taken)
        kind = {k: v for k, v in prop.items() if k not in _FIELD_KEYS}
        annotation, constraints = self._type(kind, top=True)
        kwargs: list[tuple[str, str]] = []
        if "default" in prop:
            default = self._default(prop["default"], kind)
            if default is not None:
                kwargs.append(default)
        elif not required:
            # Not required and no default in the schema: a default factory, which the
            # schema does not show. None stands in for the value it made.
            kwargs.append(("default_factory", "lambda: None"))
        if attribute != key:
            kwargs.append(("alias", _string(key)))
        title = prop.get("title")
        if title is not None and title != _auto_title(key):
            kwargs.append(("title", _literal(title, 2)))
        if "description" in prop:
            kwargs.append(("description", _string(prop["description"])))
        kwargs += constraints
        if not kwargs:
            return [f"{_INDENT}{attribute}: {annotation}"]
        if len(kwargs) == 1 and kwargs[0][0] == "default" and _plain(kwargs[0][1]):
            return [f"{_INDENT}{attribute}: {annotation} = {kwargs[0][1]}"]
        self.imports.add("pydantic", "Field")
        lines = [f"{_INDENT}{attribute}: {annotation} = Field("]
        lines += [f"{_INDENT * 2}{name}={value}," for name, value in kwargs]
        lines.append(f"{_INDENT})")
        return lines

    def _default(self, value: Any, kind: dict[str, Any]) -> tuple[str, str] | None:
        ref = _ref_name(kind)
        if ref is not None and ref in self.enum_members:
            member = self.enum_members[ref].get(json.dumps(value))
            if member is not None:
                return ("default", f"{self.classes[ref]}.{member}")
        if value == [] or value == {}:
            return ("default_factory", "list" if value == [] else "dict")
        return ("default", _literal(value, 2))

    def _type(self, schema: dict[str, Any], top: bool = False) -> tuple[str, list[tuple[str, str]]]:
        """A schema as an annotation, and its constraints as ``Field`` arguments.

        Constraints of a nested schema are written into the annotation
        (``Annotated[str, Field(max_length=9)] | None``); those of the field's own type
        are returned for its ``Field`` call.
        """
        written = self._known(schema)
        if written is None:
            return self._kept(schema), []
        annotation, constraints = written
        if constraints and not top:
            self.imports.add("typing", "Annotated")
            self.imports.add("pydantic", "Field")
            inner = ", ".join(f"{name}={value}" for name, value in constraints)
            return f"Annotated[{annotation}, Field({inner})]", []
        return annotation, constraints

    def _known(self, schema: dict[str, Any]) -> tuple[str, list[tuple[str, str]]] | None:
        """The annotation of a schema shape pydantic writes, or None for any other."""
        if not schema:
            self.imports.add("typing", "Any")
            return "Any", []
        ref = _ref_name(schema)
        if ref is not None:
            return (self.classes[ref], []) if ref in self.classes and len(schema) == 1 else None
        if "anyOf" in schema and len(schema) == 1 and isinstance(schema["anyOf"], list):
            members = [self._type(branch) for branch in schema["anyOf"]]
            return " | ".join(annotation for annotation, _ in members), []
        if "const" in schema or "enum" in schema:
            return self._literal_type(schema)
        kind = schema.get("type")
        if not isinstance(kind, str):
            return None  # several types (["object", "null"]) or none: keep the schema
        if kind in _SCALARS:
            mapping = _NUMBER_CONSTRAINTS if kind in ("integer", "number") else {}
            return _with_constraints(_SCALARS[kind], schema, {"type"}, mapping)
        if kind == "string":
            name = "str"
            used = {"type"}
            fmt = schema.get("format")
            if fmt is not None:
                if fmt not in _STRING_FORMATS:
                    return None
                module, name = _STRING_FORMATS[fmt]
                self.imports.add(module, name)
                used.add("format")
            mapping = {**_LENGTH_CONSTRAINTS, "pattern": "pattern"}
            return _with_constraints(name, schema, used, mapping)
        if kind == "array":
            return self._array(schema)
        if kind == "object" and set(schema) <= {"type", "additionalProperties"}:
            extra = schema.get("additionalProperties", True)
            self.imports.add("typing", "Any")
            if extra is True:
                return ("dict[str, Any]", []) if "additionalProperties" in schema else None
            if isinstance(extra, dict):
                value, _ = self._type(extra)
                return f"dict[str, {value}]", []
        return None

    def _array(self, schema: dict[str, Any]) -> tuple[str, list[tuple[str, str]]] | None:
        if "prefixItems" in schema:
            items = schema["prefixItems"]
            if not isinstance(items, list) or set(schema) != {
                "type",
                "prefixItems",
                "minItems",
                "maxItems",
            }:
                return None
            if not (schema["minItems"] == schema["maxItems"] == len(items)):
                return None
            return f"tuple[{', '.join(self._type(item)[0] for item in items)}]", []
        if "items" in schema:
            item, _ = self._type(schema["items"])
        else:
            self.imports.add("typing", "Any")
            item = "Any"
        container = "set" if schema.get("uniqueItems") is True else "list"
        used = {"type", "items", "uniqueItems"}
        return _with_constraints(f"{container}[{item}]", schema, used, _ITEM_CONSTRAINTS)

    def _literal_type(self, schema: dict[str, Any]) -> tuple[str, list[tuple[str, str]]] | None:
        values = [schema["const"]] if "const" in schema else schema["enum"]
        if not isinstance(values, list) or not values or set(schema) - {"const", "enum", "type"}:
            return None
        kinds = {_json_type(value) for value in values}
        if None in kinds or (len(kinds) == 1 and schema.get("type") not in kinds):
            return None
        if len(kinds) > 1 and "type" in schema:
            return None
        self.imports.add("typing", "Literal")
        return f"Literal[{', '.join(_literal(value, 0) for value in values)}]", []

    def _kept(self, schema: dict[str, Any], name: str | None = None) -> str:
        """An alias for ``Any`` carrying ``schema`` as its JSON Schema, shared by equal
        schemas."""
        key = json.dumps(schema, sort_keys=True)
        if key in self.aliases:
            return self.aliases[key]
        alias = name or f"_Kept{len(self.aliases) + 1}"
        python_type = schema.get("x-python-type")
        if name is None and isinstance(python_type, str):
            words = re.findall(r"[A-Za-z0-9]+", python_type)
            alias = "_" + "".join(word[0].upper() + word[1:] for word in words)
            while alias in self.aliases.values():
                alias += "_"
        self.aliases[key] = alias
        self.imports.add("typing", "Annotated")
        self.imports.add("typing", "Any")
        self.imports.add("pydantic", "WithJsonSchema")
        self.alias_lines += [
            f"{alias} = Annotated[",
            f"{_INDENT}Any,",
            f"{_INDENT}WithJsonSchema(",
            f"{_INDENT * 2}{_literal(schema, 2)},",
            f"{_INDENT}),",
            "]",
        ]
        return alias

    # -- signals ---------------------------------------------------------------------

    def _signals(self) -> str:
        self.imports.add("typedsignals", "Signal")
        blocks: list[str] = []
        unnamed: list[str] = []
        taken = set(self.classes.values()) | set(self.aliases.values())
        for entry in self.document.signals:
            call = self._declaration(entry)
            attribute = entry.get("attribute")
            if isinstance(attribute, str) and attribute.isidentifier():
                name = _unique(attribute, taken)
                blocks.append(f"{name} = Signal(\n{call})")
            else:
                unnamed.append(f"_namespace.signal(\n{call})")
        if unnamed:
            self.imports.add("typedsignals", "Namespace")
            blocks.append(
                "# Signals that are no module attribute, reached through a namespace.\n"
                '_namespace = Namespace("")\n' + "\n".join(unnamed)
            )
        return "\n\n".join(blocks)

    def _declaration(self, entry: dict[str, Any]) -> str:
        name = entry["name"]
        args = [_string(name), self.classes[entry["payload"]]]
        sender = entry["sender"].get("path", "object")
        if sender != "object":
            module, _, qualname = sender.rpartition(".")
            if not module or "<" in sender:
                raise CatalogError(
                    f"{self.document.source}: signal {name!r}: the sender type {sender!r} "
                    "cannot be imported by its path"
                )
            # Find the module part of the path: the class may be nested in a class.
            self.imports.modules.add(module)
            args.append(f"sender={module}.{qualname}")
        if entry.get("doc"):
            args.append(f"doc={_string(entry['doc'])}")
        if entry.get("error_policy", "raise") != "raise":
            args.append(f"error_policy={_string(entry['error_policy'])}")
        if entry.get("strict"):
            args.append("strict=True")
        if entry.get("concurrent"):
            args.append("concurrent=True")
        return "".join(f"{_INDENT}{arg},\n" for arg in args)


# -- helpers -------------------------------------------------------------------------


def _docstring(description: object) -> list[str] | None:
    """Docstring lines (indented for a class body) whose cleaned text is
    ``description``, or None when no docstring reads back as it."""
    if not isinstance(description, str) or not description.strip():
        return None
    text = description.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if text.endswith('"'):
        text = text[:-1] + '\\"'
    first, *rest = text.split("\n")
    if not rest:
        lines = [f'{_INDENT}"""{first}"""']
    else:
        lines = [f'{_INDENT}"""{first}']
        lines += [f"{_INDENT}{line}" if line.strip() else "" for line in rest]
        lines.append(f'{_INDENT}"""')
    source = "\n".join(lines)
    try:
        value = ast.literal_eval(source.strip())
    except (SyntaxError, ValueError):  # pragma: no cover - escaped above
        return None
    if not isinstance(value, str) or inspect.cleandoc(value) != description:
        return None
    return lines


def _is_enum(body: dict[str, Any]) -> bool:
    return isinstance(body.get("enum"), list) and "properties" not in body


def _ref_name(schema: dict[str, Any]) -> str | None:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith(_REF):
        return ref.removeprefix(_REF)
    return None


def _refs(value: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(value, dict):
        ref = _ref_name(value)
        if ref is not None:
            found.add(ref)
        for item in value.values():
            found |= _refs(item)
    elif isinstance(value, list):
        for item in value:
            found |= _refs(item)
    return found


def _with_constraints(
    annotation: str, schema: dict[str, Any], used: set[str], mapping: dict[str, str]
) -> tuple[str, list[tuple[str, str]]] | None:
    if set(schema) - used - set(mapping):
        return None  # a keyword we do not write: keep the schema as it is
    constraints = [(mapping[k], _literal(v, 2)) for k, v in schema.items() if k in mapping]
    return annotation, constraints


def _json_type(value: object) -> str | None:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return None


def _identifier(name: str, fallback: str) -> str:
    text = re.sub(r"\W", "_", name, flags=re.ASCII)
    if not text or text[0].isdigit():
        text = f"{fallback}_{text}"
    return text + "_" if keyword.iskeyword(text) else text


def _field_name(key: str) -> str:
    name = _identifier(key, "field").lstrip("_") or "field"
    if name[0].isdigit():
        name = f"field_{name}"
    while name in _RESERVED or keyword.iskeyword(name):
        name += "_"
    return name


def _member_name(value: object) -> str:
    text = re.sub(r"\W", "_", str(value), flags=re.ASCII).upper().strip("_")
    if not text or text[0].isdigit():
        text = f"V_{text}"
    return text


def _unique(name: str, taken: set[str]) -> str:
    candidate, number = name, 2
    while candidate in taken:
        candidate, number = f"{name}_{number}", number + 1
    taken.add(candidate)
    return candidate


def _auto_title(key: str) -> str:
    """The title pydantic gives a field of that name (or alias)."""
    return key.title().replace("_", " ")


def _plain(source: str) -> bool:
    """Whether a default's source is short enough to stand without ``Field``."""
    return "\n" not in source


def _safe_doc(text: str) -> str:
    return text.replace("\\", "/").replace('"', "'")


def _string(text: str) -> str:
    """A string literal as ``ruff format`` writes it: double quotes, unless the text
    holds double quotes and no single ones."""
    if '"' in text and "'" not in text:
        return repr(text)
    return json.dumps(text, ensure_ascii=False)


def _literal(value: Any, depth: int) -> str:
    """JSON data as Python source; lists and dicts exploded with trailing commas (the
    layout ``ruff format`` keeps), indented for nesting ``depth``."""
    if isinstance(value, str):
        return _string(value)
    if value is None or isinstance(value, bool | int | float):
        return repr(value)
    inner = _INDENT * (depth + 1)
    if isinstance(value, list):
        if not value:
            return "[]"
        items = [f"{inner}{_literal(item, depth + 1)}," for item in value]
        return "[\n" + "\n".join(items) + f"\n{_INDENT * depth}]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f"{inner}{_string(str(k))}: {_literal(v, depth + 1)}," for k, v in value.items()]
        return "{\n" + "\n".join(items) + f"\n{_INDENT * depth}}}"
    raise CatalogError(f"not JSON data: {value!r}")  # pragma: no cover - parsed from JSON
