"""Helpers and fixtures shared by the blinker compatibility tests.

Each test module loads this file as a pytest plugin (``pytest_plugins =
["blinker_support"]``) rather than through a ``conftest.py``: a directory named
``blinker`` cannot be a package (it would shadow blinker itself), and a second
package-less ``conftest.py`` collides with ``tests/conftest.py`` under
``--doctest-modules``.

``impl`` runs a test once on blinker 1.9 itself and once on ``typedsignals.blinker``;
the defect tests use it to show each defect on blinker and its absence here. Tests that
need ``blinker`` to resolve to ``typedsignals.blinker`` (Flask, the tutorial, the
install hook) run in a subprocess (``run_python``), so this process keeps the real
blinker.

Third-party test suites (blinker's own, Flask's, Flask extensions') are never part of
this repository: ``sdist_tests`` downloads a project's sdist from PyPI with ``pip
download`` into ``.ci-work/blinker-compat/`` (gitignored) and extracts its tests, and
``run_suite`` runs them with pytest in a subprocess, on the real blinker or with
``blinker`` resolving to ``typedsignals.blinker``, and with the typedsignals pytest
plugin loaded in its default state either way (through its entry point, as in any
project that installs typedsignals). The suites need pytest 8 and a few test-only
packages, installed with ``pip install --target`` into the same cache (the
``suite_tools`` fixture) and put first on the subprocess's path. Without network access
these tests fail; they never skip.

PYTEST_DONT_REWRITE: test modules import helpers from here before pytest registers it
as a plugin, so it cannot have its assertions rewritten (it has none).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
import textwrap
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Final, Literal

import blinker
import pytest

import typedsignals.blinker

__all__ = [
    "CACHE",
    "IMPLEMENTATIONS",
    "REPO",
    "Outcome",
    "RunPython",
    "impl",
    "is_ours",
    "python_env",
    "run_python",
    "run_suite",
    "run_suite_on_both",
    "sdist_tests",
    "suite_tools",
]

REPO: Final = Path(__file__).resolve().parents[2]
"""The repository root: put on ``PYTHONPATH`` of subprocesses."""

IMPLEMENTATIONS: Final[dict[str, ModuleType]] = {
    "blinker": blinker,
    "typedsignals.blinker": typedsignals.blinker,
}
"""blinker 1.9 itself, and ours."""

if blinker is typedsignals.blinker:  # pragma: no cover - a broken environment
    raise RuntimeError("the test process must import the real blinker, not typedsignals'")


def is_ours(module: ModuleType) -> bool:
    """Whether ``module`` is ``typedsignals.blinker`` (not blinker itself)."""
    return module is typedsignals.blinker


def python_env(pythonpath: Sequence[str] = (), /, **extra: str) -> dict[str, str]:
    """A subprocess environment: the repository importable, no pytest or typedsignals
    settings inherited from this run."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST_", "TYPEDSIGNALS_", "PYTHONPATH"))
    }
    env["PYTHONPATH"] = os.pathsep.join([*pythonpath, str(REPO)])
    env.update(extra)
    return env


RunPython = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(params=list(IMPLEMENTATIONS))
def impl(request: pytest.FixtureRequest) -> ModuleType:
    """The module under test: blinker 1.9, then ``typedsignals.blinker``."""
    return IMPLEMENTATIONS[request.param]


@pytest.fixture
def run_python(tmp_path: Path) -> RunPython:
    """``run_python(code, **env)``: run ``code`` as a script in ``tmp_path``; it must succeed
    unless ``check=False``."""

    def run(code: str, *, check: bool = True, **env: str) -> subprocess.CompletedProcess[str]:
        script = tmp_path / "script.py"
        script.write_text(textwrap.dedent(code))
        result = subprocess.run(
            [sys.executable, str(script)],
            cwd=tmp_path,
            env=python_env(**env),
            capture_output=True,
            text=True,
            timeout=120,
        )
        if check and result.returncode != 0:
            pytest.fail(f"script failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        return result

    return run


# -- third-party test suites ---------------------------------------------------------------

CACHE: Final = REPO / ".ci-work" / "blinker-compat"
"""Downloads, extracted suites and test tools (gitignored)."""

SUITE_TOOLS: Final = (
    "pytest>=8,<9",  # Flask 3.1's test configuration needs pytest 8
    "pytest-asyncio>=0.23",  # blinker's async test
    "semantic-version",  # Flask-Login's tests
)
"""What the suites need besides what the development install has."""

SHIM: Final = "typedsignals_suite_shim"
"""The generated pytest plugin that switches blinker and reports what the run used."""

SHIM_SOURCE: Final = '''\
"""Generated by tests/blinker/blinker_support.py: the blinker a third-party suite runs on."""
import os

if os.environ.get("SUITE_BLINKER") == "typedsignals.blinker":
    import typedsignals.blinker

    typedsignals.blinker.install()


def pytest_report_header(config):
    import blinker

    plugin = config.pluginmanager.get_plugin("typedsignals")
    return [
        f"blinker resolves to {blinker.__name__}",
        f"typedsignals plugin: {getattr(plugin, '__name__', None)}",
    ]
'''

Blinker = Literal["blinker", "typedsignals.blinker"]


@dataclass(frozen=True)
class Outcome:
    """What a pytest run in a subprocess reported, test by test."""

    results: dict[str, str]
    """Test id (``classname::name`` of the JUnit report) -> passed, failed or skipped."""
    output: str

    def having(self, result: str) -> set[str]:
        """The ids of the tests with this result."""
        return {test for test, outcome in self.results.items() if outcome == result}

    @property
    def passed(self) -> set[str]:
        return self.having("passed")

    @property
    def failed(self) -> set[str]:
        """Failures and errors."""
        return self.having("failed")

    @property
    def skipped(self) -> set[str]:
        return self.having("skipped")

    @property
    def counts(self) -> dict[str, int]:
        """How many tests passed, failed and were skipped."""
        return {result: len(self.having(result)) for result in ("passed", "failed", "skipped")}


def _pip(*args: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        pytest.fail(f"pip {' '.join(args)} failed (is PyPI reachable?):\n{result.stderr}")


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _sdist(project: str, version: str) -> Path:
    """The sdist of ``project==version``, downloaded from PyPI unless cached."""
    downloads = CACHE / "sdists"
    downloads.mkdir(parents=True, exist_ok=True)
    wanted = _normalized(f"{project}-{version}.tar.gz")

    def cached() -> list[Path]:
        return [path for path in downloads.iterdir() if _normalized(path.name) == wanted]

    if not cached():
        _pip(
            "download",
            "--no-deps",
            "--no-binary",
            ":all:",
            f"{project}=={version}",
            "-d",
            str(downloads),
        )
    found = cached()
    if not found:
        pytest.fail(f"pip downloaded no sdist of {project}=={version} into {downloads}")
    return found[0]


_CONFIG_FILES: Final = ("pyproject.toml", "setup.cfg", "tox.ini", "pytest.ini", "conftest.py")
_PYTEST_SECTIONS: Final = ("[tool.pytest.ini_options]", "[tool:pytest]", "[pytest]")


def sdist_tests(project: str, version: str, tests: str = "tests/") -> Path:
    """Extract ``tests`` and the pytest configuration of ``project==version``'s sdist.

    Returns the extracted root. When the sdist carries no pytest configuration, an empty
    one is written, so that pytest does not take this repository's for the suite's.
    """
    archive = _sdist(project, version)
    with tarfile.open(archive) as tar:
        members = tar.getmembers()
        prefix = members[0].name.split("/")[0] + "/"
        wanted = [
            member
            for member in members
            if member.name.startswith(prefix + tests)
            or member.name in {prefix + name for name in _CONFIG_FILES}
        ]
        if not any(member.name.startswith(prefix + tests) for member in wanted):
            pytest.fail(f"the sdist of {project}=={version} ships no {tests}")
        root = CACHE / prefix.rstrip("/")
        shutil.rmtree(root, ignore_errors=True)
        if hasattr(tarfile, "data_filter"):  # Python 3.10.12+: refuse odd members
            tar.extractall(CACHE, members=wanted, filter="data")
        else:  # pragma: no cover - older Pythons
            tar.extractall(CACHE, members=wanted)  # members vetted above
    configured = any(
        section in (root / name).read_text(errors="replace")
        for name in _CONFIG_FILES
        if (root / name).is_file()
        for section in _PYTEST_SECTIONS
    )
    if not configured:
        (root / "pytest.ini").write_text("[pytest]\n")
    return root


@pytest.fixture(scope="session")
def suite_tools() -> list[Path]:
    """Directories to put first on a suite's path: its test tools and the shim plugin."""
    target = CACHE / "suite-tools"
    marker = target / ".complete"
    if not marker.exists() or marker.read_text() != "\n".join(SUITE_TOOLS):
        shutil.rmtree(target, ignore_errors=True)
        _pip("install", "--quiet", "--target", str(target), *SUITE_TOOLS)
        marker.write_text("\n".join(SUITE_TOOLS))
    shim = CACHE / "shim"
    shim.mkdir(parents=True, exist_ok=True)
    (shim / f"{SHIM}.py").write_text(SHIM_SOURCE)
    return [target, shim]


def _start_suite(
    root: Path, tools: list[Path], blinker: Blinker, args: Sequence[str]
) -> tuple[subprocess.Popen[str], Path]:
    report = root / f"report-{blinker}.xml"
    report.unlink(missing_ok=True)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pytest",
            # Entry-point plugins are not loaded, except ours (by its entry-point name):
            # the development install has more of them than a suite expects.
            "-p",
            "typedsignals",
            "-p",
            SHIM,
            "-p",
            "no:cacheprovider",
            f"--junitxml={report}",
            *args,
        ],
        cwd=root,
        env=python_env(
            [str(path) for path in tools],
            PYTEST_DISABLE_PLUGIN_AUTOLOAD="1",
            SUITE_BLINKER=blinker,
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return process, report


def _output_of(process: subprocess.Popen[str], blinker: Blinker) -> str:
    try:
        return process.communicate(timeout=600)[0]
    except subprocess.TimeoutExpired:
        process.kill()
        return f"(the suite on {blinker} ran out of time)\n" + process.communicate()[0]


def _outcome(output: str, report: Path, blinker: Blinker) -> Outcome:
    if not report.exists():
        pytest.fail(f"pytest wrote no report on {blinker}:\n{output}")
    results: dict[str, str] = {}
    for case in ElementTree.parse(report).iter("testcase"):
        test = f"{case.get('classname', '')}::{case.get('name', '')}"
        if case.find("failure") is not None or case.find("error") is not None:
            results[test] = "failed"  # an error at teardown comes after a pass: it wins
        elif test not in results:
            results[test] = "skipped" if case.find("skipped") is not None else "passed"
    header = [f"blinker resolves to {blinker}", "typedsignals plugin: typedsignals._pytest_plugin"]
    for line in header:
        assert line in output, f"expected {line!r} in the report header:\n{output}"
    return Outcome(results, output)


def run_suite(root: Path, tools: list[Path], blinker: Blinker, *args: str) -> Outcome:
    """Run pytest with ``args`` in ``root`` with ``blinker`` resolving to ``blinker``."""
    process, report = _start_suite(root, tools, blinker, args)
    return _outcome(_output_of(process, blinker), report, blinker)


def run_suite_on_both(root: Path, tools: list[Path], *args: str) -> tuple[Outcome, Outcome]:
    """Run the suite on the real blinker and on ours at the same time; both outcomes.

    Each run gets its own copy of ``root``: a suite may write files next to its tests.
    """
    copies: dict[str, Path] = {}
    for which in ("blinker", "typedsignals.blinker"):
        copies[which] = root.with_name(f"{root.name}-on-{which}")
        shutil.rmtree(copies[which], ignore_errors=True)
        shutil.copytree(root, copies[which])
    real, real_report = _start_suite(copies["blinker"], tools, "blinker", args)
    ours, ours_report = _start_suite(
        copies["typedsignals.blinker"], tools, "typedsignals.blinker", args
    )
    real_output = _output_of(real, "blinker")  # both finish before either is judged
    ours_output = _output_of(ours, "typedsignals.blinker")
    return (
        _outcome(real_output, real_report, "blinker"),
        _outcome(ours_output, ours_report, "typedsignals.blinker"),
    )
