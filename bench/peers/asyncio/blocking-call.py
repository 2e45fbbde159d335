"""Python peer of bench/blocking-call.bench.ts: the common misconception, measured.

A heartbeat ticks every 10 ms while another coroutine waits 200 ms: with
`await asyncio.sleep` the heartbeat stays on time; with `time.sleep` the whole
loop stops and the heartbeat is ~200 ms late; `run_in_executor` moves the
blocking call off the loop's thread and the heartbeat is on time again.

    python3 bench/peers/asyncio/blocking-call.py --loop uvloop
"""

import asyncio
import time

from _harness import main, now_ns


def heartbeat_lateness(wait):
    async def run_once(spec):
        interval_s = spec["params"]["intervalMs"] / 1000
        wait_s = spec["params"]["waitMs"] / 1000
        max_lateness = 0
        stop = False

        async def heartbeat():
            # A lag monitor: sleep one interval, see how much later than that it woke.
            nonlocal max_lateness
            while not stop:
                slept_at = now_ns()
                await asyncio.sleep(interval_s)
                max_lateness = max(max_lateness, now_ns() - slept_at - interval_s * 1e9)

        beating = asyncio.create_task(heartbeat())
        await asyncio.sleep(3 * interval_s)  # a few ticks on an idle loop first
        await wait(wait_s)
        await asyncio.sleep(3 * interval_s)  # and the tick that was due during the wait
        stop = True
        await beating
        return max_lateness

    return run_once


async def non_blocking(seconds):
    await asyncio.sleep(seconds)


async def blocking(seconds):
    time.sleep(seconds)  # the misconception: this stops the loop, not just this coroutine


async def in_executor(seconds):
    await asyncio.get_running_loop().run_in_executor(None, time.sleep, seconds)


if __name__ == "__main__":
    main(
        "blocking-call",
        {
            "heartbeat lateness, non-blocking wait 200 ms": (
                "await asyncio.sleep(0.2)",
                heartbeat_lateness(non_blocking),
            ),
            "heartbeat lateness, blocking wait 200 ms": (
                "time.sleep(0.2)",
                heartbeat_lateness(blocking),
            ),
            "heartbeat lateness, blocking wait in executor 200 ms": (
                "await loop.run_in_executor(None, time.sleep, 0.2)",
                heartbeat_lateness(in_executor),
            ),
        },
    )
