"""Texts and keyboards of /totals and /overdue, in the reader's language and number style."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from domain.appeals.models import Need
from domain.network.models import Language
from domain.parsing import Money, Quantity, format_money, format_quantity
from domain.parsing.units import get_unit
from domain.totals.models import (
    AppealSummary,
    AppealTotalsView,
    Figures,
    LineKind,
    MoneySums,
    NeedFigures,
    OrganisationLine,
    ValueSum,
    percent,
)
from handlers.i18n import N_, Translations
from handlers.render import escape, style_for

APPROXIMATE = "≈"


def money_text(minor: int, currency: str, style: str, approximate: bool = False) -> str:
    """Money as the reader writes it (158.2万元, ¥1,582,000); ≈ when a part was approximate."""
    text = format_money(Money(minor, currency), style)
    return APPROXIMATE + text if approximate else text


def quantity_text(value: Decimal, unit: str, style: str, approximate: bool = False) -> str:
    """A quantity as the reader writes it: 3,000公斤 / 3,000 kg (unknown units as written)."""
    try:
        text = format_quantity(Quantity(value, unit), style)
        if style != "en":  # totals group the digits in Chinese too: 3,000公斤
            name = get_unit(unit).zh if style == "zh" else get_unit(unit).zh_hant
            text = f"{value.normalize():,f}{name}"
    except (KeyError, ValueError, TypeError):
        text = f"{value.normalize():,f} {unit}"
    return APPROXIMATE + text if approximate else text


class Voice(Protocol):
    """Whom the text is for: a reader in private, or a group in the network's language."""

    @property
    def language(self) -> Language:
        """The language the text is written in."""
        ...

    def t(self, message: str, /, **params: object) -> str:
        """Translate a message and fill its fields."""
        ...


@dataclass(frozen=True)
class GroupVoice:
    """A group's voice: the network's language, no person behind it."""

    translations: Translations
    language: Language

    def t(self, message: str, /, **params: object) -> str:
        """Translate a message for the group."""
        return self.translations.translate(self.language, message, **params)


class TotalsText:
    """Writes one reader's totals: every word through their catalog."""

    def __init__(self, reader: Voice) -> None:
        self.reader = reader
        self.style = style_for(reader.language)

    def _t(self, message: str, **params: object) -> str:
        return self.reader.t(message, **params)

    def _money(self, sums: MoneySums, field: str = "pledged") -> str:
        minor = {"pledged": sums.pledged_minor, "delivered": sums.delivered_minor,
                 "received": sums.received_minor}[field]
        # only what was pledged can be "about": deliveries are reported as exact amounts
        return money_text(minor, sums.currency, self.style, sums.approximate and field == "pledged")

    def _value(self, value: ValueSum) -> str:
        return money_text(value.value_minor, value.currency, self.style, value.approximate)

    def figures(self, figures: Figures) -> str:
        """One line's sums, short: money pledged (delivered), in-kind value, pledgers."""
        parts = [
            self._t(N_("{pledged} (delivered {delivered})"), pledged=self._money(m),
                    delivered=self._money(m, "delivered"))
            for m in figures.money
        ]
        parts += [self._t(N_("in kind {value}"), value=self._value(v)) for v in figures.in_kind]
        parts.append(self._t(N_("pledgers: {count}"), count=figures.pledgers))
        return self._t(N_("; ")).join(parts)

    def heading(self, view: AppealTotalsView) -> list[str]:
        """The title, whose part of the network counts, and the money against the target."""
        appeal = view.appeal
        lines = ["<b>" + escape(self._t(N_("Totals of appeal #{number} {title}"),
                                        number=appeal.id, title=appeal.title)) + "</b>"]
        if view.drilled is not None:
            lines.append(escape(self._t(N_("Within {name}"), name=view.drilled[1])))
        if not appeal.is_open:
            lines.append(escape(self._t(N_("This appeal is closed; these are its final totals."))))
        if not view.whole:
            lines.append(escape(self._t(
                N_("Counting only the pledges of the organisations you coordinate.")
            )))
        if not view.total.pledges:
            lines.append(escape(self._t(N_("Nothing pledged yet."))))
        money = {m.currency: m for m in view.total.money}
        if appeal.money_target_minor is not None:
            money.setdefault(appeal.currency, MoneySums(appeal.currency))
        for currency in sorted(money, key=lambda c: (c != appeal.currency, c)):
            lines.append(escape(self._money_line(view, money[currency])))
        for value in view.total.in_kind:
            both = money.get(value.currency, MoneySums(value.currency))
            lines.append(escape(self._t(
                N_("In kind (estimated value): {value}; cash and in kind: {both}"),
                value=self._value(value),
                both=money_text(both.pledged_minor + value.value_minor, value.currency,
                                self.style, both.approximate or value.approximate),
            )))
        return lines

    def _money_line(self, view: AppealTotalsView, sums: MoneySums) -> str:
        appeal = view.appeal
        params = {"pledged": self._money(sums), "delivered": self._money(sums, "delivered"),
                  "received": self._money(sums, "received"), "count": view.total.pledgers}
        target = appeal.money_target_minor
        if (sums.currency == appeal.currency and target is not None and view.whole
                and view.drilled is None):
            return self._t(
                N_("Money: pledged {pledged} of {target} ({percent}%), delivered {delivered}, "
                   "received {received}; pledgers: {count}"),
                target=money_text(target, sums.currency, self.style),
                percent=percent(sums.pledged_minor, target), **params,
            )
        return self._t(N_("Money: pledged {pledged}, delivered {delivered}, received "
                          "{received}; pledgers: {count}"), **params)

    def need(self, need: Need, sums: NeedFigures, currency: str) -> str:
        """One need: pledged, delivered, received against the target, with percentages."""
        unit, approx = need.unit, sums.approximate
        text = self._t(
            N_("{item}: pledged {pledged} ({pledged_percent}%), delivered {delivered} "
               "({delivered_percent}%), received {received}; target {target}"),
            item=need.item,
            pledged=quantity_text(sums.pledged, unit, self.style, approx),
            pledged_percent=percent(sums.pledged, need.target) or 0,
            delivered=quantity_text(sums.delivered, unit, self.style, approx),
            delivered_percent=percent(sums.delivered, need.target) or 0,
            received=quantity_text(sums.received, unit, self.style, approx),
            target=quantity_text(need.target, unit, self.style, need.approximate),
        )
        if sums.hours:
            text += self._t(N_("; volunteer time {hours}"),
                            hours=quantity_text(sums.hours, "hour", self.style))
        if sums.value_minor:
            text += self._t(N_("; and goods worth {value} with no quantity given"),
                            value=money_text(sums.value_minor, currency, self.style))
        return text

    def line_name(self, line: OrganisationLine) -> str:
        """What one line of the breakdown by organisation is called."""
        if line.kind is LineKind.NONE:
            return self._t(N_("Not for an organisation"))
        if line.kind is LineKind.FOLDED:
            # small organisations are shown only together with others (never alone)
            return self._t(N_("Others together ({count})"), count=line.folded)
        if line.kind is LineKind.OWN:
            return self._t(N_("{name} itself"), name=line.name)
        return line.name

    def organisation(self, line: OrganisationLine) -> str:
        """One line of the breakdown by organisation."""
        return self._t(N_("{name}: {figures}"), name=self.line_name(line),
                       figures=self.figures(line.figures))

    def appeal(self, view: AppealTotalsView) -> str:
        """The whole /totals N message (HTML)."""
        lines = self.heading(view)
        if view.needs and view.drilled is None:
            lines.append(escape(self._t(N_("Needs:"))))
            lines += ["• " + escape(self.need(n, s, view.appeal.currency)) for n, s in view.needs]
        if view.organisations:
            lines.append(escape(self._t(N_("By organisation:"))))
            lines += ["• " + escape(self.organisation(line)) for line in view.organisations]
            lines.append("= " + escape(self._t(N_("Together: {figures}"),
                                               figures=self.figures(view.total))))
        if view.recipients and view.drilled is None:
            lines.append(escape(self._t(N_("By recipient:"))))
            for recipient in view.recipients:
                name = (self._t(N_("Others together ({count})"), count=recipient.folded)
                        if recipient.folded else
                        recipient.name or self._t(N_("No recipient named")))
                lines.append("• " + escape(self._t(
                    N_("{name}: {figures}"), name=name, figures=self.figures(recipient.figures)
                )))
        if view.overdue is not None:
            lines.append(escape(self._t(N_("Overdue: {count} pledges past their due date."),
                                        count=view.overdue)))
        return "\n".join(lines)

    def keyboard(self, view: AppealTotalsView) -> InlineKeyboardMarkup | None:
        """A button per organisation to drill into, and one back up when drilled."""
        appeal_id = view.appeal.id
        rows = [
            [InlineKeyboardButton(
                f"{line.name} ▸", callback_data=f"tt:{appeal_id}:{line.organisation_id}"
            )]
            for line in view.organisations
            if line.drillable
        ]
        if view.drilled is not None:
            rows.append([InlineKeyboardButton(
                "⬆ " + self._t(N_("Up")), callback_data=f"tt:{appeal_id}:{view.parent_id or 0}"
            )])
        return InlineKeyboardMarkup(rows) if rows else None

    def progress(self, view: AppealTotalsView) -> str:
        """A group's /progress: the appeal's money and needs against its targets, no names."""
        lines = self.heading(view)
        lines += ["• " + escape(self.need(n, s, view.appeal.currency)) for n, s in view.needs]
        return "\n".join(lines)

    def overview(self, summaries: list[AppealSummary]) -> str:
        """One line per open appeal in the reader's scope."""
        if not summaries:
            return escape(self._t(N_("There is no open appeal you can see totals of.")))
        lines = ["<b>" + escape(self._t(N_("Open appeals:"))) + "</b>"]
        for summary in summaries:
            appeal = summary.appeal
            text = self._t(N_("{name}: {figures}"), name=f"#{appeal.id} {appeal.title}",
                           figures=self.figures(summary.figures))
            if not summary.whole:
                text += self._t(N_(" (your part of the network)"))
            lines.append("• " + escape(text))
        lines.append(escape(self._t(N_("Send /totals N for one appeal's details."))))
        return "\n".join(lines)
