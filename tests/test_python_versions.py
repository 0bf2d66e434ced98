"""typedsignals supports Python 3.10 to 3.13: run the core tests on every other version.

The suite itself runs on the development interpreter (3.11). Here each other supported
interpreter gets its own virtualenv (cached under .ci-work/) with the package installed,
and runs the core's send tests and doctests there. A supported interpreter that is
missing from the machine fails the test: the support claim would be unchecked.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".ci-work" / "pythons"
OTHER_VERSIONS = [
    v for v in ("3.10", "3.12", "3.13") if v != f"{sys.version_info[0]}.{sys.version_info[1]}"
]
CORE_CHECKS = [
    "tests/test_send.py",
    "typedsignals/_signal.py",
    "typedsignals/_namespace.py",
    "typedsignals/testing.py",
]


def find_interpreter(version: str) -> str:
    """A working python<version> (on PATH or under pyenv), or fail naming what is missing."""
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates = [shutil.which(f"python{version}")]
    candidates += sorted(
        str(p) for p in pyenv_root.glob(f"versions/{version}.*/bin/python{version}")
    )
    for candidate in filter(None, candidates):
        probe = subprocess.run([candidate, "-c", "import sys"], capture_output=True, check=False)
        if probe.returncode == 0:  # pyenv shims exist even for versions that are not active
            return candidate
    pytest.fail(f"python{version} is not installed; typedsignals claims to support it")


def venv_for(version: str) -> Path:
    """A virtualenv for ``version`` with typedsignals (editable) and the test tools."""
    venv = CACHE / version
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([find_interpreter(version), "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "-e", str(ROOT), "pytest>=8", "hypothesis"],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return python


@pytest.mark.parametrize("version", OTHER_VERSIONS)
def test_core_passes_on_other_python(version: str) -> None:
    """The core send tests and doctests pass on every other supported Python."""
    python = venv_for(version)
    result = subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", *CORE_CHECKS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
