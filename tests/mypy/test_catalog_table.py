"""The plugin's table of raw Flask signals matches the catalogs' declarations."""

from __future__ import annotations

import importlib

import pytest

from typedsignals._mypy._catalogs import CATALOG_FOR_IMPORT, RAW_SIGNALS
from typedsignals._signal import Signal


def resolve(path: str) -> object:
    """The object a dotted path names (module, then attribute)."""
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


@pytest.mark.parametrize("raw_path", sorted(RAW_SIGNALS))
def test_entry_matches_the_declaration(raw_path: str) -> None:
    """Each raw signal mirrors the declaration and model the table names, and its name."""
    entry = RAW_SIGNALS[raw_path]
    declaration = resolve(entry.mirror)
    assert isinstance(declaration, Signal)
    assert getattr(declaration, "raw") is resolve(raw_path)  # noqa: B009 - BridgedSignal only
    assert declaration.payload_model is resolve(entry.model)
    assert getattr(resolve(raw_path), "name") == entry.name  # noqa: B009 - a blinker NamedSignal


def test_every_declaration_is_in_the_table() -> None:
    """No catalog declares a mirror that the plugin's table leaves out."""
    mirrors = {entry.mirror for entry in RAW_SIGNALS.values()}
    declared = set()
    for catalog in {*CATALOG_FOR_IMPORT.values()}:
        module = importlib.import_module(catalog)
        public = importlib.import_module(catalog.removesuffix("._signals"))
        for name, value in vars(module).items():
            if isinstance(value, Signal) and hasattr(value, "raw"):
                declared.add(f"{public.__name__}.{name}")
    assert declared == mirrors
