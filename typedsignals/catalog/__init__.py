"""The signal catalog: declarations as data, and what reads or writes it.

A :class:`Catalog` of :class:`SignalSpec` objects is read from modules, namespaces or
single signals, and is the one input of every renderer: the JSON Schema and AsyncAPI
exports, code generation back from those documents, stub generation and the generated
reference docs. The ``typedsignals`` command line (:mod:`typedsignals.cli`) drives them.

Example:
    >>> from typedsignals import Namespace, Payload
    >>> from typedsignals.catalog import read_namespace
    >>> class OrderPlaced(Payload):
    ...     order_id: int
    ...     total: float = 0.0
    >>> shop = Namespace("shop")
    >>> placed = shop.signal("order-placed", OrderPlaced, doc="An order was placed.")
    >>> spec = read_namespace(shop).signals[0]
    >>> spec.name, spec.payload.name, [(f.name, f.annotation, f.default) for f in spec.fields]
    ('order-placed', 'OrderPlaced', [('order_id', 'int', None), ('total', 'float', '0.0')])
"""

from ._asyncapi import ASYNCAPI_VERSION, export_asyncapi
from ._codegen import generate_module
from ._diff import Change, DiffReport, diff_documents, diff_files
from ._draft import draft_module
from ._export import META_KEY, SCHEMA_DIALECT, export_jsonschema
from ._infer import TYPED_ELSEWHERE, Inference, InferredField, InferredSignal, infer_paths
from ._load import Document, load_document, parse_document
from ._read import import_modules, read_module, read_modules, read_namespace, read_signal, spec_of
from ._spec import (
    CATALOG_FORMAT,
    Catalog,
    CatalogError,
    FieldSpec,
    ReceiverSpec,
    SignalSpec,
    TypeRef,
)
from ._stubgen import STUB_HEADER, raw_signal_stub, raw_stubs

__all__ = [
    "ASYNCAPI_VERSION",
    "CATALOG_FORMAT",
    "META_KEY",
    "SCHEMA_DIALECT",
    "STUB_HEADER",
    "TYPED_ELSEWHERE",
    "Catalog",
    "CatalogError",
    "Change",
    "DiffReport",
    "Document",
    "FieldSpec",
    "Inference",
    "InferredField",
    "InferredSignal",
    "ReceiverSpec",
    "SignalSpec",
    "TypeRef",
    "diff_documents",
    "diff_files",
    "draft_module",
    "export_asyncapi",
    "export_jsonschema",
    "generate_module",
    "import_modules",
    "infer_paths",
    "load_document",
    "parse_document",
    "raw_signal_stub",
    "raw_stubs",
    "read_module",
    "read_modules",
    "read_namespace",
    "read_signal",
    "spec_of",
]

for _public in (
    Catalog,
    CatalogError,
    Change,
    DiffReport,
    Document,
    FieldSpec,
    Inference,
    InferredField,
    InferredSignal,
    ReceiverSpec,
    SignalSpec,
    TypeRef,
):
    _public.__module__ = __name__  # reprs and docs show the public path
