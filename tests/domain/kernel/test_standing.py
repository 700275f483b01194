"""One check of a person's role at the moment of an action, for every feature."""

from __future__ import annotations

import pytest

from domain.errors import PermissionDenied
from domain.kernel.origin import Origin
from domain.kernel.standing import (
    ONLY_ADMINS,
    Role,
    RoleName,
    Standing,
    require_admin_unless_system,
    standing_holding,
)

ADMIN, COORDINATOR, MEMBER = 1, 2, 3
REFUSAL = "Only coordinators can see the inbox."


class Roles:
    """The roles a unit of work reads."""

    def __init__(self, *roles: Role) -> None:
        self.granted = list(roles)

    async def of(self, person_id: int) -> list[Role]:
        """Every role of a person."""
        return [r for r in self.granted if r.person_id == person_id]


class Work:
    """A unit of work that only reads roles."""

    def __init__(self) -> None:
        self.roles = Roles(
            Role(ADMIN, RoleName.ADMIN, None),
            Role(COORDINATOR, RoleName.COORDINATOR, 5),
            Role(MEMBER, RoleName.MEMBER, 5),
        )


@pytest.mark.parametrize(
    ("person", "role", "holds"),
    [
        (ADMIN, RoleName.ADMIN, True),
        (ADMIN, RoleName.COORDINATOR, True),
        (COORDINATOR, RoleName.ADMIN, False),
        (COORDINATOR, RoleName.COORDINATOR, True),
        (MEMBER, RoleName.COORDINATOR, False),
        (MEMBER, RoleName.MEMBER, True),
    ],
)
async def test_a_role_or_a_stronger_one_is_held(person: int, role: RoleName, holds: bool) -> None:
    if holds:
        standing = await standing_holding(Work(), Origin(person), role, REFUSAL)
        assert standing.person_id == person
        return
    with pytest.raises(PermissionDenied) as refused:
        await standing_holding(Work(), Origin(person), role, REFUSAL)
    assert refused.value.message == REFUSAL


async def test_a_job_holds_no_role() -> None:
    with pytest.raises(PermissionDenied):
        await standing_holding(Work(), Origin(None), RoleName.MEMBER, REFUSAL)
    assert Standing(MEMBER).holds(RoleName.MEMBER)


async def test_admin_checks_let_jobs_and_admins_through_only() -> None:
    await require_admin_unless_system(Work(), Origin(None))
    await require_admin_unless_system(Work(), Origin(ADMIN))
    with pytest.raises(PermissionDenied) as refused:
        await require_admin_unless_system(Work(), Origin(COORDINATOR))
    assert refused.value.message == ONLY_ADMINS
