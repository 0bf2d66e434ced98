"""The passes of ``typedsignals infer`` over parsed modules: names, declarations, uses.

:class:`Analysis` binds each module's imports and module-level names, finds the
variables holding a blinker ``Namespace``, then the signal declarations, then the send
sites and receivers of each, following names through imports, re-exports, module
attributes and local assignments. Types are worked out from the syntax alone (see
:mod:`._infer` for what becomes of them).
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Final

from ._infer_types import MAX_DEPTH, Function, Module, Scope, TypeReader, owner_class

__all__ = ["TYPED_ELSEWHERE", "Analysis", "Decl", "Module", "Receiver", "Send"]

_SIGNAL_FACTORIES: Final = frozenset({"blinker.signal", "blinker.base.signal"})
"""Functions returning the named signal of blinker's default namespace."""
_NAMESPACE_CLASSES: Final = frozenset(
    {"blinker.Namespace", "blinker.base.Namespace", "flask.signals.Namespace"}
)
_DEFAULT_NAMESPACES: Final = frozenset(
    {"blinker.default_namespace", "blinker.base.default_namespace"}
)
_NAMED_SIGNAL_CLASSES: Final = frozenset({"blinker.NamedSignal", "blinker.base.NamedSignal"})
_SIGNAL_CLASSES: Final = frozenset({"blinker.Signal", "blinker.base.Signal"})
"""blinker's anonymous signal class: its first argument is the doc, not a name."""
_SEND_METHODS: Final = frozenset({"send", "send_async"})
_SEND_OPTIONS: Final = frozenset({"_async_wrapper", "_sync_wrapper"})
"""Keywords of blinker's ``send``/``send_async`` that are not payload fields."""
_CONNECT_METHODS: Final = frozenset({"connect", "connect_via", "connected_to"})
"""How many assignments a name is followed through before its type is called unknown."""


TYPED_ELSEWHERE: Final = {
    "flask.signals": (
        "typedsignals.flask",
        "template_rendered before_render_template request_started request_finished "
        "got_request_exception request_tearing_down appcontext_tearing_down "
        "appcontext_pushed appcontext_popped message_flashed",
    ),
    "flask_login.signals": (
        "typedsignals.flask.login",
        "user_logged_in user_logged_out user_loaded_from_cookie user_loaded_from_request "
        "user_login_confirmed user_unauthorized user_needs_refresh user_accessed "
        "session_protected",
    ),
    "flask_principal": ("typedsignals.flask.principal", "identity_changed identity_loaded"),
    "flask_mail": ("typedsignals.flask.mail", "email_dispatched"),
    "flask_sqlalchemy.track_modifications": (
        "typedsignals.flask.sqlalchemy",
        "models_committed before_models_committed",
    ),
}
"""Raw signals that already have typed declarations here: the raw module, then the
typed module and the attribute names both share (checked against the catalogs by a
test). A code base that uses them gets a pointer instead of a second draft."""
_REEXPORTS: Final = {
    "flask": "flask.signals",
    "flask_login": "flask_login.signals",
    "flask_sqlalchemy": "flask_sqlalchemy.track_modifications",
}
"""Packages that re-export the raw signals of a module of ``TYPED_ELSEWHERE``."""


@dataclass
class Decl:
    key: str
    name: str
    attribute: str | None
    module: str
    site: str
    doc: str
    path: str | None = None
    """Where it is found by import (``pkg.signals.saved``, ``pkg.signals.Cls.saved``)."""
    sends: list[Send] = field(default_factory=list)
    receivers: list[Receiver] = field(default_factory=list)
    order: int = 0


@dataclass
class Send:
    site: str
    sender: tuple[str | None, str]
    """The sender's inferred type (or None) and its source text."""
    kwargs: dict[str, tuple[str | None, str]]
    """Each keyword's inferred type (or None) and its source text."""
    star: bool


@dataclass
class Receiver:
    label: str
    site: str
    reads: dict[str, tuple[str | None, bool]]
    """Each field read: its annotation (or None) and whether the receiver needs it."""
    sender: tuple[str | None, str] | None
    opaque: bool


class Analysis(TypeReader):
    """The passes over the parsed modules: bindings, declarations, uses."""

    def __init__(self, modules: list[Module]) -> None:
        self.modules = {m.name: m for m in modules}
        self.ordered = modules
        self.classes: set[str] = set()
        self.functions: dict[str, Function] = {}
        self.scopes: dict[int, Scope] = {}
        """The scope of each module, class and function node, by ``id``."""
        self.namespaces: set[str] = set()
        self.decls: dict[str, Decl] = {}
        self.by_path: dict[str, Decl] = {}
        self.elsewhere: dict[str, str] = {}
        for raw, (typed, names) in TYPED_ELSEWHERE.items():
            for attr in names.split():
                self.elsewhere[f"{raw}.{attr}"] = f"{typed}.{attr}"
        self.used_elsewhere: dict[str, str] = {}

    def run(self) -> tuple[list[Decl], dict[str, str]]:
        """The declarations found, in order, with their uses; and the raw signals
        used that typedsignals already declares (what the code calls them -> the
        typed path)."""
        for module in self.ordered:
            self._bind(module)
        for module in self.ordered:
            self._find_namespaces(module)
        for module in self.ordered:
            self._declare(module, self._scope(module, module.tree, None), module.tree.body)
        for module in self.ordered:
            self._uses(module, self._scope(module, module.tree, None), module.tree.body)
        return sorted(self.decls.values(), key=lambda d: d.order), self.used_elsewhere

    # -- names ------------------------------------------------------------------------

    def _bind(self, module: Module) -> None:
        """Record the module's imports and module-level names, classes and functions."""
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        module.imports.setdefault(alias.asname, alias.name)
                    else:
                        top = alias.name.partition(".")[0]
                        module.imports.setdefault(top, top)
            elif isinstance(node, ast.ImportFrom):
                base = self._from_base(module, node)
                for alias in node.names:
                    if alias.name != "*":
                        module.imports.setdefault(
                            alias.asname or alias.name, f"{base}.{alias.name}"
                        )
        for node in module.tree.body:
            self._index(module, node, module.name)

    def _index(self, module: Module, node: ast.stmt, prefix: str) -> None:
        top = prefix == module.name
        if isinstance(node, ast.ClassDef):
            if top:
                module.defined.add(node.name)
            self.classes.add(f"{prefix}.{node.name}")
            for item in node.body:
                self._index(module, item, f"{prefix}.{node.name}")
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            if top:
                module.defined.add(node.name)
            self.functions[f"{prefix}.{node.name}"] = node
        elif isinstance(node, ast.Assign | ast.AnnAssign) and top:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            module.defined |= {t.id for t in targets if isinstance(t, ast.Name)}

    @staticmethod
    def _from_base(module: Module, node: ast.ImportFrom) -> str:
        if not node.level:
            return node.module or ""
        parts = module.package.split(".") if module.package else []
        parts = parts[: len(parts) - (node.level - 1)] if node.level > 1 else parts
        return ".".join([*parts, *([node.module] if node.module else [])])

    def _qualify(self, expr: ast.expr, scope: Scope) -> str | None:
        """The dotted path an expression names (``blinker.signal``), or None."""
        if isinstance(expr, ast.Attribute):
            if isinstance(expr.value, ast.Name) and expr.value.id in ("self", "cls"):
                owner = owner_class(scope)
                return f"{owner}.{expr.attr}" if owner else None
            base = self._qualify(expr.value, scope)
            return self._canonical(f"{base}.{expr.attr}") if base else None
        if not isinstance(expr, ast.Name):
            return None
        inner: Scope | None = scope
        while inner is not None and inner.parent is not None:
            if inner.is_function and (expr.id in inner.values or expr.id in inner.annotations):
                return None  # a local variable: followed through its value, not its name
            inner = inner.parent
        module = scope.module
        if expr.id in module.imports:
            return self._canonical(module.imports[expr.id])
        if expr.id in module.defined:
            return f"{module.name}.{expr.id}"
        return expr.id if hasattr(builtins, expr.id) else None

    def _canonical(self, path: str) -> str:
        """Follow re-exports (``pkg.name`` imported into ``pkg/__init__.py``)."""
        for _ in range(MAX_DEPTH):
            head, _, attr = path.rpartition(".")
            module = self.modules.get(head)
            if module is not None and attr in module.imports:
                path = module.imports[attr]
                continue
            if head in _REEXPORTS and f"{_REEXPORTS[head]}.{attr}" in self.elsewhere:
                return f"{_REEXPORTS[head]}.{attr}"
            break
        return path

    # -- declarations -----------------------------------------------------------------

    def _find_namespaces(self, module: Module) -> None:
        """Record the variables holding a ``Namespace`` (module and class level)."""
        scope = Scope(module, module.tree)
        pending: list[tuple[list[ast.stmt], str | None]] = [(module.tree.body, None)]
        while pending:
            body, cls = pending.pop()
            for node in body:
                if isinstance(node, ast.ClassDef):
                    pending.append((node.body, f"{cls or module.name}.{node.name}"))
                elif isinstance(node, ast.Assign) and _is_call_of(
                    node.value, self, scope, _NAMESPACE_CLASSES
                ):
                    for target in node.targets:
                        path = self._target_path(target, module, cls)
                        if path:
                            self.namespaces.add(path)

    def _target_path(self, target: ast.expr, module: Module, cls: str | None) -> str | None:
        if isinstance(target, ast.Name):
            return f"{cls or module.name}.{target.id}"
        if (
            isinstance(target, ast.Attribute)
            and isinstance(target.value, ast.Name)
            and target.value.id in ("self", "cls")
            and cls
        ):
            return f"{cls}.{target.attr}"
        return None

    def _scope(self, module: Module, node: ast.AST, parent: Scope | None) -> Scope:
        """The scope of a module, class or function body, made and filled once."""
        found = self.scopes.get(id(node))
        if found is not None:
            return found
        if isinstance(node, ast.ClassDef):
            assert parent is not None
            scope = Scope(module, node, parent, f"{parent.cls or module.name}.{node.name}")
        else:
            scope = Scope(module, node, parent, parent.cls if parent else None)
        body = getattr(node, "body", [])
        self._fill(scope, body if isinstance(body, list) else [])
        self.scopes[id(node)] = scope
        return scope

    def _declare(self, module: Module, scope: Scope, body: list[ast.stmt]) -> None:
        """Find the declarations of a body (and of the classes and functions in it)."""
        for node in body:
            if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                self._declare(module, self._scope(module, node, scope), node.body)
                continue
            for sub in _statement_bodies(node):
                self._declare(module, scope, sub)
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                found = self._declaration(node.value, scope)
                for target in targets if found is not None else []:
                    assert found is not None
                    decl = self._decl(found, _target_name(target), module, node)
                    path = self._target_path(target, module, scope.cls)
                    if path and not scope.is_function:
                        self.by_path[path] = decl
                        decl.path = decl.path or path
            # A signal met only where it is used (``signal("x").send(...)``) is declared
            # there; one assigned above is found again under the same key.
            for call in _own_calls(node):
                found = self._declaration(call, scope)
                if found is not None:
                    self._decl(found, None, module, call)

    def _fill(self, scope: Scope, body: list[ast.stmt]) -> None:
        """Record what names of a body are annotated and assigned (for type lookups)."""
        if isinstance(scope.node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            args = scope.node.args
            for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
                if arg.annotation is not None:
                    scope.annotations[arg.arg] = arg.annotation
                else:
                    scope.values.setdefault(arg.arg, ast.Constant(value=...))
        for node in _flat(body):
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                scope.annotations[node.target.id] = node.annotation
                if node.value is not None:
                    scope.values[node.target.id] = node.value
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        scope.values[target.id] = node.value
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                scope.functions[node.name] = node

    def _declaration(self, value: ast.expr, scope: Scope) -> tuple[str, str, str] | None:
        """(identity key, signal name, doc) of a signal-making call, or None."""
        if not isinstance(value, ast.Call):
            return None
        func = value.func
        path = self._qualify(func, scope)
        doc = _doc_argument(value)
        name = _name_argument(value)
        if path in _SIGNAL_FACTORIES and name:
            return f"signal:{name}", name, doc
        if path in _NAMED_SIGNAL_CLASSES and name:
            return f"named:{id(value)}", name, doc
        if path in _SIGNAL_CLASSES:
            anonymous = value.args[0] if value.args else None
            text = _string_value(anonymous) or doc
            return f"anonymous:{id(value)}", "", text
        if isinstance(func, ast.Attribute) and func.attr == "signal" and name:
            owner = func.value
            if _is_call_of(owner, self, scope, _NAMESPACE_CLASSES):
                return f"named:{id(value)}", name, doc
            owner_path = self._qualify(owner, scope)
            if owner_path in _DEFAULT_NAMESPACES:
                return f"signal:{name}", name, doc
            if owner_path in self.namespaces:
                return f"ns:{owner_path}:{name}", name, doc
        return None

    def _decl(
        self, found: tuple[str, str, str], attribute: str | None, module: Module, node: ast.AST
    ) -> Decl:
        key, name, doc = found
        decl = self.decls.get(key)
        if decl is None:
            decl = Decl(
                key,
                name or attribute or "signal",
                attribute,
                module.name,
                f"{module.shown}:{getattr(node, 'lineno', 0)}",
                doc,
                order=len(self.decls),
            )
            self.decls[key] = decl
        elif decl.attribute is None:
            decl.attribute = attribute
        return decl

    # -- sends and receivers ----------------------------------------------------------

    def _signal_of(self, expr: ast.expr, scope: Scope, depth: int = 0) -> Decl | str | None:
        """The declaration an expression refers to; for a raw signal typedsignals
        already declares, its typed path; else None."""
        if depth > MAX_DEPTH:
            return None
        if isinstance(expr, ast.Name):
            value = _local_value(scope, expr.id)
            if value is not None:
                return self._signal_of(value, scope, depth + 1)
        found = self._declaration(expr, scope)
        if found is not None:
            return self.decls.get(found[0])
        path = self._qualify(expr, scope)
        if path is None:
            return None
        if path in self.by_path:
            return self.by_path[path]
        if path in self.elsewhere:
            return self.elsewhere[path]
        return None

    def _uses(self, module: Module, scope: Scope, body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                self._decorated_receiver(node, scope)
            if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                self._uses(module, self._scope(module, node, scope), node.body)
                continue
            for sub in _statement_bodies(node):
                self._uses(module, scope, sub)
            for call in _own_calls(node):
                self._call(call, scope)

    def _call(self, call: ast.Call, scope: Scope) -> None:
        func = call.func
        if not isinstance(func, ast.Attribute):
            return
        if func.attr in _SEND_METHODS:
            target = self._signal_of(func.value, scope)
            if isinstance(target, Decl):
                target.sends.append(self._send(call, scope))
            elif isinstance(target, str):
                self.used_elsewhere[_dotted(func.value)] = target
        elif func.attr in ("connect", "connected_to") and call.args:
            target = self._signal_of(func.value, scope)
            if isinstance(target, str):
                self.used_elsewhere[_dotted(func.value)] = target
            elif isinstance(target, Decl):
                sender = call.args[1] if len(call.args) > 1 else _keyword(call, "sender")
                receiver = self._receiver(call.args[0], scope, sender, call)
                if receiver is not None:
                    target.receivers.append(receiver)

    def _decorated_receiver(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, scope: Scope
    ) -> None:
        for decorator in node.decorator_list:
            sender: ast.expr | None = None
            signal_expr: ast.expr
            if isinstance(decorator, ast.Attribute) and decorator.attr == "connect":
                signal_expr = decorator.value
            elif (
                isinstance(decorator, ast.Call)
                and isinstance(decorator.func, ast.Attribute)
                and decorator.func.attr in ("connect", "connect_via")
            ):
                signal_expr = decorator.func.value
                if decorator.func.attr == "connect_via":
                    sender = decorator.args[0] if decorator.args else _keyword(decorator, "sender")
                else:
                    sender = _keyword(decorator, "sender")
            else:
                continue
            target = self._signal_of(signal_expr, scope)
            if isinstance(target, str):
                self.used_elsewhere[_dotted(signal_expr)] = target
            elif isinstance(target, Decl):
                inner = self._scope(scope.module, node, scope)
                target.receivers.append(self._reads(node, inner, sender, scope))

    def _receiver(
        self, expr: ast.expr, scope: Scope, sender: ast.expr | None, call: ast.Call
    ) -> Receiver | None:
        function = self._function_of(expr, scope)
        if function is None:
            return Receiver(
                f"{_dotted(expr)} at {scope.module.shown}:{call.lineno}",
                f"{scope.module.shown}:{call.lineno}",
                {},
                self._typed(sender, scope) if sender is not None else None,
                opaque=True,
            )
        return self._reads(function, self._scope(scope.module, function, scope), sender, scope)

    def _function_of(self, expr: ast.expr, scope: Scope) -> Function | None:
        """The function a receiver expression names: a lambda, a function of an
        enclosing scope, a method (``self.on_x``) or a function of another module."""
        if isinstance(expr, ast.Lambda):
            return expr
        if isinstance(expr, ast.Name):
            inner: Scope | None = scope
            while inner is not None:
                if expr.id in inner.functions:
                    return inner.functions[expr.id]
                inner = inner.parent
        path = self._qualify(expr, scope)
        return self.functions.get(path) if path else None

    def _module_of(self, path: str) -> Module | None:
        while path:
            if path in self.modules:
                return self.modules[path]
            path = path.rpartition(".")[0]
        return None

    def _reads(
        self, node: Function, scope: Scope, sender: ast.expr | None, where: Scope
    ) -> Receiver:
        """The fields a receiver function reads and the annotations it gives them."""
        args = node.args
        positional = [*args.posonlyargs, *args.args]
        # A function defined in a class body, not one nested in a method.
        is_method = (
            scope.parent is not None
            and isinstance(scope.parent.node, ast.ClassDef)
            and not isinstance(node, ast.Lambda)
            and not any(
                isinstance(d, ast.Name) and d.id == "staticmethod" for d in node.decorator_list
            )
        )
        if is_method and positional and positional[0].arg in ("self", "cls"):
            positional = positional[1:]
        sender_arg, rest = (positional[0], positional[1:]) if positional else (None, [])
        defaults = len(args.defaults)
        reads: dict[str, tuple[str | None, bool]] = {}
        for index, arg in enumerate(rest):
            has_default = index >= len(rest) - defaults
            reads[arg.arg] = (self._annotation(arg.annotation, scope), not has_default)
        for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
            reads[arg.arg] = (self._annotation(arg.annotation, scope), default is None)
        opaque = False
        if args.kwarg is not None and not isinstance(node, ast.Lambda):
            found, opaque = _kwargs_reads(node, args.kwarg.arg)
            for key, needed in found.items():
                if key not in reads:
                    reads[key] = (None, needed)
        name = getattr(node, "name", "<lambda>")
        owner = scope.cls if scope.cls and scope.node is node else None
        label = f"{owner.rpartition('.')[2]}.{name}" if is_method and owner else name
        site = f"{scope.module.shown}:{node.lineno}"
        sender_guess: tuple[str | None, str] | None = None
        if sender is not None:
            sender_guess = self._typed(sender, where)
        elif sender_arg is not None and sender_arg.annotation is not None:
            sender_guess = (
                self._annotation(sender_arg.annotation, scope),
                ast.unparse(sender_arg.annotation),
            )
        return Receiver(f"{label} at {site}", site, reads, sender_guess, opaque)

    def _send(self, call: ast.Call, scope: Scope) -> Send:
        site = f"{scope.module.shown}:{call.lineno}"
        sender_expr = call.args[0] if call.args else _keyword(call, "sender")
        sender = self._typed(sender_expr, scope) if sender_expr is not None else ("None", "None")
        kwargs = {
            k.arg: self._typed(k.value, scope)
            for k in call.keywords
            if k.arg is not None and k.arg not in _SEND_OPTIONS and k.arg != "sender"
        }
        star = any(k.arg is None for k in call.keywords)
        return Send(site, sender, kwargs, star)

    # -- types ------------------------------------------------------------------------


# -- helpers -----------------------------------------------------------------------------


def _dotted(expr: ast.expr) -> str:
    return ast.unparse(expr)


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _string_value(expr: ast.expr | None) -> str:
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value
    return ""


def _name_argument(call: ast.Call) -> str:
    return _string_value(call.args[0] if call.args else _keyword(call, "name"))


def _doc_argument(call: ast.Call) -> str:
    positional = call.args[1] if len(call.args) > 1 else None
    return _string_value(_keyword(call, "doc") or positional)


def _target_name(target: ast.expr) -> str | None:
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Attribute):
        return target.attr
    return None


def _is_call_of(value: ast.expr, analysis: Analysis, scope: Scope, paths: frozenset[str]) -> bool:
    return isinstance(value, ast.Call) and analysis._qualify(value.func, scope) in paths


def _local_value(scope: Scope, name: str) -> ast.expr | None:
    inner: Scope | None = scope
    while inner is not None and inner.parent is not None:
        if inner.is_function and name in inner.values:
            return inner.values[name]
        inner = inner.parent
    return None


def _statement_bodies(node: ast.stmt) -> list[list[ast.stmt]]:
    """The nested statement lists of a compound statement (if, for, with, try...)."""
    bodies: list[list[ast.stmt]] = []
    for name in ("body", "orelse", "finalbody"):
        value = getattr(node, name, None)
        if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
            bodies.append(value)
    for handler in getattr(node, "handlers", []):
        bodies.append(handler.body)
    for case in getattr(node, "cases", []):
        bodies.append(case.body)
    return bodies


def _flat(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements of a body and of its compound statements, not of nested defs."""
    for node in body:
        yield node
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            for sub in _statement_bodies(node):
                yield from _flat(sub)


def _own_calls(node: ast.stmt) -> Iterator[ast.Call]:
    """The calls in a simple statement, or in the header of a compound one."""
    if _statement_bodies(node):
        parts: list[ast.AST] = [
            getattr(node, name)
            for name in ("test", "iter", "target", "subject")
            if getattr(node, name, None) is not None
        ]
        parts += [item.context_expr for item in getattr(node, "items", [])]
        for part in parts:
            yield from (n for n in ast.walk(part) if isinstance(n, ast.Call))
        return
    yield from _calls(node)


def _calls(node: ast.AST) -> Iterator[ast.Call]:
    """The calls in an expression or statement, lambdas' bodies included."""
    for child in ast.walk(node):
        if isinstance(child, ast.Call):
            yield child


def _kwargs_reads(node: Function, kwarg: str) -> tuple[dict[str, bool], bool]:
    """The keys a receiver reads from its ``**kwarg`` dict, each with whether it must
    be there (``kw["k"]``) or may be missing (``kw.get("k")``, ``"k" in kw``); and
    whether the dict is used in another way (passed on, iterated)."""
    keys: dict[str, bool] = {}
    handled: set[int] = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Subscript) and _is_name(child.value, kwarg):
            key = _string_value(child.slice)
            if key:
                keys[key] = keys.get(key, False) or isinstance(child.ctx, ast.Load)
                handled.add(id(child.value))
        elif (
            isinstance(child, ast.Call)
            and isinstance(child.func, ast.Attribute)
            and _is_name(child.func.value, kwarg)
            and child.func.attr in ("get", "pop", "setdefault")
            and child.args
            and _string_value(child.args[0])
        ):
            keys.setdefault(_string_value(child.args[0]), False)
            handled.add(id(child.func.value))
        elif (
            isinstance(child, ast.Compare)
            and len(child.comparators) == 1
            and _is_name(child.comparators[0], kwarg)
            and _string_value(child.left)
        ):
            keys.setdefault(_string_value(child.left), False)
            handled.add(id(child.comparators[0]))
    uses = [
        n
        for n in ast.walk(node)
        if isinstance(n, ast.Name) and n.id == kwarg and isinstance(n.ctx, ast.Load)
    ]
    opaque = any(id(n) not in handled for n in uses)
    return keys, opaque


def _is_name(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name
