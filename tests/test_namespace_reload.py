"""Namespace edges of issue #16: reloading a declaring module, lookups without a model."""

from __future__ import annotations

import importlib
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from typedsignals import Namespace, Payload
from typedsignals.exceptions import SignalDefinitionError

MODULE = textwrap.dedent(
    """
    from typedsignals import Payload
    from tests_reload_support import events

    class Saved(Payload):
        key: str

    saved = events.signal("saved", Saved, doc="Sent after a save.")
    """
)


@pytest.fixture
def declaring_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """A module declaring a signal in a namespace, importable and reloadable."""
    support = tmp_path / "tests_reload_support.py"
    support.write_text("from typedsignals import Namespace\nevents = Namespace('events')\n")
    (tmp_path / "declares_saved.py").write_text(MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("declares_saved")
    yield module
    module.saved._clear()
    for name in ("declares_saved", "tests_reload_support"):
        sys.modules.pop(name, None)


def test_reloading_the_declaring_module_keeps_the_signal_and_its_receivers(
    declaring_module: ModuleType,
) -> None:
    """importlib.reload() redeclares the signal with the new model class, receivers kept."""
    signal = declaring_module.saved
    heard: list[str] = []
    signal.connect(lambda sender, payload: heard.append(payload.key))
    reloaded = importlib.reload(declaring_module)
    assert reloaded.saved is signal
    assert signal.payload_model is reloaded.Saved
    signal.send(None, key="k")
    assert heard == ["k"]
    assert type(signal.validate(None, key="x")) is reloaded.Saved


def test_a_different_model_of_the_same_name_elsewhere_still_conflicts() -> None:
    """Only a class redefined in the same module under the same name counts as a reload."""
    events = Namespace("conflicts")

    class Saved(Payload):
        key: str

    events.signal("saved", Saved)
    other = type("Saved", (Payload,), {"__annotations__": {"key": str}, "__module__": "elsewhere"})
    with pytest.raises(SignalDefinitionError, match="different payload"):
        events.signal("saved", other)


def test_looking_up_without_the_model_points_to_getitem() -> None:
    """signal(name) without the model of an existing signal says how to look it up."""
    events = Namespace("lookup")

    class Saved(Payload):
        key: str

    saved = events.signal("saved", Saved)
    with pytest.raises(SignalDefinitionError, match=r"use namespace\['saved'\]"):
        events.signal("saved")
    assert events["saved"] is saved
