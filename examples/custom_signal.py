"""The tutorial's custom signal, typed: ``user-registered`` with a welcome-email receiver.

Run it with ``python examples/custom_signal.py``. It registers two users, shows the
receivers' results, then shows a bad send being rejected before any receiver runs.
"""

from __future__ import annotations

from dataclasses import dataclass

from typedsignals import Namespace, Payload, PayloadError


@dataclass
class User:
    """What the registration code stores."""

    id: int
    email: str


class Registry:
    """Stands in for the application object that sends the signal."""

    def __init__(self) -> None:
        self.users: list[User] = []

    def register(self, email: str) -> User:
        user = User(id=len(self.users) + 1, email=email)
        self.users.append(user)
        user_registered.send(self, user_id=user.id, email=user.email)
        return user


class UserRegistered(Payload):
    """Payload of ``user-registered``: who just got an account."""

    user_id: int
    email: str


accounts = Namespace("accounts")
user_registered = accounts.signal(
    "user-registered",
    UserRegistered,
    sender=Registry,
    doc="Sent after a new account is stored.",
)

outbox: list[str] = []


@user_registered.connect
def send_welcome_email(sender: Registry, payload: UserRegistered) -> str:
    """Queue the welcome email (a real app would hand it to a task queue)."""
    message = f"Welcome aboard, {payload.email}! You are user #{payload.user_id}."
    outbox.append(message)
    return message


def main() -> None:
    registry = Registry()
    for email in ("ada@example.org", "grace@example.org"):
        user = registry.register(email)
        print(f"registered user {user.id}: {user.email}")
    print("\nwelcome emails queued:")
    for message in outbox:
        print(f"  {message}")

    print("\na bad send is rejected before any receiver runs:")
    try:
        user_registered.send(registry, user_id="not-a-number", mail="typo@example.org")  # type: ignore[call-arg]  # deliberate: shows the runtime error
    except PayloadError as error:
        print(f"  {type(error).__name__}: {error}")
    print(f"  emails queued after the bad send: {len(outbox)} (unchanged)")


if __name__ == "__main__":
    main()
