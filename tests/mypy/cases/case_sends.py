"""Send keywords against payload fields: unknown, missing, wrong type, unchecked."""

from __future__ import annotations

import json
from typing import Any

from case_models import (
    Address,
    App,
    account_created,
    bare,
    moved,
    profile_changed,
    shared,
    tagged,
    user_registered,
)
from typing_extensions import NotRequired, TypedDict

app = App()

# -- clean ---------------------------------------------------------------------------------
user_registered.send(app, user_id=1, email="a@example.org")
user_registered.send(app, user_id=1, email="a@example.org", referrer=None)
profile_changed.send(app, username="ann")
profile_changed.send(app, username="ann", fields=("email",))
moved.send(None, user_id=1, address=Address(city="Oslo"))
account_created.send(app, user_id=1, email="a")
shared.send("anyone", username="ann")
bare.send(None)
user_registered.validate(app, user_id=1, email="a")
tagged.send(None, kind="info", tags=[])


async def clean_async() -> None:
    await user_registered.send_async(app, user_id=1, email="a")


# -- a keyword that is not a field -------------------------------------------------------
user_registered.send(app, user_id=1, emial="a@example.org")
# MYPY: error: Signal "user-registered" has no field "emial"; did you mean "email"?  [typedsignals-unknown-field]
# PYRIGHT: error: Argument missing for parameter "email" (reportCallIssue)
# PYRIGHT: error: No parameter named "emial" (reportCallIssue)
profile_changed.send(app, usernme="ann")
# MYPY: error: Signal "profile-changed" has no field "usernme"; did you mean "username"?  [typedsignals-unknown-field]
# PYRIGHT: error: Argument missing for parameter "username" (reportCallIssue)
# PYRIGHT: error: No parameter named "usernme" (reportCallIssue)
account_created.send(app, user_id=1, email="a", extra=2)
# MYPY: error: Signal "account-created" has no field "extra"  [typedsignals-unknown-field]
# PYRIGHT: error: No parameter named "extra" (reportCallIssue)
shared.send(app, name="ann")
# MYPY: error: Signal "shared-profile-changed" has no field "name"; did you mean "username"?  [typedsignals-unknown-field]
# PYRIGHT: error: Argument missing for parameter "username" (reportCallIssue)
# PYRIGHT: error: No parameter named "name" (reportCallIssue)
bare.send(None, flag=True)
# MYPY: error: Signal "app-ready" has no field "flag"  [typedsignals-unknown-field]
# PYRIGHT: error: No parameter named "flag" (reportCallIssue)
user_registered.validate(app, user_id=1, email="a", nope=1)
# MYPY: error: Signal "user-registered" has no field "nope"  [typedsignals-unknown-field]
# PYRIGHT: error: No parameter named "nope" (reportCallIssue)


async def unknown_async() -> None:
    await user_registered.send_async(app, user_id=1, email="a", emial="b")
    # MYPY: error: Signal "user-registered" has no field "emial"; did you mean "email"?  [typedsignals-unknown-field]
    # PYRIGHT: error: No parameter named "emial" (reportCallIssue)


# -- a required field left out -----------------------------------------------------------
user_registered.send(app, user_id=1)
# MYPY: error: Signal "user-registered" is missing the required field "email"  [typedsignals-missing-field]
# PYRIGHT: error: Argument missing for parameter "email" (reportCallIssue)
profile_changed.send(app)
# MYPY: error: Signal "profile-changed" is missing the required field "username"  [typedsignals-missing-field]
# PYRIGHT: error: Argument missing for parameter "username" (reportCallIssue)
moved.send(None, user_id=1)
# MYPY: error: Signal "user-moved" is missing the required field "address"  [typedsignals-missing-field]
# PYRIGHT: error: Argument missing for parameter "address" (reportCallIssue)

# -- a field of the wrong type -------------------------------------------------------------
user_registered.send(app, user_id="1", email="a")
# MYPY: error: Signal "user-registered": field "user_id" is "int", not "str"  [typedsignals-field-type]
# PYRIGHT: error: Argument of type "Literal['1']" cannot be assigned to parameter "user_id" of type "int" in function "send" (reportArgumentType)
user_registered.send(app, user_id=1, email=None)
# MYPY: error: Signal "user-registered": field "email" is "str", not "None"  [typedsignals-field-type]
# PYRIGHT: error: Argument of type "None" cannot be assigned to parameter "email" of type "str" in function "send" (reportArgumentType)
moved.send(None, user_id=1, address={"city": "Oslo"})
# MYPY: error: Signal "user-moved": field "address" is "Address", not "dict[str, str]"  [typedsignals-field-type]
# PYRIGHT: error: Argument of type "dict[str, str]" cannot be assigned to parameter "address" of type "Address" in function "send" (reportArgumentType)
profile_changed.send(app, username="ann", fields=["email"])
# MYPY: error: Signal "profile-changed": field "fields" is "tuple[str, ...]", not "list[str]"  [typedsignals-field-type]
# PYRIGHT: error: Argument of type "list[str]" cannot be assigned to parameter "fields" of type "tuple[str, ...]" in function "send" (reportArgumentType)
tagged.send(None, kind="debug")
# MYPY: error: Signal "tagged": field "kind" is "Literal['info', 'warning']", not "Literal['debug']"  [typedsignals-field-type]
# PYRIGHT: error: Argument of type "Literal['debug']" cannot be assigned to parameter "kind" of type "Literal['info', 'warning']" in function "send" (reportArgumentType)
tagged.send(None, kind="info", tags=[1])
# MYPY: error: Signal "tagged": field "tags" is "list[str]", not "list[int]"  [typedsignals-field-type]
# PYRIGHT: error: Argument of type "list[int]" cannot be assigned to parameter "tags" of type "list[str]" in function "send" (reportArgumentType)

# -- positional fields and the sender are the generics' business --------------------------
user_registered.send(app, 1, "a")
# MYPY: error: Too many arguments for "send" of "Signal"  [call-arg]
# PYRIGHT: error: Expected 1 positional argument (reportCallIssue)
user_registered.send("not an app", user_id=1, email="a")
# MYPY: error: Argument 1 to "send" of "Signal" has incompatible type "str"; expected "App"  [arg-type]
# PYRIGHT: error: Argument of type "Literal['not an app']" cannot be assigned to parameter "sender" of type "App" in function "send" (reportArgumentType)


# -- unpacking a mapping ---------------------------------------------------------------------
class Registration(TypedDict):
    user_id: int
    email: str


class PartialRegistration(TypedDict):
    user_id: int
    referrer: NotRequired[str]


class BadRegistration(TypedDict):
    user_id: str
    email: str


typed: Registration = {"user_id": 1, "email": "a"}
user_registered.send(app, **typed)
partial: PartialRegistration = {"user_id": 1}
user_registered.send(app, email="a", **partial)
bad: BadRegistration = {"user_id": "1", "email": "a"}
user_registered.send(app, **bad)
# MYPY: error: Signal "user-registered": field "user_id" is "int", not "str"  [typedsignals-field-type]
# PYRIGHT: error: Argument of type "str" cannot be assigned to parameter "user_id" of type "int" in function "send" (reportArgumentType)

untyped: dict[str, Any] = {"user_id": 1, "email": "a"}
user_registered.send(app, **untyped)
# MYPY: error: Signal "user-registered": the fields unpacked from "dict[str, Any]" are not checked; pass them as keywords, unpack a TypedDict, or build the payload and use send_payload()  [typedsignals-unchecked-payload]
plain = {"user_id": 1, "email": 2}
user_registered.send(app, **plain)
# MYPY: error: Signal "user-registered": the fields unpacked from "dict[str, int]" are not checked; pass them as keywords, unpack a TypedDict, or build the payload and use send_payload()  [typedsignals-unchecked-payload]
# PYRIGHT: error: Argument of type "int" cannot be assigned to parameter "email" of type "str" in function "send" (reportArgumentType)
# PYRIGHT: error: Argument of type "int" cannot be assigned to parameter "referrer" of type "str | None" in function "send" (reportArgumentType)
user_registered.send(app, **json.loads('{"user_id": 1}'))
# MYPY: error: Signal "user-registered": the fields unpacked from "Any" are not checked; pass them as keywords, unpack a TypedDict, or build the payload and use send_payload()  [typedsignals-unchecked-payload]
