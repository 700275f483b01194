"""The notice queue and the audit log behave alike on the fakes and in SQL."""

from __future__ import annotations

from datetime import timedelta

from domain.kernel.audit import AuditEvent
from domain.notices.models import NoticeEvent
from tests.storage.contract.builders import ALICE, BOB, T0, Units, recorded_actions

HOUR = timedelta(hours=1)


async def test_a_coordinators_waiting_events_oldest_first_until_batched(units: Units) -> None:
    async with units() as uow:
        await uow.notices.add(ALICE, NoticeEvent.PLEDGED, 7, T0)
        await uow.notices.add(BOB, NoticeEvent.OFFER, 3, T0)
        await uow.notices.add(ALICE, NoticeEvent.CANCELLED, 7, T0 + HOUR)
        await uow.commit()
    async with units() as uow:
        waiting = await uow.notices.waiting(ALICE)
        assert [(n.event, n.subject_id, n.created_at) for n in waiting] == [
            (NoticeEvent.PLEDGED, 7, T0), (NoticeEvent.CANCELLED, 7, T0 + HOUR)
        ]
        assert all(n.coordinator_id == ALICE and n.batched_at is None for n in waiting)
        await uow.notices.mark_batched([waiting[0].id], T0 + 2 * HOUR)
        await uow.notices.mark_batched([], T0 + 2 * HOUR)
        await uow.commit()
    async with units() as uow:
        assert [n.id for n in await uow.notices.waiting(ALICE)] == [waiting[1].id]
        assert len(await uow.notices.waiting(BOB)) == 1


async def test_due_coordinators_waited_long_enough_and_had_no_batch_lately(units: Units) -> None:
    async with units() as uow:
        await uow.notices.add(ALICE, NoticeEvent.PLEDGED, 1, T0)
        await uow.notices.add(BOB, NoticeEvent.PLEDGED, 2, T0 + 2 * HOUR)
        await uow.notices.add(3, NoticeEvent.PLEDGED, 3, T0)
        await uow.commit()
    async with units() as uow:
        assert await uow.notices.due(T0 - HOUR, T0 + 3 * HOUR, 10) == [3, ALICE, BOB]
        assert await uow.notices.due(T0 - HOUR, T0 + HOUR, 10) == [3, ALICE]
        assert await uow.notices.due(T0 - HOUR, T0 + HOUR, 1) == [3]
        [old] = await uow.notices.waiting(3)
        await uow.notices.mark_batched([old.id], T0)
        await uow.notices.add(3, NoticeEvent.CHANGED, 3, T0)
        await uow.commit()
    async with units() as uow:
        assert await uow.notices.due(T0 - HOUR, T0 + HOUR, 10) == [ALICE]  # 3 had a batch
        assert await uow.notices.due(T0, T0 + HOUR, 10) == [3, ALICE]  # not after T0


async def test_prune_forgets_old_batched_events_and_ids_stay_unique(units: Units) -> None:
    async with units() as uow:
        for subject in (1, 2, 3):
            await uow.notices.add(ALICE, NoticeEvent.PLEDGED, subject, T0)
        first, second, _third = await uow.notices.waiting(ALICE)
        await uow.notices.mark_batched([first.id], T0)
        await uow.notices.mark_batched([second.id], T0 + 2 * HOUR)
        await uow.commit()
    async with units() as uow:
        assert await uow.notices.prune(T0 + HOUR) == 1
        assert await uow.notices.prune(T0 + HOUR) == 0
        await uow.notices.add(ALICE, NoticeEvent.CHANGED, 4, T0)
        await uow.commit()
    async with units() as uow:
        waiting = await uow.notices.waiting(ALICE)
        assert [n.subject_id for n in waiting] == [3, 4]
        assert len({n.id for n in waiting} | {second.id}) == 3


async def test_audit_events_are_appended_and_kept_only_when_committed(units: Units) -> None:
    async with units() as uow:
        await uow.audit.record(AuditEvent(ALICE, "organisation.add", "organisation:1", None,
                                          "Red Cross", T0))
        await uow.audit.record(AuditEvent(None, "chat.approve", "chat:-5", "pending",
                                          "approved", T0))
        await uow.commit()
    async with units() as uow:
        await uow.audit.record(AuditEvent(BOB, "role.grant", f"person:{BOB}", None, "admin",
                                          T0))
    assert await recorded_actions(units) == ["organisation.add", "chat.approve"]
