"""typedsignals stubgen for modules of typed signals: every signal spelled out field by field."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from golden_files import check_golden

from benchmarks._catalog_module import render
from typedsignals.catalog import STUB_HEADER
from typedsignals.catalog._stubgen import stubs
from typedsignals.catalog._stubgen_typed import typed_stub, typed_stubs
from typedsignals.cli import EXIT_OK, EXIT_USAGE, main

HERE = Path(__file__).parent
BIN = Path(sys.executable).parent
FLASK_MODULES = (
    "typedsignals.flask",
    "typedsignals.flask.login",
    "typedsignals.flask.mail",
    "typedsignals.flask.principal",
    "typedsignals.flask.sqlalchemy",
)
GENERATED = "generated_signals"
"""The name of the generated signal modules the tests import."""

STUBTEST_ALLOWLIST = """\
# A multi-value Literal alias is a Union to mypy and not to the runtime: stubtest
# reports every such alias (typeshed allowlists them too).
typedsignals.flask.sqlalchemy.Operation
# The part stubs of a large module have no runtime counterpart (see typed_stubs).
generated_signals\\._signals_\\d+
"""

USER_CODE = """\
from catalog_sample import Address, OrderPlaced, Sender, order_placed


@order_placed.connect
def good(sender: Sender, payload: OrderPlaced) -> None: ...


def wrong(sender: Sender, payload: str) -> None: ...


address = Address(street="1 Main St", city="Paris")
order_placed.send(Sender(), order_id=1, ship_to=address)
order_placed.send(Sender(), order_id="1", ship_to=address)
order_placed.send(Sender(), order_id=1)
order_placed.send(Sender(), order_id=1, ship_to=address, colour_typo=None)
order_placed.connect(wrong)
reveal_type(order_placed)
"""
"""User code: lines 13 (a str for an int), 14 (a required field missing), 15 (an unknown
field) and 16 (a receiver taking a str payload) are wrong; line 17 shows the type."""

EXPECTED_ERROR_LINES = {13, 14, 15, 16}


@pytest.fixture
def generated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """A generated module of 12 signals (the benchmark's generator), imported."""
    # A folder of its own: a checker run in tmp_path must not take the source for a stub.
    folder = tmp_path / "runtime"
    folder.mkdir()
    (folder / f"{GENERATED}.py").write_text(render(12, seed=5), encoding="utf-8")
    monkeypatch.syspath_prepend(str(folder))
    sys.modules.pop(GENERATED, None)
    yield importlib.import_module(GENERATED)
    sys.modules.pop(GENERATED, None)


def _install(sources: dict[str, str], site: Path) -> None:
    """Write stubs as `typedsignals stubgen` lays them out: partial stub packages."""
    for key, source in sources.items():
        top, _, rest = key.partition(".")
        package = site / f"{top}-stubs"
        path = package.joinpath(*rest.split(".")) if rest else package / "__init__"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.with_suffix(".pyi").write_text(source, encoding="utf-8")
        (package / "py.typed").write_text("partial\n", encoding="utf-8")


def _run(*args: str, cwd: Path, path: list[Path] | None = None) -> subprocess.CompletedProcess[str]:
    env = {"PATH": str(BIN), "HOME": str(cwd)}
    if path:
        env["PYTHONPATH"] = os.pathsep.join(str(p) for p in path)
    return subprocess.run(list(args), capture_output=True, text=True, check=False, cwd=cwd, env=env)


def _checked_copies(sources: dict[str, str], folder: Path) -> Path:
    """The stubs laid out as a plain package tree, to type-check them as files."""
    root = folder / "checked"
    for key, source in sources.items():
        path = root.joinpath(*key.split(".")).with_suffix(".pyi")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    return root


# -- the output -----------------------------------------------------------------------


def test_sample_stub_matches_golden_file() -> None:
    """The stub of the sample module is pinned."""
    check_golden("sample.stubgen.pyi.txt", typed_stub("catalog_sample"))


@pytest.mark.parametrize("module", FLASK_MODULES)
def test_flask_catalog_stub_matches_golden_file(module: str) -> None:
    """The typed stubs of the Flask catalogs are pinned."""
    check_golden(f"{module.removeprefix('typedsignals.')}.stubgen.pyi.txt", typed_stub(module))


def test_generated_module_stub_matches_golden_file(generated: ModuleType) -> None:
    """The stub of a generated module (nested payloads, namespaces, senders) is pinned."""
    check_golden("generated.stubgen.pyi.txt", typed_stub(generated))


def test_stub_starts_with_the_generated_by_header() -> None:
    """The first line says the stub is generated, by what, from which modules."""
    first = typed_stub("catalog_sample", sources=["catalog_sample", "x"]).splitlines()[0]
    assert first == STUB_HEADER.format(sources="catalog_sample, x")


def test_send_takes_the_payload_fields_as_keywords() -> None:
    """send spells out each field, typed, with `= ...` exactly where it has a default."""
    source = typed_stub("catalog_sample")
    send = source[source.index("    def send(\n") : source.index("    def send_payload(")]
    assert "        order_id: int,\n" in send
    assert "        total: float = ...,\n" in send
    assert "        ship_to: Address,\n" in send
    assert "        bill_to: Address | None = ...,\n" in send


def test_stub_is_the_same_under_any_hash_seed(tmp_path: Path) -> None:
    """Two processes with different hash seeds write the same stub, byte for byte."""
    code = "from typedsignals.catalog._stubgen_typed import typed_stub; print(typed_stub('catalog_sample'))"  # noqa: E501
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            cwd=HERE,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    }
    assert len(outputs) == 1


def test_a_module_without_typed_signals_is_refused() -> None:
    """The error names the module."""
    with pytest.raises(ValueError, match="module 'json' declares no typed signal"):
        typed_stubs("json")


def test_large_module_is_split_into_part_stubs(generated: ModuleType) -> None:
    """Past `per_file` signals, the signal classes go to part stubs the module imports."""
    written = typed_stubs(generated, per_file=5)
    assert list(written) == [
        f"{GENERATED}.__init__",
        f"{GENERATED}._signals_0",
        f"{GENERATED}._signals_1",
        f"{GENERATED}._signals_2",
    ]
    assert (
        f"event_0007: {GENERATED}._signals_1._Event0007Signal" in written[f"{GENERATED}.__init__"]
    )


# -- the checkers ---------------------------------------------------------------------


def _all_stubs(generated: ModuleType) -> dict[str, dict[str, str]]:
    flask: dict[str, str] = {}
    for module in FLASK_MODULES:
        flask.update(typed_stubs(module))
    return {
        "sample": typed_stubs("catalog_sample"),
        "flask": flask,
        # Split in parts, as a module of a thousand signals is.
        "generated": typed_stubs(generated, per_file=5),
    }


@pytest.mark.parametrize("which", ["sample", "flask", "generated"])
@pytest.mark.parametrize("checker", ["mypy", "pyright"])
def test_stubs_pass_the_checkers(
    which: str, checker: str, generated: ModuleType, tmp_path: Path
) -> None:
    """The stubs pass mypy --strict and pyright."""
    root = _checked_copies(_all_stubs(generated)[which], tmp_path)
    top = sorted(p.name for p in root.iterdir())
    if checker == "mypy":
        modules = [arg for name in top for arg in ("-p", name.removesuffix(".pyi"))]
        command = [sys.executable, "-m", "mypy", "--strict", "--no-incremental", *modules]
    else:
        command = [str(BIN / "pyright"), "--pythonpath", sys.executable, *top]
    result = _run(*command, cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("which", "module"),
    [("sample", "catalog_sample"), ("flask", "typedsignals.flask"), ("generated", GENERATED)],
)
def test_stubs_pass_stubtest(
    which: str, module: str, generated: ModuleType, tmp_path: Path
) -> None:
    """stubtest finds each stub consistent with its runtime module."""
    site = tmp_path / "site"
    _install(_all_stubs(generated)[which], site)
    (tmp_path / "allowlist.txt").write_text(STUBTEST_ALLOWLIST, encoding="utf-8")
    runtime = Path(generated.__file__ or "").parent
    result = _run(
        str(BIN / "stubtest"), module, "--allowlist", "allowlist.txt",
        "--ignore-unused-allowlist",
        cwd=tmp_path, path=[site, HERE, runtime, HERE.parents[1]],
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("checker", ["mypy", "pyright"])
def test_user_code_is_checked_through_the_stub(checker: str, tmp_path: Path) -> None:
    """Wrong field types, missing and unknown fields, wrong receivers are flagged."""
    site = tmp_path / "site"
    _install(typed_stubs("catalog_sample"), site)
    (tmp_path / "app.py").write_text(USER_CODE, encoding="utf-8")
    # The runtime module stays off the path: what the checker knows comes from the stub.
    if checker == "mypy":
        result = _run(
            sys.executable, "-m", "mypy", "--strict", "--no-incremental", "app.py",
            cwd=tmp_path, path=[site],
        )  # fmt: skip
        marker = ": error:"
    else:
        result = _run(
            str(BIN / "pyright"), "--pythonpath", sys.executable, "app.py",
            cwd=tmp_path, path=[site],
        )  # fmt: skip
        marker = " - error: "
    lines = {int(row.split(":")[1]) for row in result.stdout.splitlines() if marker in row}
    assert lines == EXPECTED_ERROR_LINES, result.stdout
    assert "_OrderPlacedSignal" in result.stdout


# -- the command ----------------------------------------------------------------------


def test_stubgen_writes_a_stub_package_for_a_typed_module(tmp_path: Path) -> None:
    """`typedsignals stubgen MODULE -o DIR` writes DIR/MODULE-stubs with py.typed partial."""
    assert main(["stubgen", "catalog_sample", "-o", str(tmp_path)]) == EXIT_OK
    package = tmp_path / "catalog_sample-stubs"
    assert (package / "__init__.pyi").read_text() == typed_stub("catalog_sample")
    assert (package / "py.typed").read_text() == "partial\n"


def test_stubgen_of_typed_and_bridged_modules_writes_both(tmp_path: Path) -> None:
    """A typed module and a bridged catalog give the typed stub and the raw one."""
    assert main(["stubgen", "catalog_sample", "typedsignals.flask", "-o", str(tmp_path)]) == 0
    written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*.pyi"))
    assert written == ["catalog_sample-stubs/__init__.pyi", "flask-stubs/signals.pyi"]


MIXED = """\
from flask import Flask

from typedsignals import Payload, Signal
import mixed_raw
from typedsignals.flask import BridgedSignal


class Saved(Payload):
    key: int


class Legacy(Payload):
    key: int


saved = Signal("saved", Saved)
legacy = BridgedSignal(mixed_raw.legacy_raw, Legacy, sender=Flask)
"""
"""A module with a typed signal of its own and a bridged one (raw signal elsewhere)."""


def test_module_with_both_kinds_gets_its_stub_and_the_raw_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its own stub types both of its signals; the raw module gets the raw stub."""
    (tmp_path / "mixed_raw.py").write_text(
        "from blinker import Namespace\n\nlegacy_raw = Namespace().signal('legacy')\n"
    )
    (tmp_path / "mixed_both.py").write_text(MIXED)
    monkeypatch.syspath_prepend(str(tmp_path))
    written = stubs(["mixed_both"])
    assert list(written) == ["mixed_both", "mixed_raw"]
    assert "saved: _SavedSignal" in written["mixed_both"]
    assert "legacy: _LegacySignal" in written["mixed_both"]
    assert "class _LegacyRawSignal(NamedSignal):" in written["mixed_raw"]


@pytest.mark.parametrize(
    ("module", "message"),
    [
        ("json", "module 'json' declares no typed signal"),
        ("no_such_module_here", "cannot import module 'no_such_module_here'"),
    ],
)
def test_stubgen_of_bad_input_exits_2(
    module: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A module without typed signals, or one that cannot be imported, is named."""
    assert main(["stubgen", module, "-o", str(tmp_path)]) == EXIT_USAGE
    assert message in capsys.readouterr().err
