"""Typing tests for the core: what mypy and pyright must accept and reject.

Each line that must be rejected carries the error code each checker has to report
there: ``# type: ignore[code]`` for mypy (run with --warn-unused-ignores) and
``# pyright: ignore[rule]`` for pyright (run with enableTypeIgnoreComments=false and
reportUnnecessaryTypeIgnoreComment). A missing error fails as an unused ignore; an
unexpected one fails as an error. No plugin is used: generics alone do this.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from typing_extensions import assert_type

from typedsignals import ANY, EmptyPayload, Namespace, Payload, Signal, signal


class App:
    """Stands in for a Flask app: the declared sender type."""


class Other:
    """Not an App."""


class UserRegistered(Payload):
    user_id: int
    email: str


class ProfileChanged(Payload):
    username: str
    fields: tuple[str, ...] = ()


user_registered = Signal("user-registered", UserRegistered, sender=App, doc="New account.")
app = App()

# -- send: the payload's fields are send's keyword parameters --------------------------

results = user_registered.send(app, user_id=1, email="a@example.org")
assert_type(results, list[tuple[Callable[[App, UserRegistered], Any], Any]])
user_registered.send(app, user_id="x", email="a@example.org")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
user_registered.send(app, user_id=1)  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
user_registered.send(app, user_id=1, email="a", extra=2)  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
user_registered.send(Other(), user_id=1, email="a@example.org")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
user_registered.send(app, 1, "a@example.org")  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
user_registered.send(user_id=1, email="a@example.org")  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]

# -- receivers: (sender, payload), checked against S and M -----------------------------


@user_registered.connect
def welcome(sender: App, payload: UserRegistered) -> str:
    return payload.email


assert_type(welcome(app, UserRegistered(user_id=1, email="a")), str)  # decorated: type kept


def broad(sender: object, payload: Payload) -> None:
    """A receiver accepting supertypes is fine."""


user_registered.connect(broad)
user_registered.connect(lambda sender, payload: print(payload.email))


def wrong_payload(sender: App, payload: ProfileChanged) -> None: ...


def wrong_sender(sender: Other, payload: UserRegistered) -> None: ...


def one_argument(sender: App) -> None: ...


def third_required(sender: App, payload: UserRegistered, extra: int) -> None: ...


def third_optional(sender: App, payload: UserRegistered, *, note: str = "") -> bool:
    return bool(note)


user_registered.connect(wrong_payload)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType, reportCallIssue]
user_registered.connect(wrong_sender)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType, reportCallIssue]
user_registered.connect(one_argument)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType, reportCallIssue]
user_registered.connect(third_required)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType, reportCallIssue]
kept = user_registered.connect(third_optional)  # its own signature is kept
assert_type(kept(app, UserRegistered(user_id=1, email="a"), note="x"), bool)
user_registered.connect(welcome, sender=app, priority=10)
user_registered.connect(welcome, sender=ANY, weak=False)
user_registered.connect(welcome, sender=Other())  # type: ignore[call-overload]  # pyright: ignore[reportArgumentType, reportCallIssue]


class ActivityLogger:
    def on_registered(self, sender: App, payload: UserRegistered) -> None: ...

    def on_profile(self, sender: App, payload: ProfileChanged) -> None: ...


logger = ActivityLogger()
user_registered.connect(logger.on_registered)
user_registered.connect(logger.on_profile)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType, reportCallIssue]


@user_registered.connect_via(app)
def only_this_app(sender: App, payload: UserRegistered) -> int:
    return payload.user_id


assert_type(only_this_app(app, UserRegistered(user_id=1, email="a")), int)


@user_registered.connect_via(app)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType, reportCallIssue]
def wrong_via(sender: App, payload: ProfileChanged) -> None: ...


@user_registered.connect_via(app)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType, reportCallIssue]
def third_via(sender: App, payload: UserRegistered, extra: int) -> None: ...


@user_registered.connect_via(ANY, priority=1)
def optional_via(sender: App, payload: UserRegistered, retries: int = 3) -> int:
    return retries


assert_type(optional_via(app, UserRegistered(user_id=1, email="a"), retries=1), int)


with user_registered.connected_to(welcome, app) as connected:
    assert_type(connected, Callable[[App, UserRegistered], Any])

# -- prebuilt payloads and validation -----------------------------------------------------

user_registered.send_payload(app, UserRegistered(user_id=1, email="a"))
user_registered.send_payload(app, ProfileChanged(username="x"))  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
assert_type(user_registered.validate(app, user_id=1, email="a"), UserRegistered)
assert_type(user_registered.receivers_for(app), tuple[Callable[[App, UserRegistered], Any], ...])
assert_type(user_registered.has_receivers_for(app), bool)


async def send_later() -> None:
    sent = await user_registered.send_async(app, user_id=1, email="a")
    assert_type(sent, list[tuple[Callable[[App, UserRegistered], Any], Any]])
    await user_registered.send_async(app, user_id="1", email="a")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    await user_registered.send_async_payload(
        app, UserRegistered(user_id=1, email="a"), concurrent=True
    )


# -- defaults: no sender type, no payload model ------------------------------------------

any_sender = Signal("profile-changed", ProfileChanged)
any_sender.send("whoever", username="ann")
any_sender.send(None, username="ann", fields=("email",))
any_sender.send(None, username=1)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]

bare = Signal("app-ready")
bare.send(None)
bare.send(None, flag=True)  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]


@bare.connect
def on_ready(sender: object, payload: EmptyPayload) -> None: ...


# -- namespaces and the module-level signal() -------------------------------------------

accounts = Namespace("accounts")
created = accounts.signal("user-created", UserRegistered, sender=App)
created.send(app, user_id=1, email="a")
created.send(app, user_id=None, email="a")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
deleted = accounts.signal("user-deleted")
deleted.send(app)

shared = signal("shared-profile-changed", ProfileChanged)
shared.send(app, username="ann")
shared.send(app, name="ann")  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]

# -- typedsignals.testing keeps the payload type --------------------------------------------

from typedsignals.testing import Captured, capture  # noqa: E402

with capture(user_registered) as sent:
    assert_type(sent, Captured[App, UserRegistered])
    assert_type(sent.payloads, list[UserRegistered])
    assert_type(sent.assert_sent(app, email="a").payload, UserRegistered)
