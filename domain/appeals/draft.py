"""The appeal being written: its draft, the rules for each answer, and what an answer added.

The draft lives in the writer's dialog row (`domain/appeals/dialog.py` runs it on the dialog
engine) until it is published (`AppealService.publish_in`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from domain.appeals.models import Appeal, AppealStatus, Need, Recipient
from domain.errors import N_, InvalidInput
from domain.kernel.text import TextRule
from domain.parsing import item_key, parse_due_date, parse_offer_text

MAX_TITLE = 200
MAX_BODY = 3500
MAX_RECIPIENT = 200
MAX_NEEDS = 30
#: Telegram's limit for one message's text.
MESSAGE_LIMIT = 4096


class AudienceKind(StrEnum):
    """Who receives an appeal."""

    SCOPE = "scope"
    ORGANISATION = "organisation"
    PICKED = "picked"


@dataclass
class NeedLine:
    """One parsed need of a draft."""

    item: str
    unit: str
    target: Decimal
    approximate: bool = False


@dataclass
class AppealDraft:
    """An appeal being written; it lives in the person's dialog row until it is published."""

    key: str
    currency: str  # of the money target: settings CURRENCY
    title: str | None = None
    body: str | None = None
    needs: list[NeedLine] = field(default_factory=list)
    needs_done: bool = False
    money_target_minor: int | None = None
    recipients: list[str] = field(default_factory=list)
    recipients_done: bool = False
    deadline: date | None = None
    audience: AudienceKind | None = None
    audience_organisation: int | None = None
    audience_chats: list[int] = field(default_factory=list)
    # the list of the audience question on show: "orgs" or "picks" (None: the three choices)
    audience_list: str | None = None
    # the last preview whose Fix was pressed: its buttons, and those of every message before
    # it, are of a superseded preview (a later preview has a higher message id)
    fixed_preview: int | None = None

    @property
    def untouched(self) -> bool:
        """True before the first answer (the title, then the text, are asked first)."""
        return self.title is None and self.body is None

    def next_step(self) -> str | None:
        """The question still open ("title", "body", ...), or None when it can be previewed."""
        if self.title is None:
            return "title"
        if self.body is None:
            return "body"
        if not self.needs_done:
            return "needs"
        if not self.recipients_done:
            return "recipients"
        if self.deadline is None:
            return "deadline"
        if self.audience is None:
            return "audience"
        return None

    def to_data(self) -> dict[str, Any]:
        """A JSON-safe form for the dialog row."""
        return {
            "key": self.key,
            "title": self.title,
            "body": self.body,
            "needs": [
                {"item": n.item, "unit": n.unit, "target": str(n.target), "approx": n.approximate}
                for n in self.needs
            ],
            "needs_done": self.needs_done,
            "money": self.money_target_minor,
            "currency": self.currency,
            "recipients": list(self.recipients),
            "recipients_done": self.recipients_done,
            "deadline": None if self.deadline is None else self.deadline.isoformat(),
            "audience": None if self.audience is None else self.audience.value,
            "audience_org": self.audience_organisation,
            "audience_chats": list(self.audience_chats),
            "audience_list": self.audience_list,
            "fixed_preview": self.fixed_preview,
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> AppealDraft:
        """Read a draft back from the dialog row."""
        return cls(
            key=str(data["key"]),
            title=data.get("title"),
            body=data.get("body"),
            needs=[
                NeedLine(n["item"], n["unit"], Decimal(n["target"]), bool(n.get("approx")))
                for n in data.get("needs", [])
            ],
            needs_done=bool(data.get("needs_done")),
            money_target_minor=data.get("money"),
            currency=str(data["currency"]),
            recipients=list(data.get("recipients", [])),
            recipients_done=bool(data.get("recipients_done")),
            deadline=date.fromisoformat(data["deadline"]) if data.get("deadline") else None,
            audience=AudienceKind(data["audience"]) if data.get("audience") else None,
            audience_organisation=data.get("audience_org"),
            audience_chats=[int(c) for c in data.get("audience_chats", [])],
            audience_list=data.get("audience_list"),
            fixed_preview=data.get("fixed_preview"),
        )

    def as_appeal(self, created_by: int, now: datetime) -> Appeal:
        """The appeal this draft would publish (id 0 until stored)."""
        return Appeal(
            id=0,
            title=self.title or "",
            body=self.body or "",
            status=AppealStatus.OPEN,
            deadline=self.deadline,
            currency=self.currency,
            money_target_minor=self.money_target_minor,
            organisation_id=self.audience_organisation,
            created_by=created_by,
            created_at=now,
            needs=[
                Need(0, 0, n.item, item_key(n.item), n.unit, n.target, n.approximate, i)
                for i, n in enumerate(self.needs)
            ],
            recipients=[Recipient(0, name) for name in self.recipients],
            draft_key=self.key,
        )


@dataclass(frozen=True)
class FundsTarget:
    """A typed need that set the appeal's money target (minor units of the draft's currency)."""

    minor: int
    currency: str


@dataclass(frozen=True)
class RecipientAdded:
    """A typed recipient joined the draft's list."""

    name: str


@dataclass(frozen=True)
class GroupPicked:
    """A group was picked for the audience (more may follow, then Done)."""

    chat_id: int


#: A trimmed title; an empty or overlong one is refused.
clean_title = TextRule(
    N_("An appeal needs a title."), MAX_TITLE, N_("A title may have at most {limit} characters.")
).clean

def clean_body(raw: str) -> str:
    """The appeal's text, or a refusal when it is empty or cannot fit one message."""
    body = raw.strip()
    if not body:
        raise InvalidInput(N_("An appeal needs some text."))
    if len(body) > MAX_BODY:
        raise InvalidInput(
            N_(
                "The text has {length} characters; with the needs it must fit one Telegram "
                "message of {limit} characters, so keep it under {max}."
            ),
            length=len(body),
            limit=MESSAGE_LIMIT,
            max=MAX_BODY,
        )
    return body


def add_need(draft: AppealDraft, raw: str) -> NeedLine | int:
    """Parse one need line into the draft; return the line, or the money target in minor units."""
    if len(draft.needs) >= MAX_NEEDS:
        raise InvalidInput(N_("An appeal may list at most {limit} needs."), limit=MAX_NEEDS)
    parsed = parse_offer_text(raw, default_currency=draft.currency)
    if parsed.money is not None and parsed.quantity is None:
        if parsed.money.currency != draft.currency:
            raise InvalidInput(
                N_("Money targets are in {currency}; write the amount in {currency}."),
                currency=draft.currency,
            )
        draft.money_target_minor = parsed.money.minor
        return parsed.money.minor
    if parsed.quantity is None or not parsed.item:
        raise InvalidInput(
            N_(
                "I could not read “{text}” as a need. Write the item and the amount, "
                "like 口罩 10000个, disinfectant 3000 kg or 资金 50万元."
            ),
            text=raw.strip()[:60],
        )
    line = NeedLine(parsed.item, parsed.quantity.unit, parsed.quantity.value, parsed.approximate)
    draft.needs.append(line)
    return line


#: A pasted list of needs is read line by line, at most this many lines at once.
MAX_LIST_LINES = 50
#: Unreadable lines named in one answer (the rest are counted), so the answer stays short.
MAX_NAMED_LINES = 10
# what a document puts before a list line: "1. ", "1、", "(1)", "（1）", "①", "- ", "•", "一、"
_LIST_MARK = re.compile(
    r"^\s*(?:[-–—•·*●○▪■◆►➢✓]+"
    r"|[(（]\s*(?:[0-9]{1,3}|[一二三四五六七八九十]{1,3})\s*[)）]"
    r"|(?:[0-9]{1,3}|[一二三四五六七八九十]{1,3})\s*(?:[、)）]|[.．](?![0-9]))"
    r"|[\u2460-\u2473\u2776-\u277f])\s*"
)
EMPTY_LIST = N_("That list is empty. Send one need per line, e.g. 口罩 5000只.")
TOO_MANY_LINES = N_(
    "That list has {count} lines; at most {limit} can be read at once. Nothing was added: "
    "please send it in parts."
)
TOO_MANY_NEEDS = N_(
    "An appeal may list at most {limit} needs: {listed} are listed and this list has {count} "
    "more. Nothing was added."
)


@dataclass(frozen=True)
class UnreadLine:
    """A line of a pasted list that could not be read as a need: its number and text."""

    number: int
    text: str


@dataclass(frozen=True)
class ListAdded:
    """What a pasted list of needs added: needs, the funds target, the lines not read."""

    needs: list[NeedLine]
    money_minor: int | None
    unread: list[UnreadLine]


def strip_list_mark(line: str) -> str:
    """A list line without its number or bullet ("1. 口罩 5000只" → "口罩 5000只")."""
    return _LIST_MARK.sub("", line, count=1).strip()


def is_list(raw: str) -> bool:
    """Whether a needs answer is a pasted list (more than one non-blank line)."""
    return sum(1 for line in raw.splitlines() if line.strip()) > 1


def add_needs(draft: AppealDraft, raw: str) -> ListAdded:
    """Read a pasted list, one need per line, into the draft.

    Each readable line is kept; a line that cannot be read is returned with its number (its
    neighbours are still added). Blank lines are skipped and do not count. A list longer than
    `MAX_LIST_LINES`, or one that would take the appeal past `MAX_NEEDS`, adds nothing.
    """
    lines = [(n, line) for n, line in enumerate(raw.splitlines(), start=1) if line.strip()]
    if not any(strip_list_mark(line) for _, line in lines):  # blank, or bullets alone
        raise InvalidInput(EMPTY_LIST)
    if len(lines) > MAX_LIST_LINES:
        raise InvalidInput(TOO_MANY_LINES, count=len(lines), limit=MAX_LIST_LINES)
    trial = AppealDraft.from_data(draft.to_data())
    trial.needs = []  # the capacity is checked on the whole list before anything is added
    read: list[NeedLine] = []
    money: int | None = None
    unread: list[UnreadLine] = []
    for number, line in lines:
        text = strip_list_mark(line)
        try:
            added = add_need(trial, text) if text else None
        except InvalidInput:
            added = None
        if added is None:
            unread.append(UnreadLine(number, " ".join(line.split())))
        elif isinstance(added, int):
            money = added
        else:
            read.append(added)
    if len(draft.needs) + len(read) > MAX_NEEDS:
        raise InvalidInput(
            TOO_MANY_NEEDS, limit=MAX_NEEDS, listed=len(draft.needs), count=len(read)
        )
    draft.needs.extend(read)
    if money is not None:
        draft.money_target_minor = money
    return ListAdded(read, money, unread)


RECIPIENT = TextRule(
    N_("A recipient needs a name."),
    MAX_RECIPIENT,
    N_("A recipient's name may have at most {limit} characters."),
)


def add_recipient(draft: AppealDraft, raw: str) -> str:
    """Add a named recipient to the draft."""
    name = RECIPIENT.clean(raw)
    if name not in draft.recipients:
        draft.recipients.append(name)
    return name


def set_deadline(draft: AppealDraft, raw: str, today: date) -> date:
    """Read the deadline into the draft; refuse a date in the past."""
    deadline = parse_due_date(raw, today=today)
    if deadline < today:
        raise InvalidInput(
            N_("{date} is in the past; give a deadline from today on."), date=deadline.isoformat()
        )
    draft.deadline = deadline
    return deadline


def remove_need(draft: AppealDraft, which: str) -> bool:
    """Remove need number `which` (from 0) or the funds target ("money"); False: none such.

    Fixing the needs keeps them: a need is changed by removing it and sending it again.
    """
    if which == "money" and draft.money_target_minor is not None:
        draft.money_target_minor = None
        return True
    if which.isdigit() and int(which) < len(draft.needs):
        del draft.needs[int(which)]
        return True
    return False


def reopen_question(draft: AppealDraft, question: str) -> bool:
    """Ask a question of the preview again (Fix title, text, needs, deadline or audience).

    False for any other name. The needs entered stay: each can be removed.
    """
    match question:
        case "title":
            draft.title = None
        case "body":
            draft.body = None
        case "needs":
            draft.needs_done = False
        case "deadline":
            draft.deadline = None
        case "audience":
            draft.audience, draft.audience_chats, draft.audience_list = None, [], None
        case _:
            return False
    return True
