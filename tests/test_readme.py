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


def _run_setup(
    tmp_path: Path, *, with_initdb: bool, with_apt: bool
) -> subprocess.CompletedProcess[str]:
    """Run .ci/system-packages with a PATH of stand-ins that record what they are asked."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "calls.log"
    stubs = {"id": "echo 0", "sudo": 'exec "$@"'}
    if with_apt:
        stubs["apt-get"] = f'echo "apt-get $*" >> {log}'
    if with_initdb:
        stubs["initdb"] = "exit 0"
    for name, body in stubs.items():
        stub = bin_dir / name
        stub.write_text(f"#!/bin/sh\n{body}\n")
        stub.chmod(0o755)
    # The machine's own initdb and apt-get must not be found: only the stand-ins are.
    path = f"{bin_dir}:{_bin_without(tmp_path, 'initdb', 'apt-get')}"
    env = {"PATH": path, "TYPEDSIGNALS_PG_GLOB": str(tmp_path / "none")}
    return subprocess.run(
        ["/bin/bash", str(ROOT / ".ci" / "system-packages")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _bin_without(tmp_path: Path, *names: str) -> str:
    """A directory of links to /bin and /usr/bin's programs, except ``names``."""
    clean = tmp_path / "clean-bin"
    clean.mkdir()
    for directory in (Path("/usr/bin"), Path("/bin")):
        for program in directory.iterdir():
            target = clean / program.name
            if program.name not in names and not target.exists():
                target.symlink_to(program)
    return str(clean)


def test_setup_installs_postgresql_when_initdb_is_missing(tmp_path: Path) -> None:
    """The README's first step asks apt-get for PostgreSQL on a machine without it."""
    result = _run_setup(tmp_path, with_initdb=False, with_apt=True)
    assert result.returncode == 0, result.stderr
    calls = (tmp_path / "calls.log").read_text()
    assert "apt-get update" in calls
    assert "install -y -qq --no-install-recommends postgresql" in calls


def test_setup_does_nothing_when_everything_is_there(tmp_path: Path) -> None:
    """With initdb present, the setup step installs nothing."""
    result = _run_setup(tmp_path, with_initdb=True, with_apt=True)
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "calls.log").exists()


def test_setup_without_apt_get_says_what_to_install(tmp_path: Path) -> None:
    """Without apt-get, the setup step fails naming the missing package."""
    result = _run_setup(tmp_path, with_initdb=False, with_apt=False)
    assert result.returncode == 1
    assert "missing postgresql" in result.stderr
