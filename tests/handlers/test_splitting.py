"""Long HTML answers are split where Telegram can parse every part (issue 10 "Crashes")."""

from __future__ import annotations

import pytest

from handlers.common import split_text
from handlers.render import escape
from sandbox.rules import checked_text

SAMPLES = {
    "ampersands": "&" * 5000,
    "angle brackets": "<" * 3000 + ">" * 3000,
    "emoji": "🙏" * 3000,
    "cjk": "同心抗疫" * 1500,
    "mixed": ("捐&<🙏>" * 1500),
}


def _parsed(part: str) -> str:
    plain, _ = checked_text(part, "HTML", None)  # raises as Telegram would
    return plain


@pytest.mark.parametrize("name", sorted(SAMPLES))
@pytest.mark.parametrize("shift", [0, 1, 2, 3, 4])
def test_escaped_text_is_cut_between_characters_never_inside_an_entity(
    name: str, shift: int
) -> None:
    text = "x" * shift + SAMPLES[name]
    parts = split_text(escape(text))
    assert len(parts) > 1
    assert "".join(_parsed(p) for p in parts) == text


def test_tags_open_at_a_cut_are_closed_and_opened_again() -> None:
    body = "<b>" + escape("&" * 5000) + "</b>\n<i>" + escape("同" * 4000) + "</i>"
    parts = split_text(body)
    assert all(p.count("<b>") == p.count("</b>") for p in parts)
    plain = "".join(_parsed(p) for p in parts).replace("\n", "")
    assert plain == "&" * 5000 + "同" * 4000


def test_lines_are_kept_whole_when_a_break_fits() -> None:
    lines = [escape(f"#{n} 消毒液 & 口罩 <{n}>") for n in range(600)]
    parts = split_text("\n".join(lines))
    assert len(parts) > 1
    rebuilt = [line for p in parts for line in p.split("\n")]
    assert rebuilt == lines
    for part in parts:
        _parsed(part)


def test_a_short_text_is_one_part() -> None:
    assert split_text("<b>x</b> &amp;") == ["<b>x</b> &amp;"]
