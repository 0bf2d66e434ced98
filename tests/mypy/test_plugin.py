"""The mypy plugin against its golden files, under every configuration we support."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import venv
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import golden
import pytest

CASES = golden.case_files()


@pytest.fixture(scope="session")
def mypy_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[golden.Diagnostic]]:
    """mypy's diagnostics on the cases under each configuration, run two at a time."""
    scratch = tmp_path_factory.mktemp("mypy-configs")

    def run(name: str) -> tuple[str, list[golden.Diagnostic]]:
        config = golden.write_config(scratch, name)
        return name, golden.run_mypy(sys.executable, config, scratch / f"cache-{name}", CASES)

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(run, golden.CONFIGS))


def test_cases_exist() -> None:
    """The golden cases are found, so the checks below check something."""
    assert len(CASES) >= 5


@pytest.mark.parametrize("config", sorted(golden.CONFIGS))
def test_mypy_reports_exactly_the_pinned_diagnostics(
    config: str, mypy_results: dict[str, list[golden.Diagnostic]]
) -> None:
    """Every pinned diagnostic and no other, with or without pydantic's plugin."""
    assert mypy_results[config] == golden.expected(CASES, golden.MYPY_MARK)


def test_pyright_reports_exactly_the_pinned_diagnostics() -> None:
    """pyright, which has no plugins, reports what the docs say pyright users get."""
    assert golden.run_pyright(CASES) == golden.expected(CASES, golden.PYRIGHT_MARK)


def test_every_error_code_is_pinned() -> None:
    """Each of the plugin's error codes has at least one failing input in the cases."""
    from typedsignals import mypy as plugin

    pinned = "\n".join(d.text for d in golden.expected(CASES, golden.MYPY_MARK))
    codes = [name for name in plugin.__all__ if name.isupper()]
    assert len(codes) == 6
    for name in codes:
        assert f"[{getattr(plugin, name).code}]" in pinned, name


# -- caches and the daemon ------------------------------------------------------------------


@pytest.fixture
def cases_copy(tmp_path: Path) -> Path:
    """A copy of the cases that a test may change."""
    target = tmp_path / "cases"
    shutil.copytree(golden.CASES, target)
    return target


def test_warm_cache_gives_the_same_diagnostics(cases_copy: Path, tmp_path: Path) -> None:
    """A second run on a warm cache, and one after a consumer changed, report the same."""
    config = golden.write_config(tmp_path, "plugin")
    cache = tmp_path / "cache"
    files = sorted(cases_copy.glob("case_*.py"))
    cold = golden.run_mypy(sys.executable, config, cache, files)
    assert cold == golden.expected(CASES, golden.MYPY_MARK)
    warm = golden.run_mypy(sys.executable, config, cache, files)
    assert warm == cold
    # The declarations now come from the cache while their users are checked again.
    for consumer in ("case_sends.py", "case_aliases.py", "case_compat.py"):
        with (cases_copy / consumer).open("a") as file:
            file.write("# changed\n")
    assert golden.run_mypy(sys.executable, config, cache, files) == cold


def test_daemon_gives_the_same_diagnostics(cases_copy: Path, tmp_path: Path) -> None:
    """``dmypy run``, twice, reports what a cold mypy run reports."""
    config = golden.write_config(tmp_path, "plugin")
    status = tmp_path / "dmypy.json"
    command = [
        sys.executable, "-m", "mypy.dmypy", "--status-file", str(status), "run", "--",
        "--config-file", str(config), "--python-executable", sys.executable,
        *map(str, sorted(cases_copy.glob("case_*.py"))),
    ]  # fmt: skip
    try:
        runs = [
            subprocess.run(command, cwd=golden.ROOT, capture_output=True, text=True, timeout=900)
            for _ in range(2)
        ]
    finally:
        subprocess.run(
            [sys.executable, "-m", "mypy.dmypy", "--status-file", str(status), "stop"],
            capture_output=True,
            timeout=60,
        )
    expected = golden.expected(CASES, golden.MYPY_MARK)
    for run in runs:
        assert golden.parse_mypy(run.stdout) == expected, run.stdout + run.stderr


# -- the oldest mypy we support ------------------------------------------------------------------


def oldest_mypy() -> str:
    """The lower bound of mypy in the ``mypy`` extra, as a pip requirement for its series."""
    text = (golden.ROOT / "pyproject.toml").read_text()
    match = re.search(r'^mypy = \["mypy>=(\d+)\.(\d+)"\]$', text, re.MULTILINE)
    assert match, "the mypy extra has no lower bound"
    return f"mypy=={match[1]}.{match[2]}.*"


@pytest.fixture(scope="session")
def old_mypy_python(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A virtualenv with the oldest supported mypy (and pydantic, for its plugin)."""
    directory = tmp_path_factory.mktemp("oldest-mypy")
    venv.create(directory, with_pip=True)
    python = str(directory / "bin" / "python")
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         oldest_mypy(), "pydantic"],
        check=True, timeout=600,
    )  # fmt: skip
    return python


@pytest.mark.parametrize("config", ["plugin", "pydantic-first"])
def test_oldest_mypy_reports_the_same(old_mypy_python: str, config: str, tmp_path: Path) -> None:
    """The oldest mypy in our bounds reports exactly the pinned diagnostics too."""
    version = subprocess.run(
        [old_mypy_python, "-m", "mypy", "--version"], capture_output=True, text=True, check=True
    ).stdout
    assert version.startswith("mypy " + oldest_mypy()[len("mypy==") : -len(".*")] + ".")
    configuration = golden.write_config(tmp_path, config)
    # The plugin is imported from this checkout; packages are found through this venv.
    os.environ["PYTHONPATH"] = str(golden.ROOT)
    try:
        found = golden.run_mypy(old_mypy_python, configuration, tmp_path / "cache", CASES)
    finally:
        del os.environ["PYTHONPATH"]
    assert found == golden.expected(CASES, golden.MYPY_MARK)
