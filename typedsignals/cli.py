"""The ``typedsignals`` command line: parses arguments and calls the catalog's pieces.

Commands (``typedsignals COMMAND --help`` for each):

* ``list MODULE...``: the signals the modules declare, as a table (``--json``: the
  catalog itself).
* ``export MODULE... --format jsonschema|asyncapi``: the signals as one JSON Schema
  2020-12 or AsyncAPI 3.0.0 document; ``--check FILE`` compares a committed export
  with the code instead (exit 1 when they differ: a CI gate).
* ``codegen DOCUMENT [-o FILE]``: Python payload models and signal declarations from
  such a document.
* ``stubgen MODULE... -o DIR``: stubs spelling out typed signals field by field, and for
  bridged declarations the raw blinker modules they mirror (``flask-stubs`` for Flask's).
* ``docs MODULE... --format md|rst``: the signal reference of the modules.
* ``infer PATH... [-o FILE]``: draft typed declarations for the blinker signals a code
  base declares, sends and receives (read from its syntax; nothing is imported).
* ``diff OLD NEW``: the changes between two catalogs or exports, each classed as
  breaking senders, breaking receivers or compatible (exit 1 when one breaks).

Exit status: 0 on success, 1 on findings, 2 on a usage or input error (a module that
cannot be imported, a file that is not JSON or not a valid document), reported as one
line on stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final, NoReturn, TextIO

from .catalog import Catalog, CatalogError
from .catalog._docs_command import add_docs_command
from .catalog._read import gc_paused

__all__ = ["EXIT_FINDINGS", "EXIT_OK", "EXIT_USAGE", "main"]

EXIT_OK: Final = 0
"""The command did what was asked."""
EXIT_FINDINGS: Final = 1
"""The command ran and found something to report (a difference, a breaking change)."""
EXIT_USAGE: Final = 2
"""Bad arguments or bad input: nothing was done."""

_PROG: Final = "typedsignals"


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors exit with :data:`EXIT_USAGE`."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _build_parser() -> _Parser:
    parser = _Parser(
        prog=_PROG,
        description="Read, export and generate typed signal declarations.",
        epilog="Exit status: 0 ok, 1 findings, 2 usage or input error.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    listing = commands.add_parser(
        "list",
        help="list the signals that modules declare",
        description="List the signals declared by the given modules (imported first).",
    )
    _add_modules(listing)
    listing.add_argument("--json", action="store_true", help="print the catalog as JSON")
    _add_output(listing)
    listing.set_defaults(run=_run_list)

    export = commands.add_parser(
        "export",
        help="export the signals as a JSON Schema or AsyncAPI document",
        description=(
            "Export the signals of the given modules as one JSON Schema 2020-12 document "
            "(a $defs entry per payload model) or an AsyncAPI 3.0.0 document (a channel "
            "and a message per signal)."
        ),
    )
    _add_modules(export)
    export.add_argument(
        "--format",
        choices=("jsonschema", "asyncapi"),
        default="jsonschema",
        help="document format (default: jsonschema)",
    )
    export.add_argument("--title", default="Signal catalog", help="the document's title")
    target = export.add_mutually_exclusive_group()
    target.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE instead of standard output"
    )
    target.add_argument(
        "--check",
        metavar="FILE",
        help="write nothing; exit 1 if FILE (a committed export) differs from the code",
    )
    export.set_defaults(run=_run_export)

    codegen = commands.add_parser(
        "codegen",
        help="generate Python declarations from an exported document",
        description=(
            "Generate a Python module (payload models and signal declarations) from a "
            "document written by 'typedsignals export' (JSON Schema or AsyncAPI)."
        ),
    )
    codegen.add_argument("document", metavar="DOCUMENT", help="a JSON Schema or AsyncAPI export")
    codegen.add_argument("-o", "--output", metavar="FILE", help="the module to write")
    codegen.set_defaults(run=_run_codegen)
    stubgen = commands.add_parser(
        "stubgen",
        help="write stubs spelling out typed signals field by field",
        description=(
            "Write .pyi stubs in which each typed signal's send, validate, connect and "
            "receiver type are spelled out with the payload's fields, and, for bridged "
            "declarations, a partial PEP 561 stub package for the raw blinker signals "
            "they mirror (for typedsignals.flask: flask-stubs/signals.pyi)."
        ),
    )
    _add_modules(stubgen)
    stubgen.add_argument(
        "-o", "--output", metavar="DIR", required=True, help="the folder to write into"
    )
    stubgen.set_defaults(run=_run_stubgen)
    add_docs_command(commands)

    infer = commands.add_parser(
        "infer",
        help="draft typed declarations from a blinker/Flask code base",
        description=(
            "Read the Python files under the given paths (their syntax only: nothing is "
            "imported) and draft a module declaring a Payload model and a Signal for "
            "each blinker signal found, with the fields its send sites pass and its "
            "receivers read, and the types that can be inferred (Any and a TODO "
            "comment otherwise). Conflicting types are reported on stderr."
        ),
        epilog=(
            "Exit status: 0 draft written; 1 draft written, but some files could not be "
            "parsed (they are named on stderr and their signals are missing); 2 a path "
            "does not exist or no file could be read."
        ),
    )
    infer.add_argument(
        "paths", metavar="PATH", nargs="+", help="a Python file, or a folder searched for them"
    )
    _add_output(infer)
    infer.set_defaults(run=_run_infer)

    diff = commands.add_parser(
        "diff",
        help="classify the changes between two catalogs or exports",
        description=(
            "Compare two signal catalogs ('list --json' output) or exported documents "
            "(JSON Schema or AsyncAPI, as 'export' writes them) and print every change "
            "per signal, each classed as breaking senders, breaking receivers, or "
            "compatible."
        ),
        epilog="Exit status: 0 no breaking change; 1 a breaking change; 2 bad input.",
    )
    diff.add_argument("old", metavar="OLD", help="the catalog or export before the change")
    diff.add_argument("new", metavar="NEW", help="the catalog or export after the change")
    diff.add_argument("--json", action="store_true", help="print the changes as JSON")
    _add_output(diff)
    diff.set_defaults(run=_run_diff)
    return parser


def _add_modules(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "modules", metavar="MODULE", nargs="+", help="dotted module name, e.g. myapp.signals"
    )


def _add_output(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE instead of standard output"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status.

    Example:
        >>> main(["list", "typedsignals.flask"])  # doctest: +ELLIPSIS
        SIGNAL ...
        0
    """
    parser = _build_parser()
    args = parser.parse_args(argv)
    # A console script does not put the working directory on sys.path as `python -m`
    # does; modules of the project it runs in must import all the same.
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    run: Callable[[argparse.Namespace], int] = args.run
    # A command imports the user's modules, reads them, writes what it was asked for and
    # exits: nothing it builds is garbage before the end. Reading already pauses the
    # cyclic collector (gc_paused); the whole command does too, so that writing the
    # schemas and stubs of a large catalog is not slowed by passes over the models.
    try:
        with gc_paused():
            return run(args)
    except CatalogError as exc:
        print(f"{_PROG} {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _catalog(args: argparse.Namespace) -> Catalog:
    from .catalog import read_modules

    return read_modules(args.modules)


def _run_list(args: argparse.Namespace) -> int:
    catalog = _catalog(args)
    text = catalog.to_json() + "\n" if args.json else _table(catalog)
    _write(text, args.output)
    return EXIT_OK


def _table(catalog: Catalog) -> str:
    rows = [("SIGNAL", "PYTHON PATH", "SENDER", "PAYLOAD", "RECEIVERS")]
    for spec in catalog.signals:
        fields = ", ".join(field.name for field in spec.fields)
        rows.append(
            (
                spec.name,
                spec.python_path or f"{spec.module}[{spec.name!r}]",
                spec.sender.name,
                f"{spec.payload.name}({fields})",
                str(len(spec.receivers)),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = [
        "  ".join([*(cell.ljust(width) for cell, width in zip(row, widths, strict=False)), row[-1]])
        for row in rows
    ]
    return "\n".join(lines) + "\n"


def _run_export(args: argparse.Namespace) -> int:
    from .catalog import export_asyncapi, export_jsonschema

    catalog = _catalog(args)
    document: dict[str, Any]
    if args.format == "asyncapi":
        document = export_asyncapi(catalog, title=args.title)
    else:
        document = export_jsonschema(catalog, title=args.title)
    if args.check is not None:
        return _check(document, args.check)
    _write(dump_json(document), args.output)
    return EXIT_OK


def _check(document: dict[str, Any], path: str) -> int:
    """Compare an export with a committed one; report the entries that differ."""
    try:
        committed = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise CatalogError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    except ValueError as exc:
        raise CatalogError(f"{path}: not valid JSON ({exc})") from None
    if committed == document:
        return EXIT_OK
    changed = _changed_entries(committed, document)
    print(
        f"{_PROG} export: {path} differs from the code ({', '.join(changed) or 'layout'}); "
        f"regenerate it with -o {path}",
        file=sys.stderr,
    )
    return EXIT_FINDINGS


def _changed_entries(old: object, new: dict[str, Any]) -> list[str]:
    """The signals and schemas that are added, removed or changed between two exports."""
    if not isinstance(old, dict):
        return ["the whole document"]

    def signals(doc: dict[str, Any]) -> dict[str, object]:
        meta = doc.get("x-typedsignals")
        entries = meta.get("signals") if isinstance(meta, dict) else None
        if not isinstance(entries, list):
            return {}
        return {str(e.get("name")): e for e in entries if isinstance(e, dict)}

    def schemas(doc: dict[str, Any]) -> dict[str, object]:
        components = doc.get("components")
        table = components.get("schemas") if isinstance(components, dict) else doc.get("$defs")
        return dict(table) if isinstance(table, dict) else {}

    changed: list[str] = []
    for kind, read in (("signal", signals), ("schema", schemas)):
        before, after = read(old), read(new)
        for name in sorted(before.keys() | after.keys()):
            if before.get(name) != after.get(name):
                changed.append(f"{kind} {name!r}")
    return changed


def _run_codegen(args: argparse.Namespace) -> int:
    from .catalog import generate_module, load_document

    _write(generate_module(load_document(args.document)), args.output)
    return EXIT_OK


def _run_stubgen(args: argparse.Namespace) -> int:
    from .catalog._stubgen import stubs

    for module, source in stubs(args.modules).items():
        top, _, rest = module.partition(".")
        package = Path(args.output) / f"{top}-stubs"
        path = package.joinpath(*rest.split(".")) if rest else package / "__init__"
        _mkdir(path.parent)
        _write(source, str(path.with_suffix(".pyi")))
        # PEP 561: the package types only these modules; the rest stays the runtime's.
        _write("partial\n", str(package / "py.typed"))
    return EXIT_OK


def _run_infer(args: argparse.Namespace) -> int:
    from .catalog import draft_module, infer_paths

    inference = infer_paths(args.paths)
    _write(draft_module(inference), args.output)
    for line in inference.unreadable:
        print(f"{_PROG} infer: skipped {line}", file=sys.stderr)
    for line in inference.conflicts:
        print(f"{_PROG} infer: conflict: {line}", file=sys.stderr)
    if not inference.signals:
        print(f"{_PROG} infer: no blinker signal declarations found", file=sys.stderr)
    # A skipped file may hold sends and receivers the draft lacks: the draft was
    # written, but it is not the whole story, which a script must be able to tell.
    return EXIT_FINDINGS if inference.unreadable else EXIT_OK


def _run_diff(args: argparse.Namespace) -> int:
    from .catalog import diff_files

    report = diff_files(args.old, args.new)
    _write(dump_json(report.to_json()) if args.json else report.text(), args.output)
    return EXIT_FINDINGS if report.breaking else EXIT_OK


def _mkdir(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CatalogError(f"{path}: cannot create the folder ({exc.strerror or exc})") from None


def dump_json(document: object) -> str:
    """JSON as the commands write it: two-space indent, UTF-8 kept, final newline."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _write(text: str, output: str | None, stdout: TextIO | None = None) -> None:
    if output is None:
        (stdout or sys.stdout).write(text)
        return
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CatalogError(f"{output}: cannot write the file ({exc.strerror or exc})") from None
