"""Exceptions raised by typedsignals.

Every public error inherits both :class:`TypedSignalsError` and the builtin that
matches its meaning, so code written against plain Python exceptions keeps working::

    TypedSignalsError (Exception)
     ├── PayloadError (ValueError)           send(): the keyword arguments failed
     │                                       validation; no receiver ran
     ├── PayloadTypeError (TypeError)        send_payload(): an instance of another model
     ├── ImmutablePayloadError (TypeError)   a receiver tried to change a payload's list,
     │                                       dict or set
     ├── SenderTypeError (TypeError)         the sender is not an instance of the
     │                                       signal's declared sender type
     ├── ReceiverTypeError (TypeError)       connect(): the receiver is not callable, cannot
     │                                       take (sender, payload), or cannot be weakly held
     ├── SignalDefinitionError (ValueError)  a signal declared with an invalid model or
     │                                       option, or redeclared differently in a namespace
     └── ReceiverErrors (ExceptionGroup)     the "collect" policy: every receiver failure
                                             of one send, raised after all receivers ran

Every message names the signal it concerns.
"""

from __future__ import annotations

import reprlib
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Final

if sys.version_info < (3, 11):  # pragma: no cover - exercised on Python 3.10 only
    from exceptiongroup import ExceptionGroup

if TYPE_CHECKING:
    from pydantic import ValidationError
    from pydantic_core import ErrorDetails

__all__ = [
    "ImmutablePayloadError",
    "PayloadError",
    "PayloadTypeError",
    "ReceiverErrors",
    "ReceiverTypeError",
    "SenderTypeError",
    "SignalDefinitionError",
    "TypedSignalsError",
]


class TypedSignalsError(Exception):
    """Base class of every error raised by typedsignals."""


_SHOWN_ERRORS: Final = 20
"""Errors listed in a PayloadError's message; all of them stay in ``errors()``."""


def _location(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "<payload>"


class PayloadError(TypedSignalsError, ValueError):
    """The keyword arguments given to ``send`` do not make a valid payload.

    Raised before any receiver runs. The message names the signal and lists every
    offending field; the pydantic :class:`~pydantic.ValidationError` is available as
    :attr:`validation_error` and as ``__cause__``.

    Attributes:
        signal_name: Name of the signal whose payload was rejected.
        validation_error: The underlying pydantic error, or ``None`` when a validator
            raised some other exception (then that exception is ``__cause__``).
    """

    signal_name: str
    validation_error: ValidationError | None

    def __init__(
        self,
        signal_name: str,
        validation_error: ValidationError | None = None,
        *,
        detail: str | None = None,
    ) -> None:
        self.signal_name = signal_name
        self.validation_error = validation_error
        self._detail = detail
        self._message: str | None = None
        super().__init__(signal_name)

    def __str__(self) -> str:
        # Built on first use, not when raised: a payload with 200,000 bad items must
        # be refused in the time pydantic takes, not in the time its report takes.
        if self._message is None:
            self._message = self._describe()
        return self._message

    def _describe(self) -> str:
        name = self.signal_name
        if self.validation_error is None:
            return f"invalid payload for signal {name!r}: {self._detail}"
        count = self.validation_error.error_count()
        noun = "error" if count == 1 else "errors"
        errors = self.validation_error.errors(include_url=False)
        lines = [
            f"  {_location(err['loc'])}: {err['msg']} {_context(err)}"
            for err in errors[:_SHOWN_ERRORS]
        ]
        if count > _SHOWN_ERRORS:
            lines.append(f"  ... and {count - _SHOWN_ERRORS} more (see .errors())")
        return f"invalid payload for signal {name!r} ({count} {noun}):\n" + "\n".join(lines)

    def __reduce__(self) -> tuple[Any, ...]:
        # Exceptions pickle their args by default, which would lose the fields.
        return (_rebuild_payload_error, (self.signal_name, self.validation_error, self._detail))

    def errors(self) -> list[ErrorDetails]:
        """Return pydantic's structured error list (empty when there is none)."""
        if self.validation_error is None:
            return []
        return self.validation_error.errors(include_url=False)

    @property
    def fields(self) -> tuple[str, ...]:
        """Top-level names of the offending fields, in pydantic's order, without repeats."""
        names: dict[str, None] = {}
        for err in self.errors():
            names[str(err["loc"][0]) if err["loc"] else "<payload>"] = None
        return tuple(names)


def _context(err: ErrorDetails) -> str:
    if err["type"] == "missing":  # the input is the whole payload: noise
        return "[type=missing]"
    return f"[type={err['type']}, input={_short_repr(err['input'])}]"


def _rebuild_payload_error(
    signal_name: str, validation_error: ValidationError | None, detail: str | None
) -> PayloadError:
    return PayloadError(signal_name, validation_error, detail=detail)


_REPR: Final = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = 80
"""Bounded repr for error messages: a 20,000,000-item list costs no more than a short one."""


def _short_repr(value: object, limit: int = 80) -> str:
    try:
        text = _REPR.repr(value)
    except Exception:  # hostile or deeply nested input: the report must still be made
        return f"<unprintable {type(value).__qualname__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


class PayloadTypeError(TypedSignalsError, TypeError):
    """``send_payload`` was given an object that is not an instance of the signal's model."""


class ImmutablePayloadError(TypedSignalsError, TypeError):
    """A receiver tried to change a list, dict or set of a signal payload.

    One payload object goes to every receiver of a send (and to ``capture()``), so its
    containers are read-only; the message says how to get a mutable copy.
    """


class SenderTypeError(TypedSignalsError, TypeError):
    """The sender is not an instance of the sender type the signal declares."""


class ReceiverTypeError(TypedSignalsError, TypeError):
    """A receiver was rejected at connect time.

    It is not callable, cannot be called with ``(sender, payload)``, or was asked to be
    held weakly but cannot be weakly referenced.
    """


class SignalDefinitionError(TypedSignalsError, ValueError):
    """A signal was declared with an invalid payload model or option.

    Also raised when a namespace already holds a signal of the same name declared
    differently.
    """


class ReceiverErrors(ExceptionGroup[Exception], TypedSignalsError):
    """Every failure of one send under the ``"collect"`` error policy.

    Raised after all receivers ran. Each exception in :attr:`exceptions` carries a note
    naming its receiver, and :attr:`receivers` lists the failed receivers in the same
    order as the exceptions.

    Attributes:
        signal_name: Name of the signal whose receivers failed.
        receivers: The receivers that raised, aligned with ``exceptions``.
    """

    signal_name: str
    receivers: tuple[Callable[..., Any], ...]

    def __new__(
        cls,
        message: str,
        exceptions: Sequence[Exception],
        signal_name: str = "",
        receivers: Sequence[Callable[..., Any]] = (),
    ) -> ReceiverErrors:
        self = super().__new__(cls, message, exceptions)
        self.signal_name = signal_name
        self.receivers = tuple(receivers)
        return self

    def __init__(
        self,
        message: str,
        exceptions: Sequence[Exception],
        signal_name: str = "",
        receivers: Sequence[Callable[..., Any]] = (),
    ) -> None:
        super().__init__(message, exceptions)

    def derive(self, excs: Sequence[Exception]) -> ReceiverErrors:  # type: ignore[override]  # always Exceptions here
        """Keep the type, the signal name and the matching receivers when split."""
        # A split keeps the order of the exceptions, so walk both in step: matching by
        # identity alone would pair one exception object raised by two receivers wrongly.
        receivers = []
        pairs = iter(zip(self.exceptions, self.receivers))
        for exc in excs:
            for candidate, receiver in pairs:
                if candidate is exc:
                    receivers.append(receiver)
                    break
        return ReceiverErrors(self.message, excs, self.signal_name, receivers)


# -- shared builders: each message is written once ------------------------------------


def add_note(exc: BaseException, note: str) -> None:
    """Add ``note`` to ``exc`` once (on Python 3.10, where the backport prints ``__notes__``).

    A note already there is not added again: a prebuilt exception raised on every send
    must not pile up notes.
    """
    if note in getattr(exc, "__notes__", ()):
        return
    if sys.version_info >= (3, 11):
        exc.add_note(note)
    else:  # pragma: no cover - Python 3.10
        setattr(exc, "__notes__", [*getattr(exc, "__notes__", ()), note])  # noqa: B010


def extra_positional(signal_name: str, method: str, count: int) -> TypeError:
    """The error for payload fields passed by position to ``send`` and its kin."""
    return TypeError(
        f"signal {signal_name!r}: {method}() takes the sender as its only positional "
        f"argument; pass payload fields by keyword ({count} extra given)"
    )


def payload_error(signal_name: str, exc: Exception) -> PayloadError:
    """The error for a payload whose validation raised ``exc`` (raise it ``from exc``).

    A pydantic ``ValidationError`` is wrapped with every bad field; anything else a
    validator raised is reported by type and message.
    """
    from pydantic import ValidationError  # only called once pydantic is in use

    if isinstance(exc, ValidationError):
        return PayloadError(signal_name, exc)
    return PayloadError(signal_name, detail=f"a validator raised {type(exc).__name__}: {exc}")
