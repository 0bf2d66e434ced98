"""Process-wide settings: strict mode."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["is_strict", "set_strict", "state", "strict_mode"]


class _State:
    """Mutable settings read on the send path (one attribute load, no lock)."""

    __slots__ = ("strict",)

    def __init__(self) -> None:
        self.strict = os.environ.get("TYPEDSIGNALS_STRICT", "").lower() in {
            "1",
            "true",
            "yes",
            "on",
        }


state = _State()


def is_strict() -> bool:
    """Tell whether strict mode is on: every send validates, even with no receiver."""
    return state.strict


def set_strict(enabled: bool) -> bool:
    """Turn strict mode on or off for the whole process and return the previous setting.

    By default a signal with no receiver skips validation, so an unheard send is nearly
    free. Strict mode validates every send anyway, so a bad send fails even when nobody
    listens; the pytest plugin turns it on for test runs. The environment variable
    ``TYPEDSIGNALS_STRICT=1`` turns it on at import time.
    """
    from ._table import refresh_settings  # imported here: _table must not depend on settings

    previous = state.strict
    state.strict = bool(enabled)
    refresh_settings()  # signals cache whether a send may return at once
    return previous


@contextmanager
def strict_mode(enabled: bool = True) -> Iterator[None]:
    """Context manager that sets strict mode for its block and restores it afterwards.

    Example:
        >>> from typedsignals import is_strict, strict_mode
        >>> with strict_mode():
        ...     is_strict()
        True
    """
    previous = set_strict(enabled)
    try:
        yield
    finally:
        set_strict(previous)
