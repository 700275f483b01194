"""The appeal repository and the pledges' appeal lookup behave alike on the fakes and in SQL."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from domain.appeals.models import AppealStatus
from tests.storage.contract.builders import T0, Units, appeal


async def test_an_appeal_is_numbered_and_read_back_with_its_needs_and_recipients(
    units: Units,
) -> None:
    wanted = appeal("draft-1")
    wanted.needs[1].priority = 0
    async with units() as uow:
        stored = await uow.appeals.add(wanted)
        await uow.commit()
    assert stored.id > 0
    assert len({need.id for need in stored.needs}) == 2
    assert all(need.appeal_id == stored.id for need in stored.needs)
    assert [need.item for need in stored.needs] == ["口罩", "消毒液"]
    assert [need.priority for need in stored.needs] == [0, 1]  # the position, when unset
    assert [str(need.target) for need in stored.needs] == ["10000.000000", "3000.500000"]
    assert [r.name for r in stored.recipients] == ["黄山街道办事处"]
    async with units() as uow:
        assert await uow.appeals.get(stored.id) == stored
        assert await uow.appeals.by_draft_key("draft-1") == stored
        assert await uow.appeals.by_draft_key("draft-2") is None
        assert await uow.appeals.get(stored.id + 1000) is None


async def test_needs_come_in_priority_order(units: Units) -> None:
    wanted = appeal()
    wanted.needs[0].priority, wanted.needs[1].priority = 5, 2
    async with units() as uow:
        stored = await uow.appeals.add(wanted)
        await uow.commit()
    async with units() as uow:
        found = await uow.appeals.get(stored.id)
    assert found is not None
    assert [(n.item, n.priority) for n in found.needs] == [("消毒液", 2), ("口罩", 5)]


async def test_a_recipient_named_twice_is_one_recipient(units: Units) -> None:
    async with units() as uow:
        first = await uow.appeals.add(appeal(recipients=("黄山街道办事处", "武汉协和医院")))
        second = await uow.appeals.add(appeal(recipients=("武汉协和医院",)))
        await uow.commit()
    assert first.recipients[0].id != first.recipients[1].id
    assert second.recipients == [first.recipients[1]]


async def test_a_draft_is_published_once(units: Units) -> None:
    async with units() as uow:
        await uow.appeals.add(appeal("draft-1"))
        await uow.commit()
    with pytest.raises(Exception):  # noqa: B017 - IntegrityError in SQL, AssertionError fake
        async with units() as uow:
            await uow.appeals.add(appeal("draft-1"))


async def test_save_writes_the_appeals_own_changing_fields_only(units: Units) -> None:
    async with units() as uow:
        stored = await uow.appeals.add(appeal())
        await uow.commit()
    changed = stored
    changed.title, changed.body, changed.status = "新标题", "新正文", AppealStatus.CLOSED
    changed.deadline, changed.revision, changed.progress_message_id = date(2020, 3, 1), 2, 42
    changed.reported_at = T0 + timedelta(days=1)
    changed.currency, changed.money_target_minor, changed.created_by = "USD", 1, 1
    changed.needs = []
    async with units() as uow:
        await uow.appeals.save(changed)
        await uow.commit()
    async with units() as uow:
        found = await uow.appeals.get(stored.id)
        missing = appeal()
        missing.id = stored.id + 1000
        with pytest.raises(LookupError):
            await uow.appeals.save(missing)
    assert found is not None
    assert (found.title, found.body, found.status) == ("新标题", "新正文", AppealStatus.CLOSED)
    assert (found.deadline, found.revision, found.progress_message_id) == (date(2020, 3, 1), 2, 42)
    assert found.reported_at == T0 + timedelta(days=1)
    # Written with the appeal and never after:
    assert (found.currency, found.money_target_minor, found.created_by) == ("CNY", 50_000_000,
                                                                             9_000_000_001)
    assert [n.target for n in found.needs] == [Decimal("10000"), Decimal("3000.5")]


async def test_open_appeals_newest_first_and_unreported_ones_oldest_first(units: Units) -> None:
    async with units() as uow:
        draft = await uow.appeals.add(appeal(status=AppealStatus.DRAFT))
        old = await uow.appeals.add(appeal())
        closed = await uow.appeals.add(appeal(status=AppealStatus.CLOSED))
        new = await uow.appeals.add(appeal())
        await uow.commit()
    async with units() as uow:
        assert [a.id for a in await uow.appeals.open()] == [new.id, old.id]
        assert [a.id for a in await uow.appeal_lookup.open_appeals()] == [new.id, old.id]
        assert await uow.appeal_lookup.get(closed.id) == closed
        assert await uow.appeal_lookup.get(draft.id + 1000) is None
        assert [a.id for a in await uow.appeals.unreported()] == [old.id, closed.id, new.id]
        old.reported_at = T0
        await uow.appeals.save(old)
        await uow.commit()
    async with units() as uow:
        assert [a.id for a in await uow.appeals.unreported()] == [closed.id, new.id]


async def test_an_appeal_added_in_a_unit_left_uncommitted_is_gone(units: Units) -> None:
    async with units() as uow:
        stored = await uow.appeals.add(appeal("draft-1"))
    async with units() as uow:
        assert await uow.appeals.get(stored.id) is None
        assert await uow.appeals.by_draft_key("draft-1") is None
