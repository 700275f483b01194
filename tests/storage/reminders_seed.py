"""What the reminders' storage tests share: the people, a pledge of goods, a small network."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from domain.appeals.models import Appeal, AppealStatus
from domain.kernel.standing import Role, RoleName
from domain.network.models import Language, Person
from domain.pledges.models import Pledge, PledgeKind, Visibility
from domain.reminders.models import SlotKind
from domain.reminders.scheduled import ReminderSettings
from storage.uow import SqlUnitOfWorkFactory

MEMBER = 9_000_000_002
DUE = date(2026, 2, 20)
MADE = datetime(2026, 2, 10, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
SETTINGS = ReminderSettings()


def at(day: int, hour: int, month: int = 2) -> datetime:
    """A Shanghai wall-clock hour in February 2026, in UTC."""
    return datetime(2026, month, day, hour, tzinfo=UTC) - timedelta(hours=8)


class Texts:
    """Plain reminder texts that show what the job passed."""

    def reminder(
        self, language: Language, pledge: Pledge, appeal: Appeal | None, due: date,
        overdue: bool, slot: SlotKind,
    ) -> str:
        """pledge, language, open measure, due date, overdue."""
        return f"#{pledge.id} {language.value} {pledge.open_measure.normalize():f} {due} {overdue}"

    def buttons(self, language: Language, pledge: Pledge, slot: SlotKind) -> str:
        """One button."""
        return f'[[{{"text": "ok", "callback_data": "pm:all:{pledge.id}"}}]]'


def goods(token: str, due: date | None = DUE) -> Pledge:
    """3000 kg disinfectant due on `due`."""
    return Pledge(
        0, token, MEMBER, PledgeKind.GOODS, None, None, "消毒液", None, "CNY", Decimal(3000),
        "kg", None, False, "", None, None, due, Visibility.NAMED, False, None, None, None, MADE,
    )


PLEDGER_COORDINATOR = 9_000_000_010
APPEAL_COORDINATOR = 9_000_000_011


async def network(uow_factory: SqlUnitOfWorkFactory, *, member_of_an_organisation: bool,
                  reachable: bool) -> int:
    """Two organisations, a coordinator of each, the pledger (of the first, or of none) and
    a pledge to an appeal of the second; returns the pledge's id."""
    async with uow_factory() as uow:
        own = await uow.organisations.add("红十字会", None)
        other = await uow.organisations.add("工商联", None)
        for person_id, name in ((MEMBER, "Li"), (PLEDGER_COORDINATOR, "Co"),
                                (APPEAL_COORDINATOR, "Ap")):
            await uow.people.save(Person(person_id, name, None, Language.ZH_HANS, True,
                                         "Asia/Shanghai", person_id != MEMBER or reachable,
                                         MADE))
        await uow.roles.add(Role(PLEDGER_COORDINATOR, RoleName.COORDINATOR, own.id))
        await uow.roles.add(Role(APPEAL_COORDINATOR, RoleName.COORDINATOR, other.id))
        if member_of_an_organisation:
            await uow.roles.add(Role(MEMBER, RoleName.MEMBER, own.id))
        appeal = await uow.appeals.add(Appeal(
            0, "抗疫倡议", "请支援", AppealStatus.OPEN, date(2026, 2, 20), "CNY", None,
            other.id, APPEAL_COORDINATOR, MADE,
        ))
        pledge = await uow.pledges.add(replace(goods("e"), appeal_id=appeal.id))
        await uow.commit()
    return pledge.id


