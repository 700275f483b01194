"""What the pledge tests read and pledge towards: today, the amount parser, an appeal, notices."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from domain.appeals.models import Appeal, AppealStatus, Need, Recipient
from domain.network.models import Language
from domain.pledges.models import Fulfilment, Pledge
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


class Notices:
    """Plain notices for the tests."""

    def delivery_reported(
        self, language: Language, pledge: Pledge, fulfilment: Fulfilment, parties: Any
    ) -> str:
        """The notice text."""
        return f"{language}:{pledge.id}:{fulfilment.quantity}"

    def review_labels(self, language: Language) -> tuple[str, str]:
        return "ok", "?"

    def receipt_confirmed(self, language: Language, pledge: Pledge, fulfilment: Fulfilment) -> str:
        return f"confirmed:{pledge.id}"

    def delivery_questioned(
        self, language: Language, pledge: Pledge, fulfilment: Fulfilment, question: str
    ) -> str:
        return f"question:{pledge.id}:{question}"

    def answer_label(self, language: Language) -> str:
        return "answer"

    def question_answered(
        self, language: Language, pledge: Pledge, fulfilment: Fulfilment, who: str, answer: str
    ) -> str:
        return f"answer:{pledge.id}:{answer}"
