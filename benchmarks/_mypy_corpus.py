"""A generated application that declares, sends and receives typed signals, for mypy to check.

:func:`render` returns the source of ``modules`` modules of a package called ``shopapp``
(a shop back office): one core module with the sender class, a few *event* modules that
declare payload models and signals, and many *feature* modules that import them, connect
receivers, send, and do the ordinary work of an application (dataclasses, loops, parsing).
The mypy plugin benchmark (:mod:`benchmarks.mypy_plugin`) times mypy over it, so it holds
every construct the plugin looks at, in the proportions of real code rather than a
micro-benchmark's:

* payload models with ``int``, ``str``, ``float``, optional, enum, nested-model, list and
  aliased (``Field(alias=...)``) fields;
* signals declared with ``Signal(...)``, ``Namespace.signal(...)`` and the module-level
  ``signal(...)``, most with ``sender=App``, plus one without a payload model per module;
* receivers connected with ``@signal.connect``, ``@signal.connect_via(ANY, priority=...)``,
  ``signal.connect(function, sender=...)`` and bound methods with ``priority=``;
* sends with ``send`` (in loops), ``send_payload`` with a prebuilt model, and
  ``await send_async``.

The output depends only on ``modules`` and ``seed``. Every module is clean under
``mypy --strict``, with or without the ``typedsignals.mypy`` and ``pydantic.mypy`` plugins
(``tests/test_benchmark_mypy.py`` checks this on a small corpus), and the package imports
at run time.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "MIN_MODULES",
    "PACKAGE",
    "Domain",
    "Event",
    "FieldSpec",
    "domain_count",
    "generate",
    "plan",
    "render",
]

PACKAGE = "shopapp"
"""The generated package's name (a directory of that name is written)."""
MIN_MODULES = 4
"""The core module, two event modules and one feature module."""

_DOMAINS = (
    ("orders", "order"),
    ("billing", "invoice"),
    ("accounts", "account"),
    ("inventory", "item"),
    ("shipping", "shipment"),
    ("catalog", "product"),
    ("reviews", "review"),
    ("messaging", "message"),
    ("reports", "report"),
    ("payments", "payment"),
    ("returns", "refund"),
    ("loyalty", "reward"),
    ("support", "ticket"),
    ("pricing", "price"),
    ("media", "asset"),
    ("scheduling", "slot"),
)
_VERBS = ("created", "updated", "archived", "approved", "rejected", "exported", "imported")
_STATUSES = ("ACTIVE", "PENDING", "CLOSED", "FAILED", "DRAFT")
_ROLES = ("sync", "audit", "export", "notify", "report", "cleanup", "metrics", "webhooks")
_LAYERS = ("services", "handlers", "jobs")
_STYLES = ("Signal", "namespace", "signal")
_OPTIONAL_KINDS = ("float", "optional", "enum", "nested", "list", "alias", "count")


@dataclass(frozen=True)
class FieldSpec:
    """One field of a payload model: how it is declared and how a send passes it."""

    name: str
    kind: str
    """``int``, ``str``, ``float``, ``optional``, ``enum``, ``nested``, ``list``,
    ``alias`` or ``count`` (an ``int`` with a default)."""
    annotation: str
    default: str | None
    """The source after ``=`` in the class body, or ``None`` for a required field."""
    keyword: str
    """The keyword that ``send`` takes for it: the alias for an aliased field."""


@dataclass(frozen=True)
class Event:
    """One signal of an event module, and its payload model (none for a bare signal)."""

    variable: str
    name: str
    model: str | None
    style: str
    """How it is declared: ``Signal``, ``namespace`` (``Namespace.signal``) or ``signal``."""
    sender: bool
    """Declared with ``sender=App``; otherwise any sender (the feature modules send a
    string naming themselves)."""
    doc: str
    fields: tuple[FieldSpec, ...] = ()


@dataclass(frozen=True)
class Domain:
    """An event module: an enum, a nested model, and the events it declares."""

    name: str
    entity: str
    statuses: tuple[str, ...]
    """The enum's members; the first, ``ACTIVE``, is the one sends use."""
    events: tuple[Event, ...]

    @property
    def module(self) -> str:
        """The dotted module name that feature modules import."""
        return f"{PACKAGE}.events.{self.name}"

    @property
    def status(self) -> str:
        """The name of the domain's enum."""
        return f"{_camel(self.entity)}Status"

    @property
    def ref(self) -> str:
        """The name of the domain's nested model."""
        return f"{_camel(self.entity)}Ref"


def _camel(word: str) -> str:
    return "".join(part.capitalize() for part in word.split("_"))


def domain_count(modules: int) -> int:
    """How many event modules a corpus of ``modules`` modules has: about one in twenty."""
    if modules < MIN_MODULES:
        raise ValueError(f"a corpus needs at least {MIN_MODULES} modules, not {modules}")
    return min(max(2, modules // 20), modules - 2)


def _field(entity: str, kind: str) -> FieldSpec:
    status, ref = f"{_camel(entity)}Status", f"{_camel(entity)}Ref"
    specs = {
        "int": FieldSpec(f"{entity}_id", "int", "int", None, f"{entity}_id"),
        "str": FieldSpec("title", "str", "str", None, "title"),
        "float": FieldSpec("amount", "float", "float", None, "amount"),
        "optional": FieldSpec("note", "optional", "str | None", "None", "note"),
        "enum": FieldSpec("status", "enum", status, None, "status"),
        "nested": FieldSpec("ref", "nested", ref, None, "ref"),
        "list": FieldSpec("tags", "list", "list[str]", "Field(default_factory=list)", "tags"),
        "alias": FieldSpec(
            "external_code", "alias", "str", 'Field(alias="externalCode")', "externalCode"
        ),
        "count": FieldSpec("attempts", "count", "int", "1", "attempts"),
    }
    return specs[kind]


def plan(modules: int = 200, seed: int = 0) -> tuple[Domain, ...]:
    """The event modules of a corpus: their names, signals and payload fields."""
    rng = random.Random(seed)
    domains = []
    for index in range(domain_count(modules)):
        name, entity = _DOMAINS[index % len(_DOMAINS)]
        if index >= len(_DOMAINS):  # more domains than names: number the repeats
            round_ = index // len(_DOMAINS) + 1
            name, entity = f"{name}{round_}", f"{entity}{round_}"
        events = []
        verbs = rng.sample(_VERBS, rng.randint(3, 5))
        for position, verb in enumerate(verbs):
            if position == 0:  # the first model has every kind of field
                kinds = list(_OPTIONAL_KINDS)
            else:
                kinds = rng.sample(_OPTIONAL_KINDS, rng.randint(1, 4))
                kinds.sort(key=_OPTIONAL_KINDS.index)
            fields = tuple(_field(entity, kind) for kind in ("int", "str", *kinds))
            events.append(
                Event(
                    variable=f"{entity}_{verb}",
                    name=f"{name}.{entity}-{verb}",
                    model=f"{_camel(entity)}{verb.capitalize()}",
                    style=_STYLES[(index + position) % len(_STYLES)],
                    sender=position % 4 != 3,
                    doc=f"A {entity} was {verb}.",
                    fields=fields,
                )
            )
        events.append(
            Event(
                variable=f"{name}_flushed",
                name=f"{name}.flushed",
                model=None,
                style="Signal",
                sender=True,
                doc=f"The {name} queue was flushed.",
            )
        )
        statuses = ("ACTIVE", *rng.sample(_STATUSES[1:], 2))
        domains.append(Domain(name, entity, statuses, tuple(events)))
    return tuple(domains)


# -- the core and event modules ------------------------------------------------------

_INIT = '"""{doc}"""\n'

_CORE = '''\
"""The application object every signal is sent from, and the records features work on."""

from __future__ import annotations

from dataclasses import dataclass, field


class App:
    """The running application: the sender of most signals."""

    def __init__(self, name: str, settings: dict[str, str] | None = None) -> None:
        self.name = name
        self.settings = dict(settings or {})

    def setting(self, key: str, default: str = "") -> str:
        """A setting's value, or ``default``."""
        return self.settings.get(key, default)

    def __repr__(self) -> str:
        return f"App({self.name!r})"


DEFAULT_APP = App("shop", {"region": "eu", "currency": "EUR"})


@dataclass
class Record:
    """One row of whatever a feature processes."""

    id: int
    name: str
    amount: float
    tags: list[str] = field(default_factory=list)

    def label(self) -> str:
        """A short human-readable label."""
        return f"#{self.id} {self.name}"
'''


def _event_module(domain: Domain) -> str:
    lines = [
        f'"""Events of the {domain.name} domain: payload models and their signals."""',
        "",
        "from __future__ import annotations",
        "",
        "import enum",
        "",
        "from pydantic import Field",
        "",
        "from typedsignals import Namespace, Payload, Signal, signal",
        "",
        f"from {PACKAGE}.core import App",
        "",
        f'namespace = Namespace("{domain.name}")',
        "",
        "",
        f"class {domain.status}(enum.Enum):",
        f'    """Where one {domain.entity} stands."""',
        "",
        *(f'    {member} = "{member.lower()}"' for member in domain.statuses),
        "",
        "",
        f"class {domain.ref}(Payload):",
        f'    """A reference to one {domain.entity}, nested in the payloads."""',
        "",
        "    id: int",
        "    label: str",
    ]
    for event in domain.events:
        if event.model is None:
            continue
        lines += [
            "",
            "",
            f"class {event.model}(Payload):",
            f'    """Payload of ``{event.name}``."""',
            "",
        ]
        for spec in event.fields:
            default = "" if spec.default is None else f" = {spec.default}"
            lines.append(f"    {spec.name}: {spec.annotation}{default}")
    lines += ["", ""]
    for event in domain.events:
        arguments = [f'"{event.name}"']
        if event.model is not None:
            arguments.append(event.model)
        if event.sender:
            arguments.append("sender=App")
        if event.style == "Signal":
            arguments.append(f'doc="{event.doc}"')
        factory = {"Signal": "Signal", "namespace": "namespace.signal", "signal": "signal"}
        lines.append(f"{event.variable} = {factory[event.style]}({', '.join(arguments)})")
    return "\n".join(lines) + "\n"


# -- the feature modules --------------------------------------------------------------


class _Feature:
    """The source of one feature module, built up part by part."""

    def __init__(self, module: str, rng: random.Random) -> None:
        self.module = module
        self.rng = rng
        self.imports: dict[str, set[str]] = {}
        self.parts: list[str] = []
        self.aliases: dict[str, str] = {}

    def need(self, module: str, name: str) -> str:
        self.imports.setdefault(module, set()).add(name)
        return name

    def events_of(self, domain: Domain) -> str:
        alias = f"{domain.name}_events"
        self.aliases[domain.module] = alias
        return alias

    def value(self, domain: Domain, spec: FieldSpec, record: str) -> str:
        rng = self.rng
        if spec.kind in ("int", "count"):
            return rng.choice((f"{record}.id", f"{record}.id + {rng.randint(1, 99)}", "len(batch)"))
        if spec.kind == "str":
            return rng.choice((f"{record}.name", f'f"{{{record}.name}}-{rng.randint(1, 9)}"'))
        if spec.kind == "float":
            return rng.choice((f"{record}.amount", f"{record}.amount * {rng.randint(2, 9)}.5"))
        if spec.kind == "optional":
            return rng.choice(("None", f"{record}.name or None", f'"{domain.entity} note"'))
        if spec.kind == "enum":
            return f"{self.need(domain.module, domain.status)}.{domain.statuses[0]}"
        if spec.kind == "nested":
            return f"{self.need(domain.module, domain.ref)}(id={record}.id, label={record}.label())"
        if spec.kind == "list":
            return rng.choice((f"list({record}.tags)", f"[{record}.name, {self.module!r}]"))
        return f'f"EXT-{{{record}.id:06d}}"'  # alias

    def keywords(self, domain: Domain, event: Event, record: str) -> str:
        parts = []
        for spec in event.fields:
            if spec.default is not None and spec.kind != "alias" and self.rng.random() < 0.4:
                continue  # optional fields are often left out
            parts.append(f"{spec.keyword}={self.value(domain, spec, record)}")
        return ", ".join(parts)

    def sender_of(self, event: Event) -> str:
        return "app" if event.sender else f'"{self.module}"'

    def receiver_body(self, domain: Domain, event: Event) -> list[str]:
        lines = []
        for spec in event.fields:
            access = f"payload.{spec.name}"
            if spec.kind in ("int", "count"):
                lines.append(
                    f"    _counts[{spec.name!r}] = _counts.get({spec.name!r}, 0) + {access}"
                )
            elif spec.kind in ("str", "alias"):
                lines.append(f"    _log.append({access}.upper())")
            elif spec.kind == "float":
                lines.append(f"    _totals.append(round({access}, 2))")
            elif spec.kind == "optional":
                lines += [f"    if {access} is not None:", f"        _log.append({access})"]
            elif spec.kind == "enum":
                lines.append(f"    _log.append({access}.value)")
            elif spec.kind == "nested":
                lines.append(f'    _log.append(f"{{{access}.id}}:{{{access}.label}}")')
            else:
                lines.append(f"    _log.extend(tag for tag in {access} if tag)")
        if not lines:  # a bare signal: only the sender is known
            lines.append("    _log.append(repr(sender))")
        return lines

    def payload_type(self, domain: Domain, event: Event) -> str:
        if event.model is None:
            return self.need("typedsignals", "EmptyPayload")
        return self.need(domain.module, event.model)

    def sender_type(self, event: Event) -> str:
        return self.need(f"{PACKAGE}.core", "App") if event.sender else "object"

    def receiver(self, domain: Domain, event: Event, style: int, index: int) -> None:
        alias = self.events_of(domain)
        signal = f"{alias}.{event.variable}"
        payload = self.payload_type(domain, event)
        sender = self.sender_type(event)
        name = f"on_{event.variable}_{index}"
        signature = f"(sender: {sender}, payload: {payload}) -> None:"
        body = self.receiver_body(domain, event)
        if style == 0:
            self.parts.append("\n".join([f"@{signal}.connect", f"def {name}{signature}", *body]))
        elif style == 1:
            priority = self.rng.randint(1, 20)
            any_ = self.need("typedsignals", "ANY")
            self.parts.append(
                "\n".join(
                    [
                        f"@{signal}.connect_via({any_}, priority={priority})",
                        f"def {name}{signature}",
                        *body,
                    ]
                )
            )
        elif style == 2 and event.sender:
            default_app = self.need(f"{PACKAGE}.core", "DEFAULT_APP")
            self.parts.append(
                "\n".join(
                    [
                        f"def {name}{signature}",
                        *body,
                        "",
                        "",
                        f"{signal}.connect({name}, sender={default_app})",
                    ]
                )
            )
        else:  # a method of a class, connected on an instance
            cls = f"{_camel(event.variable)}Listener{index}"
            priority = self.rng.randint(-5, 5)
            method = [
                f"    def handle(self, sender: {sender}, payload: {payload}) -> None:",
                "        self.calls += 1",
                *("    " + line for line in body),
            ]
            self.parts.append(
                "\n".join(
                    [
                        f"class {cls}:",
                        f'    """Counts ``{event.name}`` and keeps what it carried."""',
                        "",
                        "    def __init__(self) -> None:",
                        "        self.calls = 0",
                        "",
                        *method,
                        "",
                        "",
                        f"_{cls.lower()} = {cls}()",
                        f"{signal}.connect(_{cls.lower()}.handle, priority={priority})",
                    ]
                )
            )

    def sender(self, domain: Domain, event: Event, style: int, index: int) -> None:
        alias = self.events_of(domain)
        signal = f"{alias}.{event.variable}"
        record = self.need(f"{PACKAGE}.core", "Record")
        app = self.need(f"{PACKAGE}.core", "App")
        keywords = self.keywords(domain, event, "record")
        call_keywords = f", {keywords}" if keywords else ""
        sender = self.sender_of(event)
        if style == 0 or event.model is None:
            self.parts.append(
                "\n".join(
                    [
                        f"def publish_{event.variable}_{index}(",
                        f"    app: {app}, batch: list[{record}]",
                        ") -> int:",
                        f'    """Send ``{event.name}`` for each record; count the receivers."""',
                        "    heard = 0",
                        "    for record in batch:",
                        "        if record.amount < 0:",
                        "            continue",
                        f"        results = {signal}.send({sender}{call_keywords})",
                        "        heard += len(results)",
                        "    return heard",
                    ]
                )
            )
        elif style == 1:
            model = self.need(domain.module, event.model)
            self.parts.append(
                "\n".join(
                    [
                        f"def publish_{event.variable}_{index}(",
                        f"    app: {app}, record: {record}",
                        ") -> None:",
                        f'    """Build the ``{event.name}`` payload first, then send it."""',
                        "    batch = [record]",
                        f"    payload = {model}({keywords})",
                        f"    {signal}.send_payload({sender}, payload)",
                    ]
                )
            )
        else:
            self.parts.append(
                "\n".join(
                    [
                        f"async def publish_{event.variable}_{index}(",
                        f"    app: {app}, record: {record}",
                        ") -> list[str]:",
                        f'    """Send ``{event.name}`` and await coroutine receivers."""',
                        "    batch = [record]",
                        f"    results = await {signal}.send_async({sender}{call_keywords})",
                        "    return [repr(result) for _, result in results]",
                    ]
                )
            )

    def ordinary(self, kind: int, index: int) -> None:
        rng = self.rng
        record = self.need(f"{PACKAGE}.core", "Record")
        if kind == 0:
            self.parts.append(
                f'''def totals_{index}(records: list[{record}]) -> dict[str, float]:
    """Sum the amounts per normalised name."""
    totals: dict[str, float] = {{}}
    for record in records:
        key = record.name.strip().lower()
        totals[key] = totals.get(key, 0.0) + record.amount * {rng.randint(1, 9)}
    return totals'''
            )
        elif kind == 1:
            self.parts.append(
                f'''class RecentIds{index}:
    """The last few ids seen, oldest first."""

    def __init__(self, size: int = {rng.randint(5, 50)}) -> None:
        self.size = size
        self.items: list[int] = []

    def push(self, item: int) -> None:
        """Remember ``item``, forgetting the oldest beyond the size."""
        self.items.append(item)
        if len(self.items) > self.size:
            del self.items[0]

    def __len__(self) -> int:
        return len(self.items)

    def recent(self, count: int) -> list[int]:
        """The ``count`` newest ids."""
        return self.items[-count:]'''
            )
        elif kind == 2:
            iterable = self.need("collections.abc", "Iterable")
            self.parts.append(
                f'''def selected_{index}(
    records: {iterable}[{record}], minimum: float = {rng.randint(1, 500)}.0
) -> list[{record}]:
    """The records worth at least ``minimum`` that are not on hold."""
    return [r for r in records if r.amount >= minimum and "hold" not in r.tags]'''
            )
        elif kind == 3:
            iterator = self.need("collections.abc", "Iterator")
            sequence = self.need("collections.abc", "Sequence")
            self.parts.append(
                f'''def chunks_{index}(
    items: {sequence}[{record}], size: int = {rng.randint(10, 100)}
) -> {iterator}[list[{record}]]:
    """``items`` in lists of at most ``size``."""
    for start in range(0, len(items), size):
        yield list(items[start : start + size])'''
            )
        elif kind == 4:
            self.parts.append(
                f'''def parse_{index}(raw: dict[str, str]) -> {record} | None:
    """A record from one row of an import file, or None if the row is unusable."""
    try:
        ident = int(raw["id"])
        amount = float(raw.get("amount", "0"))
    except (KeyError, ValueError):
        return None
    tags = [tag.strip() for tag in raw.get("tags", "").split(",") if tag.strip()]
    return {record}(ident, raw.get("name", "unnamed"), amount, tags)'''
            )
        else:
            dataclass_ = self.need("dataclasses", "dataclass")
            self.parts.append(
                f'''@{dataclass_}(frozen=True)
class Settings{index}:
    """Knobs of this feature."""

    retries: int = {rng.randint(1, 5)}
    timeout: float = {rng.randint(1, 30)}.0
    label: str = "{self.module.rsplit(".", 1)[-1]}"

    def describe(self) -> str:
        """One line for the logs."""
        return f"{{self.label}}: {{self.retries}} retries, {{self.timeout:.1f}} s"

    def backoff(self) -> list[float]:
        """The delay before each retry."""
        return [self.timeout * 2**attempt for attempt in range(self.retries)]'''
            )

    def source(self, doc: str) -> str:
        lines = [f'"""{doc}"""', "", "from __future__ import annotations", ""]
        standard = sorted(
            m for m in self.imports if m.split(".")[0] in ("collections", "dataclasses")
        )
        for module in standard:
            lines.append(f"from {module} import {', '.join(sorted(self.imports[module]))}")
        if standard:
            lines.append("")
        if "typedsignals" in self.imports:
            lines += [
                f"from typedsignals import {', '.join(sorted(self.imports['typedsignals']))}",
                "",
            ]
        ours = sorted(m for m in self.imports if m.startswith(PACKAGE))
        for module in ours:
            lines.append(f"from {module} import {', '.join(sorted(self.imports[module]))}")
        for module, alias in sorted(self.aliases.items()):
            package, name = module.rsplit(".", 1)
            lines.append(f"from {package} import {name} as {alias}")
        lines += [
            "",
            "_log: list[str] = []",
            "_counts: dict[str, int] = {}",
            "_totals: list[float] = []",
        ]
        return "\n".join(lines) + "\n\n\n" + "\n\n\n".join(self.parts) + "\n"


def _feature_module(module: str, domains: tuple[Domain, ...], rng: random.Random) -> str:
    feature = _Feature(module, rng)
    kinds = rng.sample(range(6), 3)
    listened = rng.sample(domains, min(len(domains), rng.randint(1, 3)))
    sent = rng.sample(domains, min(len(domains), rng.randint(1, 2)))
    feature.ordinary(kinds[0], 0)
    index = 0
    for domain in listened:
        for event in rng.sample(domain.events, 2):
            feature.receiver(domain, event, rng.randrange(4), index)
            index += 1
    feature.ordinary(kinds[1], 1)
    for domain in sent:
        for event in rng.sample(domain.events, 2):
            feature.sender(domain, event, rng.randrange(3), index)
            index += 1
    feature.ordinary(kinds[2], 2)
    names = ", ".join(domain.name for domain in listened)
    return feature.source(f"Feature {module}: reacts to {names} events (generated).")


def render(modules: int = 200, seed: int = 0) -> dict[str, str]:
    """Every file of the corpus, by path relative to the output directory, in order.

    ``modules`` counts the modules with code (the core, the event modules and the feature
    modules), not the packages' ``__init__.py`` files.
    """
    domains = plan(modules, seed)
    rng = random.Random(f"{seed}-features")
    files = {
        f"{PACKAGE}/__init__.py": _INIT.format(
            doc="A shop back office (generated benchmark corpus)."
        ),
        f"{PACKAGE}/core.py": _CORE,
        f"{PACKAGE}/events/__init__.py": _INIT.format(doc="Payload models and signals, by domain."),
    }
    for domain in domains:
        files[f"{PACKAGE}/events/{domain.name}.py"] = _event_module(domain)
    for layer in _LAYERS:
        files[f"{PACKAGE}/{layer}/__init__.py"] = _INIT.format(doc=f"The application's {layer}.")
    for index in range(modules - 1 - len(domains)):
        layer = _LAYERS[index % len(_LAYERS)]
        name = f"{rng.choice(domains).name}_{rng.choice(_ROLES)}_{index:03d}"
        module = f"{PACKAGE}.{layer}.{name}"
        files[f"{PACKAGE}/{layer}/{name}.py"] = _feature_module(module, domains, rng)
    return files


def generate(directory: Path, modules: int = 200, seed: int = 0) -> list[Path]:
    """Write the corpus under ``directory`` (the ``shopapp`` package); return the files."""
    written = []
    for relative, text in render(modules, seed).items():
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
