"""Reading declarations into the catalog: specs, fields, opaque types, receivers, JSON."""

from __future__ import annotations

import functools
import json
import types
from pathlib import Path
from typing import Any

import catalog_sample
import pytest
from flask import Flask

from typedsignals import ANY, Namespace, Payload, Signal
from typedsignals.catalog import (
    CATALOG_FORMAT,
    Catalog,
    CatalogError,
    FieldSpec,
    read_module,
    read_modules,
    read_namespace,
    read_signal,
    spec_of,
)

FLASK_CATALOGS = (
    "typedsignals.flask",
    "typedsignals.flask.login",
    "typedsignals.flask.principal",
    "typedsignals.flask.mail",
    "typedsignals.flask.sqlalchemy",
)
"""The modules of the Flask layer that declare signals."""


def _field(spec_name: str, field: str) -> FieldSpec:
    spec = next(s for s in read_module(catalog_sample).signals if s.name == spec_name)
    return next(f for f in spec.fields if f.name == field)


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("order_id", ("int", True, None, "The order's number.", {"minimum": 1})),
        ("total", ("float", False, "0.0", "Amount charged.", {"minimum": 0})),
        ("colour", ("catalog_sample.Colour", False, "Colour.RED", "", {"enum": ["red", "green"]})),
        ("ship_to", ("catalog_sample.Address", True, None, "", {})),
        ("bill_to", ("catalog_sample.Address | None", False, "None", "", {})),
        ("note", ("str | None", False, "None", "Customer note.", {"maxLength": 200})),
        ("tags", ("list[str]", False, "list()", "Free-form labels.", {})),
    ],
)
def test_field_specs_describe_each_field(field: str, expected: tuple[Any, ...]) -> None:
    """Each field spec gives the annotation, required, default, description, constraints."""
    spec = _field("order-placed", field)
    assert (spec.annotation, spec.required, spec.default, spec.description, spec.constraints) == (
        expected
    )


def test_signal_spec_carries_the_declaration() -> None:
    """A spec holds the name, Python path, doc, sender, payload and options."""
    spec = spec_of(catalog_sample.order_placed)
    assert (spec.name, spec.python_path, spec.doc) == (
        "order-placed",
        "catalog_sample.order_placed",
        "Sent after an order is stored.",
    )
    assert (spec.sender.path, spec.sender.name) == ("catalog_sample.Sender", "Sender")
    assert (spec.payload.path, spec.signal_class.path) == (
        "catalog_sample.OrderPlaced",
        "typedsignals.Signal",
    )
    assert (spec.error_policy, spec.strict, spec.concurrent) == ("collect", False, False)
    assert spec.payload_schema["properties"]["ship_to"] == {"$ref": "#/$defs/Address"}


def test_payload_schema_shows_empty_container_defaults() -> None:
    """A default_factory=list field shows its default, [], which pydantic leaves out."""
    schema = spec_of(catalog_sample.order_placed).payload_schema
    pydantic_own = catalog_sample.OrderPlaced.model_json_schema()
    assert "default" not in pydantic_own["properties"]["tags"]
    assert schema["properties"]["tags"] == {**pydantic_own["properties"]["tags"], "default": []}


def test_receivers_connected_at_import_are_listed() -> None:
    """The spec lists the receivers connected when it was read, with their module."""
    receivers = spec_of(catalog_sample.order_placed).receivers
    assert [(r.name, r.module, r.sender) for r in receivers] == [("audit", "catalog_sample", None)]


class Welcome:
    """A class whose method is a deferred receiver (workers find it by its path)."""

    @staticmethod
    def send_mail(sender: object, payload: Payload) -> None:
        """Mail the new user."""


def test_deferred_receiver_is_listed_by_its_own_name_and_delivery() -> None:
    """A receiver connected with via= shows as itself, with its delivery's class, in the
    spec and in the rendered sender-receiver map."""
    from typedsignals.catalog._render import reference_of, to_markdown
    from typedsignals.delivery import ThreadPoolDelivery

    class Joined(Payload):
        user: str

    joined = Signal("catalog-deferred-joined", Joined)
    pool = ThreadPoolDelivery(max_workers=1)
    joined.connect(Welcome.send_mail, via=pool)
    try:
        spec = spec_of(joined)
        assert [(r.name, r.module, r.via) for r in spec.receivers] == [
            ("Welcome.send_mail", __name__, "ThreadPoolDelivery")
        ]
        page = to_markdown(reference_of(Catalog(signals=(spec,))))
        assert "`Welcome.send_mail` (deferred: ThreadPoolDelivery)" in page
        assert "DeferredReceiver" not in page
    finally:
        joined.disconnect(Welcome.send_mail)
        pool.shutdown()


class _Shop:
    """A sender object whose repr holds a memory address."""


class _Recorder:
    """A callable receiver instance (no ``__qualname__`` of its own)."""

    def __call__(self, sender: object, payload: object) -> None:
        """Record nothing: only its name matters here."""


def _noop(sender: object, payload: object) -> None:
    """A receiver that does nothing."""


def _map_entry(receiver: Any, sender: object = ANY, priority: int = 0) -> tuple[Any, ...]:
    """The (name, module, priority, sender) a spec lists for one temporary connection."""
    signal: Signal[Any, Any] = Signal("probe", doc="A probe.")
    signal.connect(receiver, sender=sender, weak=False, priority=priority)
    try:
        (entry,) = spec_of(signal).receivers
    finally:
        signal.disconnect(receiver)
    return (entry.name, entry.module, entry.priority, entry.sender)


def test_receiver_priority_is_listed() -> None:
    """The sender-receiver map gives each receiver's priority."""
    assert _map_entry(_noop, priority=7)[2] == 7


@pytest.mark.parametrize(
    ("sender", "shown"),
    [
        (catalog_sample.Sender, "catalog_sample.Sender"),
        ("checkout", "'checkout'"),
        (types, "types"),
        (_noop, "test_catalog_read._noop"),
        (_Shop(), "<test_catalog_read._Shop instance>"),
    ],
)
def test_sender_specific_receivers_name_their_sender(sender: object, shown: str) -> None:
    """A receiver connected for one sender is listed with that sender, stable across runs."""
    assert _map_entry(_noop, sender=sender)[3] == shown


@pytest.mark.parametrize(
    ("receiver", "name"),
    [
        (_noop, "_noop"),
        (_Recorder(), "<_Recorder instance>"),
        (functools.partial(_noop), "partial(_noop)"),
    ],
)
def test_receiver_names_hold_no_address(receiver: Any, name: str) -> None:
    """Functions, callable instances and partials are named without a memory address."""
    assert _map_entry(receiver)[0] == name


def test_receiver_map_lists_any_receivers_first() -> None:
    """Receivers of every sender come before those of one sender, each in call order."""
    signal: Signal[Any, Any] = Signal("probe", doc="A probe.")
    receivers = [_Recorder(), _Recorder(), _Recorder()]
    signal.connect(receivers[0], sender="one", weak=False)
    signal.connect(receivers[1], weak=False)
    signal.connect(receivers[2], weak=False, priority=5)
    try:
        entries = spec_of(signal).receivers
    finally:
        for receiver in receivers:
            signal.disconnect(receiver)
    assert [(e.priority, e.sender) for e in entries] == [(5, None), (0, None), (0, "'one'")]


def test_module_reader_includes_namespace_only_signals() -> None:
    """A module's catalog has its Signal attributes, then its namespaces' other signals."""
    specs = read_module(catalog_sample).signals
    assert [(s.name, s.attribute, s.namespace) for s in specs] == [
        ("order-placed", "order_placed", None),
        ("order-cancelled", "order_cancelled", None),
        ("shop-opened", "shop_opened", None),
        ("shop-closed", None, "shop"),
    ]
    assert (specs[2].concurrent, specs[3].strict) == (True, True)


def test_module_reader_leaves_out_imported_signals() -> None:
    """A signal imported from another module belongs to that module's catalog."""
    module = types.ModuleType("reexporting")
    module.order_placed = catalog_sample.order_placed  # type: ignore[attr-defined]  # a test module
    assert read_module(module).signals == ()


def test_namespace_reader_names_the_namespace() -> None:
    """Reading a namespace gives its signals in creation order, with its name."""
    specs = read_namespace(catalog_sample.shop).signals
    assert [(s.name, s.namespace) for s in specs] == [
        ("shop-opened", "shop"),
        ("shop-closed", "shop"),
    ]


def test_reading_several_modules_keeps_each_signal_once() -> None:
    """A module given twice contributes its signals once, in the given order."""
    catalog = read_modules(["catalog_sample", "catalog_sample"])
    assert len(catalog.signals) == len(read_module(catalog_sample).signals)


def test_unimportable_module_is_a_catalog_error() -> None:
    """A module that cannot be imported gives one error naming it and the cause."""
    with pytest.raises(CatalogError, match=r"cannot import module 'no_such_mod': ModuleNotFound"):
        read_modules(["no_such_mod"])


def test_module_failing_at_import_is_a_catalog_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An exception raised while a module is imported is named, not propagated."""
    (tmp_path / "catalog_broken.py").write_text('raise RuntimeError("broken on purpose")\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(CatalogError, match=r"'catalog_broken': RuntimeError: broken on purpose"):
        read_modules(["catalog_broken"])


@pytest.mark.parametrize("module", FLASK_CATALOGS)
def test_flask_catalogs_read_without_schema_errors(module: str) -> None:
    """Every Flask and extension catalog reads, each signal with its payload schema."""
    catalog = read_modules([module])
    assert catalog.signals
    assert all(spec.payload_schema.get("type") == "object" for spec in catalog.signals)


@pytest.mark.parametrize(
    ("signal", "field", "opaque"),
    [
        ("template-rendered", "template", "jinja2.Template"),
        ("request-finished", "response", "werkzeug.wrappers.Response"),
        ("appcontext-tearing-down", "exc", "BaseException | None"),
        ("flask-login.logged-in", "user", "flask_login.UserMixin"),
    ],
)
def test_opaque_fields_are_named_types(signal: str, field: str, opaque: str) -> None:
    """Fields annotated opaque() or unchecked() show their named Python type and doc."""
    catalog = read_modules(["typedsignals.flask", "typedsignals.flask.login"])
    spec = next(s for s in catalog.signals if s.name == signal)
    found = next(f for f in spec.fields if f.name == field)
    assert (found.opaque, found.annotation) == (opaque, opaque)
    assert found.description


def test_unannotated_python_object_field_is_opaque_not_an_error() -> None:
    """A field of a class pydantic cannot describe is an opaque type named by its path."""

    class Started(Payload):
        app: Flask

    spec = read_signal(Signal("started", Started)).signals[0]
    assert spec.payload_schema["properties"]["app"]["x-python-type"] == "flask.app.Flask"
    assert spec.fields[0].opaque == "flask.app.Flask"


def test_catalog_json_round_trips() -> None:
    """A catalog read back from its JSON equals the catalog, and carries the format."""
    catalog = read_modules(["catalog_sample", *FLASK_CATALOGS])
    text = catalog.to_json()
    assert json.loads(text)["format"] == CATALOG_FORMAT
    assert Catalog.from_json(text) == catalog


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", r"cat\.json: not valid JSON"),
        ("[]", r"cat\.json: a catalog is a JSON object, not list"),
        ('{"format": 99}', r"cat\.json: catalog format 99 is not supported"),
        ('{"format": 1, "signals": [{"name": 3}]}', r"cat\.json: not a valid catalog: signals\.0"),
    ],
)
def test_bad_catalog_json_is_a_catalog_error(text: str, message: str) -> None:
    """Text that is not a catalog of this format gives one error naming the source."""
    with pytest.raises(CatalogError, match=message):
        Catalog.from_json(text, source="cat.json")


def test_namespace_signal_spec_of_an_anonymous_namespace() -> None:
    """An unnamed namespace's signals have no namespace name in their spec."""
    anonymous = Namespace()
    anonymous.signal("tick")
    assert read_namespace(anonymous).signals[0].namespace is None
