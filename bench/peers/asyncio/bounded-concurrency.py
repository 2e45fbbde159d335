"""Python peer of bench/bounded-concurrency.bench.ts: tasks contending for an
asyncio.Semaphore, and an asyncio.Lock passed between two tasks.

    python3 bench/peers/asyncio/bounded-concurrency.py --loop uvloop
"""

import asyncio

from _harness import main, now_ns


async def contend(spec):
    n = spec["ops"]
    semaphore = asyncio.Semaphore(spec["params"]["permits"])

    async def task():
        async with semaphore:
            await asyncio.sleep(0)

    started = now_ns()
    await asyncio.gather(*[task() for _ in range(n)])
    return now_ns() - started


async def lock_ping_pong(spec):
    n = spec["ops"]
    lock = asyncio.Lock()

    async def task():
        for _ in range(n // 2):
            async with lock:
                await asyncio.sleep(0)

    started = now_ns()
    await asyncio.gather(task(), task())
    return now_ns() - started


if __name__ == "__main__":
    main(
        "bounded-concurrency",
        {
            "Semaphore(10), 10,000 contending tasks": ("asyncio.Semaphore", contend),
            "Semaphore(10), 100,000 contending tasks": ("asyncio.Semaphore", contend),
            "Semaphore(10), 1,000,000 contending tasks": ("asyncio.Semaphore", contend),
            "Lock ping-pong 100,000": ("asyncio.Lock", lock_ping_pong),
        },
    )
