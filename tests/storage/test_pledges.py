"""The pledge repository on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from domain.clock import FakeClock
from domain.kernel.origin import Origin
from domain.network.models import Language
from domain.pledges.draft import PledgeDraft
from domain.pledges.models import Fulfilment, Pledge, PledgeKind, PledgeStatus, Visibility
from domain.pledges.reading import ParsingReader
from domain.pledges.service import PledgeService
from storage.uow import SqlUnitOfWorkFactory

MEMBER = 9_000_000_002
AT = datetime(2020, 2, 19, 9, 0, tzinfo=UTC)


class Notices:
    """Plain notices."""

    def delivery_reported(self, language: Language, pledge: Pledge, fulfilment: Fulfilment) -> str:
        """The notice text."""
        return f"{pledge.id}"

    def review_labels(self, language: Language) -> tuple[str, str]:
        return "ok", "?"


def goods(token: str) -> Pledge:
    return Pledge(
        0, token, MEMBER, PledgeKind.GOODS, None, None, "消毒液", None, "CNY", Decimal("3000.5"),
        "kg", 5_000_000, True, "", None, None, date(2020, 3, 1), Visibility.NAMED, False, None,
        -1001234567890123, 77, AT,
    )


async def test_a_token_stores_one_pledge_and_round_trips(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        first = await uow.pledges.add(goods("tok"))
        second = await uow.pledges.add(goods("tok"))
        await uow.commit()
    assert first.id == second.id
    async with uow_factory() as uow:
        stored = await uow.pledges.get(first.id)
        mine = await uow.pledges.of_person(MEMBER)
    assert stored is not None and [p.id for p in mine] == [first.id]
    assert stored.quantity == Decimal("3000.5") and stored.unit == "kg"
    assert stored.source_chat_id == -1001234567890123 and stored.created_at == AT
    assert stored.approximate and stored.due_date == date(2020, 3, 1)


async def test_deliveries_through_the_service(uow_factory: SqlUnitOfWorkFactory) -> None:
    service = PledgeService(uow_factory, FakeClock(AT), Notices(), ParsingReader(), currency="CNY")
    draft = PledgeDraft(
        token="abc", currency="CNY", appeal_chosen=True, kind="money", amount_minor=5_000_000,
        earmark_chosen=True, due_chosen=True, visibility="anonymous",
    )
    pledge = await service.create(Origin(MEMBER, 1), draft)
    again = await service.create(Origin(MEMBER, 2), draft)
    assert again.id == pledge.id
    report = await service.report_delivery(Origin(MEMBER, 3), pledge.id, Decimal(1_000_000))
    assert report.pledge.status is PledgeStatus.PARTIAL
    over = await service.report_delivery(Origin(MEMBER, 4), pledge.id, Decimal(9_000_000))
    assert over.over and over.pledge.over_delivered
    async with uow_factory() as uow:
        waiting = await uow.pledges.awaiting_confirmation(10)
    assert [p.id for p in waiting] == [pledge.id]
    assert len(waiting[0].fulfilments) == 2
