"""typedsignals infer: signals, fields and types read from code bases, the draft, bad input."""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from golden_files import HERE, check_golden

from typedsignals.catalog import (
    TYPED_ELSEWHERE,
    CatalogError,
    Inference,
    InferredField,
    InferredSignal,
    draft_module,
    infer_paths,
    read_modules,
)
from typedsignals.cli import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, main

CORPUS = HERE / "infer_corpus"
BIN = Path(sys.executable).parent
FLASK_LOGIN = "Flask-Login==0.6.3"
"""The third-party code base: it declares its signals in a ``flask.signals`` namespace
and sends them from its login manager and helpers."""

PIP_DOWNLOAD = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"]
PIP_DOWNLOAD += ["--no-binary", ":all:"]  # the sdist: the source as published
MYPY = [sys.executable, "-m", "mypy", "--strict", "--no-incremental"]

Corpus = Callable[[str], Path]


@pytest.fixture
def corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Corpus:
    """Copy a corpus of infer_corpus/ into a temporary folder as .py files, and work
    there (file names in the output are relative to the working directory)."""
    monkeypatch.chdir(tmp_path)

    def copy(name: str) -> Path:
        for source in (CORPUS / name).rglob("*.py.txt"):
            target = tmp_path / name / source.relative_to(CORPUS / name).with_suffix("")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        return Path(name)

    return copy


@pytest.fixture(scope="session")
def flask_login_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Flask-Login's sdist, downloaded from PyPI and unpacked (its package folder)."""
    folder = tmp_path_factory.mktemp("sdist")
    subprocess.run(
        [*PIP_DOWNLOAD, "--dest", str(folder), FLASK_LOGIN],
        check=True,
        capture_output=True,
    )
    (archive,) = folder.glob("*.tar.gz")
    with tarfile.open(archive) as tar:
        tar.extractall(folder, filter="data")
    (package,) = folder.glob("*/src/flask_login")
    return package


def _signal(inference: Inference, name: str, module: str | None = None) -> InferredSignal:
    (found,) = [s for s in inference.signals if s.name == name and module in (None, s.module)]
    return found


def _field(signal: InferredSignal, name: str) -> InferredField:
    (found,) = [f for f in signal.fields if f.name == name]
    return found


# -- the tutorial --------------------------------------------------------------------------


@pytest.fixture
def tutorial(corpus: Corpus) -> Inference:
    return infer_paths([corpus("tutorial")])


def test_tutorial_draft_matches_golden_file(
    corpus: Corpus, capsys: pytest.CaptureFixture[str]
) -> None:
    """The draft written for the tutorial's app is pinned."""
    assert main(["infer", str(corpus("tutorial"))]) == EXIT_OK
    check_golden("infer.tutorial.py.txt", capsys.readouterr().out)


@pytest.mark.parametrize(
    ("signal", "module", "fields"),
    [
        ("user-registered", "custom", [("user", None, True)]),
        ("user-action", "activity", [("action", "str", True), ("username", None, False)]),
        ("user-created", "tested", [("username", "str", True)]),
        ("user-created", "namespaced", []),
        ("user-deleted", "namespaced", []),
    ],
)
def test_tutorial_signals_and_fields(
    tutorial: Inference, signal: str, module: str, fields: list[tuple[str, str | None, bool]]
) -> None:
    """Each of the tutorial's signals is found with the fields its sends and receivers use."""
    found = _signal(tutorial, signal, module)
    assert [(f.name, f.annotation, f.required) for f in found.fields] == fields


def test_namespace_signal_is_not_the_default_namespace_one(tutorial: Inference) -> None:
    """A namespace's 'user-created' and blinker's signal('user-created') stay apart."""
    assert [s.module for s in tutorial.signals if s.name == "user-created"] == [
        "namespaced",
        "tested",
    ]


def test_sender_app_is_typed_flask(tutorial: Inference) -> None:
    """send(app, ...) with app = Flask(__name__) gives the sender type flask.Flask."""
    assert _signal(tutorial, "user-action").sender == "flask.Flask"


def test_bound_method_receivers_are_followed(tutorial: Inference) -> None:
    """user_action.connect(self.acted) reads the method's parameters after the sender."""
    found = _signal(tutorial, "user-action")
    assert found.received_by == ("ActivityLog.acted at tutorial/activity.py:28",)
    assert _field(found, "action").read_by == found.received_by


def test_flask_signals_point_to_their_typed_declarations(tutorial: Inference) -> None:
    """Flask's own signals are not drafted: the typed declaration is named instead."""
    assert dict(tutorial.typed_elsewhere) == {
        "request_finished": "typedsignals.flask.request_finished",
        "request_started": "typedsignals.flask.request_started",
        "template_rendered": "typedsignals.flask.template_rendered",
    }


# -- the shop: spellings, types, conflicts ------------------------------------------------


@pytest.fixture
def shop(corpus: Corpus, monkeypatch: pytest.MonkeyPatch) -> Inference:
    monkeypatch.chdir(corpus("shop").resolve())
    return infer_paths(["shop"])


def test_shop_draft_matches_golden_file(
    corpus: Corpus, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The draft written for the shop package is pinned, the conflict on stderr."""
    monkeypatch.chdir(corpus("shop").resolve())
    assert main(["infer", "shop"]) == EXIT_OK
    captured = capsys.readouterr()
    check_golden("infer.shop.py.txt", captured.out)
    assert captured.err == (
        "typedsignals infer: conflict: signal 'order-placed': field 'total': sent with "
        "different types: int at shop/views.py:19, str at shop/views.py:22\n"
    )


@pytest.mark.parametrize(
    ("signal", "python_path"),
    [
        ("order-placed", "shop.signals.order_placed"),  # `import blinker as bl; bl.signal()`
        ("stock-low", "shop.signals.stock_low"),  # a flask.signals Namespace, aliased
        ("refunded", "shop.signals.refunded"),  # NamedSignal
        ("checkout-started", "shop.signals.Checkout.started"),  # class attribute
    ],
)
def test_each_declaration_spelling_is_found(shop: Inference, signal: str, python_path: str) -> None:
    """Declarations are found whatever the blinker spelling and import alias."""
    assert _signal(shop, signal).python_path == python_path


@pytest.mark.parametrize(
    ("signal", "field", "annotation", "required"),
    [
        # a local built by a class, and a function's return annotation
        ("order-placed", "order", "shop.models.Order", True),
        ("order-placed", "gift", "bool", True),
        ("order-placed", "note", "str", False),  # sent at one of two sites
        ("order-placed", "coupon", None, False),  # only read, with kw.get()
        ("stock-low", "item", "str", True),  # the receiver's annotation
        ("stock-low", "urgent", "bool", True),  # a comparison
        ("refunded", "amount", "float", True),  # an annotated variable, **extra beside
        ("checkout-started", "customer", "shop.models.Customer", True),
    ],
)
def test_field_types_and_optionality(
    shop: Inference, signal: str, field: str, annotation: str | None, required: bool
) -> None:
    """Types come from literals, annotations and constructors; a field some sends omit
    is optional."""
    found = _field(_signal(shop, signal), field)
    assert (found.annotation, found.required) == (annotation, required)


def test_sends_are_followed_through_aliases_and_module_attributes(shop: Inference) -> None:
    """`placed.send` (an alias) and `signals.stock_low.send` (a module attribute) count."""
    assert _signal(shop, "order-placed").sent_at == ("shop/views.py:19", "shop/views.py:22")
    assert _signal(shop, "stock-low").sent_at == ("shop/views.py:26",)


@pytest.mark.parametrize(
    ("signal", "sender"),
    [("order-placed", "shop.views.Cart"), ("stock-low", "str"), ("refunded", None)],
)
def test_sender_types(shop: Inference, signal: str, sender: str | None) -> None:
    """self gives its class, a string literal str, None no sender type."""
    assert _signal(shop, signal).sender == sender


def test_int_and_str_for_one_keyword_is_a_conflict(shop: Inference) -> None:
    """A keyword sent as an int in one place and a str in another is a conflict."""
    assert shop.conflicts == (
        "signal 'order-placed': field 'total': sent with different types: "
        "int at shop/views.py:19, str at shop/views.py:22",
    )
    assert _field(_signal(shop, "order-placed"), "total").annotation == "int | str"


def test_opaque_kwargs_are_flagged(shop: Inference) -> None:
    """A send with **extra and a receiver passing **kw on are named, not guessed."""
    found = _signal(shop, "refunded")
    assert found.open_sends == ("shop/views.py:31",)
    assert found.open_receivers == ("on_refund at shop/receivers.py:19",)


def test_receiver_annotation_disagreeing_with_a_send_is_a_conflict(tmp_path: Path) -> None:
    """A receiver annotating a field int while a send passes a str is reported."""
    source = tmp_path / "app.py"
    source.write_text(
        "from blinker import signal\n"
        "ping = signal('ping')\n"
        "ping.send(None, count='3')\n"
        "@ping.connect\n"
        "def on_ping(sender, count: int) -> None: ...\n"
    )
    (conflict,) = infer_paths([source]).conflicts
    assert conflict == (
        "signal 'ping': field 'count': receivers annotate it as int but it is sent as str"
    )


# -- the draft is valid code ----------------------------------------------------------------


@pytest.fixture
def drafts(corpus: Corpus, tmp_path: Path) -> dict[str, Path]:
    """The drafts of both corpora, written next to the code they import."""
    written: dict[str, Path] = {}
    for name, folder, root in (("tutorial", "tutorial", "."), ("shop", "shop", "shop")):
        corpus(folder)
        inference = infer_paths([tmp_path / root / name])
        target = tmp_path / root / f"drafted_{name}.py"
        target.write_text(draft_module(inference), encoding="utf-8")
        written[name] = target
    return written


@pytest.mark.parametrize("name", ["tutorial", "shop"])
@pytest.mark.parametrize("args", [["check", "--isolated"], ["format", "--isolated", "--check"]])
def test_draft_is_ruff_clean_and_formatted(
    drafts: dict[str, Path], name: str, args: list[str]
) -> None:
    """The draft passes ruff check and ruff format --check with ruff's defaults."""
    target = drafts[name]
    result = subprocess.run(
        [str(BIN / "ruff"), *args, str(target)],
        capture_output=True,
        text=True,
        check=False,
        cwd=target.parent,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", ["tutorial", "shop"])
def test_draft_passes_mypy_strict(drafts: dict[str, Path], name: str) -> None:
    """The draft type-checks under mypy --strict, next to the code whose classes it uses
    (that code is not ours to check: its errors are silenced)."""
    target = drafts[name]
    result = subprocess.run(
        [*MYPY, "--follow-imports=silent", target.name],
        capture_output=True,
        text=True,
        check=False,
        cwd=target.parent,
        env={"PATH": str(BIN), "MYPYPATH": str(target.parent)},
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture
def import_draft(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Path], Any]]:
    names: list[str] = []

    def load(path: Path) -> Any:
        monkeypatch.syspath_prepend(str(path.parent))
        names.append(path.stem)
        return importlib.import_module(path.stem)

    yield load
    for name in names:
        sys.modules.pop(name, None)
    for name in [n for n in sys.modules if n == "shop" or n.startswith("shop.")]:
        del sys.modules[name]


def test_shop_draft_declares_the_signals_it_found(
    drafts: dict[str, Path], import_draft: Callable[[Path], Any]
) -> None:
    """Imported, the draft declares each signal with the fields infer found."""
    module = import_draft(drafts["shop"])
    catalog = {spec.name: spec for spec in read_modules([module]).signals}
    placed = catalog["order-placed"]
    assert [(f.name, f.required) for f in placed.fields] == [
        ("order", True),
        ("total", True),
        ("gift", True),
        ("note", False),
        ("coupon", False),
    ]
    assert (placed.sender.path, catalog["stock-low"].doc) == (
        "shop.views.Cart",
        "Sent when an item runs short.",
    )


# -- a real code base ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def flask_login(flask_login_source: Path) -> Inference:
    return infer_paths([flask_login_source])


def test_flask_login_signals_are_all_found(flask_login: Inference) -> None:
    """Every signal Flask-Login declares is found, under its blinker name."""
    assert [(s.name, s.attribute) for s in flask_login.signals] == [
        ("logged-in", "user_logged_in"),
        ("logged-out", "user_logged_out"),
        ("loaded-from-cookie", "user_loaded_from_cookie"),
        ("loaded-from-header", "_user_loaded_from_header"),
        ("loaded-from-request", "user_loaded_from_request"),
        ("login-confirmed", "user_login_confirmed"),
        ("unauthorized", "user_unauthorized"),
        ("needs-refresh", "user_needs_refresh"),
        ("accessed", "user_accessed"),
        ("session-protected", "session_protected"),
    ]


def test_flask_login_fields_match_our_catalog(flask_login: Inference) -> None:
    """The fields inferred from Flask-Login's sends are those typedsignals.flask.login
    declares by hand (the deprecated header signal aside), all sent by the app."""
    catalog = read_modules(["typedsignals.flask.login"])
    declared = {s.attribute: [f.name for f in s.fields] for s in catalog.signals}
    inferred = {
        s.attribute: [f.name for f in s.fields]
        for s in flask_login.signals
        if s.attribute != "_user_loaded_from_header"
    }
    assert inferred == declared
    assert {s.sender for s in flask_login.signals} == {"flask.Flask"}


def test_flask_login_sends_are_found_across_modules(flask_login: Inference) -> None:
    """Sends in login_manager.py and utils.py reach the signals of signals.py."""
    sites = {
        site.rpartition("/")[2].partition(":")[0] for s in flask_login.signals for site in s.sent_at
    }
    assert sites == {"login_manager.py", "utils.py"}
    assert len(_signal(flask_login, "session-protected").sent_at) == 2


def test_flask_login_draft_passes_mypy_strict(flask_login: Inference, tmp_path: Path) -> None:
    """The draft for a real code base type-checks under mypy --strict."""
    target = tmp_path / "drafted_login.py"
    target.write_text(draft_module(flask_login), encoding="utf-8")
    result = subprocess.run(
        [*MYPY, str(target)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env={"PATH": str(BIN)},
    )
    assert result.returncode == 0, result.stdout + result.stderr


# -- the copy of the typed catalogs' names ------------------------------------------------


@pytest.mark.parametrize("raw", sorted(TYPED_ELSEWHERE))
def test_typed_elsewhere_lists_the_catalogs_signals(raw: str) -> None:
    """TYPED_ELSEWHERE names exactly the signals each typed catalog module declares."""
    typed, names = TYPED_ELSEWHERE[raw]
    declared = {spec.attribute for spec in read_modules([typed]).signals}
    assert set(names.split()) == declared


# -- bad input -----------------------------------------------------------------------------


def test_missing_path_exits_2_naming_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A path that does not exist is one error line naming it; nothing is written."""
    missing = tmp_path / "nowhere"
    assert main(["infer", str(missing)]) == EXIT_USAGE
    captured = capsys.readouterr()
    assert captured.err == f"typedsignals infer: error: {missing}: no such file or folder\n"
    assert captured.out == ""


def test_unparsable_file_exits_2_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A single file that does not parse is one error line with its name and line."""
    monkeypatch.chdir(tmp_path)
    Path("broken.py").write_text("from blinker import signal\nsaved = signal('saved'\n")
    assert main(["infer", "broken.py"]) == EXIT_USAGE
    captured = capsys.readouterr()
    assert captured.err == (
        "typedsignals infer: error: broken.py:2: cannot parse the file: '(' was never closed\n"
    )
    assert captured.out == ""


def test_undecodable_file_is_an_input_error(tmp_path: Path) -> None:
    """A file that is not text in its declared encoding is named, not a traceback."""
    source = tmp_path / "latin.py"
    source.write_bytes(b"x = '\xff'\n")
    with pytest.raises(CatalogError, match=r"latin\.py:1: cannot parse the file"):
        infer_paths([source])


def test_one_bad_file_among_many_is_skipped_with_exit_1(
    corpus: Corpus, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file that does not parse is reported and skipped; the others are still drafted,
    and the exit status 1 says the draft lacks that file's signals."""
    folder = corpus("tutorial")
    (folder / "zz_broken.py").write_text("def oops(:\n")
    assert main(["infer", str(folder)]) == EXIT_FINDINGS
    captured = capsys.readouterr()
    assert captured.err == (
        "typedsignals infer: skipped tutorial/zz_broken.py:1: cannot parse the file: "
        "invalid syntax\n"
    )
    assert "user_registered = Signal(" in captured.out
    assert "* tutorial/zz_broken.py:1: cannot parse the file" in captured.out


def test_no_signals_is_said_on_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A code base without blinker signals gives a valid, empty draft and a note."""
    (tmp_path / "plain.py").write_text("print('hello')\n")
    assert main(["infer", str(tmp_path)]) == EXIT_OK
    captured = capsys.readouterr()
    assert captured.err == "typedsignals infer: no blinker signal declarations found\n"
    compile(captured.out, "draft.py", "exec")
    assert "No blinker signal declarations were found." in captured.out


def test_output_file_gets_the_draft(
    corpus: Corpus, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """infer -o FILE writes the draft there and nothing to stdout."""
    folder = corpus("tutorial")
    target = tmp_path / "draft.py"
    assert main(["infer", str(folder), "-o", str(target)]) == EXIT_OK
    assert target.read_text(encoding="utf-8") == draft_module(infer_paths([folder]))
    assert capsys.readouterr().out == ""


def test_unwritable_output_exits_2(corpus: Corpus, capsys: pytest.CaptureFixture[str]) -> None:
    """An output file that cannot be written is an input error naming it."""
    assert main(["infer", str(corpus("tutorial")), "-o", "/no/such/dir/d.py"]) == EXIT_USAGE
    assert "typedsignals infer: error: /no/such/dir/d.py: cannot write" in capsys.readouterr().err
