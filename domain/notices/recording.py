"""Coordinators' news is recorded in the transaction of the change it tells of.

A pledge made, changed or cancelled, or an offer fitting open needs, queues one event per
coordinator in scope (`NoticeRepository`); the batches (`domain.batches`) send each
coordinator's waiting events later, as one message. The pledges and offers features call
these functions, so this package reads only what it needs of a pledge, an offer or an appeal
(`NoticedPledge`, `NoticedOffer`, `Addressed`) and imports none of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from domain.kernel.standing import standing_in
from domain.network.access import Addressed, Owned, Pledged, pledge_homes
from domain.network.ports import UnitOfWork
from domain.notices.models import NoticeEvent, coordinators_in_scope
from domain.notices.ports import NoticeRepository


class Numbered(Protocol):
    """A record as its news names it: by its number."""

    @property
    def id(self) -> int:
        """The record's number."""
        ...


class NoticedPledge(Pledged, Numbered, Protocol):
    """A pledge as its news reads it: its number, pledger and organisation pledged for."""


class NoticedOffer(Owned, Numbered, Protocol):
    """An offer as its news reads it: its number and who offers."""


class NoticeQueue(UnitOfWork, Protocol):
    """A unit of work that can record events for the batches."""

    notices: NoticeRepository


async def record_pledge_event(
    uow: NoticeQueue,
    pledge: NoticedPledge,
    appeal: Addressed | None,
    event: NoticeEvent,
    at: datetime,
) -> int:
    """Queue an event about a pledge for every coordinator in its scope; return how many.

    In scope: those who may review its deliveries (`domain.network.access.pledge_homes`):
    coordinators of the appeal's organisation, of the organisation pledged for and of the
    pledger's own, each with the organisations above them, and admins; never the pledger.
    """
    pledger = await standing_in(uow, pledge.person_id)
    people = coordinators_in_scope(
        await uow.roles.all(),
        await uow.organisations.all(),
        sorted(pledge_homes(pledge, appeal, pledger), key=lambda o: (o is None, o or 0)),
        besides=pledge.person_id,
    )
    for person_id in people:
        await uow.notices.add(person_id, event, pledge.id, at)
    return len(people)


async def record_offer_event(
    uow: NoticeQueue, offer: NoticedOffer, appeals: Sequence[Addressed], at: datetime
) -> int:
    """Queue a new offer for the coordinators of the appeals whose open needs it fits."""
    if not appeals:
        return 0
    people = coordinators_in_scope(
        await uow.roles.all(),
        await uow.organisations.all(),
        [a.organisation_id for a in appeals],
        besides=offer.person_id,
    )
    for person_id in people:
        await uow.notices.add(person_id, NoticeEvent.OFFER, offer.id, at)
    return len(people)
