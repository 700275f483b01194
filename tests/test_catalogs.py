"""Every user-visible message is translated in every language, with the same fields."""

from __future__ import annotations

import string

import pytest

from bot.catalogs import extract_messages, missing_translations
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
