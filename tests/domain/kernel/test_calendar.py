"""The one calendar every feature reads "today" from: the person's zone, else the network's."""

from __future__ import annotations

from datetime import UTC, date, datetime

from domain.clock import FakeClock
from domain.kernel.calendar import Calendar, zone_of
from domain.network.models import Language, Person

LATE = datetime(2020, 2, 19, 23, 30, tzinfo=UTC)  # 07:30 on 20 February in China


class People:
    """Just enough of a unit of work to read people."""

    def __init__(self, *people: Person) -> None:
        self.known = {p.id: p for p in people}

    async def get(self, person_id: int) -> Person | None:
        """The person, or None."""
        return self.known.get(person_id)


class Work:
    """A unit of work that only reads people."""

    def __init__(self, *people: Person) -> None:
        self.people = People(*people)


def _person(person_id: int, timezone: str) -> Person:
    return Person(person_id, "P", None, Language.EN, False, timezone, True, LATE)


def test_an_unknown_zone_falls_back_to_the_next_and_at_last_to_utc() -> None:
    assert str(zone_of("Nowhere/Else", "Asia/Hong_Kong")) == "Asia/Hong_Kong"
    assert str(zone_of(None, "", "Nowhere/Else")) == "UTC"


def test_today_is_the_persons_day_else_the_networks() -> None:
    calendar = Calendar(FakeClock(LATE), "Asia/Shanghai")
    assert calendar.today() == date(2020, 2, 20)
    assert calendar.today("America/Los_Angeles") == date(2020, 2, 19)
    assert calendar.today("Nowhere/Else") == date(2020, 2, 20)


async def test_today_of_reads_the_persons_zone_in_the_unit_of_work() -> None:
    calendar = Calendar(FakeClock(LATE), "Asia/Shanghai")
    work = Work(_person(1, "America/Los_Angeles"))
    assert await calendar.today_of(work, 1) == date(2020, 2, 19)
    assert await calendar.today_of(work, 2) == date(2020, 2, 20)  # unknown: the network's
    assert await calendar.today_of(work, None) == date(2020, 2, 20)  # a job: the network's
