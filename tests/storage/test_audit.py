"""The audit trail: append-only on both databases, people named by internal id, read back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError, InternalError, OperationalError

from domain.kernel.audit import AuditEvent
from domain.network.models import Language, Person
from domain.privacy.models import ActorKind, AuditSubject, SubjectKind
from storage.repositories.audit import SqlAuditLog
from storage.repositories.people import INTERNAL_ID_BASE
from storage.uow import SqlUnitOfWorkFactory

T0 = datetime(2020, 2, 19, 9, 0, tzinfo=UTC)
ALICE = 9_000_000_000
NEVER_SEEN = 7_000_000


def _person(person_id: int, name: str) -> Person:
    return Person(person_id, name, None, Language.EN, False, "Asia/Shanghai", True, T0)


async def _with_events(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        await uow.people.save(_person(ALICE, "Alice 王"))
        await uow.audit.record(AuditEvent(ALICE, "pledge.create", "pledge:12", None, "5万元", T0))
        await uow.audit.record(
            AuditEvent(NEVER_SEEN, "pledge.due", "pledge:12", "—", "2020-03-01", T0)
        )
        await uow.audit.record(AuditEvent(None, "appeal.close", "appeal:3", "open", "closed", T0))
        await uow.audit.record(AuditEvent(ALICE, "role.grant", f"person:{ALICE}", None, "x", T0))
        await uow.commit()


async def test_events_round_trip_with_actors_as_current_ids(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    await _with_events(uow_factory)
    async with uow_factory() as uow:
        recent = await uow.audit.recent()  # type: ignore[attr-defined]
    actions = [e.action for e in recent]
    assert actions == ["role.grant", "appeal.close", "pledge.due", "pledge.create"]
    assert recent[3] == AuditEvent(ALICE, "pledge.create", "pledge:12", None, "5万元", T0)
    assert recent[2].actor_id == NEVER_SEEN
    assert recent[1].actor_id is None


async def test_people_are_stored_by_internal_id_never_by_telegram_id(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    await _with_events(uow_factory)
    async with uow_factory() as uow:
        rows = (await uow.session.execute(text("SELECT actor_id, subject FROM audit_event"))).all()
        internal = await uow.session.scalar(
            text("SELECT internal_id FROM person WHERE id = :id"), {"id": ALICE}
        )
    assert internal is not None and internal >= INTERNAL_ID_BASE
    assert (internal, "pledge:12") in rows and (internal, f"person:{internal}") in rows
    assert all(actor != ALICE and subject != f"person:{ALICE}" for actor, subject in rows)


def test_the_audit_repository_offers_no_way_to_change_or_delete() -> None:
    public = {name for name in dir(SqlAuditLog) if not name.startswith("_")}
    assert public == {"record", "recent", "history"}


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET after = 'forged'",
        "UPDATE audit_event SET actor_id = NULL WHERE action = 'pledge.create'",
        "DELETE FROM audit_event",
        "DELETE FROM audit_event WHERE subject = 'pledge:12'",
    ],
)
async def test_the_database_refuses_to_change_or_delete_audit_rows(
    uow_factory: SqlUnitOfWorkFactory, statement: str
) -> None:
    await _with_events(uow_factory)
    async with uow_factory() as uow:
        with pytest.raises((IntegrityError, OperationalError, InternalError, DBAPIError)) as error:
            await uow.session.execute(text(statement))
        assert "append-only" in str(error.value)
    async with uow_factory() as uow:
        count = await uow.session.scalar(text("SELECT count(*) FROM audit_event"))
        forged = await uow.session.scalar(
            text("SELECT count(*) FROM audit_event WHERE after = 'forged'")
        )
    assert (count, forged) == (4, 0)


async def test_postgres_refuses_truncate_too(uow_factory: SqlUnitOfWorkFactory) -> None:
    await _with_events(uow_factory)
    async with uow_factory() as uow:
        if uow.session.get_bind().dialect.name != "postgresql":
            pytest.skip("SQLite has no TRUNCATE")
        with pytest.raises(DBAPIError, match="append-only"):
            await uow.session.execute(text("TRUNCATE audit_event"))


async def test_history_names_actors_and_follows_a_forgotten_person(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    await _with_events(uow_factory)
    async with uow_factory() as uow:
        history = await uow.audit_trail.history(AuditSubject(SubjectKind.PLEDGE, 12), 100)
    assert [(e.action, e.actor.kind, e.actor.name) for e in history] == [
        ("pledge.create", ActorKind.PERSON, "Alice 王"),
        ("pledge.due", ActorKind.UNKNOWN, None),
    ]
    async with uow_factory() as uow:
        await uow.privacy.forget(ALICE, Language.ZH_HANS, "Asia/Shanghai")
        await uow.commit()
    async with uow_factory() as uow:
        after = await uow.audit_trail.history(AuditSubject(SubjectKind.PLEDGE, 12), 100)
        # Alice writes again: a new person with the same Telegram id is not the old actor.
        await uow.people.save(_person(ALICE, "Alice again"))
        await uow.commit()
    assert after[0].actor.kind is ActorKind.FORGOTTEN and after[0].actor.name is None
    assert after[0].after == "5万元"
    async with uow_factory() as uow:
        again = await uow.audit_trail.history(AuditSubject(SubjectKind.PLEDGE, 12), 100)
    assert again[0].actor == after[0].actor


async def test_history_is_the_newest_entries_oldest_first(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        for minute in range(30):
            await uow.audit.record(
                AuditEvent(None, "appeal.edit", "appeal:3", None, str(minute),
                           T0 + timedelta(minutes=minute))
            )
        await uow.commit()
    async with uow_factory() as uow:
        history = await uow.audit_trail.history(AuditSubject(SubjectKind.APPEAL, 3), 10)
    assert [e.after for e in history] == [str(m) for m in range(20, 30)]
