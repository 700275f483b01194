"""The pledges' `AmountReader` on top of `domain.parsing` (the shared parser)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.errors import InvalidInput
from domain.parsing import (
    can_convert,
    convert,
    messages,
    parse_bare_quantity,
    parse_due_date,
    parse_offer_text,
    units_compatible,
)
from domain.pledges.ports import ReadAmount


class ParsingReader:
    """Reads amounts, quantities and dates with the shared parser."""

    def read(self, text: str, default_currency: str) -> ReadAmount | None:
        """Read one line; None when it holds no amount (other refusals propagate)."""
        try:
            parsed = parse_offer_text(text, default_currency=default_currency)
        except InvalidInput as error:
            if error.message == messages.NO_AMOUNT:
                return None
            raise
        estimated = None if parsed.estimated_value is None else parsed.estimated_value.major
        if parsed.quantity is not None:
            return ReadAmount(
                value=parsed.quantity.value,
                unit=parsed.quantity.unit,
                currency=None,
                item=parsed.item,
                estimated_value=estimated,
                approximate=parsed.approximate,
                estimated_currency=(
                    None if parsed.estimated_value is None else parsed.estimated_value.currency
                ),
                value_approximate=parsed.value_approximate,
            )
        if parsed.money is not None:
            return ReadAmount(
                value=parsed.money.major,
                unit="",
                currency=parsed.money.currency,
                item=parsed.item,
                approximate=parsed.approximate,
            )
        if parsed.estimated_value is not None:
            return ReadAmount(
                value=parsed.estimated_value.major,
                unit="",
                currency=parsed.estimated_value.currency,
                item=parsed.item,
                approximate=parsed.approximate,
                value_approximate=parsed.value_approximate,
                value_only=parsed.value_marked,
            )
        return None

    def read_bare(self, text: str, unit: str) -> ReadAmount | None:
        """A bare number as a quantity in `unit`; None when it is more (or the unit unknown)."""
        try:
            parsed = parse_bare_quantity(text, unit)
        except ValueError:
            return None
        if parsed is None or parsed.quantity is None:
            return None
        return ReadAmount(
            value=parsed.quantity.value,
            unit=parsed.quantity.unit,
            currency=None,
            approximate=parsed.approximate,
        )

    def units_compatible(self, unit: str, other: str) -> bool:
        """True when both units measure the same kind of thing; unknown units never fit."""
        try:
            return units_compatible(unit, other)
        except (KeyError, ValueError):
            return False

    def convert(self, value: Decimal, unit: str, to_unit: str) -> Decimal:
        """`value` in `unit` expressed in `to_unit` (unchanged when it cannot be converted)."""
        try:
            if unit != to_unit and can_convert(unit, to_unit):
                return convert(value, unit, to_unit)
        except (KeyError, ValueError):
            pass
        return value

    def read_date(self, text: str, today: date) -> date | None:
        """Read a date; None when unreadable; InvalidInput for a yearless date just passed."""
        try:
            return parse_due_date(text, today=today)
        except InvalidInput as error:
            if error.message == messages.NEXT_YEAR:
                raise  # a date that has passed is asked back, not "unreadable"
            return None
