"""MkDocs hook of the site: the showcase's receivers in the signal reference.

The typedsignals MkDocs plugin (``plugins: - typedsignals`` in mkdocs.yml) renders
``reference/signals.md``, with the receivers connected when it reads the catalog. The
showcase app (``examples.tutorial_app``) connects its receivers per app, not at import
time, so before any page is read this hook builds the app on a throw-away SQLite file:
the reference then shows a real sender-receiver map. The app is closed (receivers
disconnected, worker thread stopped) when the build ends.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
"""The repository root: where ``examples`` lives (it is not part of the package)."""

_showcase: list[Any] = []  # (temporary directory, app state) while a build runs


def on_config(config: Any) -> Any:
    """Build the showcase app, so that its receivers are connected while pages render."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from examples.tutorial_app import create_app, open_storage
    from examples.tutorial_app.app import state_of

    folder = tempfile.TemporaryDirectory(prefix="typedsignals-site-")
    app = create_app(open_storage(path=Path(folder.name) / "showcase.sqlite"), measure=False)
    _showcase[:] = [folder, state_of(app)]  # the state holds the receivers alive
    return config


def on_shutdown() -> None:
    """Close the showcase app and remove its database."""
    if _showcase:
        folder, state = _showcase
        state.close()
        folder.cleanup()
        _showcase.clear()
