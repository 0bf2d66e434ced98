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
    # None in sys.modules: "not installed" to import, for the framework and any of its
    # modules an earlier test loaded (those would be found without their package).
    # The framework itself even when nothing imported it yet (this file run alone).
    for name in {framework, *(m for m in sys.modules if m.startswith(f"{framework}."))}:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.delitem(sys.modules, adapter, raising=False)
    message = re.escape(
        f"{adapter} needs {project}, which is not installed; "
        'install it with: pip install "typedsignals[docs]"'
    )
    with pytest.raises(ModuleNotFoundError, match=message):
        importlib.import_module(adapter)
