"""One adapter per library: the same small interface over five signal implementations.

Every adapter does the same work: a signal that carries two values (an ``int`` named
``a`` and a ``str`` named ``b``), receivers that do nothing and return ``None``, and,
unless a workload says otherwise, receivers held strongly (``weak=False`` where the
library holds them weakly by default).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, ClassVar

from .interface import (
    TYPED,
    Adapter,
    AsyncReceiver,
    NotApplicable,
    Receiver,
    Unsupported,
    args_receiver,
    distribution_version,
    kwargs_async_receiver,
    kwargs_receiver,
    payload_async_receiver,
    payload_receiver,
)

__all__ = [
    "ADAPTERS",
    "TYPED",
    "Adapter",
    "BlinkerAdapter",
    "DjangoAdapter",
    "NotApplicable",
    "PsygnalAdapter",
    "TypedBlinkerAdapter",
    "TypedSignalsAdapter",
    "Unsupported",
    "adapter_named",
    "load_adapters",
]

# -- blinker-API libraries --------------------------------------------------------------


class _KwargsAPI(Adapter):
    """Libraries whose signals take ``Signal()`` and call ``receiver(sender, **kwargs)``:
    blinker, ``typedsignals.blinker`` and Django."""

    _signal_class: Any = None

    def signal(self) -> Any:
        return self._signal_class()

    def receiver(self) -> Receiver:
        return kwargs_receiver()

    def async_receiver(self) -> AsyncReceiver:
        return kwargs_async_receiver()

    send_stmt = "sig.send(sender, a=1, b='x')"
    connect_stmt = "sig.connect(receiver, weak=False)"


class _BlinkerAPI(_KwargsAPI):
    """blinker 1.9's API, shared by blinker and ``typedsignals.blinker``."""

    def connect(
        self,
        sig: Any,
        receiver: Callable[..., Any],
        sender: object = None,
        *,
        default_mode: bool = False,
    ) -> None:
        if sender is None:
            sig.connect(receiver, weak=default_mode)
        else:
            sig.connect(receiver, sender, weak=default_mode)

    send_async_stmt = "sig.send_async(sender, a=1, b='x')"


class BlinkerAdapter(_BlinkerAPI):
    """blinker 1.9, the reference every ratio is computed against."""

    name = "blinker"
    column = "blinker"
    import_statement = "import blinker"
    flask = True

    def _import(self) -> None:
        import blinker

        self._signal_class = blinker.Signal

    def flask_connect(
        self, started: Callable[..., Any], finished: Callable[..., Any]
    ) -> Callable[[], None]:
        from flask import signals

        signals.request_started.connect(started, weak=False)
        signals.request_finished.connect(finished, weak=False)

        def disconnect() -> None:
            signals.request_started.disconnect(started)
            signals.request_finished.disconnect(finished)

        return disconnect


class TypedBlinkerAdapter(_BlinkerAPI):
    """``typedsignals.blinker``: the blinker-compatible API on the typedsignals core."""

    name = "typedsignals.blinker"
    column = "ts.blinker"
    import_statement = "import typedsignals.blinker"

    def _import(self) -> None:
        module = importlib.import_module("typedsignals.blinker")
        self._signal_class = module.Signal

    def version(self) -> str:
        return distribution_version("typedsignals")


# -- typedsignals -----------------------------------------------------------------------


class TypedSignalsAdapter(Adapter):
    """``typedsignals.Signal`` with a two-field pydantic payload, validated on every send."""

    name = TYPED
    column = "typedsignals"
    import_statement = "import typedsignals"  # pydantic loads on first use of Signal/Payload
    flask = True

    def _import(self) -> None:
        import typedsignals

        class Two(typedsignals.Payload):
            a: int
            b: str

        self._module = typedsignals
        self._payload = Two

    def session(self) -> AbstractContextManager[None]:
        # The targets are for the default, non-strict mode (the pytest plugin and the
        # TYPEDSIGNALS_STRICT variable turn strict mode on).
        return self._module.strict_mode(False)

    def signal(self) -> Any:
        return self._module.Signal("bench", self._payload)

    def receiver(self) -> Receiver:
        return payload_receiver()

    def async_receiver(self) -> AsyncReceiver:
        return payload_async_receiver()

    def connect(
        self,
        sig: Any,
        receiver: Callable[..., Any],
        sender: object = None,
        *,
        default_mode: bool = False,
    ) -> None:
        # The default reference mode holds plain functions strongly.
        mode = None if default_mode else False
        if sender is None:
            sig.connect(receiver, weak=mode)
        else:
            sig.connect(receiver, sender, weak=mode)

    send_stmt = "sig.send(sender, a=1, b='x')"
    send_async_stmt = "sig.send_async(sender, a=1, b='x')"
    connect_stmt = "sig.connect(receiver)"

    def flask_connect(
        self, started: Callable[..., Any], finished: Callable[..., Any]
    ) -> Callable[[], None]:
        module = importlib.import_module("typedsignals.flask")
        try:
            request_started, request_finished = module.request_started, module.request_finished
        except AttributeError as exc:  # a module still being written counts as missing
            raise ImportError(f"typedsignals.flask is incomplete: {exc}") from None
        request_started.connect(started)
        request_finished.connect(finished)

        def disconnect() -> None:
            request_started.disconnect(started)
            request_finished.disconnect(finished)

        return disconnect


# -- psygnal ----------------------------------------------------------------------------


class PsygnalAdapter(Adapter):
    """psygnal (compiled with mypyc when the wheel is): ``SignalInstance((int, str))``."""

    name = "psygnal"
    column = "psygnal"
    import_statement = "import psygnal"
    unsupported: ClassVar[dict[str, str]] = {
        "send-filtered": "psygnal has no sender filtering",
        "send-async": "psygnal's emit does not await coroutine receivers",
    }

    def _import(self) -> None:
        import psygnal

        self._instance_class = psygnal.SignalInstance
        self._compiled = bool(getattr(psygnal, "_compiled", False))

    def version(self) -> str:
        build = "compiled" if self._compiled else "pure Python"
        return f"{distribution_version('psygnal')} ({build})"

    def signal(self) -> Any:
        return self._instance_class((int, str))

    def receiver(self) -> Receiver:
        return args_receiver()

    def connect(
        self,
        sig: Any,
        receiver: Callable[..., Any],
        sender: object = None,
        *,
        default_mode: bool = False,
    ) -> None:
        if sender is not None:
            raise Unsupported(self.unsupported["send-filtered"])
        sig.connect(receiver)  # psygnal holds plain functions strongly in every mode

    send_stmt = "sig.emit(1, 'x')"
    connect_stmt = "sig.connect(receiver)"


# -- django -----------------------------------------------------------------------------


class DjangoAdapter(_KwargsAPI):
    """``django.dispatch.Signal()`` with the default ``use_caching=False``."""

    name = "django"
    column = "django"
    import_statement = "import django.dispatch"

    def _import(self) -> None:
        # Signals work without configured settings (connect only reads settings.DEBUG
        # when settings are configured), so the run does not configure Django.
        import django.dispatch  # type: ignore[import-untyped]  # Django ships no types

        self._signal_class = django.dispatch.Signal

    # Each connect compares the new receiver with every connected one (a linear scan
    # for duplicates), so connecting n receivers one by one costs O(n²): 10,000 take
    # 3 to 4 s, 30,000 about 25 s (for each pass of connect-bulk), 100,000 about 5 min.
    max_receivers = 10_000
    max_receivers_reason = (
        "django's connect scans every connected receiver for a duplicate (O(n) per "
        "connect), so the set-up alone would take minutes"
    )

    def version(self) -> str:
        return distribution_version("Django")

    def connect(
        self,
        sig: Any,
        receiver: Callable[..., Any],
        sender: object = None,
        *,
        default_mode: bool = False,
    ) -> None:
        sig.connect(receiver, sender=sender, weak=default_mode)

    # asend gathers coroutine receivers concurrently (asyncio.gather); there is no
    # sequential variant.
    send_async_stmt = "sig.asend(sender, a=1, b='x')"


ADAPTERS: tuple[type[Adapter], ...] = (
    BlinkerAdapter,
    TypedSignalsAdapter,
    TypedBlinkerAdapter,
    PsygnalAdapter,
    DjangoAdapter,
)
"""Every library, in column order; the first is the reference for ratios."""


def adapter_named(name: str) -> Adapter:
    """A new, unloaded adapter for the library called ``name``."""
    for cls in ADAPTERS:
        if cls.name == name:
            return cls()
    raise KeyError(name)


def load_adapters() -> list[Adapter]:
    """One loaded adapter per library, in column order (unavailable ones included)."""
    adapters = [cls() for cls in ADAPTERS]
    for adapter in adapters:
        adapter.load()
    return adapters
