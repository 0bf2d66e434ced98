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
"""

from ._config import is_strict, set_strict, strict_mode
from ._namespace import Namespace, default_namespace, signal
from ._payload import EmptyPayload, Payload
from ._receivers import ANY, AnyType
from ._signal import ErrorPolicy, ReceiverConnected, ReceiverDisconnected, Signal
from ._table import all_signals
from .exceptions import (
    PayloadError,
    PayloadTypeError,
    ReceiverErrors,
    ReceiverTypeError,
    SenderTypeError,
    SignalDefinitionError,
    TypedSignalsError,
)

__all__ = [
    "ANY",
    "AnyType",
    "EmptyPayload",
    "ErrorPolicy",
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

for _name in (
    "AnyType",
    "EmptyPayload",
    "Namespace",
    "Payload",
    "ReceiverConnected",
    "ReceiverDisconnected",
    "Signal",
):
    globals()[_name].__module__ = __name__
del _name
