"""A PTB Application polling the sandbox, and webhook pushes with redelivery."""

from __future__ import annotations

import asyncio

from aiohttp import web
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from tests.sandbox.conftest import TOKEN


async def test_application_long_polling(sandbox: SandboxServer, control: SandboxClient) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None
        payload = " ".join(context.args or [])
        await context.bot.send_message(
            update.effective_chat.id, f"hi {payload}",
            reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data="go")]]),
        )

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("ok")
        await query.edit_message_text(f"pressed {query.data}")

    app = (Application.builder().token(TOKEN).base_url(sandbox.base_url)
           .base_file_url(sandbox.file_url).build())
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=10)
        try:
            user = await control.create_user("Dora", username="dora")
            uid = int(user["id"])
            await control.send_text(uid, "/start@tongxin_bot drive42")
            [msg] = await control.wait_for_bot_messages(uid, 1, timeout=5)
            assert msg["text"] == "hi drive42"
            qid = await control.press_button(uid, uid, msg["message_id"], callback_data="go")
            answer = await control.wait_for_callback_answer(qid, timeout=5)
            assert answer["text"] == "ok"
            await control.wait_for_calls("editMessageText", 1, timeout=5)
            [edited] = await control.bot_messages(uid)
            assert edited["text"] == "pressed go" and "reply_markup" not in edited
        finally:
            await app.updater.stop()
            await app.stop()


async def test_get_updates_conflicts_with_webhook(sandbox: SandboxServer) -> None:
    from telegram import Bot
    from telegram.error import Conflict

    async with Bot(TOKEN, base_url=sandbox.base_url) as bot:
        assert await bot.set_webhook("http://127.0.0.1:9/hook")
        try:
            await bot.get_updates()
            raise AssertionError("expected Conflict")
        except Conflict as exc:
            assert "can't use getupdates method while webhook is active" in exc.message.lower()
        info = await bot.get_webhook_info()
        assert info.url == "http://127.0.0.1:9/hook"
        assert await bot.delete_webhook(drop_pending_updates=True)
        assert await bot.get_updates() == ()


async def test_webhook_redelivers_after_500(sandbox: SandboxServer,
                                            control: SandboxClient) -> None:
    received: list[tuple[int, str | None]] = []
    statuses = [500, 500, 200, 200]
    done = asyncio.Event()

    async def hook(request: web.Request) -> web.Response:
        body = await request.json()
        received.append((body["update_id"], request.headers.get("X-Telegram-Bot-Api-Secret-Token")))
        status = statuses[len(received) - 1] if len(received) <= len(statuses) else 200
        if len(received) >= 4:
            done.set()
        return web.Response(status=status)

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        from telegram import Bot

        async with Bot(TOKEN, base_url=sandbox.base_url) as bot:
            await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret")
            user = await control.create_user("Web")
            await control.send_text(int(user["id"]), "one")
            await control.send_text(int(user["id"]), "two")
            await asyncio.wait_for(done.wait(), 5)
            await control.wait_for_updates_consumed(timeout=5)
            ids = [r[0] for r in received]
            assert ids[0] == ids[1] == ids[2] and ids[3] == ids[0] + 1
            assert {r[1] for r in received} == {"s3cret"}
            info = await bot.get_webhook_info()
            assert info.pending_update_count == 0
            assert info.last_error_message and "500" in info.last_error_message
            assert len(received) == 4
    finally:
        await runner.cleanup()
