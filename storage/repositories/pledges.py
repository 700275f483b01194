"""Repository of pledges and their fulfilments, mapping rows to domain dataclasses."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.appeals.models import Appeal
from domain.appeals.ports import AppealRepository
from domain.outbox.models import MediaKind
from domain.pledges.models import (
    Fulfilment,
    FulfilmentState,
    Pledge,
    PledgeKind,
    Visibility,
)
from storage.models.pledges import FulfilmentRow, PledgeRow
from storage.repositories.statements import execute_count, insert_ignoring_conflicts
from storage.repositories.totals_counters import ledger_of

_SCALE = Decimal("0.000001")


def _decimal(value: Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value).normalize()


def _fulfilment(row: FulfilmentRow) -> Fulfilment:
    return Fulfilment(
        id=row.id,
        pledge_id=row.pledge_id,
        quantity=Decimal(row.quantity).normalize(),
        over=row.over,
        reported_by=row.reported_by,
        reported_at=row.reported_at,
        proof_file_id=row.proof_file_id,
        proof_kind=None if row.proof_kind is None else MediaKind(row.proof_kind),
        state=FulfilmentState(row.state),
        confirmed_by=row.confirmed_by,
        confirmed_at=row.confirmed_at,
    )


def _pledge(row: PledgeRow, fulfilments: list[Fulfilment]) -> Pledge:
    return Pledge(
        id=row.id,
        token=row.token,
        person_id=row.person_id,
        kind=PledgeKind(row.kind),
        appeal_id=row.appeal_id,
        need_id=row.need_id,
        item=row.item,
        amount_minor=row.amount_minor,
        currency=row.currency,
        quantity=_decimal(row.quantity),
        unit=row.unit,
        estimated_minor=row.estimated_minor,
        approximate=row.approximate,
        estimated_approximate=row.estimated_approximate,
        description=row.description,
        on_behalf_of=row.on_behalf_of,
        earmark_recipient_id=row.earmark_recipient_id,
        due_date=row.due_date,
        visibility=Visibility(row.visibility),
        cancelled=row.cancelled,
        cancel_reason=row.cancel_reason,
        lapsed_at=row.lapsed_at,
        source_chat_id=row.source_chat_id,
        source_update_id=row.source_update_id,
        created_at=row.created_at,
        fulfilments=fulfilments,
    )


class SqlPledgeRepository:
    """Pledges in the `pledge` and `fulfilment` tables."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _with_fulfilments(self, rows: list[PledgeRow]) -> list[Pledge]:
        if not rows:
            return []
        ids = [r.id for r in rows]
        found = await self._session.scalars(
            select(FulfilmentRow).where(FulfilmentRow.pledge_id.in_(ids)).order_by(FulfilmentRow.id)
        )
        by_pledge: dict[int, list[Fulfilment]] = {}
        for f in found:
            by_pledge.setdefault(f.pledge_id, []).append(_fulfilment(f))
        return [_pledge(r, by_pledge.get(r.id, [])) for r in rows]

    async def add(self, pledge: Pledge) -> Pledge:
        """Insert; when the token exists already, return the stored pledge unchanged."""
        values = {
            "token": pledge.token,
            "person_id": pledge.person_id,
            "kind": pledge.kind.value,
            "appeal_id": pledge.appeal_id,
            "need_id": pledge.need_id,
            "item": pledge.item,
            "amount_minor": pledge.amount_minor,
            "currency": pledge.currency,
            "quantity": None if pledge.quantity is None else pledge.quantity.quantize(_SCALE),
            "unit": pledge.unit,
            "estimated_minor": pledge.estimated_minor,
            "approximate": pledge.approximate,
            "estimated_approximate": pledge.estimated_approximate,
            "description": pledge.description,
            "on_behalf_of": pledge.on_behalf_of,
            "earmark_recipient_id": pledge.earmark_recipient_id,
            "due_date": pledge.due_date,
            "visibility": pledge.visibility.value,
            "cancelled": pledge.cancelled,
            "cancel_reason": pledge.cancel_reason,
            "lapsed_at": pledge.lapsed_at,
            "source_chat_id": pledge.source_chat_id,
            "source_update_id": pledge.source_update_id,
            "created_at": pledge.created_at,
        }
        statement = insert_ignoring_conflicts(self._session, PledgeRow.__table__).values(values)  # type: ignore[arg-type]
        await ledger_of(self._session).created(pledge.person_id)
        inserted = await execute_count(self._session, statement) > 0
        stored = await self.by_token(pledge.token)
        if stored is None:
            raise LookupError(f"pledge {pledge.token} vanished after insert")
        if inserted:
            ledger_of(self._session).inserted(stored.id)
        return stored

    async def get(self, pledge_id: int) -> Pledge | None:
        """Return one pledge with its fulfilments."""
        row = await self._session.get(PledgeRow, pledge_id, populate_existing=True)
        if row is None:
            return None
        return (await self._with_fulfilments([row]))[0]

    async def by_token(self, token: str) -> Pledge | None:
        """Return the pledge a dialog confirmed."""
        row = await self._session.scalar(select(PledgeRow).where(PledgeRow.token == token))
        if row is None:
            return None
        return (await self._with_fulfilments([row]))[0]

    async def of_person(self, person_id: int) -> list[Pledge]:
        """A person's pledges, newest first."""
        rows = await self._session.scalars(
            select(PledgeRow).where(PledgeRow.person_id == person_id).order_by(PledgeRow.id.desc())
        )
        return await self._with_fulfilments(list(rows))

    async def save(self, pledge: Pledge) -> None:
        """Write back the fields that change after creation."""
        await ledger_of(self._session).touch([pledge.id])
        row = await self._session.get(PledgeRow, pledge.id)
        if row is None:
            raise LookupError(f"pledge {pledge.id} does not exist")
        row.due_date = pledge.due_date
        row.cancelled = pledge.cancelled
        row.cancel_reason = pledge.cancel_reason
        row.lapsed_at = pledge.lapsed_at
        row.visibility = pledge.visibility.value
        # goods pledged by value take their quantity with the first delivery
        row.quantity = pledge.quantity
        row.unit = pledge.unit
        await self._session.flush()

    async def add_fulfilment(self, fulfilment: Fulfilment) -> Fulfilment:
        """Insert a delivery report and return it with its id."""
        await ledger_of(self._session).touch([fulfilment.pledge_id])
        row = FulfilmentRow(
            pledge_id=fulfilment.pledge_id,
            quantity=fulfilment.quantity.quantize(_SCALE),
            over=fulfilment.over,
            reported_by=fulfilment.reported_by,
            reported_at=fulfilment.reported_at,
            proof_file_id=fulfilment.proof_file_id,
            proof_kind=None if fulfilment.proof_kind is None else fulfilment.proof_kind.value,
            state=fulfilment.state.value,
            confirmed_by=fulfilment.confirmed_by,
            confirmed_at=fulfilment.confirmed_at,
        )
        self._session.add(row)
        await self._session.flush()
        return _fulfilment(row)

    async def fulfilment(self, fulfilment_id: int) -> Fulfilment | None:
        """Return one delivery report."""
        row = await self._session.get(FulfilmentRow, fulfilment_id)
        return None if row is None else _fulfilment(row)

    async def save_fulfilment(self, fulfilment: Fulfilment) -> None:
        """Write back a confirmed or questioned report."""
        await ledger_of(self._session).touch([fulfilment.pledge_id])
        row = await self._session.get(FulfilmentRow, fulfilment.id)
        if row is None:
            raise LookupError(f"fulfilment {fulfilment.id} does not exist")
        row.state = fulfilment.state.value
        row.confirmed_by = fulfilment.confirmed_by
        row.confirmed_at = fulfilment.confirmed_at
        await self._session.flush()

    async def awaiting_confirmation(self, limit: int) -> list[Pledge]:
        """Pledges with reported, unconfirmed deliveries, oldest report first."""
        ids = await self._session.scalars(
            select(FulfilmentRow.pledge_id)
            .where(FulfilmentRow.state == FulfilmentState.REPORTED.value)
            .group_by(FulfilmentRow.pledge_id)
            .order_by(FulfilmentRow.pledge_id)
            .limit(limit)
        )
        wanted = list(ids)
        if not wanted:
            return []
        rows = await self._session.scalars(
            select(PledgeRow).where(PledgeRow.id.in_(wanted)).order_by(PledgeRow.id)
        )
        return await self._with_fulfilments(list(rows))


class SqlAppealLookup:
    """The pledges' read port onto the appeals repository."""

    def __init__(self, appeals: AppealRepository) -> None:
        self._appeals = appeals

    async def get(self, appeal_id: int) -> Appeal | None:
        """Return one appeal."""
        return await self._appeals.get(appeal_id)

    async def open_appeals(self) -> list[Appeal]:
        """Return the open appeals."""
        return await self._appeals.open()
