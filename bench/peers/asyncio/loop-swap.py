"""Python peer of bench/loop-swap.bench.ts: the loop itself, asyncio's or uvloop's.

The playbook's "Using UVLoop" section swaps the loop under unchanged code; run
this script with `--loop asyncio` and `--loop uvloop` to see what the swap buys.
Timer precision: `loop.call_later` on the callbacks' side, `time.perf_counter`
to measure when they really ran.

    python3 bench/peers/asyncio/loop-swap.py --loop uvloop
"""

import asyncio

from _common import spawn_gather
from _harness import main, now_ns


async def call_later_spread(spec):
    n = spec["ops"]
    span_ns = spec["params"]["spanMs"] * 1_000_000
    loop = asyncio.get_running_loop()
    all_ran = loop.create_future()
    remaining = n
    max_lateness = 0
    last_ran = 0

    def callback(due):
        nonlocal remaining, max_lateness, last_ran
        ran = now_ns()
        max_lateness = max(max_lateness, ran - due)
        remaining -= 1
        if remaining == 0:
            last_ran = ran
            all_ran.set_result(None)

    started = now_ns()
    for i in range(n):
        offset = span_ns * (i + 1) // n
        loop.call_later(offset / 1e9, callback, started + offset)
    await all_ran
    return last_ran - started - span_ns, {"maxLatenessMs": max_lateness / 1e6}


if __name__ == "__main__":
    main(
        "loop-swap",
        {
            "call_later 100,000 over 100 ms": ("loop.call_later", call_later_spread),
            "spawn-gather 100,000": ("asyncio.gather", spawn_gather),
        },
    )
