"""Every user-visible message is translated in every language, with the same fields."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from bot.catalogs import dynamic_messages, extract_messages, missing_translations
from handlers.i18n import LANGUAGE_FOLDERS, LOCALE_DIR, load_catalog


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_code_has_messages_to_translate() -> None:
    assert len(extract_messages()) > 50


def test_no_catalog_misses_a_message() -> None:
    missing = missing_translations()
    assert missing == {}, "untranslated: run `python -m bot i18n` — " + repr(missing)[:2000]


@pytest.mark.parametrize("folder", sorted(LANGUAGE_FOLDERS.values()))
def test_translations_keep_the_fields_of_their_message(folder: str) -> None:
    catalog = load_catalog(LOCALE_DIR / folder, folder)
    wrong = [
        (message.id, message.string)
        for message in catalog
        if message.id and isinstance(message.id, str) and isinstance(message.string, str)
        and _fields(message.id) != _fields(message.string)
    ]
    assert wrong == []


def _chinese_entries() -> list[tuple[str, str, str]]:
    """(language folder, msgid, translation) of every Chinese catalog entry."""
    entries = []
    for folder in ("zh_Hans", "zh_Hant"):
        for message in load_catalog(LOCALE_DIR / folder, folder):
            if message.id and isinstance(message.id, str) and isinstance(message.string, str):
                entries.append((folder, message.id, message.string))
    return entries


CJK = r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]"
HALF_WIDTH_IN_CHINESE = re.compile(rf"(?<={CJK})\s?[,.:;?!()]|[,.:;?!()](?={CJK})")
# the one word for each concept, and the words that must not be used for it
TERMS = {
    "zh_Hans": {
        "协调员": ("协调人", "協調員", "協調人"),
        "组织": ("我的单位", "该单位", "单位名义", "组織"),  # 单位 is a measure's unit
    },
    "zh_Hant": {
        "協調員": ("協調人", "协调员", "协调人"),
        "組織": ("我的單位", "該單位", "單位名義", "组织"),
    },
}
OLD_YEAR = re.compile(r"(?<![0-9])(?:19[0-9]{2}|20[01][0-9]|2020)-[0-9]{2}-[0-9]{2}")


def test_messages_marked_inside_f_strings_are_found() -> None:
    # `f"<b>{escape(reader.t(N_('Organisations')))}</b>"`: Babel alone does not see it
    assert "Organisations" in extract_messages()


def test_no_translation_call_builds_its_message_at_run_time() -> None:
    assert dynamic_messages() == []


def test_the_static_check_finds_an_f_string_passed_to_a_translation(tmp_path: Path) -> None:
    package = tmp_path / "handlers"
    package.mkdir()
    (package / "bad.py").write_text(
        "def f(reader, n):\n    return reader.t(f'Sent {n} pledges')\n", encoding="utf-8"
    )
    for other in ("domain", "bot"):
        (tmp_path / other).mkdir()
    assert dynamic_messages(tmp_path) == ["handlers/bad.py:2"]


def test_chinese_translations_use_full_width_punctuation() -> None:
    wrong = [
        (folder, text) for folder, _, text in _chinese_entries()
        if HALF_WIDTH_IN_CHINESE.search(text)
    ]
    assert wrong == []


def test_the_check_for_half_width_punctuation_can_fail() -> None:
    assert HALF_WIDTH_IN_CHINESE.search("已取消,未保存。")
    assert HALF_WIDTH_IN_CHINESE.search("例如 500元 (现金)")
    assert not HALF_WIDTH_IN_CHINESE.search("例如 1.5万元、/pledge 3、09:00。")


def test_one_term_per_concept_in_each_chinese_script() -> None:
    wrong = [
        (folder, text)
        for folder, _, text in _chinese_entries()
        for avoided in TERMS[folder].values()
        if any(word in text for word in avoided)
    ]
    assert wrong == []


def test_examples_are_from_this_decade() -> None:
    texts = [text for _, msgid, text in _chinese_entries() for text in (msgid, text)]
    texts += list(extract_messages())
    assert [text for text in texts if OLD_YEAR.search(text)] == []
