"""Tables of the network: organisations, chats, people, roles, dialogs, updates, audit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime

#: An auto-incrementing 64-bit id (SQLite only auto-increments an INTEGER primary key).
BigId = BigInteger().with_variant(Integer(), "sqlite")

#: `role.scope` for a role that covers the whole network (organisation ids start at 1).
NETWORK_SCOPE = 0


class OrganisationRow(Base):
    """A member organisation; `name_key` (casefolded name) keeps names unique in any case."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100))
    name_key: Mapped[str] = mapped_column(String(400), unique=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )


class ChatRow(Base):
    """A Telegram group chat, keyed by its (64-bit) Telegram chat id."""

    __tablename__ = "chat"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    title: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), index=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    migrated_to: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PersonRow(Base):
    """Someone who wrote to the bot, keyed by their (64-bit) Telegram user id."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(128))
    username: Mapped[str | None] = mapped_column(String(64))
    username_key: Mapped[str | None] = mapped_column(String(64), index=True)
    language: Mapped[str] = mapped_column(String(16))
    language_chosen: Mapped[bool] = mapped_column(default=False)
    timezone: Mapped[str] = mapped_column(String(64))
    reachable: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: The id the audit trail names this person by; it survives forgetting (see
    #: `storage/repositories/audit.py`). Random in [2**62, 2**63), above any Telegram id.
    internal_id: Mapped[int] = mapped_column(BigInteger, unique=True)


class RoleRow(Base):
    """A granted role; `scope` is the organisation id, or 0 for the whole network.

    `scope` exists because NULLs are distinct in unique constraints: uniqueness is on
    (person_id, role, scope), and a check keeps `scope` equal to `organisation_id` or 0.
    `person_id` has no foreign key: configured admins may hold roles before writing to the bot.
    """

    __tablename__ = "role"
    __table_args__ = (
        UniqueConstraint("person_id", "role", "scope"),
        CheckConstraint(
            f"scope = COALESCE(organisation_id, {NETWORK_SCOPE})", name="scope_matches"
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(BigInteger, index=True)
    role: Mapped[str] = mapped_column(String(16))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    scope: Mapped[int] = mapped_column(Integer)


class DialogRow(Base):
    """A person's open dialog; `version` makes concurrent saves detectable."""

    __tablename__ = "dialog"

    person_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)


class ProcessedUpdateRow(Base):
    """A Telegram update already handled."""

    __tablename__ = "processed_update"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class ReceivedUpdateRow(Base):
    """A fetched update, kept before Telegram is told it arrived (see `storage/inbox.py`)."""

    __tablename__ = "received_update"
    __table_args__ = tuple(
        Index(f"ix_received_update_open_{name}", *columns,
              postgresql_where=text("done_at IS NULL"), sqlite_where=text("done_at IS NULL"))
        for name, columns in (("person", ("person_key", "update_id")),
                              ("chat", ("chat_key", "update_id")), ("claim", ("claimed_at",)))
    )

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    payload: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    # Webhook replicas on PostgreSQL (`storage/claims.py`): which replica holds it (its
    # name, not a person), which person and chat it must wait for, and when it was finished.
    # Forgetting a person deletes their kept updates whole (`_purge_received`), keys included.
    person_key: Mapped[int | None] = mapped_column(BigInteger)
    chat_key: Mapped[int | None] = mapped_column(BigInteger)
    claimant: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AuditEventRow(Base):
    """Who changed what, when; append-only (database triggers refuse UPDATE and DELETE).

    `actor_id` is the actor's `person.internal_id` (a raw Telegram id only for someone the
    bot never saw), so forgetting a person leaves every row as it was.
    """

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    actor_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(128), index=True)
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
