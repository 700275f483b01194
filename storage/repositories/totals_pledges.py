"""What each counted pledge gives the totals, summed by the database from the rows.

One definition serves three readers: the counters' backfill (every pledge), the counters'
change in a unit of work (the pledges it touched, before and after) and the tests that
compare the counters with the rows. The overdue list reads its pledges from here too.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Select, Subquery, case, cast, func, select
from sqlalchemy.orm import InstrumentedAttribute

from domain.kernel.standing import RoleName
from domain.pledges.models import FulfilmentState, PledgeKind
from storage.models.network import RoleRow
from storage.models.pledges import FulfilmentRow, PledgeRow

MONEY = PledgeKind.MONEY.value
VOLUNTEER = PledgeKind.VOLUNTEER.value
GOODS = PledgeKind.GOODS.value
#: Millionths in one unit: the counters' fixed point.
MICRO = 1_000_000
#: `totals_reach.recipient_id` of the count over every recipient.
ANY_RECIPIENT = -1


def homes(people: Any = None) -> Subquery:
    """Per person: their organisation, when they belong to exactly one.

    `people` (a select of person ids) limits it to those; without it every role is read,
    which costs less to group than finding an appeal's pledgers first.
    """
    query = select(
        RoleRow.person_id.label("person_id"),
        func.min(RoleRow.organisation_id).label("organisation_id"),
    ).where(RoleRow.role != RoleName.ADMIN.value, RoleRow.organisation_id.is_not(None))
    if people is not None:
        query = query.where(RoleRow.person_id.in_(people))
    return (
        query.group_by(RoleRow.person_id)
        .having(func.count(func.distinct(RoleRow.organisation_id)) == 1)
        .subquery("homes")
    )


def deliveries_by_pledge(pledge_ids: Any) -> Subquery:
    """Per pledge of `pledge_ids` (a select): delivered (reports not questioned) and received."""
    counted = FulfilmentRow.state != FulfilmentState.QUESTIONED.value
    confirmed = FulfilmentRow.state == FulfilmentState.CONFIRMED.value
    return (
        select(
            FulfilmentRow.pledge_id.label("pledge_id"),
            func.sum(case((counted, FulfilmentRow.quantity), else_=0)).label("delivered"),
            func.sum(case((confirmed, FulfilmentRow.quantity), else_=0)).label("received"),
        )
        .where(FulfilmentRow.pledge_id.in_(pledge_ids))
        .group_by(FulfilmentRow.pledge_id)
        .subquery("deliveries")
    )


def flag(condition: ColumnElement[bool] | InstrumentedAttribute[bool]) -> ColumnElement[int]:
    """A condition as 0/1, so that SUM and MAX work on both databases."""
    return case((condition, 1), else_=0)


def micro(value: Any) -> ColumnElement[int]:
    """A decimal column in millionths, as an integer (exact for six decimals)."""
    return cast(func.round(value * MICRO), BigInteger)


def contributions(*where: Any, people: Any = None, whole: bool = False) -> Subquery:
    """One row per counted pledge matching `where`: its keys and what it adds.

    `people` limits the pledgers' homes read to those persons; `whole` reads every
    delivery once (a backfill) rather than those of the matching pledges.
    """
    chosen = select(PledgeRow.id).where(*where).correlate(None)
    deliveries = deliveries_by_pledge(select(FulfilmentRow.pledge_id) if whole else chosen)
    home = homes(people)
    delivered = func.coalesce(deliveries.c.delivered, 0)
    received = func.coalesce(deliveries.c.received, 0)
    return (
        select(
            PledgeRow.appeal_id.label("appeal_id"),
            PledgeRow.id.label("pledge_id"),
            func.coalesce(PledgeRow.on_behalf_of, home.c.organisation_id, 0)
            .label("organisation_id"),
            func.coalesce(PledgeRow.need_id, 0).label("need_id"),
            func.coalesce(PledgeRow.earmark_recipient_id, 0).label("recipient_id"),
            PledgeRow.currency.label("currency"),
            PledgeRow.person_id.label("person_id"),
            PledgeRow.kind.label("kind"),
            PledgeRow.amount_minor.label("amount_minor"),
            micro(PledgeRow.quantity).label("quantity"),
            PledgeRow.estimated_minor.label("estimated_minor"),
            flag(PledgeRow.approximate).label("approximate"),
            flag(PledgeRow.estimated_approximate).label("estimated_approximate"),
            micro(delivered).label("delivered"),
            micro(received).label("received"),
            PledgeRow.due_date.label("due_date"),
        )
        .outerjoin(deliveries, deliveries.c.pledge_id == PledgeRow.id)
        .outerjoin(home, home.c.person_id == PledgeRow.person_id)
        .where(PledgeRow.appeal_id.is_not(None), PledgeRow.cancelled.is_(False), *where)
        .subquery("contribution")
    )


CELL_KEYS = ("appeal_id", "organisation_id", "need_id", "recipient_id", "currency")
CELL_SUMS = (
    "pledges", "money_pledges", "money_pledged_minor", "money_delivered_micro",
    "money_received_micro", "money_approximate", "value_minor", "value_approximate",
    "quantity_micro", "quantity_delivered_micro", "quantity_received_micro",
    "quantity_approximate", "worth_minor", "hours_micro",
)
DUE_KEYS = ("appeal_id", "organisation_id", "due_date")


def cell_sums(rows: Subquery) -> Select[Any]:
    """The contributions summed per `totals_cell` key, in the order of CELL_SUMS."""
    money = rows.c.kind == MONEY
    volunteer = rows.c.kind == VOLUNTEER
    by_value = (rows.c.kind == GOODS) & rows.c.quantity.is_(None)
    # goods and people count by quantity; a volunteer-time pledge is one person
    counts = ~money & ~volunteer & rows.c.quantity.is_not(None)

    def total(*whens: Any) -> Any:
        return func.coalesce(func.sum(case(*whens, else_=0)), 0)

    return select(
        *(rows.c[key] for key in CELL_KEYS),
        func.count(),
        total((money, 1)),
        total((money, rows.c.amount_minor)),
        total((money, rows.c.delivered)),
        total((money, rows.c.received)),
        total((money, rows.c.approximate)),
        total((~money, func.coalesce(rows.c.estimated_minor, 0))),
        total((~money, rows.c.estimated_approximate)),
        total((counts, rows.c.quantity), (volunteer, MICRO)),
        total((counts, rows.c.delivered), (volunteer & (rows.c.delivered > 0), MICRO)),
        total((counts, rows.c.received), (volunteer & (rows.c.received > 0), MICRO)),
        total((counts, rows.c.approximate)),
        # goods known by their value alone count by value, never as a quantity
        total((by_value, rows.c.estimated_minor)),
        total((volunteer, rows.c.quantity)),
    ).group_by(*(rows.c[key] for key in CELL_KEYS))


def due_sums(rows: Subquery) -> Select[Any]:
    """Per appeal, organisation and due day: the pledges with less delivered than promised."""
    measure = case(
        (rows.c.kind == MONEY, rows.c.amount_minor * MICRO),
        else_=func.coalesce(rows.c.quantity, MICRO),
    )
    return (
        select(*(rows.c[key] for key in DUE_KEYS), func.count())
        .where(rows.c.due_date.is_not(None), rows.c.delivered < measure)
        .group_by(*(rows.c[key] for key in DUE_KEYS))
    )


def pairs(rows: Subquery) -> Select[Any]:
    """Each pledger's (appeal, organisation, recipient) of the contributions, once."""
    return select(
        rows.c.person_id, rows.c.appeal_id, rows.c.organisation_id, rows.c.recipient_id
    ).distinct()
