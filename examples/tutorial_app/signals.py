"""The tutorial app's own signals, declared with typed payloads.

They live in one namespace, the unit the typedsignals docs and codegen tools read. The
sender of every one is the Flask app, so receivers can be connected per app.
"""

from __future__ import annotations

from typing import Annotated, Literal

from flask import Flask
from pydantic import Field, StringConstraints

from typedsignals import Namespace, Payload

__all__ = [
    "DataModified",
    "ProfileChanged",
    "UserAction",
    "UserRegistered",
    "data_modified",
    "profile_changed",
    "tutorial",
    "user_action",
    "user_registered",
]

tutorial = Namespace("tutorial")
"""Every custom signal of the tutorial app."""

Username = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{2,29}$")]
"""3 to 30 lowercase letters, digits or underscores, starting with a letter."""

Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)]
"""A plausible email address (one @, a dot in the domain, no spaces)."""


class UserRegistered(Payload):
    """Payload of :data:`user_registered`."""

    user_id: int = Field(gt=0, description="The new account's id.")
    username: Username = Field(description="The chosen username.")
    email: Email = Field(description="Where the welcome email goes.")
    request_id: str | None = Field(
        default=None,
        description="The request that registered the account: a correlation id that "
        "travels with the deferred welcome email, so its outbox row names that request.",
    )


class UserAction(Payload):
    """Payload of :data:`user_action`: something a user did, for logs and analytics."""

    action: str = Field(min_length=1, description="What was done: login, view_profile...")
    username: str | None = Field(
        default=None,
        description="Who did it; None means the user in the session (or anonymous).",
    )


class ProfileChanged(Payload):
    """Payload of :data:`profile_changed`."""

    user_id: int = Field(gt=0, description="The account whose profile changed.")
    username: str = Field(description="Its username.")
    changed: tuple[str, ...] = Field(min_length=1, description="Names of the changed fields.")


class DataModified(Payload):
    """Payload of :data:`data_modified`: one row written by the app, for the audit log."""

    table: str = Field(description="The table written to.")
    record_id: int = Field(description="The primary key of the row.")
    operation: Literal["insert", "update", "delete"] = Field(description="What was done.")
    previous: dict[str, str | None] = Field(
        default_factory=dict,
        description="Old values of the changed columns (empty for an insert).",
    )
    changes: dict[str, str | None] = Field(
        default_factory=dict, description="New values of the changed columns."
    )
    actor: str | None = Field(default=None, description="The user who caused it, if known.")


user_registered = tutorial.signal(
    "user-registered",
    UserRegistered,
    sender=Flask,
    doc="Sent after a new account is stored; the welcome email listens.",
)
user_action = tutorial.signal(
    "user-action",
    UserAction,
    sender=Flask,
    doc="Sent for each notable user action (login, profile view, share...).",
)
profile_changed = tutorial.signal(
    "profile-changed",
    ProfileChanged,
    sender=Flask,
    doc="Sent after a user changed their profile; the last-modified stamp listens.",
)
data_modified = tutorial.signal(
    "data-modified",
    DataModified,
    sender=Flask,
    doc="Sent after every write to the app's data tables; the audit trail listens.",
)
