"""Who may see or act on what: one pure function per question (design §7.5).

Every command, dialog step, list, deep link, one-line form and button asks these functions,
with the person's `Standing` read from the database at the moment of the action, so a rule
is decided in one place only. The rules read only what they need of an appeal or a pledge
(`Addressed`, `Pledged`), so the network, which every feature builds on, imports none of them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Protocol, TypeVar

from domain.kernel.standing import Standing
from domain.kernel.tree import subtree_ids
from domain.network.models import Chat, ChatStatus, Organisation


class Addressed(Protocol):
    """An appeal as the rules read it: its organisation (None: the network) and its writer."""

    @property
    def organisation_id(self) -> int | None:
        """The organisation the appeal belongs to."""
        ...

    @property
    def created_by(self) -> int:
        """Who wrote the appeal."""
        ...


class Owned(Protocol):
    """A record as the rules read it: whose it is (the pledger, the offerer)."""

    @property
    def person_id(self) -> int:
        """The person it belongs to."""
        ...


class Pledged(Owned, Protocol):
    """A pledge as the rules read it: who pledged, and for which organisation if any."""

    @property
    def on_behalf_of(self) -> int | None:
        """The organisation pledged for, or None."""
        ...


A = TypeVar("A", bound=Addressed)


def may_see_appeal(
    standing: Standing,
    appeal: Addressed,
    organisations: list[Organisation],
    reached_in: Collection[int] = (),
) -> bool:
    """True when the person may see this appeal and pledge to it.

    An appeal belongs to an organisation (None: the whole network). It concerns everyone when
    network-wide; otherwise its writer, the coordinators above it, and the members and
    coordinators of every organisation in its subtree. `reached_in` are organisations of
    groups the person was found in that received the appeal (members without a role).
    """
    if standing.is_admin or appeal.organisation_id is None:
        return True
    if appeal.created_by == standing.person_id:
        return True
    if standing.coordinates(appeal.organisation_id, organisations):
        return True
    concerned = subtree_ids(organisations, appeal.organisation_id)
    return bool((standing.belongs_to() | set(reached_in)) & concerned)


def visible_appeals(
    standing: Standing,
    appeals: Iterable[A],
    organisations: list[Organisation],
    reached_in: Collection[int] = (),
) -> list[A]:
    """The appeals among `appeals` the person may see, in the given order."""
    return [a for a in appeals if may_see_appeal(standing, a, organisations, reached_in)]


def may_manage_appeal(
    standing: Standing, appeal: Addressed, organisations: list[Organisation]
) -> bool:
    """True when the person may edit, extend or close the appeal."""
    mine = appeal.created_by == standing.person_id and standing.is_coordinator
    return mine or standing.coordinates(appeal.organisation_id, organisations)


def pledge_homes(
    pledge: Pledged, appeal: Addressed | None, pledger: Standing
) -> set[int | None]:
    """The organisations a pledge concerns: its appeal's, its on-behalf, the pledger's own.

    None stands for the whole network (a network-wide appeal, or a pledge tied to nothing).
    """
    homes: set[int | None] = set()
    if appeal is not None:
        homes.add(appeal.organisation_id)
    if pledge.on_behalf_of is not None:
        homes.add(pledge.on_behalf_of)
    homes |= pledger.belongs_to()
    return homes or {None}


def may_review_pledge(
    standing: Standing,
    pledge: Pledged,
    appeal: Addressed | None,
    pledger: Standing,
    organisations: list[Organisation],
) -> bool:
    """True when the person may see the pledge's delivery reports and confirm or question them.

    Coordinators of the appeal's organisation, of the organisation pledged for and of the
    pledger's organisations (each with everything above it), and admins; never the pledger.
    """
    if standing.person_id == pledge.person_id or not standing.is_coordinator:
        return False
    return any(
        standing.coordinates(home, organisations)
        for home in pledge_homes(pledge, appeal, pledger)
    )


def behalf_organisations(
    standing: Standing, organisations: list[Organisation]
) -> list[Organisation]:
    """Organisations the person may pledge on behalf of: theirs, and all they coordinate."""
    allowed = standing.belongs_to()
    scope = standing.scope(organisations)
    if standing.is_coordinator:
        allowed |= {o.id for o in organisations} if scope is None else scope
    return sorted((o for o in organisations if o.id in allowed), key=lambda o: o.name)


def may_link_chat(
    standing: Standing,
    chat: Chat,
    organisation_id: int,
    organisations: list[Organisation],
) -> bool:
    """True when the person may link the group to this organisation.

    They must coordinate the organisation; a group already linked elsewhere may be relinked
    only by a coordinator of its current organisation (or an admin).
    """
    if not standing.coordinates(organisation_id, organisations):
        return False
    current = chat.organisation_id
    if chat.status is ChatStatus.APPROVED and current is not None and current != organisation_id:
        return standing.coordinates(current, organisations)
    return True


def may_relink(standing: Standing, chat: Chat, organisations: list[Organisation]) -> bool:
    """True unless the group is linked to an organisation the person does not coordinate."""
    if chat.status is not ChatStatus.APPROVED or chat.organisation_id is None:
        return standing.is_coordinator
    return standing.coordinates(chat.organisation_id, organisations)
