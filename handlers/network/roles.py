"""Roles in chat: /grant and /revoke (admins), and telling the person of the change."""

from __future__ import annotations

from telegram import Update
from telegram.error import Forbidden, TelegramError

from domain.errors import N_, DomainError, InvalidInput, PermissionDenied
from domain.kernel.origin import AlreadyProcessed, Origin
from domain.network.models import Person, Role
from handlers.common import command_arguments, private_reader, refuse, reply
from handlers.context import TongxinContext
from handlers.render import escape

_ROLE_NAMES = {
    "member": N_("member"),
    "coordinator": N_("coordinator"),
    "admin": N_("admin"),
}

_GRANT_USAGE = N_(
    "Usage: /grant USER ROLE [ORGANISATION] — ROLE is member (of an organisation), "
    "coordinator or admin; USER is a numeric id or an @username."
)

_WITH_ORGANISATION = N_("{text} ({organisation})")


class RoleHandlers:
    """/grant and /revoke."""

    async def grant(self, update: Update, context: TongxinContext) -> None:
        """Grant a role: /grant USER coordinator [ORGANISATION] (admins)."""
        await self._role_change(update, context, granting=True)

    async def revoke(self, update: Update, context: TongxinContext) -> None:
        """Revoke a role: /revoke USER coordinator [ORGANISATION] (admins)."""
        await self._role_change(update, context, granting=False)

    async def _role_change(
        self, update: Update, context: TongxinContext, *, granting: bool
    ) -> None:
        # private only, like every admin command: in a group the bot answers only what the
        # user guide says groups get, and a role change is nobody else's business there
        reader = await private_reader(update, context)
        message = update.effective_message
        if reader is None or message is None:
            return
        network = context.services.network
        words = command_arguments(message).split(maxsplit=2)
        try:
            standing = await network.standing(reader.person.id)
            if not standing.is_admin:
                raise PermissionDenied(N_("Only admins can do that."))
            if len(words) < 2:
                raise InvalidInput(_GRANT_USAGE)
            target_ref = words.pop(0)
            role = words[0]
            organisation = words[1] if len(words) > 1 else None
            person = await network.find_person(target_ref)
            origin = Origin(reader.person.id, update.update_id)
            if granting:
                changed = await network.grant(origin, person.id, role, organisation)
                message_id = N_("{name} is now {role}.")
            else:
                changed = await network.revoke(origin, person.id, role, organisation)
                message_id = N_("{name} is no longer {role}.")
            text = reader.t(message_id, name=person.name, role=reader.t(_ROLE_NAMES[changed.role]))
            if organisation:
                text = reader.t(_WITH_ORGANISATION, text=text, organisation=organisation)
        except AlreadyProcessed:
            return
        except DomainError as error:
            await refuse(update, reader, error)
            return
        # The person hears first, so the admin's answer means both were sent.
        if person.id != reader.person.id:
            await _tell_about_role(context, person, changed, organisation, granted=granting)
        await reply(update, escape(text))


async def _tell_about_role(
    context: TongxinContext,
    person: Person,
    role: Role,
    organisation: str | None,
    *,
    granted: bool,
) -> None:
    """Tell the person, in their language, that they were given or lost a role."""
    translations = context.services.translations
    language = person.language
    role_name = translations.translate(language, _ROLE_NAMES[role.role])
    if granted:
        text = translations.translate(
            language, N_("You are now {role}. /help lists what you can do."), role=role_name
        )
    else:
        text = translations.translate(language, N_("You are no longer {role}."), role=role_name)
    if organisation and role.organisation_id is not None:
        text = translations.translate(
            language, _WITH_ORGANISATION, text=text, organisation=" ".join(organisation.split())
        )
    try:
        await context.bot.send_message(person.id, escape(text), parse_mode="HTML")
    except Forbidden:
        await context.services.network.mark_unreachable(person.id)
    except TelegramError:
        return
