"""Python peer of bench/websocket-echo.bench.ts: aiohttp client and server.

The client is the playbook's `EchoWebsocket` (connect, send, receive) on
aiohttp; the peer it talks to is an aiohttp echo server in the same process on
127.0.0.1 (the playbook used a public echo server; there is no internet here).

    python3 bench/peers/asyncio/websocket-echo.py --loop uvloop
"""

import asyncio

import aiohttp
from aiohttp import web

from _harness import main, now_ns


class EchoWebsocket:
    async def connect(self, session, url):
        self.websocket = await session.ws_connect(url)

    async def send(self, message):
        await self.websocket.send_str(message)

    async def receive(self):
        result = await self.websocket.receive()
        return result.data

    async def close(self):
        await self.websocket.close()


async def echo(request):
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    async for msg in ws:
        if msg.type == aiohttp.WSMsgType.TEXT:
            await ws.send_str(msg.data)
        elif msg.type == aiohttp.WSMsgType.BINARY:
            await ws.send_bytes(msg.data)
    return ws


async def serve_echo():
    app = web.Application()
    app.router.add_get("/", echo)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"ws://127.0.0.1:{port}/"


async def round_trips(spec):
    clients = spec["params"]["clients"]
    message = spec["params"]["message"]
    each = spec["ops"] // clients
    runner, url = await serve_echo()
    try:
        async with aiohttp.ClientSession() as session:
            # Connecting and closing are timed, as the TypeScript clients connect per run.
            started = now_ns()
            sockets = [EchoWebsocket() for _ in range(clients)]
            await asyncio.gather(*[s.connect(session, url) for s in sockets])

            async def converse(socket):
                for _ in range(each):
                    await socket.send(message)
                    reply = await socket.receive()
                    if reply != message:
                        raise AssertionError(f"echo returned {reply!r}")

            await asyncio.gather(*[converse(s) for s in sockets])
            await asyncio.gather(*[s.close() for s in sockets])
            return now_ns() - started
    finally:
        await runner.cleanup()


if __name__ == "__main__":
    variant = "aiohttp client + server"
    main(
        "websocket-echo",
        {
            "sequential 20,000 × 32 B, 1 client": (variant, round_trips),
            "concurrent 32 clients × 1,000 × 32 B": (variant, round_trips),
        },
    )
