"""The outbox repository (`domain/outbox/ports.py`) behaves alike on the fakes and in SQL."""

from __future__ import annotations

from datetime import timedelta

from domain.outbox.models import DeliveryStatus, FailureReason, MediaKind, Purpose
from domain.outbox.ports import NewDelivery
from tests.storage.contract.builders import GROUP, T0, Units

LEASE = T0 + timedelta(seconds=60)


async def test_a_message_is_queued_once_per_purpose_subject_and_chat(units: Units) -> None:
    photo = NewDelivery(Purpose.APPEAL, "appeal:7", GROUP, "说明", buttons='[["x"]]',
                        media_kind=MediaKind.PHOTO, media_file_id="file-1")
    async with units() as uow:
        assert await uow.outbox.enqueue(photo, T0) is True
        assert await uow.outbox.enqueue(photo, T0) is False
        assert await uow.outbox.enqueue(NewDelivery(Purpose.APPEAL, "appeal:7", -2, "x"), T0)
        assert await uow.outbox.enqueue(NewDelivery(Purpose.APPEAL_EDIT, "appeal:7", GROUP,
                                                    "y", edit_message_id=5), T0)
        await uow.commit()
    async with units() as uow:
        queued = await uow.outbox.for_subject(Purpose.APPEAL, "appeal:7")
        assert [d.chat_id for d in queued] == [GROUP, -2]
        first = queued[0]
        assert (first.text, first.buttons, first.media_kind, first.media_file_id) == (
            "说明", '[["x"]]', MediaKind.PHOTO, "file-1"
        )
        assert (first.status, first.attempts, first.not_before, first.created_at) == (
            DeliveryStatus.PENDING, 0, T0, T0
        )
        edit = await uow.outbox.for_subject(Purpose.APPEAL_EDIT, "appeal:7")
        assert [d.edit_message_id for d in edit] == [5]
        assert await uow.outbox.pending_count() == 3


async def test_a_message_not_yet_due_waits(units: Units) -> None:
    later, lease = T0 + timedelta(minutes=2), T0 + timedelta(minutes=1)
    async with units() as uow:
        await uow.outbox.enqueue(NewDelivery(Purpose.REMINDER, "r:1", 501, "r", not_before=later),
                                 T0)
        await uow.outbox.enqueue(NewDelivery(Purpose.REMINDER, "r:2", 501, "r"), T0)
        await uow.commit()
    async with units() as uow:
        assert await uow.outbox.next_due(include_leases=False) == T0
        [due] = await uow.outbox.claim_due(T0, lease, 10)
        assert due.subject == "r:2"
        assert await uow.outbox.next_due(include_leases=False) == later
        assert await uow.outbox.next_due(include_leases=True) == lease
        await uow.outbox.mark_sent(due.id, 1, T0)
        assert [d.subject for d in await uow.outbox.claim_due(later, lease, 10)] == ["r:1"]
        assert await uow.outbox.next_due(include_leases=False) is None


async def test_an_expired_lease_is_claimed_again(units: Units) -> None:
    async with units() as uow:
        await uow.outbox.enqueue(NewDelivery(Purpose.NOTICE, "n:1", 501, "n"), T0)
        await uow.commit()
    async with units() as uow:
        [claimed] = await uow.outbox.claim_due(T0, LEASE, 10)
        assert await uow.outbox.claim_due(LEASE - timedelta(seconds=1), LEASE, 10) == []
        [again] = await uow.outbox.claim_due(LEASE, LEASE + timedelta(minutes=1), 10)
        await uow.commit()
    assert again.id == claimed.id and again.attempts == 0


async def test_outcomes_count_attempts(units: Units) -> None:
    async with units() as uow:
        for chat in (1, 2, 3, 4):
            await uow.outbox.enqueue(NewDelivery(Purpose.APPEAL, "appeal:7", chat, "x"), T0)
        await uow.commit()
    retry_at = T0 + timedelta(minutes=1)
    async with units() as uow:
        one, two, three, four = await uow.outbox.claim_due(T0, LEASE, 10)
        await uow.outbox.mark_sent(one.id, 900, T0)
        await uow.outbox.mark_failed(two.id, FailureReason.BLOCKED, "Forbidden", T0)
        await uow.outbox.retry_later(three.id, retry_at, "Timed out")
        await uow.outbox.release(four.id, retry_at)
        await uow.commit()
    async with units() as uow:
        rows = await uow.outbox.for_subject(Purpose.APPEAL, "appeal:7")
        assert await uow.outbox.pending_count() == 2
        assert await uow.outbox.next_due(include_leases=True) == retry_at
    sent, failed, retried, released = rows
    assert (sent.status, sent.message_id, sent.sent_at, sent.attempts, sent.lease_until) == (
        DeliveryStatus.SENT, 900, T0, 1, None
    )
    assert (failed.status, failed.failure, failed.error, failed.sent_at, failed.attempts) == (
        DeliveryStatus.FAILED, FailureReason.BLOCKED, "Forbidden", T0, 1
    )
    assert (retried.status, retried.not_before, retried.error, retried.attempts) == (
        DeliveryStatus.PENDING, retry_at, "Timed out", 1
    )
    assert (released.status, released.not_before, released.attempts, released.lease_until) == (
        DeliveryStatus.PENDING, retry_at, 0, None
    )


async def test_leases_are_recovered_and_waiting_messages_follow_a_migrated_group(
    units: Units,
) -> None:
    async with units() as uow:
        await uow.outbox.enqueue(NewDelivery(Purpose.APPEAL, "appeal:7", -5, "x"), T0)
        await uow.outbox.enqueue(NewDelivery(Purpose.APPEAL, "appeal:8", -5, "x"), T0)
        await uow.outbox.enqueue(NewDelivery(Purpose.APPEAL, "appeal:9", -5, "x"), T0)
        await uow.commit()
    async with units() as uow:
        sent, _leased = await uow.outbox.claim_due(T0, LEASE, 2)
        await uow.outbox.mark_sent(sent.id, 1, T0)
        assert await uow.outbox.recover_leases() == 1
        assert await uow.outbox.recover_leases() == 0
        await uow.outbox.move_chat(-5, GROUP)
        await uow.commit()
    async with units() as uow:
        assert [d.chat_id for d in await uow.outbox.for_subject(Purpose.APPEAL, "appeal:7")] == [-5]
        for subject in ("appeal:8", "appeal:9"):
            [moved] = await uow.outbox.for_subject(Purpose.APPEAL, subject)
            assert (moved.chat_id, moved.status) == (GROUP, DeliveryStatus.PENDING)
