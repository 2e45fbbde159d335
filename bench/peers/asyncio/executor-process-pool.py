"""Python peer of bench/executor-process-pool.bench.ts.

`loop.run_in_executor(ProcessPoolExecutor(workers), add, i, 1)`: the task and
its arguments are pickled to a child process and the result pickled back.

    python3 bench/peers/asyncio/executor-process-pool.py --loop uvloop
"""

from _common import process_pool, round_trip, throughput
from _harness import main

if __name__ == "__main__":
    variant = "run_in_executor(ProcessPoolExecutor(2))"
    main(
        "executor-process-pool",
        {
            "round-trip 2,000 sequential": (variant, round_trip(process_pool)),
            "throughput 10,000 concurrent": (variant, throughput(process_pool)),
        },
    )
