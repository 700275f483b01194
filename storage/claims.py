"""Kept updates shared by webhook replicas on one PostgreSQL: who handles each, and when.

Any replica may receive any update. The receiving replica keeps it with its claim
(`claimant`, `claimed_at` by the database's clock) and the person and chat it belongs to.
It starts handling it only when no older update of the same person or chat is unfinished
(`turn`), and marks it finished (`done_at`) once handled, which lets the next one of that
person or chat start on whichever replica holds it. Each replica renews its claims while it
lives (`renew`) and holds a session-level advisory lock naming it (`open`), which PostgreSQL
lets go the moment its connection dies. The claims of a replica whose lock is gone (it
died), or that were not renewed for `lease` seconds (it hangs), are taken over by another
replica (`take_over`): one handled already is closed, one not handled is handled there,
still in order.

The rule is all in the database, so it holds whatever the replicas know of each other.
SQLite serves one process, which needs none of this.
"""

from __future__ import annotations

import contextlib
import enum
import logging

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from domain.clock import Clock

log = logging.getLogger(__name__)

#: A claim not renewed for this long belongs to a replica that hangs (renewed every third).
LEASE_SECONDS = 9.0
#: The advisory-lock class of "this replica is alive" (second key: hashtext of its name).
ALIVE_CLASS = 0x746F6E67


class Turn(enum.Enum):
    """What the shared table says about starting an update now."""

    GO = "go"  #: ours, and nothing older of its person or chat is unfinished
    WAIT = "wait"  #: an older update of its person or chat is still being handled
    GONE = "gone"  #: finished already, or another replica took it over


# Kept and asked in one statement: is anything older of its person or chat unfinished?
# (Two EXISTS, one per partial index: an OR of both would read neither index.)
_OLDER_OPEN = (
    "EXISTS (SELECT 1 FROM received_update o WHERE o.done_at IS NULL"
    " AND o.person_key = {person} AND o.update_id < {id})"
    " OR EXISTS (SELECT 1 FROM received_update o WHERE o.done_at IS NULL"
    " AND o.chat_key = {chat} AND o.update_id < {id})"
)
_KEEP = text(
    "WITH kept AS (INSERT INTO received_update (update_id, payload, received_at, person_key,"
    " chat_key, claimant, claimed_at)"
    " VALUES (:id, :payload, :received_at, :person, :chat, :me, now())"
    " ON CONFLICT (update_id) DO NOTHING RETURNING update_id)"
    " SELECT EXISTS (SELECT 1 FROM kept) AS new, "
    + _OLDER_OPEN.format(person="CAST(:person AS bigint)", chat="CAST(:chat AS bigint)",
                         id="CAST(:id AS bigint)")
    + " AS blocked"
)
_TURN = text(
    "SELECT r.claimant = :me AND r.done_at IS NULL AS mine, "
    + _OLDER_OPEN.format(person="r.person_key", chat="r.chat_key", id="r.update_id")
    + " AS blocked FROM received_update r WHERE r.update_id = :id"
)
_FINISH = text("UPDATE received_update SET done_at = now() WHERE update_id = :id")
_RENEW = text(
    "UPDATE received_update SET claimed_at = now() WHERE claimant = :me AND done_at IS NULL"
)
_ALIVE = text("SELECT pg_advisory_lock(:alive, hashtext(:me))")
# Whose lock is held: a replica's claims are alive while its lock is (pg_locks shows it).
_EXPIRED = (
    "done_at IS NULL AND (claimed_at IS NULL"
    " OR claimed_at < now() - CAST(:lease AS double precision) * interval '1 second'"
    " OR (claimant <> :me AND NOT EXISTS (SELECT 1 FROM pg_locks l"
    "     WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2"
    "     AND l.classid = CAST(:alive AS oid)"
    "     AND l.objid = CAST(hashtext(received_update.claimant) AS oid)"
    "     AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()))))"
)
_CLOSE_HANDLED = text(
    f"UPDATE received_update SET done_at = now() WHERE {_EXPIRED} AND EXISTS"
    " (SELECT 1 FROM processed_update p WHERE p.update_id = received_update.update_id)"
)
_TAKE = text(
    f"UPDATE received_update SET claimant = :me, claimed_at = now() WHERE {_EXPIRED}"
    " RETURNING update_id, payload"
)


class SqlUpdateClaims:
    """The claim columns of `received_update` on PostgreSQL; one statement per call."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        replica: str,
        engine: AsyncEngine,
        lease: float = LEASE_SECONDS,
    ) -> None:
        self._sessions = sessions
        self._engine = engine
        self._alive: AsyncConnection | None = None
        self._clock = clock
        self.replica = replica
        self.lease = lease

    async def open(self) -> None:
        """Take this replica's "alive" lock on a connection of its own (kept until `close`)."""
        if self._alive is not None:
            return
        connection = await self._engine.connect()
        try:
            await connection.execute(_ALIVE, {"alive": ALIVE_CLASS, "me": self.replica})
            await connection.commit()
        except Exception:
            await connection.close()
            raise
        self._alive = connection

    async def close(self) -> None:
        """Let the lock go (the connection is dropped, not pooled: the lock goes with it)."""
        connection, self._alive = self._alive, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.invalidate()
            with contextlib.suppress(Exception):
                await connection.close()

    async def keep(
        self, update_id: int, payload: str, person_key: int | None, chat_key: int | None
    ) -> tuple[bool, bool]:
        """Keep a pushed update, claimed by this replica.

        Returns whether it is new (not kept before) and whether it may start at once (no
        older update of its person or chat unfinished), which spares the first `turn`.
        """
        async with self._sessions() as session:
            row = (await session.execute(_KEEP, {
                "id": update_id, "payload": payload, "received_at": self._clock.now(),
                "person": person_key, "chat": chat_key, "me": self.replica,
            })).one()
            await session.commit()
        return bool(row.new), not row.blocked

    async def turn(self, update_id: int) -> Turn:
        """May this replica start handling the update now?"""
        async with self._sessions() as session:
            row = (await session.execute(_TURN, {"id": update_id, "me": self.replica})).first()
        if row is None or not row.mine:
            return Turn.GONE
        return Turn.WAIT if row.blocked else Turn.GO

    async def finish(self, update_id: int) -> None:
        """Record the update as finished: later ones of its person and chat may start."""
        async with self._sessions() as session:
            await session.execute(_FINISH, {"id": update_id})
            await session.commit()

    async def renew(self) -> None:
        """Tell the other replicas that this one still lives: its claims do not expire."""
        if self._alive is not None:
            try:
                await self._alive.execute(text("SELECT 1"))
                await self._alive.commit()
            except Exception:  # the lock went with its connection: take it again
                log.warning("lost the replica lock's connection; taking it again")
                await self.close()
        await self.open()
        async with self._sessions() as session:
            await session.execute(_RENEW, {"me": self.replica})
            await session.commit()

    async def take_over(self) -> list[str]:
        """Claim the updates of replicas that died or hang: their JSON, oldest first.

        Those already handled (a `processed_update` row) are only closed; the rest are
        claimed here, to be handled in order like any other.
        """
        async with self._sessions() as session:
            values = {"me": self.replica, "lease": self.lease, "alive": ALIVE_CLASS}
            await session.execute(_CLOSE_HANDLED, values)
            rows = (await session.execute(_TAKE, values)).all()
            await session.commit()
        return [str(row.payload) for row in sorted(rows, key=lambda row: int(row.update_id))]
