"""Totals as figures: sums the database made, and the pure rules for showing them.

The repository answers sums per line (an organisation's subtree, a recipient, an appeal);
this module only adds a handful of such lines together (a rolled-up line of small
organisations) and decides what a reader may see. No pledge row ever reaches it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Protocol, TypeVar

from domain.appeals.models import Appeal, Need

#: An organisation with fewer pledgers than this is shown to members only rolled up, so no
#: one can subtract their own amount from a line and read another person's.
MIN_PLEDGERS_SHOWN = 3
#: The line key of pledges attributed to no organisation.
NO_ORGANISATION = 0


@dataclass(frozen=True)
class MoneySums:
    """Money in one currency: pledged (not cancelled), delivered (not questioned), received."""

    currency: str
    pledged_minor: int = 0
    delivered_minor: int = 0
    received_minor: int = 0
    approximate: bool = False

    def __add__(self, other: MoneySums) -> MoneySums:
        """The two sums together (same currency)."""
        return MoneySums(
            self.currency,
            self.pledged_minor + other.pledged_minor,
            self.delivered_minor + other.delivered_minor,
            self.received_minor + other.received_minor,
            self.approximate or other.approximate,
        )

    @property
    def empty(self) -> bool:
        """True when nothing was pledged, delivered or received in this currency."""
        return not (self.pledged_minor or self.delivered_minor or self.received_minor)


@dataclass(frozen=True)
class ValueSum:
    """The estimated value of in-kind pledges (goods, services, time) in one currency."""

    currency: str
    value_minor: int = 0
    approximate: bool = False

    def __add__(self, other: ValueSum) -> ValueSum:
        """The two values together (same currency)."""
        return ValueSum(
            self.currency, self.value_minor + other.value_minor,
            self.approximate or other.approximate,
        )


@dataclass(frozen=True)
class Figures:
    """The sums of one set of pledges: money and in-kind value per currency, pledgers."""

    money: tuple[MoneySums, ...] = ()
    in_kind: tuple[ValueSum, ...] = ()
    pledgers: int = 0
    pledges: int = 0

    def money_in(self, currency: str) -> MoneySums:
        """The money sums in one currency (zero when none)."""
        return next((m for m in self.money if m.currency == currency), MoneySums(currency))

    def in_kind_in(self, currency: str) -> ValueSum:
        """The in-kind value in one currency (zero when none)."""
        return next((v for v in self.in_kind if v.currency == currency), ValueSum(currency))

    def currencies(self) -> list[str]:
        """Every currency with money or in-kind value, in order."""
        return sorted({m.currency for m in self.money} | {v.currency for v in self.in_kind})


def combined(parts: Iterable[Figures]) -> Figures:
    """Several lines as one (a rolled-up line): sums add; pledgers add (at most overcount)."""
    money: dict[str, MoneySums] = {}
    values: dict[str, ValueSum] = {}
    pledgers = pledges = 0
    for part in parts:
        for m in part.money:
            money[m.currency] = money.get(m.currency, MoneySums(m.currency)) + m
        for v in part.in_kind:
            values[v.currency] = values.get(v.currency, ValueSum(v.currency)) + v
        pledgers += part.pledgers
        pledges += part.pledges
    return Figures(
        tuple(money[c] for c in sorted(money)),
        tuple(values[c] for c in sorted(values)),
        pledgers,
        pledges,
    )


@dataclass(frozen=True)
class NeedFigures:
    """One need's quantities pledged, delivered and received (in the need's unit).

    As at closing: goods known by their value alone add their value apart, never a
    quantity; a volunteer-time pledge is one person, its hours summed beside.
    """

    need_id: int
    pledged: Decimal = Decimal(0)
    delivered: Decimal = Decimal(0)
    received: Decimal = Decimal(0)
    approximate: bool = False
    value_minor: int = 0
    hours: Decimal = Decimal(0)


@dataclass(frozen=True)
class Cell:
    """One group of an appeal's pledges summed by the database: a line of the breakdown by
    organisation, a need, an earmarked recipient and a currency, all of its figures.

    The views are added up from these few groups (lines × needs × recipients at most),
    never from pledges.
    """

    line: int | None
    need_id: int | None
    recipient_id: int | None
    money: MoneySums
    in_kind: ValueSum
    need: NeedFigures | None  # what the group's goods, people and time give its need
    pledges: int


def figures_of(cells: Iterable[Cell], pledgers: int) -> Figures:
    """The groups' money and in-kind value per currency, with their pledgers counted apart."""
    money: dict[str, MoneySums] = {}
    values: dict[str, ValueSum] = {}
    pledges = 0
    for cell in cells:
        if not cell.money.empty or cell.money.approximate:
            currency = cell.money.currency
            money[currency] = money.get(currency, MoneySums(currency)) + cell.money
        if cell.in_kind.value_minor:
            currency = cell.in_kind.currency
            values[currency] = values.get(currency, ValueSum(currency)) + cell.in_kind
        pledges += cell.pledges
    return Figures(tuple(money[c] for c in sorted(money)),
                   tuple(values[c] for c in sorted(values)), pledgers, pledges)


def need_figures(cells: Iterable[Cell]) -> dict[int, NeedFigures]:
    """Each need's quantities, added up over the groups."""
    found: dict[int, NeedFigures] = {}
    for cell in cells:
        if cell.need is None:
            continue
        had = found.get(cell.need.need_id, NeedFigures(cell.need.need_id))
        add = cell.need
        found[add.need_id] = NeedFigures(
            add.need_id, had.pledged + add.pledged, had.delivered + add.delivered,
            had.received + add.received, had.approximate or add.approximate,
            had.value_minor + add.value_minor, had.hours + add.hours,
        )
    return found


def percent(part: Decimal | int, whole: Decimal | int) -> int | None:
    """`part` as a whole percentage of `whole` (rounded down); None without a target."""
    if whole <= 0:
        return None
    return int(Decimal(part) * 100 // Decimal(whole))


class LineKind(StrEnum):
    """What one line of the breakdown by organisation stands for."""

    SUBTREE = "subtree"  # an organisation with everything below it
    OWN = "own"  # what was given as the drilled organisation itself, not a child
    NONE = "none"  # pledges attributed to no organisation
    FOLDED = "folded"  # organisations too small to show alone, rolled up


@dataclass(frozen=True)
class OrganisationLine:
    """One line of the breakdown by organisation, its figures rolled up its subtree."""

    kind: LineKind
    organisation_id: int | None
    name: str
    figures: Figures
    drillable: bool = False
    folded: int = 0  # how many organisations a FOLDED line holds


@dataclass(frozen=True)
class RecipientLine:
    """What was earmarked for one recipient (None: no earmark)."""

    recipient_id: int | None
    name: str
    figures: Figures
    folded: int = 0  # recipients too small to show alone, rolled up: how many


class _Line(Protocol):
    @property
    def figures(self) -> Figures: ...


L = TypeVar("L", bound=_Line)


def _fold(
    lines: Sequence[L], folded: Callable[[Figures, int], L], minimum: int
) -> list[L]:
    """Roll up lines with fewer than `minimum` pledgers into one line, `folded(figures,
    how many)`, last.

    When the rolled-up line itself would have fewer than `minimum` pledgers, the smallest
    shown lines join it until it has enough (or everything is rolled up): otherwise the
    whole minus the shown lines would give the small ones back.
    """
    shown = sorted(lines, key=lambda line: line.figures.pledgers)
    small = [line for line in shown if line.figures.pledgers < minimum]
    shown = [line for line in shown if line.figures.pledgers >= minimum]
    if not small:
        return list(lines)
    while shown and sum(line.figures.pledgers for line in small) < minimum:
        small.append(shown.pop(0))
    kept = [line for line in lines if line in shown]
    return [*kept, folded(combined(line.figures for line in small), len(small))]


def fold_small(
    lines: Sequence[OrganisationLine], minimum: int = MIN_PLEDGERS_SHOWN
) -> list[OrganisationLine]:
    """Organisations with fewer than `minimum` pledgers rolled up into one line, for
    members (and groups)."""
    return _fold(lines, lambda figures, count: OrganisationLine(
        LineKind.FOLDED, None, "", figures, folded=count), minimum)


def fold_small_recipients(
    lines: Sequence[RecipientLine], minimum: int = MIN_PLEDGERS_SHOWN
) -> list[RecipientLine]:
    """Recipients (and what was not earmarked) with fewer than `minimum` pledgers rolled up
    into one line, as organisations are: no one reads another person's earmarked amount."""
    return _fold(lines, lambda figures, count: RecipientLine(None, "", figures, folded=count),
                 minimum)


@dataclass(frozen=True)
class AppealSummary:
    """One open appeal in a reader's overview: its money and pledgers in their scope."""

    appeal: Appeal
    figures: Figures
    whole: bool  # False: only the reader's part of the network is counted


@dataclass
class AppealTotalsView:
    """Everything `/totals N` shows one reader, already cut to what they may see."""

    appeal: Appeal
    total: Figures
    needs: list[tuple[Need, NeedFigures]]
    organisations: list[OrganisationLine]
    recipients: list[RecipientLine]
    whole: bool  # False: only the reader's part of the network is counted
    overdue: int | None  # None: not the reader's business (members)
    drilled: tuple[int, str] | None = None  # the organisation drilled into (id, name)
    parent_id: int | None = None  # where "up" goes from the drilled organisation
    notes: list[str] = field(default_factory=list)
