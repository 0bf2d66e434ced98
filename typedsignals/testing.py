"""Helpers for testing code that sends signals.

``capture`` records what a signal delivers inside a block; ``assert_sent`` and
``assert_not_sent`` check it. They work in any test framework (they raise
``AssertionError``). With pytest, the plugin registered by this package offers the
``signal_capture`` fixture, and, when the project switches them on, strict mode (every
send validated, even with no receiver) and a check that fails a test which leaves
receivers connected; see :mod:`typedsignals._pytest_plugin` and docs/testing.md.

Example:
    >>> from typedsignals import Payload, Signal
    >>> from typedsignals.testing import capture
    >>> class UserCreated(Payload):
    ...     username: str
    >>> user_created = Signal("user-created", UserCreated)
    >>> with capture(user_created) as sent:
    ...     _ = user_created.send("app", username="testuser")
    >>> sent.assert_sent(username="testuser").sender
    'app'
    >>> [payload.username for payload in sent.payloads]
    ['testuser']
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final, Generic, overload

from pydantic import BaseModel
from typing_extensions import TypeVar

from ._receivers import ANY, AnyType
from ._signal import Signal

__all__ = ["Captured", "Sent", "assert_not_sent", "assert_sent", "capture"]

S = TypeVar("S", default=Any)
M = TypeVar("M", bound=BaseModel, default=Any)

_CAPTURE_PRIORITY: Final = 2**62
"""Capturing receivers run before every other receiver, so a send is recorded even when
a later receiver raises."""


@dataclass(frozen=True)
class Sent(Generic[S, M]):
    """One delivery seen by :func:`capture`."""

    sender: S
    payload: M


class Captured(Sequence[Sent[S, M]]):
    """The deliveries of one signal recorded by :func:`capture`, in order."""

    def __init__(self, signal: Signal[S, Any, M]) -> None:
        self.signal = signal
        self._sent: list[Sent[S, M]] = []

    def _record(self, sender: S, payload: M) -> None:
        self._sent.append(Sent(sender, payload))

    @overload
    def __getitem__(self, index: int) -> Sent[S, M]: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Sent[S, M]]: ...

    def __getitem__(self, index: int | slice) -> Sent[S, M] | Sequence[Sent[S, M]]:
        return self._sent[index]

    def __len__(self) -> int:
        return len(self._sent)

    def __repr__(self) -> str:
        return f"<Captured {self.signal.name!r}: {len(self._sent)} sends>"

    @property
    def payloads(self) -> list[M]:
        """The payloads, in delivery order."""
        return [sent.payload for sent in self._sent]

    @property
    def senders(self) -> list[S]:
        """The senders, in delivery order."""
        return [sent.sender for sent in self._sent]

    def matching(self, sender: object = ANY, /, **fields: Any) -> list[Sent[S, M]]:
        """The deliveries from ``sender`` (identity, or equality for str/int) whose
        payload fields equal ``fields``."""
        self._check_fields(fields)
        return [sent for sent in self._sent if _matches(sent, sender, fields)]

    def assert_sent(
        self, sender: object = ANY, /, *, times: int | None = None, **fields: Any
    ) -> Sent[S, M]:
        """Assert a matching delivery happened (exactly ``times`` times if given).

        Returns:
            The first matching delivery.
        """
        if times is not None and times < 1:
            raise ValueError(
                f"signal {self.signal.name!r}: assert_sent(times={times}) can never pass; "
                "use assert_not_sent() to check that nothing matching was sent"
            )
        found = self.matching(sender, **fields)
        if not found or (times is not None and len(found) != times):
            expected = "at least once" if times is None else f"{times} time(s)"
            raise AssertionError(
                f"signal {self.signal.name!r} was expected to be sent {expected}"
                f"{_describe(sender, fields)}, but matched {len(found)} of "
                f"{len(self._sent)} sends: {self._listing()}"
            )
        return found[0]

    def assert_not_sent(self, sender: object = ANY, /, **fields: Any) -> None:
        """Assert no delivery matches (with no arguments: nothing was delivered at all)."""
        found = self.matching(sender, **fields)
        if found:
            raise AssertionError(
                f"signal {self.signal.name!r} was sent{_describe(sender, fields)} "
                f"{len(found)} time(s), expected never: {self._listing()}"
            )

    def _check_fields(self, fields: dict[str, Any]) -> None:
        model = self.signal.payload_model
        if model.model_config.get("extra") == "allow":
            return  # any name may be a field of such a payload
        known = model.model_fields
        unknown = sorted(set(fields) - set(known))
        if unknown:
            raise ValueError(
                f"signal {self.signal.name!r}: payload model "
                f"{self.signal.payload_model.__qualname__} has no field(s) {unknown}; "
                f"its fields are {sorted(known)}"
            )

    def _listing(self) -> str:
        if not self._sent:
            return "(none)"
        return "; ".join(f"{sent.sender!r:.40} -> {sent.payload!r}" for sent in self._sent)


def _same_sender(actual: object, expected: object) -> bool:
    if expected is ANY:
        return True
    if isinstance(expected, (str, int)):
        return actual == expected
    return actual is expected


_MISSING: Final = object()


def _matches(sent: Sent[Any, Any], sender: object, fields: dict[str, Any]) -> bool:
    return _same_sender(sent.sender, sender) and all(
        getattr(sent.payload, name, _MISSING) == value for name, value in fields.items()
    )


def _describe(sender: object, fields: dict[str, Any]) -> str:
    parts = [] if sender is ANY else [f" by {sender!r}"]
    if fields:
        parts.append(" with " + ", ".join(f"{k}={v!r}" for k, v in fields.items()))
    return "".join(parts)


@contextmanager
def capture(signal: Signal[S, Any, M], sender: S | AnyType = ANY) -> Iterator[Captured[S, M]]:
    """Record every delivery of ``signal`` (from ``sender``) inside the block.

    The recorder runs before every other receiver, and is removed on exit.
    """
    captured: Captured[S, M] = Captured(signal)
    with signal._temporarily(captured._record, sender, _CAPTURE_PRIORITY):
        yield captured


@contextmanager
def assert_sent(
    signal: Signal[S, Any, M], sender: object = ANY, /, *, times: int | None = None, **fields: Any
) -> Iterator[Captured[S, M]]:
    """Fail at the end of the block unless ``signal`` was sent with matching fields.

    Example:
        >>> from typedsignals import Signal
        >>> from typedsignals.testing import assert_sent
        >>> ping = Signal("ping")
        >>> with assert_sent(ping, "tests"):
        ...     _ = ping.send("tests")
    """
    with capture(signal) as captured:
        yield captured
    captured.assert_sent(sender, times=times, **fields)


@contextmanager
def assert_not_sent(
    signal: Signal[S, Any, M], sender: object = ANY, /, **fields: Any
) -> Iterator[Captured[S, M]]:
    """Fail at the end of the block if ``signal`` was sent with matching fields."""
    with capture(signal) as captured:
        yield captured
    captured.assert_not_sent(sender, **fields)
