"""The pure rules of totals: rolling up small organisations for members, percentages."""

from __future__ import annotations

from decimal import Decimal

from domain.totals.models import (
    Figures,
    LineKind,
    MoneySums,
    OrganisationLine,
    RecipientLine,
    combined,
    fold_small,
    fold_small_recipients,
    percent,
)


def line(name: str, pledgers: int, yuan: int) -> OrganisationLine:
    """A subtree line with `pledgers` people who gave `yuan` together."""
    money = (MoneySums("CNY", yuan * 100),)
    return OrganisationLine(LineKind.SUBTREE, hash(name), name, Figures(money, (), pledgers,
                                                                        pledgers))


def test_lines_with_enough_pledgers_stay_as_they_are() -> None:
    lines = [line("区工商联", 5, 100), line("民主党派", 3, 30)]
    assert fold_small(lines) == lines


def test_small_lines_are_rolled_up_together_and_the_whole_still_adds_up() -> None:
    lines = [line("区工商联", 5, 100), line("甲", 1, 7), line("乙", 2, 9), line("丙", 4, 1)]
    shown = fold_small(lines)
    assert [x.name for x in shown] == ["区工商联", "丙", ""]
    folded = shown[-1]
    assert folded.kind is LineKind.FOLDED and folded.folded == 2
    assert folded.figures.money_in("CNY").pledged_minor == 1600
    assert combined(x.figures for x in shown).money_in("CNY") == combined(
        x.figures for x in lines
    ).money_in("CNY")


def test_a_rolled_up_line_too_small_to_hide_anyone_takes_the_smallest_shown_line() -> None:
    # alone, 甲's line would be the whole minus 区工商联's: 甲's own amount
    lines = [line("区工商联", 5, 100), line("民主党派", 3, 30), line("甲", 1, 7)]
    shown = fold_small(lines)
    assert [x.name for x in shown] == ["区工商联", ""]
    assert shown[-1].figures.pledgers == 4 and shown[-1].folded == 2
    # and when everything is small, everything is rolled up
    assert [x.kind for x in fold_small([line("甲", 1, 7)])] == [LineKind.FOLDED]


def test_recipients_with_one_or_two_pledgers_are_rolled_up_like_organisations() -> None:
    def earmarked(name: str, pledgers: int, yuan: int) -> RecipientLine:
        return RecipientLine(hash(name), name, line(name, pledgers, yuan).figures)

    lines = [earmarked("医院", 5, 100), earmarked("街道", 2, 9), earmarked("社区", 4, 5)]
    shown = fold_small_recipients(lines)
    # alone, 街道 would show two people's amount: it takes the smallest shown line along
    assert [x.name for x in shown] == ["医院", ""]
    assert shown[-1].folded == 2 and shown[-1].figures.pledgers == 6
    assert shown[-1].figures.money_in("CNY").pledged_minor == 1400
    assert fold_small_recipients(lines[:1]) == lines[:1]


def test_percent_rounds_down_and_has_none_without_a_target() -> None:
    assert percent(Decimal(2999), Decimal(3000)) == 99
    assert percent(3000, 3000) == 100
    assert percent(5, 0) is None
