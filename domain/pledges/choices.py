"""Choices a pledge draft takes after its amount: which appeal, and the summary's changes."""

from __future__ import annotations

import re
from datetime import date

from domain.appeals.models import Appeal
from domain.errors import InvalidInput
from domain.pledges.draft import STALE_BUTTON, PledgeDraft
from domain.pledges.models import PledgeKind
from domain.pledges.one_line import match_need
from domain.pledges.ports import AmountReader

# what the summary's "change" buttons reopen
BEHALF = "behalf"
VISIBILITY = "visibility"
EDITS = (BEHALF, VISIBILITY)

# words that show a group message is about giving (`我们单位捐5万元`, `I'll give 2000 yuan`);
# other chatter in reply to an appeal (`加油！`) is left alone
PLEDGE_WORDS = re.compile(
    r"捐|认捐|認捐|捐赠|捐贈|支援|资助|資助|赞助|贊助"
    r"|\b(?:give|giving|donate|donating|donation|pledge|pledging|contribute|offer)\b",
    re.IGNORECASE,
)


def mentions_pledge(text: str) -> bool:
    """True when a message speaks of giving (a pledge verb in Chinese or English)."""
    return PLEDGE_WORDS.search(text[:500]) is not None


def attach_appeal(
    draft: PledgeDraft, appeal: Appeal | None, today: date, amounts: AmountReader
) -> None:
    """Choose the draft's appeal; a one-line draft also takes its deadline and matching need.

    The one-line form fills the delivery date from the appeal's deadline; when the appeal is
    chosen only after the amount was read (`/pledge 5万元`), that happens here. A goods line
    naming one of the appeal's needs in a fitting unit counts against that need.
    """
    draft.choose_appeal(appeal)
    if appeal is None or not draft.one_line:
        return
    if draft.due is None and appeal.deadline is not None and appeal.deadline >= today:
        draft.due = appeal.deadline.isoformat()
    if draft.pledge_kind is PledgeKind.GOODS and draft.need_id is None and draft.unit:
        need = match_need(appeal, draft.item)
        if need is not None and amounts.units_compatible(draft.unit, need.unit):
            draft.need_id = need.id
            draft.item = need.item


def edit_value(what: str, token: str) -> str:
    """The data value of a summary's "change" button (bound to the draft's token)."""
    return f"{what}_{token}"


def reopen(draft: PledgeDraft, value: str, organisations: list[int]) -> None:
    """A summary's "change" button: ask again on whose behalf, or how it is shown.

    The value comes from the client: one not made for this draft, or asking to change
    "on whose behalf" of a person who has no organisation to choose, is refused as stale.
    """
    what, _, token = value.partition("_")
    if token != draft.token or what not in EDITS:
        raise InvalidInput(STALE_BUTTON)
    if what == BEHALF:
        if not organisations:
            raise InvalidInput(STALE_BUTTON)
        draft.behalf_chosen = False
        return
    draft.visibility = None
