"""Type-safe signals with Pydantic payloads.

Declare a signal with a payload model; ``send`` validates the keyword arguments before
any receiver runs, and every receiver gets one typed payload object::

    from typedsignals import Payload, Signal

    class UserRegistered(Payload):
        user_id: int
        email: str

    user_registered = Signal("user-registered", UserRegistered)

    @user_registered.connect
    def welcome(sender: object, payload: UserRegistered) -> None:
        print(f"Sending welcome email to {payload.email}")

    user_registered.send(None, user_id=1, email="a@example.org")

The names that need pydantic are loaded on first use, so ``import typedsignals.blinker``
(the drop-in replacement for blinker) does not import pydantic.
"""

import importlib as _importlib
import typing as _typing

from ._config import is_strict, set_strict, strict_mode
from ._receivers import ANY, AnyType
from ._table import all_signals
from .exceptions import (
    ImmutablePayloadError,
    PayloadError,
    PayloadTypeError,
    ReceiverErrors,
    ReceiverTypeError,
    SenderTypeError,
    SignalDefinitionError,
    TypedSignalsError,
)

if _typing.TYPE_CHECKING:
    from ._namespace import Namespace, default_namespace, signal
    from ._payload import EmptyPayload, Payload
    from ._records import ConnectionInfo, ReceiverConnected, ReceiverDisconnected
    from ._signal import ErrorPolicy, Signal

__all__ = [
    "ANY",
    "AnyType",
    "ConnectionInfo",
    "EmptyPayload",
    "ErrorPolicy",
    "ImmutablePayloadError",
    "Namespace",
    "Payload",
    "PayloadError",
    "PayloadTypeError",
    "ReceiverConnected",
    "ReceiverDisconnected",
    "ReceiverErrors",
    "ReceiverTypeError",
    "SenderTypeError",
    "Signal",
    "SignalDefinitionError",
    "TypedSignalsError",
    "all_signals",
    "default_namespace",
    "is_strict",
    "set_strict",
    "signal",
    "strict_mode",
]

__version__ = "0.1.0"

_LAZY = {
    "ConnectionInfo": "._records",
    "EmptyPayload": "._payload",
    "ErrorPolicy": "._signal",
    "Namespace": "._namespace",
    "Payload": "._payload",
    "ReceiverConnected": "._records",
    "ReceiverDisconnected": "._records",
    "Signal": "._signal",
    "default_namespace": "._namespace",
    "signal": "._namespace",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_importlib.import_module(module, __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*__all__, "__version__"})
