"""The plugin's checks: one class that every hook of :mod:`typedsignals.mypy` calls."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from mypy.errorcodes import ErrorCode
from mypy.maptype import map_instance_to_supertype
from mypy.meet import is_overlapping_types
from mypy.messages import format_type_bare, format_type_distinctly
from mypy.nodes import (
    ARG_NAMED,
    ARG_OPT,
    ARG_POS,
    ARG_STAR,
    ARG_STAR2,
    LDEF,
    ArgKind,
    CallExpr,
    Context,
    Expression,
    FuncDef,
    Import,
    ImportAll,
    ImportFrom,
    LambdaExpr,
    MemberExpr,
    MypyFile,
    NameExpr,
    RefExpr,
    StrExpr,
    TypeInfo,
    Var,
)
from mypy.plugin import CheckerPluginInterface, FunctionContext, MethodContext, MethodSigContext
from mypy.subtypes import is_subtype
from mypy.types import (
    AnyType,
    CallableType,
    ExtraAttrs,
    FunctionLike,
    Instance,
    LiteralType,
    ProperType,
    Type,
    TypedDictType,
    TypeOfAny,
    get_proper_type,
)

from . import _catalogs, _fields
from ._settings import Settings

SIGNAL: Final = "typedsignals._signal.Signal"
NAME_ATTR: Final = "__typedsignals_name__"
"""The signal's name, carried on the type of the declaration (mypy caches it)."""
PAYLOAD_ATTR: Final = "__typedsignals_payload__"
"""The payload model of a blinker-compatible signal declared with ``payload=Model``."""

CallContext = FunctionContext | MethodContext


@dataclass(frozen=True)
class Codes:
    """The plugin's error codes (defined in :mod:`typedsignals.mypy`)."""

    unknown_field: ErrorCode
    missing_field: ErrorCode
    field_type: ErrorCode
    unchecked_payload: ErrorCode
    dropped_receiver: ErrorCode
    raw_receiver: ErrorCode


@dataclass(frozen=True)
class _Actual:
    """One argument of a call, as the checks see it."""

    name: str | None
    kind: ArgKind
    expr: Expression
    type: Type


class SignalChecker:
    """Names signals, checks sends against payload models and receivers against sends."""

    def __init__(self, settings: Settings, codes: Codes) -> None:
        self.settings = settings
        self.codes = codes

    # -- declarations: remember the signal's name (and model) on its type -------------

    def name_typed_signal(self, ctx: CallContext) -> Type:
        """``Signal("name", Model)``, ``ns.signal("name", ...)``, ``signal("name", ...)``."""
        name = _literal(_argument(ctx, "name"))
        return _with_attrs(ctx, ctx.default_return_type, name, None)

    def name_bridged_signal(self, ctx: CallContext) -> Type:
        """``bridge(raw, Model, ...)`` in the Flask catalogs: the typed name of the mirror."""
        # Found by the payload model: the raw signal's module may be untyped (Flask-Login).
        model = _class_of(_argument_type(ctx, "payload"))
        raw = None if model is None else _catalogs.BY_MODEL.get(model.fullname)
        prefix = _literal(_argument(ctx, "prefix")) or ""
        name = None if raw is None else prefix + raw.name
        return _with_attrs(ctx, ctx.default_return_type, name, None)

    def name_compat_signal(self, ctx: CallContext) -> Type:
        """A ``typedsignals.blinker`` signal, maybe declared with ``payload=Model``."""
        name = _literal(_argument(ctx, "name"))
        model = _class_of(_argument_type(ctx, "payload"))
        return _with_attrs(ctx, ctx.default_return_type, name, model)

    # -- sends ------------------------------------------------------------------------

    def loosen_send(self, ctx: MethodSigContext) -> FunctionLike:
        """Take any keywords in ``send``, so that :meth:`check_send` alone reports them."""
        signature = ctx.default_signature
        if _typed_model(ctx.type) is None or not signature.arg_types:
            return signature
        any_type = AnyType(TypeOfAny.special_form)
        return signature.copy_modified(
            arg_types=[signature.arg_types[0], any_type],
            arg_kinds=[signature.arg_kinds[0], ARG_STAR2],
            arg_names=[signature.arg_names[0], "fields"],
        )

    def check_send(self, ctx: MethodContext) -> Type:
        """``send``/``send_async``/``validate`` of a typed signal."""
        found = _typed_model(ctx.type)
        if found is not None and len(ctx.args) >= 2:
            self._check_fields(ctx, self._label(ctx), found, _actuals(ctx, 1))
        return ctx.default_return_type

    def check_compat_send(self, ctx: MethodContext) -> Type:
        """``send`` of a ``typedsignals.blinker`` signal declared with ``payload=Model``."""
        model = _attr_class(ctx.type, PAYLOAD_ATTR)
        fields = None if model is None else _fields.fields_of(model)
        if fields is not None:
            actuals = [a for a in _actuals(ctx, len(ctx.args) - 1) if a.name != "_async_wrapper"]
            self._check_fields(ctx, self._label(ctx), fields, actuals)
        return ctx.default_return_type

    def _check_fields(
        self,
        ctx: MethodContext,
        label: str,
        model: _fields.ModelFields,
        actuals: Sequence[_Actual],
    ) -> None:
        given: set[str] = set()
        meant: set[str] = set()  # fields an unknown keyword was a misspelling of
        checked = not _extra_positional(ctx)
        for actual in actuals:
            if actual.kind == ARG_STAR2:
                mapping = get_proper_type(actual.type)
                if isinstance(mapping, TypedDictType):
                    for key, value_type in mapping.items.items():
                        given.add(key)
                        meant |= self._check_keyword(
                            ctx, label, model, key, value_type, None, actual.expr
                        )
                else:
                    checked = False
                    self._report_unchecked(ctx, label, mapping, actual.expr)
            elif actual.name is not None:
                given.add(actual.name)
                meant |= self._check_keyword(
                    ctx, label, model, actual.name, actual.type, actual.expr, actual.expr
                )
        if not checked or model.dynamic:
            return
        for field in model.fields.values():
            keywords = _keywords_of(model, field)
            if field.required and not given & keywords and field.name not in meant:
                keyword = "" if field.name in keywords else f' (keyword "{min(keywords)}")'
                ctx.api.fail(
                    f'Signal "{label}" is missing the required field "{field.name}"{keyword}',
                    ctx.context,
                    code=self.codes.missing_field,
                )

    def _check_keyword(
        self,
        ctx: MethodContext,
        label: str,
        model: _fields.ModelFields,
        keyword: str,
        value_type: Type,
        value: Expression | None,
        where: Context,
    ) -> set[str]:
        """Check one keyword; return the field it misspells, if it is a misspelling."""
        field = model.field_for(keyword)
        if field is None:
            if model.extra == "allow" or model.dynamic:
                return set()
            message, meant = _no_field(label, model, keyword)
            ctx.api.fail(message, where, code=self.codes.unknown_field)
            return {meant.name} if meant is not None else set()
        options = ctx.api.options
        fits = is_subtype(value_type, field.type, options=options)
        if value is not None:
            # send's keywords were inferred with Any as their context (see loosen_send),
            # which makes [1] a list[Any]: infer each again with its field's type as the
            # context, as a call would, and without it for the message. Errors inside the
            # value (an item of the wrong type) mean that it does not fit.
            with ctx.api.msg.filter_errors() as errors:
                fitted = ctx.api.get_expression_type(value, type_context=field.type)
                if errors.has_new_errors():
                    fits, value_type = False, ctx.api.get_expression_type(value)
                else:
                    fits, value_type = is_subtype(fitted, field.type, options=options), fitted
        if not fits:
            declared = format_type_bare(field.type, options)
            ctx.api.fail(
                f'Signal "{label}": field "{field.name}" is "{declared}", '
                f'not "{format_type_bare(value_type, options)}"',
                where,
                code=self.codes.field_type,
            )
        return set()

    def _report_unchecked(
        self, ctx: MethodContext, label: str, mapping: ProperType, where: Context
    ) -> None:
        level = self.settings.untyped_payload
        if level == "off":
            return
        shown = format_type_bare(mapping, ctx.api.options)
        message = (
            f'Signal "{label}": the fields unpacked from "{shown}" are not checked; pass them '
            "as keywords, unpack a TypedDict, or build the payload and use send_payload()"
        )
        if level == "error":
            ctx.api.fail(message, where, code=self.codes.unchecked_payload)
        else:
            ctx.api.msg.note(message, where, code=self.codes.unchecked_payload)

    # -- receivers --------------------------------------------------------------------

    def check_connect(self, ctx: MethodContext) -> Type:
        """``connect`` of a typed signal: receivers held weakly on request."""
        if _is_true(_argument(ctx, "weak")):
            self._check_kept(ctx, self._label(ctx), "weak=True", local_functions=True)
        return ctx.default_return_type

    def check_blinker_connect(self, ctx: MethodContext) -> Type:
        """blinker-style ``connect``: weak by default, receivers called with keywords."""
        raw = _catalogs.RAW_SIGNALS.get(_fullname(_signal_expr(ctx)) or "")
        if raw is not None:
            model_info = _lookup(ctx.api, raw.model)
            label, mirror = raw.name, raw.mirror
        else:
            model_info, mirror = _attr_class(ctx.type, PAYLOAD_ATTR), None
            label = self._label(ctx)
        weak = _argument(ctx, "weak")
        if weak is None:
            self._check_kept(ctx, label, "blinker's default weak=True", local_functions=False)
        elif _is_true(weak):
            self._check_kept(ctx, label, "weak=True", local_functions=True)
        fields = None if model_info is None else _fields.fields_of(model_info)
        receiver = get_proper_type(
            _argument_type(ctx, "receiver") or AnyType(TypeOfAny.special_form)
        )
        if fields is not None and isinstance(receiver, CallableType):
            self._check_keyword_receiver(ctx, label, mirror, fields, receiver)
        return ctx.default_return_type

    def _check_kept(
        self, ctx: MethodContext, label: str, how: str, *, local_functions: bool
    ) -> None:
        receiver = _argument(ctx, "receiver")
        what = _dropped(receiver, local_functions)
        if what is not None:
            ctx.api.fail(
                f'Signal "{label}": {what} connected with {how} is dropped as soon as nothing '
                "else refers to it; connect it with weak=False or keep a reference",
                receiver or ctx.context,
                code=self.codes.dropped_receiver,
            )

    def _check_keyword_receiver(
        self,
        ctx: MethodContext,
        label: str,
        mirror: str | None,
        model: _fields.ModelFields,
        receiver: CallableType,
    ) -> None:
        where = _argument(ctx, "receiver") or ctx.context
        shown = _describe(_argument(ctx, "receiver"))
        sent = sorted(model.keywords)
        params = [
            (kind, name, typ)
            for kind, name, typ in zip(receiver.arg_kinds, receiver.arg_names, receiver.arg_types)
        ]
        if params and params[0][0] in (ARG_POS, ARG_OPT):
            params = params[1:]  # the sender
        named = {
            name: typ
            for kind, name, typ in params
            if name is not None and kind not in (ARG_STAR, ARG_STAR2)
        }
        required = [
            name for kind, name, _ in params if kind in (ARG_POS, ARG_NAMED) and name is not None
        ]
        takes_any = ARG_STAR2 in receiver.arg_kinds
        strays = [name for name in required if name not in model.keywords]
        if len(params) == 1 and strays and _looks_typed(strays[0], named[strays[0]]):
            instead = f"; connect it to {mirror} instead" if mirror else ""
            keywords = ", ".join(sent) or "no keywords"
            ctx.api.fail(
                f'Receiver {shown} takes (sender, payload), but signal "{label}" is a blinker '
                f"signal that calls its receivers with keywords ({keywords}){instead}",
                where,
                code=self.codes.raw_receiver,
            )
            return
        untaken = [keyword for keyword in sent if keyword not in named]
        for name in strays:
            guess = difflib.get_close_matches(name, untaken, n=1)
            hint = f'; did you mean "{guess[0]}"?' if guess else ""
            if guess:  # one error for the misspelt keyword, not a second for the one meant
                untaken.remove(guess[0])
            ctx.api.fail(
                f'Signal "{label}" sends no keyword "{name}" (receiver {shown}){hint}',
                where,
                code=self.codes.raw_receiver,
            )
        for keyword, field in sorted(model.keywords.items()):
            if keyword not in named:
                if not takes_any and keyword in untaken:
                    ctx.api.fail(
                        f'Receiver {shown} does not take the keyword "{keyword}" that signal '
                        f'"{label}" sends; add the parameter or **kwargs',
                        where,
                        code=self.codes.raw_receiver,
                    )
                continue
            expected = named[keyword]
            options = ctx.api.options
            # Unrelated types only: a parameter typed with a subclass of what the catalog
            # declares (flask.Response for werkzeug's Response), or list[tuple[Any, str]]
            # for a list of named tuples, is what apps write.
            if not is_overlapping_types(field.type, expected):
                sent_as, taken_as = format_type_distinctly(field.type, expected, options=options)
                ctx.api.fail(
                    f'Receiver {shown}: signal "{label}" sends "{keyword}" as {sent_as}, '
                    f"not {taken_as}",
                    where,
                    code=self.codes.raw_receiver,
                )
            elif mirror is None and not field.required and keyword in required:
                ctx.api.fail(
                    f'Receiver {shown} requires "{keyword}", but sends of signal "{label}" may '
                    "leave it out (the field has a default); give the parameter a default",
                    where,
                    code=self.codes.raw_receiver,
                )

    # -- helpers ----------------------------------------------------------------------

    def _label(self, ctx: MethodContext) -> str:
        """The signal's name, or the expression it was called on when that is unknown."""
        name = _attr_literal(ctx.type, NAME_ATTR)
        if name is not None:
            return name
        return _source(_signal_expr(ctx)) or "?"


def catalogs_for(file: MypyFile) -> list[str]:
    """The Flask catalogs a module needs loaded: one per Flask package it imports."""
    wanted: set[str] = set()
    for node in file.imports:
        if isinstance(node, Import):
            ids = [module for module, _ in node.ids]
        elif isinstance(node, (ImportFrom, ImportAll)):
            ids = [node.id]
        else:  # pragma: no cover - the three kinds of import
            continue
        for module in ids:
            catalog = _catalogs.CATALOG_FOR_IMPORT.get(module.split(".")[0])
            if catalog is not None and catalog != file.fullname:
                wanted.add(catalog)
    return sorted(wanted)


# -- reading calls ----------------------------------------------------------------------


def _argument(ctx: CallContext | MethodSigContext, name: str) -> Expression | None:
    if isinstance(ctx, MethodSigContext):
        return None
    for formal, actuals in zip(ctx.callee_arg_names, ctx.args):
        if formal == name and actuals:
            return actuals[0]
    return None


def _argument_type(ctx: CallContext, name: str) -> Type | None:
    for formal, types in zip(ctx.callee_arg_names, ctx.arg_types):
        if formal == name and types:
            return types[0]
    return None


def _actuals(ctx: MethodContext, start: int) -> list[_Actual]:
    found: list[_Actual] = []
    for index in range(start, len(ctx.args)):
        found.extend(
            _Actual(name, kind, expr, typ)
            for name, kind, expr, typ in zip(
                ctx.arg_names[index], ctx.arg_kinds[index], ctx.args[index], ctx.arg_types[index]
            )
        )
    return found


def _signal_expr(ctx: MethodContext) -> Expression | None:
    call = ctx.context
    if isinstance(call, CallExpr) and isinstance(call.callee, MemberExpr):
        return call.callee.expr
    return None


def _literal(expr: Expression | None) -> str | None:
    """A string literal's value, also through a ``Final`` constant that holds one."""
    if isinstance(expr, StrExpr):
        return expr.value
    if isinstance(expr, RefExpr) and isinstance(expr.node, Var):
        value = expr.node.final_value
        return value if isinstance(value, str) else None
    return None


def _is_true(expr: Expression | None) -> bool:
    return isinstance(expr, NameExpr) and expr.fullname == "builtins.True"


def _fullname(expr: Expression | None) -> str | None:
    """The full name of what a name refers to (through re-exports), or None."""
    if isinstance(expr, RefExpr):
        if isinstance(expr.node, Var):
            return expr.node.fullname
        return expr.fullname or None
    return None


def _source(expr: Expression | None) -> str | None:
    if isinstance(expr, NameExpr):
        return expr.name
    if isinstance(expr, MemberExpr):
        base = _source(expr.expr)
        return None if base is None else f"{base}.{expr.name}"
    return None


def _describe(expr: Expression | None) -> str:
    if isinstance(expr, LambdaExpr):
        return "lambda"
    text = _source(expr)
    return f'"{text}"' if text else "the receiver"


def _dropped(expr: Expression | None, local_functions: bool) -> str | None:
    """What kind of receiver ``expr`` is if a weak reference to it dies at once."""
    if isinstance(expr, LambdaExpr):
        return "a lambda"
    if isinstance(expr, CallExpr) and _fullname(expr.callee) == "functools.partial":
        return "a functools.partial"
    if (
        local_functions
        and isinstance(expr, NameExpr)
        and expr.kind == LDEF
        and isinstance(expr.node, FuncDef)
    ):
        return f'the local function "{expr.name}"'
    return None


def _looks_typed(name: str, annotation: Type) -> bool:
    """Whether a receiver's second parameter is a typed-style payload parameter."""
    annotation = get_proper_type(annotation)
    if isinstance(annotation, Instance) and annotation.type.has_base(_fields.BASE_MODEL):
        return True
    return name == "payload"


# -- types -------------------------------------------------------------------------------


def _typed_model(typ: Type) -> _fields.ModelFields | None:
    """The fields of a typed signal's payload model, if the plugin recorded them."""
    signal = get_proper_type(typ)
    if not isinstance(signal, Instance):
        return None
    base = next((info for info in signal.type.mro if info.fullname == SIGNAL), None)
    if base is None:
        return None
    mapped = map_instance_to_supertype(signal, base)
    if len(mapped.args) != 3:
        return None
    model = get_proper_type(mapped.args[2])
    if not isinstance(model, Instance):
        return None
    return _fields.fields_of(model.type)


def _class_of(typ: Type | None) -> TypeInfo | None:
    """The class of a class object type (``type[Model]`` or the class itself)."""
    proper = get_proper_type(typ) if typ is not None else None
    if isinstance(proper, FunctionLike) and proper.is_type_obj():
        return proper.type_object()
    return None


def _with_attrs(ctx: CallContext, typ: Type, name: str | None, model: TypeInfo | None) -> Type:
    proper = get_proper_type(typ)
    if not isinstance(proper, Instance) or (name is None and model is None):
        return typ
    attrs: dict[str, Type] = {}
    if name is not None:
        attrs[NAME_ATTR] = LiteralType(name, ctx.api.named_generic_type("builtins.str", []))
    if model is not None:
        attrs[PAYLOAD_ATTR] = Instance(
            model, [AnyType(TypeOfAny.special_form)] * len(model.type_vars)
        )
    named = proper.copy_modified()
    named.extra_attrs = ExtraAttrs(attrs, set(), None)
    return named


def _extra(typ: Type, key: str) -> ProperType | None:
    proper = get_proper_type(typ)
    if isinstance(proper, Instance) and proper.extra_attrs is not None:
        found = proper.extra_attrs.attrs.get(key)
        return None if found is None else get_proper_type(found)
    return None


def _attr_literal(typ: Type, key: str) -> str | None:
    found = _extra(typ, key)
    if isinstance(found, LiteralType) and isinstance(found.value, str):
        return found.value
    return None


def _attr_class(typ: Type, key: str) -> TypeInfo | None:
    found = _extra(typ, key)
    return found.type if isinstance(found, Instance) else None


def _keywords_of(model: _fields.ModelFields, field: _fields.Field) -> set[str]:
    return {keyword for keyword, owner in model.keywords.items() if owner is field}


def _no_field(
    label: str, model: _fields.ModelFields, keyword: str
) -> tuple[str, _fields.Field | None]:
    """The message for a keyword that fills no field, and the field it may be meant for."""
    field = model.fields.get(keyword)
    if field is not None and field.alias is not None:  # a name where only the alias counts
        message = (
            f'Signal "{label}" takes field "{keyword}" by its alias "{field.alias}" '
            "(the model does not validate by name)"
        )
        return message, field
    guess = difflib.get_close_matches(keyword, sorted(model.keywords), n=1)
    if not guess:
        return f'Signal "{label}" has no field "{keyword}"', None
    return (
        f'Signal "{label}" has no field "{keyword}"; did you mean "{guess[0]}"?',
        model.keywords[guess[0]],
    )


def _extra_positional(ctx: MethodContext) -> bool:
    """Whether the call passes positional arguments after the sender (mypy reports it)."""
    call = ctx.context
    return isinstance(call, CallExpr) and call.arg_kinds.count(ARG_POS) > 1


def _lookup(api: CheckerPluginInterface, fullname: str) -> TypeInfo | None:
    module, _, name = fullname.rpartition(".")
    tree = getattr(api, "modules", {}).get(module)
    symbol = None if tree is None else tree.names.get(name)
    return symbol.node if symbol is not None and isinstance(symbol.node, TypeInfo) else None
