"""An open unit of work lent to another feature's use case, so both land in one commit.

A reminder's answer reuses the pledges' own use cases (a delivery report, a new date, a
cancellation) and re-plans the pledge's reminders in the same transaction. Those use cases
open their unit of work from a factory; given one that returns this loan, they run inside
the reminder's transaction: entering and leaving the loan does nothing, and their
`commit` waits for the owner's, which comes once, after the re-plan. If either part
raises, the owner rolls everything back.
"""

from __future__ import annotations

from typing import Self

from domain.reminders.ports import RemindersUnitOfWork


class LentUnitOfWork:
    """The owner's repositories; the owner opens, commits, closes (a PledgeUnitOfWork)."""

    def __init__(self, owner: RemindersUnitOfWork) -> None:
        self.organisations = owner.organisations
        self.chats = owner.chats
        self.people = owner.people
        self.roles = owner.roles
        self.dialogs = owner.dialogs
        self.updates = owner.updates
        self.audit = owner.audit
        self.pledges = owner.pledges
        self.appeal_lookup = owner.appeal_lookup
        self.outbox = owner.outbox
        self.notices = owner.notices

    async def __aenter__(self) -> Self:
        """The owner's transaction is open already."""
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Nothing to close: the owner rolls back if the error reaches it."""

    async def commit(self) -> None:
        """Nothing yet: the owner commits once, after its own part of the work."""
