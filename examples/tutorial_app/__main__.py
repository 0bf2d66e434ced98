"""Run the tutorial app: ``python -m examples.tutorial_app [--db PATH] [--serve]``.

Without ``--serve`` it runs the narrated demo through Flask's test client (on emptied
tables) and prints what the receivers stored. With ``--serve`` it serves the app with
Flask's development server, keeping the data. The welcome email runs on a worker
thread, or with ``--celery REDIS_URL`` on a Celery worker (:mod:`.worker` says how to
start it).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from .app import create_app, state_of
from .demo import configure_logging, run_demo
from .storage import open_storage

DEFAULT_DB = Path("instance") / "tutorial_app.sqlite3"
"""The SQLite file used when neither ``--db`` nor ``TUTORIAL_APP_DB`` says otherwise
(relative to the current directory, in Flask's ``instance`` folder convention)."""


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line options."""
    parser = argparse.ArgumentParser(
        prog="python -m examples.tutorial_app",
        description="The Flask signals tutorial app, with typed signals.",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--db",
        type=Path,
        default=Path(os.environ.get("TUTORIAL_APP_DB", DEFAULT_DB)),
        help=f"SQLite file (env TUTORIAL_APP_DB; default {DEFAULT_DB})",
    )
    where.add_argument(
        "--db-url",
        default=os.environ.get("TUTORIAL_APP_DB_URL"),
        help="a SQLAlchemy database URL instead, e.g. postgresql://user@host/db "
        "(env TUTORIAL_APP_DB_URL; needs SQLAlchemy and the driver)",
    )
    parser.add_argument(
        "--celery",
        metavar="REDIS_URL",
        default=os.environ.get("TUTORIAL_APP_CELERY"),
        help="defer the welcome email to Celery workers through this Redis "
        "(env TUTORIAL_APP_CELERY; start one: see examples/tutorial_app/worker.py)",
    )
    parser.add_argument("--serve", action="store_true", help="serve with the dev server")
    parser.add_argument("--host", default="127.0.0.1", help="--serve address (127.0.0.1)")
    parser.add_argument("--port", type=int, default=5000, help="--serve port (5000)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the demo or serve the app."""
    args = parse_args(argv)
    storage = open_storage(url=args.db_url) if args.db_url else open_storage(path=args.db)
    if args.celery:
        from .tasks import celery_delivery  # needs typedsignals[celery]

        app = create_app(storage, delivery=celery_delivery(args.celery))
    else:
        app = create_app(storage)
    try:
        if args.serve:
            configure_logging(sys.stderr)
            print(
                f"Serving the tutorial app on http://{args.host}:{args.port}/ "
                f"({storage.backend.description}); Ctrl+C stops it.",
                flush=True,
            )
            app.run(host=args.host, port=args.port, debug=False, use_reloader=False)
        else:
            storage.reset()
            statuses = run_demo(app)
            print(
                f"\nDone: {len(statuses)} requests; the data is in {storage.backend.description}."
            )
    finally:
        state_of(app).close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
