"""The appeal and outbox repositories on the fakes, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from domain.appeals.models import AppealStatus
from domain.outbox.models import DeliveryStatus, FailureReason, Purpose
from domain.outbox.ports import NewDelivery
from tests.storage.contract.builders import GROUP, T0, Units, appeal


async def test_appeal_round_trip(units: Units) -> None:
    async with units() as uow:
        stored = await uow.appeals.add(appeal("draft-1"))
        await uow.commit()
    async with units() as uow:
        found = await uow.appeals.get(stored.id)
        assert found is not None
        assert [n.item for n in found.needs] == ["口罩", "消毒液"]
        assert found.needs[1].target == Decimal("3000.5")
        assert found.recipients[0].name == "黄山街道办事处"
        assert (await uow.appeals.by_draft_key("draft-1")) is not None
        found.status = AppealStatus.CLOSED
        found.revision = 2
        await uow.appeals.save(found)
        await uow.commit()
    async with units() as uow:
        assert await uow.appeals.open() == []
        again = await uow.appeals.get(stored.id)
        assert again is not None and again.revision == 2


async def test_enqueue_is_unique_per_purpose_subject_chat(
    units: Units,
) -> None:
    async with units() as uow:
        assert await uow.outbox.enqueue(NewDelivery(Purpose.APPEAL, "appeal:1", GROUP, "hi"), T0)
        assert not await uow.outbox.enqueue(
            NewDelivery(Purpose.APPEAL, "appeal:1", GROUP, "again"), T0
        )
        assert await uow.outbox.enqueue(
            NewDelivery(Purpose.APPEAL_EDIT, "appeal:1:r1", GROUP, "edit"), T0
        )
        await uow.commit()
    async with units() as uow:
        assert await uow.outbox.pending_count() == 2


async def test_a_notice_queued_behind_a_broadcast_is_claimed_first(
    units: Units,
) -> None:
    async with units() as uow:
        for chat in (-1, -2, -3, -4):
            await uow.outbox.enqueue(NewDelivery(Purpose.APPEAL, "appeal:7", chat, "x"), T0)
        await uow.outbox.enqueue(NewDelivery(Purpose.NOTICE, "notice:1", 501, "n"), T0)
        await uow.outbox.enqueue(NewDelivery(Purpose.APPEAL_EDIT, "appeal:7", -1, "y"), T0)
        await uow.outbox.enqueue(NewDelivery(Purpose.REMINDER, "reminder:1", 502, "r"), T0)
        await uow.commit()
    lease = T0 + timedelta(seconds=60)
    async with units() as uow:
        first = await uow.outbox.claim_due(T0, lease, 3)
        rest = await uow.outbox.claim_due(T0, lease, 10)
        await uow.commit()
    # The two non-bulk messages, then the oldest broadcast row; the rest in outbox order.
    assert sorted(d.chat_id for d in first) == [-1, 501, 502]
    assert [d.purpose for d in rest] == [Purpose.APPEAL] * 3 + [Purpose.APPEAL_EDIT]
    # Each batch comes back in id order (the fake gave notices first).
    assert [d.chat_id for d in first] == [-1, 501, 502]
    assert [d.chat_id for d in rest] == [-2, -3, -4, -1]


async def test_claim_lease_and_outcomes(units: Units) -> None:
    async with units() as uow:
        for chat in (-1, -2, -3, -4):
            await uow.outbox.enqueue(NewDelivery(Purpose.APPEAL, "appeal:7", chat, "x"), T0)
        await uow.outbox.enqueue(
            NewDelivery(
                Purpose.APPEAL, "appeal:7", -5, "later", not_before=T0 + timedelta(hours=1)
            ),
            T0,
        )
        await uow.commit()
    lease = T0 + timedelta(seconds=60)
    async with units() as uow:
        claimed = await uow.outbox.claim_due(T0, lease, 10)
        await uow.commit()
    assert [d.chat_id for d in claimed] == [-1, -2, -3, -4]
    assert all(d.status is DeliveryStatus.SENDING for d in claimed)
    async with units() as uow:
        # Leased rows are not claimed again before the lease ends.
        assert await uow.outbox.claim_due(T0 + timedelta(seconds=1), lease, 10) == []
        await uow.outbox.mark_sent(claimed[0].id, 42, T0)
        await uow.outbox.mark_failed(claimed[1].id, FailureReason.BLOCKED, "kicked", T0)
        await uow.outbox.retry_later(claimed[2].id, T0 + timedelta(seconds=5), "timed out")
        await uow.outbox.move_chat(-4, -1004)
        await uow.commit()
    async with units() as uow:
        # After the lease ran out (a sender died) the unrecorded row is claimed again.
        again = await uow.outbox.claim_due(T0 + timedelta(seconds=61), lease, 10)
        await uow.commit()
    assert sorted(d.chat_id for d in again) == [-1004, -3]
    async with units() as uow:
        rows = {d.chat_id: d for d in await uow.outbox.for_subject(Purpose.APPEAL, "appeal:7")}
    assert rows[-1].status is DeliveryStatus.SENT and rows[-1].message_id == 42
    assert rows[-2].failure is FailureReason.BLOCKED
    assert rows[-3].attempts == 1
