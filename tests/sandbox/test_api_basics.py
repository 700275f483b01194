"""Transport, tokens, encodings and bad input."""

from __future__ import annotations

import json

import aiohttp
import pytest
from telegram import Bot
from telegram.error import BadRequest, EndPointNotFound, InvalidToken

from sandbox.server import SandboxServer
from tests.sandbox.conftest import BOT_ID, TOKEN


async def test_get_me_round_trips(bot: Bot) -> None:
    me = await bot.get_me()
    assert me.id == BOT_ID
    assert me.username == "tongxin_bot"
    assert me.is_bot
    assert me.can_join_groups


async def test_unknown_method_is_endpoint_not_found(bot: Bot) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("noSuchMethod")


async def test_malformed_token_is_404_invalid_token(sandbox: SandboxServer) -> None:
    b = Bot("not-a-token", base_url=sandbox.base_url, base_file_url=sandbox.file_url)
    with pytest.raises(InvalidToken):
        await b.get_me()
    async with aiohttp.ClientSession() as s, s.get(f"{sandbox.base_url}abc/getMe") as r:
        assert r.status == 404
        assert await r.json() == {"ok": False, "error_code": 404, "description": "Not Found"}


async def test_other_well_formed_token_is_401(sandbox: SandboxServer) -> None:
    other = "987654321:BBother-token-for-the-sandbox_0"
    b = Bot(other, base_url=sandbox.base_url, base_file_url=sandbox.file_url)
    with pytest.raises(InvalidToken, match="Unauthorized"):
        await b.get_me()


async def test_method_names_are_case_insensitive_and_encodings(sandbox: SandboxServer) -> None:
    url = f"{sandbox.base_url}{TOKEN}"
    async with aiohttp.ClientSession() as s:
        async with s.get(f"{url}/GETME") as r:
            assert (await r.json())["result"]["id"] == BOT_ID
        async with s.post(f"{url}/getme", json={}) as r:
            assert r.status == 200
        async with s.post(f"{url}/getMe", data={"x": "1"}) as r:
            assert r.status == 200
        async with s.post(
            f"{url}/sendMessage", data=b"{not json", headers={"Content-Type": "application/json"}
        ) as r:
            body = await r.json()
            assert r.status == 400
            assert body["ok"] is False and body["error_code"] == 400
            assert body["description"].startswith("Bad Request:")
        async with s.post(f"{url}/sendMessage", json=[1, 2]) as r:
            assert r.status == 400


@pytest.mark.parametrize(
    ("params", "description"),
    [
        ({}, "Bad Request: chat_id is empty"),
        ({"chat_id": "abc", "text": "hi"}, "Bad Request: chat not found"),
        ({"chat_id": "424242", "text": "hi"}, "Bad Request: chat not found"),
        ({"chat_id": "@nobody", "text": "hi"}, "Bad Request: chat not found"),
        ({"chat_id": "{CHAT}"}, "Bad Request: message text is empty"),
        ({"chat_id": "{CHAT}", "text": "   "}, "Bad Request: message text is empty"),
        ({"chat_id": "{CHAT}", "text": "x", "reply_markup": "{oops"},
         "Bad Request: can't parse reply keyboard markup JSON object"),
        ({"chat_id": "{CHAT}", "text": "x", "reply_to_message_id": "seven"},
         "Bad Request: invalid reply_to_message_id specified"),
    ],
)
async def test_bad_input_gets_telegram_shaped_400(
    sandbox: SandboxServer, alice: dict[str, object], params: dict[str, str], description: str
) -> None:
    params = {k: v.replace("{CHAT}", str(alice["id"])) for k, v in params.items()}
    url = f"{sandbox.base_url}{TOKEN}/sendMessage"
    async with aiohttp.ClientSession() as s:
        for send in ("form", "json"):
            kwargs = {"data": params} if send == "form" else {"json": params}
            async with s.post(url, **kwargs) as r:  # type: ignore[arg-type]
                body = json.loads(await r.read())
                assert r.status == 400, body
                assert body == {"ok": False, "error_code": 400, "description": description}


async def test_missing_parameters_through_ptb(bot: Bot, alice: dict[str, object]) -> None:
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(int(str(alice["id"])), "")
    with pytest.raises(BadRequest, match=r"(?i)message identifier is not specified"):
        await bot.do_api_request("editMessageText", {"chat_id": alice["id"], "text": "x"})
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.get_chat("abc")
