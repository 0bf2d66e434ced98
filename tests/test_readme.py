"""The README's opening commands are what CI and newcomers run: keep them true."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def readme_commands() -> list[str]:
    """The shell commands in the README's first two ```bash blocks."""
    blocks = re.findall(r"```bash\n(.*?)\n```", README, flags=re.DOTALL)
    return [block.strip() for block in blocks[:2]]


def test_readme_opens_with_two_commands() -> None:
    """The README's first two code blocks are the showcase and the test command."""
    showcase, tests = readme_commands()
    assert README.index("```bash") < README.index("---")
    assert "pip install" in showcase
    assert "examples" in showcase
    assert "pip install" in tests
    assert "pytest" in tests


def test_ci_runs_the_readme_test_command() -> None:
    """.ci/run runs exactly the README's test command."""
    _, tests = readme_commands()
    assert f"test_command='{tests}'" in (ROOT / ".ci" / "run").read_text()


def test_showcase_runs() -> None:
    """The showcase the README names runs and shows both a delivery and a rejection."""
    showcase, _ = readme_commands()
    script = showcase.rsplit(".venv/bin/python ", 1)[1].split()[0]
    result = subprocess.run(
        [sys.executable, script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "Welcome aboard, ada@example.org" in result.stdout
    assert "PayloadError: invalid payload for signal 'user-registered'" in result.stdout
