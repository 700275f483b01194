"""Every column that stores a person's Telegram id is handled when that person is forgotten."""

from __future__ import annotations

import re

from storage.models import Base
from storage.repositories.privacy import ERASED_COLUMNS, PERSON_COLUMNS

#: Names that say a column holds a person (a user's Telegram id).
PERSON_LIKE = re.compile(r"(person_id|_by|coordinator_id|user_id|actor_id|member_id)$")

#: Person-like columns that need nothing: the audit names people by internal id. (A kept
#: update's `claimant` names a replica; the person's kept updates are purged whole.)
NOT_TELEGRAM_IDS = {"audit_event.actor_id"}
#: Counters the totals' ledger rewrites in the forgetting's own unit of work (`forget`
#: touches the person and their anonymous id; `test_totals_counters.py` checks the result).
KEPT_BY_THE_TOTALS = {"totals_spread.person_id"}


def _name(column: object) -> str:
    return f"{column.table.name}.{column.name}"  # type: ignore[attr-defined]


def test_every_person_column_is_renamed_or_erased_by_forgetting() -> None:
    handled = ({_name(c) for c in (*PERSON_COLUMNS, *ERASED_COLUMNS)} | NOT_TELEGRAM_IDS
               | KEPT_BY_THE_TOTALS)
    person_like = {
        f"{table.name}.{column.name}"
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if PERSON_LIKE.search(column.name)
    }
    assert person_like - handled == set(), (
        "add these columns to PERSON_COLUMNS or ERASED_COLUMNS in storage/repositories/privacy.py"
    )


def test_private_messages_to_the_person_are_erased() -> None:
    assert "delivery.chat_id" in {_name(c) for c in ERASED_COLUMNS}
