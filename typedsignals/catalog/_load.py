"""Read an exported document (JSON Schema or AsyncAPI) back into its parts."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from ._export import META_KEY, check_meta
from ._spec import CatalogError

__all__ = ["Document", "load_document", "parse_document"]

_PREFIXES: Final = {"jsonschema": "#/$defs/", "asyncapi": "#/components/schemas/"}


@dataclass(frozen=True)
class Document:
    """An exported document, normalised: whichever its format, references are
    ``#/$defs/Name`` and the models are in ``defs``."""

    kind: str
    """``"jsonschema"`` or ``"asyncapi"``."""
    signals: list[dict[str, Any]]
    """The ``x-typedsignals`` entries, each ``payload`` reduced to its model's name."""
    defs: dict[str, dict[str, Any]]
    """The models' schemas by name."""
    source: str


def load_document(path: str | Path) -> Document:
    """Read and normalise an exported document from a file.

    Raises:
        CatalogError: The file cannot be read, is not JSON, or is not an export;
            the message names the file.
    """
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{source}: cannot read the file ({exc})") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise CatalogError(f"{source}: not valid JSON ({exc})") from None
    return parse_document(data, source)


def parse_document(data: object, source: str = "<document>") -> Document:
    """Normalise a parsed document (see :func:`load_document`)."""
    if not isinstance(data, dict):
        raise CatalogError(f"{source}: an exported document is a JSON object")
    if "asyncapi" in data:
        kind = "asyncapi"
        components = data.get("components")
        defs = components.get("schemas") if isinstance(components, dict) else None
    else:
        kind = "jsonschema"
        defs = data.get("$defs")
    if not isinstance(defs, dict):
        where = "components.schemas" if kind == "asyncapi" else "$defs"
        raise CatalogError(f"{source}: no {where} object: not a typedsignals {kind} export")
    prefix = _PREFIXES[kind]
    signals = check_meta(data.get(META_KEY), source)
    entries: list[dict[str, Any]] = []
    for entry in signals:
        ref: str = entry["payload"]
        name = ref.removeprefix(prefix)
        if not ref.startswith(prefix) or name not in defs:
            raise CatalogError(
                f"{source}: signal {entry['name']!r}: payload {ref!r} "
                "is not an entry of the document"
            )
        entries.append({**entry, "payload": name})
    normal = {name: _rebase(body, prefix) for name, body in defs.items()}
    for name, body in normal.items():
        if not isinstance(body, dict):
            raise CatalogError(f"{source}: schema {name!r} is not an object")
    return Document(kind=kind, signals=entries, defs=normal, source=source)


def _rebase(value: Any, prefix: str) -> Any:
    if isinstance(value, dict):
        return {
            k: "#/$defs/" + v.removeprefix(prefix)
            if k == "$ref" and isinstance(v, str) and v.startswith(prefix)
            else _rebase(v, prefix)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_rebase(v, prefix) for v in value]
    return value
