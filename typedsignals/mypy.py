"""The typedsignals mypy plugin: what the generic types of signals cannot say.

Enable it in the mypy configuration, with or without pydantic's plugin::

    [tool.mypy]
    plugins = ["typedsignals.mypy"]          # or ["pydantic.mypy", "typedsignals.mypy"]

    [tool.typedsignals.mypy]
    untyped_payload = "error"                # or "note", or "off"

``Signal[S, P, M]`` already lets mypy (and pyright) check a send's keywords and a
receiver's types. The plugin adds, each under its own error code:

* ``typedsignals-unknown-field``, ``typedsignals-missing-field`` and
  ``typedsignals-field-type``: a send's keywords checked against the payload model as
  pydantic validates them (aliases, ``validate_by_name``/``populate_by_name``,
  ``extra="allow"``), with messages that name the signal and suggest the field meant.
  They replace mypy's own ``call-arg``/``arg-type`` errors for those calls.
* ``typedsignals-unchecked-payload``: ``send(sender, **mapping)`` with a mapping that is
  not a ``TypedDict``, whose keys no checker can see.
* ``typedsignals-dropped-receiver``: a lambda, ``functools.partial`` or local function
  connected weakly, which is dropped as soon as nothing else holds it.
* ``typedsignals-raw-receiver``: a keyword-style receiver connected to one of Flask's
  (or an extension's) raw blinker signals, or to a ``typedsignals.blinker`` signal
  declared with ``payload=Model``, checked against the keywords the signal sends.

See docs/static-checking.md for each code with an example and its fix.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from mypy.errorcodes import ErrorCode
from mypy.nodes import MypyFile, TypeInfo
from mypy.options import Options
from mypy.plugin import (
    ClassDefContext,
    FunctionContext,
    MethodContext,
    MethodSigContext,
    Plugin,
    ReportConfigContext,
)
from mypy.types import FunctionLike, Type

from . import __version__
from ._mypy import _checks, _fields, _settings

__all__ = [
    "DROPPED_RECEIVER",
    "FIELD_TYPE",
    "MISSING_FIELD",
    "RAW_RECEIVER",
    "UNCHECKED_PAYLOAD",
    "UNKNOWN_FIELD",
    "TypedSignalsPlugin",
    "plugin",
]

# -- full names the hooks answer to ---------------------------------------------------
# mypy names a method hook after the class of the object it is called on, so methods are
# matched by name and their class by its bases (a BridgedSignal's send is a Signal's).

SIGNAL = "typedsignals._signal.Signal"
"""The typed signal class; its constructor call names a signal."""
NAMESPACE = "typedsignals._namespace.Namespace"
SIGNAL_FUNCTION = "typedsignals._namespace.signal"
BRIDGE = "typedsignals.flask._bridge.bridge"
"""The Flask catalogs' declaration helper: its first argument is the raw signal."""
COMPAT_SIGNAL = "typedsignals.blinker.base.Signal"
"""blinker-compatible signals, which may be declared with ``payload=Model``."""
COMPAT_NAMESPACE = "typedsignals.blinker.base.Namespace"
COMPAT_FUNCTION = "typedsignals.blinker.base._NamespaceSignal.__call__"
"""``typedsignals.blinker.signal``: a protocol-typed bound method of the default namespace."""
BLINKER_SIGNAL = "blinker.base.Signal"
"""blinker's own signals: Flask's raw signals are instances."""
SENDS = frozenset({"send", "send_async", "validate"})
"""Methods whose keyword arguments are a payload's fields."""

# -- error codes -------------------------------------------------------------------------

_CATEGORY = "typedsignals"
UNKNOWN_FIELD = ErrorCode(
    "typedsignals-unknown-field", "A send passes a keyword that is not a field", _CATEGORY
)
MISSING_FIELD = ErrorCode(
    "typedsignals-missing-field", "A send leaves out a required field", _CATEGORY
)
FIELD_TYPE = ErrorCode(
    "typedsignals-field-type", "A send passes a value of the wrong type for a field", _CATEGORY
)
UNCHECKED_PAYLOAD = ErrorCode(
    "typedsignals-unchecked-payload",
    "A send unpacks a mapping whose keys cannot be checked",
    _CATEGORY,
)
DROPPED_RECEIVER = ErrorCode(
    "typedsignals-dropped-receiver",
    "A receiver is held weakly and nothing else holds it",
    _CATEGORY,
)
RAW_RECEIVER = ErrorCode(
    "typedsignals-raw-receiver",
    "A keyword-style receiver does not match what a blinker signal sends",
    _CATEGORY,
)


class TypedSignalsPlugin(Plugin):
    """Dispatches mypy's hooks to :mod:`typedsignals._mypy`; holds the settings."""

    def __init__(self, options: Options) -> None:
        super().__init__(options)
        try:
            self.settings = _settings.read(options.config_file)
        except ValueError as error:
            # One clear line and mypy's usage status, instead of an internal error.
            print(f"typedsignals.mypy: {error}", file=sys.stderr)
            raise SystemExit(2) from None
        self.checker = _checks.SignalChecker(
            self.settings,
            _checks.Codes(
                unknown_field=UNKNOWN_FIELD,
                missing_field=MISSING_FIELD,
                field_type=FIELD_TYPE,
                unchecked_payload=UNCHECKED_PAYLOAD,
                dropped_receiver=DROPPED_RECEIVER,
                raw_receiver=RAW_RECEIVER,
            ),
        )

    def get_customize_class_mro_hook(self, fullname: str) -> Callable[[ClassDefContext], None]:
        # Called for every class with its own name, whatever other plugins do (the base
        # class hook goes to the first plugin that answers, pydantic's when it is listed
        # first): the place to record how a model's fields are validated.
        return _fields.record_model

    def get_function_hook(self, fullname: str) -> Callable[[FunctionContext], Type] | None:
        if fullname == SIGNAL_FUNCTION:
            return self.checker.name_typed_signal
        if fullname == BRIDGE:
            return self.checker.name_bridged_signal
        kind = self._kind(fullname)  # a constructor call is named after its class
        if kind == SIGNAL:
            return self.checker.name_typed_signal
        if kind == COMPAT_SIGNAL:
            return self.checker.name_compat_signal
        return None

    def get_method_signature_hook(
        self, fullname: str
    ) -> Callable[[MethodSigContext], FunctionLike] | None:
        owner, _, method = fullname.rpartition(".")
        if method in SENDS and self._kind(owner) == SIGNAL:
            return self.checker.loosen_send
        return None

    def get_method_hook(self, fullname: str) -> Callable[[MethodContext], Type] | None:
        owner, _, method = fullname.rpartition(".")
        if fullname == COMPAT_FUNCTION:
            return self.checker.name_compat_signal
        if method not in _METHODS:
            return None
        kind = self._kind(owner)
        if kind == SIGNAL:
            return _TYPED_HOOKS.get(method, _none)(self.checker)
        if kind in (COMPAT_SIGNAL, BLINKER_SIGNAL):
            if method == "connect":
                return self.checker.check_blinker_connect
            if method in SENDS and kind == COMPAT_SIGNAL:
                return self.checker.check_compat_send
        if method == "signal" and kind == NAMESPACE:
            return self.checker.name_typed_signal
        if method == "signal" and kind == COMPAT_NAMESPACE:
            return self.checker.name_compat_signal
        return None

    def _kind(self, class_fullname: str) -> str | None:
        """Which of the classes the plugin knows ``class_fullname`` is or derives from."""
        symbol = self.lookup_fully_qualified(class_fullname)
        info = None if symbol is None else symbol.node
        if not isinstance(info, TypeInfo):
            return None
        for base in info.mro:
            if base.fullname in _KINDS:
                return base.fullname
        return None

    def get_additional_deps(self, file: MypyFile) -> list[tuple[int, str, int]]:
        return [(10, module, -1) for module in _checks.catalogs_for(file)]

    def report_config_data(self, ctx: ReportConfigContext) -> dict[str, str]:
        # A change of settings or of the plugin must invalidate mypy's cache: the
        # diagnostics depend on both, and mypy hashes only this entry module's file.
        return {**self.settings.as_dict(), "version": __version__}


_KINDS = frozenset({SIGNAL, NAMESPACE, COMPAT_SIGNAL, COMPAT_NAMESPACE, BLINKER_SIGNAL})
_METHODS = frozenset({*SENDS, "connect", "signal"})


def _none(checker: _checks.SignalChecker) -> None:
    return None


_TYPED_HOOKS: dict[
    str, Callable[[_checks.SignalChecker], Callable[[MethodContext], Type] | None]
] = {
    "send": lambda checker: checker.check_send,
    "send_async": lambda checker: checker.check_send,
    "validate": lambda checker: checker.check_send,
    "connect": lambda checker: checker.check_connect,
}


def plugin(version: str) -> type[TypedSignalsPlugin]:
    """The entry point mypy calls with its version."""
    return TypedSignalsPlugin
