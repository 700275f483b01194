"""A TCP proxy for tests: stands between the bot and PostgreSQL and can cut the line.

`cut("refuse")` closes every live connection and stops listening (a new connection is
refused, as by a server that is down); `cut("blackhole")` lets every live connection hang
(nothing passes either way) and accepts new ones that then hear nothing (a network that
drops packets), so only the client's own timeouts end the wait. `restore()` closes what hung
(the server side gave up on it long ago) and forwards new connections again, on the same port.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from typing import Literal

from sqlalchemy.engine import make_url

Style = Literal["refuse", "blackhole"]
CHUNK = 1 << 16


class TcpProxy:
    """Forwards 127.0.0.1:`port` (a free one) to `target_host:target_port`."""

    def __init__(self, target_host: str = "127.0.0.1", target_port: int = 5432) -> None:
        self._target = (target_host, target_port)
        self._port = 0
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._cut: Style | None = None
        self._flowing = asyncio.Event()
        self._flowing.set()
        #: Connections accepted so far (forwarded or held).
        self.accepted = 0

    @property
    def port(self) -> int:
        """The port the proxy listens on."""
        return self._port

    def through(self, database_url: str, **query: str) -> str:
        """`database_url` with this proxy as its host and port (and `query` options added)."""
        url = make_url(database_url).set(host="127.0.0.1", port=self._port)
        if query:
            url = url.update_query_dict(query)
        return url.render_as_string(hide_password=False)

    @property
    def is_cut(self) -> bool:
        """True between `cut()` and `restore()`."""
        return self._cut is not None

    async def start(self) -> None:
        """Listen on a free port (the first time) or on the same port again."""
        self._server = await asyncio.start_server(
            self._accept, "127.0.0.1", self._port, reuse_address=True
        )
        self._port = int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        """Stop listening and close every connection."""
        await self._close_listener()
        self._flowing.set()
        await self._close_all()

    async def __aenter__(self) -> TcpProxy:
        await self.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.stop()

    async def cut(self, style: Style = "refuse") -> None:
        """Cut the line: refused (connections closed, port closed) or black-holed (hanging)."""
        self._cut = style
        self._flowing.clear()
        if style == "refuse":
            await self._close_listener()
            await self._close_all()

    async def restore(self) -> None:
        """Let connections through again; what hung during a black hole is closed."""
        style, self._cut = self._cut, None
        if style == "blackhole":
            await self._close_all()
        self._flowing.set()
        if self._server is None:
            await self.start()

    async def _close_listener(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
            # wait_closed() also waits for the handlers, which are ours to close (below).

    async def _close_all(self) -> None:
        for writer in list(self._writers):
            with contextlib.suppress(OSError, RuntimeError):
                # An abortive close (RST), as when the server's side of a connection is gone.
                sock = writer.get_extra_info("socket")
                if sock is not None:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                writer.close()
        self._writers.clear()
        for pipe in list(self._pipes):
            pipe.cancel()
        if self._pipes:
            await asyncio.wait(set(self._pipes))

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        self._writers.add(writer)
        task = asyncio.current_task()
        assert task is not None
        self._pipes.add(task)
        try:
            # A connection that arrives during a black hole waits, silent, until restore()
            # closes it (or the client gives up first).
            await self._flowing.wait()
            up_reader, up_writer = await asyncio.open_connection(*self._target)
            self._writers.add(up_writer)
            await asyncio.gather(self._pump(reader, up_writer), self._pump(up_reader, writer))
        except (OSError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:
            pass  # closed by cut()/restore()/stop(): the end of this connection, not an error
        finally:
            self._pipes.discard(task)
            with contextlib.suppress(OSError, RuntimeError):
                writer.close()

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                data = await reader.read(CHUNK)
                if not data:
                    break
                # During a black hole nothing passes: the data waits here, the peer hears nothing.
                await self._flowing.wait()
                writer.write(data)
                await writer.drain()
        finally:
            with contextlib.suppress(OSError, RuntimeError):
                writer.close()


def line_to(database_url: str) -> TcpProxy:
    """A (not yet started) proxy to the PostgreSQL of `database_url`; skips on SQLite."""
    import pytest

    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        pytest.skip("a database outage is cut on PostgreSQL's TCP line; SQLite has none")
    return TcpProxy(url.host or "127.0.0.1", url.port or 5432)
