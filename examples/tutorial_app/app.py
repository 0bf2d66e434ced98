"""The tutorial's Flask application, typed end to end.

:func:`create_app` builds the app on a :class:`~.storage.Storage` and connects every
receiver for it. Its routes are in :mod:`.views` (the tutorial's forms: register, log
in, profile, share, the deliberate error) and :mod:`.pages` (a page per exercise, read
from the database, the signals page read from the typedsignals catalog, and the metrics
page read from :mod:`typedsignals.metrics`, which :mod:`.observe` switches on). Every form
carries a CSRF token (Flask-WTF's ``CSRFProtect``) and is answered by a redirect with a
flash message (post/redirect/get); errors get pages in the layout.

Custom signals are sent with :func:`typedsignals.flask.send`, which uses the current
app as sender and the app's error policy.
"""

from __future__ import annotations

import importlib.util
import secrets
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Final

from flask import Flask, render_template, session
from werkzeug.exceptions import HTTPException, InternalServerError

from typedsignals import ErrorPolicy
from typedsignals.delivery import DeferredReceiver, Delivery, ThreadPoolDelivery
from typedsignals.flask import TypedSignals

from .observe import start_measuring, stop_measuring
from .receivers import Receivers, connect_receivers
from .storage import Storage

__all__ = ["EXTENSION_KEY", "TutorialState", "create_app", "csrf_available", "state_of"]

EXTENSION_KEY: Final = "tutorial_app"
"""Where the app keeps its :class:`TutorialState` in ``app.extensions``."""

CSRF_EXTRA: Final = 'pip install -e ".[examples]"'
"""How to install Flask-WTF, which the app's CSRF protection needs."""


@dataclass
class TutorialState:
    """What one app instance holds: its storage, its receivers and their delivery.

    ``pending`` keeps the handles of the latest deferred calls (the demo waits for them
    with :meth:`settle`; a served app forgets the oldest).
    """

    storage: Storage
    receivers: Receivers
    delivery: Delivery
    owns_delivery: bool = False
    measuring: bool = False
    pending: deque[Any] = field(default_factory=lambda: deque(maxlen=100))

    def track(self, results: Iterable[tuple[Callable[..., Any], Any]]) -> None:
        """Keep the handles a send returned for its deferred receivers."""
        self.pending.extend(
            handle for receiver, handle in results if isinstance(receiver, DeferredReceiver)
        )

    def settle(self, timeout: float = 30.0) -> list[Any]:
        """Wait until the tracked deferred calls ran; return their handles.

        A call that failed was logged by its delivery; waiting does not raise it again.
        """
        handles = list(self.pending)
        self.pending.clear()
        for handle in handles:
            if isinstance(handle, Future):
                handle.exception(timeout)
            else:  # a Celery AsyncResult
                handle.get(timeout=timeout, propagate=False)
        return handles

    def close(self) -> None:
        """Disconnect the receivers, run what was deferred, release the storage, and
        switch off the metrics this app switched on."""
        self.receivers.disconnect()
        if self.measuring:
            self.measuring = False
            stop_measuring()
        if self.owns_delivery and isinstance(self.delivery, ThreadPoolDelivery):
            self.delivery.shutdown(wait=True)
        self.storage.close()


def state_of(app: Flask) -> TutorialState:
    """The :class:`TutorialState` of ``app``."""
    state = app.extensions[EXTENSION_KEY]
    assert isinstance(state, TutorialState)
    return state


def create_app(
    storage: Storage,
    *,
    error_policy: ErrorPolicy = "log",
    partner_tracking: bool = True,
    secret_key: str | None = None,
    delivery: Delivery | None = None,
    csrf: bool = True,
    measure: bool = True,
) -> Flask:
    """Build the app on ``storage``, with every receiver connected for it.

    Args:
        storage: Where users and logs go.
        error_policy: The app's receiver error policy (``"log"`` by default, so a
            failing analytics receiver never breaks a request).
        partner_tracking: Connect the partner tracker, whose receiver fails on shares.
        secret_key: The session key; random by default.
        delivery: Where the welcome email runs: by default a thread pool of the app's
            own (shut down by :meth:`TutorialState.close`); a
            :class:`~typedsignals.celery.CeleryDelivery` sends it to Celery workers.
        csrf: Refuse form posts without this site's CSRF token (Flask-WTF's
            ``CSRFProtect``). Only the narrated demo, which posts through Flask's test
            client, may go without it when Flask-WTF is not installed.
        measure: Switch :mod:`typedsignals.metrics` on for the app's signals and
            Flask's typed ones until :meth:`TutorialState.close` (:mod:`.observe`);
            the ``/metrics`` page shows them.

    Raises:
        ImportError: ``csrf`` is on and Flask-WTF is not installed.
    """
    app = Flask(__name__)
    app.secret_key = secret_key or secrets.token_hex(16)
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"  # defence in depth, beside the tokens
    if csrf:
        _protect(app)
    TypedSignals(app, error_policy=error_policy)
    owned = delivery is None
    chosen = ThreadPoolDelivery(max_workers=1) if delivery is None else delivery
    receivers = connect_receivers(app, storage, partner_tracking=partner_tracking, delivery=chosen)
    app.extensions[EXTENSION_KEY] = TutorialState(storage, receivers, chosen, owned, measure)
    if measure:
        start_measuring()
    from . import pages, views  # they import this module for state_of

    app.register_blueprint(views.blueprint)
    app.register_blueprint(pages.blueprint)
    app.register_error_handler(HTTPException, _error_page)
    app.context_processor(_visitor)
    return app


def _visitor() -> dict[str, object]:
    """What every page's layout shows: who is signed in."""
    return {"username": session.get("user_id")}


def csrf_available() -> bool:
    """Whether Flask-WTF, which the CSRF protection needs, is installed."""
    return importlib.util.find_spec("flask_wtf") is not None


def _protect(app: Flask) -> None:
    if not csrf_available():
        raise ImportError(
            f"the tutorial app's CSRF protection needs Flask-WTF: {CSRF_EXTRA}"
        ) from None
    from flask_wtf.csrf import CSRFProtect  # type: ignore[import-untyped]  # no py.typed

    CSRFProtect(app)


def _error_page(exc: HTTPException) -> tuple[str, int]:
    """Every HTTP error (404, a refused form's 400, the 500 of an unhandled exception)
    as a page in the layout."""
    if isinstance(exc, InternalServerError) and exc.original_exception is not None:
        detail = "The app raised an exception; the ActivityLogger recorded it as an error."
    else:
        detail = exc.description or ""
    code = exc.code or 500
    return render_template("error.html", code=code, name=exc.name, detail=detail), code
