"""The network registry in chat: organisations, group chats, roles."""

from __future__ import annotations

import re

from telegram import (
    ChatMember,
    ChatMemberUpdated,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.constants import ChatType
from telegram.error import Forbidden, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from domain.errors import N_, DomainError, InvalidInput, PermissionDenied
from domain.kernel.origin import AlreadyProcessed, Origin
from domain.network.models import ChatStatus, OrganisationNode, Person, Role
from domain.network.service import StillReferenced
from domain.parsing.integers import parse_chat_id, parse_id
from handlers.common import command_arguments, private_reader, reader_for, refuse, reply, seen_user
from handlers.context import Reader, TongxinContext
from handlers.render import escape

LINK_CALLBACK = re.compile(r"^link:(-?[0-9]{1,19}):([0-9]{1,19})$")
MAX_LINK_BUTTONS = 90

_STATUS_NAMES = {
    ChatStatus.PENDING: N_("pending"),
    ChatStatus.APPROVED: N_("approved"),
    ChatStatus.LEFT: N_("left"),
    ChatStatus.BLOCKED: N_("blocked"),
}

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

#: /org verbs as admins write them in Chinese.
_ORG_VERBS = {
    "添加": "add", "新增": "add", "列表": "list", "列出": "list", "改名": "rename",
    "重命名": "rename", "删除": "remove", "刪除": "remove", "移除": "remove",
}

#: What refers to an organisation, per table, as a refusal names it.
_REFERRING = {
    "organisation": N_("{count} sub-organisations"),
    "chat": N_("{count} groups"),
    "role": N_("{count} roles (members and coordinators)"),
    "appeal": N_("{count} appeals"),
    "pledge": N_("{count} pledges made on its behalf"),
}

_ORG_USAGE = N_(
    "Usage:\n/org add NAME [under PARENT]\n/org list\n/org rename OLD => NEW\n/org remove NAME"
)


class NetworkHandlers:
    """Organisations, chats and roles."""

    def register(self, app: Application) -> None:  # type: ignore[type-arg]
        """Add the handlers to the application."""
        app.add_handler(CommandHandler("org", self.org))
        app.add_handler(CommandHandler("chats", self.chats))
        app.add_handler(CommandHandler("grant", self.grant))
        app.add_handler(CommandHandler("revoke", self.revoke))
        app.add_handler(CommandHandler("link", self.link))
        app.add_handler(CallbackQueryHandler(self.link_chosen, pattern=r"^link:"))
        app.add_handler(ChatMemberHandler(self.membership, ChatMemberHandler.MY_CHAT_MEMBER))
        app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, self.migrated))
        app.add_handler(MessageHandler(filters.StatusUpdate.NEW_CHAT_TITLE, self.renamed))

    # -- organisations -------------------------------------------------------------------

    async def org(self, update: Update, context: TongxinContext) -> None:
        """Manage the organisation tree (admins, private chat)."""
        reader = await private_reader(update, context)
        message = update.effective_message
        if reader is None or message is None:
            return
        args = command_arguments(message)
        verb, _, rest = args.partition(" ")
        verb = _ORG_VERBS.get(verb.lower(), verb.lower())
        origin = Origin(reader.person.id, update.update_id)
        network = context.services.network
        try:
            if verb in ("", "list"):
                standing = await network.standing(reader.person.id)
                if not standing.is_coordinator:
                    raise_denied()
                await self._show_tree(update, reader, await network.organisation_tree())
            elif verb == "add":
                name, parent = _split_under(rest)
                org = await network.add_organisation(origin, name, parent)
                await reply(update, escape(reader.t(N_("Added “{name}”."), name=org.name)))
            elif verb == "rename":
                old, sep, new = rest.replace("→", "=>").partition("=>")
                if not sep:
                    raise InvalidInput(_ORG_USAGE)
                org = await network.rename_organisation(origin, old, new)
                await reply(update, escape(reader.t(N_("Renamed to “{name}”."), name=org.name)))
            elif verb == "remove":
                org = await network.remove_organisation(origin, rest)
                await reply(update, escape(reader.t(N_("Removed “{name}”."), name=org.name)))
            else:
                raise InvalidInput(_ORG_USAGE)
        except AlreadyProcessed:
            return
        except StillReferenced as error:
            await reply(update, escape(_still_referenced(reader, error)))
        except DomainError as error:
            await refuse(update, reader, error)

    async def _show_tree(
        self, update: Update, reader: Reader, tree: list[OrganisationNode]
    ) -> None:
        if not tree:
            await reply(
                update, escape(reader.t(N_("No organisations yet. Add one with /org add NAME.")))
            )
            return
        lines = [f"<b>{escape(reader.t(N_('Organisations')))}</b>"]

        def walk(node: OrganisationNode, depth: int) -> None:
            lines.append("  " * depth + "• " + escape(node.organisation.name))
            for child in node.children:
                walk(child, depth + 1)

        for root in tree:
            walk(root, 0)
        await reply(update, "\n".join(lines))

    # -- chats -----------------------------------------------------------------------------

    async def chats(self, update: Update, context: TongxinContext) -> None:
        """List group chats by status (admins, private chat)."""
        reader = await private_reader(update, context)
        if reader is None:
            return
        try:
            chats = await context.services.network.chats(Origin(reader.person.id))
        except DomainError as error:
            await refuse(update, reader, error)
            return
        if not chats:
            await reply(update, escape(reader.t(N_("I am not in any group yet."))))
            return
        names = {o.id: o.name for o in await context.services.network.organisations()}
        lines: list[str] = []
        for status in ChatStatus:
            group = [c for c in chats if c.status is status]
            if not group:
                continue
            lines.append(f"<b>{escape(reader.t(_STATUS_NAMES[status]))}</b> ({len(group)})")
            for chat in sorted(group, key=lambda c: c.title):
                org = names.get(chat.organisation_id or 0)
                suffix = f" → {escape(org)}" if org else ""
                lines.append(f"• {escape(chat.title)} <code>{chat.id}</code>{suffix}")
        await reply(update, "\n".join(lines))

    async def link(self, update: Update, context: TongxinContext) -> None:
        """Offer the organisations a group can be linked to (coordinators and admins)."""
        reader = await reader_for(update, context)
        chat = update.effective_chat
        if reader is None or chat is None:
            return
        if chat.type not in (ChatType.GROUP, ChatType.SUPERGROUP):
            await reply(update, escape(reader.t(N_("Use /link in the group you want to link."))))
            return
        network = context.services.network
        record = await network.chat(chat.id)
        if record is None or record.status is ChatStatus.LEFT:
            await network.bot_joined_chat(chat.id, chat.title or str(chat.id), chat.type)
        standing = await network.standing(reader.person.id)
        if not standing.is_coordinator:
            await reply(
                update, escape(reader.t(N_("Only coordinators and admins can link a group.")))
            )
            return
        try:
            choices = await network.linkable_organisations(reader.person.id, chat.id)
        except DomainError as error:
            await refuse(update, reader, error)
            return
        if not choices:
            await reply(
                update,
                escape(
                    reader.t(
                        N_(
                            "There is no organisation you can link this "
                            "group to. An admin adds them with /org add."
                        )
                    )
                ),
            )
            return
        rows = [
            [InlineKeyboardButton(org.name[:60], callback_data=f"link:{chat.id}:{org.id}")]
            for org in choices[:MAX_LINK_BUTTONS]
        ]
        await reply(
            update,
            escape(reader.t(N_("Which organisation does this group belong to?"))),
            InlineKeyboardMarkup(rows),
        )

    async def link_chosen(self, update: Update, context: TongxinContext) -> None:
        """Approve the group for the chosen organisation; the presser's rights are checked."""
        query = update.callback_query
        reader = await reader_for(update, context)
        if query is None or reader is None:
            return
        match = LINK_CALLBACK.match(query.data or "")
        message_chat = query.message.chat.id if query.message is not None else None
        chat_id = parse_chat_id(match.group(1)) if match is not None else None
        organisation_id = parse_id(match.group(2)) if match is not None else None
        if chat_id is None or organisation_id is None or chat_id != message_chat:
            await query.answer(reader.t(N_("This button is no longer valid.")), show_alert=True)
            return
        try:
            chat = await context.services.network.link_chat(
                Origin(reader.person.id, update.update_id), chat_id, organisation_id
            )
        except AlreadyProcessed:
            return
        except DomainError as error:
            await refuse(update, reader, error)
            return
        names = {o.id: o.name for o in await context.services.network.organisations()}
        await query.answer()
        await query.edit_message_text(
            escape(
                reader.t(
                    N_(
                        "This group is now linked to “{name}”. "
                        "It will receive the network's appeals."
                    ),
                    name=names.get(chat.organisation_id or 0, "?"),
                )
            )
        )

    async def membership(self, update: Update, context: TongxinContext) -> None:
        """Follow the bot being added to or removed from a chat, or blocked in private."""
        change = update.my_chat_member
        if change is None:
            return
        network = context.services.network
        chat = change.chat
        if chat.type == ChatType.PRIVATE:
            if _is_gone(change):
                await network.mark_unreachable(chat.id)
            return
        if chat.type == ChatType.CHANNEL:
            return
        if _is_gone(change):
            await network.bot_left_chat(chat.id)
            return
        if _was_gone(change):
            _, introduce = await network.bot_joined_chat(
                chat.id, chat.title or str(chat.id), chat.type
            )
            if introduce:
                services = context.services
                language = services.default_language
                adder = change.from_user
                if adder is not None and not adder.is_bot:
                    language = (await network.seen(seen_user(adder))).language
                text = services.translations.translate(
                    language,
                    N_(
                        "Hello! I am Tongxin (同心). A coordinator must send /link here to "
                        "connect this group to the network."
                    ),
                )
                try:
                    await context.bot.send_message(chat.id, text)
                except TelegramError:
                    return

    async def migrated(self, update: Update, context: TongxinContext) -> None:
        """Keep a group's record when it became a supergroup."""
        message = update.effective_message
        if message is None:
            return
        if message.migrate_to_chat_id:
            await context.services.network.chat_migrated(
                message.chat.id, message.migrate_to_chat_id
            )
        elif message.migrate_from_chat_id:
            await context.services.network.chat_migrated(
                message.migrate_from_chat_id, message.chat.id, message.chat.title
            )

    async def renamed(self, update: Update, context: TongxinContext) -> None:
        """Follow a group's title change."""
        message = update.effective_message
        if message is None or not message.new_chat_title:
            return
        await context.services.network.chat_renamed(message.chat.id, message.new_chat_title)

    # -- roles -----------------------------------------------------------------------------

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
                raise_denied(N_("Only admins can do that."))
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


def _still_referenced(reader: Reader, error: StillReferenced) -> str:
    """Name what still refers to an organisation, in the reader's language."""
    parts = [
        reader.t(_REFERRING[table], count=count)
        if table in _REFERRING
        else reader.t(N_("{count} records of {table}"), count=count, table=table)
        for table, count in error.counts.items()
    ]
    return reader.t(
        error.message, name=error.params["name"], records=reader.t(N_(", ")).join(parts)
    )


def raise_denied(message: str = N_("Only coordinators and admins can do that.")) -> None:
    """Refuse a privileged action."""
    raise PermissionDenied(message)


def _split_under(text: str) -> tuple[str, str | None]:
    for marker in (" under ", " 属于 ", " 屬於 ", " 上级 ", " 上級 ", " 隶属 ", " 隸屬 "):
        name, sep, parent = text.partition(marker)
        if sep:
            return name, parent
    return text, None


def _is_gone(change: ChatMemberUpdated) -> bool:
    return change.new_chat_member.status in (ChatMember.LEFT, ChatMember.BANNED)


def _was_gone(change: ChatMemberUpdated) -> bool:
    return change.old_chat_member.status in (ChatMember.LEFT, ChatMember.BANNED)
