"""Delivery loops specialised to the keyword names of a send.

Calling ``receiver(sender, **kwargs)`` makes CPython unpack the dict into a fresh
argument array and keyword-name tuple for every receiver, which costs more than the
rest of the loop. A loop compiled for the names at hand reads the values into locals
once per send and calls ``receiver(sender, a=a, b=b)``, passing the keywords with a
constant name tuple. Loops are compiled once per set of keyword names (as namedtuple
and dataclasses compile their methods) and cached, up to a bound; names that cannot be
local variables as they are (keywords, non-identifiers, non-ASCII names, our own
``_ts_`` prefix) use the generic loop.
"""

from __future__ import annotations

from collections.abc import Callable
from keyword import iskeyword
from typing import Any, Final

from .._receivers import WEAK_REF_TYPES

__all__ = ["STRONG", "WEAK", "strong_deliverer", "weak_deliverer"]

Results = list[tuple[Callable[..., Any], Any]]
Deliver = Callable[..., Results]

_LIMIT: Final = 256
"""Keyword-name sets compiled per cache; past it, sends use the generic loop."""

_PREFIX: Final = "_ts_"
"""Prefix of the loops' own local names; keyword names with it use the generic loop."""

STRONG: dict[tuple[str, ...], Deliver] = {}
"""Compiled loops for strongly held receivers, by keyword names (read by ``send``)."""

WEAK: dict[tuple[str, ...], Deliver] = {}
"""Compiled loops for dispatch tuples that hold weak references, by keyword names."""


def _generic_strong(items: tuple[Any, ...], sender: object, kwargs: dict[str, Any], /) -> Results:
    return [(receiver, receiver(sender, **kwargs)) for receiver in items]


def _generic_weak(
    items: tuple[Any, ...], sender: object, kwargs: dict[str, Any], table: Any, /
) -> Results:
    results = []
    for item in items:
        if type(item) in WEAK_REF_TYPES:
            receiver = item()
            if receiver is None:  # died since the dispatch tuple was built
                table._purge_soon()
                continue
        else:
            receiver = item
        results.append((receiver, receiver(sender, **kwargs)))
    return results


# Plain loops: on CPython 3.11 they beat a comprehension, which builds a function. The
# keyword values are unpacked into locals once; every name of the loops' own starts with
# _ts_ (builtins too), so that no keyword name can shadow it.
_STRONG_LOOP: Final = """\
def deliver(_ts_items, _ts_sender, _ts_kwargs, /):
{unpack}    _ts_results = []
    for _ts_r in _ts_items:
        _ts_results.append((_ts_r, _ts_r(_ts_sender{args})))
    return _ts_results
"""

_WEAK_LOOP: Final = """\
def deliver(_ts_items, _ts_sender, _ts_kwargs, _ts_table, /):
{unpack}    _ts_results = []
    for _ts_item in _ts_items:
        if _ts_type(_ts_item) in _ts_weak_types:
            _ts_r = _ts_item()
            if _ts_r is None:
                _ts_table._purge_soon()
                continue
        else:
            _ts_r = _ts_item
        _ts_results.append((_ts_r, _ts_r(_ts_sender{args})))
    return _ts_results
"""


def _compile(template: str, names: tuple[str, ...], generic: Deliver) -> Deliver:
    # ASCII only: the compiler folds other identifiers to NFKC ("\ufb01" becomes "fi"),
    # which would change the keyword name a receiver sees.
    if not all(
        name.isascii()
        and name.isidentifier()
        and not iskeyword(name)
        and not name.startswith(_PREFIX)
        for name in names
    ):
        return generic
    unpack = "".join(f"    {name} = _ts_kwargs[{name!r}]\n" for name in names)
    args = "".join(f", {name}={name}" for name in names)
    source = template.format(unpack=unpack, args=args)
    namespace: dict[str, Any] = {"_ts_type": type, "_ts_weak_types": WEAK_REF_TYPES}
    exec(compile(source, f"<typedsignals.blinker delivery {names}>", "exec"), namespace)
    deliver: Deliver = namespace["deliver"]
    return deliver


def strong_deliverer(names: tuple[str, ...]) -> Deliver:
    """``deliver(items, sender, kwargs)`` for receivers held strongly."""
    if len(STRONG) >= _LIMIT:
        return _generic_strong
    deliver = STRONG[names] = _compile(_STRONG_LOOP, names, _generic_strong)
    return deliver


def weak_deliverer(names: tuple[str, ...]) -> Deliver:
    """``deliver(items, sender, kwargs, table)`` for items that may be weak references."""
    if len(WEAK) >= _LIMIT:
        return _generic_weak
    deliver = WEAK[names] = _compile(_WEAK_LOOP, names, _generic_weak)
    return deliver
