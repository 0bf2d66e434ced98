"""Make ``import blinker`` resolve to :mod:`typedsignals.blinker`."""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
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

_SWITCH: Final = "_typedsignals_switch"
"""The top-level module of the no-code switch (imported at startup only when it is on)."""


def _switch() -> ModuleType | None:
    """The switch module if the ``.pth`` file (or anyone) imported it, else None."""
    return sys.modules.get(_SWITCH)


def _is_switch_placeholder(module: ModuleType) -> bool:
    """Whether ``module`` is the stand-in the switch's finder created for ``blinker``."""
    switch = _switch()
    loader = getattr(getattr(module, "__spec__", None), "loader", None)
    return switch is not None and loader is getattr(switch, "SWITCH", None)


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
    if current is not None and current is not ours and not _is_switch_placeholder(current):
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

    Modules that already imported blinker keep the signals they have. The no-code switch
    (``TYPEDSIGNALS_BLINKER=1``) is turned off too.
    """
    switch = _switch()
    if switch is not None:
        switch.unregister()
    for alias, target in _ALIASES.items():
        if alias in sys.modules and sys.modules[alias] is sys.modules.get(target):
            del sys.modules[alias]


def installed() -> bool:
    """Tell whether ``blinker`` currently resolves to :mod:`typedsignals.blinker`.

    True also before the first ``import blinker`` when the no-code switch is on, since that
    import will give :mod:`typedsignals.blinker`.
    """
    current = sys.modules.get("blinker")
    if current is None:
        switch = _switch()
        return switch is not None and bool(switch.registered())
    return current is sys.modules.get(_ALIASES["blinker"])
