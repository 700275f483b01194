"""Totals use cases: who may see which figures of which appeal, read in one unit of work."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from domain.appeals.models import Appeal
from domain.clock import Clock
from domain.errors import N_, NotFound, PermissionDenied
from domain.kernel.calendar import Calendar
from domain.kernel.standing import Standing, standing_in
from domain.kernel.tree import subtree_ids
from domain.network.access import may_see_appeal
from domain.network.models import ChatStatus, Organisation
from domain.pledges.models import Pledge
from domain.privacy.models import AuditEntry, AuditSubject, SubjectKind
from domain.totals.models import (
    NO_ORGANISATION,
    AppealSummary,
    AppealTotalsView,
    Cell,
    Figures,
    LineKind,
    NeedFigures,
    OrganisationLine,
    RecipientLine,
    figures_of,
    fold_small,
    fold_small_recipients,
    need_figures,
)
from domain.totals.ports import (
    OUTSIDE,
    OverduePledge,
    Scope,
    TotalsUnitOfWork,
    TotalsUnitOfWorkFactory,
)
from domain.totals.report import AppealReport, organisation_rows

#: Open appeals a group's /progress shows at most (the newest).
GROUP_APPEALS = 5
#: Overdue pledges per page of `/overdue`.
OVERDUE_PAGE = 8
#: History entries shown with an opened pledge (the newest).
HISTORY_SHOWN = 20


@dataclass(frozen=True)
class Reach:
    """How much of one appeal a reader may see."""

    scope: Scope  # None: every pledge of the appeal
    member: bool  # True: the public totals only (small organisations rolled up)

    @property
    def whole(self) -> bool:
        """True when every pledge of the appeal counts."""
        return self.scope is None


def reach_of(
    standing: Standing, appeal: Appeal, organisations: list[Organisation]
) -> Reach | None:
    """What the reader may see of the appeal: None when nothing.

    Admins and the coordinators of the appeal's organisation see all of it; other
    coordinators their subtree's part; members who may see the appeal its public totals.
    """
    if standing.coordinates(appeal.organisation_id, organisations):
        return Reach(None, member=False)
    if not may_see_appeal(standing, appeal, organisations):
        return None
    scope = standing.scope(organisations)
    if standing.is_coordinator and scope:
        return Reach(frozenset(scope), member=False)
    return Reach(None, member=True)


def _roots(organisations: list[Organisation], scope: Scope) -> list[Organisation]:
    """The top of the tree as a reader sees it: the roots, or the tops of their scope."""
    inside = {o.id for o in organisations} if scope is None else set(scope)
    return sorted(
        (o for o in organisations if o.id in inside and o.parent_id not in inside),
        key=lambda o: o.name,
    )


class TotalsService:
    """Totals of appeals for readers in their scope."""

    def __init__(self, uow: TotalsUnitOfWorkFactory, clock: Clock, timezone: str) -> None:
        self._uow = uow
        self._calendar = Calendar(clock, timezone)
        self._timezone = timezone

    async def overview(self, person_id: int) -> list[AppealSummary]:
        """One summary per open appeal the reader may see, newest first."""
        async with self._uow() as uow:
            standing = await standing_in(uow, person_id)
            organisations = await uow.organisations.all()
            reaches = [
                (appeal, reach)
                for appeal in await uow.appeals.open()
                if (reach := reach_of(standing, appeal, organisations)) is not None
            ]
            whole = [a.id for a, r in reaches if r.scope is None]
            found = await uow.totals.by_appeal(whole, None) if whole else {}
            for appeal, reach in reaches:
                if reach.scope is not None:
                    found |= await uow.totals.by_appeal([appeal.id], reach.scope)
        return [AppealSummary(a, found.get(a.id, Figures()), r.whole) for a, r in reaches]

    async def _readable(
        self, uow: TotalsUnitOfWork, person_id: int, appeal_id: int
    ) -> tuple[Appeal, Reach, list[Organisation]]:
        appeal = await uow.appeals.get(appeal_id)
        if appeal is None or appeal.status.value == "draft":
            raise NotFound(N_("There is no appeal number {number}."), number=appeal_id)
        standing = await standing_in(uow, person_id)
        organisations = await uow.organisations.all()
        reach = reach_of(standing, appeal, organisations)
        if reach is None:
            raise PermissionDenied(
                N_("Appeal #{number} is outside your part of the network."), number=appeal_id
            )
        return appeal, reach, organisations

    async def appeal(
        self, person_id: int, appeal_id: int, organisation_id: int | None = None
    ) -> AppealTotalsView:
        """The totals of one appeal, by organisation at the top or drilled into one.

        Permission is decided now, on every call: a button pressed later (or forged) for
        an organisation outside the reader's scope is refused.
        """
        async with self._uow() as uow:
            appeal, reach, organisations = await self._readable(uow, person_id, appeal_id)
            drilled = self._drilled(reach, organisations, organisation_id)
            return await self._view(uow, person_id, appeal, reach, organisations, drilled)

    async def _view(
        self,
        uow: TotalsUnitOfWork,
        person_id: int | None,
        appeal: Appeal,
        reach: Reach,
        organisations: list[Organisation],
        drilled: Organisation | None,
    ) -> AppealTotalsView:
        """Everything the reader sees, from two queries: the groups' sums and the pledgers.

        At the drilled level the lines cover the drilled subtree only: the figures at the
        top are that subtree's (which its lines add up to); needs stay the whole scope's.
        """
        today = await self._calendar.today_of(uow, person_id)
        lines = _line_members(organisations, reach, drilled)
        mapping = {org: key for key, orgs in lines.items() for org in orgs}
        cells = await uow.totals.cells(appeal.id, reach.scope, today, mapping)
        shown = [c for c in cells if c.line != OUTSIDE]
        # at the top the lines cover the whole scope (nothing is OUTSIDE), so the
        # recipients and the overdue count need no list of the lines' organisations
        covered = None if drilled is None else mapping
        earmarked = (await uow.totals.recipient_cells(appeal.id, reach.scope, None)
                     if drilled is None else [])
        recipients = sorted({c.recipient_id for c in earmarked},
                            key=lambda r: (r is None, r or 0))
        total, pledgers, by_recipient = await uow.totals.pledgers(
            appeal.id, reach.scope, mapping, list(lines), recipients
        )
        needs_sums = need_figures(cells)
        parent = None
        if drilled is not None and drilled.parent_id is not None and (
            reach.scope is None or drilled.parent_id in reach.scope
        ):
            parent = drilled.parent_id
        return AppealTotalsView(
            appeal,
            figures_of(shown, total),
            [(n, needs_sums.get(n.id, NeedFigures(n.id))) for n in appeal.needs],
            _organisation_lines(organisations, reach, drilled, shown, pledgers),
            _recipient_lines(appeal, earmarked, recipients, by_recipient, reach.member),
            reach.whole,
            None if reach.member else await uow.totals.overdue_count(
                appeal.id, reach.scope, today, covered),
            (drilled.id, drilled.name) if drilled else None,
            parent,
        )

    @asynccontextmanager
    async def report(self, person_id: int, appeal_id: int) -> AsyncIterator[AppealReport]:
        """An appeal's report for a coordinator in scope; its rows stream while it is open."""
        async with self._uow() as uow:
            appeal, reach, organisations = await self._readable(uow, person_id, appeal_id)
            if reach.member:
                raise PermissionDenied(N_("Only coordinators can export a report."))
            view = await self._view(uow, person_id, appeal, reach, organisations, None)
            today = await self._calendar.today_of(uow, person_id)
            cells = await uow.totals.cells(appeal.id, reach.scope, today)  # per organisation
            present = {c.line for c in cells if c.line is not None}
            _, counts, _ = await uow.totals.pledgers(appeal.id, reach.scope, None, present, [])
            own = {o: figures_of([c for c in cells if c.line == o], counts[o])
                   for o in present}
            scope = None if reach.scope is None else set(reach.scope)
            person = await uow.people.get(person_id)
            yield AppealReport(
                view,
                organisation_rows(organisations, own, scope),
                lambda: uow.report_rows.pledges(appeal.id, reach.scope),
                lambda: uow.report_rows.deliveries(appeal.id, reach.scope),
                lambda: uow.report_rows.offers(appeal.id),
                person.timezone if person is not None else self._timezone,
            )

    def _drilled(
        self, reach: Reach, organisations: list[Organisation], organisation_id: int | None
    ) -> Organisation | None:
        if organisation_id is None:
            return None
        found = next((o for o in organisations if o.id == organisation_id), None)
        allowed = not reach.member and (reach.scope is None or organisation_id in reach.scope)
        if found is None or not allowed:
            raise PermissionDenied(N_("You may not see the totals of this organisation."))
        return found

    async def overdue(
        self, person_id: int, appeal_id: int, page: int
    ) -> tuple[Appeal, list[OverduePledge], bool]:
        """One page of an appeal's overdue pledges (coordinators in scope); more to come?"""
        async with self._uow() as uow:
            appeal, reach, _ = await self._readable(uow, person_id, appeal_id)
            if reach.member:
                raise PermissionDenied(N_("Only coordinators can see overdue pledges."))
            today = await self._calendar.today_of(uow, person_id)
            found = await uow.totals.overdue(
                appeal.id, reach.scope, today, max(page, 0) * OVERDUE_PAGE, OVERDUE_PAGE + 1
            )
        return appeal, found[:OVERDUE_PAGE], len(found) > OVERDUE_PAGE

    async def group_progress(
        self, chat_id: int, appeal_id: int | None = None
    ) -> list[AppealTotalsView]:
        """The public totals of the open appeals a group received (or of one): no names, small
        organisations rolled up, as members see them."""
        async with self._uow() as uow:
            chat = await uow.chats.get(chat_id)
            if chat is None or chat.status is not ChatStatus.APPROVED:
                raise PermissionDenied(N_("This group is not part of the network yet."))
            organisations = await uow.organisations.all()
            if appeal_id is None:
                appeals = await uow.appeals.open()
            else:
                found = await uow.appeals.get(appeal_id)
                appeals = [found] if found is not None and found.status.value != "draft" else []
            mine = [
                a for a in appeals
                if a.organisation_id is None or chat.organisation_id in subtree_ids(
                    organisations, a.organisation_id)
            ]
            if appeal_id is not None and not mine:
                raise NotFound(N_("Appeal #{number} is not one of this group's."),
                               number=appeal_id)
            return [await self.public_view(uow, a, organisations) for a in mine[:GROUP_APPEALS]]

    async def public_view(
        self, uow: TotalsUnitOfWork, appeal: Appeal, organisations: list[Organisation]
    ) -> AppealTotalsView:
        """An appeal's totals as everyone may see them (no names), read in `uow`."""
        return await self._view(uow, None, appeal, Reach(None, member=True), organisations, None)

    async def overdue_overview(self, person_id: int) -> list[tuple[Appeal, int]]:
        """Each open appeal the coordinator may chase, with its overdue count in their scope."""
        async with self._uow() as uow:
            standing = await standing_in(uow, person_id)
            if not standing.is_coordinator:
                raise PermissionDenied(N_("Only coordinators can see overdue pledges."))
            organisations = await uow.organisations.all()
            today = await self._calendar.today_of(uow, person_id)
            found = []
            for appeal in await uow.appeals.open():
                reach = reach_of(standing, appeal, organisations)
                if reach is None or reach.member:
                    continue
                found.append(
                    (appeal, await uow.totals.overdue_count(appeal.id, reach.scope, today))
                )
        return found

    async def overdue_pledge(
        self, person_id: int, appeal_id: int, pledge_id: int
    ) -> tuple[Appeal, Pledge, list[AuditEntry]]:
        """One pledge of the appeal in the coordinator's scope, with its history."""
        async with self._uow() as uow:
            appeal, reach, _ = await self._readable(uow, person_id, appeal_id)
            pledge = await uow.pledges.get(pledge_id)
            in_scope = reach.scope is None or await uow.totals.counted_for(pledge_id) in set(
                reach.scope
            )
            if reach.member or pledge is None or pledge.appeal_id != appeal.id or not in_scope:
                raise PermissionDenied(N_("You may not see this pledge."))
            history = await uow.audit_trail.history(
                AuditSubject(SubjectKind.PLEDGE, pledge.id), HISTORY_SHOWN
            )
        return appeal, pledge, history


def _level(
    organisations: list[Organisation], reach: Reach, drilled: Organisation | None
) -> list[Organisation]:
    """The organisations whose subtrees make the lines: the top of the reader's tree, or the
    drilled organisation's children."""
    if drilled is None:
        return _roots(organisations, reach.scope)
    return sorted((o for o in organisations if o.parent_id == drilled.id), key=lambda o: o.name)


def _line_members(
    organisations: list[Organisation], reach: Reach, drilled: Organisation | None
) -> dict[int, set[int | None]]:
    """Each line's organisations, by the line's key: a subtree per organisation at the
    level (its id), the drilled organisation itself (its id), and at the top, for readers
    of the whole appeal, the pledges of no organisation (NO_ORGANISATION)."""
    lines: dict[int, set[int | None]] = {
        top.id: set(subtree_ids(organisations, top.id))
        for top in _level(organisations, reach, drilled)
    }
    if drilled is not None:
        lines[drilled.id] = {drilled.id}
    elif reach.scope is None:
        lines[NO_ORGANISATION] = {None}
    return lines


def _organisation_lines(
    organisations: list[Organisation],
    reach: Reach,
    drilled: Organisation | None,
    cells: list[Cell],
    pledgers: dict[int, int],
) -> list[OrganisationLine]:
    """The breakdown by organisation at one level, each line rolled up its subtree."""
    parents = {o.parent_id for o in organisations}
    by_line: dict[int | None, list[Cell]] = {}
    for cell in cells:
        by_line.setdefault(cell.line, []).append(cell)
    found = []
    if drilled is not None and drilled.id in by_line:
        found.append(OrganisationLine(LineKind.OWN, drilled.id, drilled.name,
                                      figures_of(by_line[drilled.id], pledgers[drilled.id])))
    for top in _level(organisations, reach, drilled):
        if top.id in by_line:
            found.append(OrganisationLine(
                LineKind.SUBTREE, top.id, top.name, figures_of(by_line[top.id], pledgers[top.id]),
                drillable=not reach.member and top.id in parents,
            ))
    if drilled is None and NO_ORGANISATION in by_line:
        found.append(OrganisationLine(LineKind.NONE, None, "", figures_of(
            by_line[NO_ORGANISATION], pledgers[NO_ORGANISATION])))
    return fold_small(found) if reach.member else found


def _recipient_lines(
    appeal: Appeal, cells: list[Cell], recipients: list[int | None],
    pledgers: dict[int | None, int],
    member: bool,
) -> list[RecipientLine]:
    """What was earmarked for each recipient, by name, and what was not earmarked, last;
    for members, those with one or two pledgers only rolled up."""
    names = {r.id: r.name for r in appeal.recipients}
    lines = [
        RecipientLine(r, names.get(r, f"#{r}") if r is not None else "",
                      figures_of([c for c in cells if c.recipient_id == r], pledgers[r]))
        for r in recipients
    ]
    ordered = sorted(lines, key=lambda line: (line.recipient_id is None, line.name))
    return fold_small_recipients(ordered) if member else ordered
