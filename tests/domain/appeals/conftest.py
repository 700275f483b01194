"""Fixtures of the appeal tests: a fake clock and the appeal service on the Hubei network."""

from __future__ import annotations

import pytest

from domain.appeals.service import AppealService
from domain.clock import FakeClock
from domain.kernel.origin import Origin
from domain.network.models import Chat, ChatStatus, Language
from domain.network.service import NetworkService, SeenUser
from tests.domain.appeals.hubei import ADMIN, BEIJING_GROUP, COORD, HUBEI_GROUPS, MEMBER
from tests.fakes import FakeUnitOfWorkFactory


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def service(fake_uow_factory: FakeUnitOfWorkFactory, clock: FakeClock) -> AppealService:
    """Admin; a coordinator of Hubei; three approved Hubei groups, one Beijing group."""
    network = NetworkService(fake_uow_factory, clock, Language.ZH_HANS, "Asia/Shanghai")
    await network.ensure_admins(frozenset({ADMIN}))
    for uid, name in ((ADMIN, "Admin"), (COORD, "Coord"), (MEMBER, "Member")):
        await network.seen(SeenUser(uid, name, name.lower(), "zh-CN"))
    admin = Origin(ADMIN)
    await network.add_organisation(admin, "China", None)
    hubei = await network.add_organisation(admin, "Hubei", "China")
    beijing = await network.add_organisation(admin, "Beijing", "China")
    await network.grant(admin, COORD, "coordinator", "Hubei")
    store = fake_uow_factory.store
    for chat_id in HUBEI_GROUPS:
        store.chats[chat_id] = Chat(
            chat_id,
            f"Hubei {chat_id}",
            "supergroup",
            ChatStatus.APPROVED,
            hubei.id,
            None,
            clock.now(),
        )
    store.chats[BEIJING_GROUP] = Chat(
        BEIJING_GROUP, "Beijing", "supergroup", ChatStatus.APPROVED, beijing.id, None, clock.now()
    )
    store.chats[-3001] = Chat(
        -3001, "Pending", "group", ChatStatus.PENDING, hubei.id, None, clock.now()
    )
    return AppealService(fake_uow_factory, clock, "CNY")
