"""The test proxy itself: it forwards, cuts both ways (refused, black-holed) and restores."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from tests.tcpproxy import TcpProxy

#: How long a black-holed read is given to prove that nothing comes back.
SILENCE = 0.3


async def _echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(1024):
            writer.write(data)
            await writer.drain()
    except OSError:
        pass
    finally:
        writer.close()


@pytest.fixture
async def proxy() -> AsyncIterator[TcpProxy]:
    """A proxy in front of a local echo server."""
    server = await asyncio.start_server(_echo, "127.0.0.1", 0)
    port = int(server.sockets[0].getsockname()[1])
    try:
        async with TcpProxy("127.0.0.1", port) as front:
            yield front
    finally:
        server.close()
        await server.wait_closed()


async def _round_trip(port: int, payload: bytes = b"ping") -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(payload)
        await writer.drain()
        return await asyncio.wait_for(reader.readexactly(len(payload)), 5)
    finally:
        writer.close()


async def test_forwards_both_ways(proxy: TcpProxy) -> None:
    assert await _round_trip(proxy.port, b"hello") == b"hello"


async def test_refused_cut_closes_live_connections_and_refuses_new_ones_until_restored(
    proxy: TcpProxy,
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
    writer.write(b"a")
    assert await asyncio.wait_for(reader.readexactly(1), 5) == b"a"
    await proxy.cut("refuse")
    # the live connection is gone: end of stream or a reset, at once
    with pytest.raises((asyncio.IncompleteReadError, ConnectionError)):
        await asyncio.wait_for(reader.readexactly(1), 5)
    writer.close()
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection("127.0.0.1", proxy.port)
    port = proxy.port
    await proxy.restore()
    assert proxy.port == port
    assert await _round_trip(port) == b"ping"


async def test_black_hole_lets_connections_hang_until_restore_closes_them(
    proxy: TcpProxy,
) -> None:
    live_reader, live_writer = await asyncio.open_connection("127.0.0.1", proxy.port)
    await proxy.cut("blackhole")
    live_writer.write(b"lost")
    with pytest.raises(TimeoutError):  # nothing comes back on a live connection
        await asyncio.wait_for(live_reader.readexactly(4), SILENCE)
    # a new connection is accepted, then hears nothing
    new_reader, new_writer = await asyncio.wait_for(
        asyncio.open_connection("127.0.0.1", proxy.port), 5
    )
    new_writer.write(b"hello")
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(new_reader.readexactly(5), SILENCE)
    await proxy.restore()
    # what hung is closed (the data held back is never delivered) ...
    for reader in (live_reader, new_reader):
        with pytest.raises((asyncio.IncompleteReadError, ConnectionError)):
            await asyncio.wait_for(reader.readexactly(1), 5)
    live_writer.close()
    new_writer.close()
    # ... and new connections pass again
    assert await _round_trip(proxy.port) == b"ping"
