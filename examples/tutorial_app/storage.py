"""Storage for the tutorial app: users and every log table, in SQLite by default.

:class:`Storage` speaks plain SQL with named parameters (``:name``), which both the
standard library's ``sqlite3`` and SQLAlchemy understand, so the same statements run on
a SQLite file (no dependency) or on any database SQLAlchemy reaches through a URL
(``postgresql://...``; needs ``pip install sqlalchemy`` and the database's driver).

Every operation opens its own connection and closes it: the app is a demo, and this
keeps it correct under the threaded dev server and free of unclosed connections.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

__all__ = [
    "TABLES",
    "Backend",
    "SQLAlchemyBackend",
    "SQLiteBackend",
    "Storage",
    "User",
    "UsernameTaken",
    "now",
    "open_storage",
]

Params = Mapping[str, object]
Row = dict[str, Any]

TABLES: dict[str, str] = {
    "users": (
        "id {pk}, username VARCHAR(30) NOT NULL UNIQUE, email VARCHAR(254) NOT NULL, "
        "display_name VARCHAR(100), bio TEXT, created_at VARCHAR(19) NOT NULL, "
        "last_modified VARCHAR(19) NOT NULL"
    ),
    "audit_log": (
        "id {pk}, at VARCHAR(19) NOT NULL, actor VARCHAR(30), table_name VARCHAR(50) NOT NULL, "
        "record_id INTEGER NOT NULL, operation VARCHAR(10) NOT NULL, changes TEXT NOT NULL"
    ),
    "page_views": (
        "id {pk}, at VARCHAR(19) NOT NULL, username VARCHAR(30) NOT NULL, "
        "path VARCHAR(200) NOT NULL, status INTEGER NOT NULL"
    ),
    "interactions": (
        "id {pk}, at VARCHAR(19) NOT NULL, username VARCHAR(30) NOT NULL, "
        "action VARCHAR(50) NOT NULL"
    ),
    "activity_log": (
        "id {pk}, at VARCHAR(19) NOT NULL, username VARCHAR(30) NOT NULL, "
        "kind VARCHAR(10) NOT NULL, detail VARCHAR(300) NOT NULL, duration_ms REAL"
    ),
    "template_log": (
        "id {pk}, at VARCHAR(19) NOT NULL, template VARCHAR(100) NOT NULL, context TEXT NOT NULL"
    ),
    "outbox": (
        "id {pk}, at VARCHAR(19) NOT NULL, recipient VARCHAR(254) NOT NULL, "
        "subject VARCHAR(200) NOT NULL, body TEXT NOT NULL"
    ),
}
"""Each table's columns; ``{pk}`` is the auto-increment primary key of the dialect."""

_PRIMARY_KEY = {
    "sqlite": "INTEGER PRIMARY KEY AUTOINCREMENT",
    "postgresql": "SERIAL PRIMARY KEY",
    "mysql": "INTEGER PRIMARY KEY AUTO_INCREMENT",
    "mariadb": "INTEGER PRIMARY KEY AUTO_INCREMENT",
}


def now() -> str:
    """The local time as ``YYYY-MM-DD HH:MM:SS``, the form every table stores."""
    return datetime.now().isoformat(sep=" ", timespec="seconds")


class Backend(Protocol):
    """The few operations :class:`Storage` needs from a database."""

    dialect: str
    description: str

    def execute(self, sql: str, params: Params) -> None:
        """Run one statement and commit."""
        ...

    def insert(self, sql: str, params: Params) -> int:
        """Run an INSERT and return the new row's id."""
        ...

    def query(self, sql: str, params: Params) -> list[Row]:
        """Run a SELECT and return its rows as dicts."""
        ...

    def close(self) -> None:
        """Release pooled resources."""
        ...


class SQLiteBackend:
    """A SQLite file through the standard library."""

    dialect = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.description = f"SQLite file {path}"
        path.parent.mkdir(parents=True, exist_ok=True)

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=10)) as conn:
            conn.row_factory = sqlite3.Row
            # A demo database: fewer fsyncs (a power cut could lose the last writes)
            # keep the request timings the ActivityLogger records realistic.
            conn.execute("PRAGMA synchronous = NORMAL")
            with conn:  # commits, or rolls back on error
                yield conn

    def execute(self, sql: str, params: Params) -> None:
        """Run one statement and commit."""
        with self._connection() as conn:
            conn.execute(sql, params)

    def insert(self, sql: str, params: Params) -> int:
        """Run an INSERT and return the new row's id."""
        with self._connection() as conn:
            cursor = conn.execute(sql, params)
            assert cursor.lastrowid is not None
            return cursor.lastrowid

    def query(self, sql: str, params: Params) -> list[Row]:
        """Run a SELECT and return its rows as dicts."""
        with self._connection() as conn:
            return [dict(row) for row in conn.execute(sql, params)]

    def close(self) -> None:
        """Nothing is pooled."""


class SQLAlchemyBackend:
    """Any database SQLAlchemy reaches through a URL (optional dependency)."""

    def __init__(self, url: str) -> None:
        try:
            import sqlalchemy
        except ModuleNotFoundError:
            raise SystemExit(
                "--db-url needs SQLAlchemy (and the database's driver): pip install sqlalchemy"
            ) from None
        self._sa = sqlalchemy
        self.engine = sqlalchemy.create_engine(url)
        self.dialect = self.engine.dialect.name
        self.description = f"{self.dialect} database {self.engine.url.render_as_string()}"

    def execute(self, sql: str, params: Params) -> None:
        """Run one statement and commit."""
        with self.engine.begin() as conn:
            conn.execute(self._sa.text(sql), dict(params))

    def insert(self, sql: str, params: Params) -> int:
        """Run an INSERT and return the new row's id (``RETURNING id``, portable enough:
        SQLite 3.35+, PostgreSQL, MariaDB 10.5+)."""
        with self.engine.begin() as conn:
            return int(
                conn.execute(self._sa.text(sql + " RETURNING id"), dict(params)).scalar_one()
            )

    def query(self, sql: str, params: Params) -> list[Row]:
        """Run a SELECT and return its rows as dicts."""
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(self._sa.text(sql), dict(params))]

    def close(self) -> None:
        """Close the engine's pooled connections."""
        self.engine.dispose()


@dataclass(frozen=True)
class User:
    """One row of ``users``."""

    id: int
    username: str
    email: str
    display_name: str | None
    bio: str | None
    created_at: str
    last_modified: str


class UsernameTaken(ValueError):
    """A registration chose a username that exists."""


class Storage:
    """The tutorial app's tables, on one :class:`Backend`."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    def __repr__(self) -> str:
        return f"<Storage {self.backend.description}>"

    # -- schema ---------------------------------------------------------------------

    def create_tables(self) -> None:
        """Create every table that does not exist yet."""
        pk = _PRIMARY_KEY.get(self.backend.dialect, "INTEGER PRIMARY KEY")
        for table, columns in TABLES.items():
            self.backend.execute(
                f"CREATE TABLE IF NOT EXISTS {table} ({columns.format(pk=pk)})", {}
            )

    def reset(self) -> None:
        """Drop and recreate every table (the demo starts from a clean database, with
        ids from 1)."""
        for table in TABLES:
            self.backend.execute(f"DROP TABLE IF EXISTS {table}", {})
        self.create_tables()

    def rows(self, table: str) -> list[Row]:
        """Every row of ``table``, oldest first."""
        if table not in TABLES:
            raise ValueError(f"unknown table {table!r}")
        return self.backend.query(f"SELECT * FROM {table} ORDER BY id", {})

    def close(self) -> None:
        """Release the backend's resources."""
        self.backend.close()

    # -- users ----------------------------------------------------------------------

    def create_user(self, username: str, email: str) -> User:
        """Store a new account.

        Raises:
            UsernameTaken: ``username`` is already registered.
        """
        if self.get_user(username) is not None:
            raise UsernameTaken(username)
        stamp = now()
        user_id = self.backend.insert(
            "INSERT INTO users (username, email, created_at, last_modified) "
            "VALUES (:username, :email, :stamp, :stamp)",
            {"username": username, "email": email, "stamp": stamp},
        )
        return User(user_id, username, email, None, None, stamp, stamp)

    def get_user(self, username: str) -> User | None:
        """The account called ``username``, if any."""
        found = self.backend.query(
            "SELECT * FROM users WHERE username = :username", {"username": username}
        )
        return User(**found[0]) if found else None

    def update_profile(self, user: User, changes: Mapping[str, str]) -> dict[str, str]:
        """Write the profile fields in ``changes`` that differ; return those."""
        current = {"display_name": user.display_name, "bio": user.bio}
        changed = {
            name: value for name, value in changes.items() if current.get(name, value) != value
        }
        for name, value in changed.items():
            # Column names come from the fixed set above, never from the request.
            self.backend.execute(
                f"UPDATE users SET {name} = :value WHERE id = :id", {"value": value, "id": user.id}
            )
        return changed

    def touch_last_modified(self, user_id: int) -> str:
        """Set the account's ``last_modified`` to now and return the stamp."""
        stamp = now()
        self.backend.execute(
            "UPDATE users SET last_modified = :stamp WHERE id = :id",
            {"stamp": stamp, "id": user_id},
        )
        return stamp

    # -- logs -----------------------------------------------------------------------

    def record_audit(
        self,
        *,
        actor: str | None,
        table: str,
        record_id: int,
        operation: str,
        changes: Mapping[str, object],
    ) -> None:
        """Append one data modification to ``audit_log``."""
        self.backend.insert(
            "INSERT INTO audit_log (at, actor, table_name, record_id, operation, changes) "
            "VALUES (:at, :actor, :table, :record_id, :operation, :changes)",
            {
                "at": now(),
                "actor": actor,
                "table": table,
                "record_id": record_id,
                "operation": operation,
                "changes": json.dumps(changes, sort_keys=True),
            },
        )

    def record_page_view(self, *, username: str, path: str, status: int) -> None:
        """Append one page view."""
        self.backend.insert(
            "INSERT INTO page_views (at, username, path, status) "
            "VALUES (:at, :username, :path, :status)",
            {"at": now(), "username": username, "path": path, "status": status},
        )

    def record_interaction(self, *, username: str, action: str) -> None:
        """Append one user interaction."""
        self.backend.insert(
            "INSERT INTO interactions (at, username, action) VALUES (:at, :username, :action)",
            {"at": now(), "username": username, "action": action},
        )

    def log_activity(
        self, *, username: str, kind: str, detail: str, duration_ms: float | None = None
    ) -> None:
        """Append one line of the activity log (a request, an action or an error)."""
        self.backend.insert(
            "INSERT INTO activity_log (at, username, kind, detail, duration_ms) "
            "VALUES (:at, :username, :kind, :detail, :duration_ms)",
            {
                "at": now(),
                "username": username,
                "kind": kind,
                "detail": detail[:300],
                "duration_ms": duration_ms,
            },
        )

    def log_template(self, *, template: str, context: Mapping[str, str]) -> None:
        """Append one rendered template with a summary of its context."""
        self.backend.insert(
            "INSERT INTO template_log (at, template, context) VALUES (:at, :template, :context)",
            {"at": now(), "template": template, "context": json.dumps(context, sort_keys=True)},
        )

    def queue_email(self, *, recipient: str, subject: str, body: str) -> None:
        """Put an email in the outbox (the demo sends nothing for real)."""
        self.backend.insert(
            "INSERT INTO outbox (at, recipient, subject, body) "
            "VALUES (:at, :recipient, :subject, :body)",
            {"at": now(), "recipient": recipient, "subject": subject, "body": body},
        )


def open_storage(*, path: Path | None = None, url: str | None = None) -> Storage:
    """A :class:`Storage` on a SQLite file (``path``) or a SQLAlchemy ``url``; tables
    are created if missing."""
    if url is not None:
        storage = Storage(SQLAlchemyBackend(url))
    elif path is not None:
        storage = Storage(SQLiteBackend(path))
    else:
        raise ValueError("open_storage() needs a path or a url")
    storage.create_tables()
    return storage
