"""How a pydantic model validates keyword arguments, as far as mypy can see it.

Semantic analysis records, per model class, its own fields (alias, default) and its
configuration (``extra``, validation by name or alias) in the class's mypy metadata,
which mypy keeps in its cache: a later run that loads the model from the cache sees the
same facts. Checks then merge a model's record with its bases' (:func:`fields_of`).

The record is read from the class body's syntax, which is all there is when mypy
computes a class's MRO (the hook every plugin gets, whatever the order of plugins).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any, Final

from mypy.nodes import (
    ARG_POS,
    AssignmentStmt,
    CallExpr,
    DictExpr,
    EllipsisExpr,
    Expression,
    MemberExpr,
    NameExpr,
    StrExpr,
    TempNode,
    TypeInfo,
    Var,
)
from mypy.plugin import ClassDefContext
from mypy.types import AnyType, RawExpressionType, Type, TypeOfAny, UnboundType

METADATA_KEY: Final = "typedsignals"
"""The key of our record in ``TypeInfo.metadata``."""
BASE_MODEL: Final = "pydantic.main.BaseModel"
_CONFIG_KEYS: Final = frozenset(
    {"extra", "populate_by_name", "validate_by_name", "validate_by_alias", "alias_generator"}
)


@dataclass(frozen=True)
class Field:
    """One field of a model, as a send's keywords meet it."""

    name: str
    type: Type
    required: bool
    alias: str | None
    dynamic_alias: bool


@dataclass(frozen=True)
class ModelFields:
    """The fields of a model and the rules pydantic applies to keyword arguments."""

    fields: dict[str, Field]
    extra: str  # "allow", "ignore" or "forbid"
    by_name: bool
    by_alias: bool
    dynamic: bool = False  # an alias that is not a literal: unknown keywords may match it
    keywords: dict[str, Field] = field(default_factory=dict)

    def field_for(self, keyword: str) -> Field | None:
        """The field a keyword argument fills, or None if it fills none."""
        return self.keywords.get(keyword)


def record_model(ctx: ClassDefContext) -> None:
    """Record the fields and configuration a model class declares itself."""
    info = ctx.cls.info
    if info.fullname == BASE_MODEL or not info.has_base(BASE_MODEL):
        return
    fields: dict[str, dict[str, Any]] = {}
    config: dict[str, Any] = {}
    annotated: dict[str, dict[str, Any]] | None = None
    for keyword, value in ctx.cls.keywords.items():
        _config_item(config, keyword, value)
    for stmt in ctx.cls.defs.body:
        if not (isinstance(stmt, AssignmentStmt) and len(stmt.lvalues) == 1):
            continue
        target = stmt.lvalues[0]
        if not isinstance(target, NameExpr):
            continue
        if target.name == "model_config":
            _read_config(config, stmt.rvalue)
            continue
        annotation = stmt.unanalyzed_type or stmt.type
        if annotation is None or target.name.startswith("_") or _is_class_var(annotation):
            continue
        fields[target.name] = _read_field(stmt.rvalue)
        if _opaque_metadata(annotation):
            # Annotated[str, Field(alias=...)]: mypy keeps no trace of the call, so it is
            # read from the source; what cannot be read makes the field's keywords unknown.
            if annotated is None:
                annotated = _annotated_fields(ctx)
            found = annotated.get(target.name)
            if found is None:
                fields[target.name]["dynamic_alias"] = True
            else:
                fields[target.name] = _merge(fields[target.name], found)
    info.metadata[METADATA_KEY] = {"fields": fields, "config": config}


def fields_of(info: TypeInfo) -> ModelFields | None:
    """The fields of a recorded model, its bases' included; None if it was not recorded."""
    if METADATA_KEY not in info.metadata:
        return None
    raw: dict[str, dict[str, Any]] = {}
    config: dict[str, Any] = {}
    for base in reversed(info.mro):
        record = base.metadata.get(METADATA_KEY)
        if record is not None:
            raw.update(record["fields"])
            config.update(record["config"])
    by_name = bool(config.get("validate_by_name") or config.get("populate_by_name"))
    by_alias = config.get("validate_by_alias", True) is not False
    generated = bool(config.get("alias_generator"))
    fields: dict[str, Field] = {}
    keywords: dict[str, Field] = {}
    for name, data in raw.items():
        dynamic = generated or data["dynamic_alias"]
        made = Field(name, _type_of(info, name), not data["default"], data["alias"], dynamic)
        fields[name] = made
        if made.alias is not None and by_alias:
            keywords[made.alias] = made
        if (made.alias is None and not dynamic) or by_name:
            keywords[name] = made
    return ModelFields(
        fields=fields,
        extra=str(config.get("extra", "ignore")),
        by_name=by_name,
        by_alias=by_alias,
        dynamic=any(f.dynamic_alias for f in fields.values()),
        keywords=keywords,
    )


def _type_of(info: TypeInfo, name: str) -> Type:
    symbol = info.get(name)
    if symbol is not None and isinstance(symbol.node, Var) and symbol.node.type is not None:
        return symbol.node.type
    return AnyType(TypeOfAny.unannotated)


def _is_class_var(annotation: Type) -> bool:
    return isinstance(annotation, UnboundType) and annotation.name.split(".")[-1] == "ClassVar"


def _opaque_metadata(annotation: Type) -> bool:
    """Whether ``Annotated[...]`` carries metadata mypy did not keep (a call, a name)."""
    if not (isinstance(annotation, UnboundType) and annotation.name.endswith("Annotated")):
        return False
    return any(
        not (isinstance(arg, RawExpressionType) and arg.literal_value is not None)
        for arg in annotation.args[1:]
    )


def _annotated_fields(ctx: ClassDefContext) -> dict[str, dict[str, Any]]:
    """Alias and default given by ``Field(...)`` inside ``Annotated[...]``, from the source."""
    path = getattr(getattr(ctx.api, "cur_mod_node", None), "path", None)
    try:
        with open(path or "", encoding="utf-8") as file:
            tree = ast.parse(file.read())
    except (OSError, SyntaxError, ValueError):
        return {}
    found: dict[str, dict[str, Any]] = {}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.ClassDef)
            and node.name == ctx.cls.name
            and node.lineno == ctx.cls.line
        ):
            for item in node.body:
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    metadata = _annotated_field_call(item.annotation)
                    if metadata is not None:
                        found[item.target.id] = metadata
    return found


def _annotated_field_call(annotation: ast.expr) -> dict[str, Any] | None:
    if not (isinstance(annotation, ast.Subscript) and isinstance(annotation.slice, ast.Tuple)):
        return None
    record: dict[str, Any] = {"default": False, "alias": None, "dynamic_alias": False}
    for element in annotation.slice.elts[1:]:
        if isinstance(element, ast.Call) and _ast_name(element.func) == "Field":
            keywords = {k.arg: k.value for k in element.keywords if k.arg is not None}
            if element.args or "default" in keywords or "default_factory" in keywords:
                record["default"] = True
            alias = keywords.get("validation_alias", keywords.get("alias"))
            if isinstance(alias, ast.Constant) and isinstance(alias.value, str):
                record["alias"] = alias.value
            elif alias is not None:
                record["dynamic_alias"] = True
        elif not isinstance(element, ast.Constant):
            record["dynamic_alias"] = True  # a FieldInfo in a variable, say: cannot tell
    return record


def _ast_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    return node.attr if isinstance(node, ast.Attribute) else None


def _merge(declared: dict[str, Any], annotated: dict[str, Any]) -> dict[str, Any]:
    return {
        "default": declared["default"] or annotated["default"],
        "alias": declared["alias"] or annotated["alias"],
        "dynamic_alias": declared["dynamic_alias"] or annotated["dynamic_alias"],
    }


def _read_field(rvalue: Expression) -> dict[str, Any]:
    """Default and alias of one field, from what it is assigned."""
    if isinstance(rvalue, TempNode):  # `name: int` with no value
        return {"default": False, "alias": None, "dynamic_alias": False}
    if not (isinstance(rvalue, CallExpr) and _callee_name(rvalue) == "Field"):
        return {"default": True, "alias": None, "dynamic_alias": False}
    default = False
    alias: str | None = None
    dynamic = False
    validation_alias: Expression | None = None
    for kind, name, value in zip(rvalue.arg_kinds, rvalue.arg_names, rvalue.args):
        if kind == ARG_POS or name == "default":
            default = default or not isinstance(value, EllipsisExpr)
        elif name == "default_factory":
            default = True
        elif name == "validation_alias":
            validation_alias = value
        elif name == "alias":
            alias, dynamic = _literal_alias(value)
    if validation_alias is not None:  # validation uses it instead of alias
        alias, dynamic = _literal_alias(validation_alias)
    return {"default": default, "alias": alias, "dynamic_alias": dynamic}


def _literal_alias(value: Expression) -> tuple[str | None, bool]:
    if isinstance(value, StrExpr):
        return value.value, False
    if isinstance(value, NameExpr) and value.name == "None":
        return None, False
    return None, True  # AliasChoices, AliasPath, a variable: not known before run time


def _callee_name(call: CallExpr) -> str | None:
    callee = call.callee
    if isinstance(callee, (NameExpr, MemberExpr)):
        return callee.name
    return None


def _read_config(config: dict[str, Any], rvalue: Expression) -> None:
    if isinstance(rvalue, CallExpr):  # ConfigDict(extra="allow", ...)
        for name, value in zip(rvalue.arg_names, rvalue.args):
            if name is not None:
                _config_item(config, name, value)
    elif isinstance(rvalue, DictExpr):  # {"extra": "allow", ...}
        for key, value in rvalue.items:
            if isinstance(key, StrExpr):
                _config_item(config, key.value, value)


def _config_item(config: dict[str, Any], key: str, value: Expression) -> None:
    if key not in _CONFIG_KEYS:
        return
    if key == "alias_generator":
        config[key] = not (isinstance(value, NameExpr) and value.name == "None")
    elif isinstance(value, StrExpr):
        config[key] = value.value
    elif isinstance(value, NameExpr) and value.name in ("True", "False"):
        config[key] = value.name == "True"
    elif isinstance(value, MemberExpr) and key == "extra":  # Extra.allow, a deprecated spelling
        config[key] = value.name
