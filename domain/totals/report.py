"""The rows of an appeal's report (/report): pledges, deliveries, offers, read as a stream."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from domain.network.models import Organisation
from domain.pledges.models import PledgeKind, PledgeStatus, Visibility
from domain.totals.models import AppealTotalsView, Figures, combined


@dataclass(frozen=True)
class PledgeLine:
    """One pledge as the report lists it (cancelled ones too), with its deliveries' sums."""

    pledge_id: int
    created_at: datetime
    person_name: str
    visibility: Visibility
    organisation: str  # the organisation it counts for ("" for none)
    kind: PledgeKind
    item: str
    amount_minor: int | None
    currency: str
    quantity: Decimal | None
    unit: str
    estimated_minor: int | None
    approximate: bool
    delivered: Decimal
    received: Decimal
    due_date: date | None
    recipient: str
    cancelled: bool
    lapsed: bool = False

    @property
    def measure(self) -> Decimal:
        """What was promised, in minor units for money; a lot counts as one."""
        if self.kind is PledgeKind.MONEY:
            return Decimal(self.amount_minor or 0)
        return self.quantity if self.quantity is not None else Decimal(1)

    @property
    def status(self) -> PledgeStatus:
        """pledged → partial → delivered → received (all delivered confirmed); or cancelled
        or lapsed."""
        if self.cancelled:
            return PledgeStatus.LAPSED if self.lapsed else PledgeStatus.CANCELLED
        if self.delivered <= 0:
            return PledgeStatus.PLEDGED
        if self.delivered < self.measure:
            return PledgeStatus.PARTIAL
        return PledgeStatus.RECEIVED if self.received >= self.delivered else (
            PledgeStatus.DELIVERED
        )


@dataclass(frozen=True)
class DeliveryLine:
    """One delivery report of a pledge of the appeal."""

    pledge_id: int
    item: str
    kind: PledgeKind
    quantity: Decimal  # minor units for money
    unit: str
    currency: str
    reported_by: str
    reported_at: datetime
    state: str
    confirmed_at: datetime | None


@dataclass(frozen=True)
class OfferLine:
    """A supply offer matched to one of the appeal's needs."""

    offer_id: int
    item: str
    quantity: Decimal
    unit: str
    need: str
    matched: Decimal
    offered_by: str
    status: str
    created_at: datetime


@dataclass(frozen=True)
class OrganisationRow:
    """One organisation of the report: what counts for it itself and with everything below."""

    organisation: Organisation
    parent: str
    own: Figures
    below: Figures  # its own and its whole subtree's


@dataclass
class AppealReport:
    """Everything `/report N` writes, the long parts as streams read while writing."""

    view: AppealTotalsView
    organisations: list[OrganisationRow]
    pledges: Callable[[], AsyncIterator[PledgeLine]]  # each call streams them anew
    deliveries: Callable[[], AsyncIterator[DeliveryLine]]
    offers: Callable[[], AsyncIterator[OfferLine]]
    timezone: str


def organisation_rows(
    organisations: list[Organisation], own: dict[int, Figures], scope: set[int] | None
) -> list[OrganisationRow]:
    """Each organisation in scope in tree order, its own figures and its subtree's added up.

    `own` holds the database's sums per organisation; only those few lines are added here.
    """
    by_id = {o.id: o for o in organisations}
    children: dict[int | None, list[Organisation]] = {}
    for organisation in sorted(organisations, key=lambda o: o.name):
        parent = organisation.parent_id if organisation.parent_id in by_id else None
        children.setdefault(parent, []).append(organisation)
    rows: list[OrganisationRow] = []

    def visit(organisation: Organisation) -> Figures:
        at = len(rows)
        if scope is None or organisation.id in scope:
            parent = by_id.get(organisation.parent_id or 0)
            rows.append(OrganisationRow(organisation, parent.name if parent else "",
                                        own.get(organisation.id, Figures()), Figures()))
        below = combined([own.get(organisation.id, Figures()),
                          *(visit(child) for child in children.get(organisation.id, []))])
        if len(rows) > at and rows[at].organisation.id == organisation.id:
            rows[at] = OrganisationRow(organisation, rows[at].parent, rows[at].own, below)
        return below

    for root in children.get(None, []):
        visit(root)
    return rows
