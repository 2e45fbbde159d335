"""Python peer of bench/executor-default.bench.ts.

`loop.run_in_executor(None, add, i, 1)`: the loop's default executor (a
ThreadPoolExecutor of min(32, cpu + 4) threads, created on first use).

    python3 bench/peers/asyncio/executor-default.py --loop uvloop
"""

from _common import round_trip, throughput
from _harness import main


def default_executor(spec):
    return None


if __name__ == "__main__":
    variant = "run_in_executor(None)"
    main(
        "executor-default",
        {
            "round-trip 2,000 sequential": (variant, round_trip(default_executor)),
            "throughput 10,000 concurrent": (variant, throughput(default_executor)),
        },
    )
