"""Python peer of bench/as-completed.bench.ts: `asyncio.as_completed` over many tasks.

ops tasks (each yields once and returns its index), every result awaited in
completion order.

    python3 bench/peers/asyncio/as-completed.py --loop uvloop
"""

import asyncio

from _common import task
from _harness import main, now_ns


async def in_completion_order(spec):
    n = spec["ops"]
    started = now_ns()
    total = 0
    for next_done in asyncio.as_completed([task(i) for i in range(n)]):
        total += await next_done
    elapsed = now_ns() - started
    assert total == n * (n - 1) // 2
    return elapsed


if __name__ == "__main__":
    main("as-completed", {"as-completed 100,000": ("asyncio.as_completed", in_completion_order)})
