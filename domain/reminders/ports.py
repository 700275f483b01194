"""What reminders need from storage and from the handlers (their texts), as protocols."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from domain.appeals.models import Appeal
from domain.kernel.units import MakesUnits
from domain.network.models import Language
from domain.network.ports import UnitOfWork
from domain.notices.ports import NoticeRepository
from domain.outbox.ports import OutboxRepository
from domain.pledges.models import Pledge
from domain.pledges.ports import AppealLookup, PledgeRepository
from domain.reminders.models import AppealPolicy, Pause, SlotKind


@dataclass(frozen=True)
class ReminderTrack:
    """A pledge's reminder row: the next reminder planned, and what was sent so far.

    `due_at` None: nothing is planned (fulfilled, cancelled, no due date, turned off, the
    sequence is over). `lease_until` is set while the job holds the row.
    """

    pledge_id: int
    due_at: datetime | None
    slot: str | None = None
    sent_count: int = 0
    last_sent_at: datetime | None = None
    lease_until: datetime | None = None
    #: When the pledger could not be reached (blocked the bot): escalated, not retried.
    unreachable_at: datetime | None = None


class ReminderRepository(Protocol):
    """Reminder rows (one per pledge) and each person's pause."""

    async def get(self, pledge_id: int) -> ReminderTrack | None:
        """Return a pledge's row (on PostgreSQL locked until the transaction ends)."""
        ...

    async def save(self, track: ReminderTrack) -> None:
        """Insert or update a pledge's row."""
        ...

    async def unplanned(self, limit: int) -> list[int]:
        """Pledges not cancelled that have no row yet, oldest first (to be planned)."""
        ...

    async def claim_due(self, now: datetime, lease_until: datetime, limit: int) -> list[int]:
        """Lease rows due by `now` and not leased (PostgreSQL: FOR UPDATE SKIP LOCKED)."""
        ...

    async def stalled(self, limit: int) -> list[ReminderTrack]:
        """Rows with nothing planned after reminders went or a block, of pledges not cancelled."""
        ...

    async def of_person(self, person_id: int) -> list[ReminderTrack]:
        """The rows of a person's pledges (planned or not), by pledge."""
        ...

    async def appeal_policy(self, appeal_id: int) -> AppealPolicy:
        """An appeal's own policy (none: the network's, not paused)."""
        ...

    async def save_appeal_policy(self, appeal_id: int, policy: AppealPolicy) -> None:
        """Record an appeal's own policy."""
        ...

    async def open_pledges_of_appeal(self, appeal_id: int) -> list[int]:
        """The appeal's pledges not cancelled, by id."""
        ...

    async def pause_of(self, person_id: int) -> Pause:
        """What the person asked of their reminders (nothing: no pause)."""
        ...

    async def save_pause(self, person_id: int, pause: Pause) -> None:
        """Record the person's pause."""
        ...


class ReminderTexts(Protocol):
    """Writes a reminder (HTML) and its buttons (outbox JSON) in the reader's language."""

    def reminder(
        self, language: Language, pledge: Pledge, appeal: Appeal | None, due: date,
        overdue: bool, slot: SlotKind,
    ) -> str:
        """What is still open and by when it was promised (`overdue`: that date passed);
        volunteer time's slots ask their own questions."""
        ...

    def buttons(self, language: Language, pledge: Pledge, slot: SlotKind) -> str:
        """Delivered all / part / more time / cancel; a volunteer's coming? or happened?"""
        ...


class RemindersUnitOfWork(UnitOfWork, Protocol):
    """The unit of work with the repositories reminders use."""

    reminders: ReminderRepository
    pledges: PledgeRepository
    appeal_lookup: AppealLookup
    outbox: OutboxRepository
    notices: NoticeRepository


#: Makes a fresh unit of work for each reminder use case.
RemindersUnitOfWorkFactory = MakesUnits[RemindersUnitOfWork]


class DeliveredAmount(Protocol):
    """Reads how much was delivered, as the person wrote it, in the pledge's measure."""

    def __call__(self, pledge: Pledge, text: str) -> tuple[Decimal, str | None]:
        """The amount (minor units for money), and the unit a value-only lot takes now."""
        ...
