"""Export a catalog as an AsyncAPI 3.0.0 document.

Each signal is a channel (its address is the signal's name) with one message, and a
``send`` operation on it; the payload models are the document's component schemas,
nested models hoisted beside them. The signal declarations are kept under the root's
``x-typedsignals`` extension, as in the JSON Schema export, so ``typedsignals codegen``
reads either document.
"""

from __future__ import annotations

import re
from typing import Any, Final

from ._export import META_KEY, hoist, signal_meta
from ._spec import CATALOG_FORMAT, Catalog

__all__ = ["ASYNCAPI_VERSION", "export_asyncapi"]

ASYNCAPI_VERSION: Final = "3.0.0"
"""The AsyncAPI version of exported documents."""

_SCHEMAS: Final = "#/components/schemas/"


def export_asyncapi(
    catalog: Catalog, *, title: str = "Signal catalog", version: str = "1.0.0"
) -> dict[str, Any]:
    """The catalog as an AsyncAPI 3.0.0 document.

    Args:
        catalog: The signals to describe.
        title: The document's ``info.title``.
        version: The described application's version (``info.version``).

    Example:
        >>> from typedsignals import Payload, Signal
        >>> from typedsignals.catalog import read_signal
        >>> class Pinged(Payload):
        ...     count: int
        >>> document = export_asyncapi(read_signal(Signal("ping", Pinged, doc="A ping.")))
        >>> document["channels"]["ping"]["address"], sorted(document["components"]["schemas"])
        ('ping', ['Pinged'])
    """
    names, schemas = hoist(catalog.signals, _SCHEMAS)
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    signals: list[dict[str, Any]] = []
    for spec, payload in zip(catalog.signals, names, strict=True):
        key = _key(spec.name, channels)
        message: dict[str, Any] = {
            "name": spec.name,
            "title": spec.payload.name,
            "contentType": "application/json",
            "payload": {"$ref": _SCHEMAS + payload},
        }
        channel: dict[str, Any] = {
            "address": spec.name,
            "messages": {key: {"$ref": f"#/components/messages/{key}"}},
        }
        if spec.doc:
            summary = spec.doc.strip().splitlines()[0]
            message["summary"] = summary
            channel["description"] = spec.doc
        channels[key] = channel
        messages[key] = message
        operations[key] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{key}"},
            "messages": [{"$ref": f"#/channels/{key}/messages/{key}"}],
        }
        signals.append(signal_meta(spec, _SCHEMAS + payload))
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {"title": title, "version": version},
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"schemas": schemas, "messages": messages},
        META_KEY: {"format": CATALOG_FORMAT, "signals": signals},
    }


def _key(name: str, taken: dict[str, Any]) -> str:
    """A channel, operation and message key for a signal name (AsyncAPI keys match
    ``^[\\w\\d.\\-_]+$``), unique in the document."""
    base = re.sub(r"[^\w.\-]", "_", name, flags=re.ASCII) or "_"
    key, number = base, 2
    while key in taken:
        key, number = f"{base}_{number}", number + 1
    return key
