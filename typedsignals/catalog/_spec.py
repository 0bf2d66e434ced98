"""The catalog model: what a signal declaration says, as JSON-serialisable data.

A :class:`Catalog` holds one :class:`SignalSpec` per signal; each spec carries the
declaration (name, Python path, doc, sender type, payload model and its JSON Schema,
options), one :class:`FieldSpec` per payload field (what a reference table shows) and
the :class:`ReceiverSpec` of each receiver connected when the catalog was read (the
sender-to-receiver map). Every renderer (export, codegen, stubgen, docs) reads this and
nothing else.
"""

from __future__ import annotations

from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..exceptions import TypedSignalsError

__all__ = [
    "CATALOG_FORMAT",
    "Catalog",
    "CatalogError",
    "FieldSpec",
    "ReceiverSpec",
    "SignalSpec",
    "TypeRef",
]

CATALOG_FORMAT: Final = 1
"""Version of the catalog's JSON form; bumped when a reader of the old form would misread
the new one (a field removed or changing meaning; new optional fields keep it)."""


class CatalogError(TypedSignalsError, ValueError):
    """A catalog or exported document could not be read or written.

    The message names the module, file or signal concerned and what is wrong.
    """


class _Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TypeRef(_Spec):
    """A Python class named by its import path, and the name to show for it."""

    path: str
    """Dotted import path: ``flask.app.Flask``; builtins bare (``object``)."""
    name: str
    """Display name: ``Flask``."""

    @classmethod
    def of(cls, obj: type[Any]) -> TypeRef:
        """The reference to a class."""
        from ._schema import type_path

        # A class made in a function shows as itself, not as f.<locals>.Name.
        return cls(path=type_path(obj), name=obj.__qualname__.rpartition("<locals>.")[2])


class FieldSpec(_Spec):
    """One payload field, as a signal reference's field table shows it."""

    name: str
    """The keyword argument a send takes (the field's alias when it has one)."""
    annotation: str
    """The Python annotation as text (``int | None``, ``jinja2.Template``)."""
    required: bool
    default: str | None = None
    """The default as Python source (``None``, ``'info'``, ``list()``), or None if required."""
    description: str = ""
    constraints: dict[str, Any] = Field(default_factory=dict)
    """JSON Schema constraints of the field (``minimum``, ``maxLength``, ``pattern``...)."""
    opaque: str | None = None
    """For a field holding a Python object with no JSON form: the type it names."""


class ReceiverSpec(_Spec):
    """A receiver connected to a signal when the catalog was read."""

    name: str
    """The receiver's qualified name (``on_login``, ``Audit.record``)."""
    module: str | None
    priority: int | None = None
    """Its priority, when the signal's public API tells it (None: unknown)."""
    sender: str | None = None
    """The sender it listens to, as text; None for every sender (``ANY``)."""
    via: str | None = None
    """For a receiver connected with ``connect(..., via=...)``: the class of the delivery
    that runs it later (``ThreadPoolDelivery``); None when it runs in the send."""


class SignalSpec(_Spec):
    """One signal declaration and its payload, as data."""

    name: str
    """The signal's name (``template-rendered``)."""
    module: str | None
    """The module that declares it (where it is documented)."""
    attribute: str | None = None
    """The module attribute holding it, when there is one (``template_rendered``)."""
    doc: str = ""
    signal_class: TypeRef
    """The class of the signal object (``typedsignals.Signal`` or a subclass)."""
    sender: TypeRef
    """The declared sender type (``object`` when any sender is accepted)."""
    payload: TypeRef
    """The payload model."""
    payload_schema: dict[str, Any]
    """The payload model's JSON Schema (draft 2020-12, nested models under ``$defs``)."""
    fields: tuple[FieldSpec, ...] = ()
    error_policy: Literal["raise", "collect", "log"] = "raise"
    strict: bool = False
    concurrent: bool = False
    namespace: str | None = None
    """The name of the namespace it was read from, if it was read from one."""
    bridges: str | None = None
    """For a signal mirroring a raw blinker signal: the raw signal's name."""
    receivers: tuple[ReceiverSpec, ...] = ()

    @property
    def python_path(self) -> str | None:
        """``module.attribute``, when the signal is a module attribute."""
        if self.module is None or self.attribute is None:
            return None
        return f"{self.module}.{self.attribute}"


class Catalog(_Spec):
    """Signal specs in declaration order, with the format version of their JSON form."""

    format: int = CATALOG_FORMAT
    signals: tuple[SignalSpec, ...] = ()

    def to_json(self, *, indent: int | None = 2) -> str:
        """The catalog as JSON text (keys in a stable order)."""
        return self.model_dump_json(indent=indent)

    @classmethod
    def from_json(cls, text: str | bytes, *, source: str = "<catalog>") -> Catalog:
        """Read a catalog from its JSON form.

        Raises:
            CatalogError: The text is not JSON, not a catalog, or of another format
                version; the message names ``source``.
        """
        import json

        try:
            data = json.loads(text)
        except ValueError as exc:
            raise CatalogError(f"{source}: not valid JSON ({exc})") from None
        if not isinstance(data, dict):
            raise CatalogError(f"{source}: a catalog is a JSON object, not {type(data).__name__}")
        version = data.get("format")
        if version != CATALOG_FORMAT:
            raise CatalogError(
                f"{source}: catalog format {version!r} is not supported "
                f"(this typedsignals reads format {CATALOG_FORMAT})"
            )
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise CatalogError(f"{source}: not a valid catalog: {where}: {first['msg']}") from None
