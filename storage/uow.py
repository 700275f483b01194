"""The SQL unit of work: one `AsyncSession`, one transaction, repositories sharing it."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.appeals.ports import AppealRepository, AppealsUnitOfWorkFactory, AppealTotals
from domain.batches.service import BatchUnitOfWorkFactory
from domain.clock import Clock, SystemClock
from domain.dialogs.ports import DialogRepository
from domain.network.ports import (
    AuditLog,
    ChatRepository,
    OrganisationRepository,
    PersonRepository,
    ProcessedUpdates,
    RoleRepository,
    UnitOfWorkFactory,
)
from domain.notices.ports import NoticeRepository
from domain.offers.ports import OfferRepository, OfferUnitOfWorkFactory
from domain.outbox.ports import OutboxRepository
from domain.pledges.ports import AppealLookup, PledgeRepository, PledgeUnitOfWorkFactory
from domain.privacy.ports import AuditTrail, PrivacyRepository, PrivacyUnitOfWorkFactory
from domain.reminders.digest import DailyDigestRepository, DailyDigestUnitOfWorkFactory
from domain.reminders.nudges import NudgeRepository, NudgesUnitOfWorkFactory
from domain.reminders.ports import ReminderRepository, RemindersUnitOfWorkFactory
from domain.totals.ports import ReportRows, TotalsRepository, TotalsUnitOfWorkFactory
from storage.repositories.appeal_totals import SqlAppealTotals
from storage.repositories.appeals import AppealParts, SqlAppealRepository
from storage.repositories.audit import SqlAuditLog
from storage.repositories.dialogs import SqlDialogRepository, SqlProcessedUpdates
from storage.repositories.network import SqlChatRepository, SqlOrganisationRepository
from storage.repositories.notices import SqlNoticeRepository
from storage.repositories.offers import SqlOfferRepository
from storage.repositories.outbox import SqlOutboxRepository
from storage.repositories.people import SqlPersonRepository, SqlRoleRepository
from storage.repositories.pledges import SqlAppealLookup, SqlPledgeRepository
from storage.repositories.privacy import SqlPrivacyRepository
from storage.repositories.reminders import (
    SqlDailyDigestRepository,
    SqlNudgeRepository,
    SqlReminderRepository,
)
from storage.repositories.totals import SqlTotalsRepository
from storage.repositories.totals_counters import ledger_of
from storage.repositories.totals_rows import SqlReportRows


class SqlUnitOfWork:
    """Implements `domain.network.ports.UnitOfWork`: nothing lands before `commit`.

    To add a repository, assign it in `__init__` on `self.session`, typed as its port,
    e.g. `self.pledges: PledgeRepository = SqlPledgeRepository(self.session)`.
    """

    def __init__(
        self, session: AsyncSession, clock: Clock | None = None, parts: AppealParts | None = None
    ) -> None:
        self.session = session
        self.clock: Clock = clock or SystemClock()
        self.organisations: OrganisationRepository = SqlOrganisationRepository(session)
        self.chats: ChatRepository = SqlChatRepository(session)
        self.people: PersonRepository = SqlPersonRepository(session)
        self.roles: RoleRepository = SqlRoleRepository(session)
        self.dialogs: DialogRepository = SqlDialogRepository(session)
        self.updates: ProcessedUpdates = SqlProcessedUpdates(session, self.clock)
        audit = SqlAuditLog(session)
        self.audit: AuditLog = audit
        self.audit_trail: AuditTrail = audit
        self.appeals: AppealRepository = SqlAppealRepository(session, parts)
        self.appeal_totals: AppealTotals = SqlAppealTotals(session)
        self.outbox: OutboxRepository = SqlOutboxRepository(session)
        self.pledges: PledgeRepository = SqlPledgeRepository(session)
        self.appeal_lookup: AppealLookup = SqlAppealLookup(self.appeals)
        self.offers: OfferRepository = SqlOfferRepository(session)
        self.notices: NoticeRepository = SqlNoticeRepository(session)
        self.privacy: PrivacyRepository = SqlPrivacyRepository(session)
        self.totals: TotalsRepository = SqlTotalsRepository(session)
        self.reminders: ReminderRepository = SqlReminderRepository(session)
        self.daily_digests: DailyDigestRepository = SqlDailyDigestRepository(session)
        self.nudges: NudgeRepository = SqlNudgeRepository(session)
        self.report_rows: ReportRows = SqlReportRows(session)

    async def __aenter__(self) -> Self:
        """Open the unit (the transaction begins with the first statement)."""
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Roll back whatever was not committed and close the session."""
        try:
            if self.session.in_transaction():
                ledger_of(self.session).discard()
                await self.session.rollback()
        finally:
            await self.session.close()

    async def commit(self) -> None:
        """Make the work durable; the unit stays usable for a further transaction."""
        await ledger_of(self.session).settle()  # the totals' counters, in this transaction
        await self.session.commit()

    async def rollback(self) -> None:
        """Discard the work since the last commit."""
        ledger_of(self.session).discard()
        await self.session.rollback()


class SqlUnitOfWorkFactory:
    """Implements `domain.network.ports.UnitOfWorkFactory`: a fresh `SqlUnitOfWork` per call."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        clock: Clock | None = None,
        read_sessions: async_sessionmaker[AsyncSession] | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.clock: Clock = clock or SystemClock()
        self._appeal_parts = AppealParts()
        self._read_sessions = read_sessions or session_factory

    def __call__(self) -> SqlUnitOfWork:
        """Return a new, unopened unit of work."""
        return SqlUnitOfWork(self.session_factory(), self.clock, self._appeal_parts)

    def read(self) -> SqlUnitOfWork:
        """Return a unit of work for one read (see `storage.database.single_statements`)."""
        return SqlUnitOfWork(self._read_sessions(), self.clock, self._appeal_parts)


def _conforms(factory: SqlUnitOfWorkFactory) -> UnitOfWorkFactory:
    """Let mypy check that the SQL factory (and its units) satisfy the domain's ports."""
    return factory


def _conforms_for_appeals(factory: SqlUnitOfWorkFactory) -> AppealsUnitOfWorkFactory:
    """Let mypy check that the SQL units also satisfy the appeals' and outbox's ports."""
    return factory


def _conforms_for_pledges(factory: SqlUnitOfWorkFactory) -> PledgeUnitOfWorkFactory:
    """Let mypy check that the SQL units also satisfy the pledges' ports."""
    return factory


def _conforms_for_offers(factory: SqlUnitOfWorkFactory) -> OfferUnitOfWorkFactory:
    """Let mypy check that the SQL units also satisfy the offers' ports."""
    return factory


def _conforms_for_notices(factory: SqlUnitOfWorkFactory) -> BatchUnitOfWorkFactory:
    """Let mypy check that the SQL units also satisfy the notice batches' ports."""
    return factory


def _conforms_for_privacy(factory: SqlUnitOfWorkFactory) -> PrivacyUnitOfWorkFactory:
    """Let mypy check that the SQL units also satisfy the privacy ports."""
    return factory


def _conforms_for_totals(factory: SqlUnitOfWorkFactory) -> TotalsUnitOfWorkFactory:
    """Let mypy check that the SQL units also satisfy the totals' ports."""
    return factory


def _conforms_for_reminders(factory: SqlUnitOfWorkFactory) -> RemindersUnitOfWorkFactory:
    """Let mypy check that the SQL units also satisfy the reminders' ports."""
    return factory


def _conforms_for_daily_digests(
    factory: SqlUnitOfWorkFactory,
) -> DailyDigestUnitOfWorkFactory:
    """Let mypy check that the SQL units also satisfy the daily digest's ports."""
    return factory


def _conforms_for_nudges(factory: SqlUnitOfWorkFactory) -> NudgesUnitOfWorkFactory:
    """Let mypy check that the SQL units also satisfy the nudges' ports."""
    return factory
