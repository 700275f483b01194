"""A person's open conversation with the bot, kept as a row so restarts lose nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Flag, StrEnum, auto
from typing import Any

DIALOG_LIFETIME = timedelta(hours=24)


@dataclass
class Dialog:
    """What the person is doing now (`kind`) and what they have answered so far (`data`)."""

    person_id: int
    kind: str
    data: dict[str, Any] = field(default_factory=dict)
    version: int = 0
    updated_at: datetime | None = None
    expires_at: datetime | None = None

    def touch(self, now: datetime) -> None:
        """Record an answer's arrival and push the expiry 24 hours on."""
        self.updated_at = now
        self.expires_at = now + DIALOG_LIFETIME

    def expired(self, now: datetime) -> bool:
        """True when the person abandoned the dialog long enough ago."""
        return self.expires_at is not None and self.expires_at <= now


#: Dialog data keys the engine keeps for itself beside a kind's draft.
ASKED_KEY = "_asked"


class Accepts(Flag):
    """What a question takes as its answer."""

    TEXT = auto()
    BUTTON = auto()
    FILE = auto()


@dataclass(frozen=True)
class Question:
    """What a dialog asks now: its step, what it accepts, and what the view needs to ask it.

    `presses` are the button steps accepted now (the step itself when empty, e.g. a summary
    also takes `ok`, `no` and `edit`); a press for any other step is stale. `shown` is the
    kind's own context for its view (an appeal, the person's organisations...), read in the
    same unit of work as the answer.
    """

    step: str
    accepts: Accepts = Accepts.BUTTON
    presses: frozenset[str] = frozenset()
    shown: Any = None

    def takes_press(self, step: str) -> bool:
        """True when a button of `step` answers this question."""
        return step in self.presses if self.presses else step == self.step


@dataclass(frozen=True)
class Typed:
    """The person typed an answer."""

    text: str


@dataclass(frozen=True)
class Pressed:
    """The person pressed a button of the dialog: its step and value (from the client).

    `checked` is what the view established with Telegram before the answer (for example
    that the person is in a group now); the kind decides what it means.
    """

    step: str
    value: str
    checked: Any = None


@dataclass(frozen=True)
class Sent:
    """The person sent a file (a photo or a document), perhaps with a caption."""

    file_id: str
    media: str
    caption: str = ""


Answer = Typed | Pressed | Sent


@dataclass(frozen=True)
class Continue:
    """The answer is taken; the dialog goes on to its next question.

    `result` is what the answer did, for the view to confirm (a need added to a list).
    """

    result: Any = None


@dataclass(frozen=True)
class Finished:
    """The dialog is done; `result` is what finishing made (a pledge, an offer...)."""

    result: Any = None


@dataclass(frozen=True)
class Cancelled:
    """The person ended the dialog from within it (a Cancel button); nothing is kept."""


Progress = Continue | Finished | Cancelled


class Outcome(StrEnum):
    """What one call of the engine led to, for the view to show."""

    ASKED = "asked"  # the dialog goes on: `question` is asked now
    FINISHED = "finished"  # the dialog ended with a result
    CANCELLED = "cancelled"  # the dialog ended, nothing kept
    STALE = "stale"  # a button of a question already answered; nothing changed
    NO_DIALOG = "no_dialog"  # no dialog of that kind is open (or it expired)
    LATE = "late"  # a press after the dialog ended that the kind still recognised
    REPLAYED = "replayed"  # the update was handled before; nothing changed


@dataclass(frozen=True)
class Turn:
    """The dialog after one begin, answer or cancel, and what to show for it."""

    outcome: Outcome
    kind: str
    dialog: Dialog | None = None
    draft: Any = None
    question: Question | None = None
    # what finishing made, or what the answer did when the dialog goes on (`Continue.result`)
    result: Any = None
    # the question with buttons this typed answer answered (its buttons are to go)
    answered_message_id: int | None = None

    @property
    def changed(self) -> bool:
        """True when the turn stored something (the update is then marked handled)."""
        return self.outcome in (Outcome.ASKED, Outcome.FINISHED, Outcome.CANCELLED, Outcome.LATE)
