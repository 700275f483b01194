"""The pledge dialog's other paths through the bot: a service, volunteer time, on whose behalf,
an earmark, the 24-hour expiry, and bad answers at each of these steps."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from bot.runtime import TongxinApplication
from domain.appeals.models import Appeal, AppealStatus, Need
from domain.clock import FakeClock
from domain.pledges.models import PledgeKind, Visibility
from sandbox.client import SandboxClient
from storage.uow import SqlUnitOfWorkFactory
from tests.harness import ADMIN_ID, Conversation
from tests.talk import (
    all_pledges,
    approved_groups,
    button,
    buttons,
    confirm,
    coordinator_of,
    join,
    last_id,
    make_appeal,
    member,
    pledges_of,
    press_and_read,
    press_and_read_many,
)

Json = dict[str, Any]

CANCEL_NOTE = {"zh-hans": "发送 /cancel 可停止。", "en": "Send /cancel to stop."}


def question(message: Json) -> str:
    """The question of a dialog message, without the heading and the /cancel note."""
    lines = message["text"].splitlines()
    return lines[-2] if len(lines) >= 2 else lines[0]


def labels(message: Json) -> list[str]:
    """The buttons' texts, row by row."""
    return [str(b["text"]) for b in buttons(message)]


async def dialog_data(store: SqlUnitOfWorkFactory, person_id: int) -> dict[str, Any] | None:
    """The person's stored dialog draft (None: no dialog)."""
    async with store() as uow:
        dialog = await uow.dialogs.get(person_id)
    return None if dialog is None else dict(dialog.data)


# -- 1. a service ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "texts"),
    [
        (
            "zh-hans",
            {
                "kind": "你想捐什么？",
                "description": "请用几句话描述（服务内容或任务）。",
                "value": "大约价值多少？例如 30万元。",
                "due": "什么时候送达？",
                "what": "免除三个月仓库租金",
                "worth": "30万元",
                "summary": ["类别：服务", "描述：免除三个月仓库租金", "估计价值：30万元"],
            },
        ),
        (
            "en",
            {
                "kind": "What would you like to give?",
                "description": "Please describe it in a few words (the service, or the task).",
                "value": "What is it worth, roughly? For example 30万元.",
                "due": "When will it be delivered?",
                "what": "Three months of warehouse rent waived",
                "worth": "300,000 yuan",
                "summary": [
                    "Kind: A service",
                    "Description: Three months of warehouse rent waived",
                    "Estimated value: ¥300,000",
                ],
            },
        ),
    ],
    ids=["zh-Hans", "en"],
)
async def test_a_service_is_described_valued_summarised_and_stored(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock,
    lang: str, texts: dict[str, Any],
) -> None:
    appeal = await make_appeal(store, clock)
    li = await member(client, chat, "Li", lang)
    [kind] = await chat.say(li, f"/pledge {appeal.id}")
    assert question(kind) == texts["kind"]
    description = await press_and_read(chat, li, kind, "pd:kind:service")
    assert question(description) == texts["description"]
    assert description["text"].endswith(CANCEL_NOTE[lang])
    [value] = await chat.say(li, texts["what"])
    assert question(value) == texts["value"]
    assert not buttons(value)
    # no organisation and no recipients: neither "on whose behalf" nor an earmark is asked
    [due] = await chat.say(li, texts["worth"])
    assert question(due).startswith(texts["due"]), due["text"]
    visibility = await press_and_read(chat, li, due, "pd:due:deadline")
    summary = await press_and_read(chat, li, visibility, "pd:visibility:named")
    for line in texts["summary"]:
        assert line in summary["text"].splitlines(), summary["text"]
    assert "2020-02-29" in summary["text"]
    assert await all_pledges(store) == 0
    thanks = await confirm(chat, li, summary)
    assert texts["what"] in thanks["text"]
    [pledge] = await pledges_of(store, li)
    assert pledge.kind is PledgeKind.SERVICE
    assert pledge.description == texts["what"]
    assert (pledge.estimated_minor, pledge.currency) == (30_000_000, "CNY")
    assert pledge.amount_minor is None and pledge.quantity is None
    assert pledge.appeal_id == appeal.id and pledge.due_date == date(2020, 2, 29)
    assert pledge.on_behalf_of is None and pledge.earmark_recipient_id is None
    assert pledge.visibility is Visibility.NAMED
    assert await dialog_data(store, li) is None


# -- 2. volunteer time ----------------------------------------------------------------------


async def test_volunteer_time_takes_the_task_hours_and_date(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    ann = await member(client, chat, "Ann", "en")
    [which] = await chat.say(ann, "/pledge")
    kind = await press_and_read(chat, ann, which, "pd:appeal:0")
    assert [b["callback_data"] for b in buttons(kind)] == [
        "pd:kind:money", "pd:kind:goods", "pd:kind:service", "pd:kind:volunteer",
    ]
    assert labels(kind) == ["Money", "Goods", "A service", "Volunteer time"]
    task = await press_and_read(chat, ann, kind, "pd:kind:volunteer")
    assert question(task) == "Please describe it in a few words (the service, or the task)."
    [hours] = await chat.say(ann, "Sorting donations at the Hankou warehouse")
    assert question(hours) == "How many hours? For example 8小时 or 8 hours.", hours["text"]
    [due] = await chat.say(ann, "8 hours")
    assert question(due).startswith("When will it be delivered?")
    assert labels(due) == ["No fixed date"]  # no appeal, so no deadline to offer
    [visibility] = await chat.say(ann, "2020-02-25")
    summary = await press_and_read(chat, ann, visibility, "pd:visibility:anonymous")
    lines = summary["text"].splitlines()
    assert "Kind: Volunteer time" in lines
    assert "Quantity: 8 hours" in lines
    assert "Description: Sorting donations at the Hankou warehouse" in lines
    assert "Delivery by: 2020-02-25" in lines
    assert "Shown: Anonymous" in lines
    thanks = await confirm(chat, ann, summary)
    assert thanks["text"] == (
        "Thank you! Your pledge #1 is recorded: Sorting donations at the Hankou warehouse"
        " 8 hours. See /mypledges."
    )
    [pledge] = await pledges_of(store, ann)
    assert pledge.kind is PledgeKind.VOLUNTEER
    assert pledge.description == "Sorting donations at the Hankou warehouse"
    assert (pledge.quantity, pledge.unit) == (Decimal(8), "hour")
    assert pledge.due_date == date(2020, 2, 25)
    assert pledge.appeal_id is None and pledge.amount_minor is None
    assert pledge.visibility is Visibility.ANONYMOUS


async def test_volunteer_hours_in_chinese(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    appeal = await make_appeal(store, clock)
    li = await member(client, chat, "Li", "zh-hans")
    [kind] = await chat.say(li, f"/pledge {appeal.id}")
    await press_and_read(chat, li, kind, "pd:kind:volunteer")
    [hours] = await chat.say(li, "物资分拣")
    assert question(hours) == "多少小时？例如 8小时。", hours["text"]
    [due] = await chat.say(li, "三小时")
    assert labels(due) == ["按倡议截止日期（2020-02-29）", "不定日期"]
    [visibility] = await chat.say(li, "明天")
    assert labels(visibility) == ["显示我的名字", "匿名"]  # no organisation to be shown as
    summary = await press_and_read(chat, li, visibility, "pd:visibility:named")
    assert "数量：3小时" in summary["text"].splitlines(), summary["text"]
    assert "送达日期：2020-02-20" in summary["text"].splitlines()
    await confirm(chat, li, summary)
    [pledge] = await pledges_of(store, li)
    assert (pledge.kind, pledge.quantity, pledge.unit) == (PledgeKind.VOLUNTEER, Decimal(3), "hour")
    assert (pledge.description, pledge.due_date) == ("物资分拣", date(2020, 2, 20))


# -- 3. on whose behalf ---------------------------------------------------------------------


async def _organisations(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, member_name: str
) -> dict[str, int]:
    """A federation with an enterprise under it; the member belongs to both."""
    await chat.say(ADMIN_ID, "/org add 工商联")
    await chat.say(ADMIN_ID, "/org add 华星制药 under 工商联")
    await chat.say(ADMIN_ID, f"/grant @{member_name} member 工商联")
    await chat.say(ADMIN_ID, f"/grant @{member_name} member 华星制药")
    async with store() as uow:
        return {o.name: o.id for o in await uow.organisations.all()}


async def test_a_member_of_two_organisations_chooses_one_and_is_shown_as_it(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    appeal = await make_appeal(store, clock)
    li = await member(client, chat, "Li", "zh-hans")
    orgs = await _organisations(client, chat, store, "li")
    [kind] = await chat.say(li, f"/pledge {appeal.id}")
    await press_and_read(chat, li, kind, "pd:kind:money")
    [behalf] = await chat.say(li, "5万元")
    assert question(behalf) == "以谁的名义？"
    assert sorted(labels(behalf)) == sorted(["我自己", "工商联", "华星制药"])
    assert labels(behalf)[0] == "我自己"
    assert sorted(b["callback_data"] for b in buttons(behalf)) == sorted(
        ["pd:behalf:0", f"pd:behalf:{orgs['工商联']}", f"pd:behalf:{orgs['华星制药']}"]
    )
    # typing instead of pressing is refused; the step stays
    [typed] = await chat.say(li, "华星制药")
    assert typed["text"] == "请用按钮回答。"
    due = await press_and_read(chat, li, behalf, f"pd:behalf:{orgs['华星制药']}")
    assert question(due).startswith("什么时候送达？")
    visibility = await press_and_read(chat, li, due, "pd:due:deadline")
    summary = await press_and_read(chat, li, visibility, "pd:visibility:organisation")
    assert "显示方式：仅显示我的组织" in summary["text"].splitlines(), summary["text"]
    assert "名义：华星制药" in summary["text"].splitlines(), summary["text"]
    await confirm(chat, li, summary)
    [pledge] = await pledges_of(store, li)
    assert pledge.on_behalf_of == orgs["华星制药"]
    assert pledge.visibility is Visibility.ORGANISATION
    assert pledge.amount_minor == 5_000_000


async def test_myself_is_stored_as_no_organisation_and_a_forged_organisation_is_refused(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    appeal = await make_appeal(store, clock)
    ann = await member(client, chat, "Ann", "en")
    orgs = await _organisations(client, chat, store, "ann")
    await chat.say(ADMIN_ID, "/org add 红十字会")
    async with store() as uow:
        [other] = [o.id for o in await uow.organisations.all() if o.name == "红十字会"]
    [kind] = await chat.say(ann, f"/pledge {appeal.id}")
    await press_and_read(chat, ann, kind, "pd:kind:money")
    [behalf] = await chat.say(ann, "500元")
    assert question(behalf) == "On whose behalf?"
    assert labels(behalf)[0] == "Myself" and "红十字会" not in labels(behalf)
    forged = await chat.press(ann, ann, behalf, data=f"pd:behalf:{other}", forged=True)
    assert forged["text"] == "This button is no longer valid."
    data = await dialog_data(store, ann)
    assert data is not None and data["behalf_chosen"] is False and data["behalf"] is None
    due = await press_and_read(chat, ann, behalf, "pd:behalf:0")
    visibility = await press_and_read(chat, ann, due, "pd:due:none")
    summary = await press_and_read(chat, ann, visibility, "pd:visibility:named")
    assert "On behalf of: Myself" in summary["text"].splitlines()
    await confirm(chat, ann, summary)
    [pledge] = await pledges_of(store, ann)
    assert pledge.on_behalf_of is None and pledge.due_date is None
    assert set(orgs) == {"工商联", "华星制药"}


# -- 4. an earmark --------------------------------------------------------------------------


async def test_the_earmark_is_offered_for_named_recipients_and_not_asked_without(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    appeal = await make_appeal(store, clock, recipients=("黄山街道办事处", "武汉协和医院"))
    plain = await make_appeal(store, clock)
    ann = await member(client, chat, "Ann", "en")
    [kind] = await chat.say(ann, f"/pledge {appeal.id}")
    await press_and_read(chat, ann, kind, "pd:kind:money")
    [earmark] = await chat.say(ann, "500元")
    assert question(earmark) == "Is it for one recipient in particular?"
    assert labels(earmark) == ["黄山街道办事处", "武汉协和医院", "No earmark"]
    hospital = appeal.recipients[1].id
    assert button(earmark, "pd:earmark:")["callback_data"] == (
        f"pd:earmark:{appeal.recipients[0].id}"
    )
    due = await press_and_read(chat, ann, earmark, f"pd:earmark:{hospital}")
    visibility = await press_and_read(chat, ann, due, "pd:due:deadline")
    summary = await press_and_read(chat, ann, visibility, "pd:visibility:named")
    assert "For: 武汉协和医院" in summary["text"].splitlines(), summary["text"]
    await confirm(chat, ann, summary)
    [pledge] = await pledges_of(store, ann)
    assert pledge.earmark_recipient_id == hospital
    # an appeal without recipients: after the amount comes the date, no earmark question
    [kind] = await chat.say(ann, f"/pledge {plain.id}")
    await press_and_read(chat, ann, kind, "pd:kind:money")
    [due] = await chat.say(ann, "500元")
    assert question(due).startswith("When will it be delivered?"), due["text"]
    forged = await chat.press(ann, ann, due, data=f"pd:earmark:{hospital}", forged=True)
    assert forged["text"] == "This button is no longer valid."
    visibility = await press_and_read(chat, ann, due, "pd:due:deadline")
    summary = await press_and_read(chat, ann, visibility, "pd:visibility:named")
    assert not any(line.startswith("For:") for line in summary["text"].splitlines())
    await confirm(chat, ann, summary)
    second, _first = await pledges_of(store, ann)
    assert second.appeal_id == plain.id and second.earmark_recipient_id is None


# -- 5. the 24-hour expiry ------------------------------------------------------------------


def sweep_job(app: TongxinApplication) -> Any:
    """The runtime's dialog sweep, paused on its schedule so that only the test runs it."""
    assert app.job_queue is not None
    [job] = app.job_queue.get_jobs_by_name("dialogs")
    job.enabled = False
    return job


async def test_an_abandoned_dialog_expires_with_one_note_in_the_persons_language(
    app: TongxinApplication, client: SandboxClient, chat: Conversation,
    store: SqlUnitOfWorkFactory, clock: FakeClock,
) -> None:
    job = sweep_job(app)
    appeal = await make_appeal(store, clock)
    li = await member(client, chat, "Li", "zh-hans")
    ann = await member(client, chat, "Ann", "en")
    [li_kind] = await chat.say(li, f"/pledge {appeal.id}")
    await press_and_read(chat, li, li_kind, "pd:kind:money")
    [ann_kind] = await chat.say(ann, f"/pledge {appeal.id}")
    seen = {li: await last_id(client, li), ann: await last_id(client, ann)}

    clock.advance(timedelta(hours=23, minutes=59))
    await job.run(app)
    assert await dialog_data(store, li) is not None and await dialog_data(store, ann) is not None
    clock.advance(timedelta(minutes=2))
    await job.run(app)
    [note] = await chat.next_messages(li, 1, seen[li])
    assert note["text"] == "你未完成的认捐已超过 24 小时失效，未保存任何内容。"
    [note] = await chat.next_messages(ann, 1, seen[ann])
    assert note["text"] == "Your unfinished pledge expired after 24 hours; nothing was saved."
    assert await dialog_data(store, li) is None and await dialog_data(store, ann) is None
    # a later sweep says nothing more
    clock.advance(timedelta(hours=30))
    await job.run(app)
    for person in (li, ann):
        assert len(await client.bot_messages(person, seen[person])) == 1
    # a later answer is not taken as part of the old dialog, nor is a press on its buttons
    [answer] = await chat.say(li, "5000元")
    assert answer["text"] == "我没有理解。发送 /help 查看你可以做什么。"
    stale = await chat.press(ann, ann, ann_kind, data="pd:kind:money")
    assert stale["text"] == "This button is no longer valid."
    # its answered question lost its buttons: only a forged press can still arrive
    stale = await chat.press(li, li, li_kind, data="pd:kind:goods", forged=True)
    assert stale["text"] == "此按钮已失效。"
    assert await dialog_data(store, li) is None and await dialog_data(store, ann) is None
    assert await all_pledges(store) == 0
    await job.run(app)
    assert len(await client.bot_messages(ann, seen[ann])) == 1


async def test_sweeps_running_at_once_still_send_one_note_each(
    app: TongxinApplication, client: SandboxClient, chat: Conversation,
    store: SqlUnitOfWorkFactory, clock: FakeClock,
) -> None:
    """Every replica runs the sweep job: sweeps that overlap must not note a dialog twice."""
    job = sweep_job(app)
    appeal = await make_appeal(store, clock)
    people = [await member(client, chat, f"P{number}", "en") for number in range(3)]
    for person in people:
        await chat.say(person, f"/pledge {appeal.id}")
    seen = {person: await last_id(client, person) for person in people}
    clock.advance(timedelta(hours=25))
    await asyncio.gather(job.run(app), job.run(app), job.run(app))
    counts = [len(await client.bot_messages(p, seen[p])) for p in people]
    assert counts == [1, 1, 1]
    for person in people:
        assert await dialog_data(store, person) is None


async def test_expiry_counts_from_the_last_answer(
    app: TongxinApplication, client: SandboxClient, chat: Conversation,
    store: SqlUnitOfWorkFactory, clock: FakeClock,
) -> None:
    job = sweep_job(app)
    appeal = await make_appeal(store, clock)
    li = await member(client, chat, "Li", "zh-hans")
    [kind] = await chat.say(li, f"/pledge {appeal.id}")
    clock.advance(timedelta(hours=23))
    await press_and_read(chat, li, kind, "pd:kind:money")
    seen = await last_id(client, li)
    clock.advance(timedelta(hours=2))  # 25 hours after the start, 2 after the last answer
    await job.run(app)
    assert await client.bot_messages(li, seen) == []
    data = await dialog_data(store, li)
    assert data is not None and data["kind"] == "money"
    # the dialog goes on where it was
    [due] = await chat.say(li, "5000元")
    assert question(due).startswith("什么时候送达？"), due["text"]
    seen = await last_id(client, li)
    clock.advance(timedelta(hours=23, minutes=59))
    await job.run(app)
    assert await client.bot_messages(li, seen) == []
    clock.advance(timedelta(minutes=1))
    await job.run(app)
    [note] = await chat.next_messages(li, 1, seen)
    assert note["text"] == "你未完成的认捐已超过 24 小时失效，未保存任何内容。"
    assert await dialog_data(store, li) is None
    assert await all_pledges(store) == 0


# -- 6. bad answers at these steps ----------------------------------------------------------

VOLUNTEER_REFUSALS = {
    "zh-hans": {
        "task": "物资分拣",
        "hours": [
            ("0小时", "“0小时”中的数量必须大于零。"),
            ("-8小时", "“-8小时”中的数量必须大于零。"),
            ("10000000000000小时", "“10000000000000小时”中的数量过大：上限是 1,000,000,000,000。"),
            ("3000公斤", "请写小时数，例如 8小时。"),
            ("很久", None),
        ],
        "good_hours": "8小时",
        "past": ("2020-02-01", "该日期已过。请给出今天或以后的日期。"),
        "long": "描述最多 1000 个字符。",
    },
    "en": {
        "task": "Sorting donations",
        "hours": [
            ("0 hours", "The amount in “0 hours” must be more than zero."),
            ("-8 hours", "The amount in “-8 hours” must be more than zero."),
            (
                "10000000000000 hours",
                "The amount in “10000000000000 hours” is too large: "
                "the limit is 1,000,000,000,000.",
            ),
            ("3000 kg", "Please write the hours, e.g. 8小时 or 8 hours."),
            ("ages", None),
        ],
        "good_hours": "8 hours",
        "past": ("2020-02-01", "That date has passed. Please give today or a later date."),
        "long": "A description may have at most 1000 characters.",
    },
}


@pytest.mark.parametrize("lang", ["zh-hans", "en"], ids=["zh-Hans", "en"])
async def test_bad_hours_a_past_date_and_an_overlong_task_are_refused_at_their_step(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock,
    lang: str,
) -> None:
    texts: dict[str, Any] = VOLUNTEER_REFUSALS[lang]
    appeal = await make_appeal(store, clock)
    person = await member(client, chat, "Vo", lang)
    [kind] = await chat.say(person, f"/pledge {appeal.id}")
    task = await press_and_read(chat, person, kind, "pd:kind:volunteer")
    [refusal] = await chat.say(person, "搬" * 4096)
    assert refusal["text"] == texts["long"]
    assert not buttons(refusal)
    data = await dialog_data(store, person)
    assert data is not None and data["description"] is None
    [hours] = await chat.say(person, texts["task"])
    assert question(hours) != question(task)
    for text, expected in texts["hours"]:
        [refusal] = await chat.say(person, text)
        if expected is None:  # unreadable: the examples of how to write an amount
            assert "500元" in refusal["text"], refusal["text"]
        else:
            assert refusal["text"] == expected
        assert not buttons(refusal)
        data = await dialog_data(store, person)
        assert data is not None and data["quantity"] is None and data["unit"] == ""
    [due] = await chat.say(person, texts["good_hours"])
    past, expected = texts["past"]
    [refusal] = await chat.say(person, past)
    assert refusal["text"] == expected
    data = await dialog_data(store, person)
    assert data is not None and data["due"] is None and data["due_chosen"] is False
    assert data["quantity"] == "8" and data["description"] == texts["task"]
    [visibility] = await chat.say(person, "2020-02-21")
    assert button(visibility, "pd:visibility:named")
    assert await all_pledges(store) == 0
    assert question(due) != question(visibility)


SERVICE_REFUSALS = {
    "zh-hans": [
        ("很贵", "没能读出数额。"),
        ("300公斤", "这是数量，不是金额。请写例如 500元 或 5万元。"),
        ("0元", "“0元”中的数量必须大于零。"),
        ("-5万元", "“-5万元”中的数量必须大于零。"),
    ],
    "en": [
        ("quite a lot", "I could not read an amount there."),
        ("300 kg", "That is a quantity, not an amount of money. Write e.g. 500元 or 5万元."),
        ("0 yuan", "The amount in “0 yuan” must be more than zero."),
        ("-50000 yuan", "The amount in “-50000 yuan” must be more than zero."),
    ],
}


@pytest.mark.parametrize("lang", ["zh-hans", "en"], ids=["zh-Hans", "en"])
async def test_an_unreadable_estimated_value_is_refused_and_the_step_stays(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock,
    lang: str,
) -> None:
    appeal = await make_appeal(store, clock)
    person = await member(client, chat, "Se", lang)
    [kind] = await chat.say(person, f"/pledge {appeal.id}")
    await press_and_read(chat, person, kind, "pd:kind:service")
    [value] = await chat.say(person, "仓库免租")
    for text, expected in SERVICE_REFUSALS[lang]:
        [refusal] = await chat.say(person, text)
        assert refusal["text"].startswith(expected), refusal["text"]
        assert not buttons(refusal)
        data = await dialog_data(store, person)
        assert data is not None and data["estimated_minor"] is None
        assert data["description"] == "仓库免租"
    # a button of a later step does not skip the value
    forged = await chat.press(person, person, value, data="pd:due:deadline", forged=True)
    assert forged["text"] in ("此按钮已失效。", "This button is no longer valid.")
    [due] = await chat.say(person, "3万元")
    assert button(due, "pd:due:deadline")
    data = await dialog_data(store, person)
    assert data is not None and data["estimated_minor"] == 3_000_000
    assert await all_pledges(store) == 0


# -- 7. the local day, "as my organisation", hours and bare numbers --------------------------


async def test_dates_are_read_in_the_local_day_not_the_utc_one(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    clock.set(datetime(2020, 2, 19, 23, 30, tzinfo=UTC))  # 07:30 on 20 February in China
    ann = await member(client, chat, "Ann", "en")
    [which] = await chat.say(ann, "/pledge")
    kind = await press_and_read(chat, ann, which, "pd:appeal:0")
    await press_and_read(chat, ann, kind, "pd:kind:money")
    [due] = await chat.say(ann, "500元")
    assert question(due).startswith("When will it be delivered?"), due["text"]
    [past] = await chat.say(ann, "2020-02-19")
    assert past["text"] == "That date has passed. Please give today or a later date."
    [visibility] = await chat.say(ann, "tomorrow")
    summary = await press_and_read(chat, ann, visibility, "pd:visibility:named")
    assert "Delivery by: 2020-02-21" in summary["text"].splitlines(), summary["text"]
    await confirm(chat, ann, summary)
    # moving the date under /mypledges reads it in the same day
    [listing] = await chat.say(ann, "/mypledges")
    await chat.press(ann, ann, listing, data=button(listing, "pm:due:")["callback_data"])
    await chat.next_messages(ann, 1, int(listing["message_id"]))
    [past] = await chat.say(ann, "2020-02-19")
    assert past["text"] == "That date has passed. Please give today or a later date."
    [moved] = await chat.say(ann, "today")
    assert moved["text"] == "Pledge #1 will now be delivered by 2020-02-20."
    # a day on it is 21 February there (still the 20th in UTC): the pledge is overdue
    clock.advance(timedelta(days=1))
    [listing] = await chat.say(ann, "/mypledges")
    assert "Overdue since 2020-02-20." in listing["text"].splitlines(), listing["text"]
    # the one-line form does not take an appeal's deadline that passed there yesterday
    late = await make_appeal(store, clock, deadline=date(2020, 2, 20))
    [summary] = await chat.say(ann, f"/pledge {late.id} 500元")
    assert "Your pledge" in summary["text"]
    assert not any(line.startswith("Delivery by") for line in summary["text"].splitlines())


async def test_as_my_organisation_only_is_offered_only_for_an_organisations_pledge(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    appeal = await make_appeal(store, clock)
    ann = await member(client, chat, "Ann", "en")
    li = await member(client, chat, "Li", "zh-hans")
    orgs = await _organisations(client, chat, store, "li")
    # no organisation at all
    [kind] = await chat.say(ann, f"/pledge {appeal.id}")
    await press_and_read(chat, ann, kind, "pd:kind:money")
    [due] = await chat.say(ann, "500元")
    visibility = await press_and_read(chat, ann, due, "pd:due:deadline")
    assert labels(visibility) == ["By my name", "Anonymous"]
    forged = await chat.press(ann, ann, visibility, data="pd:visibility:organisation", forged=True)
    assert forged["text"] == (
        "Only a pledge made on behalf of an organisation can be shown as the organisation only."
    )
    data = await dialog_data(store, ann)
    assert data is not None and data["visibility"] is None
    # a member of organisations pledging for themselves
    [kind] = await chat.say(li, f"/pledge {appeal.id}")
    await press_and_read(chat, li, kind, "pd:kind:money")
    [behalf] = await chat.say(li, "5万元")
    due = await press_and_read(chat, li, behalf, "pd:behalf:0")
    visibility = await press_and_read(chat, li, due, "pd:due:deadline")
    assert labels(visibility) == ["显示我的名字", "匿名"]
    forged = await chat.press(li, li, visibility, data="pd:visibility:organisation", forged=True)
    assert forged["text"] == "只有以组织名义作出的认捐才能选择“仅显示我的组织”。"
    data = await dialog_data(store, li)
    assert data is not None and data["visibility"] is None
    assert await all_pledges(store) == 0
    # on behalf of one, it is offered
    [kind] = await chat.say(li, f"/pledge {appeal.id}")
    await press_and_read(chat, li, kind, "pd:kind:money")
    [behalf] = await chat.say(li, "5万元")
    due = await press_and_read(chat, li, behalf, f"pd:behalf:{orgs['工商联']}")
    visibility = await press_and_read(chat, li, due, "pd:due:deadline")
    assert labels(visibility) == ["显示我的名字", "仅显示我的组织", "匿名"]


@pytest.mark.parametrize(
    ("lang", "too_many", "summary_line"),
    [
        ("zh-hans", "小时数过多：一次认捐最多 10,000 小时。", "数量：8小时"),
        (
            "en",
            "That is too many hours: at most 10,000 hours can be pledged at once.",
            "Quantity: 8 hours",
        ),
    ],
    ids=["zh-Hans", "en"],
)
async def test_hours_are_capped_and_a_bare_number_of_hours_is_hours(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock,
    lang: str, too_many: str, summary_line: str,
) -> None:
    person = await member(client, chat, "Vo", lang)
    [which] = await chat.say(person, "/pledge")
    kind = await press_and_read(chat, person, which, "pd:appeal:0")
    await press_and_read(chat, person, kind, "pd:kind:volunteer")
    [hours] = await chat.say(person, "物资分拣")
    assert not buttons(hours)
    for text in ("1000000小时", "1000000 hours", "1000000", "10001"):
        [refusal] = await chat.say(person, text)
        assert refusal["text"] == too_many, text
        data = await dialog_data(store, person)
        assert data is not None and data["quantity"] is None and data["unit"] == ""
    [due] = await chat.say(person, "8")
    assert button(due, "pd:due:none"), due["text"]
    data = await dialog_data(store, person)
    assert data is not None and (data["quantity"], data["unit"]) == ("8", "hour")
    visibility = await press_and_read(chat, person, due, "pd:due:none")
    summary = await press_and_read(chat, person, visibility, "pd:visibility:anonymous")
    assert summary_line in summary["text"].splitlines(), summary["text"]
    await confirm(chat, person, summary)
    [pledge] = await pledges_of(store, person)
    assert (pledge.kind, pledge.quantity, pledge.unit) == (PledgeKind.VOLUNTEER, Decimal(8), "hour")


async def test_a_bare_number_for_a_need_counts_in_the_needs_unit(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    appeal = await make_appeal(store, clock)
    masks = appeal.needs[1]
    assert (masks.item, masks.unit) == ("N95口罩", "piece")
    li = await member(client, chat, "Li", "zh-hans")
    [kind] = await chat.say(li, f"/pledge {appeal.id}")
    need = await press_and_read(chat, li, kind, "pd:kind:goods")
    await press_and_read(chat, li, need, f"pd:need:{masks.id}")
    [refusal] = await chat.say(li, "500.5")
    assert refusal["text"] == "“500.5”中的数量必须是整数。", refusal["text"]
    [value] = await chat.say(li, "500")
    due = await press_and_read(chat, li, value, "pd:value:skip")
    assert question(due).startswith("什么时候送达？"), due["text"]
    visibility = await press_and_read(chat, li, due, "pd:due:deadline")
    summary = await press_and_read(chat, li, visibility, "pd:visibility:named")
    assert "数量：N95口罩 500个" in summary["text"].splitlines(), summary["text"]
    await confirm(chat, li, summary)
    [pledge] = await pledges_of(store, li)
    assert (pledge.need_id, pledge.item, pledge.quantity, pledge.unit) == (
        masks.id, "N95口罩", Decimal(500), "piece"
    )
    # without a need line the unit is still asked for
    [kind] = await chat.say(li, f"/pledge {appeal.id}")
    need = await press_and_read(chat, li, kind, "pd:kind:goods")
    await press_and_read(chat, li, need, "pd:need:0")
    [refusal] = await chat.say(li, "500")
    assert not buttons(refusal)
    data = await dialog_data(store, li)
    assert data is not None and data["quantity"] is None
    assert len(await pledges_of(store, li)) == 1


# -- reported: the coordinator of an appeal sent to "all my groups" ---------------------------


async def test_the_writer_of_an_appeal_to_all_their_groups_confirms_its_deliveries(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    await chat.say(ADMIN_ID, "/org add 工商联")
    await chat.say(ADMIN_ID, "/org add 民建")
    co = await member(client, chat, "Co", "en")
    await chat.say(ADMIN_ID, "/grant @co coordinator 工商联")
    group = await client.create_group("工商联会员群", kind="supergroup", members=[co])
    await client.add_bot(group["id"], by_user_id=co)
    await chat.next_messages(group["id"], 1, None)
    [offer] = await chat.say(co, "/link", chat_id=group["id"])
    await chat.press(co, group["id"], offer, data=button(offer, "link:")["callback_data"])
    await chat.say(co, "/appeal")
    await chat.say(co, "抗疫倡议")
    [needs] = await chat.say(co, "请支援消毒液")
    await chat.say(co, "消毒液 5000公斤")
    recipients = await press_and_read(chat, co, needs, "ap:needs_done")
    await press_and_read(chat, co, recipients, "ap:rcp_done")
    [audience] = await chat.say(co, "2020-02-29")
    after = await last_id(client, co)
    await chat.press(co, co, audience, data="ap:all")
    [send] = await chat.next_messages(co, 1, after)
    seen = await last_id(client, group["id"])
    await chat.press(co, co, send, data="ap:send")
    await chat.next_messages(group["id"], 1, seen)  # the appeal reached the group
    [report] = await chat.next_messages(co, 1, int(send["message_id"]))
    assert "Delivered to 1 of 1 groups." in report["text"], report["text"]
    async with store() as uow:
        [appeal] = await uow.appeals.open()
        organisations = {o.name: o.id for o in await uow.organisations.all()}
    # It is the organisation's appeal, not the whole network's.
    assert appeal.organisation_id == organisations["工商联"]
    outsider = await member(client, chat, "Wu", "en")
    await chat.say(ADMIN_ID, f"/grant {outsider} member 民建")
    [listing] = await chat.say(outsider, "/appeals")
    assert listing["text"] == "There are no open appeals."
    li = await member(client, chat, "Li", "zh-hans")
    await join(store, li, organisations["工商联"])  # the appeal is shown to its members
    [summary] = await chat.say(li, f"/pledge {appeal.id} 消毒液 3000公斤")
    await confirm(chat, li, summary)  # the batched news of it waits: the clock stands still
    [listing] = await chat.say(li, "/mypledges")
    seen = await last_id(client, co)
    await press_and_read(chat, li, listing, button(listing, "pm:all:")["callback_data"])
    clock.advance(timedelta(seconds=5))  # the sender keeps a second between two to one chat
    [notice] = await chat.next_messages(co, 1, seen)
    assert "3,000 kg" in notice["text"], notice["text"]
    [inbox] = await chat.say(co, "/inbox")
    assert inbox["text"] != "Nothing awaits your confirmation."
    assert "3,000 kg" in inbox["text"], inbox["text"]
    answer = await chat.press(co, co, notice, data=button(notice, "pf:ok:")["callback_data"])
    assert not answer.get("show_alert"), answer
    await client.wait_for_updates_consumed(timeout=10)
    [pledge] = await pledges_of(store, li)
    assert pledge.status.value == "received"


# -- goods known by their value alone ------------------------------------------------------

VALUE_ONLY = {
    "zh-hans": {
        "goods": "物资：N95口罩",
        "value": "估计价值：2,200元",
        "worth": "N95口罩，价值约2,200元",
        "value_q": "这些物资大约价值多少？例如 2200元。不清楚就按“跳过”。",
        "recorded": "已记录：认捐 #1 送达 500个。状态：已送达。",
    },
    "en": {
        "goods": "Goods: N95口罩",
        "value": "Estimated value: ¥2,200",
        "worth": "N95口罩, worth ¥2,200",
        "value_q": "What are the goods worth, roughly? For example 2200元. If you do not know, "
        "press Skip.",
        "recorded": "Recorded: 500 pieces delivered for pledge #1. Status: delivered.",
    },
}


@pytest.mark.parametrize("lang", ["zh-hans", "en"], ids=["zh-Hans", "en"])
async def test_goods_known_by_their_value_are_pledged_shown_and_take_a_quantity_when_delivered(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock,
    lang: str,
) -> None:
    texts = VALUE_ONLY[lang]
    await chat.say(ADMIN_ID, "/start")  # the appeal's coordinator, told of deliveries
    appeal = await make_appeal(store, clock)
    masks = appeal.needs[1]
    li = await member(client, chat, "Li", lang)
    # the dialog: a value instead of a quantity is accepted, and the value is not asked again
    [kind] = await chat.say(li, f"/pledge {appeal.id}")
    need = await press_and_read(chat, li, kind, "pd:kind:goods")
    await press_and_read(chat, li, need, f"pd:need:{masks.id}")
    [due] = await chat.say(li, "价值2200元")
    visibility = await press_and_read(chat, li, due, "pd:due:deadline")
    summary = await press_and_read(chat, li, visibility, "pd:visibility:named")
    lines = summary["text"].splitlines()
    assert texts["goods"] in lines and texts["value"] in lines, summary["text"]
    thanks = await confirm(chat, li, summary)
    assert texts["worth"] in thanks["text"], thanks["text"]
    [pledge] = await pledges_of(store, li)
    assert (pledge.kind, pledge.need_id, pledge.item) == (PledgeKind.GOODS, masks.id, "N95口罩")
    assert pledge.quantity is None and pledge.estimated_minor == 220_000
    [listing] = await chat.say(li, "/mypledges")
    assert texts["worth"] in listing["text"], listing["text"]
    # the quantity follows with the delivery: the lot is delivered, and counts in pieces now
    after = int(listing["message_id"])
    await chat.press(li, li, listing, data=button(listing, "pm:part:")["callback_data"])
    [_question] = await chat.next_messages(li, 1, after)
    seen = await last_id(client, ADMIN_ID)
    [recorded] = await chat.say(li, "500")
    assert recorded["text"] == texts["recorded"], recorded["text"]
    [notice] = await chat.next_messages(ADMIN_ID, 1, seen)  # the appeal's coordinator
    assert "N95" in notice["text"] and "500" in notice["text"], notice["text"]
    [pledge] = await pledges_of(store, li)
    assert (pledge.quantity, pledge.unit, pledge.status.value) == (
        Decimal(500), "piece", "delivered"
    )


@pytest.mark.parametrize("lang", ["zh-hans", "en"], ids=["zh-Hans", "en"])
async def test_the_goods_dialog_asks_a_value_that_may_be_skipped_and_the_one_line_form_reads_it(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock,
    lang: str,
) -> None:
    texts = VALUE_ONLY[lang]
    appeal = await make_appeal(store, clock)
    masks = appeal.needs[1]
    li = await member(client, chat, "Li", lang)
    [kind] = await chat.say(li, f"/pledge {appeal.id}")
    need = await press_and_read(chat, li, kind, "pd:kind:goods")
    await press_and_read(chat, li, need, f"pd:need:{masks.id}")
    [value_q] = await chat.say(li, "500")
    assert question(value_q) == texts["value_q"], value_q["text"]
    [skip] = buttons(value_q)
    assert skip["callback_data"] == "pd:value:skip"
    [bad] = await chat.say(li, "很多")  # unreadable: asked again, nothing kept
    assert bad["text"] and (await dialog_data(store, li) or {}).get("estimated_minor") is None
    [due] = await chat.say(li, "2200元")
    assert question(due).startswith(("什么时候送达？", "When will it be delivered?")), due["text"]
    answered = next(
        m for m in await client.messages(li) if m["message_id"] == value_q["message_id"]
    )
    assert "reply_markup" not in answered  # answered by typing: its Skip button is gone
    data = await dialog_data(store, li)
    assert data is not None and data["estimated_minor"] == 220_000 and data["quantity"] == "500"
    await chat.say(li, "/cancel")
    # the one-line form: `N95口罩 价值2200元` is a pledge of goods by value, not "a quantity"
    [summary] = await chat.say(li, f"/pledge {appeal.id} N95口罩 价值2200元")
    lines = summary["text"].splitlines()
    assert texts["goods"] in lines and texts["value"] in lines, summary["text"]
    await confirm(chat, li, summary)
    [pledge] = await pledges_of(store, li)
    assert pledge.quantity is None and pledge.need_id == masks.id
    assert pledge.estimated_minor == 220_000


async def test_closing_totals_count_value_only_goods_by_value_and_volunteers_as_people(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    [group] = await approved_groups(client, chat, store, 1)
    await chat.say(ADMIN_ID, "/appeal")
    await chat.say(ADMIN_ID, "抗疫倡议")
    [needs_q] = await chat.say(ADMIN_ID, "请支援")
    [added] = await chat.say(ADMIN_ID, "N95口罩 5000只\n志愿者 8人")
    assert "志愿者: 8 people" in added["text"], added["text"]
    _, [rcp_q] = await press_and_read_many(chat, ADMIN_ID, needs_q, "ap:needs_done", 1)
    _, [_deadline_q] = await press_and_read_many(chat, ADMIN_ID, rcp_q, "ap:rcp_done", 1)
    [audience] = await chat.say(ADMIN_ID, "2020-02-29")
    _, [preview] = await press_and_read_many(chat, ADMIN_ID, audience, "ap:all", 1)
    seen = await last_id(client, group)
    await chat.press(ADMIN_ID, ADMIN_ID, preview, data="ap:send")
    await chat.next_messages(group, 1, seen)
    async with store() as uow:
        [appeal] = await uow.appeals.open()
    _masks, volunteers = appeal.needs
    li = await member(client, chat, "Li", "zh-hans")
    for line in ("N95口罩 价值2200元", "N95口罩 300只"):
        [summary] = await chat.say(li, f"/pledge {appeal.id} {line}")
        await confirm(chat, li, summary)
    # volunteer time for the appeal's one volunteer need counts against it, in English too
    ann = await member(client, chat, "Ann", "en")
    [kind] = await chat.say(ann, f"/pledge {appeal.id}")
    task = await press_and_read(chat, ann, kind, "pd:kind:volunteer")
    assert question(task).startswith("Please describe it"), task["text"]
    await chat.say(ann, "Unloading trucks")
    [due] = await chat.say(ann, "8 hours")
    visibility = await press_and_read(chat, ann, due, "pd:due:deadline")
    summary = await press_and_read(chat, ann, visibility, "pd:visibility:named")
    await confirm(chat, ann, summary)
    [time] = await pledges_of(store, ann)
    assert (time.kind, time.need_id, time.quantity) == (
        PledgeKind.VOLUNTEER, volunteers.id, Decimal(8)
    )
    [listing] = await chat.say(ADMIN_ID, "/appeals")
    await chat.press(ADMIN_ID, ADMIN_ID, listing, data=f"am:close:{appeal.id}")
    [ask] = await chat.next_messages(ADMIN_ID, 1, int(listing["message_id"]))
    seen = await last_id(client, group)
    await chat.press(ADMIN_ID, ADMIN_ID, ask, data=f"am:closeok:{appeal.id}")
    [closing] = await chat.next_messages(group, 1, seen)
    lines = closing["text"].splitlines()
    assert (
        "• N95口罩：认捐 300只，已送达 0只（目标 5000只）"
        "；另有未填数量的物资，价值约 2,200元（已送达 0元）"
    ) in lines, closing["text"]
    assert (
        "• 志愿者：认捐 1人，已送达 0人（目标 8人）；志愿服务时间：认捐 8小时，已服务 0小时"
    ) in lines, closing["text"]


async def test_volunteer_time_asks_which_people_need_when_there_are_several(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    appeal = Appeal(
        0, "抗疫倡议", "请支援", AppealStatus.OPEN, date(2020, 2, 29), "CNY", None, None,
        ADMIN_ID, clock.now(),
        needs=[
            Need(0, 0, "消毒液", "disinfectant", "kg", Decimal(5000)),
            Need(0, 0, "志愿者", "volunteer", "person", Decimal(8)),
            Need(0, 0, "司机", "driver", "person", Decimal(3)),
        ],
    )
    async with store() as uow:
        appeal = await uow.appeals.add(appeal)
        await uow.commit()
    drivers = appeal.needs[2]
    ann = await member(client, chat, "Ann", "en")
    [kind] = await chat.say(ann, f"/pledge {appeal.id}")
    which = await press_and_read(chat, ann, kind, "pd:kind:volunteer")
    assert labels(which) == ["志愿者", "司机", "Another item"], which["text"]  # people only
    refused = await chat.press(
        ann, ann, which, data=f"pd:need:{appeal.needs[0].id}", forged=True
    )
    assert refused["text"] == "This button is no longer valid."
    task = await press_and_read(chat, ann, which, f"pd:need:{drivers.id}")
    assert question(task).startswith("Please describe it"), task["text"]
    await chat.say(ann, "Driving supplies")
    [due] = await chat.say(ann, "6 hours")
    visibility = await press_and_read(chat, ann, due, "pd:due:deadline")
    summary = await press_and_read(chat, ann, visibility, "pd:visibility:named")
    await confirm(chat, ann, summary)
    [pledge] = await pledges_of(store, ann)
    assert (pledge.kind, pledge.need_id, pledge.quantity) == (
        PledgeKind.VOLUNTEER, drivers.id, Decimal(6)
    )


@pytest.mark.parametrize(
    ("lang", "line", "added"),
    [
        ("zh-hans", "志愿者 8人", "已添加：志愿者：8人"),
        ("zh-hant", "志願者 8人", "已新增：志願者：8人"),
        ("en", "volunteers 8", "Added: volunteers: 8 people"),
    ],
)
async def test_a_volunteer_need_is_counted_in_people(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory,
    lang: str, line: str, added: str,
) -> None:
    co, _ = await coordinator_of(client, chat, store, lang)
    await chat.say(co, "/appeal")
    await chat.say(co, "抗疫倡议")
    await chat.say(co, "请支援")
    [answer] = await chat.say(co, line)
    assert answer["text"] == added, answer["text"]
    data = await dialog_data(store, co)
    assert data is not None and [(n["unit"], n["target"]) for n in data["needs"]] == [
        ("person", "8")
    ]
