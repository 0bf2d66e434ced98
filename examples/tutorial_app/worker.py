"""The tutorial app's Celery worker: it runs the deferred welcome email.

Start it with the same Redis URL and database as the app::

    export TUTORIAL_APP_CELERY=redis://localhost:6379/0 TUTORIAL_APP_DB=instance/demo.sqlite3
    celery -A examples.tutorial_app.worker:celery_app worker --loglevel=INFO
    python -m examples.tutorial_app --celery "$TUTORIAL_APP_CELERY"   # in another shell

It builds the app as the web process does, so the same receivers are connected here:
each message is checked against them and its payload validated again before the email
is queued. ``TUTORIAL_APP_DB_URL`` chooses a SQLAlchemy database instead of the file.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from .__main__ import DEFAULT_DB
from .app import create_app
from .storage import open_storage
from .tasks import celery_delivery

__all__ = ["celery_app", "flask_app"]

_delivery = celery_delivery(os.environ["TUTORIAL_APP_CELERY"])
_url = os.environ.get("TUTORIAL_APP_DB_URL")
_storage = (
    open_storage(url=_url)
    if _url
    else open_storage(path=Path(os.environ.get("TUTORIAL_APP_DB", DEFAULT_DB)))
)

# The worker serves no pages: nothing reads metrics here, so it measures nothing.
flask_app = create_app(_storage, delivery=_delivery, measure=False)
"""The app whose deferred receivers this worker runs (found by its import name)."""

celery_app = _delivery.app
"""What ``celery -A examples.tutorial_app.worker:celery_app`` runs."""

logging.getLogger("tutorial_app").setLevel(logging.INFO)
