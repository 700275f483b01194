"""The page's own words: every string it uses exists, non-empty, in zh-Hans, zh-Hant and en."""

from __future__ import annotations

import json
import re

from sandbox.webui import WEB_ROOT

LANGUAGES = ("zh-Hans", "zh-Hant", "en")


def _catalog() -> dict[str, dict[str, str]]:
    data: dict[str, dict[str, str]] = json.loads((WEB_ROOT / "i18n.json").read_text("utf-8"))
    return data


def _keys_used() -> set[str]:
    script = "\n".join(p.read_text("utf-8") for p in sorted(WEB_ROOT.glob("*.js")))
    markup = (WEB_ROOT / "index.html").read_text("utf-8")
    used = set(re.findall(r"\bt\(\s*\"([a-z_]+)\"\s*[,)]", script))
    used |= set(re.findall(r'data-i18n="([a-z_]+)"', markup))
    # service messages are looked up as "service_" + the message's kind
    used |= {"service_" + kind for kind in re.findall(
        r'"(new_chat_members|left_chat_member|new_chat_title|group_chat_created|'
        r'supergroup_chat_created|migrate_to_chat_id|migrate_from_chat_id)"',
        (WEB_ROOT.parent / "webview.py").read_text("utf-8"))}
    return used


def test_the_page_has_exactly_the_three_languages() -> None:
    assert sorted(_catalog()) == sorted(LANGUAGES)


def test_every_word_the_page_uses_is_in_every_language() -> None:
    catalog = _catalog()
    used = _keys_used()
    assert len(used) > 40, used  # the scan found the page's words
    for language in LANGUAGES:
        missing = sorted(k for k in used if not str(catalog[language].get(k, "")).strip())
        assert not missing, f"{language} misses {missing}"


def test_no_language_has_words_the_others_lack() -> None:
    catalog = _catalog()
    keys = {language: set(words) for language, words in catalog.items()}
    assert keys["zh-Hans"] == keys["en"] == keys["zh-Hant"]


def test_placeholders_match_across_languages() -> None:
    catalog = _catalog()
    for key, english in catalog["en"].items():
        wanted = sorted(re.findall(r"\{[a-z]+\}", english))
        for language in ("zh-Hans", "zh-Hant"):
            assert sorted(re.findall(r"\{[a-z]+\}", catalog[language][key])) == wanted, key


def test_chinese_words_are_translated_not_copied() -> None:
    catalog = _catalog()
    copied = [k for k, v in catalog["en"].items()
              if catalog["zh-Hans"][k] == v and re.search("[A-Za-z]{3}", v)]
    assert not copied, copied
