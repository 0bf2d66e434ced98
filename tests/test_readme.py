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


def test_showcase_command_names_the_tutorial_app() -> None:
    """The README's showcase runs the tutorial app module (tested in test_examples.py)."""
    showcase, _ = readme_commands()
    assert showcase.endswith(".venv/bin/python -m examples.tutorial_app")
    assert (ROOT / "examples" / "tutorial_app" / "__main__.py").is_file()


def test_custom_signal_example_runs() -> None:
    """examples/custom_signal.py shows a delivery and a rejection."""
    result = subprocess.run(
        [sys.executable, "examples/custom_signal.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Welcome aboard, ada@example.org" in result.stdout
    assert "PayloadError: invalid payload for signal 'user-registered'" in result.stdout
