"""The coordinators' daily digest (`domain.reminders.digest`) and `/digest`."""

from __future__ import annotations

from functools import partial

from telegram import Update

from domain.errors import N_
from domain.kernel.origin import Origin
from domain.network.models import Language
from domain.reminders.digest import DailyDigestService, Digest, DigestSetting
from domain.reminders.models import parse_clock_time
from handlers.common import reply, setting_command
from handlers.context import Reader, TongxinContext
from handlers.pledge_render import measure_text, pledge_line
from handlers.render import Written, escape

#: Lines of each list in one digest; the rest are counted.
LISTED = 10
HEAD = N_("Your daily digest:")
NEW = N_("New pledges: {count}")
DELIVERED = N_("Deliveries reported: {count}")
AWAITING = N_("Reports awaiting your confirmation: {count} (see /inbox)")
APPEAL = N_("Appeal #{number} {title}: {pledges} pledges from {pledgers} pledgers, "
            "{overdue} overdue")
MORE = N_("…and {count} more")
#: Whether the digest is sent, by whether it is off.
STATE = {True: N_("Your daily digest is off."), False: N_("Your daily digest is on, at {time}.")}
USAGE = N_("Change it with /digest off, /digest on or /digest HH:MM, e.g. /digest 19:30.")


class DigestTexts(Written):
    """Writes digests (implements `domain.reminders.digest.DigestTexts`)."""

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
    state = reader.t(STATE[setting.off], time=f"{setting.at:%H:%M}")
    return escape(f"{state}\n{reader.t(USAGE)}")


async def digest_command(update: Update, context: TongxinContext) -> None:
    """`/digest`: the setting; `/digest off`, `/digest on`, `/digest HH:MM` change it."""
    service = context.services.daily_digests
    shown = await setting_command(
        update, context, service.setting, lambda origin, off: service.change(origin, off=off),
        partial(_change_time, service), USAGE,
    )
    if shown is not None:
        await reply(update, setting_text(*shown))


async def _change_time(service: DailyDigestService, origin: Origin, word: str) -> DigestSetting:
    """Move the digest to the time written (a time it cannot read is refused)."""
    return await service.change(origin, at=parse_clock_time(word[:10]))
