"""The no-code switch: with ``TYPEDSIGNALS_BLINKER=1``, blinker resolves to typedsignals.

The ``typedsignals-blinker.pth`` file that the typedsignals wheel installs runs at
interpreter startup. When the environment variable ``TYPEDSIGNALS_BLINKER`` is ``1``,
``true``, ``yes`` or ``on`` (any case), it imports this module and calls
:func:`register`, which puts a finder first on ``sys.meta_path``. Nothing of typedsignals
is imported at startup: the first ``import blinker`` (or of ``blinker.base`` or
``blinker._utilities``, which import blinker first) calls
``typedsignals.blinker.install()``, and from then on the three names are the modules of
``typedsignals.blinker``. ``typedsignals.blinker.uninstall()`` takes the finder away.

This module is top-level, not part of the ``typedsignals`` package, so that startup does
not import the package: pytest can then still rewrite the assertions of the typedsignals
pytest plugin, which it registers later. For the same reason it must not be rewritten
itself (it may be imported before pytest starts, and it has no assertions):
PYTEST_DONT_REWRITE.
"""

from __future__ import annotations

import sys
from importlib.machinery import ModuleSpec

# Startup imports as little as it can: typing and importlib.abc (which imports
# importlib.resources) would cost more than the rest of this module. Type checkers
# recognise the name TYPE_CHECKING by itself.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from importlib.abc import Loader
    from types import ModuleType
    from typing import Final

__all__ = [
    "ENV_VAR",
    "SWITCH",
    "TRUE_VALUES",
    "BlinkerSwitch",
    "register",
    "registered",
    "unregister",
]

ENV_VAR: Final = "TYPEDSIGNALS_BLINKER"
"""The environment variable that the ``typedsignals-blinker.pth`` file reads."""

TRUE_VALUES: Final = frozenset({"1", "true", "yes", "on"})
"""Values of :data:`ENV_VAR` (compared in lower case, stripped) that turn the switch on.

The ``.pth`` file holds a copy of this set, so that any other value imports nothing; a
test checks the copy against this set.
"""


class BlinkerSwitch:
    """The finder (and loader) that makes the first ``import blinker`` install typedsignals.

    Only the name ``blinker`` is answered: its submodules are imported after it, by which
    time ``install()`` has registered them in ``sys.modules``.
    """

    def find_spec(
        self, name: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if name != "blinker":
            return None
        loader: Loader = self  # type: ignore[assignment]  # pyright: ignore[reportAssignmentType]  # a loader by its methods
        return ModuleSpec(name, loader, is_package=True)

    def create_module(self, spec: ModuleSpec) -> None:
        return None  # a placeholder module; exec_module replaces it in sys.modules

    def exec_module(self, module: ModuleType) -> None:
        # The import system hands out whatever sys.modules holds under the name once this
        # returns, so typedsignals.blinker keeps its own __spec__, __name__ and __file__.
        from typedsignals.blinker._install import install

        install()


SWITCH: Final = BlinkerSwitch()
"""The one finder :func:`register` puts on ``sys.meta_path``."""


def register() -> None:
    """Put :data:`SWITCH` first on ``sys.meta_path`` (again: no change)."""
    if SWITCH not in sys.meta_path:
        sys.meta_path.insert(0, SWITCH)


def unregister() -> None:
    """Take :data:`SWITCH` off ``sys.meta_path``; modules imported stay as they are."""
    while SWITCH in sys.meta_path:
        sys.meta_path.remove(SWITCH)


def registered() -> bool:
    """Tell whether :data:`SWITCH` is on ``sys.meta_path``."""
    return SWITCH in sys.meta_path
