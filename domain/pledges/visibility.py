"""Which open appeals a person may pledge to: the rule `/appeals` shows them by."""

from __future__ import annotations

from domain.appeals.models import Appeal
from domain.network.models import Organisation, Standing, subtree_ids
from domain.network.service import standing_in
from domain.pledges.ports import PledgeUnitOfWork


def sees(
    standing: Standing, person_id: int, appeal: Appeal, organisations: list[Organisation]
) -> bool:
    """True when the appeal concerns the person: network-wide, theirs, or of their organisations.

    The same rule as `AppealService.visible_appeals`: an appeal addressed to an
    organisation's subtree concerns the members of every organisation below it.
    """
    if standing.is_admin or appeal.organisation_id is None or appeal.created_by == person_id:
        return True
    if standing.coordinates(appeal.organisation_id, organisations):
        return True
    return bool(standing.belongs_to() & subtree_ids(organisations, appeal.organisation_id))


async def may_see_appeal(uow: PledgeUnitOfWork, person_id: int, appeal: Appeal) -> bool:
    """True when the person may see (and so pledge to) this appeal, read now."""
    standing = await standing_in(uow, person_id)
    if standing.is_admin or appeal.organisation_id is None:
        return True
    return sees(standing, person_id, appeal, await uow.organisations.all())


async def visible_open_appeals(uow: PledgeUnitOfWork, person_id: int) -> list[Appeal]:
    """The open appeals the person may see, newest first."""
    standing = await standing_in(uow, person_id)
    appeals = await uow.appeal_lookup.open_appeals()
    if standing.is_admin:
        return appeals
    organisations = await uow.organisations.all()
    return [a for a in appeals if sees(standing, person_id, a, organisations)]
