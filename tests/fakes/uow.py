"""The fake unit of work: each unit works on a deep copy of the shared `FakeStore`
taken when it opens, and `commit` publishes that copy. A unit left without committing
leaves the store as it was, like a rolled-back transaction."""

from __future__ import annotations

import copy
from types import TracebackType
from typing import Self

from domain.appeals.ports import AppealRepository
from domain.dialogs.ports import DialogRepository
from domain.network.ports import (
    AuditLog,
    ChatRepository,
    OrganisationRepository,
    PersonRepository,
    ProcessedUpdates,
    RoleRepository,
)
from domain.notices.ports import NoticeRepository
from domain.offers.ports import OfferRepository
from domain.outbox.ports import OutboxRepository
from domain.pledges.ports import AppealLookup, PledgeRepository
from domain.totals.ports import TotalsRepository
from tests.fakes.appeals import FakeAppealRepository
from tests.fakes.audit import FakeAuditLog
from tests.fakes.network import (
    FakeChatRepository,
    FakeDialogRepository,
    FakeOrganisationRepository,
    FakePersonRepository,
    FakeProcessedUpdates,
    FakeRoleRepository,
)
from tests.fakes.notices import FakeNoticeRepository
from tests.fakes.offers import FakeOfferRepository
from tests.fakes.outbox import FakeOutboxRepository
from tests.fakes.pledges import FakeAppealLookup, FakePledgeRepository
from tests.fakes.store import FakeStore, in_utc
from tests.fakes.totals import FakeTotalsRepository


class FakeUnitOfWork:
    """A unit of work on a private copy of the shared store; `commit` publishes it."""

    def __init__(self, factory: FakeUnitOfWorkFactory) -> None:
        self._factory = factory
        self.committed = False
        self.read_only = False
        self._open(copy.deepcopy(factory.store))

    def _open(self, working: FakeStore) -> None:
        self._working = working
        self.organisations: OrganisationRepository = FakeOrganisationRepository(working)
        self.chats: ChatRepository = FakeChatRepository(working)
        self.people: PersonRepository = FakePersonRepository(working)
        self.roles: RoleRepository = FakeRoleRepository(working)
        self.dialogs: DialogRepository = FakeDialogRepository(working)
        self.updates: ProcessedUpdates = FakeProcessedUpdates(working)
        self.audit: AuditLog = FakeAuditLog(working)
        self.pledges: PledgeRepository = FakePledgeRepository(working)
        self.outbox: OutboxRepository = FakeOutboxRepository(working)
        self.appeals: AppealRepository = FakeAppealRepository(working)
        self.appeal_lookup: AppealLookup = FakeAppealLookup(working)
        self.offers: OfferRepository = FakeOfferRepository(working)
        self.notices: NoticeRepository = FakeNoticeRepository(working)
        self.totals: TotalsRepository = FakeTotalsRepository(working)

    async def __aenter__(self) -> Self:
        """Open the unit on a fresh copy of the store."""
        self._open(copy.deepcopy(self._factory.store))
        self._factory.opened += 1
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Discard whatever was not committed."""
        self._working = FakeStore()

    async def commit(self) -> None:
        """Publish the unit's copy as the shared store, its times in UTC as SQL keeps them.

        A naive datetime is refused, as `UTCDateTime` refuses it in SQL.
        """
        if self.read_only:
            raise AssertionError("a unit of work opened for one read was committed")
        published = copy.deepcopy(self._working)
        in_utc(published)
        self._factory.store = published
        self._factory.commits += 1
        self.committed = True


class FakeUnitOfWorkFactory:
    """Makes `FakeUnitOfWork`s sharing `store`; counts opened units and commits."""

    def __init__(self, store: FakeStore | None = None) -> None:
        self.store = store or FakeStore()
        self.opened = 0
        self.commits = 0

    def __call__(self) -> FakeUnitOfWork:
        """Return a new, unopened unit of work."""
        return FakeUnitOfWork(self)

    def read(self) -> FakeUnitOfWork:
        """Return a unit of work for one read; committing it is a programming error."""
        unit = FakeUnitOfWork(self)
        unit.read_only = True
        return unit
