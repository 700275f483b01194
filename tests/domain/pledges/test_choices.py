"""The choices a draft takes after its amount: which appeal, the summary's changes, words."""

from __future__ import annotations

import pytest

from domain.errors import InvalidInput
from domain.pledges.choices import attach_appeal, edit_value, mentions_pledge, reopen
from domain.pledges.draft import Step, next_step
from domain.pledges.one_line import natural_draft, one_line_draft
from tests.domain.pledges.examples import READER, TODAY, appeal


@pytest.mark.parametrize(
    "text",
    ["我们单位捐5万元", "I'll give 2000 yuan", "我想捐点东西，怎么弄？", "認捐口罩", "We donate"],
)
def test_words_of_giving_are_recognised(text: str) -> None:
    assert mentions_pledge(text)


@pytest.mark.parametrize("text", ["加油！", "Well done everyone", "谢谢大家", "forgiven"])
def test_chatter_is_not_taken_for_a_pledge(text: str) -> None:
    assert not mentions_pledge(text)


def test_money_in_a_sentence_is_money_whatever_words_surround_it() -> None:
    for text, minor in (("我们单位捐5万元", 5_000_000), ("I'll give 2000 yuan", 200_000)):
        draft = natural_draft(
            "t", text, amounts=READER, appeal=None, today=TODAY, default_currency="CNY"
        )
        assert draft is not None and (draft.kind, draft.amount_minor) == ("money", minor), text
        assert next_step(draft, None, []) is Step.APPEAL
    assert natural_draft(
        "t", "我想捐点东西", amounts=READER, appeal=None, today=TODAY, default_currency="CNY"
    ) is None


def test_an_appeal_chosen_after_a_one_line_goods_pledge_brings_its_deadline_and_need() -> None:
    draft = one_line_draft(
        "t", "消毒液 3000公斤", amounts=READER, appeal=None, today=TODAY, default_currency="CNY"
    )
    assert draft.need_id is None and draft.due is None
    attach_appeal(draft, appeal(), TODAY, READER)
    assert (draft.appeal_id, draft.need_id, draft.due) == (3, 7, "2020-03-01")
    assert next_step(draft, appeal(), []) is Step.CONFIRM


def test_summary_changes_are_bound_to_their_draft() -> None:
    draft = one_line_draft(
        "tok", "5万元", amounts=READER, appeal=appeal(), today=TODAY, default_currency="CNY"
    )
    for value in (edit_value("behalf", "other"), "behalf", edit_value("colour", "tok")):
        with pytest.raises(InvalidInput):
            reopen(draft, value, [1])
    with pytest.raises(InvalidInput):  # no organisation to choose: nothing to change
        reopen(draft, edit_value("behalf", "tok"), [])
    reopen(draft, edit_value("behalf", "tok"), [1])
    assert next_step(draft, appeal(), [1]) is Step.BEHALF
    draft.behalf_chosen = True
    reopen(draft, edit_value("visibility", "tok"), [1])
    assert next_step(draft, appeal(), [1]) is Step.VISIBILITY
