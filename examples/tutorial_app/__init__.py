"""The Flask signals tutorial's application, typed end to end with typedsignals.

Run ``python -m examples.tutorial_app`` from the repository root for the narrated demo,
or add ``--serve`` to serve it. :func:`create_app` builds it on a :class:`Storage`.
"""

from __future__ import annotations

from .app import create_app
from .storage import Storage, open_storage

__all__ = ["Storage", "create_app", "open_storage"]
