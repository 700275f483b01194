"""What privacy works with: a person's holdings, audit subjects and entries, strict ids."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.errors import N_, InvalidInput
from domain.kernel.standing import Role
from domain.network.models import Person
from domain.parsing.integers import parse_id

_SUBJECT = re.compile(r"([pPaA])\s*#?\s*([0-9]{1,19})")


def strict_id(text: str) -> int | None:
    """A positive 64-bit id in ASCII digits (no sign); None for anything else."""
    if text.startswith("-"):
        return None
    return parse_id(text)


class SubjectKind(StrEnum):
    """What an admin may read the history of."""

    PLEDGE = "pledge"
    APPEAL = "appeal"


@dataclass(frozen=True)
class AuditSubject:
    """A pledge (`p12`) or an appeal (`a3`) whose history is asked for."""

    kind: SubjectKind
    id: int

    @classmethod
    def parse(cls, text: str) -> AuditSubject:
        """Read `p12` or `a3` (case-insensitive, `#` allowed); refuse anything else."""
        match = _SUBJECT.fullmatch(text.strip())
        number = strict_id(match.group(2)) if match else None
        if match is None or number is None:
            raise InvalidInput(
                N_(
                    "Usage: /audit p12 (the history of pledge 12) or /audit a3 "
                    "(the history of appeal 3)."
                )
            )
        kind = SubjectKind.PLEDGE if match.group(1).lower() == "p" else SubjectKind.APPEAL
        return cls(kind, number)

    @property
    def code(self) -> str:
        """The short form people type: `p12`, `a3`."""
        return f"{self.kind.value[0]}{self.id}"


class ActorKind(StrEnum):
    """Who an audit entry says acted."""

    PERSON = "person"
    FORGOTTEN = "forgotten"
    UNKNOWN = "unknown"
    SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    """The actor of an audit entry as shown now: a name, a forgotten person, or the bot."""

    kind: ActorKind
    name: str | None = None
    reference: str | None = None


@dataclass(frozen=True)
class AuditEntry:
    """One line of a history: who did what, when, and the values before and after."""

    at: datetime
    action: str
    subject: str
    actor: Actor
    before: str | None
    after: str | None


@dataclass(frozen=True)
class Holdings:
    """What the bot keeps about one person, for `/privacy`."""

    person: Person
    roles: tuple[Role, ...]
    pledges: int
    offers: int
    queued_messages: int
    dialog_open: bool


@dataclass(frozen=True)
class Forgotten:
    """The outcome of forgetting a person: how their records are named from now on."""

    anonymous_id: int
    pledges: int
