"""A use case written for the caller's unit of work also runs in one of its own, committed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Self

import pytest

from domain.clock import FakeClock
from domain.errors import N_, PermissionDenied
from domain.kernel.origin import Origin
from domain.kernel.units import UseCases, committed

ONLY_PEOPLE = N_("Only a person can pledge.")


class Work:
    """A unit of work that records what happened to it."""

    def __init__(self) -> None:
        self.written: list[str] = []
        self.committed = False
        self.closed = False

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.closed = True  # whatever happened: an uncommitted write is simply dropped

    async def commit(self) -> None:
        self.committed = True


class Notes(UseCases[Work]):
    """A toy service with one use case, written once in the caller's unit of work."""

    async def write_in(self, uow: Work, origin: Origin, text: str) -> int:
        """Write `text` for the person asking; refuse a job."""
        origin.person(ONLY_PEOPLE)
        uow.written.append(text)
        return len(uow.written)

    write = committed(write_in)


def _service() -> tuple[Notes, list[Work]]:
    opened: list[Work] = []

    def make() -> Work:
        opened.append(Work())
        return opened[-1]

    factory: Callable[[], Work] = make
    return Notes(factory, FakeClock()), opened


async def test_the_own_form_opens_a_unit_of_work_and_commits_it() -> None:
    notes, opened = _service()
    assert await notes.write(Origin(7), "hello") == 1
    assert len(opened) == 1
    assert opened[0].written == ["hello"] and opened[0].committed and opened[0].closed


async def test_the_in_unit_form_leaves_the_commit_to_the_caller() -> None:
    notes, opened = _service()
    work = Work()
    assert await notes.write_in(work, Origin(7), "hello") == 1
    assert work.written == ["hello"] and not work.committed
    assert opened == []


async def test_a_refusal_commits_nothing() -> None:
    notes, opened = _service()
    with pytest.raises(PermissionDenied) as refused:
        await notes.write(Origin(None), "hello")
    assert refused.value.message == ONLY_PEOPLE
    assert opened[0].written == [] and not opened[0].committed and opened[0].closed


def test_origin_person_without_a_refusal_is_a_fault_of_the_caller() -> None:
    assert Origin(7).person() == 7
    with pytest.raises(ValueError):
        Origin(None).person()
