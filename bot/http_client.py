"""PTB's Bot API requests made with aiohttp instead of httpx.

Every update costs the bot three to four Bot API calls (the answer, a press's answer, the
edit that takes answered buttons away, the fetch). Measured against the sandbox on this
machine, one call through PTB's `HTTPXRequest` took about 1.7 ms of CPU and through an aiohttp
session about 0.4 ms (`bench/bench_pledges.py` prints the bot's CPU per round trip): httpx's
and httpcore's layers over anyio were a third of the bot's CPU in the pledge benchmark.
aiohttp is already a dependency (the webhook server). The calls are the same: form-encoded
parameters, multipart when a file is sent, PTB's timeouts and errors (`TimedOut`,
`NetworkError`), so PTB and our rate limiter see no difference.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit
from urllib.request import getproxies, proxy_bypass

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

__all__ = ["AiohttpRequest"]

#: PTB's `HTTPXRequest` defaults, in seconds: the same bounds, whichever client is used.
READ_TIMEOUT = 5.0
WRITE_TIMEOUT = 5.0
CONNECT_TIMEOUT = 5.0
POOL_TIMEOUT = 1.0
MEDIA_WRITE_TIMEOUT = 20.0
_FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _given(value: Any, default: float | None) -> float | None:
    """A timeout PTB passed, or our default when it passed its `DEFAULT_NONE`."""
    return default if isinstance(value, type(BaseRequest.DEFAULT_NONE)) else value


class AiohttpRequest(BaseRequest):
    """A `telegram.request.BaseRequest` over one aiohttp session (a pool of connections)."""

    def __init__(
        self,
        connection_pool_size: int = 1,
        read_timeout: float | None = READ_TIMEOUT,
        write_timeout: float | None = WRITE_TIMEOUT,
        connect_timeout: float | None = CONNECT_TIMEOUT,
        pool_timeout: float | None = POOL_TIMEOUT,
        media_write_timeout: float | None = MEDIA_WRITE_TIMEOUT,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        #: the proxy for each origin called, read from the environment once
        self._proxies: dict[tuple[str, str], str | None] = {}

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout in seconds (PTB adds it to long polls' own timeout)."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session (it needs the running event loop)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
                # Not `trust_env`: aiohttp would then look up proxies and ~/.netrc in a
                # worker thread on every call (a thread hand-off each); `_proxy` reads the
                # environment once per origin instead, as httpx does once per client.
                trust_env=False,
            )

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Make one call; PTB turns the status and body into a result or an error."""
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data is not None else None
        body: Any = None
        headers: dict[str, str] | None = None
        if request_data is not None and files:
            body = aiohttp.FormData()
            for name, value in request_data.json_parameters.items():
                body.add_field(name, value)
            for name, (filename, content, mimetype) in files.items():
                body.add_field(name, content, filename=filename, content_type=mimetype)
        elif request_data is not None and request_data.parameters:
            body, headers = request_data.url_encoded_parameters(), _FORM
        timeout = self._timeout(
            _given(read_timeout, self._read_timeout),
            _given(write_timeout, self._media_write_timeout if files else self._write_timeout),
            _given(connect_timeout, self._connect_timeout),
            _given(pool_timeout, self._pool_timeout),
        )
        try:
            async with session.request(
                method, url, data=body, headers=headers, timeout=timeout, proxy=self._proxy(url)
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error

    def _proxy(self, url: str) -> str | None:
        """The proxy the environment names for this URL (HTTPS_PROXY, NO_PROXY…), if any."""
        parts = urlsplit(url)
        origin = (parts.scheme, parts.hostname or "")
        if origin not in self._proxies:
            bypass = bool(origin[1]) and bool(proxy_bypass(origin[1]))
            self._proxies[origin] = None if bypass else getproxies().get(parts.scheme)
        return self._proxies[origin]

    @staticmethod
    def _timeout(
        read: float | None, write: float | None, connect: float | None, pool: float | None
    ) -> aiohttp.ClientTimeout:
        """PTB's four timeouts in aiohttp's terms.

        aiohttp's `connect` covers waiting for a pooled connection and opening one, so it is
        PTB's pool and connect timeouts together; it has no write timeout of its own, so the
        whole call is bounded by the sum of all four (a slow upload fails then, not never).
        """
        parts = (read, write, connect, pool)
        return aiohttp.ClientTimeout(
            total=None if None in parts else sum(p for p in parts if p is not None),
            connect=None if pool is None or connect is None else pool + connect,
            sock_connect=connect,
            sock_read=read,
        )
