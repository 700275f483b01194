"""What a coordinator is told of between two batches, and who is told."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.kernel.standing import Role, RoleName, Standing
from domain.network.models import Organisation


class NoticeEvent(StrEnum):
    """What happened; `subject_id` names the pledge (or the offer)."""

    PLEDGED = "pledged"
    CHANGED = "changed"
    CANCELLED = "cancelled"
    OFFER = "offer"


@dataclass(frozen=True)
class CoordinatorNotice:
    """One event waiting for a coordinator's next batch."""

    id: int
    coordinator_id: int
    event: NoticeEvent
    subject_id: int
    created_at: datetime
    batched_at: datetime | None = None


def coordinators_in_scope(
    roles: Iterable[Role],
    organisations: list[Organisation],
    organisation_ids: Iterable[int | None],
    *,
    besides: int | None = None,
) -> list[int]:
    """People who coordinate any of `organisation_ids` (None: the whole network), sorted.

    `besides` (the person who acted) is left out: nobody is told of their own pledge.
    """
    by_person: dict[int, list[Role]] = defaultdict(list)
    for role in roles:
        if role.role is not RoleName.MEMBER:
            by_person[role.person_id].append(role)
    wanted = list(dict.fromkeys(organisation_ids))
    found = []
    for person_id, held in by_person.items():
        if person_id == besides:
            continue
        standing = Standing(person_id, tuple(held))
        if any(standing.coordinates(o, organisations) for o in wanted):
            found.append(person_id)
    return sorted(found)
