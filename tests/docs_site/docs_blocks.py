"""Find and run the Python code blocks of the documentation pages.

Every fenced ```python block of a page runs, in page order, in one namespace, so a
block may use what an earlier block of the same page defined. A page runs in a fresh
interpreter (``python docs_blocks.py PAGE``), so its signals and receivers never reach
another page or the test process. Strict mode is on there (``TYPEDSIGNALS_STRICT=1``,
set by the test), so a send the page gets wrong fails even when nobody listens, and
warnings are errors.

A block may be preceded by one marker, an HTML comment (invisible on the site):

``<!-- docs-test: skip REASON -->``
    The block is not run. For the few blocks that cannot run: generated output shown
    without its imports, or code that needs a user's own project. The reason is
    required.
``<!-- docs-test: raises NAME -->``
    The block runs and must raise an exception whose class, or one of its bases, is
    called ``NAME``; the next blocks run after it, in the same namespace.

A page may also hold hidden code, run at its place in the page as if it were a block:
``<!-- docs-test: hidden`` on a line of its own, then Python lines (no blank line: an
HTML comment must stay one Markdown block), then ``-->``. For context a reader does not
need (an ``app`` object, a stand-in for a user model), or to check that a block did
what its prose says.
"""

from __future__ import annotations

import dataclasses
import re
import sys
import textwrap
import types
from pathlib import Path

_TOKENS = re.compile(
    r"^(?P<indent>[ \t]*)```python[ \t]*\n(?P<body>.*?)^(?P=indent)```[ \t]*$"
    r"|<!--\s*docs-test:(?P<marker>.*?)-->",
    re.MULTILINE | re.DOTALL,
)
"""A fenced Python block (at any indentation, as in a list item) or a marker comment."""

SKIP, RAISES, HIDDEN = "skip", "raises", "hidden"
"""The kinds of marker."""


class MarkerError(ValueError):
    """A ``docs-test:`` marker that is malformed or does not precede a block."""


@dataclasses.dataclass(frozen=True)
class Block:
    """One piece of code of a page: a ```python block or hidden code.

    Attributes:
        line: The line of the page where the code starts (1-based).
        code: The code, dedented.
        skip: Why the block is not run, or ``None`` when it runs.
        raises: The name of the exception the block must raise, or ``None``.
        hidden: True for hidden code (a ``docs-test: hidden`` comment).
    """

    line: int
    code: str
    skip: str | None = None
    raises: str | None = None
    hidden: bool = False


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def blocks(text: str, page: str = "<page>") -> list[Block]:
    """The code of a Markdown page, in page order, with each block's marker applied.

    Raises:
        MarkerError: A marker is unknown or lacks its argument, or a ``skip`` or
            ``raises`` marker is not followed (blank lines aside) by a ```python block.
    """
    found: list[Block] = []
    pending: tuple[str, str, int, int] | None = None  # kind, argument, line, end offset

    def dangling() -> MarkerError:
        assert pending is not None
        kind, _, line, _ = pending
        return MarkerError(
            f"{page}:{line}: the {kind!r} marker is not followed by a ```python block"
        )

    for match in _TOKENS.finditer(text):
        line = _line_of(text, match.start())
        if match["marker"] is None:  # a fenced block
            code = textwrap.dedent(match["body"])
            if pending is None:
                found.append(Block(line + 1, code))
                continue
            kind, argument, _, end = pending
            if text[end : match.start()].strip():
                raise dangling()
            found.append(
                Block(
                    line + 1,
                    code,
                    skip=argument if kind == SKIP else None,
                    raises=argument if kind == RAISES else None,
                )
            )
            pending = None
            continue
        if pending is not None:
            raise dangling()
        first, _, rest = match["marker"].partition("\n")
        kind, _, argument = first.strip().partition(" ")
        if kind == HIDDEN:
            if argument.strip() or not rest.strip():
                raise MarkerError(f"{page}:{line}: hidden code starts on the line after 'hidden'")
            found.append(Block(line + 1, textwrap.dedent(rest), hidden=True))
        elif kind in (SKIP, RAISES):
            if rest.strip() or not argument.strip():
                what = "a reason" if kind == SKIP else "an exception name"
                raise MarkerError(f"{page}:{line}: the {kind!r} marker needs {what}, on its line")
            pending = (kind, argument.strip(), line, match.end())
        else:
            raise MarkerError(
                f"{page}:{line}: unknown docs-test marker {kind!r} (skip, raises or hidden)"
            )
    if pending is not None:
        raise dangling()
    return found


def _raised_name_matches(exc: BaseException, name: str) -> bool:
    return any(cls.__name__ == name for cls in type(exc).__mro__)


def run_page(path: Path) -> list[str]:
    """Run the code of the page at ``path``; return one line per failure (none: all ran).

    Blocks run in page order in one module, ``__main__``, as a script would. The first
    failure stops the page: later blocks may depend on it.
    """
    page = str(path)
    # A real module registered as __main__, as for a script: pydantic and dataclasses
    # look up names of annotations in the module of the class being defined.
    module = types.ModuleType("__main__")
    module.__file__ = page
    sys.modules["__main__"] = module
    namespace = module.__dict__
    for block in blocks(path.read_text(encoding="utf-8"), page):
        if block.skip is not None:
            continue
        # Padding with newlines makes tracebacks give the page's own line numbers.
        source = "\n" * (block.line - 1) + block.code
        where = f"{page}:{block.line}"
        try:
            # dont_inherit: this module's own `from __future__ import annotations` must not
            # turn the page's annotations into strings.
            exec(compile(source, page, "exec", dont_inherit=True), namespace)
        except BaseException as exc:  # also SystemExit: a page must not exit
            if block.raises is not None and _raised_name_matches(exc, block.raises):
                continue
            import traceback

            detail = "".join(traceback.format_exception(exc)).rstrip()
            return [f"{where}: the block raised {type(exc).__name__}: {exc}\n{detail}"]
        if block.raises is not None:
            return [f"{where}: the block was marked to raise {block.raises}, and raised nothing"]
    return []


def main(argv: list[str]) -> int:
    """Run each page given on the command line; exit status 1 when one fails."""
    failures = [failure for arg in argv for failure in run_page(Path(arg))]
    for failure in failures:
        print(failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
