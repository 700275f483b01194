"""Lapsed is a pledge's own status (migration 0016): stored, counted like a cancelled
pledge, not chased, re-opened by a coordinator's new date; old lapsed cancellations move."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.clock import FakeClock
from domain.kernel.origin import Origin
from domain.network.models import Language
from domain.pledges.models import PledgeKind, PledgeStatus
from domain.reminders.escalation import EscalationService, Stalled
from domain.reminders.scheduled import ReminderJob, ReminderSettings
from storage.database import alembic_config, session_factory, upgrade
from storage.uow import SqlUnitOfWorkFactory
from tests.storage.reminders_seed import MADE, PLEDGER_COORDINATOR, Texts, at, goods, network

LAPSED_REVISION = "0016_lapsed"


class Listing:
    """Escalation texts that say nothing (this module asks nothing of them)."""

    def escalation(self, language: Language, stalled: list[Stalled]) -> str:
        """The pledges' numbers."""
        return " ".join(f"#{s.pledge.id}" for s in stalled)

    def buttons(self, language: Language, stalled: list[Stalled]) -> str:
        """No buttons."""
        return "[]"


async def test_a_lapsed_pledge_is_its_own_status_counted_like_a_cancelled_one_and_reopens(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    goods_id = await network(uow_factory, member_of_an_organisation=True, reachable=True)
    async with uow_factory() as uow:
        appeal_id = (await uow.pledges.get(goods_id)).appeal_id  # type: ignore[union-attr]
        money = await uow.pledges.add(replace(
            goods("m"), kind=PledgeKind.MONEY, amount_minor=500_000, quantity=None, unit="",
            appeal_id=appeal_id,
        ))
        await uow.commit()
    assert appeal_id is not None
    clock = FakeClock(MADE)
    settings = ReminderSettings()
    await ReminderJob(uow_factory, clock, Texts(), settings).tick()
    escalations = EscalationService(uow_factory, clock, Listing(), settings)
    clock.set(at(12, 9))
    lapsed = await escalations.lapse(Origin(PLEDGER_COORDINATOR, 41), money.id)
    assert lapsed.status is PledgeStatus.LAPSED
    async with uow_factory() as uow:
        stored = await uow.pledges.get(money.id)
        assert stored is not None and stored.status is PledgeStatus.LAPSED
        assert stored.lapsed_at == at(12, 9) and stored.cancel_reason is None
        assert (await uow.reminders.get(money.id)).due_at is None  # type: ignore[union-attr]
        assert (await uow.appeal_totals.closing(appeal_id)).money == []  # not pledged any more
        figures = (await uow.totals.by_appeal([appeal_id], None))[appeal_id]
        assert figures.pledges == 1 and figures.money_in("CNY").pledged_minor == 0
        statuses = {line.pledge_id: line.status
                    async for line in uow.report_rows.pledges(appeal_id, None)}
    assert statuses == {goods_id: PledgeStatus.PLEDGED, money.id: PledgeStatus.LAPSED}
    # a coordinator's new date re-opens it: counted again, reminded from the new date
    async with uow_factory() as uow:
        answered = await escalations.new_date(
            uow, Origin(PLEDGER_COORDINATOR), money.id, date(2026, 2, 25)
        )
        await uow.commit()
    assert answered.reopened and answered.pledge.status is PledgeStatus.PLEDGED
    async with uow_factory() as uow:
        again = await uow.pledges.get(money.id)
        assert again is not None and again.lapsed_at is None and not again.cancelled
        [total] = (await uow.appeal_totals.closing(appeal_id)).money
        assert total.pledged_minor == 500_000
        figures = (await uow.totals.by_appeal([appeal_id], None))[appeal_id]
        assert figures.pledges == 2 and figures.money_in("CNY").pledged_minor == 500_000
        track = await uow.reminders.get(money.id)
        assert track is not None and track.due_at == at(23, 10)  # two days before, 10:00


async def test_migration_moves_old_lapsed_cancellations_to_the_status(
    database_url: str, engine: AsyncEngine
) -> None:
    before = ScriptDirectory.from_config(alembic_config()).get_revision(LAPSED_REVISION)
    assert before is not None and isinstance(before.down_revision, str)
    await upgrade(database_url, before.down_revision)
    made = datetime(2026, 2, 10, 4, 0, tzinfo=UTC)
    lapsed_at = made + timedelta(days=9)
    async with engine.begin() as connection:
        for number, reason in ((1, "lapsed"), (2, "lapsed"), (3, "moved away"), (4, None)):
            await connection.execute(
                text(
                    "INSERT INTO pledge (id, token, person_id, kind, item, currency, quantity,"
                    " unit, approximate, estimated_approximate, description, visibility,"
                    " cancelled, cancel_reason, created_at) VALUES (:id, :token, 7, 'goods',"
                    " '口罩', 'CNY', 10, 'piece', false, false, '', 'named', :cancelled,"
                    " :reason, :made)"
                ),
                {"id": number, "token": f"t{number}", "cancelled": reason is not None,
                 "reason": reason, "made": _stored(database_url, made)},
            )
        await connection.execute(
            text("INSERT INTO audit_event (actor_id, action, subject, before, after, at)"
                 " VALUES (8, 'pledge.lapse', 'pledge:1', NULL, 'lapsed', :at)"),
            {"at": _stored(database_url, lapsed_at)},
        )
    await upgrade(database_url)
    async with engine.connect() as connection:
        rows = (await connection.execute(text(
            "SELECT id, cancelled, cancel_reason, lapsed_at IS NOT NULL FROM pledge ORDER BY id"
        ))).all()
    assert [tuple(r) for r in rows] == [
        (1, True, None, True), (2, True, None, True), (3, True, "moved away", False),
        (4, False, None, False),
    ]
    async with SqlUnitOfWorkFactory(session_factory(engine))() as uow:
        first, second, third = [await uow.pledges.get(n) for n in (1, 2, 3)]
    assert first is not None and first.lapsed_at == lapsed_at  # its audit event's time
    assert second is not None and second.lapsed_at == made  # no event: its making
    assert first.status is second.status is PledgeStatus.LAPSED
    assert third is not None and third.status is PledgeStatus.CANCELLED


def _stored(url: str, moment: datetime) -> object:
    """A moment as the column holds it: aware on PostgreSQL, naive UTC text on SQLite."""
    return moment.replace(tzinfo=None).isoformat(" ") if url.startswith("sqlite") else moment
