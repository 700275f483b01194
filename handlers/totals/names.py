"""The names of kinds, states and units as one reader reads them (report cells, overdue list)."""

from __future__ import annotations

from domain.pledges.models import PledgeKind, PledgeStatus, Visibility
from handlers.context import Reader
from handlers.i18n import N_
from handlers.render import unit_name

KINDS = {PledgeKind.MONEY: N_("money"), PledgeKind.GOODS: N_("goods"),
         PledgeKind.SERVICE: N_("service"), PledgeKind.VOLUNTEER: N_("volunteer time")}
VISIBILITIES = {Visibility.NAMED: N_("named"), Visibility.ORGANISATION: N_("organisation only"),
                Visibility.ANONYMOUS: N_("anonymous")}
STATUSES = {PledgeStatus.PLEDGED: N_("pledged"), PledgeStatus.PARTIAL: N_("partly delivered"),
            PledgeStatus.DELIVERED: N_("delivered"), PledgeStatus.RECEIVED: N_("received"),
            PledgeStatus.CANCELLED: N_("cancelled"), PledgeStatus.LAPSED: N_("lapsed")}
STATES = {"reported": N_("reported"), "confirmed": N_("confirmed"),
          "questioned": N_("questioned")}
OFFER_STATUSES = {"open": N_("open"), "matched": N_("matched"), "withdrawn": N_("withdrawn")}
APPEAL_STATUSES = {"open": N_("open"), "closed": N_("closed"), "draft": N_("draft")}


class NameOf:
    """Translates the stored words of kinds, states and units for one reader."""

    def __init__(self, reader: Reader) -> None:
        self._reader = reader

    def _word(self, table: dict[str, str], key: str) -> str:
        found = table.get(key)
        return self._reader.t(found) if found else key

    def kind(self, kind: PledgeKind) -> str:
        """Money, goods, a service, volunteer time."""
        return self._reader.t(KINDS[kind])

    def visibility(self, visibility: Visibility) -> str:
        """How the pledger asked to be shown: a report marks anonymous ones."""
        return self._reader.t(VISIBILITIES[visibility])

    def status(self, status: PledgeStatus) -> str:
        """Where a pledge stands."""
        return self._reader.t(STATUSES[status])

    def state(self, state: str) -> str:
        """What a coordinator made of a delivery report."""
        return self._word(STATES, state)

    def stored(self, value: str) -> str:
        """A value of a history entry: a delivery's state or a pledge's status in words, else
        as stored (dates, amounts)."""
        status = {s.value: s for s in STATUSES}.get(value)
        return self.status(status) if status is not None else self._word(STATES, value)

    def offer_status(self, status: str) -> str:
        """Where an offer stands."""
        return self._word(OFFER_STATUSES, status)

    def appeal_status(self, status: str) -> str:
        """Open or closed."""
        return self._word(APPEAL_STATUSES, status)

    def unit(self, unit: str) -> str:
        """A unit's name in the reader's language (kg → 公斤); unknown units as written."""
        return unit_name(self._reader.language, unit)
