"""Compare two catalogs or exported documents and class every change by whom it breaks.

``typedsignals diff OLD NEW`` reads either input as a catalog (``list --json``) or an
export (JSON Schema or AsyncAPI), normalises both to the same form, and reports per
signal what changed. Each :class:`Change` says whom it breaks:

* **senders**, the code calling ``send(sender, **fields)``: a new required field, an
  optional field made required, a narrowed type (fewer values accepted), a narrowed
  sender type, a field removed (payloads refuse unknown keywords);
* **receivers**, the code reading the payload: a field removed (it read it), a widened
  type (values it does not expect), a widened sender type;
* both: a signal removed or renamed, a field renamed, a type changed to another;
* nobody (compatible): a signal added, a new optional field, a required field made
  optional with a default, a doc, description or default changed.

Models nested in payloads are compared field by field, with the field's path
(``ship_to.city``). Type comparisons read the JSON Schemas pydantic writes: unions
(``anyOf``), ``integer`` within ``number``, enums and constants, and the numeric,
length and item-count bounds.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

from ._load import parse_document
from ._spec import Catalog, CatalogError

__all__ = ["Change", "DiffReport", "diff_documents", "diff_files"]

Side = Literal["senders", "receivers"]
_SENDERS: Final[tuple[Side, ...]] = ("senders",)
_RECEIVERS: Final[tuple[Side, ...]] = ("receivers",)
_BOTH: Final[tuple[Side, ...]] = ("senders", "receivers")
_NOBODY: Final[tuple[Side, ...]] = ()
_ANNOTATION_KEYS: Final = frozenset({"title", "description", "default", "examples"})
"""Schema keys that document a value without restricting it."""
_LOWER_BOUNDS: Final = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
_UPPER_BOUNDS: Final = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")
_JSON_TYPES: Final = {bool: "boolean", int: "integer", float: "number", str: "string"}
_MAX_DEPTH: Final = 12
"""How deep nested models are compared (a recursive model stops here)."""


@dataclass(frozen=True)
class Change:
    """One change to one signal."""

    signal: str
    """The signal's name (the old name, for a signal renamed)."""
    kind: str
    """What changed: ``signal-removed``, ``field-added``, ``type-narrowed``..."""
    message: str
    """The change in words, naming the field and the types."""
    breaks: tuple[Side, ...] = ()
    """Who must change their code: ``senders``, ``receivers``, both, or nobody."""
    field: str | None = None
    """The field concerned (``ship_to.city`` for a nested model's field)."""

    @property
    def breaking(self) -> bool:
        """Whether some code written against the old version breaks."""
        return bool(self.breaks)

    @property
    def verdict(self) -> str:
        """``breaks senders``, ``breaks receivers``, ``breaks senders and receivers``
        or ``compatible``."""
        return "breaks " + " and ".join(self.breaks) if self.breaks else "compatible"


@dataclass(frozen=True)
class DiffReport:
    """Every change between two versions, grouped by signal in order."""

    old: str
    new: str
    changes: tuple[Change, ...] = ()

    @property
    def breaking(self) -> bool:
        """Whether any change breaks senders or receivers."""
        return any(change.breaking for change in self.changes)

    def by_signal(self) -> dict[str, list[Change]]:
        """The changes grouped per signal, signals in the order they were met."""
        groups: dict[str, list[Change]] = {}
        for change in self.changes:
            groups.setdefault(change.signal, []).append(change)
        return groups

    def text(self) -> str:
        """The report as the command prints it: a block per signal, then a summary."""
        lines: list[str] = []
        for name, changes in self.by_signal().items():
            lines.append(f"signal {name!r}")
            lines += [f"  {change.verdict}: {change.message}" for change in changes]
        breaking = sum(change.breaking for change in self.changes)
        if not self.changes:
            lines.append(f"no changes between {self.old} and {self.new}")
        else:
            lines.append(
                f"{len(self.changes)} change{'s' if len(self.changes) != 1 else ''}, "
                f"{breaking} breaking"
            )
        return "\n".join(lines) + "\n"

    def to_json(self) -> dict[str, Any]:
        """The report as JSON data (what ``diff --json`` prints)."""
        return {
            "old": self.old,
            "new": self.new,
            "breaking": self.breaking,
            "signals": [
                {
                    "name": name,
                    "changes": [
                        {
                            "kind": c.kind,
                            "field": c.field,
                            "breaks": list(c.breaks),
                            "message": c.message,
                        }
                        for c in changes
                    ],
                }
                for name, changes in self.by_signal().items()
            ],
        }


@dataclass(frozen=True)
class _Signal:
    """One signal, as either input kind describes it."""

    name: str
    attribute: str | None
    doc: str
    sender: str
    payload: str
    schema: dict[str, Any]
    options: dict[str, Any]


@dataclass
class _Version:
    source: str
    signals: dict[str, _Signal] = field(default_factory=dict)
    defs: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Where ``#/$defs/Name`` references resolve (per payload for a catalog)."""
    local: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)


def diff_files(old: str | Path, new: str | Path) -> DiffReport:
    """Compare two catalog or export files.

    Raises:
        CatalogError: A file cannot be read, is not JSON, or is neither a catalog nor
            an export; the message names the file.
    """
    return diff_documents(_read(old), _read(new), str(old), str(new))


def diff_documents(
    old: object, new: object, old_source: str = "<old>", new_source: str = "<new>"
) -> DiffReport:
    """Compare two parsed catalogs or exports (any mix of the two kinds).

    Example:
        >>> from typedsignals import Payload, Signal
        >>> from typedsignals.catalog import export_jsonschema, read_signal
        >>> class Pinged(Payload):
        ...     count: int
        >>> old = export_jsonschema(read_signal(Signal("ping", Pinged)))
        >>> class Pinged(Payload):  # the next version
        ...     count: int
        ...     reason: str
        >>> new = export_jsonschema(read_signal(Signal("ping", Pinged)))
        >>> [(c.verdict, c.message) for c in diff_documents(old, new).changes]
        [('breaks senders', "field 'reason' added, required (string)")]
    """
    before = _version(old, old_source)
    after = _version(new, new_source)
    return DiffReport(old_source, new_source, tuple(_changes(before, after)))


def _read(path: str | Path) -> object:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{path}: cannot read the file ({exc})") from None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise CatalogError(f"{path}: not valid JSON ({exc})") from None


def _version(data: object, source: str) -> _Version:
    """Either input kind as signals with their payload schemas."""
    if not isinstance(data, dict):
        raise CatalogError(f"{source}: not a catalog or an exported document (not an object)")
    version = _Version(source)
    if "signals" in data and "format" in data:
        catalog = Catalog.from_json(json.dumps(data), source=source)
        for spec in catalog.signals:
            schema = dict(spec.payload_schema)
            defs = schema.pop("$defs", {})
            version.local[spec.name] = defs
            version.signals[spec.name] = _Signal(
                spec.name,
                spec.attribute,
                spec.doc,
                spec.sender.path,
                spec.payload.name,
                schema,
                {"error_policy": spec.error_policy, "strict": spec.strict},
            )
        return version
    if "asyncapi" not in data and "x-typedsignals" not in data and "$defs" not in data:
        raise CatalogError(
            f"{source}: not a catalog ('list --json') or an exported document ('export')"
        )
    document = parse_document(data, source)
    version.defs = document.defs
    for entry in document.signals:
        name = entry["name"]
        version.signals[name] = _Signal(
            name,
            entry.get("attribute"),
            entry.get("doc") or "",
            str(entry["sender"].get("path", "object")),
            entry["payload"],
            document.defs[entry["payload"]],
            {"error_policy": entry.get("error_policy", "raise"), "strict": entry.get("strict")},
        )
    return version


def _changes(old: _Version, new: _Version) -> Iterator[Change]:
    removed = [name for name in old.signals if name not in new.signals]
    added = [name for name in new.signals if name not in old.signals]
    renamed = _renames(
        {n: _shape(old.signals[n], old) for n in removed},
        {n: _shape(new.signals[n], new) for n in added},
    )
    for name, before in old.signals.items():
        if name in renamed:
            target = renamed[name]
            yield Change(
                name,
                "signal-renamed",
                f"signal removed; probably renamed to {target!r} (same payload and sender)",
                _BOTH,
            )
            yield from _signal_changes(before, old, new.signals[target], new, report_as=name)
        elif name not in new.signals:
            yield Change(name, "signal-removed", "signal removed", _BOTH)
        else:
            yield from _signal_changes(before, old, new.signals[name], new)
    for name in added:
        if name not in renamed.values():
            yield Change(name, "signal-added", "signal added", _NOBODY)


def _renames(gone: dict[str, str], new: dict[str, str]) -> dict[str, str]:
    """Pair removed and added signals whose payload and sender are the same, when the
    pairing is unambiguous."""
    pairs: dict[str, str] = {}
    for old_name, shape in gone.items():
        matches = [n for n, s in new.items() if s == shape]
        rivals = [n for n, s in gone.items() if s == shape]
        if len(matches) == 1 and len(rivals) == 1:
            pairs[old_name] = matches[0]
    return pairs


def _shape(signal: _Signal, version: _Version) -> str:
    """What must match for a removed and an added signal to be one renamed."""
    schema = _resolve(signal.schema, _defs(version, signal.name))
    properties = {
        key: _canonical(_resolve(value, _defs(version, signal.name)))
        for key, value in schema.get("properties", {}).items()
    }
    return json.dumps([signal.sender, properties, sorted(schema.get("required", []))])


def _defs(version: _Version, signal: str) -> dict[str, dict[str, Any]]:
    return version.local.get(signal, version.defs)


def _signal_changes(
    before: _Signal, old: _Version, after: _Signal, new: _Version, report_as: str | None = None
) -> Iterator[Change]:
    name = report_as or before.name
    if before.sender != after.sender:
        yield _sender_change(name, before.sender, after.sender)
    if before.payload != after.payload:
        yield Change(
            name,
            "payload-renamed",
            f"payload model renamed from {before.payload} to {after.payload}",
            _BOTH,
        )
    if before.attribute != after.attribute and report_as is None:
        yield Change(
            name,
            "attribute-renamed",
            f"Python name changed from {before.attribute} to {after.attribute}",
            _BOTH,
        )
    pair = _Pair(_defs(old, before.name), _defs(new, after.name))
    yield from pair.fields(name, before.schema, after.schema, "", 0)
    if before.doc != after.doc:
        yield Change(name, "doc-changed", "doc changed", _NOBODY)
    for option, value in before.options.items():
        if after.options.get(option) != value:
            yield Change(
                name,
                "option-changed",
                f"{option} changed from {value!r} to {after.options.get(option)!r}",
                _NOBODY,
            )


def _sender_change(name: str, old: str, new: str) -> Change:
    # Without the class hierarchy only ``object`` is known to be wider than any class.
    if old == "object":
        return Change(
            name,
            "sender-narrowed",
            f"sender type narrowed from object to {new}",
            _SENDERS,
        )
    if new == "object":
        return Change(
            name, "sender-widened", f"sender type widened from {old} to object", _RECEIVERS
        )
    return Change(name, "sender-changed", f"sender type changed from {old} to {new}", _BOTH)


@dataclass
class _Pair:
    """The reference tables of the old and new version, for comparing schemas."""

    old: dict[str, dict[str, Any]]
    new: dict[str, dict[str, Any]]

    def fields(
        self,
        signal: str,
        before: dict[str, Any],
        after: dict[str, Any],
        prefix: str,
        depth: int,
    ) -> Iterator[Change]:
        """The changes between two object schemas, field by field."""
        old_props: dict[str, Any] = before.get("properties", {})
        new_props: dict[str, Any] = after.get("properties", {})
        old_required = set(before.get("required", []))
        new_required = set(after.get("required", []))
        closed = after.get("additionalProperties") is False
        gone = [k for k in old_props if k not in new_props]
        came = [k for k in new_props if k not in old_props]
        renames = self._field_renames(gone, came, old_props, new_props, old_required, new_required)
        for key, value in old_props.items():
            path = prefix + key
            if key in renames:
                target = prefix + renames[key]
                yield Change(
                    signal,
                    "field-renamed",
                    f"field {path!r} removed; probably renamed to {target!r} (same type)",
                    _BOTH,
                    path,
                )
            elif key not in new_props:
                yield Change(
                    signal,
                    "field-removed",
                    f"field {path!r} removed"
                    + (" (senders passing it are refused)" if closed else ""),
                    _BOTH if closed else _RECEIVERS,
                    path,
                )
            else:
                yield from self._field(
                    signal,
                    path,
                    value,
                    new_props[key],
                    (key in old_required, key in new_required),
                    depth,
                )
        for key in came:
            if key in renames.values():
                continue
            path = prefix + key
            kind = self._describe(new_props[key], self.new)
            if key in new_required:
                yield Change(
                    signal,
                    "field-added",
                    f"field {path!r} added, required ({kind})",
                    _SENDERS,
                    path,
                )
            else:
                yield Change(
                    signal, "field-added", f"field {path!r} added, optional ({kind})", _NOBODY, path
                )
        if before.get("additionalProperties") is False and not closed:
            yield Change(
                signal,
                "extra-allowed",
                f"{prefix.rstrip('.') or 'payload'}: unknown fields now accepted",
                _RECEIVERS,
            )
        elif closed and before.get("additionalProperties") is not False:
            yield Change(
                signal,
                "extra-refused",
                f"{prefix.rstrip('.') or 'payload'}: unknown fields now refused",
                _SENDERS,
            )

    def _field_renames(
        self,
        gone: list[str],
        came: list[str],
        old_props: dict[str, Any],
        new_props: dict[str, Any],
        old_required: set[str],
        new_required: set[str],
    ) -> dict[str, str]:
        def shape(schema: Any, defs: dict[str, dict[str, Any]], required: bool) -> str:
            bare = {k: v for k, v in _resolve(schema, defs).items() if k != "title"}
            return json.dumps([_canonical(bare), required], sort_keys=True)

        old_shapes = {k: shape(old_props[k], self.old, k in old_required) for k in gone}
        new_shapes = {k: shape(new_props[k], self.new, k in new_required) for k in came}
        return _renames(old_shapes, new_shapes)

    def _field(
        self,
        signal: str,
        path: str,
        before: Any,
        after: Any,
        required: tuple[bool, bool],
        depth: int,
    ) -> Iterator[Change]:
        was, now = required
        if not was and now:
            yield Change(
                signal, "field-required", f"field {path!r}: optional made required", _SENDERS, path
            )
        elif was and not now:
            yield Change(
                signal,
                "field-optional",
                f"field {path!r}: required made optional (it has a default now)",
                _NOBODY,
                path,
            )
        old_model, new_model = self._model(before, self.old), self._model(after, self.new)
        if old_model is not None and new_model is not None and depth < _MAX_DEPTH:
            # The same shape around a nested model: compare the model field by field.
            if old_model[1] == new_model[1]:
                yield from self.fields(signal, old_model[0], new_model[0], f"{path}.", depth + 1)
            else:
                yield from self._type(signal, path, before, after)
        else:
            yield from self._type(signal, path, before, after)
        if isinstance(before, dict) and isinstance(after, dict):
            if not was and not now and before.get("default") != after.get("default"):
                yield Change(
                    signal,
                    "default-changed",
                    f"field {path!r}: default changed from "
                    f"{_json(before.get('default'))} to {_json(after.get('default'))}",
                    _NOBODY,
                    path,
                )
            if before.get("description") != after.get("description"):
                yield Change(
                    signal,
                    "description-changed",
                    f"field {path!r}: description changed",
                    _NOBODY,
                    path,
                )

    def _type(self, signal: str, path: str, before: Any, after: Any) -> Iterator[Change]:
        wider = _accepts(after, before, self.new, self.old, 0)
        narrower = _accepts(before, after, self.old, self.new, 0)
        if wider and narrower:
            return
        was, now = self._describe(before, self.old), self._describe(after, self.new)
        if wider:
            yield Change(
                signal,
                "type-widened",
                f"field {path!r}: type widened from {was} to {now}",
                _RECEIVERS,
                path,
            )
        elif narrower:
            yield Change(
                signal,
                "type-narrowed",
                f"field {path!r}: type narrowed from {was} to {now}",
                _SENDERS,
                path,
            )
        else:
            yield Change(
                signal,
                "type-changed",
                f"field {path!r}: type changed from {was} to {now}",
                _BOTH,
                path,
            )

    @staticmethod
    def _model(schema: Any, defs: dict[str, dict[str, Any]]) -> tuple[dict[str, Any], str] | None:
        """The object schema a field holds (alone or with null), and the wrapping."""
        if not isinstance(schema, dict):
            return None
        options = schema.get("anyOf")
        wrapping = "plain"
        if isinstance(options, list) and len(options) == 2 and {"type": "null"} in options:
            schema = next(o for o in options if o != {"type": "null"})
            wrapping = "optional"
        target = _resolve(schema, defs)
        if target.get("type") == "object" and "properties" in target:
            return target, wrapping
        return None

    def _describe(self, schema: Any, defs: dict[str, dict[str, Any]]) -> str:
        return _describe(schema, defs, 0)


def _describe(schema: Any, defs: dict[str, dict[str, Any]], depth: int) -> str:
    """A short reading of a schema: ``integer``, ``string (maxLength 200) | null``."""
    if not isinstance(schema, dict) or not schema or depth > 3:
        return "any"
    ref = schema.get("$ref")
    if isinstance(ref, str):
        return ref.rpartition("/")[2]
    for key in ("anyOf", "oneOf"):
        if isinstance(schema.get(key), list):
            return " | ".join(_describe(s, defs, depth + 1) for s in schema[key])
    if "const" in schema:
        return f"const {_json(schema['const'])}"
    if "enum" in schema:
        return "one of " + ", ".join(_json(v) for v in schema["enum"])
    if "x-python-type" in schema:
        return str(schema["x-python-type"])
    kind = schema.get("type", "any")
    text = " | ".join(kind) if isinstance(kind, list) else str(kind)
    if kind == "array":
        text = f"array of {_describe(schema.get('items', {}), defs, depth + 1)}"
    bounds = [f"{k} {_json(schema[k])}" for k in (*_LOWER_BOUNDS, *_UPPER_BOUNDS) if k in schema]
    bounds += [f"{k} {_json(schema[k])}" for k in ("pattern", "format") if k in schema]
    return f"{text} ({', '.join(bounds)})" if bounds else text


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _resolve(schema: Any, defs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A schema with a top-level ``$ref`` replaced by its target (annotations kept)."""
    if not isinstance(schema, dict):
        return {}
    ref = schema.get("$ref")
    if isinstance(ref, str):
        target = defs.get(ref.rpartition("/")[2], {})
        rest = {k: v for k, v in schema.items() if k != "$ref"}
        return {**target, **rest}
    return schema


def _canonical(schema: Any) -> str:
    return json.dumps(_strip(schema), sort_keys=True)


def _strip(schema: Any) -> Any:
    """A schema without the keys that only document (title, description, default)."""
    if isinstance(schema, dict):
        return {
            k: v if k in ("enum", "const") else _strip(v)
            for k, v in schema.items()
            if k not in _ANNOTATION_KEYS
        }
    if isinstance(schema, list):
        return [_strip(item) for item in schema]
    return schema


def _alternatives(schema: dict[str, Any]) -> list[Any] | None:
    for key in ("anyOf", "oneOf"):
        if isinstance(schema.get(key), list):
            return list(schema[key])
    kind = schema.get("type")
    if isinstance(kind, list):
        return [{**schema, "type": item} for item in kind]
    return None


def _accepts(
    wide: Any, narrow: Any, wide_defs: dict[str, Any], narrow_defs: dict[str, Any], depth: int
) -> bool:
    """Whether every value the ``narrow`` schema accepts is accepted by ``wide``, as far
    as these schemas tell (an answer of False may be a shape not understood)."""
    if depth > _MAX_DEPTH:
        return True  # a recursive model: the levels above decided
    a = _strip(_resolve(wide, wide_defs))
    b = _strip(_resolve(narrow, narrow_defs))
    if not a or (a == b and "$ref" not in json.dumps(a)):
        return True
    narrow_options = _alternatives(b)
    if narrow_options is not None:
        return all(_accepts(a, o, wide_defs, narrow_defs, depth + 1) for o in narrow_options)
    wide_options = _alternatives(a)
    if wide_options is not None:
        return any(_accepts(o, b, wide_defs, narrow_defs, depth + 1) for o in wide_options)
    values = [b["const"]] if "const" in b else b.get("enum")
    if isinstance(values, list):
        return all(_admits(a, value) for value in values)
    if "const" in a or "enum" in a:
        return False
    if a.get("x-python-type") != b.get("x-python-type"):
        return False
    kind_a, kind_b = a.get("type"), b.get("type")
    if kind_a is not None and kind_a != kind_b and (kind_a, kind_b) != ("number", "integer"):
        return False
    if not _bounds_within(a, b):
        return False
    for key in ("pattern", "format"):
        if key in a and a.get(key) != b.get(key):
            return False
    if kind_b == "array":
        return _accepts(a.get("items", {}), b.get("items", {}), wide_defs, narrow_defs, depth + 1)
    if kind_b == "object":
        return _object_accepts(a, b, wide_defs, narrow_defs, depth)
    return True


def _object_accepts(
    a: dict[str, Any],
    b: dict[str, Any],
    wide_defs: dict[str, Any],
    narrow_defs: dict[str, Any],
    depth: int,
) -> bool:
    props_a: dict[str, Any] = a.get("properties", {})
    props_b: dict[str, Any] = b.get("properties", {})
    if not set(a.get("required", [])) <= set(b.get("required", [])):
        return False
    for key, value in props_b.items():
        if key in props_a:
            if not _accepts(props_a[key], value, wide_defs, narrow_defs, depth + 1):
                return False
        elif a.get("additionalProperties") is False:
            return False
    extra_a, extra_b = a.get("additionalProperties"), b.get("additionalProperties")
    if extra_a is False:
        return extra_b is False  # else ``narrow`` lets through keys ``wide`` refuses
    if isinstance(extra_a, dict) and extra_b is not False:
        narrow_extra = extra_b if isinstance(extra_b, dict) else {}
        return _accepts(extra_a, narrow_extra, wide_defs, narrow_defs, depth + 1)
    return True


def _bounds_within(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether ``b``'s bounds are as tight as ``a``'s, or tighter."""
    looser_below = any(k in a and (k not in b or b[k] < a[k]) for k in _LOWER_BOUNDS)
    looser_above = any(k in a and (k not in b or b[k] > a[k]) for k in _UPPER_BOUNDS)
    return not (looser_below or looser_above)


def _admits(schema: dict[str, Any], value: Any) -> bool:
    """Whether a schema (enum, const, type and bounds) accepts one JSON value."""
    if "const" in schema:
        return bool(schema["const"] == value)
    if "enum" in schema:
        return value in schema["enum"]
    kind = schema.get("type")
    actual = "null" if value is None else _JSON_TYPES.get(type(value), "object")
    if kind is not None and kind != actual and not (kind == "number" and actual == "integer"):
        return False
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            return False
        if "maximum" in schema and value > schema["maximum"]:
            return False
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            return False
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            return False
    return True
