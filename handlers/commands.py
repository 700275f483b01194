"""The command menu: one list of commands, shown per role, scope and language."""

from __future__ import annotations

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
)

from domain.kernel.standing import RoleName, Standing
from domain.network.models import Language
from handlers.common import CommandSpec
from handlers.i18n import N_, Translations

CORE_COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("start", N_("What this bot does for you"), RoleName.MEMBER),
    CommandSpec("help", N_("The commands you can use"), RoleName.MEMBER, group=True),
    CommandSpec("lang", N_("Choose your language"), RoleName.MEMBER),
    CommandSpec("cancel", N_("Stop what you are doing"), RoleName.MEMBER),
    CommandSpec(
        "link",
        N_("Link this group to an organisation"),
        RoleName.COORDINATOR,
        private=False,
        group=True,
    ),
    CommandSpec("org", N_("Organisations: add, list, rename, remove"), RoleName.ADMIN),
    CommandSpec("chats", N_("Group chats by status"), RoleName.ADMIN),
    CommandSpec("grant", N_("Give someone a role"), RoleName.ADMIN),
    CommandSpec("revoke", N_("Take a role away"), RoleName.ADMIN),
)

_RANK = {RoleName.MEMBER: 0, RoleName.COORDINATOR: 1, RoleName.ADMIN: 2}


def commands_for(
    commands: tuple[CommandSpec, ...], role: RoleName, *, private: bool
) -> list[CommandSpec]:
    """The commands a person of this role may use in a private chat or a group."""
    return [
        c for c in commands if _RANK[c.role] <= _RANK[role] and (c.private if private else c.group)
    ]


def commands_for_standing(
    commands: tuple[CommandSpec, ...], standing: Standing, *, private: bool
) -> list[CommandSpec]:
    """The commands this person may use, from their roles read now."""
    return commands_for(commands, standing.highest, private=private)


async def publish_menu(
    bot: Bot,
    translations: Translations,
    commands: tuple[CommandSpec, ...],
    default_language: Language,
    privileged: dict[int, RoleName],
) -> None:
    """Set the command menu per scope and language (and per admin/coordinator chat)."""
    telegram_codes: dict[str | None, Language] = {
        None: default_language,
        "en": Language.EN,
        "zh": Language.ZH_HANS,
    }

    def listed(role: RoleName, private: bool, language: Language) -> list[BotCommand]:
        return [
            BotCommand(c.name, translations.translate(language, c.description)[:256])
            for c in commands_for(commands, role, private=private)
        ]

    for code, language in telegram_codes.items():
        await bot.set_my_commands(
            listed(RoleName.MEMBER, True, language),
            scope=BotCommandScopeAllPrivateChats(),
            language_code=code,
        )
        await bot.set_my_commands(
            listed(RoleName.MEMBER, False, language),
            scope=BotCommandScopeAllGroupChats(),
            language_code=code,
        )
        await bot.set_my_commands(
            listed(RoleName.COORDINATOR, False, language),
            scope=BotCommandScopeAllChatAdministrators(),
            language_code=code,
        )
    for person_id, role in privileged.items():
        await bot.set_my_commands(
            listed(role, True, default_language), scope=BotCommandScopeChat(person_id)
        )
