"""Python peer of bench/queue-workers.bench.ts: the asyncio docs' worker pattern at scale.

    python3 bench/peers/asyncio/queue-workers.py --loop uvloop
"""

import asyncio

from _harness import main, now_ns


async def workers(spec):
    n = spec["ops"]
    queue = asyncio.Queue()

    async def worker():
        while True:
            await queue.get()
            await asyncio.sleep(0)
            queue.task_done()

    started = now_ns()
    for i in range(n):
        queue.put_nowait(i)
    tasks = [asyncio.create_task(worker()) for _ in range(spec["params"]["workers"])]
    await queue.join()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return now_ns() - started


if __name__ == "__main__":
    main("queue-workers", {"100,000 jobs, 3 workers, join": ("asyncio.Queue", workers)})
