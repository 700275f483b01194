"""The totals' counters (`totals_cell`, `totals_due`, `totals_reach`, `totals_spread`),
filled from the pledges already stored.

Revision ID: 0015_totals_counters
Revises: 0016_lapsed (landed first, so 0015 follows it)
Create Date: 2026-12-01 00:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.repositories.totals_counters import backfill

revision: str = "0015_totals_counters"
down_revision: str | None = "0016_lapsed"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

CELL_SUMS = (
    "pledges", "money_pledges", "money_pledged_minor", "money_delivered_micro",
    "money_received_micro", "money_approximate", "value_minor", "value_approximate",
    "quantity_micro", "quantity_delivered_micro", "quantity_received_micro",
    "quantity_approximate", "worth_minor", "hours_micro",
)


def _appeal(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["appeal_id"], ["appeal.id"], name=op.f(f"fk_{table}_appeal_id_appeal"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    """Create the counters and backfill them from every pledge and delivery report."""
    op.create_table(
        "totals_cell",
        sa.Column("appeal_id", BigId, nullable=False),
        sa.Column("organisation_id", sa.BigInteger(), nullable=False),
        sa.Column("need_id", sa.BigInteger(), nullable=False),
        sa.Column("recipient_id", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        *(sa.Column(name, sa.BigInteger(), nullable=False) for name in CELL_SUMS),
        _appeal("totals_cell"),
        sa.PrimaryKeyConstraint(
            "appeal_id", "organisation_id", "need_id", "recipient_id", "currency",
            name=op.f("pk_totals_cell"),
        ),
    )
    op.create_table(
        "totals_due",
        sa.Column("appeal_id", BigId, nullable=False),
        sa.Column("organisation_id", sa.BigInteger(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("open", sa.BigInteger(), nullable=False),
        _appeal("totals_due"),
        sa.PrimaryKeyConstraint(
            "appeal_id", "organisation_id", "due_date", name=op.f("pk_totals_due")
        ),
    )
    op.create_table(
        "totals_reach",
        sa.Column("appeal_id", BigId, nullable=False),
        sa.Column("organisation_id", sa.BigInteger(), nullable=False),
        sa.Column("recipient_id", sa.BigInteger(), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        _appeal("totals_reach"),
        sa.PrimaryKeyConstraint(
            "appeal_id", "organisation_id", "recipient_id", name=op.f("pk_totals_reach")
        ),
    )
    op.create_table(
        "totals_spread",
        sa.Column("appeal_id", BigId, nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        _appeal("totals_spread"),
        sa.PrimaryKeyConstraint("appeal_id", "person_id", name=op.f("pk_totals_spread")),
    )
    backfill(op.get_bind())


def downgrade() -> None:
    """Drop the counters (the totals are the rows' sums again only with the old code)."""
    for table in ("totals_spread", "totals_reach", "totals_due", "totals_cell"):
        op.drop_table(table)
