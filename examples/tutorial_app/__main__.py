"""Run the tutorial app: ``python -m examples.tutorial_app [--db PATH] [--serve]``.

Without ``--serve`` it runs the narrated demo through Flask's test client and prints
what the receivers stored; it empties its own database file first
(:data:`DEMO_DB`), never the served app's. With ``--serve`` it serves the app with
Flask's development server on http://127.0.0.1:5000/, keeping the data in
:data:`DEFAULT_DB`. ``--db`` (or ``TUTORIAL_APP_DB``) chooses the file for either. The
welcome email runs on a worker thread, or with ``--celery REDIS_URL`` on a Celery
worker (:mod:`.worker` says how to start it).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from flask import Flask

from .app import CSRF_EXTRA, create_app, csrf_available, state_of
from .demo import configure_logging, run_demo
from .storage import SchemaOutdated, Storage, open_storage

DEFAULT_DB = Path("instance") / "tutorial_app.sqlite3"
"""The served app's SQLite file when neither ``--db`` nor ``TUTORIAL_APP_DB`` says
otherwise (relative to the current directory, in Flask's ``instance`` folder convention)."""

DEMO_DB = Path("instance") / "tutorial_app_demo.sqlite3"
"""The narrated demo's own SQLite file, emptied by each run, when neither ``--db`` nor
``TUTORIAL_APP_DB`` says otherwise: a demo run never wipes what a served app stored."""


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
        default=None,
        help=f"SQLite file (env TUTORIAL_APP_DB; default {DEFAULT_DB} when serving, "
        f"{DEMO_DB} for the demo, which empties the file it uses)",
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


def database_path(args: argparse.Namespace) -> Path:
    """The SQLite file: ``--db``, else ``TUTORIAL_APP_DB``, else the default of the mode."""
    if args.db is not None:
        return Path(args.db)
    from_env = os.environ.get("TUTORIAL_APP_DB")
    if from_env:
        return Path(from_env)
    return DEFAULT_DB if args.serve else DEMO_DB


def main(argv: Sequence[str] | None = None) -> int:
    """Run the demo or serve the app."""
    args = parse_args(argv)
    try:
        storage = (
            open_storage(url=args.db_url) if args.db_url else open_storage(path=database_path(args))
        )
    except SchemaOutdated as exc:
        raise SystemExit(f"python -m examples.tutorial_app: {exc}") from None
    if args.serve and not csrf_available():
        storage.close()
        raise SystemExit(
            "python -m examples.tutorial_app --serve: a served app protects its forms "
            f"with Flask-WTF's CSRFProtect; install it first: {CSRF_EXTRA}"
        )
    # The demo posts through the test client, which no other site can drive: without
    # Flask-WTF (the README's first command installs only Flask) it runs unprotected.
    csrf = args.serve or csrf_available()
    if args.celery:
        from .tasks import celery_delivery  # needs typedsignals[celery]

        app = create_app(storage, delivery=celery_delivery(args.celery), csrf=csrf)
    else:
        app = create_app(storage, csrf=csrf)
    try:
        if args.serve:
            _serve(app, storage, args.host, args.port)
        else:
            storage.reset()
            statuses = run_demo(app)
            print(
                f"\nDone: {len(statuses)} requests; the data is in {storage.backend.description}."
            )
            if not args.db_url:
                print(
                    "Browse it: python -m examples.tutorial_app --serve --db "
                    f"{database_path(args)} (then open http://127.0.0.1:{args.port}/)"
                )
    finally:
        state_of(app).close()
    return 0


def _serve(app: Flask, storage: Storage, host: str, port: int) -> None:
    configure_logging(sys.stderr)
    print(
        f"Serving the tutorial app on http://{host}:{port}/ "
        f"({storage.backend.description}); Ctrl+C stops it.",
        flush=True,
    )
    app.run(host=host, port=port, debug=False, use_reloader=False)


if __name__ == "__main__":
    sys.exit(main())
