"""The HTTP server: Bot API routes, file downloads, control routes."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from types import TracebackType
from typing import Any

from aiohttp import web

from sandbox.botapi import METHODS, BotApi, Params, Upload
from sandbox.control import add_control_routes
from sandbox.errors import ApiError
from sandbox.world import World

log = logging.getLogger("sandbox")
_JSON = "application/json"
_NOT_FOUND = {"ok": False, "error_code": 404, "description": "Not Found"}
MAX_UPLOAD = 60 * 1024 * 1024


def _json_response(body: Any, status: int = 200) -> web.Response:
    return web.Response(
        body=json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode(),
        status=status,
        content_type=_JSON,
    )


async def _read_params(request: web.Request) -> Params:
    data: dict[str, Any] = dict(request.query)
    files: dict[str, Upload] = {}
    if request.method != "POST" or not request.body_exists:
        return Params(data)
    ctype = request.content_type
    if ctype == _JSON:
        raw = await request.read()
        if raw.strip():
            try:
                body = json.loads(raw)
            except ValueError:
                raise ApiError(400, "Bad Request: can't parse JSON encoded request body") from None
            if not isinstance(body, dict):
                raise ApiError(400, "Bad Request: JSON object expected as request body")
            data.update(body)
        return Params(data)
    if ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        try:
            form = await request.post()
        except ValueError:
            raise ApiError(400, "Bad Request: can't parse request body") from None
        for key, value in form.items():
            if isinstance(value, str):
                data[key] = value
            elif isinstance(value, web.FileField):
                files[key] = Upload(value.file.read(), value.filename, value.content_type)
                data.setdefault(key, f"attach://{key}")
            else:
                data[key] = bytes(value).decode("utf-8", "replace")
        return Params(data, files)
    return Params(data)


def _loggable(p: Params) -> dict[str, Any]:
    if not p.files:
        return p.data
    out = dict(p.data)
    for key, upload in p.files.items():
        out[key] = {"upload": upload.filename, "size": len(upload.data)}
    return out


def _fault_chat(p: Params) -> int | None:
    value = p.data.get("chat_id")
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


class SandboxServer:
    """An in-process Bot API sandbox; use ``async with SandboxServer() as sb``."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        flood_limits: bool = True,
        token: str | None = None,
        bot_username: str = "tongxin_bot",
        bot_first_name: str = "Tongxin",
        privacy_mode: bool = True,
        webhook_retry_delay: float = 1.0,
        webhook_max_retry_delay: float = 60.0,
        webhook_timeout: float = 10.0,
        timeout_fault_delay: float = 30.0,
    ) -> None:
        from sandbox.webhook import WebhookPusher

        self.host = host
        self.port = port
        self.timeout_fault_delay = timeout_fault_delay
        self.world = World(
            token=token,
            bot_username=bot_username,
            bot_first_name=bot_first_name,
            privacy_mode=privacy_mode,
            flood_limits=flood_limits,
        )
        self.stopping = asyncio.Event()
        self.api = BotApi(self.world, self.stopping)
        self.webhook = WebhookPusher(
            self.world,
            self.stopping,
            retry_delay=webhook_retry_delay,
            max_retry_delay=webhook_max_retry_delay,
            timeout=webhook_timeout,
        )
        self._runner: web.AppRunner | None = None
        self._webhook_task: asyncio.Task[None] | None = None

    # ------------------------------------------------------------ URLs

    @property
    def url(self) -> str:
        """Root URL, e.g. ``http://127.0.0.1:8081``."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """PTB ``base_url`` (``…/bot``)."""
        return f"{self.url}/bot"

    @property
    def file_url(self) -> str:
        """PTB ``base_file_url`` (``…/file/bot``)."""
        return f"{self.url}/file/bot"

    @property
    def control_url(self) -> str:
        """Root of the control API (``…/_sandbox``)."""
        return f"{self.url}/_sandbox"

    # ------------------------------------------------------------ lifecycle

    def make_app(self) -> web.Application:
        """Build the aiohttp application."""
        app = web.Application(client_max_size=MAX_UPLOAD)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        add_control_routes(app, self)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        return app

    async def start(self) -> None:
        """Start listening; ``port=0`` picks a free port (see ``.port``)."""
        self.stopping.clear()
        self._runner = web.AppRunner(
            self.make_app(), access_log=None, handle_signals=False, shutdown_timeout=1.0
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = getattr(site, "_server", None)
        sockets = getattr(server, "sockets", None) or []
        if sockets:
            self.port = sockets[0].getsockname()[1]
        self._webhook_task = asyncio.create_task(self.webhook.run())

    async def stop(self) -> None:
        """Stop: wake long polls, stop webhook pushes, close the listener."""
        self.stopping.set()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
            self._webhook_task = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> SandboxServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    def client(self) -> Any:
        """A :class:`sandbox.client.SandboxClient` for this server."""
        from sandbox.client import SandboxClient

        return SandboxClient(self.url)

    # ------------------------------------------------------------ handlers

    async def _not_found(self, request: web.Request) -> web.Response:
        return _json_response(_NOT_FOUND, 404)

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        world = self.world
        token = request.match_info["token"]
        name = request.match_info["method"]
        try:
            world.bind(token)
        except ApiError as exc:
            return _json_response(exc.payload(), exc.code)
        entry = METHODS.get(name.lower())
        if entry is None:
            world.log_call(name, {}, False, 404, "Not Found")
            return _json_response(_NOT_FOUND, 404)
        canonical, func = entry
        params: Params | None = None
        status = 200
        body: dict[str, Any]
        try:
            params = await _read_params(request)
            fault = world.take_fault(canonical.lower(), _fault_chat(params))
            if fault is not None:
                if fault.kind == "timeout":
                    world.log_call(canonical, _loggable(params), False, None, "timeout (fault)")
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self.stopping.wait(), fault.delay)
                    if request.transport is not None:
                        request.transport.close()
                    return web.Response(status=504)
                if fault.kind == "502":
                    raise ApiError(502, "Bad Gateway")
                raise ApiError(
                    429,
                    f"Too Many Requests: retry after {fault.retry_after}",
                    {"retry_after": fault.retry_after},
                )
            result = await func(self.api, params)
            body = {"ok": True, "result": result}
        except ApiError as exc:
            body = exc.payload()
            status = exc.code
        except Exception:  # a sandbox bug must not look like a Telegram outage
            log.exception("sandbox: %s failed", canonical)
            body = {"ok": False, "error_code": 500, "description": "Internal Server Error"}
            status = 500
        world.log_call(
            canonical,
            _loggable(params) if params is not None else {},
            status == 200,
            None if status == 200 else status,
            None if status == 200 else body.get("description"),
        )
        return _json_response(body, status)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        if self.world.token != token:
            return _json_response({"ok": False, "error_code": 401,
                                   "description": "Unauthorized"}, 401)
        stored = self.world.files_by_path.get(request.match_info["path"])
        if stored is None:
            return _json_response(_NOT_FOUND, 404)
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )
