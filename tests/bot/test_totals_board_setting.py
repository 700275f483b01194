"""BOARD_INTERVAL_MINUTES: how often the groups' live boards may be edited, validated."""

from __future__ import annotations

import pytest

from bot.settings import Settings, SettingsError, load_settings
from domain.totals.scheduled import BOARD_MINUTES


def test_the_boards_are_edited_every_ten_minutes_by_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("BOARD_INTERVAL_MINUTES", raising=False)
    assert Settings(_env_file=None).board_interval_minutes == BOARD_MINUTES == 10  # type: ignore[call-arg]


def test_a_chosen_interval_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOARD_INTERVAL_MINUTES", "3")
    assert load_settings().board_interval_minutes == 3


@pytest.mark.parametrize("value", ["0", "-5", "1.5", "ten", "", "1441", "99999999999999999999"])
def test_a_bad_interval_is_refused_by_name(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("BOARD_INTERVAL_MINUTES", value)
    with pytest.raises(SettingsError, match=r"^BOARD_INTERVAL_MINUTES: "):
        load_settings()
