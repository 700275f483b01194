"""Offer use cases: each opens one unit of work, checks permissions, audits, commits once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from domain.appeals.models import Appeal, Need
from domain.clock import Clock
from domain.errors import N_, Conflict, InvalidInput, NotFound, PermissionDenied
from domain.kernel.audit import record_audit
from domain.kernel.origin import Origin, claim_update
from domain.kernel.quantities import check_quantity
from domain.kernel.quantities import format_quantity as plain_quantity
from domain.kernel.standing import RoleName, Standing, standing_holding
from domain.kernel.units import LocalUseCases
from domain.network.models import Language
from domain.notices.recording import record_offer_event
from domain.offers.draft import OfferDraft, Step, next_step
from domain.offers.models import (
    Candidate,
    Match,
    Offer,
    OfferStatus,
    OfferTerms,
    candidates,
    fits,
    match_token,
    pledge_quantity,
    unmet,
)
from domain.offers.ports import MatchNotices, OfferUnitOfWork, OfferUnitOfWorkFactory
from domain.outbox.models import Purpose
from domain.outbox.ports import NewDelivery
from domain.parsing import item_key
from domain.pledges.models import Pledge, PledgeKind, Visibility

MATCH_LIMIT = 30
NOT_COORDINATOR = N_("Only coordinators can match offers with needs.")


@dataclass(frozen=True)
class Accepted:
    """What accepting a pair made: the match, the goods pledge, the offer after it."""

    match: Match
    pledge: Pledge
    offer: Offer
    appeal: Appeal
    need: Need


class OfferService(LocalUseCases[OfferUnitOfWork]):
    """Record, list and withdraw offers; match them with needs; accept a pair."""

    def __init__(
        self,
        uow: OfferUnitOfWorkFactory,
        clock: Clock,
        notices: MatchNotices,
        currency: str,
        timezone: str = "Asia/Shanghai",
    ) -> None:
        super().__init__(uow, clock, currency, timezone)
        self._notices = notices

    # -- offers ----------------------------------------------------------------------------

    async def create(self, origin: Origin, draft: OfferDraft) -> Offer:
        """Turn a confirmed draft into an offer; a second confirm returns the same offer.

        The offer dialog records it in the engine's unit of work instead (`record`).
        """
        person_id = origin.person(N_("Only a person can offer goods."))
        async with self._uow() as uow:
            existing = await self._existing(uow, person_id, draft.token)
            if existing is not None:
                return existing
            await claim_update(uow, origin)
            stored = await self.record(uow, origin, draft)
            await uow.commit()
            return stored

    async def record(self, uow: OfferUnitOfWork, origin: Origin, draft: OfferDraft) -> Offer:
        """Add a confirmed draft's offer, audited, with coordinators' notice events.

        In the caller's unit of work (the caller marks the update and commits). A token
        recorded already gives its offer again; nothing is added twice.
        """
        actor_id = origin.person(N_("Only a person can offer goods."))
        existing = await self._existing(uow, actor_id, draft.token)
        if existing is not None:
            return existing
        today = await self.calendar.today_of(uow, actor_id)
        stored = await uow.offers.add(self._offer_from(actor_id, draft, today))
        if stored.person_id != actor_id:
            raise PermissionDenied(N_("This button is not yours."))
        await record_audit(
            uow,
            self._clock,
            origin,
            "offer.create",
            f"offer:{stored.id}",
            None,
            f"{stored.item} {plain_quantity(stored.quantity, stored.unit)} {stored.terms}",
        )
        await self._tell_coordinators(uow, stored, today)
        return stored

    async def recorded(self, uow: OfferUnitOfWork, person_id: int, token: str) -> Offer | None:
        """The person's offer a dialog with `token` confirmed, read in the caller's unit."""
        offer = await uow.offers.by_token(token)
        return offer if offer is not None and offer.person_id == person_id else None

    async def _existing(self, uow: OfferUnitOfWork, person_id: int, token: str) -> Offer | None:
        """The offer recorded for `token` already; someone else's is refused."""
        existing = await uow.offers.by_token(token)
        if existing is not None and existing.person_id != person_id:
            raise PermissionDenied(N_("This button is not yours."))
        return existing

    async def _tell_coordinators(self, uow: OfferUnitOfWork, offer: Offer, today: date) -> None:
        """Queue a new offer for the coordinators whose open needs it fits."""
        appeals = await uow.appeal_lookup.open_appeals()
        pledged = {a.id: await uow.offers.pledged_towards(a.id) for a in appeals}
        fitting = candidates([offer], appeals, pledged, {}, today)
        unique = list({pair.appeal.id: pair.appeal for pair in fitting}.values())
        await record_offer_event(uow, offer, unique, self._clock.now())

    def _offer_from(self, person_id: int, draft: OfferDraft, today: date) -> Offer:
        quantity = draft.quantity_value
        terms = draft.offer_terms
        if next_step(draft) is not Step.CONFIRM or quantity is None or terms is None:
            raise InvalidInput(N_("This offer is not complete yet."))
        check_quantity(quantity)
        until = draft.until_date
        if until is not None and until < today:
            raise InvalidInput(N_("That date has passed. Please give today or a later date."))
        price = draft.price_minor if terms is OfferTerms.PRICE else None
        if terms is OfferTerms.PRICE and (price is None or price <= 0):
            raise InvalidInput(N_("This offer is not complete yet."))
        assert draft.item is not None and draft.location is not None
        return Offer(
            id=0,
            token=draft.token,
            person_id=person_id,
            item=draft.item,
            item_key=item_key(draft.item)[:200],
            quantity=quantity,
            remaining=quantity,
            unit=draft.unit,
            approximate=draft.approximate,
            terms=terms,
            price_minor=price,
            currency=draft.currency,
            location=draft.location,
            available_until=until,
            status=OfferStatus.OPEN,
            created_at=self._clock.now(),
        )

    async def mine(self, person_id: int) -> list[Offer]:
        """A person's offers, newest first."""
        async with self._uow() as uow:
            return await uow.offers.of_person(person_id)

    async def withdraw(self, origin: Origin, offer_id: int) -> Offer:
        """The offerer withdraws an open offer (pledges already made from it stay)."""
        actor_id = origin.person(N_("Only a person can withdraw an offer."))
        async with self._uow() as uow:
            offer = await uow.offers.get(offer_id)
            if offer is None or offer.person_id != actor_id:
                raise NotFound(N_("You have no offer with that number."))
            if offer.status is not OfferStatus.OPEN:
                raise Conflict(N_("This offer is no longer open."))
            await claim_update(uow, origin)
            before = offer.status
            offer.status = OfferStatus.WITHDRAWN
            await uow.offers.save(offer)
            await record_audit(
                uow,
                self._clock, origin, "offer.withdraw", f"offer:{offer.id}", before, offer.status
            )
            await uow.commit()
            return offer

    # -- matching --------------------------------------------------------------------------

    async def candidates(self, origin: Origin, appeal_id: int | None = None) -> list[Candidate]:
        """Pairs of open offers and unmet needs in the coordinator's scope (one appeal or all)."""
        async with self._uow() as uow:
            standing = await self._coordinator(uow, origin)
            if appeal_id is not None:
                appeals = [await self._appeal_in_scope(uow, standing, appeal_id)]
            else:
                everything = await uow.organisations.all()
                appeals = [
                    a
                    for a in await uow.appeal_lookup.open_appeals()
                    if standing.coordinates(a.organisation_id, everything)
                ]
            pledged = {a.id: await uow.offers.pledged_towards(a.id) for a in appeals}
            offers = await uow.offers.open_offers()
            names = {
                person_id: await self._offerer(uow, person_id)
                for person_id in {o.person_id for o in offers}
            }
            # an offer is available until the end of its last day in its offerer's zone
            days = {
                person_id: await self.calendar.today_of(uow, person_id)
                for person_id in {o.person_id for o in offers}
            }
            found = candidates(offers, appeals, pledged, names, days)
            return found[:MATCH_LIMIT]

    async def accept(self, origin: Origin, offer_id: int, appeal_id: int, need_id: int) -> Accepted:
        """A coordinator in scope accepts a pair: a match, a goods pledge, a notice; once."""
        now = self._clock.now()
        async with self._uow() as uow:
            standing = await self._coordinator(uow, origin)
            await claim_update(uow, origin)  # rolled back with everything else on a refusal
            appeal = await self._appeal_in_scope(uow, standing, appeal_id)
            need = next((n for n in appeal.needs if n.id == need_id), None)
            if need is None:
                raise NotFound(N_("That need is no longer part of the appeal."))
            offer = await uow.offers.get(offer_id)
            if offer is None:
                raise NotFound(N_("That offer does not exist."))
            # the pledge is the offerer's: their day decides what is still available and due
            offerer = await uow.people.get(offer.person_id)
            today = self.calendar.today(offerer.timezone if offerer is not None else None)
            if await uow.offers.match_for(offer.id, need.id) is not None:
                raise Conflict(N_("This offer was already accepted for this need."))
            if offer.status is OfferStatus.WITHDRAWN:
                raise Conflict(N_("This offer was withdrawn."))
            if not offer.available(today):
                raise Conflict(N_("This offer is no longer available."))
            if not fits(offer.unit, need.unit):
                raise Conflict(N_("This offer does not fit that need."))
            lacking = unmet(need, await uow.offers.pledged_towards(appeal.id))
            if lacking <= 0:
                raise Conflict(N_("This need is already covered."))
            quantity, unit, used = pledge_quantity(offer, need, lacking)
            pledge = await uow.pledges.add(
                await self._pledge_for(uow, offer, appeal, need, quantity, unit, used, today)
            )
            match = await uow.offers.add_match(
                Match(0, offer.id, need.id, appeal.id, pledge.id, used, standing.person_id, now)
            )
            if match is None:
                raise Conflict(N_("This offer was already accepted for this need."))
            offer.remaining = max(offer.remaining - used, Decimal(0))
            if offer.remaining <= 0:
                offer.status = OfferStatus.MATCHED
            await uow.offers.save(offer)
            await record_audit(
                uow,
                self._clock,
                origin,
                "offer.match",
                f"offer:{offer.id}",
                None,
                f"need:{need.id} pledge:{pledge.id} {plain_quantity(quantity, unit)}",
            )
            language = offerer.language if offerer is not None else Language.EN
            await uow.outbox.enqueue(
                NewDelivery(
                    Purpose.NOTICE,
                    subject=f"match:{match.id}",
                    chat_id=offer.person_id,
                    text=self._notices.offer_matched(language, offer, appeal, need, pledge),
                    buttons=None,
                ),
                now,
            )
            await uow.commit()
            return Accepted(match, pledge, offer, appeal, need)

    async def _pledge_for(
        self,
        uow: OfferUnitOfWork,
        offer: Offer,
        appeal: Appeal,
        need: Need,
        quantity: Decimal,
        unit: str,
        used: Decimal,
        today: date,
    ) -> Pledge:
        """The goods pledge an accepted offer becomes, on behalf of the offerer.

        On behalf of the offerer's organisation when they belong to exactly one (shown as
        the organisation only), else their own and anonymous: the offerer never chose to be
        named. Due by the appeal's deadline when that comes first, else by the offer's end.
        """
        roles = await uow.roles.of(offer.person_id)
        organisations = sorted({r.organisation_id for r in roles if r.organisation_id is not None})
        behalf = organisations[0] if len(organisations) == 1 else None
        due = offer.available_until
        if appeal.deadline is not None and appeal.deadline >= today:
            due = appeal.deadline if due is None else min(due, appeal.deadline)
        estimated = None
        if offer.price_minor is not None and offer.currency == appeal.currency:
            share = Decimal(offer.price_minor) * used / offer.quantity
            estimated = int(share.quantize(Decimal(1), rounding=ROUND_HALF_UP)) or None
        return Pledge(
            id=0,
            token=match_token(offer.id, need.id),
            person_id=offer.person_id,
            kind=PledgeKind.GOODS,
            appeal_id=appeal.id,
            need_id=need.id,
            item=offer.item,
            amount_minor=None,
            currency=appeal.currency,
            quantity=check_quantity(quantity),
            unit=unit,
            estimated_minor=estimated,
            approximate=offer.approximate,
            description=f"offer:{offer.id} terms:{offer.terms.value}",
            on_behalf_of=behalf,
            earmark_recipient_id=None,
            due_date=due,
            visibility=Visibility.ORGANISATION if behalf is not None else Visibility.ANONYMOUS,
            cancelled=False,
            cancel_reason=None,
            source_chat_id=None,
            source_update_id=None,
            created_at=self._clock.now(),
        )

    # -- helpers ---------------------------------------------------------------------------

    async def _coordinator(self, uow: OfferUnitOfWork, origin: Origin) -> Standing:
        """The standing of the coordinator acting; anyone else is refused."""
        return await standing_holding(uow, origin, RoleName.COORDINATOR, NOT_COORDINATOR)

    async def _appeal_in_scope(
        self, uow: OfferUnitOfWork, standing: Standing, appeal_id: int
    ) -> Appeal:
        appeal = await uow.appeal_lookup.get(appeal_id)
        if appeal is None:
            raise NotFound(N_("There is no appeal number {number}."), number=appeal_id)
        if not standing.coordinates(appeal.organisation_id, await uow.organisations.all()):
            raise PermissionDenied(
                N_("Only coordinators in scope can match offers for this appeal.")
            )
        if not appeal.is_open:
            raise Conflict(
                N_("Appeal {number} is closed and takes no more pledges."), number=appeal_id
            )
        return appeal

    async def _offerer(self, uow: OfferUnitOfWork, person_id: int) -> str:
        """The offerer as coordinators see them: their organisations, else their name."""
        ids = {r.organisation_id for r in await uow.roles.of(person_id)}
        names = [o.name for o in await uow.organisations.all() if o.id in ids]
        if names:
            return ", ".join(names)
        person = await uow.people.get(person_id)
        return person.name if person is not None else str(person_id)
