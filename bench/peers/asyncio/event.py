"""Python peer of bench/event.bench.ts: asyncio.Event fan-out and ping-pong.

As in the playbook's Event section, many coroutines wait on one
`asyncio.Event` and all resume when it is set.

    python3 bench/peers/asyncio/event.py --loop uvloop
"""

import asyncio

from _harness import main, now_ns


async def fan_out(spec):
    n = spec["ops"]
    loop = asyncio.get_running_loop()
    event = asyncio.Event()
    all_resumed = loop.create_future()
    waiting = 0
    remaining = n
    last_resumed = 0

    async def consumer():
        nonlocal waiting, remaining, last_resumed
        waiting += 1
        await event.wait()
        remaining -= 1
        if remaining == 0:
            last_resumed = now_ns()
            all_resumed.set_result(None)

    tasks = [asyncio.create_task(consumer()) for _ in range(n)]
    while waiting < n:  # every consumer is now blocked in event.wait()
        await asyncio.sleep(0)
    started = now_ns()
    event.set()
    await all_resumed
    elapsed = last_resumed - started
    await asyncio.gather(*tasks)
    return elapsed


async def ping_pong(spec):
    n = spec["ops"]
    a, b = asyncio.Event(), asyncio.Event()

    async def ping():
        for _ in range(n):
            a.set()
            await b.wait()
            b.clear()

    async def pong():
        for _ in range(n):
            await a.wait()
            a.clear()
            b.set()

    started = now_ns()
    await asyncio.gather(ping(), pong())
    return now_ns() - started


if __name__ == "__main__":
    main(
        "event",
        {
            "fan-out 100,000": ("asyncio.Event", fan_out),
            "ping-pong 100,000": ("asyncio.Event", ping_pong),
        },
    )
