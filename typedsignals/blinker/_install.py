"""Make ``import blinker`` resolve to :mod:`typedsignals.blinker`."""

from __future__ import annotations

import importlib
import sys
from typing import Final

__all__ = ["install", "installed", "uninstall"]

_ALIASES: Final = {
    "blinker": "typedsignals.blinker",
    "blinker.base": "typedsignals.blinker.base",
    "blinker._utilities": "typedsignals.blinker._utilities",
}
"""Module names blinker code imports, and the modules that answer them."""

ENV_VAR: Final = "TYPEDSIGNALS_BLINKER"
"""The environment variable that the ``typedsignals-blinker.pth`` packaging option reads."""


def install() -> None:
    """Register :mod:`typedsignals.blinker` as ``blinker`` (and its submodules).

    Call it before anything imports blinker, that is before Flask or a Flask extension is
    imported; from then on ``import blinker``, ``from blinker import signal``,
    ``blinker.base`` and ``blinker._utilities`` all resolve to typedsignals. Calling it
    again changes nothing.

    Raises:
        RuntimeError: The real blinker was imported already; its signals (Flask's, for
            instance) exist and cannot be switched any more.

    Example:
        >>> import typedsignals.blinker
        >>> typedsignals.blinker.install()  # doctest: +SKIP
        >>> import flask  # doctest: +SKIP
        >>> type(flask.request_started).__module__  # doctest: +SKIP
        'typedsignals.blinker'
    """
    current = sys.modules.get("blinker")
    ours = importlib.import_module(_ALIASES["blinker"])
    if current is not None and current is not ours:
        where = getattr(current, "__file__", None) or repr(current)
        raise RuntimeError(
            f"typedsignals.blinker.install() was called after the real blinker ({where}) was "
            "imported, so signals created with it (Flask's among them) cannot be switched. "
            "Call install() before importing Flask or any module that imports blinker, or "
            f"set {ENV_VAR}=1 to switch at interpreter startup."
        )
    for alias, target in _ALIASES.items():
        sys.modules[alias] = importlib.import_module(target)


def uninstall() -> None:
    """Undo :func:`install`: ``blinker`` names the real blinker again on its next import.

    Modules that already imported blinker keep the signals they have.
    """
    for alias, target in _ALIASES.items():
        if alias in sys.modules and sys.modules[alias] is sys.modules.get(target):
            del sys.modules[alias]


def installed() -> bool:
    """Tell whether ``blinker`` currently resolves to :mod:`typedsignals.blinker`."""
    current = sys.modules.get("blinker")
    return current is not None and current is sys.modules.get(_ALIASES["blinker"])


def install_from_environment() -> None:
    """Call :func:`install` if the environment variable ``TYPEDSIGNALS_BLINKER`` is set.

    The ``typedsignals-blinker.pth`` file runs this at interpreter startup. Values
    ``1``, ``true``, ``yes`` and ``on`` (any case) turn it on.
    """
    import os

    if os.environ.get(ENV_VAR, "").strip().lower() in {"1", "true", "yes", "on"}:
        install()
