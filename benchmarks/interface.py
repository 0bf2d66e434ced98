"""The interface every library adapter implements, and the receivers they connect.

A workload sees a library only through :class:`Adapter`: make a signal, make receivers,
connect and disconnect them, and the source text of the statements that are timed
(compiled into the timing loop, see :mod:`benchmarks.timing`, so a measurement holds
the library's own call and nothing of ours; they use the names ``sig``, ``sender`` and
``receiver``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager, nullcontext
from importlib import metadata
from typing import Any, ClassVar

__all__ = [
    "Adapter",
    "AsyncReceiver",
    "Receiver",
    "Unsupported",
    "args_receiver",
    "distribution_version",
    "kwargs_async_receiver",
    "kwargs_receiver",
    "payload_async_receiver",
    "payload_receiver",
]

Receiver = Callable[..., None]
AsyncReceiver = Callable[..., Awaitable[None]]


TYPED = "typedsignals"
"""The name of the typedsignals adapter, whose column holds the reference rows."""


class Unsupported(Exception):
    """The library has no way to do what a workload asks (the cell prints ``-``)."""


class NotApplicable(Exception):
    """A reference row measured for another library only (the cell prints ``-``, no note)."""


# -- receiver factories: each call makes a new, distinct function object ------------------


def kwargs_receiver() -> Receiver:
    def receiver(sender: object, **kwargs: object) -> None:
        return None

    return receiver


def kwargs_async_receiver() -> AsyncReceiver:
    async def receiver(sender: object, **kwargs: object) -> None:
        return None

    return receiver


def payload_receiver() -> Receiver:
    def receiver(sender: object, payload: object) -> None:
        return None

    return receiver


def payload_async_receiver() -> AsyncReceiver:
    async def receiver(sender: object, payload: object) -> None:
        return None

    return receiver


def args_receiver() -> Receiver:
    def receiver(a: int, b: str) -> None:
        return None

    return receiver


def distribution_version(distribution: str) -> str:
    """The installed version of a distribution, or ``unknown``."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "unknown"


# -- the interface ----------------------------------------------------------------------


class Adapter(ABC):
    """What a workload needs from a signal library."""

    name: ClassVar[str]
    """Full name, used in JSON output and notes."""
    column: ClassVar[str]
    """Short column header for the table."""
    import_statement: ClassVar[str]
    """What the import-time workload runs in a fresh interpreter."""
    unsupported: ClassVar[dict[str, str]] = {}
    """Workload id -> why this library cannot run it."""
    flask: ClassVar[bool] = False
    """Whether the Flask request workload applies (raw blinker or typed Flask signals)."""
    send_stmt: ClassVar[str]
    """Statement that sends once: ``sig`` from ``sender`` with ``a=1, b="x"``."""
    send_async_stmt: ClassVar[str] = ""
    """Expression awaited to send once asynchronously (empty: not supported)."""
    connect_stmt: ClassVar[str]
    """Statement that connects ``receiver`` to ``sig`` for every sender, held strongly."""
    disconnect_stmt: ClassVar[str] = "sig.disconnect(receiver)"
    """Statement that disconnects ``receiver`` from ``sig``."""
    max_receivers: ClassVar[int | None] = None
    """Most receivers a workload may connect to one signal (None: no limit)."""
    max_receivers_reason: ClassVar[str] = ""
    """Why there is a limit: printed in the notes of every row skipped because of it."""

    def __init__(self) -> None:
        self.error: str | None = None
        self._loaded = False

    @property
    def available(self) -> bool:
        """Whether the library imported; call :meth:`load` first."""
        return self._loaded and self.error is None

    def load(self) -> bool:
        """Import the library; on failure remember why and return False."""
        if not self._loaded:
            self._loaded = True
            try:
                self._import()
            except Exception as exc:  # any import failure makes the column "n/a"
                self.error = f"{type(exc).__name__}: {exc}"
        return self.error is None

    def check_supported(self, workload: str) -> None:
        """Raise :class:`Unsupported` if this library cannot run ``workload``."""
        reason = self.unsupported.get(workload)
        if reason is not None:
            raise Unsupported(reason)

    def check_receivers(self, count: int) -> None:
        """Raise :class:`Unsupported` if ``count`` receivers exceed :attr:`max_receivers`."""
        if self.max_receivers is not None and count > self.max_receivers:
            raise Unsupported(
                f"{count:,} receivers skipped (measured up to {self.max_receivers:,}): "
                f"{self.max_receivers_reason}"
            )

    @property
    def connect_disconnect_stmt(self) -> str:
        """Statement that connects ``receiver`` to ``sig`` and disconnects it again."""
        return f"{self.connect_stmt}; {self.disconnect_stmt}"

    def version(self) -> str:
        """The installed version of the library."""
        return distribution_version(self.name)

    def session(self) -> AbstractContextManager[None]:
        """Context held for a whole benchmark run (process-wide settings)."""
        return nullcontext()

    @abstractmethod
    def _import(self) -> None:
        """Import the library and keep what the other methods need."""

    @abstractmethod
    def signal(self) -> Any:
        """A new signal carrying ``a: int`` and ``b: str``."""

    @abstractmethod
    def receiver(self) -> Receiver:
        """A new trivial receiver, distinct from every other."""

    def async_receiver(self) -> AsyncReceiver:
        """A new trivial coroutine receiver."""
        raise Unsupported("no awaited async receivers")

    @abstractmethod
    def connect(
        self,
        sig: Any,
        receiver: Callable[..., Any],
        sender: object = None,
        *,
        default_mode: bool = False,
    ) -> None:
        """Connect ``receiver`` (``sender=None``: for every sender).

        Receivers are held strongly, unless ``default_mode`` asks for the library's
        default reference mode for a plain function (weak in blinker and django).
        """

    def disconnect(self, sig: Any, receiver: Callable[..., Any]) -> None:
        """Disconnect ``receiver`` from ``sig`` (every library spells it the same)."""
        sig.disconnect(receiver)

    def flask_connect(
        self, started: Callable[..., Any], finished: Callable[..., Any]
    ) -> Callable[[], None]:
        """Connect receivers to Flask's request_started and request_finished (in this
        library's flavour); return a function that disconnects them."""
        raise Unsupported("no Flask signals")
