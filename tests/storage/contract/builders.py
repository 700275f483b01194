"""What the contract cases store: one builder per entity, and the `Units` they run on."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select

from domain.appeals.models import Appeal, AppealStatus, Need, Recipient
from domain.network.models import Chat, ChatStatus, Language, Person
from domain.offers.models import Offer, OfferStatus, OfferTerms
from domain.pledges.models import Pledge, PledgeKind, Visibility
from storage.models.network import AuditEventRow
from storage.uow import SqlUnitOfWorkFactory
from tests.fakes import FakeUnitOfWorkFactory

#: A unit-of-work factory of either kind; a contract case must not know which.
Units = FakeUnitOfWorkFactory | SqlUnitOfWorkFactory

T0 = datetime(2020, 2, 19, 9, 0, tzinfo=UTC)
GROUP = BIG_CHAT = -1001234567890123
BIG_USER = 9_000_000_000
ALICE = 9_000_000_001
BOB = 9_000_000_002


def person(person_id: int = BIG_USER, username: str | None = "Alice_W") -> Person:
    """A person writing in simplified Chinese."""
    return Person(
        id=person_id,
        name="Alice 王",
        username=username,
        language=Language.ZH_HANS,
        language_chosen=False,
        timezone="Asia/Shanghai",
        reachable=True,
        created_at=T0,
    )


def chat(
    chat_id: int = BIG_CHAT,
    organisation_id: int | None = None,
    status: ChatStatus = ChatStatus.PENDING,
) -> Chat:
    """A group chat."""
    return Chat(chat_id, "武汉志愿者群", "supergroup", status, organisation_id, None, T0)


def appeal(
    draft_key: str | None = None,
    status: AppealStatus = AppealStatus.OPEN,
    organisation_id: int | None = None,
    recipients: tuple[str, ...] = ("黄山街道办事处",),
) -> Appeal:
    """An appeal for masks and disinfectant (ids are filled in by `add`)."""
    return Appeal(
        0, "武汉口罩", "请支援", status, date(2020, 2, 20), "CNY", 50_000_000, organisation_id,
        ALICE, T0,
        needs=[
            Need(0, 0, "口罩", "口罩", "piece", Decimal("10000"), False, 0),
            Need(0, 0, "消毒液", "消毒液", "kg", Decimal("3000.5"), True, 1),
        ],
        recipients=[Recipient(0, name) for name in recipients],
        draft_key=draft_key,
    )


def pledge(
    token: str,
    person_id: int = ALICE,
    stored_appeal: Appeal | None = None,
    quantity: str | None = "3000.50",
    cancelled: bool = False,
) -> Pledge:
    """A goods pledge of disinfectant, towards the appeal's second need when one is given."""
    return Pledge(
        0, token, person_id, PledgeKind.GOODS,
        None if stored_appeal is None else stored_appeal.id,
        None if stored_appeal is None else stored_appeal.needs[1].id,
        "消毒液", None, "CNY", None if quantity is None else Decimal(quantity), "kg", 5_000_000,
        True, "", None, None, date(2020, 3, 1), Visibility.NAMED, cancelled, None, GROUP, 77, T0,
    )


def offer(token: str, quantity: str = "2.50", person_id: int = BOB) -> Offer:
    """An open offer of disinfectant at a price."""
    return Offer(
        0, token, person_id, "消毒液", "disinfectant", Decimal(quantity), Decimal(quantity), "t",
        True, OfferTerms.PRICE, 1_200_000, "CNY", "武汉市江汉区", date(2020, 3, 15),
        OfferStatus.OPEN, T0,
    )


async def recorded_actions(units: Units) -> list[str]:
    """The actions in the audit trail, oldest first (the port itself only appends)."""
    if isinstance(units, FakeUnitOfWorkFactory):
        return [event.action for event in units.store.audit]
    async with units() as uow:
        rows = await uow.session.scalars(select(AuditEventRow.action).order_by(AuditEventRow.id))
        return list(rows)
