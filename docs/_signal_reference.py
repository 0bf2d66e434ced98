"""MkDocs hooks of the site: the signal reference, with the showcase's receivers connected.

Two jobs, both for ``reference/signals.md``:

- Run the typedsignals MkDocs plugin (``typedsignals.mkdocs.SignalsPlugin``) over every
  page. MkDocs finds plugins by entry point only, and the package does not declare one
  yet, so the site loads the plugin's own class from this hook file instead of naming it
  under ``plugins:``; the plugin does all the work.
- Before any page is read, build the tutorial showcase's app (``examples.tutorial_app``)
  on a throw-away SQLite file, so that its receivers are connected when the plugin reads
  the catalog: the reference then shows a real sender-receiver map. The app is closed
  (receivers disconnected, worker thread stopped) when the build ends.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from typedsignals.mkdocs import SignalsPlugin

ROOT = Path(__file__).resolve().parent.parent
"""The repository root: where ``examples`` lives (it is not part of the package)."""

_plugin = SignalsPlugin()
_errors, _warnings = _plugin.load_config({})
if _errors or _warnings:  # the defaults are always valid; this says so if they stop being
    raise RuntimeError(f"typedsignals plugin settings: {_errors + _warnings}")

_showcase: list[Any] = []  # (temporary directory, app state) while a build runs


def on_config(config: Any) -> Any:
    """Build the showcase app, then let the plugin adjust the configuration."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from examples.tutorial_app import create_app, open_storage
    from examples.tutorial_app.app import state_of

    folder = tempfile.TemporaryDirectory(prefix="typedsignals-site-")
    app = create_app(open_storage(path=Path(folder.name) / "showcase.sqlite"))
    _showcase[:] = [folder, state_of(app)]  # the state holds the receivers alive
    return _plugin.on_config(config)


on_page_markdown = _plugin.on_page_markdown


def on_shutdown() -> None:
    """Close the showcase app and remove its database."""
    if _showcase:
        folder, state = _showcase
        state.close()
        folder.cleanup()
        _showcase.clear()
