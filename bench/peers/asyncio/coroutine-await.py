"""Python peer of bench/coroutine-await.bench.ts: await-chain.

`main` awaits the trivial coroutine `func` over and over, as the playbook's
`main` awaits `func` once.

    python3 bench/peers/asyncio/coroutine-await.py --loop uvloop
"""

from _harness import main, now_ns


async def func():
    return "Hello, world!"


async def await_chain(spec):
    n = spec["ops"]
    last = None
    started = now_ns()
    for _ in range(n):
        last = await func()
    elapsed = now_ns() - started
    assert last == "Hello, world!"
    return elapsed


if __name__ == "__main__":
    main("coroutine-await", {"await-chain 1,000,000": ("async def + await", await_chain)})
