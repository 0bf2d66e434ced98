"""A griffe extension for the API reference: read the package's docstrings as written.

The package's docstrings are Google style with two habits of Sphinx, which has its own
readers of them (the doctests run them, and ``typedsignals.sphinx`` users may render
them): a singular ``Example:`` heading and roles such as ``:class:`~typedsignals.Payload```.
griffe reads ``Example:`` as an admonition of Markdown text, so the doctest lines lose
their code formatting (and ``x[0][1]`` becomes a broken link), and it leaves roles as
literal text. This extension turns the first into griffe's ``Examples:`` section and the
roles into code spans, before griffe parses the docstrings.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_EXAMPLE_HEADING = re.compile(r"^(\s*)Example:\s*$", re.MULTILINE)
_ROLE = re.compile(r":(?:py:)?(?:class|meth|func|attr|mod|data|exc|obj|const):`~?([^`]+)`")


def _short(target: str) -> str:
    """What a role shows: ``~a.b.c`` shows ``c``; an explicit title ``t <a.b>`` shows t."""
    title, _, _ = target.partition(" <")
    return title if " <" in target else title.rsplit(".", 1)[-1]


def rewrite(text: str) -> str:
    """The docstring ``text`` with ``Example:`` headings and Sphinx roles rewritten."""
    text = _EXAMPLE_HEADING.sub(r"\1Examples:", text)
    return _ROLE.sub(lambda match: f"`{_short(match[1])}`", text)


class SphinxHabits(griffe.Extension):
    """Rewrite each docstring once the object tree is complete."""

    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        """Rewrite ``obj``'s docstring, if it has one."""
        if obj.docstring is not None:
            obj.docstring.value = rewrite(obj.docstring.value)
