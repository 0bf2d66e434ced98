"""Golden files for the mypy plugin: input modules with the expected diagnostics inline.

Each case in ``cases/`` is a module whose offending lines are followed by comment lines
giving what each checker must report there::

    user_registered.send(app, user_id=1, emial="a")
    # MYPY: error: Signal "user-registered" has no field "emial"; did you mean ...
    # PYRIGHT: error: No parameter named "emial" (reportCallIssue)

A line with no such comments must stay silent. ``# MYPY:`` lines hold under every mypy
configuration the tests run (with or without pydantic's plugin, ``init_typed`` on or off,
the oldest supported mypy); ``# PYRIGHT:`` lines record what pyright, which has no
plugins, reports on the same input (its first message line and rule).

Regenerate the expectations after a deliberate change (then review the diff)::

    .venv/bin/python tests/mypy/golden.py --update
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CASES = HERE / "cases"
MYPY_MARK = "# MYPY: "
PYRIGHT_MARK = "# PYRIGHT: "

CONFIGS: dict[str, str] = {
    "plugin": "plugins = typedsignals.mypy\n",
    "pydantic-first": "plugins = pydantic.mypy, typedsignals.mypy\n",
    "pydantic-init-typed": (
        "plugins = pydantic.mypy, typedsignals.mypy\n\n[pydantic-mypy]\ninit_typed = True\n"
    ),
    "plugin-first": (
        "plugins = typedsignals.mypy, pydantic.mypy\n\n[pydantic-mypy]\ninit_typed = True\n"
        "init_forbid_extra = True\n"
    ),
}
"""mypy configurations (the part after ``[mypy]``) under which the goldens must hold."""

_MYPY_LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+): (?P<text>(error|note): .*)$")


class Diagnostic(NamedTuple):
    """One diagnostic: file name, line of code, and its text."""

    file: str
    line: int
    text: str


def case_files() -> list[Path]:
    """The golden case modules."""
    return sorted(CASES.glob("*.py"))


def write_config(directory: Path, name: str) -> Path:
    """Write the mypy configuration ``name`` into ``directory``; return its path."""
    path = directory / f"mypy-{name}.ini"
    path.write_text(
        "[mypy]\nstrict = True\nwarn_unreachable = True\nshow_error_codes = True\n"
        "hide_error_context = True\nno_error_summary = True\n" + CONFIGS[name]
    )
    return path


def mypy_command(python: str, config: Path, cache: Path) -> list[str]:
    """The command that checks the cases with ``python``'s mypy and ``config``."""
    return [
        python, "-m", "mypy", "--config-file", str(config), "--cache-dir", str(cache),
        "--python-executable", sys.executable,
    ]  # fmt: skip


def parse_mypy(output: str) -> list[Diagnostic]:
    """The diagnostics in mypy's output, with versions' spelling differences removed."""
    found = []
    for line in output.splitlines():
        match = _MYPY_LINE.match(line)
        if match:
            text = match["text"]
            if text.startswith("note: Revealed type"):
                text = text.replace("builtins.", "")  # mypy < 1.16 spells builtins out
            found.append(Diagnostic(Path(match["path"]).name, int(match["line"]), text))
    return sorted(found)


def run_mypy(python: str, config: Path, cache: Path, files: Iterable[Path]) -> list[Diagnostic]:
    """Run mypy over ``files``; its diagnostics, sorted."""
    result = subprocess.run(
        [*mypy_command(python, config, cache), *map(str, files)],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    if result.returncode not in (0, 1) or "Traceback" in result.stderr:
        raise RuntimeError(f"mypy crashed:\n{result.stdout}\n{result.stderr}")
    return parse_mypy(result.stdout)


def run_pyright(files: Iterable[Path]) -> list[Diagnostic]:
    """Run pyright (standard mode) over ``files``; its diagnostics, sorted."""
    pyright = str(Path(sys.executable).parent / "pyright")
    result = subprocess.run(
        [pyright, "--outputjson", "--pythonpath", sys.executable, *map(str, files)],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    report = json.loads(result.stdout)
    found = []
    for item in report["generalDiagnostics"]:
        if item["severity"] == "information":
            continue
        message = item["message"].splitlines()[0]
        rule = f" ({item['rule']})" if item.get("rule") else ""
        line = item["range"]["start"]["line"] + 1
        text = f"{item['severity']}: {message}{rule}"
        found.append(Diagnostic(Path(item["file"]).name, line, text))
    return sorted(found)


def expected(files: Iterable[Path], mark: str) -> list[Diagnostic]:
    """The diagnostics the case files pin with ``mark``."""
    found = []
    for path in files:
        code_line = 0
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            stripped = line.strip()
            if stripped.startswith(mark):
                found.append(Diagnostic(path.name, code_line, stripped[len(mark) :]))
            elif not stripped.startswith((MYPY_MARK, PYRIGHT_MARK)):
                code_line = number
    return sorted(found)


def rewrite(path: Path, mypy: Sequence[Diagnostic], pyright: Sequence[Diagnostic]) -> None:
    """Replace the expectations in ``path`` with the given diagnostics."""
    lines = path.read_text().splitlines()
    kept = [
        (number, line)
        for number, line in enumerate(lines, start=1)
        if not line.strip().startswith((MYPY_MARK, PYRIGHT_MARK))
    ]
    out: list[str] = []
    for number, line in kept:
        out.append(line)
        indent = line[: len(line) - len(line.lstrip())]
        out.extend(f"{indent}{MYPY_MARK}{d.text}" for d in mypy if d.line == number)
        out.extend(f"{indent}{PYRIGHT_MARK}{d.text}" for d in pyright if d.line == number)
    path.write_text("\n".join(out) + "\n")


def update() -> None:
    """Regenerate every case's expectations (from the first configuration and pyright)."""
    import tempfile

    files = case_files()
    # Strip the old expectations first, so that line numbers are those of the code.
    for path in files:
        rewrite(path, [], [])
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        config = write_config(directory, "plugin")
        mypy = run_mypy(sys.executable, config, directory / "cache", files)
    pyright = run_pyright(files)
    for path in files:
        rewrite(
            path,
            [d for d in mypy if d.file == path.name],
            [d for d in pyright if d.file == path.name],
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--update", action="store_true", help="rewrite the expectations")
    if parser.parse_args().update:
        update()
    else:
        parser.print_help()
