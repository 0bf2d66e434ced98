"""``typedsignals docs MODULE... --format md|rst``: the generated signal reference as text.

For tools other than Sphinx and MkDocs (which have their own adapters,
:mod:`typedsignals.sphinx` and :mod:`typedsignals.mkdocs`). The command line
(:mod:`typedsignals.cli`) adds the command with :func:`add_docs_command`.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, Final

from ._render import reference_of, to_markdown, to_rst
from ._spec import CatalogError

__all__ = ["DEFAULT_TITLE", "add_docs_command", "run_docs"]

DEFAULT_TITLE: Final = "Signal reference"
"""The title of the written document, unless ``--title`` says otherwise."""


def add_docs_command(subparsers: argparse._SubParsersAction[Any]) -> argparse.ArgumentParser:
    """Add the ``docs`` command to a command line's subcommands; return its parser.

    Its handler is stored as the ``run`` default: ``args.run(args)`` returns the exit
    status and raises :class:`~typedsignals.catalog.CatalogError` on bad input.
    """
    docs: argparse.ArgumentParser = subparsers.add_parser(
        "docs",
        help="write the signal reference as Markdown or reStructuredText",
        description=(
            "Write the reference of the signals the given modules declare: for each "
            "signal its name, Python path, doc, sender, a payload field table and the "
            "receivers connected once every given module is imported (the "
            "sender-receiver map). Modules that only connect receivers may be given too."
        ),
    )
    docs.add_argument(
        "modules", metavar="MODULE", nargs="+", help="dotted module name, e.g. myapp.signals"
    )
    docs.add_argument(
        "--format", choices=("md", "rst"), default="md", help="output format (default: md)"
    )
    docs.add_argument(
        "--title",
        default=DEFAULT_TITLE,
        help=f"the document's title; empty for none (default: {DEFAULT_TITLE!r})",
    )
    docs.add_argument(
        "--anchors",
        action="store_true",
        help="md: give each signal's heading an id, as { #id } (the attr_list extension)",
    )
    docs.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE instead of standard output"
    )
    docs.set_defaults(run=run_docs)
    return docs


def run_docs(args: argparse.Namespace) -> int:
    """Run ``typedsignals docs`` with parsed arguments; return the exit status (0).

    Raises:
        CatalogError: A module cannot be imported or read, or the file cannot be
            written; the message names it.
    """
    from ._read import read_modules

    reference = reference_of(read_modules(args.modules))
    title: str | None = args.title or None
    if args.format == "rst":
        text = to_rst(reference, level=2 if title else 1, title=title)
    else:
        text = to_markdown(reference, level=2 if title else 1, anchors=args.anchors, title=title)
    if args.output is None:
        print(text, end="")
        return 0
    try:
        Path(args.output).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CatalogError(
            f"{args.output}: cannot write the file ({exc.strerror or exc})"
        ) from None
    return 0
