"""Python peer of bench/executor-thread-pool.bench.ts.

`loop.run_in_executor(ThreadPoolExecutor(workers), add, i, 1)`, as the
playbook's executor section hands `func(a, b)` to an explicit pool.

    python3 bench/peers/asyncio/executor-thread-pool.py --loop uvloop
"""

from _common import executor_workloads, thread_pool
from _harness import main

if __name__ == "__main__":
    main("executor-thread-pool", executor_workloads("run_in_executor(ThreadPoolExecutor(2))", thread_pool))
