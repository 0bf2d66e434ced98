"""Namespaces: named collections of signals, and the module-level signal()."""

from __future__ import annotations

import uuid

import pytest

from typedsignals import (
    EmptyPayload,
    Namespace,
    Payload,
    Signal,
    SignalDefinitionError,
    default_namespace,
    signal,
)


class UserCreated(Payload):
    username: str


class UserDeleted(Payload):
    username: str


class App:
    """A sender type."""


class Worker:
    """Another sender type."""


def unique(name: str) -> str:
    """A signal name no other test uses (the default namespace lives for the whole run)."""
    return f"{name}-{uuid.uuid4().hex}"


def test_signal_creates_a_signal_with_the_given_declaration() -> None:
    """ns.signal() creates a Signal with the name, payload, sender type and doc given."""
    accounts = Namespace("accounts")
    created = accounts.signal("user-created", UserCreated, sender=App, doc="A user was created.")
    assert isinstance(created, Signal)
    assert created.name == "user-created"
    assert created.payload_model is UserCreated
    assert created.sender_type is App
    assert created.doc == "A user was created."


def test_signal_without_payload_carries_empty_payload() -> None:
    """ns.signal(name) without a model makes a signal carrying EmptyPayload."""
    accounts = Namespace("accounts")
    assert accounts.signal("ping").payload_model is EmptyPayload


def test_signal_returns_the_existing_signal() -> None:
    """Asking again for a name with the same declaration returns the same object."""
    accounts = Namespace("accounts")
    created = accounts.signal("user-created", UserCreated, sender=App)
    assert accounts.signal("user-created", UserCreated, sender=App) is created


def test_signal_later_doc_fills_an_empty_doc() -> None:
    """A doc given on a later request fills a signal declared without one."""
    accounts = Namespace("accounts")
    created = accounts.signal("user-created", UserCreated)
    accounts.signal("user-created", UserCreated, doc="Filled later.")
    assert created.doc == "Filled later."


def test_signal_later_doc_does_not_replace_a_doc() -> None:
    """A doc given on a later request does not overwrite the original one."""
    accounts = Namespace("accounts")
    created = accounts.signal("user-created", UserCreated, doc="Original.")
    accounts.signal("user-created", UserCreated, doc="Other.")
    assert created.doc == "Original."


def test_signal_passes_the_error_policy() -> None:
    """ns.signal(..., error_policy=...) declares the signal with that policy."""
    accounts = Namespace("accounts")
    assert accounts.signal("user-created", UserCreated, error_policy="log").error_policy == "log"


def test_redeclaring_with_another_model_raises_naming_both() -> None:
    """Redeclaring a name with another payload model raises, naming both models."""
    accounts = Namespace("accounts")
    accounts.signal("user-changed", UserCreated)
    with pytest.raises(SignalDefinitionError) as info:
        accounts.signal("user-changed", UserDeleted)
    message = str(info.value)
    assert "user-changed" in message
    assert "accounts" in message
    assert "UserCreated" in message
    assert "UserDeleted" in message


def test_redeclaring_with_another_sender_raises_naming_both() -> None:
    """Redeclaring a name with another sender type raises, naming both sender types."""
    accounts = Namespace("accounts")
    accounts.signal("user-created", UserCreated, sender=App)
    with pytest.raises(SignalDefinitionError) as info:
        accounts.signal("user-created", UserCreated, sender=Worker)
    message = str(info.value)
    assert "user-created" in message
    assert "App" in message
    assert "Worker" in message


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param({}, {"payload": UserCreated}, id="empty-then-model"),
        pytest.param({"payload": UserCreated}, {}, id="model-then-empty"),
        pytest.param({}, {"sender": App}, id="any-sender-then-app"),
        pytest.param({"sender": App}, {}, id="app-then-any-sender"),
    ],
)
def test_redeclaring_with_or_without_a_declaration_raises(
    first: dict[str, type], second: dict[str, type]
) -> None:
    """Adding or dropping a model or sender type on redeclaration is a different signal."""
    accounts = Namespace("accounts")
    accounts.signal("user-created", **first)  # type: ignore[call-overload]
    with pytest.raises(SignalDefinitionError, match="user-created"):
        accounts.signal("user-created", **second)  # type: ignore[call-overload]


def test_redeclaration_error_leaves_the_original_signal() -> None:
    """A rejected redeclaration does not replace the original signal."""
    accounts = Namespace("accounts")
    created = accounts.signal("user-created", UserCreated)
    with pytest.raises(SignalDefinitionError):
        accounts.signal("user-created", UserDeleted)
    assert accounts["user-created"] is created
    assert len(accounts) == 1


def test_namespace_iterates_in_creation_order() -> None:
    """Iterating a namespace yields its signals in creation order."""
    accounts = Namespace("accounts")
    names = ["zeta", "alpha", "mid"]
    signals = [accounts.signal(name) for name in names]
    accounts.signal("alpha")  # asking again does not move it
    assert list(accounts) == signals


def test_namespace_len_counts_signals() -> None:
    """len(namespace) is the number of distinct signals in it."""
    accounts = Namespace("accounts")
    assert len(accounts) == 0
    accounts.signal("a")
    accounts.signal("b")
    accounts.signal("a")
    assert len(accounts) == 2


def test_namespace_contains_signal_names() -> None:
    """`name in namespace` tells whether a signal of that name exists."""
    accounts = Namespace("accounts")
    accounts.signal("user-created", UserCreated)
    assert "user-created" in accounts
    assert "user-deleted" not in accounts


def test_namespace_getitem_returns_the_signal() -> None:
    """namespace[name] returns the signal of that name."""
    accounts = Namespace("accounts")
    created = accounts.signal("user-created", UserCreated)
    assert accounts["user-created"] is created


def test_namespace_getitem_of_unknown_name_raises_key_error() -> None:
    """namespace[name] for a name it does not hold raises KeyError."""
    with pytest.raises(KeyError):
        Namespace("accounts")["missing"]


def test_namespaces_are_independent() -> None:
    """Two namespaces may hold different signals under the same name."""
    first, second = Namespace("first"), Namespace("second")
    assert first.signal("s", UserCreated).payload_model is UserCreated
    assert second.signal("s", UserDeleted).payload_model is UserDeleted


def test_namespace_invalid_payload_raises_signal_definition_error() -> None:
    """ns.signal() with a payload that is not a model class raises and stores nothing."""
    accounts = Namespace("accounts")
    with pytest.raises(SignalDefinitionError):
        accounts.signal("bad", int)  # type: ignore[type-var]
    assert "bad" not in accounts


def test_namespace_signal_is_usable() -> None:
    """A signal made by a namespace sends like any other."""
    accounts = Namespace("accounts")
    created = accounts.signal("user-created", UserCreated)
    seen: list[str] = []
    with created.connected_to(lambda sender, payload: seen.append(payload.username)):
        created.send(None, username="ann")
    assert seen == ["ann"]


def test_module_signal_uses_default_namespace() -> None:
    """signal(name) creates the signal in default_namespace and returns it afterwards."""
    name = unique("module-level")
    created = signal(name, UserCreated)
    assert name in default_namespace
    assert default_namespace[name] is created
    assert signal(name, UserCreated) is created


def test_module_signal_redeclaration_raises() -> None:
    """signal(name) with another model than before raises SignalDefinitionError."""
    name = unique("module-level")
    signal(name, UserCreated)
    with pytest.raises(SignalDefinitionError, match=name):
        signal(name, UserDeleted)


def test_module_signal_passes_sender_and_doc() -> None:
    """signal(name, payload, sender=..., doc=...) declares the signal that way."""
    name = unique("module-level")
    created = signal(name, UserCreated, sender=App, doc="Documented.")
    assert created.sender_type is App
    assert created.doc == "Documented."


def test_signal_records_the_declaring_module() -> None:
    """A signal made through a namespace records the module that asked for it."""
    assert Namespace("accounts").signal("s").module == __name__
    assert signal(unique("module-level")).module == __name__
