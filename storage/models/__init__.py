"""Every table; importing this package makes `Base.metadata` complete (Alembic relies on it)."""

from storage.models import (
    appeals,
    network,
    notices,
    offers,
    outbox,
    pledges,
    reminders,
    totals,
)
from storage.models.base import NAMING_CONVENTION, Base, UTCDateTime
from storage.models.network import (
    AuditEventRow,
    ChatRow,
    DialogRow,
    OrganisationRow,
    PersonRow,
    ProcessedUpdateRow,
    RoleRow,
)

# Later features add their modules here (e.g. `from storage.models import appeals, pledges`).

__all__ = [
    "NAMING_CONVENTION",
    "AuditEventRow",
    "Base",
    "ChatRow",
    "DialogRow",
    "OrganisationRow",
    "PersonRow",
    "ProcessedUpdateRow",
    "RoleRow",
    "UTCDateTime",
    "appeals",
    "network",
    "notices",
    "offers",
    "outbox",
    "pledges",
    "reminders",
    "totals",
]
