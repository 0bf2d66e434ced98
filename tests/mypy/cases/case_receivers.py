"""Receivers of typed signals: their types, the third parameter, weak references."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from case_models import App, ProfileChanged, UserRegistered, user_registered
from typing_extensions import assert_type, reveal_type

app = App()


# -- clean, and precise types ------------------------------------------------------------------
@user_registered.connect
def welcome(sender: App, payload: UserRegistered) -> str:
    reveal_type(payload)
    # MYPY: note: Revealed type is "case_models.UserRegistered"
    return payload.email


assert_type(welcome, Callable[[App, UserRegistered], str])
assert_type(
    user_registered.send(app, user_id=1, email="a"),
    list[tuple[Callable[[App, UserRegistered], Any], Any]],
)
reveal_type(user_registered.validate(app, user_id=1, email="a"))
# MYPY: note: Revealed type is "case_models.UserRegistered"


@user_registered.connect_via(app, priority=5)
def with_option(sender: App, payload: UserRegistered, *, retries: int = 3) -> int:
    return retries


assert_type(with_option(app, UserRegistered(user_id=1, email="a"), retries=1), int)
user_registered.connect(lambda sender, payload: print(payload.email))


class ActivityLogger:
    def on_registered(self, sender: App, payload: UserRegistered) -> None: ...


logger = ActivityLogger()
user_registered.connect(logger.on_registered)
user_registered.connect(logger.on_registered, weak=True)
user_registered.connect(welcome, weak=True)
user_registered.connect(lambda sender, payload: None, weak=False)
user_registered.connect(functools.partial(welcome))


def keep_local() -> None:
    def local(sender: App, payload: UserRegistered) -> None: ...

    user_registered.connect(local)
    user_registered.disconnect(local)


# -- a required third parameter: the generics catch it (mypy and pyright, no plugin) -------
def third(sender: App, payload: UserRegistered, extra: int) -> None: ...


user_registered.connect(third)
# MYPY: error: Argument 1 to "connect" of "Signal" has incompatible type "Callable[[App, UserRegistered, int], None]"; expected "Callable[[App, UserRegistered], None]"  [arg-type]
# PYRIGHT: error: Argument of type "(sender: App, payload: UserRegistered, extra: int) -> None" cannot be assigned to parameter "receiver" of type "(App, UserRegistered) -> R@connect" in function "connect" (reportArgumentType)
# PYRIGHT: error: No overloads for "connect" match the provided arguments (reportCallIssue)


@user_registered.connect_via(app)
# MYPY: error: Argument 1 to "__call__" of "ConnectDecorator" has incompatible type "Callable[[App, UserRegistered, int], None]"; expected "Callable[[App, UserRegistered], None]"  [arg-type]
# PYRIGHT: error: Argument of type "(sender: App, payload: UserRegistered, extra: int) -> None" cannot be assigned to parameter "receiver" of type "(App, UserRegistered) -> R@__call__" in function "__call__" (reportArgumentType)
# PYRIGHT: error: No overloads for "__call__" match the provided arguments (reportCallIssue)
def third_via(sender: App, payload: UserRegistered, extra: int) -> None: ...


def wrong_payload(sender: App, payload: ProfileChanged) -> None: ...


user_registered.connect(wrong_payload)
# MYPY: error: Argument 1 to "connect" of "Signal" has incompatible type "Callable[[App, ProfileChanged], None]"; expected "Callable[[App, UserRegistered], None]"  [arg-type]
# PYRIGHT: error: Argument of type "(sender: App, payload: ProfileChanged) -> None" cannot be assigned to parameter "receiver" of type "(App, UserRegistered) -> R@connect" in function "connect" (reportArgumentType)
# PYRIGHT: error: No overloads for "connect" match the provided arguments (reportCallIssue)
user_registered.connect(lambda sender, payload: payload.nope)
# MYPY: error: "UserRegistered" has no attribute "nope"  [attr-defined]

# -- held weakly, nothing else holds it ----------------------------------------------------------
user_registered.connect(lambda sender, payload: None, weak=True)
# MYPY: error: Signal "user-registered": a lambda connected with weak=True is dropped as soon as nothing else refers to it; connect it with weak=False or keep a reference  [typedsignals-dropped-receiver]
user_registered.connect(functools.partial(welcome), weak=True)
# MYPY: error: Signal "user-registered": a functools.partial connected with weak=True is dropped as soon as nothing else refers to it; connect it with weak=False or keep a reference  [typedsignals-dropped-receiver]


def drop_local() -> None:
    def local(sender: App, payload: UserRegistered) -> None: ...

    user_registered.connect(local, weak=True)
    # MYPY: error: Signal "user-registered": the local function "local" connected with weak=True is dropped as soon as nothing else refers to it; connect it with weak=False or keep a reference  [typedsignals-dropped-receiver]
