"""Python peer of bench/executor-process-pool.bench.ts.

`loop.run_in_executor(ProcessPoolExecutor(workers), add, i, 1)`: the task and
its arguments are pickled to a child process and the result pickled back.

    python3 bench/peers/asyncio/executor-process-pool.py --loop uvloop
"""

from _common import executor_workloads, process_pool
from _harness import main

if __name__ == "__main__":
    main("executor-process-pool", executor_workloads("run_in_executor(ProcessPoolExecutor(2))", process_pool))
