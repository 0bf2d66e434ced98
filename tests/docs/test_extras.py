"""The docs adapters, imported without the ``docs`` extra, say which extra to install."""

from __future__ import annotations

import importlib
import re
import sys

import pytest


@pytest.mark.parametrize(
    ("adapter", "framework", "project"),
    [
        ("typedsignals.sphinx", "sphinx", "Sphinx"),
        ("typedsignals.mkdocs", "mkdocs", "MkDocs"),
    ],
)
def test_missing_framework_names_the_extra(
    adapter: str, framework: str, project: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Importing an adapter without its framework is one error naming the docs extra."""
    monkeypatch.setitem(sys.modules, framework, None)  # None: "not installed" to import
    monkeypatch.delitem(sys.modules, adapter, raising=False)
    message = re.escape(
        f"{adapter} needs {project}, which is not installed; "
        'install it with: pip install "typedsignals[docs]"'
    )
    with pytest.raises(ModuleNotFoundError, match=message):
        importlib.import_module(adapter)
