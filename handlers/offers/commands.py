"""/offer, /myoffers, /match, and the Withdraw and Accept buttons: the offers feature."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from typing import Any

from telegram import Update
from telegram.ext import Application

from domain.errors import DomainError
from domain.kernel.origin import Origin
from domain.kernel.standing import RoleName
from domain.offers.draft import OfferDraft, OfferKind, read_item_line
from domain.offers.ports import OfferUnitOfWorkFactory
from domain.offers.service import OfferService
from handlers.common import (
    CommandSpec,
    add_commands,
    attempt,
    pressed,
    private_command,
    private_mine,
    refuse,
    reply,
)
from handlers.context import Services, TongxinContext
from handlers.dialogs import DialogView, begin_dialog
from handlers.i18n import N_
from handlers.offers.dialogs import OfferView
from handlers.offers.render import (
    OfferNotices,
    accept_markup,
    candidate_text,
    listing_text,
    withdraw_markup,
)
from handlers.render import escape, quantity_text
from handlers.wiring import Wiring

WITHDRAW_BUTTON = re.compile(r"^ow:([0-9]{1,19})$")
ACCEPT_BUTTON = re.compile(r"^ma:([0-9]{1,19}):([0-9]{1,19}):([0-9]{1,19})$")
MATCH_ARGUMENT = re.compile(r"^#?([0-9]{1,12})$")
#: /myoffers shows the newest offers, one message each
LISTED_OFFERS = 20

OFFER_COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("offer", N_("Offer supplies: item, quantity, terms, place"), RoleName.MEMBER),
    CommandSpec("myoffers", N_("Your supply offers"), RoleName.MEMBER),
    CommandSpec("match", N_("Match supply offers with unmet needs"), RoleName.COORDINATOR),
)


class OfferFeature:
    """Offering supplies (a dialog on the engine), one's offers, and matching them with needs."""

    commands = OFFER_COMMANDS

    def __init__(self) -> None:
        self._view = OfferView()

    def register(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """/offer, /myoffers, /match and the Withdraw and Accept buttons."""
        add_commands(
            app,
            {"offer": self.offer, "myoffers": self.myoffers, "match": self.match},
            {"ow": self.withdraw_button, "ma": self.accept_button},
        )

    def views(self) -> Sequence[DialogView]:
        """The offer dialog's view."""
        return [self._view]

    def services(self, wiring: Wiring[OfferUnitOfWorkFactory]) -> Sequence[object]:
        """The offer service: offers, matches and the coordinators' notice of a match."""
        settings = wiring.settings
        notices = OfferNotices(wiring.translations)
        return [
            OfferService(wiring.uow, wiring.clock, notices, settings.currency, settings.timezone)
        ]

    def kinds(self, services: Services) -> Sequence[OfferKind]:
        """The offer dialog's kind, recording offers through the offer service."""
        return [OfferKind(services.of(OfferService))]

    async def offer(self, update: Update, context: TongxinContext) -> None:
        """`/offer` opens the dialog; `/offer N95口罩 5000个` starts it with the item read."""
        asked = await private_command(update, context)
        if asked is None:
            return
        reader, text = asked
        if text.casefold() == "list":
            await self.myoffers(update, context)
            return
        currency = context.services.of(OfferService).currency
        draft = OfferDraft(token=secrets.token_hex(8), currency=currency)
        if text:
            try:
                read_item_line(draft, text)
            except DomainError as error:
                await refuse(update, reader, error)
                return
        await begin_dialog(update, context, reader, self._view, draft)

    async def myoffers(self, update: Update, context: TongxinContext) -> None:
        """List the person's offers; open ones can be withdrawn."""
        service = context.services.of(OfferService)
        found = await private_mine(update, context, service.mine)
        if found is None:
            return
        reader, offers = found
        await context.services.network.mark_update(update.update_id)
        if not offers:
            await reply(update, escape(reader.t(N_("You have no offers yet. Send /offer."))))
            return
        today = service.calendar.today(reader.person.timezone)
        for offer in offers[:LISTED_OFFERS]:
            await reply(update, listing_text(reader, offer, today), withdraw_markup(reader, offer))

    async def withdraw_button(self, update: Update, context: TongxinContext) -> None:
        """The offerer withdraws one of their open offers."""
        press = await pressed(update, context, WITHDRAW_BUTTON, ids=(1,))
        if press is None:
            return
        query, reader, match = press
        offer = await attempt(
            update,
            context,
            reader,
            context.services.of(OfferService).withdraw(
                Origin(reader.person.id, update.update_id), int(match.group(1))
            ),
            claims=False,
        )
        if offer is None:
            return
        await query.answer()
        await reply(
            update, escape(reader.t(N_("Offer #{number} is withdrawn."), number=offer.id))
        )

    async def match(self, update: Update, context: TongxinContext) -> None:
        """Coordinators: candidate pairs of open offers and unmet needs, each with Accept."""
        asked = await private_command(update, context)
        if asked is None:
            return
        reader, argument = asked
        services = context.services
        found = MATCH_ARGUMENT.match(argument)
        if argument and found is None:
            await services.network.mark_update(update.update_id)
            await reply(
                update,
                escape(
                    reader.t(N_("Write /match, or /match with an appeal number, e.g. /match 3."))
                ),
            )
            return
        appeal_id = int(found.group(1)) if found is not None else None
        try:
            pairs = await services.of(OfferService).candidates(Origin(reader.person.id), appeal_id)
        except DomainError as error:
            await services.network.mark_update(update.update_id)
            await refuse(update, reader, error)
            return
        await services.network.mark_update(update.update_id)
        if not pairs:
            await reply(
                update, escape(reader.t(N_("No open offer matches an unmet need right now.")))
            )
            return
        for pair in pairs:
            await reply(update, candidate_text(reader, pair), accept_markup(reader, pair))

    async def accept_button(self, update: Update, context: TongxinContext) -> None:
        """A coordinator accepts a pair (scope and state checked now, on their numeric id)."""
        press = await pressed(update, context, ACCEPT_BUTTON, ids=(1, 2, 3))
        if press is None:
            return
        query, reader, match = press
        offer_id, appeal_id, need_id = (int(g) for g in match.groups())
        origin = Origin(reader.person.id, update.update_id)
        accepted = await attempt(
            update,
            context,
            reader,
            context.services.of(OfferService).accept(origin, offer_id, appeal_id, need_id),
            claims=False,
        )
        if accepted is None:
            return
        await query.answer()
        pledge = accepted.pledge
        assert pledge.quantity is not None
        what = quantity_text(reader.language, pledge.quantity, pledge.unit, pledge.approximate)
        await reply(
            update,
            escape(
                reader.t(
                    N_(
                        "Accepted: offer #{offer} is now pledge #{pledge} for {need}: {what}. "
                        "The offerer is told."
                    ),
                    offer=accepted.offer.id,
                    pledge=pledge.id,
                    need=accepted.need.item,
                    what=what,
                )
            ),
        )
