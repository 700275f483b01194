"""Forgetting and retention in storage, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import text

from domain.kernel.standing import Role, RoleName
from domain.network.models import Language, Person
from domain.offers.models import Offer, OfferStatus, OfferTerms
from storage.uow import SqlUnitOfWorkFactory

T0 = datetime(2020, 2, 19, 9, 0, tzinfo=UTC)
LI = 9_000_000_001


def _offer(token: str, status: OfferStatus) -> Offer:
    return Offer(0, token, LI, "N95口罩", "n95口罩", Decimal(500), Decimal(500), "piece", False,
                 OfferTerms.FREE, None, "CNY", "徐州", None, status, T0)


async def test_forgetting_withdraws_open_offers_and_keeps_the_rest(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        await uow.people.save(Person(LI, "Li", "li", Language.EN, True, "UTC", True, T0))
        await uow.roles.add(Role(LI, RoleName.ADMIN, None))
        await uow.offers.add(_offer("open", OfferStatus.OPEN))
        await uow.offers.add(_offer("matched", OfferStatus.MATCHED))
        await uow.commit()
    async with uow_factory() as uow:
        anonymous = await uow.privacy.forget(LI, Language.ZH_HANS, "Asia/Shanghai")
        await uow.commit()
    assert anonymous < -(1 << 61)
    async with uow_factory() as uow:
        offers = (await uow.session.execute(
            text("SELECT token, status, person_id, quantity FROM offer ORDER BY token")
        )).all()
        person = await uow.people.get(anonymous)
        assert await uow.people.get(LI) is None
        assert await uow.roles.of(LI) == [] and await uow.roles.of(anonymous) == []
        assert await uow.privacy.counts(anonymous) == (0, 2, 0, False)
    assert [(t, s, p, Decimal(q)) for t, s, p, q in offers] == [
        ("matched", "matched", anonymous, Decimal(500)),
        ("open", "withdrawn", anonymous, Decimal(500)),
    ]
    assert person is not None
    assert (person.name, person.username, person.language, person.reachable) == (
        "", None, Language.ZH_HANS, False
    )
