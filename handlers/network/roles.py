"""Roles in chat: /grant and /revoke (admins), and telling the person of the change."""

from __future__ import annotations

from telegram import Update
from telegram.error import Forbidden, TelegramError

from domain.errors import N_, InvalidInput, PermissionDenied
from domain.kernel.origin import Origin
from domain.kernel.standing import Role
from domain.network.models import Person
from domain.network.service import NetworkService
from handlers.common import attempt, private_command, reply
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
#: The admin's answer, by whether the role was granted.
CHANGED = {True: N_("{name} is now {role}."), False: N_("{name} is no longer {role}.")}


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
        asked = await private_command(update, context)
        if asked is None:
            return
        reader, arguments = asked
        origin = Origin(reader.person.id, update.update_id)
        changing = _change_role(
            context.services.network, reader.person.id, origin, arguments.split(maxsplit=2),
            granting,
        )
        changed = await attempt(update, context, reader, changing)
        if changed is None:
            return
        person, role, organisation = changed
        text = reader.t(CHANGED[granting], name=person.name, role=reader.t(_ROLE_NAMES[role.role]))
        if organisation:
            text = reader.t(_WITH_ORGANISATION, text=text, organisation=organisation)
        # The person hears first, so the admin's answer means both were sent.
        if person.id != reader.person.id:
            await _tell_about_role(context, person, role, organisation, granted=granting)
        await reply(update, escape(text))


async def _change_role(
    network: NetworkService, admin_id: int, origin: Origin, words: list[str], granting: bool
) -> tuple[Person, Role, str | None]:
    """Grant or revoke the role the words name (`USER ROLE [ORGANISATION]`; admins only):
    the person, their changed role and the organisation as written."""
    standing = await network.standing(admin_id)
    if not standing.is_admin:
        raise PermissionDenied(N_("Only admins can do that."))
    if len(words) < 2:
        raise InvalidInput(_GRANT_USAGE)
    target_ref, role = words[0], words[1]
    organisation = words[2] if len(words) > 2 else None
    person = await network.find_person(target_ref)
    change = network.grant if granting else network.revoke
    return person, await change(origin, person.id, role, organisation), organisation


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
