"""Python peer of bench/task-group.bench.ts: TaskGroup spawn-and-join.

One `asyncio.TaskGroup`; ops tasks created in it, each yields once and returns
its index; timed until the group is left.

    python3 bench/peers/asyncio/task-group.py --loop uvloop
"""

import asyncio

from _common import task
from _harness import main, now_ns


async def spawn_and_join(spec):
    n = spec["ops"]
    started = now_ns()
    async with asyncio.TaskGroup() as tg:
        tasks = [tg.create_task(task(i)) for i in range(n)]
    elapsed = now_ns() - started
    assert tasks[-1].result() == n - 1
    return elapsed


if __name__ == "__main__":
    main("task-group", {"spawn-and-join 100,000": ("asyncio.TaskGroup", spawn_and_join)})
