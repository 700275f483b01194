"""Which organisation an appeal belongs to, whatever audience its writer chose."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.appeals.draft import AudienceKind
from domain.appeals.service import AppealService, appeal_home
from domain.errors import InvalidInput
from domain.kernel.origin import Origin
from domain.kernel.standing import Role, RoleName, Standing
from domain.network.models import Chat, ChatStatus, Organisation
from tests.domain.appeals.hubei import (
    BEIJING_GROUP,
    COORD,
    HUBEI_GROUPS,
    MEMBER,
    complete_draft,
    render,
)
from tests.fakes import FakeUnitOfWorkFactory

# China ─┬─ Hubei ─┬─ Wuhan
#        │         └─ Yichang
#        └─ Beijing
#  Shanghai (a second tree)
CHINA, HUBEI, WUHAN, YICHANG, BEIJING, SHANGHAI = 1, 2, 3, 4, 5, 6
ORGANISATIONS = [
    Organisation(CHINA, "China", None),
    Organisation(HUBEI, "Hubei", CHINA),
    Organisation(WUHAN, "Wuhan", HUBEI),
    Organisation(YICHANG, "Yichang", HUBEI),
    Organisation(BEIJING, "Beijing", CHINA),
    Organisation(SHANGHAI, "Shanghai", None),
]
PERSON = 7


def standing(*roles: tuple[RoleName, int | None]) -> Standing:
    return Standing(PERSON, tuple(Role(PERSON, role, org) for role, org in roles))


def chats(*organisations: int | None) -> list[Chat]:
    at = datetime(2020, 2, 19, tzinfo=UTC)
    return [
        Chat(-100 - n, f"g{n}", "supergroup", ChatStatus.APPROVED, org, None, at)
        for n, org in enumerate(organisations)
    ]


def home(who: Standing, audience: AudienceKind, targets: list[Chat]) -> int | None:
    return appeal_home(who, ORGANISATIONS, audience, None, targets)


def test_the_coordinator_of_one_organisation_sends_for_it() -> None:
    hubei = standing((RoleName.COORDINATOR, HUBEI))
    # "All my groups" belongs to the organisation coordinated, even when only a branch's
    # groups are approved yet; picked groups to the smallest organisation holding them.
    assert home(hubei, AudienceKind.SCOPE, chats(WUHAN, YICHANG)) == HUBEI
    assert home(hubei, AudienceKind.SCOPE, chats(WUHAN)) == HUBEI
    assert home(hubei, AudienceKind.PICKED, chats(WUHAN)) == WUHAN
    assert home(hubei, AudienceKind.PICKED, chats(WUHAN, YICHANG)) == HUBEI
    assert home(hubei, AudienceKind.PICKED, chats(HUBEI, WUHAN)) == HUBEI


def test_one_organisation_is_the_chosen_one() -> None:
    hubei = standing((RoleName.COORDINATOR, HUBEI))
    assert appeal_home(hubei, ORGANISATIONS, AudienceKind.ORGANISATION, WUHAN, chats()) == WUHAN


def test_the_network_scope_is_network_wide_for_all_groups_only() -> None:
    for admin in (standing((RoleName.ADMIN, None)), standing((RoleName.COORDINATOR, None))):
        assert home(admin, AudienceKind.SCOPE, chats(WUHAN)) is None
        assert home(admin, AudienceKind.PICKED, chats(WUHAN, YICHANG)) == HUBEI
        assert home(admin, AudienceKind.PICKED, chats(WUHAN, BEIJING)) == CHINA
        # Groups of two trees, or a group linked to no organisation: the whole network.
        assert home(admin, AudienceKind.PICKED, chats(WUHAN, SHANGHAI)) is None
        assert home(admin, AudienceKind.PICKED, chats(WUHAN, None)) is None


def test_a_coordinator_of_several_organisations() -> None:
    both = standing((RoleName.COORDINATOR, WUHAN), (RoleName.COORDINATOR, BEIJING))
    assert home(both, AudienceKind.SCOPE, chats(WUHAN)) == WUHAN
    assert home(both, AudienceKind.PICKED, chats(BEIJING)) == BEIJING
    # China holds both, but the writer does not coordinate it: neither its other members
    # should see the appeal, nor would the writer be in scope for its deliveries.
    for audience in (AudienceKind.SCOPE, AudienceKind.PICKED):
        with pytest.raises(InvalidInput) as refused:
            home(both, audience, chats(WUHAN, BEIJING))
        assert "one organisation at a time" in refused.value.message
    nested = standing((RoleName.COORDINATOR, HUBEI), (RoleName.COORDINATOR, WUHAN))
    assert home(nested, AudienceKind.SCOPE, chats(WUHAN, YICHANG)) == HUBEI
    assert home(nested, AudienceKind.PICKED, chats(WUHAN)) == WUHAN


async def test_a_coordinators_appeal_to_all_their_groups_is_their_organisations(
    service: AppealService, fake_uow_factory: FakeUnitOfWorkFactory
) -> None:
    published = await service.publish(Origin(COORD, 1), complete_draft("all"), render)
    assert published.targets == len(HUBEI_GROUPS)
    store = fake_uow_factory.store
    hubei = next(o.id for o in store.organisations.values() if o.name == "Hubei")
    assert published.appeal.organisation_id == hubei
    beijing = next(o.id for o in store.organisations.values() if o.name == "Beijing")
    store.roles.append(Role(MEMBER, RoleName.MEMBER, beijing))
    # A member of another organisation does not see it; its writer does.
    assert await service.visible_appeals(MEMBER) == []
    assert [a.id for a in await service.visible_appeals(COORD)] == [published.appeal.id]
    assert BEIJING_GROUP not in [c.id for c in (await service.audience_options(COORD))[1]]
