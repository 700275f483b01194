"""Privacy in chat: /privacy, /forgetme, /forget USER (admins) and /audit p12 | a3 (admins)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import partial

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application

from domain.errors import InvalidInput
from domain.kernel.calendar import zone_of
from domain.kernel.origin import Origin
from domain.kernel.standing import RoleName
from domain.network.models import Person
from domain.privacy.models import ActorKind, AuditEntry, AuditSubject, Holdings, strict_id
from domain.privacy.ports import PrivacyUnitOfWorkFactory
from domain.privacy.service import PrivacyService, erasure_stamp
from handlers.audit_words import action_text
from handlers.common import (
    MAX_TEXT,
    CommandSpec,
    add_commands,
    attempt,
    pressed,
    private_mine,
    private_read,
    private_reader,
    reply,
)
from handlers.context import Reader, TongxinContext
from handlers.feature import WithoutDialogs
from handlers.i18n import LANGUAGE_NAMES, N_
from handlers.render import escape
from handlers.wiring import Wiring

PRIVACY_COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("privacy", N_("What I keep about you, and who sees it"), RoleName.MEMBER),
    CommandSpec("forgetme", N_("Erase your name and details"), RoleName.MEMBER),
    CommandSpec("forget", N_("Erase a person's details on their request"), RoleName.ADMIN),
    CommandSpec("audit", N_("The history of a pledge or an appeal"), RoleName.ADMIN),
)

FORGET_CALLBACK = re.compile(r"^forget:(?:(keep)|([0-9]{1,19}):([0-9]{1,12}))$")
AUDIT_CALLBACK = re.compile(r"^audit:([pa][0-9]{1,19}):([0-9]{1,4})$")

#: Room left in a page of history for its heading and the page counter.
PAGE_BUDGET = MAX_TEXT - 200
#: How much of a before/after value one history line shows.
VALUE_SHOWN = 300

_ROLE_NAMES = {
    RoleName.MEMBER: N_("member"),
    RoleName.COORDINATOR: N_("coordinator"),
    RoleName.ADMIN: N_("admin"),
}


class PrivacyHandlers(WithoutDialogs):
    """What the bot keeps, erasure on request, and the audit trail for admins."""

    commands = PRIVACY_COMMANDS

    def services(self, wiring: Wiring[PrivacyUnitOfWorkFactory]) -> Sequence[object]:
        """The privacy service: what is kept, erasure, retention and the audit trail."""
        settings = wiring.settings
        return [
            PrivacyService(
                wiring.uow, wiring.clock, settings.default_language, settings.timezone,
                settings.retention_days,
            )
        ]

    def register(self, app: Application) -> None:  # type: ignore[type-arg]
        """Add the handlers to the application."""
        add_commands(
            app,
            {"privacy": self.privacy, "forgetme": self.forget_me, "forget": self.forget_other,
             "audit": self.audit},
            {"forget": self.forget_pressed, "audit": self.audit_page},
        )

    # -- what is kept -----------------------------------------------------------------------

    async def privacy(self, update: Update, context: TongxinContext) -> None:
        """Tell the person what the bot keeps about them and who can see it."""
        found = await private_mine(update, context, context.services.of(PrivacyService).holdings)
        if found is None:
            return
        reader, holdings = found
        names = {o.id: o.name for o in await context.services.network.organisations()}
        await reply(update, _render_holdings(reader, holdings, names, context))

    # -- forgetting -------------------------------------------------------------------------

    async def forget_me(self, update: Update, context: TongxinContext) -> None:
        """Ask the person to confirm that their details are to be erased."""
        reader = await private_reader(update, context)
        if reader is None:
            return
        text = reader.t(
            N_(
                "Erase your details? I will forget your name, username, language and Telegram "
                "id. Your pledges and deliveries stay in the totals, without your name, and "
                "cannot be changed or cancelled by you afterwards. If you write to me again, "
                "I will know you as a new person."
            )
        )
        await reply(update, escape(text), self._confirm_buttons(reader, reader.person))

    async def forget_other(self, update: Update, context: TongxinContext) -> None:
        """An admin erases a person's details on their request: /forget USER, confirmed."""
        target = partial(_erasure_target, context.services.of(PrivacyService))
        found = await private_read(update, context, target)
        if found is None:
            return
        reader, person = found
        text = reader.t(
            N_(
                "Erase the details of {name} (id {id})? Their name, username, language and "
                "Telegram id are forgotten; their pledges stay in the totals without a name."
            ),
            name=person.name,
            id=person.id,
        )
        await reply(update, escape(text), self._confirm_buttons(reader, person))

    @staticmethod
    def _confirm_buttons(reader: Reader, person: Person) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        reader.t(N_("Erase")),
                        callback_data=f"forget:{person.id}:{erasure_stamp(person)}",
                    ),
                    InlineKeyboardButton(reader.t(N_("Keep")), callback_data="forget:keep"),
                ]
            ]
        )

    async def forget_pressed(self, update: Update, context: TongxinContext) -> None:
        """Erase, re-checking at the press who pressed and whose details these are."""
        press = await pressed(update, context, FORGET_CALLBACK)
        if press is None:
            return
        query, reader, match = press
        if match.group(1):
            await context.services.network.mark_update(update.update_id)
            await query.edit_message_text(escape(reader.t(N_("Nothing was erased."))))
            await query.answer()
            return
        target = strict_id(match.group(2))
        if target is None:
            await query.answer(reader.t(N_("This button is no longer valid.")), show_alert=True)
            return
        forgetting = context.services.of(PrivacyService).forget(
            Origin(reader.person.id, update.update_id), target, int(match.group(3))
        )
        forgotten = await attempt(update, context, reader, forgetting, answer_replay=True)
        if forgotten is None:
            return
        if target == reader.person.id:
            text = reader.t(
                N_(
                    "Done: I have forgotten you. Your {count} pledges stay in the totals "
                    "without your name."
                ),
                count=forgotten.pledges,
            )
        else:
            text = reader.t(
                N_("Done: the person is forgotten. Their {count} pledges stay in the totals."),
                count=forgotten.pledges,
            )
        await query.edit_message_text(escape(text))
        await query.answer()

    # -- the audit trail --------------------------------------------------------------------

    async def audit(self, update: Update, context: TongxinContext) -> None:
        """Show an admin the history of a pledge or an appeal: /audit p12, /audit a3."""
        found = await private_read(
            update, context, partial(_history, context.services.of(PrivacyService))
        )
        if found is None:
            return
        reader, (subject, entries) = found
        pages = _pages(reader, subject, entries)
        last = len(pages) - 1
        await reply(update, pages[last], _page_buttons(reader, subject, last, len(pages)))

    async def audit_page(self, update: Update, context: TongxinContext) -> None:
        """Turn a page of a history; the presser must still be an admin."""
        press = await pressed(update, context, AUDIT_CALLBACK)
        if press is None:
            return
        query, reader, match = press
        history = _history(context.services.of(PrivacyService), reader, match.group(1))
        found = await attempt(update, context, reader, history, claims=False)
        if found is None:
            return
        subject, entries = found
        pages = _pages(reader, subject, entries)
        page = int(match.group(2))
        if page >= len(pages):
            await query.answer(reader.t(N_("This button is no longer valid.")), show_alert=True)
            return
        await query.edit_message_text(
            pages[page],
            parse_mode="HTML",
            reply_markup=_page_buttons(reader, subject, page, len(pages)),
        )
        await query.answer()


async def _erasure_target(privacy: PrivacyService, reader: Reader, reference: str) -> Person:
    """The person /forget names (no name written is refused with the usage)."""
    if not reference:
        raise InvalidInput(N_("Usage: /forget USER — a numeric id or an @username."))
    return await privacy.erasure_target(Origin(reader.person.id), reference)


async def _history(
    privacy: PrivacyService, reader: Reader, written: str
) -> tuple[AuditSubject, list[AuditEntry]]:
    """The subject written (p12, a3) and its audit entries, for an admin."""
    subject = AuditSubject.parse(written)
    return subject, await privacy.history(Origin(reader.person.id), subject)


def _render_holdings(
    reader: Reader, holdings: Holdings, names: dict[int, str], context: TongxinContext
) -> str:
    person = holdings.person
    t = reader.t
    roles = [
        t(_ROLE_NAMES[r.role])
        + (f" ({names.get(r.organisation_id, '?')})" if r.organisation_id is not None else "")
        for r in holdings.roles
    ]
    kept = [
        t(N_("Name: {name}"), name=person.name),
        t(N_("Username: {username}"), username=f"@{person.username}" if person.username else "—"),
        t(N_("Telegram id: {id}"), id=person.id),
        t(
            N_("Language: {language}; time zone: {timezone}"),
            language=LANGUAGE_NAMES[person.language],
            timezone=person.timezone,
        ),
        t(N_("Roles: {roles}"), roles=t(N_(", ")).join(roles) if roles else "—"),
        t(
            N_("Pledges: {pledges}; supply offers: {offers}; messages waiting for you: {queued}"),
            pledges=holdings.pledges,
            offers=holdings.offers,
            queued=holdings.queued_messages,
        ),
    ]
    if holdings.dialog_open:
        kept.append(t(N_("An unfinished conversation (erased after 24 hours)")))
    seen = [
        t(
            N_(
                "Coordinators of the appeal and of the organisation you pledge for (and of "
                "those above it) see your pledges and deliveries with your name."
            )
        ),
        t(N_("Admins see everything, and the history of changes.")),
        t(N_("Groups see totals only; your name only where you chose to be named.")),
        t(
            N_(
                "Messages you send are kept one day; pledges of appeals closed more than "
                "{days} days ago lose your name."
            ),
            days=context.services.of(PrivacyService).retention_days,
        ),
    ]
    kept_heading = escape(t(N_("What I keep about you")))
    seen_heading = escape(t(N_("Who sees it")))
    lines = [f"<b>{kept_heading}</b>"]
    lines += [f"• {escape(line)}" for line in kept]
    lines += ["", f"<b>{seen_heading}</b>"]
    lines += [f"• {escape(line)}" for line in seen]
    lines += ["", escape(t(N_("/forgetme erases your name and details.")))]
    return "\n".join(lines)


def _actor_name(reader: Reader, entry: AuditEntry) -> str:
    actor = entry.actor
    if actor.kind is ActorKind.PERSON:
        return actor.name or "?"
    if actor.kind is ActorKind.FORGOTTEN:
        return reader.t(N_("a forgotten person ({reference})"), reference=actor.reference)
    if actor.kind is ActorKind.UNKNOWN:
        return reader.t(N_("user {reference}"), reference=actor.reference)
    return reader.t(N_("the bot"))


def _clip(value: str | None) -> str:
    if value is None:
        return "—"
    return value if len(value) <= VALUE_SHOWN else value[: VALUE_SHOWN - 1] + "…"


def _entry_lines(reader: Reader, entry: AuditEntry) -> str:
    zone = zone_of(reader.person.timezone)
    when = entry.at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    action = action_text(reader, entry.action)
    head = f"<b>{when}</b> · {escape(_actor_name(reader, entry))} · {escape(action)}"
    if entry.subject.startswith("fulfilment:"):
        head += f" ({escape(entry.subject)})"
    if entry.before is None and entry.after is None:
        return head
    return f"{head}\n    {escape(_clip(entry.before))} → {escape(_clip(entry.after))}"


def _pages(reader: Reader, subject: AuditSubject, entries: list[AuditEntry]) -> list[str]:
    """Split a history into pages that fit a message, whole entries only, oldest first."""
    title = escape(reader.t(N_("History of {subject}"), subject=subject.code))
    heading = f"<b>{title}</b>"
    zone_note = escape(reader.t(N_("Times in {zone}"), zone=str(zone_of(reader.person.timezone))))
    pages: list[list[str]] = [[]]
    size = 0
    for entry in entries:
        block = _entry_lines(reader, entry)
        if pages[-1] and size + len(block) + 1 > PAGE_BUDGET:
            pages.append([])
            size = 0
        pages[-1].append(block)
        size += len(block) + 1
    total = len(pages)
    rendered = []
    for number, blocks in enumerate(pages, start=1):
        counter = f" ({number}/{total})" if total > 1 else ""
        rendered.append("\n".join([heading + counter, zone_note, "", *blocks]))
    return rendered


def _page_buttons(
    reader: Reader, subject: AuditSubject, page: int, total: int
) -> InlineKeyboardMarkup | None:
    if total <= 1:
        return None
    row = []
    if page > 0:
        row.append(
            InlineKeyboardButton(
                reader.t(N_("◀ Earlier")), callback_data=f"audit:{subject.code}:{page - 1}"
            )
        )
    if page < total - 1:
        row.append(
            InlineKeyboardButton(
                reader.t(N_("Later ▶")), callback_data=f"audit:{subject.code}:{page + 1}"
            )
        )
    return InlineKeyboardMarkup([row])
