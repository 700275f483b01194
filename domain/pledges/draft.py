"""The pledge dialog's draft and its pure rules: what it holds and what to ask next."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from domain.appeals.models import Appeal, Need
from domain.errors import N_, InvalidInput
from domain.kernel.quantities import check_quantity
from domain.parsing.items import PEOPLE_KEYS
from domain.pledges.models import PledgeKind, Visibility

DIALOG_KIND = "pledge"
HOURS = "hour"
PERSON = "person"
MAX_HOURS = Decimal(10_000)
TOO_MANY_HOURS = N_("That is too many hours: at most {limit} hours can be pledged at once.")
ORGANISATION_ONLY = N_(
    "Only a pledge made on behalf of an organisation can be shown as the organisation only."
)


class Step(StrEnum):
    """A question of the pledge dialog."""

    APPEAL = "appeal"
    KIND = "kind"
    NEED = "need"
    AMOUNT = "amount"
    QUANTITY = "quantity"
    DESCRIPTION = "description"
    VALUE = "value"
    BEHALF = "behalf"
    EARMARK = "earmark"
    DUE = "due"
    VISIBILITY = "visibility"
    CONFIRM = "confirm"


STALE_BUTTON = N_("This button is no longer valid.")
OTHER_CURRENCY = N_(
    "That amount is in {written}, but this is counted in {currency}. "
    "Please write the amount in {currency}."
)
TEXT_STEPS = frozenset({Step.AMOUNT, Step.QUANTITY, Step.DESCRIPTION, Step.VALUE, Step.DUE})


@dataclass(frozen=True)
class Prefill:
    """What a member wrote in a group reply, carried to the private dialog in the link."""

    amount_minor: int | None = None
    need_id: int | None = None
    quantity: Decimal | None = None
    unit: str = ""


@dataclass(frozen=True)
class PledgeRequest:
    """How a pledge dialog is begun; read into the draft in the engine's first unit of work.

    `/pledge [APPEAL] [TEXT]` names an appeal (refused unless the person may see it) and a
    one-line pledge; a group's link names an appeal and its group (the draft's
    `source_chat_id`), with `member_chat` set when Telegram said the person is in it, and
    maybe what the member wrote there.
    """

    appeal_id: int | None = None
    text: str = ""
    #: the person's own zone, the day the one-line form's dates are read in
    timezone: str | None = None
    member_chat: int | None = None
    prefill: Prefill | None = None


@dataclass
class PledgeDraft:
    """Everything answered so far; stored as the dialog's data after every answer."""

    token: str
    currency: str  # settings CURRENCY, or the appeal's; as written for a pledge without one
    appeal_chosen: bool = False
    appeal_id: int | None = None
    source_chat_id: int | None = None
    kind: str | None = None
    item_chosen: bool = False
    need_id: int | None = None
    item: str = ""
    amount_minor: int | None = None
    quantity: str | None = None
    unit: str = ""
    estimated_minor: int | None = None
    # goods known by their value alone (N95口罩 价值2200元): no quantity, the value is the measure
    value_only: bool = False
    value_asked: bool = False  # the goods' optional value question was answered or skipped
    approximate: bool = False  # of the amount or quantity
    value_approximate: bool = False  # of the estimated value (300箱 价值2万余元)
    description: str | None = None
    behalf_chosen: bool = False
    behalf: int | None = None
    earmark_chosen: bool = False
    earmark: int | None = None
    due_chosen: bool = False
    due: str | None = None
    visibility: str | None = None
    # the one-line form filled "on whose behalf" and "how shown" by default: its summary
    # says so and offers to change them; an appeal chosen later brings its deadline
    one_line: bool = False
    # how the dialog was begun, read in its first unit of work (never kept in the row)
    request: PledgeRequest | None = field(default=None, compare=False)

    @property
    def pledge_kind(self) -> PledgeKind | None:
        """The kind, once chosen."""
        return PledgeKind(self.kind) if self.kind else None

    @property
    def quantity_value(self) -> Decimal | None:
        """The quantity as a Decimal."""
        if self.quantity is None:
            return None
        try:
            return Decimal(self.quantity)
        except InvalidOperation:
            return None

    @property
    def due_date(self) -> date | None:
        """The chosen delivery date."""
        return date.fromisoformat(self.due) if self.due else None

    def choose_appeal(self, appeal: Appeal | None) -> None:
        """Attach the draft to an appeal (or to none) and take its currency and deadline."""
        has_money = self.amount_minor is not None or self.estimated_minor is not None
        if appeal is not None and has_money and self.currency != appeal.currency:
            # minor units already read are those of the draft's currency: never relabelled
            raise InvalidInput(OTHER_CURRENCY, written=self.currency, currency=appeal.currency)
        self.appeal_chosen = True
        self.appeal_id = None if appeal is None else appeal.id
        if appeal is not None:
            self.currency = appeal.currency


def visibility_choices(draft: PledgeDraft) -> tuple[Visibility, ...]:
    """How the pledge may be shown; "as my organisation only" just when made on behalf of one."""
    if draft.behalf is None:
        return (Visibility.NAMED, Visibility.ANONYMOUS)
    return (Visibility.NAMED, Visibility.ORGANISATION, Visibility.ANONYMOUS)


def check_hours(value: Decimal) -> Decimal:
    """Refuse zero, negative and more volunteer hours than one pledge can sensibly hold."""
    check_quantity(value)
    if value > MAX_HOURS:
        raise InvalidInput(TOO_MANY_HOURS, limit=f"{MAX_HOURS:,}")
    return value


def need_of(appeal: Appeal | None, need_id: int | None) -> Need | None:
    """The appeal's need with this id."""
    if appeal is None or need_id is None:
        return None
    return next((n for n in appeal.needs if n.id == need_id), None)


def people_needs(appeal: Appeal | None) -> list[Need]:
    """The appeal's needs counted in people (志愿者 8人, volunteers 8): volunteer time fits them."""
    if appeal is None:
        return []
    return [n for n in appeal.needs if n.unit == PERSON or n.item_key in PEOPLE_KEYS]


def needs_for(draft: PledgeDraft, appeal: Appeal | None) -> list[Need]:
    """The needs the NEED step offers: people needs for volunteer time, every need for goods."""
    if draft.pledge_kind is PledgeKind.VOLUNTEER:
        return people_needs(appeal)
    return [] if appeal is None else list(appeal.needs)


def next_step(draft: PledgeDraft, appeal: Appeal | None, organisations: list[int]) -> Step:
    """The first question the draft still lacks an answer to."""
    kind = draft.pledge_kind
    if not draft.appeal_chosen:
        return Step.APPEAL
    if kind is None:
        return Step.KIND
    if kind is PledgeKind.MONEY and draft.amount_minor is None:
        return Step.AMOUNT
    if kind is PledgeKind.GOODS:
        if not draft.item_chosen and appeal is not None and appeal.needs:
            return Step.NEED
        if draft.quantity is None and not draft.value_only:
            return Step.QUANTITY
        # the one-line form asks nothing more; the dialog asks the value, which may be skipped
        if draft.estimated_minor is None and not draft.value_asked and not draft.one_line:
            return Step.VALUE
    if kind is PledgeKind.VOLUNTEER and not draft.item_chosen and len(people_needs(appeal)) > 1:
        return Step.NEED  # which of the people needs the time counts against
    if kind in (PledgeKind.SERVICE, PledgeKind.VOLUNTEER) and draft.description is None:
        return Step.DESCRIPTION
    if kind is PledgeKind.SERVICE and draft.estimated_minor is None:
        return Step.VALUE
    if kind is PledgeKind.VOLUNTEER and draft.quantity is None:
        return Step.QUANTITY
    if not draft.behalf_chosen and organisations:
        return Step.BEHALF
    if not draft.earmark_chosen and appeal is not None and appeal.recipients:
        return Step.EARMARK
    if not draft.due_chosen:
        return Step.DUE
    if draft.visibility not in visibility_choices(draft):
        return Step.VISIBILITY
    return Step.CONFIRM
