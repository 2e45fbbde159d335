"""Python peer of bench/graceful-shutdown.bench.ts: SIGTERM to exit.

Starts _graceful_shutdown_child.py (loop.add_signal_handler, a ticking worker)
on the same loop, sends it SIGTERM once it printed its first line, and times
until it has exited (the worker cancelled, its cleanup run). Startup is not timed.

    python3 bench/peers/asyncio/graceful-shutdown.py --loop uvloop
"""

import asyncio
import signal
import sys
from pathlib import Path

from _harness import loop_kind, main, now_ns

CHILD = Path(__file__).resolve().parent / "_graceful_shutdown_child.py"


async def sigterm_to_exit(spec):
    loop = asyncio.get_running_loop()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(CHILD), "--loop", loop_kind(loop),
        stdout=asyncio.subprocess.PIPE,
    )
    first = await proc.stdout.readline()
    assert first.startswith(b"working"), first
    started = now_ns()
    proc.send_signal(signal.SIGTERM)
    rest = await proc.stdout.read()
    code = await proc.wait()
    elapsed = now_ns() - started
    assert code == 143 and b"cleanup: state saved" in rest, (code, rest)
    return elapsed


if __name__ == "__main__":
    main("graceful-shutdown", {"SIGTERM to exit": ("loop.add_signal_handler", sigterm_to_exit)})
