"""The shape every feature area shows the composition: its commands, handlers and dialogs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from telegram.ext import Application

from domain.dialogs.engine import DialogKind
from handlers.common import CommandSpec
from handlers.context import Services
from handlers.dialogs import DialogView


class Feature(Protocol):
    """A feature area as `handlers/setup.py` registers it (see docs/architecture.md)."""

    #: its commands, for /help, the command menu and the permission matrix
    commands: tuple[CommandSpec, ...]

    def register(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Put the feature's command and button handlers on the application."""
        ...

    def views(self) -> Sequence[DialogView]:
        """The Telegram views of the feature's dialog kinds."""
        ...

    def kinds(self, services: Services) -> Sequence[DialogKind[Any]]:
        """The feature's dialog kinds, built from the wired services."""
        ...


class WithoutDialogs:
    """A feature area that has commands and buttons but no dialog of its own."""

    commands: tuple[CommandSpec, ...] = ()

    def views(self) -> Sequence[DialogView]:
        """No dialog views."""
        return []

    def kinds(self, services: Services) -> Sequence[DialogKind[Any]]:
        """No dialog kinds."""
        return []
