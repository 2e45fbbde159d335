"""Python peer of bench/producer-consumer.bench.ts: one producer, one consumer, an asyncio.Queue.

    python3 bench/peers/asyncio/producer-consumer.py --loop uvloop
"""

import asyncio

from _harness import main, now_ns


async def through_queue(spec):
    n = spec["ops"]
    queue = asyncio.Queue(spec["params"]["maxsize"])

    async def producer():
        for i in range(n):
            await queue.put(i)

    async def consumer():
        total = 0
        for _ in range(n):
            total += await queue.get()
        return total

    started = now_ns()
    _, total = await asyncio.gather(producer(), consumer())
    elapsed = now_ns() - started
    assert total == n * (n - 1) // 2
    return elapsed


if __name__ == "__main__":
    main(
        "producer-consumer",
        {
            "queue 1,000,000 items, unbounded": ("asyncio.Queue", through_queue),
            "queue 1,000,000 items, bounded(100)": ("asyncio.Queue", through_queue),
        },
    )
