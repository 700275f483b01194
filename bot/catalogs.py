"""Keeps the gettext catalogs complete: finds every message in the code and what is missing."""

from __future__ import annotations

import ast
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import write_po

from handlers.i18n import LANGUAGE_FOLDERS, LOCALE_DIR, load_catalog

ROOT = Path(__file__).resolve().parent.parent
SOURCE_PACKAGES = ("domain", "handlers", "bot")
KEYWORDS = {"_": None, "N_": None, "t": None}


# translation calls and the position of their message: `reader.t(MSG)`, `_(MSG)`, `N_(MSG)`,
# a renderer's `self._t(MSG)`, `translations.translate(language, MSG)`
MESSAGE_POSITION = {"_": 0, "N_": 0, "t": 0, "_t": 0, "translate": 1}


def _called_name(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _translation_calls(root: Path) -> list[tuple[str, ast.Call, ast.expr]]:
    """Every translation call in the code, with its file and its message argument."""
    calls = []
    for package in SOURCE_PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            where = str(path.relative_to(root))
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), where)):
                if not isinstance(node, ast.Call):
                    continue
                position = MESSAGE_POSITION.get(_called_name(node) or "")
                if position is not None and len(node.args) > position:
                    calls.append((where, node, node.args[position]))
    return calls


def dynamic_messages(root: Path = ROOT) -> list[str]:
    """Translation calls whose message is built at run time (an f-string, `+`, `.format`).

    No catalog can hold such a message: its words reach the reader untranslated. The
    message must be a literal msgid with `{fields}`, filled by the translation call.
    """
    return [
        f"{where}:{call.lineno}"
        for where, call, message in _translation_calls(root)
        if isinstance(message, ast.JoinedStr | ast.BinOp)
        or (isinstance(message, ast.Call) and _called_name(message) == "format")
    ]


def extract_messages(root: Path = ROOT) -> dict[str, list[str]]:
    """Return every translatable message in the code, with where it occurs.

    Babel's extraction does not look inside f-strings (`f"<b>{reader.t(N_('…'))}</b>"`),
    so the code's syntax trees are read as well: a message marked there is found too.
    """
    found: dict[str, list[str]] = {}
    for where, call, argument in _translation_calls(root):
        text = argument.value if isinstance(argument, ast.Constant) else None
        if isinstance(text, str) and text:
            found.setdefault(text, []).append(f"{where}:{call.lineno}")
    for package in SOURCE_PACKAGES:
        for filename, lineno, message, _comments, _context in extract_from_dir(
            root / package,
            method_map=[("**.py", "python")],
            keywords=KEYWORDS,
            comment_tags=(),
            strip_comment_tags=True,
        ):
            if isinstance(message, tuple):
                message = message[0]
            if message:
                found.setdefault(message, []).append(f"{package}/{filename}:{lineno}")
    return found


def missing_translations(locale_dir: Path = LOCALE_DIR) -> dict[str, list[str]]:
    """Return, per language folder, the messages its catalogs do not translate."""
    messages = extract_messages()
    missing: dict[str, list[str]] = {}
    for folder in LANGUAGE_FOLDERS.values():
        catalog = load_catalog(locale_dir / folder, folder)
        absent = [m for m in messages if not _translated(catalog, m)]
        if absent:
            missing[folder] = sorted(absent)
    return missing


def _translated(catalog: Catalog, message: str) -> bool:
    entry = catalog.get(message)
    return entry is not None and bool(entry.string)


def write_stubs(area: str, locale_dir: Path = LOCALE_DIR) -> dict[str, int]:
    """Append the missing messages, untranslated, to each language's `AREA.po`."""
    from babel.messages.pofile import read_po

    written: dict[str, int] = {}
    for folder, absent in missing_translations(locale_dir).items():
        path = locale_dir / folder / f"{area}.po"
        catalog = Catalog(locale=folder)
        if path.exists():
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=folder)
        for message in absent:
            if catalog.get(message) is None:
                catalog.add(message, "")
        with path.open("wb") as handle:
            write_po(handle, catalog, width=100, omit_header=False, no_location=True)
        written[folder] = len(absent)
    return written
