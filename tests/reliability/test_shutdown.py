"""Interpreter shutdown: live signals, receivers and senders at exit print nothing.

Each scenario runs in a fresh interpreter (``python -X dev``, so that warnings and
unraisable exceptions are shown) and leaves signals in some state at exit. The process
must exit with status 0 and write nothing to stderr: in particular no "Exception ignored"
line from a weak-reference callback, a finaliser or a daemon thread.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import Final

import pytest

from .conftest import Figures

PRELUDE: Final = """
import asyncio, gc, sys, threading, time
from typedsignals import ANY, Namespace, Payload, Signal, set_strict

class Tick(Payload):
    n: int = 0

class WeakSender:
    pass

class PlainSender:
    __slots__ = ()

class Owner:
    def on_tick(self, sender, payload):
        pass

ticks = Signal("ticks", Tick)
"""

SCENARIOS: Final[dict[str, str]] = {
    "weak-receivers-and-senders-alive": """
        owners = [Owner() for _ in range(50)]
        senders = [WeakSender() for _ in range(50)]
        for owner, sender in zip(owners, senders):
            ticks.connect(owner.on_tick)
            ticks.connect(owner.on_tick, sender)
        ticks.send(senders[0], n=1)
    """,
    "receivers-and-senders-in-reference-cycles": """
        class Node:
            def __init__(self):
                self.me = self
                self.sender = WeakSender()
                self.sender.node = self
                ticks.connect(self.on_tick, self.sender)
                ticks.connect(self.on_tick)
            def on_tick(self, sender, payload):
                pass
        nodes = [Node() for _ in range(50)]
        del nodes  # only the final collections can free them
    """,
    "finalisers-send-and-disconnect-at-exit": """
        class Noisy:
            def __init__(self):
                self.me = self
                ticks.connect(self.on_tick)
                ticks.connect(self.on_tick, "app")
            def on_tick(self, sender, payload):
                pass
            def __del__(self):
                ticks.send(self, n=1)
                ticks.disconnect(self.on_tick)
        keep = [Noisy() for _ in range(20)]
        ticks.connect(lambda sender, payload: None)
        ticks.receiver_disconnected.connect(lambda sender, payload: None)
    """,
    "strong-receivers-and-unweakrefable-senders": """
        senders = [PlainSender() for _ in range(50)]
        for sender in senders:
            ticks.connect(Owner().on_tick, sender, weak=False)
            ticks.connect(lambda s, p: None, sender)
        ticks.receiver_connected.connect(lambda sender, payload: None)
        named = Namespace("shutdown").signal("named", Tick)
        named.connect(Owner().on_tick, weak=False)
        named.send(None, n=2)
    """,
    "daemon-threads-sending-at-exit": """
        stop = False
        def churn():
            while True:
                owner = Owner()
                sender = WeakSender()
                ticks.connect(owner.on_tick, sender)
                ticks.send(sender, n=3)
                del owner, sender
        for _ in range(4):
            threading.Thread(target=churn, daemon=True).start()
        time.sleep(0.2)
    """,
    "async-receivers-after-send-async": """
        async def on_tick(sender, payload):
            await asyncio.sleep(0)
        ticks.connect(on_tick, "loop")
        ticks.connect(Owner().on_tick)
        owner = Owner()
        ticks.connect(owner.on_tick, "loop")
        asyncio.run(ticks.send_async("loop", n=4))
    """,
    "strict-mode-and-muted-block-open-at-exit": """
        set_strict(True)
        owner = Owner()
        ticks.connect(owner.on_tick)
        muted = ticks.muted()
        muted.__enter__()
        ticks.send(None, n=5)
    """,
}


def run_scenario(body: str) -> subprocess.CompletedProcess[str]:
    """Run PRELUDE plus ``body`` in a fresh ``python -X dev`` and return the result."""
    code = textwrap.dedent(PRELUDE) + textwrap.dedent(body)
    return subprocess.run(
        [sys.executable, "-X", "dev", "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_exit_with_live_signals_is_silent(scenario: str, figures: Figures) -> None:
    """The interpreter exits with status 0 and an empty stderr."""
    result = run_scenario(SCENARIOS[scenario])
    figures(returncode=result.returncode, stderr_bytes=len(result.stderr))
    assert "Exception ignored" not in result.stderr
    assert (result.returncode, result.stderr) == (0, "")
