"""`/appealreminders APPEAL [pause|resume|default|N M K]`: an appeal's own reminder policy."""

from __future__ import annotations

from telegram import Update

from domain.appeals.models import Appeal
from domain.errors import N_, InvalidInput
from domain.kernel.origin import Origin
from domain.parsing.integers import parse_int
from domain.reminders.models import (
    MAX_BEFORE_DAYS,
    MAX_EVERY_DAYS,
    MAX_OVERDUE,
    AppealPolicy,
    ReminderPolicy,
)
from domain.reminders.service import ReminderService
from handlers.common import attempt, private_command, reply
from handlers.context import Reader, TongxinContext
from handlers.render import escape

PAUSED = N_("Appeal #{number} {title}: its reminders are paused.")
POLICY = N_("Appeal #{number} {title}: reminders {before} days before the due date, on the "
            "day, then every {every} days, at most {most} after it.")
NETWORKS = N_("This is the network's policy.")
USAGE = N_("Write /appealreminders APPEAL, then pause, resume, default, or three numbers: "
           "days before, days between, most overdue reminders, e.g. /appealreminders 12 2 3 3.")
OUT_OF_RANGE = N_("Days before: 0 to {before}; days between: 1 to {every}; overdue "
                  "reminders: 0 to {most}.")


def policy_text(reader: Reader, number: int, title: str, own: AppealPolicy,
                network: ReminderPolicy) -> str:
    """The appeal's reminders: paused, or the policy that applies (HTML)."""
    if own.paused:
        return escape(reader.t(PAUSED, number=number, title=title))
    policy = own.policy or network
    line = reader.t(POLICY, number=number, title=title, before=policy.before_days,
                    every=policy.every_days, most=policy.max_overdue)
    return escape(line if own.policy else f"{line}\n{reader.t(NETWORKS)}")


def read_policy(words: list[str], current: AppealPolicy) -> AppealPolicy | None:
    """What the words after the appeal ask for; None when they are not understood."""
    if words == ["pause"]:
        return AppealPolicy(True, current.policy)
    if words == ["resume"]:
        return AppealPolicy(False, current.policy)
    if words == ["default"]:
        return AppealPolicy(current.paused, None)
    numbers = [parse_int(word) for word in words]
    if len(numbers) != 3 or None in numbers:
        return None
    before, every, most = (n or 0 for n in numbers)
    try:
        return AppealPolicy(current.paused, ReminderPolicy(before, every, most))
    except ValueError:
        raise InvalidInput(OUT_OF_RANGE, before=MAX_BEFORE_DAYS, every=MAX_EVERY_DAYS,
                           most=MAX_OVERDUE) from None


async def appeal_reminders_command(update: Update, context: TongxinContext) -> None:
    """Show an appeal's reminders, or pause, resume or change them (its coordinators)."""
    asked = await private_command(update, context)
    if asked is None:
        return
    reader, arguments = asked
    words = arguments.lower().lstrip("#").split()[:5]
    appeal_id = parse_int(words[0], minimum=1) if words else None
    if appeal_id is None:
        await reply(update, escape(reader.t(USAGE)))
        return
    service = context.services.reminders
    origin = Origin(reader.person.id, update.update_id)
    changes = words[1:]
    shown = _policy(service, reader.person.id, origin, appeal_id, changes)
    found = await attempt(update, context, reader, shown, claims=bool(changes))
    if found is None:
        return
    appeal, own = found
    await reply(update, policy_text(reader, appeal.id, appeal.title, own,
                                    service.network_policy))


async def _policy(
    service: ReminderService, person_id: int, origin: Origin, appeal_id: int, changes: list[str]
) -> tuple[Appeal, AppealPolicy]:
    """The appeal's reminders as its coordinator sees them, changed first when `changes` are
    written (changes it cannot read are refused with the usage)."""
    appeal, own = await service.appeal_policy(person_id, appeal_id)
    if not changes:
        return appeal, own
    wanted = read_policy(changes, own)
    if wanted is None:
        raise InvalidInput(USAGE)
    return await service.set_appeal_policy(origin, appeal_id, wanted)
