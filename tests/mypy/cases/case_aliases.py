"""Models that accept more (or other) keywords than their fields' names."""

from __future__ import annotations

from case_models import (
    annotated_alias,
    by_alias,
    by_name,
    by_name_only,
    choices,
    defaults,
    ignoring,
    open_by_keyword,
    open_payload,
    validation_alias,
)

# -- clean: what pydantic accepts --------------------------------------------------------
by_alias.send(None, emailAddress="a")
by_name.send(None, emailAddress="a")
by_name.send(None, email="a")
# PYRIGHT: error: Argument missing for parameter "emailAddress" (reportCallIssue)
# PYRIGHT: error: No parameter named "email" (reportCallIssue)
by_name_only.send(None, email="a")
# PYRIGHT: error: Argument missing for parameter "emailAddress" (reportCallIssue)
# PYRIGHT: error: No parameter named "email" (reportCallIssue)
validation_alias.send(None, mail="a")
# PYRIGHT: error: Argument missing for parameter "email" (reportCallIssue)
# PYRIGHT: error: No parameter named "mail" (reportCallIssue)
choices.send(None, mail="a")
# PYRIGHT: error: Argument missing for parameter "email" (reportCallIssue)
# PYRIGHT: error: No parameter named "mail" (reportCallIssue)
choices.send(None, email_address="a")
# PYRIGHT: error: Argument missing for parameter "email" (reportCallIssue)
# PYRIGHT: error: No parameter named "email_address" (reportCallIssue)
open_payload.send(None, user_id=1, anything="kept")
# PYRIGHT: error: No parameter named "anything" (reportCallIssue)
open_by_keyword.send(None, user_id=1, anything="kept")
# PYRIGHT: error: No parameter named "anything" (reportCallIssue)
defaults.send(None, d=1)
# PYRIGHT: error: Argument missing for parameter "b" (reportCallIssue)
defaults.send(None, a=1, b=2, c=[3], d=4)
annotated_alias.send(None, emailAddress="a", count=2, label="x")
# PYRIGHT: error: Argument missing for parameter "email" (reportCallIssue)
# PYRIGHT: error: No parameter named "emailAddress" (reportCallIssue)

# -- what it rejects -----------------------------------------------------------------------
by_alias.send(None, email="a")
# MYPY: error: Signal "by-alias" takes field "email" by its alias "emailAddress" (the model does not validate by name)  [typedsignals-unknown-field]
# PYRIGHT: error: Argument missing for parameter "emailAddress" (reportCallIssue)
# PYRIGHT: error: No parameter named "email" (reportCallIssue)
by_alias.send(None, emailAdress="a")
# MYPY: error: Signal "by-alias" has no field "emailAdress"; did you mean "emailAddress"?  [typedsignals-unknown-field]
# PYRIGHT: error: Argument missing for parameter "emailAddress" (reportCallIssue)
# PYRIGHT: error: No parameter named "emailAdress" (reportCallIssue)
by_name.send(None, email=1)
# MYPY: error: Signal "by-name": field "email" is "str", not "int"  [typedsignals-field-type]
# PYRIGHT: error: Argument missing for parameter "emailAddress" (reportCallIssue)
# PYRIGHT: error: No parameter named "email" (reportCallIssue)
by_name_only.send(None, emailAddress="a")
# MYPY: error: Signal "by-name-only" has no field "emailAddress"  [typedsignals-unknown-field]
# MYPY: error: Signal "by-name-only" is missing the required field "email"  [typedsignals-missing-field]
validation_alias.send(None, email="a")
# MYPY: error: Signal "validation-alias" takes field "email" by its alias "mail" (the model does not validate by name)  [typedsignals-unknown-field]
open_payload.send(None, anything="kept")
# MYPY: error: Signal "open" is missing the required field "user_id"  [typedsignals-missing-field]
# PYRIGHT: error: Argument missing for parameter "user_id" (reportCallIssue)
# PYRIGHT: error: No parameter named "anything" (reportCallIssue)
open_payload.send(None, user_id="1")
# MYPY: error: Signal "open": field "user_id" is "int", not "str"  [typedsignals-field-type]
# PYRIGHT: error: Argument of type "Literal['1']" cannot be assigned to parameter "user_id" of type "int" in function "send" (reportArgumentType)
ignoring.send(None, user_id=1, dropped=True)
# MYPY: error: Signal "ignoring" has no field "dropped"  [typedsignals-unknown-field]
# PYRIGHT: error: No parameter named "dropped" (reportCallIssue)
defaults.send(None, a=1)
# MYPY: error: Signal "defaults" is missing the required field "d"  [typedsignals-missing-field]
# PYRIGHT: error: Arguments missing for parameters "b", "d" (reportCallIssue)
annotated_alias.send(None, email="a")
# MYPY: error: Signal "annotated-alias" takes field "email" by its alias "emailAddress" (the model does not validate by name)  [typedsignals-unknown-field]
annotated_alias.send(None, emailAddress="a", cnt=2)
# MYPY: error: Signal "annotated-alias" has no field "cnt"; did you mean "count"?  [typedsignals-unknown-field]
# PYRIGHT: error: Argument missing for parameter "email" (reportCallIssue)
# PYRIGHT: error: No parameter named "cnt" (reportCallIssue)
# PYRIGHT: error: No parameter named "emailAddress" (reportCallIssue)
