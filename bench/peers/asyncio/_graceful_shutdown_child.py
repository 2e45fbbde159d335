"""The child bench/peers/asyncio/graceful-shutdown.py times: the Python twin of
recipes/graceful-shutdown.ts (loop.add_signal_handler for SIGINT and SIGTERM, a
worker task ticking every 200 ms, cancelled on the signal; exit 128 + signal).

    python3 bench/peers/asyncio/_graceful_shutdown_child.py --loop uvloop
"""

import asyncio
import os
import signal
import sys


async def worker():
    ticks = 0
    try:
        while True:
            await asyncio.sleep(0.2)
            ticks += 1
            print(f"tick {ticks}", flush=True)
    finally:
        print(f"cleanup: state saved after {ticks} ticks", flush=True)


async def main():
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, lambda s=sig: stop.done() or stop.set_result(s))
    task = asyncio.create_task(worker())
    print(f"working (pid {os.getpid()}); Ctrl-C or SIGTERM stops me", flush=True)
    sig = await stop
    print(f"got {sig.name}: shutting down", flush=True)
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass
    return sig


if __name__ == "__main__":
    if "--loop" in sys.argv and sys.argv[sys.argv.index("--loop") + 1] == "uvloop":
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    sys.exit(128 + asyncio.run(main()))
