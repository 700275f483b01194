"""Tables of the totals' counters, kept in the transaction of every change they count.

A pledge counts for its appeal, its organisation (on behalf of, else its pledger's only one;
0: none), its need (0: none), its earmarked recipient (0: none) and its currency. Amounts
and quantities that may have decimals are kept in millionths (`*_micro`), so adding and
taking away is exact integer arithmetic on both databases.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class TotalsCellRow(Base):
    """The sums of one group of an appeal's counted (not cancelled) pledges."""

    __tablename__ = "totals_cell"

    appeal_id: Mapped[int] = mapped_column(
        ForeignKey("appeal.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    need_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    recipient_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    pledges: Mapped[int] = mapped_column(BigInteger)
    money_pledges: Mapped[int] = mapped_column(BigInteger)
    money_pledged_minor: Mapped[int] = mapped_column(BigInteger)
    money_delivered_micro: Mapped[int] = mapped_column(BigInteger)
    money_received_micro: Mapped[int] = mapped_column(BigInteger)
    money_approximate: Mapped[int] = mapped_column(BigInteger)  # how many pledges are ≈
    value_minor: Mapped[int] = mapped_column(BigInteger)
    value_approximate: Mapped[int] = mapped_column(BigInteger)
    quantity_micro: Mapped[int] = mapped_column(BigInteger)
    quantity_delivered_micro: Mapped[int] = mapped_column(BigInteger)
    quantity_received_micro: Mapped[int] = mapped_column(BigInteger)
    quantity_approximate: Mapped[int] = mapped_column(BigInteger)
    worth_minor: Mapped[int] = mapped_column(BigInteger)  # goods known by their value alone
    hours_micro: Mapped[int] = mapped_column(BigInteger)


class TotalsDueRow(Base):
    """How many counted pledges of an appeal's organisation, due on one day, are still open
    (less delivered than promised): past today, they are the overdue ones."""

    __tablename__ = "totals_due"

    appeal_id: Mapped[int] = mapped_column(
        ForeignKey("appeal.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    due_date: Mapped[date] = mapped_column(Date, primary_key=True)
    open: Mapped[int] = mapped_column(BigInteger)


class TotalsReachRow(Base):
    """How many different people pledged to an appeal for one organisation and recipient
    (`recipient_id` −1: whichever recipient)."""

    __tablename__ = "totals_reach"

    appeal_id: Mapped[int] = mapped_column(
        ForeignKey("appeal.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    recipient_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    people: Mapped[int] = mapped_column(Integer)


class TotalsSpreadRow(Base):
    """A person whose pledges to an appeal count for two or more organisations: the only
    people a sum of `totals_reach` counts twice, so the only ones read to count exactly."""

    __tablename__ = "totals_spread"

    appeal_id: Mapped[int] = mapped_column(
        ForeignKey("appeal.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
