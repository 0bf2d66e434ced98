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
    "LOG_TABLES",
    "TABLES",
    "Backend",
    "Cause",
    "SQLAlchemyBackend",
    "SQLiteBackend",
    "SchemaOutdated",
    "Storage",
    "User",
    "UsernameTaken",
    "now",
    "open_storage",
]

Params = Mapping[str, object]
Row = dict[str, Any]

_CAUSE = "request_id VARCHAR(32), signal VARCHAR(50) NOT NULL, receiver VARCHAR(100) NOT NULL"
"""The columns that say what wrote a log row: the request it happened in (None when
there was none), the signal and the receiver (its qualified name)."""

TABLES: dict[str, str] = {
    "users": (
        "id {pk}, username VARCHAR(30) NOT NULL UNIQUE, email VARCHAR(254) NOT NULL, "
        "display_name VARCHAR(100), bio TEXT, created_at VARCHAR(19) NOT NULL, "
        "last_modified VARCHAR(19)"
    ),
    "audit_log": (
        "id {pk}, at VARCHAR(19) NOT NULL, actor VARCHAR(30), table_name VARCHAR(50) NOT NULL, "
        "record_id INTEGER NOT NULL, operation VARCHAR(10) NOT NULL, previous TEXT NOT NULL, "
        f"changes TEXT NOT NULL, {_CAUSE}"
    ),
    "page_views": (
        "id {pk}, at VARCHAR(19) NOT NULL, username VARCHAR(30) NOT NULL, "
        f"path VARCHAR(200) NOT NULL, status INTEGER NOT NULL, {_CAUSE}"
    ),
    "interactions": (
        "id {pk}, at VARCHAR(19) NOT NULL, username VARCHAR(30) NOT NULL, "
        f"action VARCHAR(50) NOT NULL, {_CAUSE}"
    ),
    "activity_log": (
        "id {pk}, at VARCHAR(19) NOT NULL, username VARCHAR(30) NOT NULL, "
        f"kind VARCHAR(10) NOT NULL, detail VARCHAR(300) NOT NULL, duration_ms REAL, {_CAUSE}"
    ),
    "template_log": (
        "id {pk}, at VARCHAR(19) NOT NULL, template VARCHAR(100) NOT NULL, "
        f"context TEXT NOT NULL, {_CAUSE}"
    ),
    "outbox": (
        "id {pk}, at VARCHAR(19) NOT NULL, recipient VARCHAR(254) NOT NULL, "
        f"subject VARCHAR(200) NOT NULL, body TEXT NOT NULL, {_CAUSE}"
    ),
}
"""Each table's columns; ``{pk}`` is the auto-increment primary key of the dialect.
``users.last_modified`` stays NULL until the first profile change."""

LOG_TABLES: tuple[str, ...] = tuple(table for table in TABLES if table != "users")
"""The tables receivers append to; each row carries the :class:`Cause` columns."""

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
    """One row of ``users``; ``last_modified`` is None until the first profile change."""

    id: int
    username: str
    email: str
    display_name: str | None
    bio: str | None
    created_at: str
    last_modified: str | None


@dataclass(frozen=True)
class Cause:
    """What wrote a log row: a receiver of a signal, during a request (if any)."""

    signal: str
    """The signal's name (``request-finished``)."""
    receiver: str
    """The receiver's qualified name (``ActivityLogger.on_request_finished``)."""
    request_id: str | None = None
    """The id of the request it happened in; None outside a request."""

    def columns(self) -> dict[str, str | None]:
        """The values of the cause columns every log table has."""
        return {"signal": self.signal, "receiver": self.receiver, "request_id": self.request_id}


class UsernameTaken(ValueError):
    """A registration chose a username that exists."""


class SchemaOutdated(RuntimeError):
    """The database was written by an older version of the app; the message says what
    to do (the app never drops a table holding data on its own)."""


class Storage:
    """The tutorial app's tables, on one :class:`Backend`."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    def __repr__(self) -> str:
        return f"<Storage {self.backend.description}>"

    # -- schema ---------------------------------------------------------------------

    def create_tables(self) -> None:
        """Create every table that does not exist yet.

        Raises:
            SchemaOutdated: A table exists without a column this version needs.
        """
        pk = _PRIMARY_KEY.get(self.backend.dialect, "INTEGER PRIMARY KEY")
        for table, columns in TABLES.items():
            self.backend.execute(
                f"CREATE TABLE IF NOT EXISTS {table} ({columns.format(pk=pk)})", {}
            )
            self._check_columns(table, columns)

    def _check_columns(self, table: str, columns: str) -> None:
        names = ", ".join(part.split()[0] for part in columns.split(", "))
        try:
            self.backend.query(f"SELECT {names} FROM {table} WHERE 1 = 0", {})
        except Exception as exc:  # each driver has its own error class for this
            raise SchemaOutdated(
                f"{self.backend.description}: table {table!r} was created by an older "
                f"version of the tutorial app ({type(exc).__name__}: {exc}); "
                "delete the file, or choose another one with --db"
            ) from None

    def reset(self) -> None:
        """Drop and recreate every table (the demo starts from a clean database, with
        ids from 1)."""
        for table in TABLES:
            self.backend.execute(f"DROP TABLE IF EXISTS {table}", {})
        self.create_tables()

    def rows(
        self,
        table: str,
        *,
        request_id: str | None = None,
        newest_first: bool = False,
        limit: int | None = None,
    ) -> list[Row]:
        """Rows of ``table``, oldest first unless ``newest_first``.

        Args:
            table: One of :data:`TABLES`.
            request_id: Only the rows written during this request (log tables only).
            newest_first: Newest rows first.
            limit: At most this many rows.
        """
        if table not in TABLES:
            raise ValueError(f"unknown table {table!r}")
        where = "" if request_id is None else " WHERE request_id = :request_id"
        order = " DESC" if newest_first else ""
        sql = f"SELECT * FROM {table}{where} ORDER BY id{order}"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return self.backend.query(sql, {"request_id": request_id})

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
            "INSERT INTO users (username, email, created_at) VALUES (:username, :email, :stamp)",
            {"username": username, "email": email, "stamp": stamp},
        )
        return User(user_id, username, email, None, None, stamp, None)

    def get_user(self, username: str) -> User | None:
        """The account called ``username``, if any."""
        found = self.backend.query(
            "SELECT * FROM users WHERE username = :username", {"username": username}
        )
        return User(**found[0]) if found else None

    def update_profile(
        self, user: User, changes: Mapping[str, str]
    ) -> dict[str, tuple[str | None, str]]:
        """Write the profile fields in ``changes`` that differ from ``user``'s.

        Fields not in ``changes`` keep their values.

        Returns:
            ``{field: (before, after)}`` for each field written.
        """
        current = {"display_name": user.display_name, "bio": user.bio}
        changed = {
            name: (current[name], value)
            for name, value in changes.items()
            if name in current and current[name] != value
        }
        for name, (_, value) in changed.items():
            # Column names come from the fixed set above, never from the request.
            self.backend.execute(
                f"UPDATE users SET {name} = :value WHERE id = :id", {"value": value, "id": user.id}
            )
        return changed

    def touch_last_modified(self, user_id: int) -> tuple[str | None, str]:
        """Set the account's ``last_modified`` to now; return the old and new stamps."""
        found = self.backend.query(
            "SELECT last_modified FROM users WHERE id = :id", {"id": user_id}
        )
        before: str | None = found[0]["last_modified"] if found else None
        stamp = now()
        self.backend.execute(
            "UPDATE users SET last_modified = :stamp WHERE id = :id",
            {"stamp": stamp, "id": user_id},
        )
        return before, stamp

    # -- logs -----------------------------------------------------------------------

    def _append(self, table: str, values: Mapping[str, object], cause: Cause) -> None:
        """Insert one row of a log table, stamped now, with its cause."""
        params = {"at": now(), **values, **cause.columns()}
        names = ", ".join(params)
        placeholders = ", ".join(f":{name}" for name in params)
        self.backend.insert(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", params)

    def record_audit(
        self,
        *,
        actor: str | None,
        table: str,
        record_id: int,
        operation: str,
        previous: Mapping[str, object],
        changes: Mapping[str, object],
        cause: Cause,
    ) -> None:
        """Append one data modification to ``audit_log``, with the old and new values."""
        self._append(
            "audit_log",
            {
                "actor": actor,
                "table_name": table,
                "record_id": record_id,
                "operation": operation,
                "previous": json.dumps(previous, sort_keys=True),
                "changes": json.dumps(changes, sort_keys=True),
            },
            cause,
        )

    def record_page_view(self, *, username: str, path: str, status: int, cause: Cause) -> None:
        """Append one page view."""
        self._append("page_views", {"username": username, "path": path, "status": status}, cause)

    def record_interaction(self, *, username: str, action: str, cause: Cause) -> None:
        """Append one user interaction."""
        self._append("interactions", {"username": username, "action": action}, cause)

    def log_activity(
        self,
        *,
        username: str,
        kind: str,
        detail: str,
        cause: Cause,
        duration_ms: float | None = None,
    ) -> None:
        """Append one line of the activity log (a request, an action or an error)."""
        values = {
            "username": username,
            "kind": kind,
            "detail": detail[:300],
            "duration_ms": duration_ms,
        }
        self._append("activity_log", values, cause)

    def log_template(self, *, template: str, context: Mapping[str, str], cause: Cause) -> None:
        """Append one rendered template with a summary of its context."""
        values = {"template": template, "context": json.dumps(context, sort_keys=True)}
        self._append("template_log", values, cause)

    def queue_email(self, *, recipient: str, subject: str, body: str, cause: Cause) -> None:
        """Put an email in the outbox (the demo sends nothing for real)."""
        values = {"recipient": recipient, "subject": subject, "body": body}
        self._append("outbox", values, cause)


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
