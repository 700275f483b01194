"""Translations: gettext catalogs per language, compiled in memory from the .po files."""

from __future__ import annotations

import gettext
import io
from collections.abc import Callable
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from domain.errors import DomainError
from domain.network.models import Language

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGE_FOLDERS: dict[Language, str] = {
    Language.ZH_HANS: "zh_Hans",
    Language.ZH_HANT: "zh_Hant",
    Language.EN: "en",
}
LANGUAGE_NAMES: dict[Language, str] = {
    Language.ZH_HANS: "简体中文",
    Language.ZH_HANT: "繁體中文",
    Language.EN: "English",
}

Gettext = Callable[[str], str]


def N_(message: str) -> str:
    """Mark a message for extraction where it is translated later (e.g. command menus)."""
    return message


def load_catalog(folder: Path, locale: str) -> Catalog:
    """Merge every .po file of one language folder into one catalog."""
    merged = Catalog(locale=locale)
    for po_file in sorted(folder.glob("*.po")):
        with po_file.open("rb") as handle:
            part = read_po(handle, locale=None)
        for message in part:
            if message.id and message.string:
                merged.add(message.id, message.string, flags=message.flags)
    return merged


class Translations:
    """One GNU gettext translation per language, loaded once at start-up."""

    def __init__(self, by_language: dict[Language, gettext.NullTranslations]) -> None:
        self._by_language = by_language

    @classmethod
    def load(cls, locale_dir: Path = LOCALE_DIR) -> Translations:
        """Compile every language's catalogs in memory (no .mo files to go stale)."""
        loaded: dict[Language, gettext.NullTranslations] = {}
        for language, folder in LANGUAGE_FOLDERS.items():
            catalog = load_catalog(locale_dir / folder, folder)
            buffer = io.BytesIO()
            write_mo(buffer, catalog)
            buffer.seek(0)
            loaded[language] = gettext.GNUTranslations(buffer)
        return cls(loaded)

    def gettext(self, language: Language) -> Gettext:
        """Return the `_` function for one language."""
        return self._by_language[language].gettext

    def translate(self, language: Language, message: str, /, **params: object) -> str:
        """Translate a message and fill its `{fields}`."""
        text = self._by_language[language].gettext(message)
        return text.format(**params) if params else text

    def error(self, language: Language, error: DomainError) -> str:
        """Render a domain refusal in the reader's language."""
        return self.translate(language, error.message, **error.params)
