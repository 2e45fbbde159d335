"""Workload bodies more than one peer script uses.

The task functions live in this importable module (not in a script run as
__main__) so a ProcessPoolExecutor can pickle them by reference, as any
module-level function.
"""

import asyncio
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

from _harness import now_ns


def add(a, b):
    """The trivial executor task."""
    return a + b


def count_primes(limit):
    """Primes below `limit` by trial division: n is prime when no d in 2..isqrt(n) divides it."""
    count = 0
    for n in range(2, limit):
        d = 2
        while d * d <= n:
            if n % d == 0:
                break
            d += 1
        else:
            count += 1
    return count


# -- spawn-gather (run-concurrently, loop-swap) -------------------------------------------------


async def task(i):
    await asyncio.sleep(0)
    return i


async def spawn_gather(spec):
    n = spec["ops"]
    started = now_ns()
    results = await asyncio.gather(*[task(i) for i in range(n)])
    elapsed = now_ns() - started
    assert results[-1] == n - 1 and len(results) == n
    return elapsed


# -- executors (executor-thread-pool, executor-process-pool, executor-default, cpu-bound) -------


def thread_pool(spec):
    return ThreadPoolExecutor(max_workers=spec["params"]["workers"])


def process_pool(spec):
    return ProcessPoolExecutor(max_workers=spec["params"]["workers"])


async def warm(loop, executor):
    """Starts every worker before timing: a few tasks per worker, gathered."""
    workers = getattr(executor, "_max_workers", 8) if executor is not None else 8
    results = await asyncio.gather(
        *[loop.run_in_executor(executor, add, i, 1) for i in range(workers * 2)]
    )
    assert results == [i + 1 for i in range(workers * 2)]


def _on_executor(make_executor, body):
    """A run that makes the executor, warms it, times body(loop, executor, ops), shuts it down."""

    async def run_once(spec):
        loop = asyncio.get_running_loop()
        executor = make_executor(spec)
        try:
            await warm(loop, executor)
            return await body(loop, executor, spec["ops"])
        finally:
            if executor is not None:
                executor.shutdown(wait=True)

    return run_once


def round_trip(make_executor):
    """Sequential round trips of add(i, 1); make_executor(spec) gives a pool, or None (default)."""

    async def body(loop, executor, n):
        started = now_ns()
        for i in range(n):
            result = await loop.run_in_executor(executor, add, i, 1)
        elapsed = now_ns() - started
        assert result == n
        return elapsed

    return _on_executor(make_executor, body)


def throughput(make_executor):
    """ops add(i, 1) tasks submitted at once and gathered."""

    async def body(loop, executor, n):
        started = now_ns()
        results = await asyncio.gather(
            *[loop.run_in_executor(executor, add, i, 1) for i in range(n)]
        )
        elapsed = now_ns() - started
        assert results[-1] == n and len(results) == n
        return elapsed

    return _on_executor(make_executor, body)


def executor_workloads(variant, make_executor):
    """The two workloads every executor peer runs, named as in bench/workloads.json."""
    return {
        "round-trip 2,000 sequential": (variant, round_trip(make_executor)),
        "throughput 10,000 concurrent": (variant, throughput(make_executor)),
    }
