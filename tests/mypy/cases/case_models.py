"""Declarations the other cases import (so warm runs load them from mypy's cache)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from typedsignals import Namespace, Payload, Signal, signal


class App:
    """The declared sender type."""


class UserRegistered(Payload):
    user_id: int
    email: str
    referrer: str | None = None


class ProfileChanged(Payload):
    username: str
    fields: tuple[str, ...] = ()


class Address(Payload):
    city: str


class Moved(Payload):
    user_id: int
    address: Address


class ByAlias(Payload):
    """Validated by alias only: pydantic's default."""

    email: str = Field(alias="emailAddress")


class ByName(Payload):
    """``populate_by_name``: the alias and the name are both accepted."""

    model_config = ConfigDict(populate_by_name=True)
    email: str = Field(alias="emailAddress")


class ByNameOnly(Payload):
    """pydantic 2.11's spelling, with validation by alias switched off."""

    model_config = ConfigDict(validate_by_name=True, validate_by_alias=False)
    email: str = Field(alias="emailAddress")


class ValidationAlias(Payload):
    email: str = Field(validation_alias="mail")


class Choices(Payload):
    """An alias known only at run time: any keyword may be it."""

    email: str = Field(validation_alias=AliasChoices("mail", "email_address"))


class Open(BaseModel):
    """``extra="allow"``: any further keyword is kept."""

    model_config = ConfigDict(extra="allow")
    user_id: int


class Ignoring(BaseModel):
    """pydantic's default ``extra="ignore"``: a further keyword would be thrown away."""

    user_id: int


class OpenByClassKeyword(Payload, extra="allow"):
    user_id: int


class Defaults(Payload):
    a: int = Field(default=1)
    b: int = Field(1)
    c: list[int] = Field(default_factory=list)
    d: int = Field(..., description="required, spelt with an ellipsis")


class AnnotatedAlias(Payload):
    """Aliases and constraints given inside ``Annotated[...]``."""

    email: Annotated[str, Field(alias="emailAddress")]
    count: Annotated[int, Field(gt=0)] = 1
    label: Annotated[str, "a note"] = ""


class Tagged(Payload):
    kind: Literal["info", "warning"]
    tags: list[str] = []


user_registered = Signal("user-registered", UserRegistered, sender=App, doc="New account.")
profile_changed = Signal("profile-changed", ProfileChanged, sender=App)
moved = Signal("user-moved", Moved)
by_alias = Signal("by-alias", ByAlias)
by_name = Signal("by-name", ByName)
by_name_only = Signal("by-name-only", ByNameOnly)
validation_alias = Signal("validation-alias", ValidationAlias)
choices = Signal("alias-choices", Choices)
open_payload = Signal("open", Open)
ignoring = Signal("ignoring", Ignoring)
open_by_keyword = Signal("open-by-keyword", OpenByClassKeyword)
defaults = Signal("defaults", Defaults)
tagged = Signal("tagged", Tagged)
annotated_alias = Signal("annotated-alias", AnnotatedAlias)

accounts = Namespace("accounts")
account_created = accounts.signal("account-created", UserRegistered, sender=App)
shared = signal("shared-profile-changed", ProfileChanged)
bare = Signal("app-ready")
