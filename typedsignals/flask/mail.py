"""Typed declaration of Flask-Mail's signal.

Needs Flask-Mail 0.10 or later (which sends with the app as sender):
``pip install "typedsignals[flask-mail]"``.

Example::

    from flask import Flask
    from typedsignals.flask.mail import EmailDispatched, email_dispatched

    @email_dispatched.connect
    def log_email(sender: Flask, payload: EmailDispatched) -> None:
        print(f"sent {payload.message.subject!r} to {payload.message.recipients}")

With ``MAIL_SUPPRESS_SEND`` (on when ``TESTING``) the signal is still sent, which makes
it the usual way to check emails in tests.
"""

from __future__ import annotations

from typing import Annotated

from .._require import missing_extra
from ._bridge import CatalogPayload, bridge, opaque

try:
    from flask_mail import Message
    from flask_mail import email_dispatched as _raw_email_dispatched
except ModuleNotFoundError as _exc:
    raise missing_extra(
        _exc, "flask_mail", extra="flask-mail", needed_by=__name__, project="Flask-Mail"
    ) from None

__all__ = ["EmailDispatched", "email_dispatched"]

MailMessage = Annotated[
    Message, opaque("flask_mail.Message", "The message (subject, recipients, body...).")
]
"""A ``flask_mail.Message``, checked with ``isinstance``."""


class EmailDispatched(CatalogPayload):
    """Payload of :data:`email_dispatched`."""

    message: MailMessage
    """The message that was sent (or would have been, when sending is suppressed)."""


email_dispatched = bridge(
    _raw_email_dispatched,
    EmailDispatched,
    "Sent by Flask-Mail after a message is dispatched, also when sending is suppressed.",
    module=__name__,
    prefix="flask-mail.",
)
"""Mirror of ``flask_mail.email_dispatched``."""
