"""People get an internal id the audit trail names them by; the audit trail is append-only.

Revision ID: 0006_privacy
Revises: 0007_coordination
Create Date: 2024-01-06 00:00:00+00:00
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_privacy"
down_revision: str | None = "0007_coordination"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Internal ids live in [2**62, 2**63): far above any Telegram user id (at most 52 bits).
_INTERNAL_BASE = 1 << 62

_REFUSAL = "audit_event is append-only"

_SQLITE_TRIGGERS = (
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
    f"BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END",
    "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
    f"BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END",
)

_POSTGRES_TRIGGERS = (
    "CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    f"$$ BEGIN RAISE EXCEPTION '{_REFUSAL}'; END $$",
    "CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
    "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()",
)


def _dialect() -> str:
    return str(op.get_bind().dialect.name)


def upgrade() -> None:
    """Give every person an internal id, rename audit actors to it, then lock the audit."""
    op.add_column("person", sa.Column("internal_id", sa.BigInteger(), nullable=True))
    bind = op.get_bind()
    people = bind.execute(sa.text("SELECT id FROM person")).scalars().all()
    for person_id in people:
        internal = _INTERNAL_BASE + secrets.randbits(62)
        bind.execute(
            sa.text("UPDATE person SET internal_id = :internal WHERE id = :id"),
            {"internal": internal, "id": person_id},
        )
        bind.execute(
            sa.text("UPDATE audit_event SET actor_id = :internal WHERE actor_id = :id"),
            {"internal": internal, "id": person_id},
        )
        bind.execute(
            sa.text("UPDATE audit_event SET subject = :new WHERE subject = :old"),
            {"new": f"person:{internal}", "old": f"person:{person_id}"},
        )
    with op.batch_alter_table("person") as batch:
        batch.alter_column("internal_id", existing_type=sa.BigInteger(), nullable=False)
        batch.create_unique_constraint(op.f("uq_person_internal_id"), ["internal_id"])
    for statement in _SQLITE_TRIGGERS if _dialect() == "sqlite" else _POSTGRES_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    """Unlock the audit, name its actors by Telegram id again and drop the internal ids."""
    if _dialect() == "sqlite":
        op.execute("DROP TRIGGER audit_event_no_update")
        op.execute("DROP TRIGGER audit_event_no_delete")
    else:
        op.execute("DROP TRIGGER audit_event_no_truncate ON audit_event")
        op.execute("DROP TRIGGER audit_event_no_change ON audit_event")
        op.execute("DROP FUNCTION audit_event_append_only()")
    bind = op.get_bind()
    for person_id, internal in bind.execute(sa.text("SELECT id, internal_id FROM person")):
        bind.execute(
            sa.text("UPDATE audit_event SET actor_id = :id WHERE actor_id = :internal"),
            {"internal": internal, "id": person_id},
        )
        bind.execute(
            sa.text("UPDATE audit_event SET subject = :old WHERE subject = :new"),
            {"new": f"person:{internal}", "old": f"person:{person_id}"},
        )
    with op.batch_alter_table("person") as batch:
        batch.drop_constraint(op.f("uq_person_internal_id"), type_="unique")
        batch.drop_column("internal_id")
