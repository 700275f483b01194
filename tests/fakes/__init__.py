"""In-memory fakes of every storage port, so domain tests run with no database.

One module per module of `storage/repositories/`; `uow.py` holds the unit of work and
`store.py` the `FakeStore` they all share. `tests/storage/test_repository_contract*.py`
runs the same cases against these fakes and the SQL repositories.
"""

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
from tests.fakes.store import FakeStore
from tests.fakes.totals import FakeTotalsRepository
from tests.fakes.uow import FakeUnitOfWork, FakeUnitOfWorkFactory

__all__ = [
    "FakeAppealLookup",
    "FakeAppealRepository",
    "FakeAuditLog",
    "FakeChatRepository",
    "FakeDialogRepository",
    "FakeNoticeRepository",
    "FakeOfferRepository",
    "FakeOrganisationRepository",
    "FakeOutboxRepository",
    "FakePersonRepository",
    "FakePledgeRepository",
    "FakeProcessedUpdates",
    "FakeRoleRepository",
    "FakeStore",
    "FakeTotalsRepository",
    "FakeUnitOfWork",
    "FakeUnitOfWorkFactory",
]
