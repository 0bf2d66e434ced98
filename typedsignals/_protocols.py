"""The protocols that type ``Signal.connect`` and ``Signal.connect_via``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Concatenate, Protocol, overload

from typing_extensions import ParamSpec, TypeVar

__all__ = ["ConnectDecorator", "Deferral", "Receiver"]

Q = ParamSpec("Q")
R = TypeVar("R")
SC = TypeVar("SC", contravariant=True)
MC = TypeVar("MC", contravariant=True)
QC = ParamSpec("QC")
RC = TypeVar("RC", covariant=True)

SI = TypeVar("SI")
MI = TypeVar("MI")


class Receiver(Protocol[SC, MC, QC, RC]):
    """A receiver that can be called as ``(sender, payload)``, whatever else it takes.

    Both overloads must hold for a callable to match: the first rejects a receiver with a
    required third parameter, the second binds ``QC`` to what else it accepts, so that
    ``connect`` can return the receiver with its own signature.
    """

    @overload
    def __call__(self, sender: SC, payload: MC, /) -> RC: ...

    @overload
    def __call__(self, sender: SC, payload: MC, /, *args: QC.args, **kwargs: QC.kwargs) -> RC: ...


class ConnectDecorator(Protocol[SI, MI]):
    """Type of the decorator returned by :meth:`Signal.connect_via` (see ``connect``)."""

    @overload
    def __call__(
        self, receiver: Receiver[SI, MI, Q, R], /
    ) -> Callable[Concatenate[SI, MI, Q], R]: ...

    @overload
    def __call__(  # pyright: ignore[reportOverlappingOverload]  # lambdas, as in connect
        self, receiver: Callable[[SI, MI], R], /
    ) -> Callable[[SI, MI], R]: ...


class Deferral(Protocol):
    """What ``Signal.connect(receiver, via=...)`` takes: a way to run receivers later.

    The signal connects, in the receiver's place, the stand-in that :meth:`defer`
    returns; a send calls the stand-in as ``(sender, payload)``, which queues the call and
    returns a handle (that handle is the receiver's result in ``send``'s list).
    ``typedsignals.delivery`` implements it; the core only calls it.
    """

    def defer(
        self, signal: Any, receiver: Callable[..., Any], sender: object
    ) -> Callable[[Any, Any], Any]:
        """Check that ``receiver`` can be delivered this way; return its stand-in.

        Raises:
            ReceiverTypeError: The receiver cannot be delivered this way (for instance,
                a worker in another process could not find it).
            SenderTypeError: The sender (or the signal's sender type) cannot travel.
        """
        ...
