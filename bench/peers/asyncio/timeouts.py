"""Python peer of bench/timeouts.bench.ts: `async with asyncio.timeout(10)` in a row.

enter/exit: the body returns at once; around a yield: the body awaits
asyncio.sleep(0) once.

    python3 bench/peers/asyncio/timeouts.py --loop uvloop
"""

import asyncio

from _harness import main, now_ns


async def enter_exit(spec):
    n = spec["ops"]
    started = now_ns()
    for _ in range(n):
        async with asyncio.timeout(10):
            pass
    return now_ns() - started


async def around_a_yield(spec):
    n = spec["ops"]
    started = now_ns()
    for _ in range(n):
        async with asyncio.timeout(10):
            await asyncio.sleep(0)
    return now_ns() - started


if __name__ == "__main__":
    main(
        "timeouts",
        {
            "timeout enter/exit 1,000,000": ("asyncio.timeout", enter_exit),
            "timeout around a yield 100,000": ("asyncio.timeout", around_a_yield),
        },
    )
