"""The coordinators' daily digest (`domain.reminders.digest`) and `/digest`."""

from __future__ import annotations

from telegram import Update

from domain.errors import N_
from domain.kernel.origin import Origin
from domain.network.models import Language
from domain.reminders.digest import DailyDigestService, Digest, DigestSetting
from domain.reminders.models import parse_clock_time
from handlers.common import attempt, private_command, reply
from handlers.context import Reader, TongxinContext
from handlers.i18n import Translations
from handlers.pledge_render import measure_text, pledge_line
from handlers.render import escape

#: Lines of each list in one digest; the rest are counted.
LISTED = 10
HEAD = N_("Your daily digest:")
NEW = N_("New pledges: {count}")
DELIVERED = N_("Deliveries reported: {count}")
AWAITING = N_("Reports awaiting your confirmation: {count} (see /inbox)")
APPEAL = N_("Appeal #{number} {title}: {pledges} pledges from {pledgers} pledgers, "
            "{overdue} overdue")
MORE = N_("…and {count} more")
IS_ON = N_("Your daily digest is on, at {time}.")
IS_OFF = N_("Your daily digest is off.")
USAGE = N_("Change it with /digest off, /digest on or /digest HH:MM, e.g. /digest 19:30.")


class DigestTexts:
    """Writes digests (implements `domain.reminders.digest.DigestTexts`)."""

    def __init__(self, translations: Translations) -> None:
        self._translations = translations

    def digest(self, language: Language, digest: Digest) -> str:
        """The new pledges and deliveries, what awaits confirmation, each appeal (HTML)."""
        t, tr = self._translations.translate, self._translations
        lines = [t(language, HEAD)]

        def listed(title: str, items: list[str]) -> None:
            if not items:
                return
            lines.append(t(language, title, count=len(items)))
            lines.extend(f"• {item}" for item in items[:LISTED])
            if len(items) > LISTED:
                lines.append(t(language, MORE, count=len(items) - LISTED))

        listed(NEW, [f"#{p.id} {pledge_line(language, p, tr)}" for p in digest.new])
        listed(DELIVERED, [f"#{p.id} {measure_text(language, p, f.quantity, tr)}"
                           for p, f in digest.delivered])
        if digest.awaiting:
            lines.append(t(language, AWAITING, count=digest.awaiting))
        lines.extend(
            t(language, APPEAL, number=a.appeal.id, title=a.appeal.title, pledges=a.pledges,
              pledgers=a.pledgers, overdue=a.overdue)
            for a in digest.progress
        )
        return escape("\n".join(lines))


def setting_text(reader: Reader, setting: DigestSetting) -> str:
    """Whether the digest is on and when, and how to change it (HTML)."""
    state = reader.t(IS_OFF) if setting.off else reader.t(IS_ON, time=f"{setting.at:%H:%M}")
    return escape(f"{state}\n{reader.t(USAGE)}")


async def digest_command(update: Update, context: TongxinContext) -> None:
    """`/digest`: the setting; `/digest off`, `/digest on`, `/digest HH:MM` change it."""
    asked = await private_command(update, context)
    if asked is None:
        return
    reader, words = asked
    service = context.services.daily_digests
    origin = Origin(reader.person.id, update.update_id)
    word = words.lower()
    if not word:
        use_case = service.setting(reader.person.id)
    elif word in ("off", "on"):
        use_case = service.change(origin, off=word == "off")
    else:
        use_case = _change_time(service, origin, word)
    setting = await attempt(update, context, reader, use_case, claims=bool(word))
    if setting is not None:
        await reply(update, setting_text(reader, setting))


async def _change_time(service: DailyDigestService, origin: Origin, word: str) -> DigestSetting:
    """Move the digest to the time written (a time it cannot read is refused)."""
    return await service.change(origin, at=parse_clock_time(word[:10]))
