"""Export a catalog as one JSON Schema 2020-12 document, and read such documents back.

The document describes the signals' interface: one ``$defs`` entry per payload model
(nested models hoisted next to it) and, under ``x-typedsignals``, each signal's
declaration (name, attribute, doc, sender, payload reference, options) with the format
version. Where the declarations live (modules, signal classes) and who listens are left
out: they belong to one code base, while the document is the contract between code
bases, and ``typedsignals codegen`` turns it back into declarations that export to the
same document.
"""

from __future__ import annotations

import itertools
import json
import re
from typing import Any, Final

from ._spec import CATALOG_FORMAT, Catalog, CatalogError, SignalSpec

__all__ = ["META_KEY", "SCHEMA_DIALECT", "export_jsonschema", "hoist", "signal_meta"]

SCHEMA_DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"
"""The ``$schema`` of exported documents."""

META_KEY: Final = "x-typedsignals"
"""Key of the signal declarations in exported documents."""

_LOCAL_REF: Final = "#/$defs/"


def export_jsonschema(catalog: Catalog, *, title: str = "Signal catalog") -> dict[str, Any]:
    """The catalog as one JSON Schema 2020-12 document.

    Example:
        >>> from typedsignals import Payload, Signal
        >>> from typedsignals.catalog import read_signal
        >>> class Pinged(Payload):
        ...     count: int
        >>> document = export_jsonschema(read_signal(Signal("ping", Pinged)))
        >>> sorted(document["$defs"]), document["x-typedsignals"]["signals"][0]["payload"]
        (['Pinged'], '#/$defs/Pinged')
    """
    names, defs = hoist(catalog.signals, _LOCAL_REF)
    signals = [signal_meta(spec, _LOCAL_REF + names[i]) for i, spec in enumerate(catalog.signals)]
    return {
        "$schema": SCHEMA_DIALECT,
        "title": title,
        META_KEY: {"format": CATALOG_FORMAT, "signals": signals},
        "$defs": defs,
    }


def signal_meta(spec: SignalSpec, payload_ref: str) -> dict[str, Any]:
    """What a document records of one signal's declaration."""
    return {
        "name": spec.name,
        "attribute": spec.attribute,
        "doc": spec.doc,
        "sender": {"path": spec.sender.path, "name": spec.sender.name},
        "payload": payload_ref,
        "error_policy": spec.error_policy,
        "strict": spec.strict,
        "concurrent": spec.concurrent,
    }


def hoist(
    signals: tuple[SignalSpec, ...], ref_prefix: str
) -> tuple[list[str], dict[str, dict[str, Any]]]:
    """Gather the payload schemas of ``signals`` into one table of named entries.

    Each payload model and each model nested in it gets one entry; references are
    rewritten to ``ref_prefix + name``. Entries are named by the model's class name; a
    different schema under a name already taken is qualified by its import path.

    Returns:
        The entry name of each signal's payload (in order), and the table.
    """
    table: dict[str, dict[str, Any]] = {}
    payload_names: list[str] = []
    for spec in signals:
        schema = dict(spec.payload_schema)
        nested: dict[str, Any] = schema.pop("$defs", {})
        renames: dict[str, str] = {}
        claimed: set[str] = set()
        for name, body in nested.items():
            renames[name] = _claim(table, name, f"{spec.payload.path}.{name}", body, claimed)
        main_name = _claim(table, spec.payload.name, spec.payload.path, schema, claimed)
        for name in claimed:  # entries met before had their references rewritten then
            table[name] = _rewrite(table[name], renames, ref_prefix)
        payload_names.append(main_name)
    return payload_names, {name: table[name] for name in sorted(table)}


def _claim(
    table: dict[str, dict[str, Any]],
    name: str,
    path: str,
    body: dict[str, Any],
    claimed: set[str],
) -> str:
    """Put ``body`` in the table under ``name``, or a qualified name if that is taken.

    The same schema met again (a model nested in two payloads) keeps its one entry.
    Names of new entries are added to ``claimed``.
    """
    qualified = _safe(path.replace(".", "__"))
    # Lazily: a list of len(table) numbered names per entry made hoisting quadratic
    # (0.2 s of exporting 1,000 signals).
    numbered = (f"{qualified}_{n}" for n in range(2, len(table) + 3))
    for candidate in itertools.chain((_safe(name), qualified), numbered):
        if candidate not in table:
            table[candidate] = body
            claimed.add(candidate)
            return candidate
        if _same(table[candidate], body):
            return candidate
    raise AssertionError("unreachable: the numbered names outnumber the table")


def _same(stored: dict[str, Any], body: dict[str, Any]) -> bool:
    # A stored entry has its references rewritten already; compare what does not move.
    return json.dumps(_strip_refs(stored), sort_keys=True) == json.dumps(
        _strip_refs(body), sort_keys=True
    )


def _strip_refs(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_refs(v) for k, v in value.items() if k != "$ref"}
    if isinstance(value, list):
        return [_strip_refs(v) for v in value]
    return value


def _safe(name: str) -> str:
    """A name that AsyncAPI component keys and Python identifiers both accept."""
    return re.sub(r"[^A-Za-z0-9_]", "_", name) or "_"


def _rewrite(value: Any, renames: dict[str, str], ref_prefix: str) -> Any:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key == "$ref" and isinstance(item, str) and item.startswith(_LOCAL_REF):
                old = item.removeprefix(_LOCAL_REF)
                out[key] = ref_prefix + renames.get(old, old)
            else:
                out[key] = _rewrite(item, renames, ref_prefix)
        return out
    if isinstance(value, list):
        return [_rewrite(item, renames, ref_prefix) for item in value]
    return value


def check_meta(meta: object, source: str) -> list[dict[str, Any]]:
    """The signal entries of a document's ``x-typedsignals`` value, checked.

    Raises:
        CatalogError: The value is missing, of another format, or malformed.
    """
    if not isinstance(meta, dict):
        raise CatalogError(f"{source}: no {META_KEY!r} object: not a typedsignals export")
    if meta.get("format") != CATALOG_FORMAT:
        raise CatalogError(
            f"{source}: {META_KEY} format {meta.get('format')!r} is not supported "
            f"(this typedsignals reads format {CATALOG_FORMAT})"
        )
    signals = meta.get("signals")
    if not isinstance(signals, list):
        raise CatalogError(f"{source}: {META_KEY}.signals must be a list")
    for index, entry in enumerate(signals):
        if not isinstance(entry, dict):
            raise CatalogError(f"{source}: {META_KEY}.signals[{index}] must be an object")
        for key, kind in (("name", str), ("payload", str), ("sender", dict)):
            if not isinstance(entry.get(key), kind):
                raise CatalogError(
                    f"{source}: {META_KEY}.signals[{index}] "
                    f"({entry.get('name', '?')!r}): {key!r} is missing or not a {kind.__name__}"
                )
    return signals
