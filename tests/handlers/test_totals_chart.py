"""/chart through the bot, and every label of its pictures drawable in the installed CJK font."""

from __future__ import annotations

import pytest

from bot.runtime import TongxinApplication
from domain.kernel.standing import RoleName
from handlers.context import Reader
from handlers.totals.chart import ChartWriter, font_path, missing_glyphs
from sandbox.client import SandboxClient
from storage.uow import SqlUnitOfWorkFactory
from tests.domain.totals.seed import seed_scenario
from tests.handlers.totals_talk import grant, person, pledgers
from tests.harness import Conversation

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("lang", ["zh-hans", "zh-hant", "en"])
async def test_the_charts_are_sent_and_every_label_has_its_glyphs(
    app: TongxinApplication, client: SandboxClient, chat: Conversation,
    store: SqlUnitOfWorkFactory, lang: str,
) -> None:
    seen = await seed_scenario(store, pledgers())
    admin = await person(client, chat, "Boss", lang)
    await grant(store, admin, RoleName.ADMIN, None)
    needs, organisations = await chat.say(admin, f"/chart {seen.appeal.id}", expect=2)
    titles = {
        "zh-hans": ("倡议 #{n} 抗疫倡议：各项需求进度", "倡议 #{n} 抗疫倡议：各组织资金"),
        "zh-hant": ("倡議 #{n} 抗疫倡议：各項需求進度", "倡議 #{n} 抗疫倡议：各組織資金"),
        "en": ("Appeal #{n} 抗疫倡议: progress of each need",
               "Appeal #{n} 抗疫倡议: money by organisation"),
    }[lang]
    assert (needs["caption"], organisations["caption"]) == tuple(
        title.replace("{n}", str(seen.appeal.id)) for title in titles
    )
    for message in (needs, organisations):
        found = await app.bot.get_file(message["photo"][-1]["file_id"])
        assert bytes(await found.download_as_bytearray()).startswith(PNG)
    # the same pictures' words, as the bot drew them for this reader
    services = app.bot_data.services
    async with store() as uow:
        reader_person = await uow.people.get(admin)
    assert reader_person is not None
    reader = Reader(reader_person, services.translations)
    view = await services.totals.appeal(admin, seen.appeal.id)
    charts = ChartWriter(reader).charts(view)
    labels = [label for chart in charts for label in chart.labels()]
    assert "消毒液" in labels and "区工商联" in labels
    assert missing_glyphs(labels) == set(), labels


def test_the_glyph_check_finds_what_the_font_lacks() -> None:
    assert font_path().is_file() and font_path().suffix == ".otf"
    assert missing_glyphs(["認捐 认捐 ¥1,582,000 ≈3万元 %"]) == set()
    assert missing_glyphs(["消毒液 🧪", "\U0002a6d6"]) == {"🧪", "\U0002a6d6"}


async def test_a_member_gets_the_public_chart_and_bad_numbers_are_answered(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory,
) -> None:
    seen = await seed_scenario(store, pledgers())
    member = await person(client, chat, "Mem", "en")
    await grant(store, member, RoleName.MEMBER, seen.organisations["民主党派"].id)
    _, organisations = await chat.say(member, f"/chart {seen.appeal.id}", expect=2)
    assert organisations["caption"].endswith("money by organisation")
    [said] = await chat.say(member, "/chart")
    assert said["text"] == "Write the appeal's number, e.g. /chart 12"
    [said] = await chat.say(member, "/chart 4242")
    assert said["text"] == "There is no appeal number 4242."
