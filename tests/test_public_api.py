"""The public surface of the package: __all__, public module paths, light import."""

from __future__ import annotations

import inspect
import subprocess
import sys
import textwrap

import pytest

import typedsignals
import typedsignals.exceptions

PUBLIC_NAMES = {
    "ANY",
    "AnyType",
    "ConnectionInfo",
    "EmptyPayload",
    "ErrorPolicy",
    "ImmutablePayloadError",
    "Namespace",
    "Payload",
    "PayloadError",
    "PayloadTypeError",
    "ReceiverConnected",
    "ReceiverDisconnected",
    "ReceiverErrors",
    "ReceiverTypeError",
    "SenderTypeError",
    "Signal",
    "SignalDefinitionError",
    "TypedSignalsError",
    "all_signals",
    "default_namespace",
    "is_strict",
    "set_strict",
    "signal",
    "strict_mode",
}
"""The documented public API of ``typedsignals``."""

EXCEPTIONS = set(typedsignals.exceptions.__all__)
"""Exception classes: their public home is the public module ``typedsignals.exceptions``."""

HEAVY_MODULES = ("pydantic", "pydantic_core", "flask", "mypy", "sphinx")
"""What a bare ``import typedsignals`` must not import."""


def test_all_is_the_documented_public_api() -> None:
    """typedsignals.__all__ holds exactly the documented public names, once each."""
    assert set(typedsignals.__all__) == PUBLIC_NAMES
    assert len(typedsignals.__all__) == len(set(typedsignals.__all__))


def test_all_is_sorted() -> None:
    """__all__ is sorted (isort style: constants, classes, then functions)."""
    assert typedsignals.__all__ == sorted(typedsignals.__all__, key=lambda n: (not n.isupper(), n))


@pytest.mark.parametrize("name", sorted(PUBLIC_NAMES))
def test_every_public_name_resolves(name: str) -> None:
    """Every name in __all__ is an attribute of the package (lazy ones load on access)."""
    assert getattr(typedsignals, name) is not None


def test_public_names_of_the_package_are_exactly_all() -> None:
    """Every public (non-underscore, non-module) name the package shows is in __all__."""
    for name in typedsignals.__all__:  # load the lazy names first
        getattr(typedsignals, name)
    shown = {
        name
        for name in dir(typedsignals)
        if not name.startswith("_") and not inspect.ismodule(getattr(typedsignals, name))
    }
    assert shown == set(typedsignals.__all__)


def test_dir_lists_every_public_name() -> None:
    """dir(typedsignals) lists every name of __all__, loaded or not."""
    assert set(dir(typedsignals)) >= PUBLIC_NAMES


def test_unknown_attribute_raises_attribute_error() -> None:
    """A name the package does not have raises AttributeError naming it."""
    with pytest.raises(AttributeError, match="no_such_name"):
        typedsignals.no_such_name  # noqa: B018


@pytest.mark.parametrize(
    "name",
    sorted(
        name for name in PUBLIC_NAMES - EXCEPTIONS if inspect.isclass(getattr(typedsignals, name))
    ),
)
def test_exported_classes_claim_the_public_module(name: str) -> None:
    """Exported classes say __module__ == "typedsignals", so reprs and docs show that path."""
    assert getattr(typedsignals, name).__module__ == "typedsignals"


@pytest.mark.parametrize("name", sorted(EXCEPTIONS))
def test_exceptions_live_in_the_public_exceptions_module(name: str) -> None:
    """Exception classes are the same objects in typedsignals and typedsignals.exceptions,
    whose public path they name."""
    cls = getattr(typedsignals, name)
    assert cls is getattr(typedsignals.exceptions, name)
    assert cls.__module__ in {"typedsignals", "typedsignals.exceptions"}


def test_version_is_a_string() -> None:
    """typedsignals.__version__ is a version string."""
    assert isinstance(typedsignals.__version__, str)
    assert typedsignals.__version__.count(".") >= 1


def run_fresh(code: str) -> str:
    """Run ``code`` in a fresh interpreter and return what it printed."""
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout.strip()


def test_import_does_not_import_heavy_dependencies() -> None:
    """`import typedsignals` in a fresh interpreter imports no pydantic, flask, mypy or sphinx."""
    loaded = run_fresh(
        f"""
        import sys
        import typedsignals
        heavy = {HEAVY_MODULES!r}
        print(sorted(m for m in sys.modules if m.split(".")[0] in heavy))
        """
    )
    assert loaded == "[]"


def test_light_names_do_not_import_pydantic() -> None:
    """Using ANY, the exceptions and the strict-mode switches does not import pydantic."""
    loaded = run_fresh(
        """
        import sys
        from typedsignals import ANY, PayloadError, ReceiverErrors, is_strict, strict_mode
        with strict_mode():
            is_strict()
        print("pydantic" in sys.modules)
        """
    )
    assert loaded == "False"


def test_signal_is_loaded_on_first_use() -> None:
    """typedsignals.Signal is importable and pulls pydantic in only then."""
    loaded = run_fresh(
        """
        import sys
        import typedsignals
        before = "pydantic" in sys.modules
        typedsignals.Signal
        print(before, "pydantic" in sys.modules)
        """
    )
    assert loaded == "False True"
