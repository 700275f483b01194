"""The network registry in chat: organisations, group chats, roles (one feature area)."""

from __future__ import annotations

from typing import Any

from telegram.ext import (
    Application,
    ChatMemberHandler,
    MessageHandler,
    filters,
)

from handlers.common import add_commands
from handlers.feature import SharedServicesOnly, WithoutDialogs
from handlers.network.chats import ChatHandlers
from handlers.network.organisations import OrganisationHandlers
from handlers.network.roles import RoleHandlers


class NetworkHandlers(SharedServicesOnly, WithoutDialogs):
    """Organisations, chats and roles."""

    def __init__(self) -> None:
        self._organisations = OrganisationHandlers()
        self._chats = ChatHandlers()
        self._roles = RoleHandlers()

    def register(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Add the handlers to the application."""
        organisations, chats, roles = self._organisations, self._chats, self._roles
        add_commands(
            app,
            {"org": organisations.org, "chats": chats.chats, "grant": roles.grant,
             "revoke": roles.revoke, "link": chats.link},
            {"link": chats.link_chosen},
        )
        app.add_handler(ChatMemberHandler(chats.membership, ChatMemberHandler.MY_CHAT_MEMBER))
        app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, chats.migrated))
        app.add_handler(MessageHandler(filters.StatusUpdate.NEW_CHAT_TITLE, chats.renamed))
