"""Causality ids without writing a middleware: an opt-in switch and a logging filter.

Every send that goes through middleware gets a :class:`~typedsignals.observe.SendInfo`
with an ``id`` and the ``parent_id`` of the send whose receiver made it. With no
middleware installed, sends take their plain paths and carry no ids (that is what keeps
them free). :func:`track_ids` installs :class:`SendIds`, a middleware that does nothing
else, so every send of the process gets its ids, and adds :class:`SendIdFilter` to the
``typedsignals`` logger, so the records it emits during a send name it.
"""

from __future__ import annotations

import logging
from typing import Final

from ._observe import Middleware, current_send, installed, remove, use

__all__ = ["SendIdFilter", "SendIds", "track_ids"]

LOGGER_NAME: Final = "typedsignals"
"""The logger the library logs on, and the one :func:`track_ids` adds its filter to."""


class SendIds(Middleware):
    """A middleware that adds nothing: installing it gives every send its ids.

    Receivers read them with :func:`~typedsignals.observe.current_send`.
    :func:`track_ids` installs one process-wide; install one on a signal
    (``signal.use_middleware(SendIds())``) or a namespace to give ids to those sends only.
    """


class SendIdFilter(logging.Filter):
    """Adds ``send_id`` and ``parent_send_id`` to every record it sees.

    Both are the ids of the send whose receiver is running when the record is made, or
    ``None`` outside a send (so a format such as ``"%(send_id)s %(message)s"`` always
    works). :func:`track_ids` adds one to the ``typedsignals`` logger; add one to your
    own handlers to tag your receivers' records too::

        handler.addFilter(SendIdFilter())
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Tag ``record`` with the current send's ids; never drops a record."""
        send = current_send()
        record.send_id = None if send is None else send.id
        record.parent_send_id = None if send is None else send.parent_id
        return True


_ids: Final = SendIds()
_filter: Final = SendIdFilter()


def track_ids(enabled: bool = True) -> None:
    """Give every send of the process an id, and tag the library's log records with it.

    With ``enabled`` it installs a :class:`SendIds` middleware process-wide and adds a
    :class:`SendIdFilter` to the ``typedsignals`` logger; ``track_ids(False)`` removes
    both. Calling it twice the same way changes nothing. Sends then take the middleware
    paths: see docs/tracing.md for what that costs.
    """
    logger = logging.getLogger(LOGGER_NAME)
    if enabled:
        if _ids not in installed():
            use(_ids)
        logger.addFilter(_filter)  # a no-op when it is already there
    else:
        remove(_ids)
        logger.removeFilter(_filter)
