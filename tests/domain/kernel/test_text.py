"""Free text is trimmed once, the same way, wherever a person writes it."""

from __future__ import annotations

import pytest

from domain.errors import InvalidInput
from domain.kernel.text import TextRule

EMPTY = "Please write something."
TOO_LONG = "At most {limit} characters."
SAYS_LENGTH = "At most {limit} characters; this one has {length}."


def test_folds_white_space_to_one_line() -> None:
    assert TextRule(EMPTY, 20, TOO_LONG).clean("  Wuhan \n  Jianghan\t") == "Wuhan Jianghan"


def test_keeps_lines_when_asked() -> None:
    rule = TextRule(EMPTY, 20, TOO_LONG, one_line=False)
    assert rule.clean("  first\nsecond  ") == "first\nsecond"


@pytest.mark.parametrize("raw", ["", "   ", "\n\t"])
def test_refuses_empty_text(raw: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        TextRule(EMPTY, 20, TOO_LONG).clean(raw)
    assert (refused.value.message, refused.value.params) == (EMPTY, {})


def test_refuses_text_over_the_limit_naming_only_the_fields_its_message_has() -> None:
    with pytest.raises(InvalidInput) as refused:
        TextRule(EMPTY, 5, TOO_LONG).clean("abcdef")
    assert refused.value.params == {"limit": 5}
    with pytest.raises(InvalidInput) as told:
        TextRule(EMPTY, 5, SAYS_LENGTH).clean("abcdefg")
    assert told.value.params == {"limit": 5, "length": 7}


def test_text_at_the_limit_is_kept() -> None:
    assert TextRule(EMPTY, 5, TOO_LONG).clean(" abcde ") == "abcde"
