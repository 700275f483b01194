"""The one strict parser of numbers from outside: ASCII digits, 64-bit range."""

from __future__ import annotations

import pytest

from domain.appeals.models import parse_appeal_deep_link
from domain.parsing.integers import INT64_MAX, parse_chat_id, parse_choice, parse_id, parse_int
from domain.pledges.one_line import parse_prefill_payload, split_one_line


@pytest.mark.parametrize(
    "text",
    ["", "-", "--5", "+5", " 5", "5 ", "²", "٣", "１２", "5.0", "1_000", "0x10", "五",
     str(2**63), str(-(2**63) - 1), "9" * 20, "99999999999999999999", None],
)
def test_anything_but_ascii_digits_in_64_bits_is_refused(text: str | None) -> None:
    assert parse_int(text) is None


def test_the_64_bit_range_is_accepted_to_its_edges() -> None:
    assert parse_int(str(INT64_MAX)) == INT64_MAX
    assert parse_int(str(-(2**63))) == -(2**63)
    assert parse_int("-5") == -5
    assert parse_int("007") == 7


def test_ids_choices_and_chat_ids_have_their_own_ranges() -> None:
    assert parse_id("0") is None and parse_id("-1") is None and parse_id("12") == 12
    assert parse_choice("0") == 0 and parse_choice("-1") is None
    assert parse_chat_id("0") is None and parse_chat_id("-100123") == -100123


def test_deep_links_and_the_one_line_form_use_the_strict_parser() -> None:
    assert parse_appeal_deep_link("a12_m100123") == (12, -100123)
    assert parse_appeal_deep_link("a12_m" + "9" * 20) is None  # a 20-digit chat id
    assert parse_appeal_deep_link("a12_m-5") is None
    assert parse_appeal_deep_link("a²_5") is None
    assert parse_prefill_payload("a1_m5_y" + "٣" * 3) is None
    assert split_one_line("٣ 5万元") == (None, "٣ 5万元")
    assert split_one_line("3 5万元") == (3, "5万元")
