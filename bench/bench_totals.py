"""/totals, its drill-down and /report on a generated drive, SQLite and PostgreSQL.

A generator fills a fresh database with organisations in a tree, people with roles,
appeals with needs and recipients, pledges of every kind and their delivery reports, by
bulk inserts a chunk at a time; then fills the totals' counters from the rows, as migration
0015 does (timed). A pledge on behalf of an organisation names one its pledger is in, as
the pledge dialog offers. The largest appeal holds `LARGEST_SHARE` of the pledges. Timed,
for that appeal, as an admin sees it: the whole `/totals` view (`TotalsService.appeal`:
every query it makes), the drill-down one level (the biggest root organisation), and beside
them, in the same run, the naive computation: the appeal's pledges and delivery reports
loaded as rows and summed in Python (the total, the lines by root organisation, the needs,
the overdue count). Then `/report`'s workbook and CSV: time, the peak of Python allocations
while writing (tracemalloc, a second run) and the process's peak resident set during that
run (VmHWM, reset as it starts). Prints figures; asserts nothing.

Scale: `BENCH_PLEDGES` (default 200,000; the issue's figure is 1,000,000), deliveries 30%
of that, 50 appeals, 500 organisations. Run: `.venv/bin/python bench/bench_totals.py`.
`BENCH_DATABASES=sqlite` (or `postgresql`) measures one of them only.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.modules.setdefault("sniffio", None)  # type: ignore[assignment]  # see bench_sandbox.py

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import delete, insert, select, text  # noqa: E402

from domain.clock import FakeClock  # noqa: E402
from domain.network.models import Language, Person  # noqa: E402
from domain.totals.service import TotalsService  # noqa: E402
from handlers.context import Reader  # noqa: E402
from handlers.i18n import Translations  # noqa: E402
from handlers.totals.workbook import ReportWriter  # noqa: E402
from storage.database import create_engine, session_factory, upgrade  # noqa: E402
from storage.models.appeals import AppealRecipientRow, AppealRow, NeedRow, RecipientRow  # noqa: E402
from storage.models.network import OrganisationRow, PersonRow, RoleRow  # noqa: E402
from storage.models.pledges import FulfilmentRow, PledgeRow  # noqa: E402
from storage.models.totals import (  # noqa: E402
    TotalsCellRow,
    TotalsDueRow,
    TotalsReachRow,
    TotalsSpreadRow,
)
from storage.repositories.totals_counters import backfill  # noqa: E402
from storage.uow import SqlUnitOfWorkFactory  # noqa: E402
from tests.dbutil import create_postgres_database, drop_postgres_database  # noqa: E402

PLEDGES = int(os.environ.get("BENCH_PLEDGES", "200000"))
DELIVERIES = PLEDGES * 3 // 10
APPEALS = 50
ORGANISATIONS = 500
ROOTS = 10
LARGEST_SHARE = 0.3
RUNS = int(os.environ.get("BENCH_RUNS", "15"))
NAIVE_RUNS = 5
ADMIN = 1
AT = datetime(2020, 2, 19, 9, 0, tzinfo=UTC)
TODAY = AT.date()
PG_DEFAULT = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
CHUNK = 5000
PEAK = re.compile(r"VmHWM:\s+(\d+) kB")


async def _insert(session: Any, table: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        await session.execute(insert(table), rows[start:start + CHUNK])


def _pledge_rows(
    rng: random.Random, first: int, count: int, people: int, homes: dict[int, int],
    kinds: list[str], pledgers: list[int],
) -> list[dict[str, Any]]:
    """Pledges `first` … `first + count - 1` (their kinds and pledgers kept for deliveries)."""
    rows = []
    for pid in range(first, first + count):
        appeal = 1 if rng.random() < LARGEST_SHARE else rng.randint(2, APPEALS)
        kind = rng.choices(("money", "goods", "service", "volunteer"), (5, 3, 1, 1))[0]
        money = kind == "money"
        person = 10_000 + rng.randrange(people)
        kinds.append(kind)
        pledgers.append(person)
        rows.append({
            "id": pid, "token": f"b{pid}", "person_id": person,
            "kind": kind, "appeal_id": appeal,
            "need_id": None if money or kind == "service" else 2 * appeal - (kind == "goods"),
            "item": "" if money else "消毒液", "amount_minor": rng.randint(100, 10**8)
            if money else None, "currency": "CNY",
            "quantity": None if money or kind == "service" else Decimal(rng.randint(1, 500)),
            "unit": "" if money else ("kg" if kind == "goods" else "hour"),
            "estimated_minor": None if money else rng.randint(100, 10**7),
            "approximate": rng.random() < 0.1, "estimated_approximate": False,
            # as the pledge dialog offers: on behalf of an organisation the pledger is in
            "description": "", "on_behalf_of": homes.get(person)
            if rng.random() < 0.3 else None,
            "earmark_recipient_id": rng.randint(1, 12) if rng.random() < 0.2 else None,
            "due_date": TODAY + timedelta(days=rng.randint(-20, 20))
            if rng.random() < 0.6 else None,
            "visibility": rng.choice(("named", "organisation", "anonymous")),
            "cancelled": rng.random() < 0.05, "cancel_reason": None, "source_chat_id": None,
            "source_update_id": None, "created_at": AT,
        })
    return rows


async def generate(factory: SqlUnitOfWorkFactory, rng: random.Random) -> float:
    """Fill the database with the drive: tree, people, appeals, pledges, deliveries, by
    bulk inserts of `CHUNK` rows (generated a chunk at a time, so memory stays flat); then
    the counters from the rows, as migration 0015 fills them. Returns the seconds the
    counters' backfill took."""
    people = max(PLEDGES // 10, 100)
    orgs = [{"id": i, "name": f"组织{i}", "name_key": f"组织{i}",
             "parent_id": None if i <= ROOTS else rng.randint(1, max(ROOTS, i // 3))}
            for i in range(1, ORGANISATIONS + 1)]
    persons = [{"id": ADMIN, "internal_id": ADMIN, "name": "admin", "language": "zh-Hans",
                "timezone": "Asia/Shanghai", "reachable": True, "language_chosen": True,
                "created_at": AT}]
    persons += [{"id": 10_000 + i, "internal_id": 10_000 + i, "name": f"人{i}",
                 "language": "zh-Hans", "timezone": "Asia/Shanghai", "reachable": True,
                 "language_chosen": False, "created_at": AT} for i in range(people)]
    roles = [{"person_id": ADMIN, "role": "admin", "organisation_id": None, "scope": 0}]
    roles += [{"person_id": 10_000 + i, "role": "member", "organisation_id": org, "scope": org}
              for i in range(people) if (org := rng.randint(0, ORGANISATIONS * 3 // 2))
              and org <= ORGANISATIONS]
    homes = {int(r["person_id"]): int(r["organisation_id"]) for r in roles[1:]}
    appeals = [{"id": a, "title": f"倡议{a}", "body": "请支援", "status": "open",
                "deadline": date(2020, 3, 1), "currency": "CNY",
                "money_target_minor": 100_000_000_00, "organisation_id": None,
                "created_by": ADMIN, "created_at": AT, "revision": 0}
               for a in range(1, APPEALS + 1)]
    needs = [{"id": 2 * a - 1 + k, "appeal_id": a, "item": item, "item_key": item,
              "unit": unit, "target": Decimal(target), "approximate": False, "priority": 0}
             for a in range(1, APPEALS + 1)
             for k, (item, unit, target) in enumerate((("消毒液", "kg", 50_000),
                                                       ("志愿者", "person", 500)))]
    recipients = [{"id": r, "name": f"受助方{r}"} for r in range(1, 13)]
    links = [{"appeal_id": a, "recipient_id": r} for a in range(1, APPEALS + 1)
             for r in range(1, 13)]
    kinds: list[str] = []
    pledgers: list[int] = []
    async with factory() as uow:
        session = uow.session  # type: ignore[attr-defined]
        for table, rows in ((OrganisationRow, orgs), (PersonRow, persons), (RoleRow, roles),
                            (AppealRow, appeals), (NeedRow, needs), (RecipientRow, recipients),
                            (AppealRecipientRow, links)):
            await _insert(session, table.__table__, rows)
        for first in range(1, PLEDGES + 1, CHUNK):
            count = min(CHUNK, PLEDGES + 1 - first)
            await session.execute(insert(PledgeRow.__table__), _pledge_rows(
                rng, first, count, people, homes, kinds, pledgers))
        for first in range(1, DELIVERIES + 1, CHUNK):
            batch = []
            for fid in range(first, min(first + CHUNK, DELIVERIES + 1)):
                index = rng.randrange(PLEDGES)
                batch.append({
                    "id": fid, "pledge_id": index + 1, "quantity": Decimal(
                        rng.randint(1, 10**6 if kinds[index] == "money" else 300)),
                    "over": False, "reported_by": pledgers[index], "reported_at": AT,
                    "proof_file_id": None, "proof_kind": None,
                    "state": rng.choice(("reported", "confirmed", "confirmed", "questioned")),
                    "confirmed_by": None, "confirmed_at": None,
                })
            await session.execute(insert(FulfilmentRow.__table__), batch)
        await uow.commit()
    async with factory() as uow:
        session = uow.session  # type: ignore[attr-defined]
        for table in (TotalsCellRow, TotalsDueRow, TotalsReachRow, TotalsSpreadRow):
            await session.execute(delete(table.__table__))
        started = time.perf_counter()
        await session.run_sync(lambda sync: backfill(sync.connection()))
        await uow.commit()
        backfilled = time.perf_counter() - started
    async with factory() as uow:  # a database in use has its statistics; a bulk load not yet
        session = uow.session  # type: ignore[attr-defined]
        await session.execute(text("ANALYZE"))
        await uow.commit()
    return backfilled


async def naive(factory: SqlUnitOfWorkFactory, appeal_id: int) -> dict[str, Any]:
    """The same figures the slow way: every row of the appeal loaded and summed in Python."""
    async with factory() as uow:
        session = uow.session  # type: ignore[attr-defined]
        pledges = (await session.execute(
            select(PledgeRow.id, PledgeRow.kind, PledgeRow.amount_minor, PledgeRow.quantity,
                   PledgeRow.estimated_minor, PledgeRow.on_behalf_of, PledgeRow.person_id,
                   PledgeRow.need_id, PledgeRow.earmark_recipient_id, PledgeRow.due_date)
            .where(PledgeRow.appeal_id == appeal_id, PledgeRow.cancelled.is_(False))
        )).all()
        reports = (await session.execute(
            select(FulfilmentRow.pledge_id, FulfilmentRow.quantity, FulfilmentRow.state)
            .join(PledgeRow, PledgeRow.id == FulfilmentRow.pledge_id)
            .where(PledgeRow.appeal_id == appeal_id)
        )).all()
        roles = (await session.execute(select(RoleRow.person_id, RoleRow.organisation_id)
                                       .where(RoleRow.organisation_id.is_not(None)))).all()
        tree = (await session.execute(select(OrganisationRow.id, OrganisationRow.parent_id))).all()
    parent = dict(tree)
    homes: dict[int, set[int]] = defaultdict(set)
    for person, org in roles:
        homes[person].add(org)
    delivered: dict[int, Decimal] = defaultdict(Decimal)
    for pledge_id, quantity, state in reports:
        if state != "questioned":
            delivered[pledge_id] += quantity
    totals: dict[str, Any] = defaultdict(Decimal)
    for pid, kind, amount, quantity, _value, behalf, person, need, _earmark, due in pledges:
        org = behalf if behalf is not None else (
            next(iter(homes[person])) if len(homes[person]) == 1 else None)
        while org is not None and parent.get(org) is not None:
            org = parent[org]
        measure = Decimal(amount or 0) if kind == "money" else (quantity or Decimal(1))
        totals[f"money:{org}"] += Decimal(amount or 0)
        totals[f"need:{need}"] += quantity or 0
        totals["overdue"] += 1 if due is not None and due < TODAY and delivered[pid] < measure \
            else 0
    return dict(totals)


def resident_peak(reset: bool = False) -> int:
    """The process's peak resident set in bytes (Linux VmHWM), first reset to the current
    resident set when `reset` (so the generator's peak does not count)."""
    if reset:
        Path("/proc/self/clear_refs").write_text("5")
    found = PEAK.search(Path("/proc/self/status").read_text())
    return int(found.group(1)) * 1024 if found else 0


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of the sorted values lie."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def timed(call: Any, runs: int) -> list[float]:
    """Milliseconds of each of `runs` awaited calls."""
    found = []
    for _ in range(runs):
        started = time.perf_counter()
        await call()
        found.append((time.perf_counter() - started) * 1000)
    return found


async def measure(name: str, url: str) -> None:
    """Generate, then time /totals, the drill-down, the naive sums and /report."""
    await upgrade(url)
    engine = create_engine(url)
    factory = SqlUnitOfWorkFactory(session_factory(engine))
    started = time.perf_counter()
    bulk = create_engine(url, statement_timeout=False)  # as migrations run: no time limit
    try:
        backfilled = await generate(SqlUnitOfWorkFactory(session_factory(bulk)),
                                    random.Random(13))
    finally:
        await bulk.dispose()
    print(f"[{name}] generated {PLEDGES:,} pledges, {DELIVERIES:,} deliveries, {APPEALS} "
          f"appeals, {ORGANISATIONS} organisations in {time.perf_counter() - started:.0f} s "
          f"(of which the counters' backfill {backfilled:.1f} s)", flush=True)
    service = TotalsService(factory, FakeClock(AT), "Asia/Shanghai")
    view = await service.appeal(ADMIN, 1)
    print(f"[{name}] largest appeal: {view.total.pledges:,} counted pledges")
    biggest = max(view.organisations, key=lambda line: line.figures.pledges)
    totals = await timed(lambda: service.appeal(ADMIN, 1), RUNS)
    drill = await timed(lambda: service.appeal(ADMIN, 1, biggest.organisation_id), RUNS)
    slow = await timed(lambda: naive(factory, 1), NAIVE_RUNS)
    for label, values in (("/totals", totals), ("drill-down", drill), ("naive", slow)):
        print(f"[{name}] {label}: p50 {statistics.median(values):.0f} ms, "
              f"p95 {percentile(values, 0.95):.0f} ms ({len(values)} runs)")
    ratio = statistics.median(slow) / statistics.median(totals)
    print(f"[{name}] naive / aggregate at p50: {ratio:.1f}x")
    reader = Reader(Person(ADMIN, "admin", None, Language.ZH_HANS, True, "Asia/Shanghai", True,
                           AT), Translations.load())
    with tempfile.TemporaryDirectory() as folder:
        async def report() -> int:
            async with service.report(ADMIN, 1) as found:
                writer = ReportWriter(reader)
                count = await writer.workbook(found, Path(folder) / "r.xlsx")
                await writer.pledges_csv(found, Path(folder) / "r.csv")
            return count

        started = time.perf_counter()
        count = await report()
        seconds = time.perf_counter() - started
        size = (Path(folder) / "r.xlsx").stat().st_size
        before, peak_rss = resident_peak(reset=True), 0
        tracemalloc.start()
        await report()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        peak_rss = resident_peak()
    print(f"[{name}] /report: {count:,} pledge rows in {seconds:.1f} s, workbook "
          f"{size / 1e6:.1f} MB, peak Python allocations while writing {peak / 1e6:.0f} MB, "
          f"peak resident set of the process {peak_rss / 1e6:.0f} MB (it was {before / 1e6:.0f}"
          f" MB when the report began)")
    await engine.dispose()


async def main() -> None:
    """Both databases, one after the other."""
    wanted = os.environ.get("BENCH_DATABASES", "sqlite,postgresql").split(",")
    if "sqlite" in wanted:
        with tempfile.TemporaryDirectory() as folder:
            await measure("sqlite", f"sqlite+aiosqlite:///{folder}/bench.sqlite3")
    if "postgresql" not in wanted:
        return
    base = os.environ.get("TEST_DATABASE_URL", PG_DEFAULT)
    try:
        url = await create_postgres_database(base)
    except Exception as error:  # no PostgreSQL here: say so, measure what we can
        print(f"[postgresql] skipped: {error!r}")
        return
    try:
        await measure("postgresql", url)
    finally:
        await drop_postgres_database(url)


if __name__ == "__main__":
    asyncio.run(main())
