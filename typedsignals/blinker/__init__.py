"""A drop-in replacement for blinker 1.9, built on typedsignals' receiver table.

Same names, signatures and behaviour as ``blinker`` (``Signal``, ``NamedSignal``,
``Namespace``, ``signal``, ``default_namespace``, ``ANY``, plus the ``base`` and
``_utilities`` submodules), without blinker's known defects: thread races,
deliveries to a stranger that reuses a dead sender's ``id()``, stale
``has_receivers_for``, ``muted()`` that does not nest, and ``connected_to`` that removes
a connection it did not add. Receivers run in connection order.

Use it directly, or make existing blinker code (Flask and its extensions included) use
it with :func:`install` before Flask is imported, or with the environment variable
``TYPEDSIGNALS_BLINKER=1`` when the ``typedsignals-blinker.pth`` file is installed::

    import typedsignals.blinker

    typedsignals.blinker.install()   # from here on, `import blinker` gives this module

    from flask import Flask          # Flask's signals are typedsignals.blinker signals

A signal may carry a pydantic payload model (``signal("user-registered",
payload=UserRegistered)``): sends are then validated before any receiver runs, while
receivers keep the ``(sender, **kwargs)`` form. Importing this module does not import
pydantic; giving a model does.
"""

from __future__ import annotations

from . import _utilities, base  # noqa: F401  # blinker.base and blinker._utilities
from ._install import install, installed, uninstall
from .base import ANY, NamedSignal, Namespace, Signal, default_namespace, signal

__all__ = [
    "ANY",
    "NamedSignal",
    "Namespace",
    "Signal",
    "default_namespace",
    "install",
    "installed",
    "signal",
    "uninstall",
]
