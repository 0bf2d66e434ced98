"""typedsignals.blinker signals declared with ``payload=Model``."""

from __future__ import annotations

from typing import Any

from case_models import UserRegistered

from typedsignals.blinker import NamedSignal, Namespace, signal

ns = Namespace()
registered = ns.signal("compat-registered", payload=UserRegistered)
module_level = signal("compat-module-level", payload=UserRegistered)
constructed = NamedSignal("compat-constructed", payload=UserRegistered)
untyped = ns.signal("compat-untyped")


def on_registered(sender: object, user_id: int, email: str, **extra: Any) -> None: ...


def misspelt(sender: object, user_id: int, emial: str) -> None: ...


def with_default(sender: object, user_id: int, email: str, referrer: str | None = None) -> None: ...


def needs_referrer(sender: object, user_id: int, email: str, referrer: str | None) -> None: ...


# -- clean ---------------------------------------------------------------------------------------
registered.send(None, user_id=1, email="a")
module_level.send(None, user_id=1, email="a", referrer="x")
constructed.send(None, user_id=1, email="a")
untyped.send(None, anything=1)
registered.connect(on_registered, weak=False)
untyped.connect(misspelt, weak=False)
registered.connect(with_default, weak=False)

# -- checked against the model ---------------------------------------------------------------------
registered.send(None, user_id=1, emial="a")
# MYPY: error: Signal "compat-registered" has no field "emial"; did you mean "email"?  [typedsignals-unknown-field]
module_level.send(None, user_id="1", email="a")
# MYPY: error: Signal "compat-module-level": field "user_id" is "int", not "str"  [typedsignals-field-type]
constructed.send(None, email="a")
# MYPY: error: Signal "compat-constructed" is missing the required field "user_id"  [typedsignals-missing-field]
registered.connect(misspelt, weak=False)
# MYPY: error: Receiver "misspelt" does not take the keyword "referrer" that signal "compat-registered" sends; add the parameter or **kwargs  [typedsignals-raw-receiver]
# MYPY: error: Signal "compat-registered" sends no keyword "emial" (receiver "misspelt"); did you mean "email"?  [typedsignals-raw-receiver]
registered.connect(needs_referrer, weak=False)
# MYPY: error: Receiver "needs_referrer" requires "referrer", but sends of signal "compat-registered" may leave it out (the field has a default); give the parameter a default  [typedsignals-raw-receiver]
