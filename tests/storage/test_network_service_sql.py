"""NetworkService end to end on the real databases (the flows fakes could get wrong)."""

from __future__ import annotations

import pytest

from domain.clock import FakeClock
from domain.errors import Conflict
from domain.kernel.origin import AlreadyProcessed, Origin
from domain.network.models import ChatStatus, Language
from domain.network.service import NetworkService, SeenUser
from storage.uow import SqlUnitOfWorkFactory

ADMIN, COORD = 9_000_000_000, 9_000_000_001


@pytest.fixture
async def service(uow_factory: SqlUnitOfWorkFactory) -> NetworkService:
    service = NetworkService(uow_factory, FakeClock(), Language.ZH_HANS, "Asia/Shanghai")
    await service.ensure_admins(frozenset({ADMIN}))
    await service.seen(SeenUser(COORD, "Coord", "Coord", "zh-TW"))
    return service


async def test_network_flow(service: NetworkService) -> None:
    admin = Origin(ADMIN)
    china = await service.add_organisation(admin, "China", None)
    hubei = await service.add_organisation(admin, "Hubei", "china")
    await service.grant(Origin(ADMIN, 1), COORD, "coordinator", "Hubei")
    with pytest.raises(AlreadyProcessed):
        await service.grant(Origin(ADMIN, 1), COORD, "admin", None)
    assert (await service.find_person("@coord")).language is Language.ZH_HANT

    await service.bot_joined_chat(-4001234567, "Small", "group")
    await service.link_chat(Origin(COORD, 2), -4001234567, hubei.id)
    await service.chat_migrated(-4001234567, -1001234567890123, "Big")
    moved = await service.chat(-1001234567890123)
    assert moved is not None and moved.status is ChatStatus.APPROVED
    assert moved.organisation_id == hubei.id and moved.kind == "supergroup"
    assert await service.chat(-4001234567) is None

    with pytest.raises(Conflict):
        await service.remove_organisation(admin, "China")
    with pytest.raises(Conflict):
        await service.remove_organisation(admin, "Hubei")
    await service.rename_organisation(admin, "CHINA", "中国")
    assert [n.organisation.name for n in await service.organisation_tree()] == ["中国"]
    assert china.id == (await service.organisations())[0].id
