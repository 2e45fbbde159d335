"""Python peer of bench/coroutine-delegation.bench.ts: delegation-chain.

The playbook's generator-based coroutines (`@asyncio.coroutine` + `yield from`).
`asyncio.coroutine` was removed in Python 3.11; `types.coroutine` is what
remains of it and marks a generator as awaitable in the same way.

    python3 bench/peers/asyncio/coroutine-delegation.py --loop uvloop
"""

import types

from _harness import main, now_ns


@types.coroutine
def func():
    return "Hello, world!"
    yield  # never reached: it makes func a generator, which @asyncio.coroutine used to do


@types.coroutine
def delegate(n):
    last = None
    for _ in range(n):
        last = yield from func()
    return last


async def delegation_chain(spec):
    n = spec["ops"]
    started = now_ns()
    last = await delegate(n)
    elapsed = now_ns() - started
    assert last == "Hello, world!"
    return elapsed


if __name__ == "__main__":
    main(
        "coroutine-delegation",
        {"delegation-chain 1,000,000": ("yield from (types.coroutine)", delegation_chain)},
    )
