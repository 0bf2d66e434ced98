"""Every Python block of the documentation runs, so the examples cannot rot.

Each page runs in a fresh interpreter (see docs_blocks.py for the markers a block may
carry), from a temporary directory, with strict mode on and warnings as errors.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from docs_blocks import Block, MarkerError, blocks

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
RUNNER = Path(__file__).with_name("docs_blocks.py")
DECLARE = (
    "```python\nfrom typedsignals import Payload, Signal\n\n\nclass P(Payload):\n    n: int\n\n\n"
)
"""The start of a test page's first block: a payload model P with one int field."""
PAGES = sorted(path.relative_to(DOCS).as_posix() for path in DOCS.rglob("*.md"))


def run_pages(tmp_path: Path, *pages: Path) -> subprocess.CompletedProcess[str]:
    """Run the code of ``pages`` in a fresh interpreter, as the suite does."""
    env = {
        **os.environ,
        "TYPEDSIGNALS_STRICT": "1",
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.run(
        [sys.executable, "-W", "error", str(RUNNER), *map(str, pages)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


AWAITING_OWNER: dict[str, str] = {}
"""Pages whose owner has still to mark a block, with what the page needs."""


@pytest.mark.parametrize(
    "page",
    [
        pytest.param(page, marks=pytest.mark.xfail(reason=AWAITING_OWNER[page], strict=True))
        if page in AWAITING_OWNER
        else page
        for page in PAGES
    ],
)
def test_page_code_runs(page: str, tmp_path: Path) -> None:
    """Every Python block of the page runs, in order, as its markers say."""
    result = run_pages(tmp_path, DOCS / page)
    assert result.returncode == 0, result.stderr


def test_pages_hold_python_blocks() -> None:
    """The collection finds the pages and their blocks (a broken pattern finds none)."""
    counts = {page: len(blocks((DOCS / page).read_text(encoding="utf-8"), page)) for page in PAGES}
    assert counts["getting-started.md"] >= 5
    assert sum(counts.values()) >= 60


def test_blocks_come_in_page_order_with_their_lines() -> None:
    """A page's blocks and hidden code come in order, each with its first line."""
    text = (
        "intro\n\n```python\na = 1\n```\n\n"
        "<!-- docs-test: hidden\nb = a\n-->\n\n```python\nc = b\n```\n"
    )
    assert blocks(text) == [
        Block(4, "a = 1\n"),
        Block(8, "b = a\n", hidden=True),
        Block(12, "c = b\n"),
    ]


def test_block_in_a_list_item_is_dedented() -> None:
    """A fenced block indented under a list item is found and dedented."""
    text = "1. step\n\n    ```python\n    x = 1\n    if x:\n        y = 2\n    ```\n"
    assert blocks(text) == [Block(4, "x = 1\nif x:\n    y = 2\n")]


def test_other_languages_are_not_run() -> None:
    """Console, text and TOML blocks are not Python blocks."""
    text = "```console\n$ ls\n```\n\n```text\nerror\n```\n\n```toml\n[x]\n```\n"
    assert blocks(text) == []


def test_skip_marker_keeps_the_block_out_with_its_reason() -> None:
    """A skip marker applies to the next block only, and carries its reason."""
    text = "<!-- docs-test: skip generated output -->\n```python\nx\n```\n```python\ny = 1\n```\n"
    assert blocks(text) == [Block(3, "x\n", skip="generated output"), Block(6, "y = 1\n")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<!-- docs-test: skip -->\n```python\nx\n```\n", "needs a reason"),
        ("<!-- docs-test: raises -->\n```python\nx\n```\n", "needs an exception name"),
        ("<!-- docs-test: skip why -->\n\nprose\n\n```python\nx\n```\n", "not followed"),
        ("<!-- docs-test: skip why -->\n", "not followed"),
        ("<!-- docs-test: raise ValueError -->\n```python\nx\n```\n", "unknown docs-test marker"),
        ("<!-- docs-test: hidden\n-->\n", "hidden code starts"),
    ],
)
def test_malformed_markers_are_errors_naming_the_line(text: str, message: str) -> None:
    """A marker that is malformed or precedes no block is an error, not ignored."""
    with pytest.raises(MarkerError, match=message) as info:
        blocks(text, "page.md")
    assert str(info.value).startswith("page.md:1: ")


@pytest.mark.parametrize(
    ("page", "failure"),
    [
        (
            "```python\nx = 1\n```\n\n```python\nraise KeyError('k')\n```\n",
            "page.md:6: the block raised KeyError",
        ),
        ("```python\nundefined_name\n```\n", "NameError"),
        (
            "<!-- docs-test: raises ValueError -->\n```python\nx = 1\n```\n",
            "marked to raise ValueError, and raised nothing",
        ),
        (
            "<!-- docs-test: raises ValueError -->\n```python\nraise KeyError\n```\n",
            "raised KeyError",
        ),
        (
            "```python\nimport warnings\nwarnings.warn('old', DeprecationWarning)\n```\n",
            "DeprecationWarning",
        ),
    ],
)
def test_failing_page_fails_naming_the_block(page: str, failure: str, tmp_path: Path) -> None:
    """A block that raises, or a raises marker left unmet, fails the page."""
    (tmp_path / "page.md").write_text(page)
    result = run_pages(tmp_path, Path("page.md"))
    assert result.returncode == 1
    assert failure in result.stderr


def test_raises_marker_accepts_a_base_class_and_later_blocks_run(tmp_path: Path) -> None:
    """A raises marker accepts a subclass's raise, and the page goes on in one namespace."""
    page = (
        DECLARE + "sig = Signal('s', P)\n```\n\n"
        "<!-- docs-test: raises ValueError -->\n```python\nsig.send(None, n='x')\n```\n\n"
        "```python\nassert sig.send(None, n=1) == []\n```\n"
    )
    (tmp_path / "page.md").write_text(page)
    result = run_pages(tmp_path, Path("page.md"))
    assert result.returncode == 0, result.stderr


def test_pages_run_in_strict_mode(tmp_path: Path) -> None:
    """An unheard send with a bad payload fails the page: strict mode is on."""
    page = DECLARE + "Signal('s', P).send(None, n='x')\n```\n"
    (tmp_path / "page.md").write_text(page)
    result = run_pages(tmp_path, Path("page.md"))
    assert "PayloadError" in result.stderr


def test_models_resolve_names_imported_by_the_page(tmp_path: Path) -> None:
    """A payload field typed by a name the page imported resolves, as in a script."""
    page = (
        "```python\nfrom datetime import datetime\n\nfrom typedsignals import Payload, Signal\n"
        "\n\nclass Stamped(Payload):\n    at: datetime\n\n\nSignal('stamped', Stamped)\n```\n"
    )
    (tmp_path / "page.md").write_text(page)
    result = run_pages(tmp_path, Path("page.md"))
    assert result.returncode == 0, result.stderr
