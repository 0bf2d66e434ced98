"""The signal module the catalog benchmark reads: many signals with nested payloads.

:func:`render` writes, deterministically for a given size and seed, the source of one
module declaring ``signals`` typed signals. Each signal has a payload model of its own
holding a nested model of its own (so a module of 1,000 signals builds 2,000 pydantic
models), with the kinds of field the catalog renders: required and defaulted fields,
optional ones, lists, dicts, enums, literals, constraints and descriptions. One signal
in ten has a sender class, one in five an error policy, one in seven is declared through
a namespace; every signal has a doc. The module passes ``mypy --strict``.
"""

from __future__ import annotations

import random
from typing import Final

__all__ = ["DEFAULT_SEED", "DEFAULT_SIGNALS", "MODULE", "render"]

MODULE: Final = "bench_catalog_signals"
"""The name the benchmark gives the generated module."""
DEFAULT_SIGNALS: Final = 1_000
"""The issue's size: a module of 1,000 signals."""
DEFAULT_SEED: Final = 18
"""The seed of the published figures (issue #18)."""

_SCALARS: Final = (
    ("int", "Field(ge=0, description='A count.')", None),
    ("str", "Field(min_length=1, max_length=80, description='A name.')", None),
    ("float", "0.0", "A ratio."),
    ("bool", "False", None),
    ("str | None", "None", "An optional note."),
    ("list[str]", "Field(default_factory=list, description='Labels.')", None),
    ("dict[str, int]", "Field(default_factory=dict)", None),
    ("Level", "Level.LOW", "A level."),
    ("Literal['a', 'b', 'c']", "'a'", None),
)
_POLICIES: Final = ("raise", "collect", "log")


def render(signals: int = DEFAULT_SIGNALS, *, seed: int = DEFAULT_SEED) -> str:
    """The module's source.

    Args:
        signals: How many signals it declares (at least 1).
        seed: Chooses the fields of each payload; the same seed gives the same source.
    """
    if signals < 1:
        raise ValueError(f"a catalog module needs at least one signal, not {signals}")
    chooser = random.Random(seed)
    lines = [
        f'"""{signals} generated signals for the catalog benchmark (seed {seed})."""',
        "",
        "from __future__ import annotations",
        "",
        "from enum import Enum",
        "from typing import Literal",
        "",
        "from pydantic import Field",
        "",
        "from typedsignals import Namespace, Payload, Signal",
        "",
        "",
        "class Level(str, Enum):",
        '    """A level every payload may carry."""',
        "",
        '    LOW = "low"',
        '    HIGH = "high"',
        "",
        "",
        "class Source:",
        '    """The sender class of one signal in ten."""',
        "",
        "",
        'bench = Namespace("bench")',
    ]
    for index in range(signals):
        lines += _signal(index, chooser)
    return "\n".join(lines) + "\n"


def _signal(index: int, chooser: random.Random) -> list[str]:
    tag = f"{index:04d}"
    detail, payload, attribute = f"Detail{tag}", f"Event{tag}", f"event_{tag}"
    fields = chooser.sample(_SCALARS, k=chooser.randint(2, 5))
    lines = ["", "", f"class {detail}(Payload):", f'    """Nested part of signal {tag}."""', ""]
    for number, (annotation, default, _) in enumerate(chooser.sample(_SCALARS, k=3)):
        lines.append(f"    part_{number}: {annotation} = {default}")
    lines += ["", "", f"class {payload}(Payload):", f'    """Payload of signal {tag}."""', ""]
    lines.append(f"    key: int = Field(ge=1, description='The key of record {tag}.')")
    lines.append(f"    detail: {detail}")
    for number, (annotation, default, doc) in enumerate(fields):
        lines.append(f"    field_{number}: {annotation} = {default}")
        if doc:
            lines.append(f'    """{doc}"""')
    options = [f'doc="Sent when record {tag} changes."']
    if index % 10 == 3:
        options.append("sender=Source")
    if index % 5 == 1:
        options.append(f'error_policy="{_POLICIES[index % 3]}"')
    lines += ["", ""]
    if index % 7 == 2:
        lines.append(f'{attribute} = bench.signal("event-{tag}", {payload}, {", ".join(options)})')
    else:
        lines.append(f'{attribute} = Signal("event-{tag}", {payload}, {", ".join(options)})')
    return lines
