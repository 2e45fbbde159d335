"""Python peer of bench/executor-thread-pool.bench.ts.

`loop.run_in_executor(ThreadPoolExecutor(workers), add, i, 1)`, as the
playbook's executor section hands `func(a, b)` to an explicit pool.

    python3 bench/peers/asyncio/executor-thread-pool.py --loop uvloop
"""

from _common import round_trip, thread_pool, throughput
from _harness import main

if __name__ == "__main__":
    variant = "run_in_executor(ThreadPoolExecutor(2))"
    main(
        "executor-thread-pool",
        {
            "round-trip 2,000 sequential": (variant, round_trip(thread_pool)),
            "throughput 10,000 concurrent": (variant, throughput(thread_pool)),
        },
    )
