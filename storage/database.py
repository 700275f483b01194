"""Engines, sessions and schema upgrades; nothing here runs at import time."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path
from typing import Any

import aiosqlite
from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as _create_async_engine
from sqlalchemy.pool import StaticPool

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: A pooled PostgreSQL connection idle longer than this is checked before use.
PING_AFTER = 10.0
#: Seconds to open a PostgreSQL connection (asyncpg waits 60 by default): a server that is
#: down or unreachable fails the unit of work soon, and the caller retries later.
CONNECT_TIMEOUT = 5.0
#: Seconds a PostgreSQL statement may take. Ours take milliseconds; without a bound, a
#: statement on a connection whose packets go nowhere (a dead network path) waits forever,
#: holding its update, its pool slot and everything queued behind it.
COMMAND_TIMEOUT = 30.0
#: What the URL may set instead (`?connect_timeout=3&command_timeout=10`), in seconds.
_TIMEOUT_OPTIONS = {"connect_timeout": "timeout", "command_timeout": "command_timeout"}


#: asyncpg's errors for a connection that is gone or cannot be had now (asyncpg has no types
#: for mypy, so they are named rather than imported).
_ASYNCPG_UNAVAILABLE = frozenset({
    "ConnectionDoesNotExistError", "CannotConnectNowError", "TooManyConnectionsError",
    "ConnectionFailureError", "AdminShutdownError", "CrashShutdownError",
})


def is_unavailable(error: BaseException) -> bool:
    """True when `error` says the database could not be reached, not that the work was wrong.

    A refused or reset connection, a connect or statement timeout, a connection the pool
    found dead, no pool slot in time: the same work may well succeed once the server is back.
    """
    if isinstance(error, DBAPIError):
        if error.connection_invalidated or isinstance(error, InterfaceError):
            return True
        # The driver's error, and what it was raised from: a closed socket, a timeout.
        cause: BaseException | None = error.orig
        while cause is not None:
            if isinstance(cause, OSError | TimeoutError) or (
                type(cause).__name__ in _ASYNCPG_UNAVAILABLE
                and type(cause).__module__.startswith("asyncpg")
            ):
                return True
            cause = cause.__cause__
        return False
    # asyncpg's connect and statement timeouts, and a refused connect, reach us unwrapped.
    return isinstance(error, OSError | TimeoutError | PoolTimeout | DisconnectionError)


def is_sqlite_memory(url: URL) -> bool:
    """True for an in-memory SQLite URL (`sqlite+aiosqlite://` or `...:///:memory:`)."""
    database = url.database or ""
    return (
        database in ("", ":memory:")
        or url.query.get("mode") == "memory"
        or database.startswith("file::memory:")
    )


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    """Set the pragmas every SQLite connection needs and take over transaction control."""
    # The driver's own transaction handling starts transactions late (only before writes);
    # we disable it and begin explicitly in `_sqlite_begin`.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    """Begin every SQLite transaction as the single writer (WAL readers are not blocked)."""
    # Straight on the driver's cursor: the statement needs none of SQLAlchemy's execution
    # machinery, and every transaction pays for it.
    cursor = connection.connection.cursor()
    try:
        cursor.execute("BEGIN IMMEDIATE")
    finally:
        cursor.close()


def _note_idle(_dbapi_connection: Any, record: Any) -> None:
    if record is not None:
        record.info["idle_since"] = time.monotonic()


def _ping_if_idle(engine: AsyncEngine) -> Callable[[Any, Any, Any], None]:
    """A pool checkout hook that checks a connection only when it sat idle for a while.

    `pool_pre_ping` costs a round trip on every checkout (several per update); a connection
    handed back moments ago is alive, and one that idled past `PING_AFTER` (a restarted
    server, a dropped socket) is checked and, when dead, replaced by the pool.
    """
    dialect = engine.sync_engine.dialect

    def check(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise DisconnectionError(f"connection idle since {idle_since:.0f} is dead") from error

    return check


class _InlineConnection(aiosqlite.Connection):
    """aiosqlite's connection, but each call runs at once in the event loop's thread.

    A call to a local SQLite file takes microseconds; handing it to aiosqlite's thread and
    back costs more, and while the single writer connection waits for the event loop to
    pick up each result, every other unit of work waits for the connection. The thread
    still opens and closes the connection.
    """

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)


def _inline_sqlite(url: URL) -> Callable[[], Awaitable[aiosqlite.Connection]]:
    arguments, options = SQLiteDialect_pysqlite().create_connect_args(url)
    options["check_same_thread"] = False  # opened by aiosqlite's thread, used by the loop's

    async def connect() -> aiosqlite.Connection:
        connection = _InlineConnection(
            partial(sqlite3.connect, *arguments, **options), iter_chunk_size=64
        )
        connection._thread.daemon = True
        return await connection

    return connect


def _postgres_timeouts(url: URL, statements: bool) -> tuple[URL, dict[str, float]]:
    """The URL without its timeout options, and asyncpg's timeouts (defaults or the URL's)."""
    chosen = {"connect_timeout": CONNECT_TIMEOUT, "command_timeout": COMMAND_TIMEOUT}
    for option in _TIMEOUT_OPTIONS:
        if option in url.query:
            value = url.query[option]
            try:
                chosen[option] = float(value if isinstance(value, str) else value[-1])
            except ValueError:
                raise ValueError(f"{option} in the database URL must be seconds") from None
            if chosen[option] <= 0:
                raise ValueError(f"{option} in the database URL must be more than 0")
    if not statements:
        del chosen["command_timeout"]
    args = {_TIMEOUT_OPTIONS[option]: seconds for option, seconds in chosen.items()}
    return url.difference_update_query(_TIMEOUT_OPTIONS), args


def create_engine(url: str, *, statement_timeout: bool = True) -> AsyncEngine:
    """Return an async engine for a SQLite (aiosqlite) or PostgreSQL (asyncpg) URL.

    On PostgreSQL connecting and every statement are bounded (`CONNECT_TIMEOUT`,
    `COMMAND_TIMEOUT`, or the URL's `connect_timeout` / `command_timeout`); migrations ask
    for no statement bound (`statement_timeout=False`): rewriting a big table takes time.
    """
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if is_sqlite_memory(parsed):
            engine = _create_async_engine(
                parsed, poolclass=StaticPool, connect_args={"check_same_thread": False}
            )
        else:
            assert parsed.database is not None
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            # Every transaction is `BEGIN IMMEDIATE`, so only one at a time can run anyway;
            # one pooled connection makes concurrent units of work queue in order (asyncio)
            # instead of retrying in SQLite's busy handler, which sleeps 1-100 ms per try.
            # A unit of work always ends its transaction itself (`SqlUnitOfWork.__aexit__`),
            # so the pool's own rollback on return would only cost another driver call.
            engine = _create_async_engine(
                parsed,
                pool_size=1,
                max_overflow=0,
                pool_reset_on_return=None,
                async_creator=_inline_sqlite(parsed),
            )
        event.listen(engine.sync_engine, "connect", _sqlite_connect)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    if backend == "postgresql":
        parsed, timeouts = _postgres_timeouts(parsed, statement_timeout)
        engine = _create_async_engine(
            parsed, pool_size=10, max_overflow=10, pool_timeout=30, pool_recycle=1800,
            connect_args=timeouts,
        )
        event.listen(engine.sync_engine.pool, "checkin", _note_idle)
        event.listen(engine.sync_engine.pool, "checkout", _ping_if_idle(engine))
        return engine
    raise ValueError(f"unsupported database URL scheme: {parsed.drivername}")


def single_statements(engine: AsyncEngine) -> AsyncEngine:
    """The engine for work of one statement: on PostgreSQL without BEGIN and ROLLBACK.

    A lone statement is atomic and sees one snapshot by itself; wrapping it in a transaction
    costs PostgreSQL two more round trips. It shares the engine's pool. SQLite keeps its
    transactions (the begin hook starts them, and inside one process they cost nothing).
    """
    if engine.dialect.name == "postgresql":
        return engine.execution_options(isolation_level="AUTOCOMMIT")
    return engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Return the session maker units of work use (objects stay readable after commit)."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=True)


def alembic_config(url: str | None = None) -> Config:
    """Build the Alembic configuration in code: scripts in `storage/migrations`, URL as given.

    The URL travels in `config.attributes["url"]`, not through the ini parser, so `%` in
    passwords needs no escaping.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("version_locations", str(MIGRATIONS / "versions"))
    config.set_main_option("path_separator", "os")
    if url is not None:
        config.attributes["url"] = url
    return config


async def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at `url` to `revision` (default: the newest) with Alembic."""
    config = alembic_config(url)
    engine = create_engine(url, statement_timeout=False)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_run_upgrade, config, revision)
    finally:
        await engine.dispose()


async def downgrade(url: str, revision: str) -> None:
    """Take the database at `url` back to `revision` (`"base"`: empty)."""
    config = alembic_config(url)
    engine = create_engine(url, statement_timeout=False)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_run_downgrade, config, revision)
    finally:
        await engine.dispose()


def _run_upgrade(connection: Connection, config: Config, revision: str) -> None:
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def _run_downgrade(connection: Connection, config: Config, revision: str) -> None:
    config.attributes["connection"] = connection
    command.downgrade(config, revision)


async def current_revision(url: str) -> str | None:
    """Return the database's Alembic revision, None for an empty database."""
    from alembic.migration import MigrationContext

    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(
                lambda sync: MigrationContext.configure(sync).get_current_revision()
            )
    finally:
        await engine.dispose()
