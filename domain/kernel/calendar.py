"""The person's local calendar: the day "today" and "明天" are read against.

People write dates in their own day: at 07:00 in Shanghai (23:00 UTC the day before) "明天"
is the day after the local one. A person without a zone of their own lives in the network's
(settings TIMEZONE); an unknown zone name falls back to the next one, and at last to UTC.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.clock import Clock

UTC_ZONE = ZoneInfo("UTC")


def zone_of(*timezones: str | None) -> ZoneInfo:
    """The first known IANA zone of `timezones`, else UTC."""
    for name in timezones:
        if not name:
            continue
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return UTC_ZONE


def local_date(moment: datetime, *timezones: str | None) -> date:
    """The day `moment` falls on in the first known IANA zone of `timezones` (else UTC's)."""
    return moment.astimezone(zone_of(*timezones)).date()


class Zoned(Protocol):
    """A person as the calendar sees them: the zone they live in ("" or unknown: none)."""

    @property
    def timezone(self) -> str:
        """The person's IANA zone name."""
        ...


class PersonLookup(Protocol):
    """Reads a person by id."""

    async def get(self, person_id: int) -> Zoned | None:
        """The person, or None when unknown."""
        ...


class KnowsPeople(Protocol):
    """A unit of work that can read people."""

    @property
    def people(self) -> PersonLookup:
        """The people of this unit of work."""
        ...


class Calendar:
    """Today's date for a person, in their zone or else the network's, by the injected clock."""

    def __init__(self, clock: Clock, network_timezone: str) -> None:
        self._clock = clock
        self._network_timezone = network_timezone

    def today(self, person_timezone: str | None = None) -> date:
        """The local date now, in `person_timezone` or else the network's."""
        return local_date(self._clock.now(), person_timezone, self._network_timezone)

    async def today_of(self, uow: KnowsPeople, person_id: int | None) -> date:
        """The local date now for this person (their zone, else the network's), read in `uow`."""
        person = None if person_id is None else await uow.people.get(person_id)
        return self.today(person.timezone if person is not None else None)
