"""Fake of `storage/repositories/totals.py`: the same figures, added up from the store's
pledges one by one (a fake may load rows; the contract checks it answers as SQL does)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from datetime import date
from decimal import Decimal

from domain.kernel.standing import RoleName
from domain.pledges.models import FulfilmentState, Pledge, PledgeKind
from domain.totals.models import Cell, Figures, MoneySums, NeedFigures, ValueSum, figures_of
from domain.totals.ports import OUTSIDE, Lines, OverduePledge, Scope
from tests.fakes.store import FakeStore


def _received(pledge: Pledge) -> Decimal:
    return sum((f.quantity for f in pledge.fulfilments
                if f.state is FulfilmentState.CONFIRMED), Decimal(0))


def _cell(line: int | None, need_id: int | None, recipient: int | None, currency: str,
          pledges: list[Pledge]) -> Cell:
    """What `pledges` (one group) add up to, by the rules of `totals_pledges.cell_sums`."""
    money = [p for p in pledges if p.kind is PledgeKind.MONEY]
    in_kind = [p for p in pledges if p.kind is not PledgeKind.MONEY]
    volunteer = [p for p in in_kind if p.kind is PledgeKind.VOLUNTEER]
    counts = [p for p in in_kind if p.kind is not PledgeKind.VOLUNTEER and p.quantity is not None]
    by_value = [p for p in in_kind if p.kind is PledgeKind.GOODS and p.quantity is None]
    need = None
    if need_id is not None:
        need = NeedFigures(
            need_id,
            (sum((p.quantity or Decimal(0) for p in counts), Decimal(0)) + len(volunteer))
            .normalize(),
            (sum((p.delivered for p in counts), Decimal(0))
             + sum(1 for p in volunteer if p.delivered > 0)).normalize(),
            (sum((_received(p) for p in counts), Decimal(0))
             + sum(1 for p in volunteer if _received(p) > 0)).normalize(),
            any(p.approximate for p in counts),
            sum(p.estimated_minor or 0 for p in by_value),
            sum((p.quantity or Decimal(0) for p in volunteer), Decimal(0)).normalize(),
        )
    return Cell(
        line, need_id, recipient,
        MoneySums(currency, sum(p.amount_minor or 0 for p in money),
                  sum(int(p.delivered) for p in money), sum(int(_received(p)) for p in money),
                  any(p.approximate for p in money)),
        ValueSum(currency, sum(p.estimated_minor or 0 for p in in_kind),
                 any(p.estimated_approximate for p in in_kind)),
        need, len(pledges),
    )


class FakeTotalsRepository:
    """Totals of the pledges in a `FakeStore`."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store

    def _organisation(self, pledge: Pledge) -> int | None:
        """On behalf of, else the pledger's only organisation (admin roles aside)."""
        if pledge.on_behalf_of is not None:
            return pledge.on_behalf_of
        mine = {r.organisation_id for r in self._store.roles
                if r.person_id == pledge.person_id and r.role is not RoleName.ADMIN
                and r.organisation_id is not None}
        return next(iter(mine)) if len(mine) == 1 else None

    def _counted(self, appeal_ids: Collection[int], scope: Scope) -> list[Pledge]:
        return [p for p in self._store.pledges.values()
                if p.appeal_id in appeal_ids and not p.cancelled
                and (scope is None or self._organisation(p) in scope)]

    def _line(self, pledge: Pledge, lines: Lines) -> int | None:
        organisation = self._organisation(pledge)
        return organisation if lines is None else lines.get(organisation, OUTSIDE)

    @staticmethod
    def _grouped(
        pledges: Iterable[Pledge], key: Callable[[Pledge], tuple[int | None, ...]]
    ) -> dict[tuple[int | None, ...], list[Pledge]]:
        found: dict[tuple[int | None, ...], list[Pledge]] = {}
        for pledge in pledges:
            found.setdefault(key(pledge), []).append(pledge)
        return found

    async def by_appeal(self, appeal_ids: Collection[int], scope: Scope) -> dict[int, Figures]:
        """Each appeal's figures (appeals without pledges are left out)."""
        found = {}
        for (appeal,), pledges in self._grouped(self._counted(appeal_ids, scope),
                                                lambda p: (p.appeal_id,)).items():
            assert appeal is not None
            cells = [_cell(None, None, None, currency, group) for currency, group in
                     _by_currency(pledges).items()]
            found[appeal] = figures_of(cells, len({p.person_id for p in pledges}))
        return found

    async def cells(
        self, appeal_id: int, scope: Scope, today: date, lines: Lines = None
    ) -> list[Cell]:
        """The appeal's pledges summed per line, need and currency."""
        groups = self._grouped(self._counted([appeal_id], scope),
                               lambda p: (self._line(p, lines), p.need_id))
        return [_cell(line, need, None, currency, group)
                for (line, need), pledges in groups.items()
                for currency, group in _by_currency(pledges).items()]

    async def recipient_cells(self, appeal_id: int, scope: Scope, lines: Lines) -> list[Cell]:
        """The pledges of the organisations in `lines` summed per recipient and currency."""
        inside = [p for p in self._counted([appeal_id], scope)
                  if lines is None or self._line(p, lines) != OUTSIDE]
        groups = self._grouped(inside, lambda p: (p.earmark_recipient_id,))
        return [_cell(None, None, recipient, currency, group)
                for (recipient,), pledges in groups.items()
                for currency, group in _by_currency(pledges).items()]

    async def pledgers(
        self, appeal_id: int, scope: Scope, lines: Lines, keys: Collection[int],
        recipients: Collection[int | None],
    ) -> tuple[int, dict[int, int], dict[int | None, int]]:
        """How many people pledged in all the lines, in each line and for each recipient."""
        pledges = self._counted([appeal_id], scope)

        def people(chosen: Iterable[Pledge]) -> int:
            return len({p.person_id for p in chosen})

        return (
            people(p for p in pledges if lines is None or self._line(p, lines) != OUTSIDE),
            {key: people(p for p in pledges if self._line(p, lines) == key) for key in keys},
            {r: people(p for p in pledges if p.earmark_recipient_id == r) for r in recipients},
        )

    def _late(self, appeal_id: int, scope: Scope, today: date) -> list[Pledge]:
        return [p for p in self._counted([appeal_id], scope) if p.overdue(today)]

    async def overdue_count(
        self, appeal_id: int, scope: Scope, today: date, lines: Lines = None
    ) -> int:
        """Pledges past their due date with something still to deliver (in the lines)."""
        return sum(1 for p in self._late(appeal_id, scope, today)
                   if lines is None or self._line(p, lines) != OUTSIDE)

    async def overdue(
        self, appeal_id: int, scope: Scope, today: date, offset: int, limit: int
    ) -> list[OverduePledge]:
        """The overdue pledges, oldest due date first (then oldest pledge), one page."""
        late = sorted(self._late(appeal_id, scope, today),
                      key=lambda p: (p.due_date or today, p.id))
        return [
            OverduePledge(
                p.id, p.person_id, (person.name if (person := self._store.people.get(
                    p.person_id)) else ""), self._organisation(p), p.item, p.kind.value,
                p.measure, p.delivered, p.unit, p.currency, p.due_date or today,
            )
            for p in late[offset:offset + limit]
        ]

    async def counted_for(self, pledge_id: int) -> int | None:
        """The organisation a pledge counts for (on behalf of, else its pledger's only one)."""
        pledge = self._store.pledges.get(pledge_id)
        return None if pledge is None else self._organisation(pledge)


def _by_currency(pledges: list[Pledge]) -> dict[str, list[Pledge]]:
    found: dict[str, list[Pledge]] = {}
    for pledge in pledges:
        found.setdefault(pledge.currency, []).append(pledge)
    return found
