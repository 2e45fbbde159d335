"""Python peer of bench/cpu-bound.bench.ts: the playbook's misconception, measured.

The same CPU-bound task (count primes by trial division) four times: as
concurrent coroutines on the loop's thread (no faster than one after the
other), on a ThreadPoolExecutor (the GIL keeps it serial), and on a
ProcessPoolExecutor (truly parallel).

    python3 bench/peers/asyncio/cpu-bound.py --loop uvloop
"""

import asyncio

from _common import count_primes, process_pool, thread_pool, warm
from _harness import main, now_ns


async def cpu_task(limit):
    return count_primes(limit)


async def on_main_thread(spec):
    limit = spec["params"]["limit"]
    started = now_ns()
    counts = await asyncio.gather(*[cpu_task(limit) for _ in range(spec["ops"])])
    elapsed = now_ns() - started
    assert len(set(counts)) == 1
    return elapsed


def on_pool(make_executor):
    async def run_once(spec):
        loop = asyncio.get_running_loop()
        limit = spec["params"]["limit"]
        with make_executor(spec) as executor:
            await warm(loop, executor)
            started = now_ns()
            counts = await asyncio.gather(
                *[loop.run_in_executor(executor, count_primes, limit) for _ in range(spec["ops"])]
            )
            elapsed = now_ns() - started
        assert len(set(counts)) == 1
        return elapsed

    return run_once


if __name__ == "__main__":
    main(
        "cpu-bound",
        {
            "4 × primes below 1,000,000: main thread": (
                "asyncio.gather of 4 coroutines",
                on_main_thread,
            ),
            "4 × primes below 1,000,000: thread pool (2)": (
                "run_in_executor(ThreadPoolExecutor(2))",
                on_pool(thread_pool),
            ),
            "4 × primes below 1,000,000: process pool (2)": (
                "run_in_executor(ProcessPoolExecutor(2))",
                on_pool(process_pool),
            ),
        },
    )
