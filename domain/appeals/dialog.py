"""The appeal dialogs on the dialog engine: writing an appeal, and one typed change to one.

`AppealKind` asks for what the draft lacks (`AppealDraft.next_step`), then shows the preview;
each typed answer and each press is taken by the handler of its step (`_typed`, `_pressed`),
inside the engine's one unit of work, and Send publishes the appeal in that same transaction.
`AppealManageKind` is the one question after "Edit text" or "Extend deadline".
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from domain.appeals.draft import (
    AppealDraft,
    AudienceKind,
    FundsTarget,
    GroupPicked,
    RecipientAdded,
    add_need,
    add_needs,
    add_recipient,
    clean_body,
    clean_title,
    is_list,
    remove_need,
    reopen_question,
    set_deadline,
    strip_list_mark,
)
from domain.appeals.manage import GroupMessageRenderer
from domain.appeals.models import Appeal
from domain.appeals.ports import AppealsUnitOfWork
from domain.appeals.service import AppealService
from domain.clock import Clock
from domain.dialogs.engine import USE_BUTTONS, DraftKind, OneAnswer, OneAnswerKind
from domain.dialogs.models import (
    Accepts,
    Answer,
    Cancelled,
    Continue,
    Finished,
    Pressed,
    Progress,
    Question,
    Typed,
)
from domain.errors import N_, InvalidInput
from domain.kernel.origin import Origin
from domain.network.models import Chat
from domain.parsing.integers import parse_chat_id, parse_id

APPEAL_KIND = "appeal"
APPEAL_CODE = "ap"
MANAGE_KIND = "appeal_manage"
#: the managing question is typed: no button carries this code
MANAGE_CODE = "ae"
#: the step asked once the draft is complete
PREVIEW = "preview"

ALREADY_ANSWERED = N_("This question is already answered.")
STALE_BUTTON = N_("This button is no longer valid.")
PICK_ONE = N_("Pick at least one group.")

TEXT_OR_BUTTON = Accepts.TEXT | Accepts.BUTTON
#: the questions whose view needs nothing read from storage
_PLAIN_QUESTIONS = {
    "title": Question("title", Accepts.TEXT),
    "body": Question("body", Accepts.TEXT),
    "needs": Question("needs", TEXT_OR_BUTTON, frozenset({"needs_done", "rm"})),
    "recipients": Question("recipients", TEXT_OR_BUTTON, frozenset({"rcp_done"})),
    "deadline": Question("deadline", Accepts.TEXT),
}
AUDIENCE_PRESSES = frozenset({"all", "orgs", "picks", "org", "chat", "picked"})
PREVIEW_PRESSES = frozenset({"send", "cancel", "fix"})


@dataclass(frozen=True)
class AudienceChoices:
    """The list the audience question shows: organisations ("orgs") or groups ("picks")."""

    listed: str
    organisations: list[tuple[int, str]]
    chats: list[Chat]


#: typed answers that only set one field of the draft, cleaned
_CLEANED: dict[str, tuple[str, Callable[[str], str]]] = {
    "title": ("title", clean_title),
    "body": ("body", clean_body),
}
#: presses that only set fields of the draft (Done of a list, the whole scope)
_SETS: dict[str, dict[str, object]] = {
    "needs_done": {"needs_done": True},
    "rcp_done": {"recipients_done": True},
    "all": {
        "audience": AudienceKind.SCOPE, "audience_organisation": None, "audience_list": None
    },
}

Typer = Callable[[AppealsUnitOfWork, Origin, AppealDraft, str], Awaitable[Progress]]
Presser = Callable[[AppealsUnitOfWork, Origin, AppealDraft, Pressed], Awaitable[Progress]]


class AppealKind(DraftKind[AppealDraft]):
    """The /appeal dialog: title, text, needs, recipients, deadline, audience, then preview."""

    name = APPEAL_KIND
    code = APPEAL_CODE

    def __init__(self, appeals: AppealService, render: GroupMessageRenderer, clock: Clock) -> None:
        self._appeals = appeals
        self._render = render
        self._clock = clock
        self._typed: dict[str, Typer] = {
            "needs": self._need,
            "recipients": self._recipient,
            "deadline": self._deadline,
            "audience": self._ask_again,
            PREVIEW: self._ask_again,
        }
        self._pressed: dict[str, Presser] = {
            "rm": self._remove,
            "orgs": self._list,
            "picks": self._list,
            "org": self._organisation,
            "chat": self._pick,
            "picked": self._picked,
            "send": self._send,
            "cancel": self._cancel,
            "fix": self._fix,
        }

    def load(self, data: Mapping[str, Any]) -> AppealDraft:
        """The draft from the dialog row."""
        return AppealDraft.from_data(dict(data))

    def dump(self, draft: AppealDraft) -> dict[str, Any]:
        """The draft's JSON-safe form."""
        return draft.to_data()

    async def question(
        self, uow: AppealsUnitOfWork, origin: Origin, draft: AppealDraft, known: Question | None
    ) -> Question:
        """What the draft lacks, or the preview; only coordinators and admins begin one."""
        if known is None and draft.untouched:
            await self._appeals.require_coordinator_in(uow, origin.person())
        step = draft.next_step()
        if step in _PLAIN_QUESTIONS:
            return _PLAIN_QUESTIONS[step]
        if step == "audience":
            shown = await self._choices(uow, origin, draft, known)
            return Question("audience", TEXT_OR_BUTTON, AUDIENCE_PRESSES, shown)
        preview = draft.as_appeal(origin.person(), self._clock.now())
        return Question(PREVIEW, TEXT_OR_BUTTON, PREVIEW_PRESSES, preview)

    async def _choices(
        self, uow: AppealsUnitOfWork, origin: Origin, draft: AppealDraft, known: Question | None
    ) -> AudienceChoices | None:
        """The organisations or groups listed, read once per unit of work (None: no list)."""
        if draft.audience_list is None:
            return None
        shown = known.shown if known is not None else None
        if isinstance(shown, AudienceChoices) and shown.listed == draft.audience_list:
            return shown
        organisations, chats = await self._appeals.audience_options_in(uow, origin.person())
        return AudienceChoices(draft.audience_list, organisations, chats)

    async def answer(
        self,
        uow: AppealsUnitOfWork,
        origin: Origin,
        draft: AppealDraft,
        question: Question,
        answer: Answer,
    ) -> Progress:
        """Take a typed answer by the question's step, a press by the button's step."""
        if isinstance(answer, Typed):
            if question.step in _CLEANED:
                field, clean = _CLEANED[question.step]
                setattr(draft, field, clean(answer.text))
                return Continue()
            return await self._typed[question.step](uow, origin, draft, answer.text)
        if not isinstance(answer, Pressed):
            raise InvalidInput(USE_BUTTONS)
        if answer.step in _SETS:
            for field, value in _SETS[answer.step].items():
                setattr(draft, field, value)
            return Continue()
        pressed = self._pressed.get(answer.step)
        if pressed is None:  # a forged press naming a typed question (ap:title)
            raise InvalidInput(STALE_BUTTON)
        if question.step == PREVIEW and _superseded(draft, answer):
            raise InvalidInput(ALREADY_ANSWERED)
        return await pressed(uow, origin, draft, answer)

    # -- typed answers -------------------------------------------------------------------

    async def _need(
        self, uow: AppealsUnitOfWork, origin: Origin, draft: AppealDraft, text: str
    ) -> Progress:
        """One need, the funds target, or a pasted list; the list stays open until Done."""
        if is_list(text):
            return Continue(add_needs(draft, text))
        added = add_need(draft, strip_list_mark(text) or text)
        return Continue(FundsTarget(added, draft.currency) if isinstance(added, int) else added)

    async def _recipient(
        self, uow: AppealsUnitOfWork, origin: Origin, draft: AppealDraft, text: str
    ) -> Progress:
        return Continue(RecipientAdded(add_recipient(draft, text)))

    async def _deadline(
        self, uow: AppealsUnitOfWork, origin: Origin, draft: AppealDraft, text: str
    ) -> Progress:
        """The deadline, read in the writer's own day."""
        set_deadline(draft, text, await self._appeals.calendar.today_of(uow, origin.actor_id))
        return Continue()

    async def _ask_again(
        self, uow: AppealsUnitOfWork, origin: Origin, draft: AppealDraft, text: str
    ) -> Progress:
        """Words typed at the audience question or the preview: it is asked again."""
        draft.audience_list = None
        return Continue()

    # -- presses ---------------------------------------------------------------------------

    async def _remove(
        self, uow: AppealsUnitOfWork, origin: Origin, draft: AppealDraft, press: Pressed
    ) -> Progress:
        """Remove a need or the funds target; an old button for one removed is stale."""
        if not remove_need(draft, press.value):
            raise InvalidInput(STALE_BUTTON)
        return Continue()

    async def _list(
        self, uow: AppealsUnitOfWork, origin: Origin, draft: AppealDraft, press: Pressed
    ) -> Progress:
        """Show the organisations ("orgs") or the groups to pick ("picks")."""
        draft.audience_list = press.step
        return Continue()

    async def _organisation(
        self, uow: AppealsUnitOfWork, origin: Origin, draft: AppealDraft, press: Pressed
    ) -> Progress:
        draft.audience = AudienceKind.ORGANISATION
        draft.audience_organisation = _number(press, parse_id)
        draft.audience_list = None
        return Continue()

    async def _pick(
        self, uow: AppealsUnitOfWork, origin: Origin, draft: AppealDraft, press: Pressed
    ) -> Progress:
        """One more group for the audience; the list stays for more, then Done."""
        chat_id = _number(press, parse_chat_id)
        if chat_id not in draft.audience_chats:
            draft.audience_chats.append(chat_id)
        return Continue(GroupPicked(chat_id))

    async def _picked(
        self, uow: AppealsUnitOfWork, origin: Origin, draft: AppealDraft, press: Pressed
    ) -> Progress:
        if not draft.audience_chats:
            raise InvalidInput(PICK_ONE)
        draft.audience = AudienceKind.PICKED
        draft.audience_list = None
        return Continue()

    async def _send(
        self, uow: AppealsUnitOfWork, origin: Origin, draft: AppealDraft, press: Pressed
    ) -> Progress:
        """Publish the previewed appeal; the pressed preview becomes the progress message."""
        progress_message_id = press.checked if isinstance(press.checked, int) else None
        published = await self._appeals.publish_in(
            uow, origin, draft, self._render, progress_message_id
        )
        return Finished(published)

    async def _cancel(
        self, uow: AppealsUnitOfWork, origin: Origin, draft: AppealDraft, press: Pressed
    ) -> Progress:
        return Cancelled()

    async def _fix(
        self, uow: AppealsUnitOfWork, origin: Origin, draft: AppealDraft, press: Pressed
    ) -> Progress:
        """Ask one question of the preview again; this preview's buttons are then answered."""
        if not reopen_question(draft, press.value):
            raise InvalidInput(STALE_BUTTON)
        if isinstance(press.checked, int):
            draft.fixed_preview = max(press.checked, draft.fixed_preview or 0)
        return Continue()


class AppealManageKind(OneAnswerKind):
    """The new text ("edit") or deadline ("extend") of a published appeal, typed once."""

    name = MANAGE_KIND
    code = MANAGE_CODE

    def __init__(self, appeals: AppealService, render: GroupMessageRenderer) -> None:
        self._appeals = appeals
        self._render = render

    def load(self, data: Mapping[str, Any]) -> OneAnswer:
        """The question's draft (rows written before the engine name the appeal `appeal_id`)."""
        subject = data.get("subject_id", data.get("appeal_id"))
        return OneAnswer(str(data["action"]), int(str(subject)), dict(data.get("extra", {})))

    async def take(
        self, uow: AppealsUnitOfWork, origin: Origin, draft: OneAnswer, answer: Answer
    ) -> tuple[Appeal, int]:
        """Change the appeal; the groups' messages are queued to be edited. How many."""
        if not isinstance(answer, Typed):  # the question has no button: a forged press
            raise InvalidInput(STALE_BUTTON)
        return await self._appeals.change_in(
            uow, origin, draft.subject_id, draft.action, answer.text, self._render
        )



def _number(press: Pressed, parse: Callable[[str], int | None]) -> int:
    """The organisation or group id a press carries; a forged one is a stale button."""
    number = parse(press.value)
    if number is None:
        raise InvalidInput(STALE_BUTTON)
    return number


def _superseded(draft: AppealDraft, press: Pressed) -> bool:
    """True for a button of a preview shown before the last Fix (the pressed message's id)."""
    return (
        draft.fixed_preview is not None
        and isinstance(press.checked, int)
        and press.checked <= draft.fixed_preview
    )
