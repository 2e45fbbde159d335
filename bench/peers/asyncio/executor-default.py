"""Python peer of bench/executor-default.bench.ts.

`loop.run_in_executor(None, add, i, 1)`: the loop's default executor (a
ThreadPoolExecutor of min(32, cpu + 4) threads, created on first use).

    python3 bench/peers/asyncio/executor-default.py --loop uvloop
"""

from _common import executor_workloads
from _harness import main


def default_executor(spec):
    return None


if __name__ == "__main__":
    main("executor-default", executor_workloads("run_in_executor(None)", default_executor))
