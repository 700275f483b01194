"""What a feature builds its own services from: one typed wiring object, made once.

The composition root makes a `Wiring` whose `uow` is the SQL unit-of-work factory; a
feature's `services(wiring)` (see `handlers.feature.Feature`) builds its use cases from it,
and its handlers read them with `context.services.of(TheService)`. So a new feature needs
no field in `Services` and no line in the composition root: mypy checks, where the list of
features is typed (`handlers.setup.Units`), that the factory fits every feature's ports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from domain.clock import Clock
from domain.network.models import Language
from domain.pledges.reading import ParsingReader
from handlers.i18n import Translations

#: The unit-of-work factory the wiring carries (a feature asks only for its own ports).
U_co = TypeVar("U_co", covariant=True)


class DriveSettings(Protocol):
    """The settings of the drive that features build their services with."""

    @property
    def default_language(self) -> Language:
        """The network's language (groups, people who set none)."""
        ...

    @property
    def timezone(self) -> str:
        """The network's zone (people who set none)."""
        ...

    @property
    def currency(self) -> str:
        """The currency of amounts written without one."""
        ...

    @property
    def retention_days(self) -> int:
        """How long a giver's details are kept after their last pledge closed."""
        ...


@dataclass(frozen=True)
class Wiring(Generic[U_co]):
    """Storage, time, settings, words and the amount reader, for a feature's services."""

    uow: U_co
    clock: Clock
    settings: DriveSettings
    translations: Translations
    amounts: ParsingReader
