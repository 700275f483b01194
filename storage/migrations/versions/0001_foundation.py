"""Foundation: organisations, chats, people, roles, dialogs, processed updates, audit.

Revision ID: 0001_foundation
Revises:
Create Date: 2024-01-01 00:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_foundation"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the types the models use: a migration must not change when models do.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Moment = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the foundation tables."""
    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("name_key", sa.String(length=400), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["organisation.id"],
            name=op.f("fk_organisation_parent_id_organisation"), ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
        sa.UniqueConstraint("name_key", name=op.f("uq_organisation_name_key")),
    )
    op.create_index(op.f("ix_organisation_parent_id"), "organisation", ["parent_id"])

    op.create_table(
        "chat",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("migrated_to", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", Moment, nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"],
            name=op.f("fk_chat_organisation_id_organisation"), ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat")),
    )
    op.create_index(op.f("ix_chat_organisation_id"), "chat", ["organisation_id"])
    op.create_index(op.f("ix_chat_status"), "chat", ["status"])

    op.create_table(
        "person",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.Column("username_key", sa.String(length=64), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("language_chosen", sa.Boolean(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("reachable", sa.Boolean(), nullable=False),
        sa.Column("created_at", Moment, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
    )
    op.create_index(op.f("ix_person_username_key"), "person", ["username_key"])

    op.create_table(
        "role",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("scope", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "scope = COALESCE(organisation_id, 0)", name=op.f("ck_role_scope_matches")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"],
            name=op.f("fk_role_organisation_id_organisation"), ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role")),
        sa.UniqueConstraint(
            "person_id", "role", "scope", name=op.f("uq_role_person_id_role_scope")
        ),
    )
    op.create_index(op.f("ix_role_organisation_id"), "role", ["organisation_id"])
    op.create_index(op.f("ix_role_person_id"), "role", ["person_id"])

    op.create_table(
        "dialog",
        sa.Column("person_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", Moment, nullable=True),
        sa.Column("expires_at", Moment, nullable=True),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_dialog")),
    )
    op.create_index(op.f("ix_dialog_expires_at"), "dialog", ["expires_at"])

    op.create_table(
        "processed_update",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("at", Moment, nullable=False),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_processed_update")),
    )
    op.create_index(op.f("ix_processed_update_at"), "processed_update", ["at"])

    op.create_table(
        "audit_event",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("actor_id", sa.BigInteger(), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=128), nullable=False),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.Column("at", Moment, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    op.create_index(op.f("ix_audit_event_actor_id"), "audit_event", ["actor_id"])
    op.create_index(op.f("ix_audit_event_at"), "audit_event", ["at"])
    op.create_index(op.f("ix_audit_event_subject"), "audit_event", ["subject"])


def downgrade() -> None:
    """Drop the foundation tables."""
    for table, indexes in (
        ("audit_event", ("ix_audit_event_subject", "ix_audit_event_at", "ix_audit_event_actor_id")),
        ("processed_update", ("ix_processed_update_at",)),
        ("dialog", ("ix_dialog_expires_at",)),
        ("role", ("ix_role_person_id", "ix_role_organisation_id")),
        ("person", ("ix_person_username_key",)),
        ("chat", ("ix_chat_status", "ix_chat_organisation_id")),
        ("organisation", ("ix_organisation_parent_id",)),
    ):
        for index in indexes:
            op.drop_index(op.f(index), table_name=table)
        op.drop_table(table)
