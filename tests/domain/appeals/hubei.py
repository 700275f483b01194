"""The network the appeal tests run in: an admin, a coordinator of Hubei and its groups."""

from __future__ import annotations

from datetime import date

from domain.appeals.draft import (
    AppealDraft,
    AudienceKind,
    add_need,
    add_recipient,
    set_deadline,
)
from domain.appeals.manage import GroupMessage
from domain.appeals.models import Appeal, AppealStatus

ADMIN = 9_000_000_000
COORD = 9_000_000_001
MEMBER = 9_000_000_002
HUBEI_GROUPS = [-1001, -1002, -1003]
BEIJING_GROUP = -2001


def render(appeal: Appeal, chat_id: int) -> GroupMessage:
    """A plain group message naming the appeal and the chat."""
    closed = " (closed)" if appeal.status is AppealStatus.CLOSED else ""
    return GroupMessage(f"{appeal.title}{closed}\n{appeal.body}\n{chat_id}", None)


def complete_draft(key: str = "k1") -> AppealDraft:
    """A draft with every step answered: masks and money, one recipient, a deadline."""
    draft = AppealDraft(currency="CNY", key=key, title="口罩", body="请支援武汉")
    add_need(draft, "口罩 10000个")
    add_need(draft, "资金 50万元")
    draft.needs_done = True
    add_recipient(draft, "黄山街道办事处")
    draft.recipients_done = True
    set_deadline(draft, "2月20日", date(2020, 2, 19))
    draft.audience = AudienceKind.SCOPE
    return draft
