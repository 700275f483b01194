"""Each coordinator's waiting news as one message: the batches of notice events.

Events are rows (`domain.notices`), written in the transaction of the change itself. A
repeating job (`BatchService.flush`) turns each coordinator's waiting events into one
message in the outbox, at most one per coordinator per `interval` (a first event waits
`gather` for others to join it), and marks the events batched in the same transaction: a
restart loses nothing and sends nothing twice. A batch describes pledges and offers, so it
sits above those features (which record the events) and reads them through their ports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from domain.appeals.models import Appeal
from domain.clock import Clock
from domain.kernel.units import MakesUnits, UseCases
from domain.network.models import Language
from domain.notices.models import NoticeEvent
from domain.notices.recording import NoticeQueue
from domain.offers.models import Offer
from domain.offers.ports import OfferRepository
from domain.outbox.models import Purpose
from domain.outbox.ports import NewDelivery, OutboxRepository
from domain.pledges.models import Pledge
from domain.pledges.ports import AppealLookup, PledgeRepository

DEFAULT_INTERVAL = timedelta(minutes=5)
#: A first event waits this long for others to join it in the same batch.
DEFAULT_GATHER = timedelta(minutes=1)
#: Batched events are kept this long, only to space the next batch; then forgotten.
KEEP_BATCHED = timedelta(days=1)
#: Coordinators handled per run of the job; the rest follow at the next run.
BATCH_LIMIT = 100


@dataclass(frozen=True)
class NoticeLine:
    """One event as a coordinator reads it: who, what, for which appeal, on whose behalf."""

    event: NoticeEvent
    who: str
    pledge: Pledge | None = None
    offer: Offer | None = None
    appeal: Appeal | None = None
    behalf: str | None = None


class BatchRenderer(Protocol):
    """Writes one batch message (HTML, at most 4,096 characters) in the reader's language."""

    def __call__(self, language: Language, lines: list[NoticeLine]) -> str:
        """The message; too many lines are summarised, never cut mid-line."""
        ...


class BatchUnitOfWork(NoticeQueue, Protocol):
    """A unit of work holding the notice queue and what its lines describe."""

    pledges: PledgeRepository
    appeal_lookup: AppealLookup
    offers: OfferRepository
    outbox: OutboxRepository


#: Makes units of work for the notice batches.
BatchUnitOfWorkFactory = MakesUnits[BatchUnitOfWork]


def batch_subject(coordinator_id: int, first_notice_id: int) -> str:
    """The outbox subject of one batch (unique: its first event is in no other batch)."""
    return f"notices:{coordinator_id}:{first_notice_id}"


class BatchService(UseCases[BatchUnitOfWork]):
    """Sends each coordinator's waiting events as one message, at most once per interval."""

    def __init__(
        self,
        uow: BatchUnitOfWorkFactory,
        clock: Clock,
        render: BatchRenderer,
        interval: timedelta = DEFAULT_INTERVAL,
        gather: timedelta = DEFAULT_GATHER,
    ) -> None:
        super().__init__(uow, clock)
        self._render = render
        self._interval = interval
        self._gather = gather

    async def flush(self) -> int:
        """Queue one batch message for every coordinator who is due; return how many."""
        now = self._clock.now()
        async with self._uow() as uow:
            due = await uow.notices.due(now - self._interval, now - self._gather, BATCH_LIMIT)
            await uow.notices.prune(now - KEEP_BATCHED)
            await uow.commit()
        # one after another: each batch is a unit of work of its own
        return sum([await self._batch(coordinator_id, now) for coordinator_id in due])

    async def _batch(self, coordinator_id: int, now: datetime) -> int:
        """One coordinator's batch: the message and the marks land together."""
        async with self._uow() as uow:
            waiting = await uow.notices.waiting(coordinator_id)
            if not waiting:
                return 0
            person = await uow.people.get(coordinator_id)
            language = person.language if person is not None else Language.EN
            lines = [await self._line(uow, n.event, n.subject_id) for n in waiting]
            kept = [line for line in lines if line is not None]
            if kept:
                await uow.outbox.enqueue(
                    NewDelivery(
                        Purpose.NOTICE,
                        batch_subject(coordinator_id, waiting[0].id),
                        coordinator_id,
                        self._render(language, kept),
                    ),
                    now,
                )
            await uow.notices.mark_batched([n.id for n in waiting], now)
            await uow.commit()
            return 1 if kept else 0

    async def _line(
        self, uow: BatchUnitOfWork, event: NoticeEvent, subject_id: int
    ) -> NoticeLine | None:
        if event is NoticeEvent.OFFER:
            offer = await uow.offers.get(subject_id)
            if offer is None:
                return None
            return NoticeLine(event, await self._name(uow, offer.person_id), offer=offer)
        pledge = await uow.pledges.get(subject_id)
        if pledge is None:
            return None
        appeal = (
            await uow.appeal_lookup.get(pledge.appeal_id) if pledge.appeal_id is not None else None
        )
        behalf = None
        if pledge.on_behalf_of is not None:
            organisation = await uow.organisations.get(pledge.on_behalf_of)
            behalf = organisation.name if organisation is not None else None
        return NoticeLine(
            event,
            await self._name(uow, pledge.person_id),
            pledge=pledge,
            appeal=appeal,
            behalf=behalf,
        )

    async def _name(self, uow: BatchUnitOfWork, person_id: int) -> str:
        person = await uow.people.get(person_id)
        if person is None:
            return str(person_id)
        return f"{person.name} (@{person.username})" if person.username else person.name
