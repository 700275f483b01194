"""The live boards: each group's appeal message shows the appeal's progress, kept current.

A periodic job (every `BOARD_INTERVAL_MINUTES` of `bot/settings.py`, `bot/jobs.py`) queues,
for each open appeal whose figures changed since its groups' messages last showed them, one
edit of each message through the outbox (a bulk purpose: the paced sender's bulk lane). The
outbox keeps one row per subject and chat, and the subject names the appeal's revision and a
fingerprint of the figures shown: the same figures are never queued twice (no "message is
not modified"), and however many pledges arrive, a group's message is edited at most once
per run.
"""

from __future__ import annotations

import hashlib
from typing import Protocol

from domain.appeals.models import Appeal, broadcast_subject
from domain.clock import Clock
from domain.outbox.models import DeliveryStatus, Purpose
from domain.outbox.ports import NewDelivery
from domain.totals.models import AppealTotalsView
from domain.totals.ports import TotalsUnitOfWorkFactory
from domain.totals.service import TotalsService

#: How often the boards are brought up to date by default (the setting's default, the issue's N).
BOARD_MINUTES = 10


class BoardRenderer(Protocol):
    """Writes a group's appeal message with its progress (HTML, buttons as JSON rows)."""

    def __call__(
        self, appeal: Appeal, chat_id: int, view: AppealTotalsView
    ) -> tuple[str, str | None] | None:
        """The message, or None when the progress cannot be shown (too long)."""
        ...


def fingerprint(view: AppealTotalsView) -> str:
    """A short digest of the figures a board shows: it changes when they do."""
    shown = [repr(view.total.money), repr(view.total.in_kind)]
    shown += [f"{n.id}:{s.pledged}:{s.delivered}:{s.received}" for n, s in view.needs]
    return hashlib.sha256("|".join(shown).encode()).hexdigest()[:16]


class Boards:
    """Brings the groups' appeal messages up to date with the appeals' figures."""

    def __init__(self, uow: TotalsUnitOfWorkFactory, clock: Clock, totals: TotalsService) -> None:
        self._uow = uow
        self._clock = clock
        self._totals = totals

    async def refresh(self, render: BoardRenderer) -> int:
        """Queue an edit of every sent group message whose appeal's figures changed; count."""
        queued = 0
        async with self._uow() as uow:
            organisations = await uow.organisations.all()
            now = self._clock.now()
            for appeal in await uow.appeals.open():
                subject = broadcast_subject(appeal.id)
                sent = [d for d in await uow.outbox.for_subject(Purpose.APPEAL, subject)
                        if d.status is DeliveryStatus.SENT and d.message_id is not None]
                if not sent:
                    continue
                view = await self._totals.public_view(uow, appeal, organisations)
                if not view.total.pledges:
                    continue  # nothing to show: the message stays as it was sent
                board = f"{subject}:board:r{appeal.revision}:{fingerprint(view)}"
                for delivery in sent:
                    message = render(appeal, delivery.chat_id, view)
                    if message is None:
                        continue
                    queued += await uow.outbox.enqueue(NewDelivery(
                        Purpose.APPEAL_EDIT, board, delivery.chat_id, message[0], message[1],
                        edit_message_id=delivery.message_id,
                    ), now)
            await uow.commit()
        return queued
