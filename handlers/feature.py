"""The shape every feature area shows the composition: its commands, handlers and dialogs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, TypeVar

from telegram.ext import Application

from domain.dialogs.engine import DialogKind
from handlers.common import CommandSpec
from handlers.context import Services
from handlers.dialogs import DialogView
from handlers.wiring import Wiring

#: The unit-of-work factory a feature's services need (its ports, nothing more).
U_contra = TypeVar("U_contra", contravariant=True)


class Feature(Protocol[U_contra]):
    """A feature area as `handlers/setup.py` registers it (see docs/architecture.md)."""

    #: its commands, for /help, the command menu and the permission matrix
    commands: tuple[CommandSpec, ...]

    def register(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Put the feature's command and button handlers on the application."""
        ...

    def views(self) -> Sequence[DialogView]:
        """The Telegram views of the feature's dialog kinds."""
        ...

    def services(self, wiring: Wiring[U_contra]) -> Sequence[object]:
        """The services the feature builds for itself (its handlers read them with
        `context.services.of(…)`); built before any feature's `kinds`."""
        ...

    def kinds(self, services: Services) -> Sequence[DialogKind[Any]]:
        """The feature's dialog kinds, built from the wired services."""
        ...


class SharedServicesOnly:
    """A feature area whose handlers use only the services every feature shares."""

    def services(self, wiring: Wiring[object]) -> Sequence[object]:
        """Nothing of its own."""
        return []


class WithoutDialogs:
    """A feature area that has commands and buttons but no dialog of its own."""

    commands: tuple[CommandSpec, ...] = ()

    def views(self) -> Sequence[DialogView]:
        """No dialog views."""
        return []

    def kinds(self, services: Services) -> Sequence[DialogKind[Any]]:
        """No dialog kinds."""
        return []
