"""Python peer of bench/run-concurrently.bench.ts: spawn-gather.

Each task yields to the loop once (`await asyncio.sleep(0)`) and returns its
index; `asyncio.gather` collects them in input order.

    python3 bench/peers/asyncio/run-concurrently.py --loop uvloop
"""

from _common import spawn_gather
from _harness import main

if __name__ == "__main__":
    main(
        "run-concurrently",
        {
            "spawn-gather 100,000": ("asyncio.gather", spawn_gather),
            "spawn-gather 1,000,000": ("asyncio.gather", spawn_gather),
        },
    )
