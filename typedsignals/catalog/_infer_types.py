"""What ``typedsignals infer`` can tell of types from syntax alone, and the scopes it
reads names in.

:class:`TypeReader` gives the type of a value expression (a literal, a comparison, a
name annotated or assigned in an enclosing scope, an instance built from a class of the
code base, the result of a function with a return annotation) and rewrites annotations
with the dotted paths of the classes they name. Types are text: ``int``,
``list[shop.models.Order]``, ``flask.Flask``; None means unknown.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Final

__all__ = ["MAX_DEPTH", "Function", "Module", "Scope", "TypeReader", "owner_class"]

MAX_DEPTH: Final = 6
"""How many assignments or references are followed before a name is called unknown."""
_FLASK_APP: Final = "flask.Flask"
_CURRENT_APP: Final = frozenset({"flask.current_app", "flask.globals.current_app"})
_TYPING_ALIASES: Final = {
    "typing.List": "list",
    "typing.Dict": "dict",
    "typing.Set": "set",
    "typing.FrozenSet": "frozenset",
    "typing.Tuple": "tuple",
    "typing.Type": "type",
}
_BUILTIN_TYPES: Final = frozenset(
    {"int", "float", "str", "bool", "bytes", "list", "dict", "set", "frozenset", "tuple"}
    | {"object", "complex", "bytearray", "type"}
)
_BUILTIN_RESULTS: Final = {"len": "int", "repr": "str", "abs": None, "sorted": "list"}


@dataclass
class Module:
    name: str
    shown: str
    tree: ast.Module
    imports: dict[str, str] = field(default_factory=dict)
    """Local name -> the dotted path it is bound to by an import."""
    defined: set[str] = field(default_factory=set)
    """Names bound at module level by assignments, defs and classes."""

    @property
    def package(self) -> str:
        is_package = self.shown.endswith("__init__.py")
        return self.name if is_package else self.name.rpartition(".")[0]


@dataclass
class Scope:
    """A module, class or function body: what its names are annotated or bound to."""

    module: Module
    node: ast.AST
    parent: Scope | None = None
    cls: str | None = None
    """The dotted path of the class whose method this is (what ``self`` is)."""
    annotations: dict[str, ast.expr] = field(default_factory=dict)
    values: dict[str, ast.expr] = field(default_factory=dict)
    functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = field(default_factory=dict)

    @property
    def is_function(self) -> bool:
        return isinstance(self.node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)


Function = ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda


class TypeReader:
    """Types of expressions and annotations, read from the syntax tree.

    The contract with a subclass: it provides ``classes`` (the dotted paths of the code
    base's classes), ``functions`` (dotted path to definition), ``_qualify(expr,
    scope)`` (the dotted path a name or attribute stands for, None for a local
    variable) and ``_module_of(path)`` (the parsed module a path is in). This class
    reads nothing else of it.
    """

    classes: set[str]
    functions: dict[str, Function]

    def _qualify(self, expr: ast.expr, scope: Scope) -> str | None:
        raise NotImplementedError

    def _module_of(self, path: str) -> Module | None:
        raise NotImplementedError

    def _typed(self, expr: ast.expr, scope: Scope) -> tuple[str | None, str]:
        return self._type_of(expr, scope, 0), _short(ast.unparse(expr))

    def _type_of(self, expr: ast.expr, scope: Scope, depth: int) -> str | None:
        """The type of a value expression, when the code says it."""
        if depth > MAX_DEPTH:
            return None
        if isinstance(expr, ast.Constant):
            value = expr.value
            if value is None:
                return "None"
            if value is ...:
                return None
            return type(value).__name__
        if isinstance(expr, ast.JoinedStr):
            return "str"
        if isinstance(expr, ast.Compare) or (
            isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.Not)
        ):
            return "bool"
        if isinstance(expr, ast.List | ast.Set | ast.Tuple):
            kinds = {self._type_of(e, scope, depth + 1) for e in expr.elts}
            head = type(expr).__name__.lower()
            if head == "tuple":
                items = [self._type_of(e, scope, depth + 1) for e in expr.elts]
                return (
                    None if None in items or not items else f"tuple[{', '.join(map(str, items))}]"
                )
            return f"{head}[{kinds.pop()}]" if len(kinds) == 1 and None not in kinds else None
        if isinstance(expr, ast.Dict):
            keys = {self._type_of(k, scope, depth + 1) if k else None for k in expr.keys}
            values = {self._type_of(v, scope, depth + 1) for v in expr.values}
            if len(keys) == 1 and len(values) == 1 and None not in keys | values:
                return f"dict[{keys.pop()}, {values.pop()}]"
            return None
        if isinstance(expr, ast.BinOp):
            left = self._type_of(expr.left, scope, depth + 1)
            right = self._type_of(expr.right, scope, depth + 1)
            return left if left == right and left in ("int", "float", "str") else None
        if isinstance(expr, ast.Name):
            if expr.id in ("self", "cls") and scope.cls:
                return scope.cls if expr.id == "self" else f"type[{scope.cls}]"
            if expr.id == "__name__":
                return "str"
            inner: Scope | None = scope
            while inner is not None:
                if expr.id in inner.annotations:
                    return self._annotation(inner.annotations[expr.id], inner)
                if expr.id in inner.values:
                    return self._type_of(inner.values[expr.id], inner, depth + 1)
                inner = inner.parent
            return None
        if isinstance(expr, ast.Call):
            return self._call_type(expr, scope, depth)
        return None

    def _call_type(self, call: ast.Call, scope: Scope, depth: int) -> str | None:
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr == "_get_current_object":
            owner = self._qualify(func.value, scope)
            return _FLASK_APP if owner in _CURRENT_APP else None
        path = self._qualify(func, scope)
        if path is None:
            return None
        if path in ("flask.Flask", "flask.app.Flask"):
            return _FLASK_APP
        if path in _BUILTIN_TYPES:
            return path
        if path in _BUILTIN_RESULTS:
            return _BUILTIN_RESULTS[path]
        if path in self.classes:
            return path
        function = self.functions.get(path)
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef) and function.returns:
            home = self._module_of(path)
            return self._annotation(function.returns, Scope(home, home.tree) if home else scope)
        return None

    def _annotation(self, node: ast.expr | None, scope: Scope) -> str | None:
        """An annotation as text with dotted class paths, or None if a name in it is
        not known (not imported, not a class of the code base, not a builtin)."""
        if node is None:
            return None
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                parsed = ast.parse(node.value, mode="eval").body
            except SyntaxError:
                return None
            return self._annotation(parsed, scope)
        if isinstance(node, ast.Constant) and node.value is None:
            return "None"
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            left = self._annotation(node.left, scope)
            right = self._annotation(node.right, scope)
            return f"{left} | {right}" if left and right else None
        if isinstance(node, ast.Subscript):
            head = self._annotation(node.value, scope)
            inner = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            args = [self._annotation(e, scope) for e in inner]
            if head is None or None in args:
                return None
            if head == "typing.Optional":
                return f"{args[0]} | None"
            if head == "typing.Union":
                return " | ".join(str(a) for a in args)
            return f"{head}[{', '.join(str(a) for a in args)}]"
        if isinstance(node, ast.List):  # Callable[[int], str]
            items = [self._annotation(e, scope) for e in node.elts]
            return None if None in items else f"[{', '.join(str(i) for i in items)}]"
        if isinstance(node, ast.Constant) and node.value is ...:
            return "..."
        if isinstance(node, ast.Name | ast.Attribute):
            path = self._qualify(node, _module_scope(scope))
            if path is None:
                return _enclosing_class(scope, node)
            return _TYPING_ALIASES.get(path, path)
        return None

    # -- results ----------------------------------------------------------------------


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 40 else text[:37] + "..."


def owner_class(scope: Scope) -> str | None:
    inner: Scope | None = scope
    while inner is not None:
        if inner.cls:
            return inner.cls
        inner = inner.parent
    return None


def _enclosing_class(scope: Scope, node: ast.expr) -> str | None:
    """A class named inside its own body (a method returning its class), by path."""
    owner = owner_class(scope)
    if owner and isinstance(node, ast.Name) and owner.rpartition(".")[2] == node.id:
        return owner
    return None


def _module_scope(scope: Scope) -> Scope:
    while scope.parent is not None:
        scope = scope.parent
    return scope
