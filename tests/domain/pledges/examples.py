"""What the pledge tests read and pledge towards: today, the amount reader, an appeal."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from domain.appeals.models import Appeal, AppealStatus, Need, Recipient
from domain.pledges.reading import ParsingReader

COORD = 9_000_000_001
TODAY = date(2020, 2, 19)
READER = ParsingReader()


def appeal(status: AppealStatus = AppealStatus.OPEN, appeal_id: int = 3) -> Appeal:
    """An appeal of organisation 1 with a goods need in kg and one recipient."""
    return Appeal(
        id=appeal_id,
        title="抗疫倡议",
        body="",
        status=status,
        deadline=date(2020, 3, 1),
        currency="CNY",
        money_target_minor=None,
        organisation_id=1,
        created_by=COORD,
        created_at=datetime(2020, 2, 18, tzinfo=UTC),
        needs=[Need(7, appeal_id, "消毒液", "消毒液", "kg", Decimal(5000))],
        recipients=[Recipient(5, "黄山街道办事处")],
    )
