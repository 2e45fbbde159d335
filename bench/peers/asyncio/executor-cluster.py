"""Python peer of bench/executor-cluster.bench.ts: Dask distributed.

`loop.run_in_executor(client.get_executor(), add, i, 1)` on a LocalCluster of
2 worker processes (1 thread each), the way an asyncio program hands its
blocking calls to a Dask cluster. The cluster is started once, before any
timing, and shared by every workload and sample (as the TypeScript bench
shares its ClusterExecutor); each run takes a fresh executor on it, warmed and
shut down as the other executor peers do (_common.py). `pure=False`, so Dask
runs every call rather than reusing a result it has seen.

Needs Dask distributed: `sudo apt-get install python3-distributed` (Debian,
Ubuntu) or `python3 -m pip install distributed`; without it, it says so and
prints no rows.

    python3 bench/peers/asyncio/executor-cluster.py --loop uvloop
"""

import atexit
import sys

from _common import add, round_trip, throughput
from _harness import load_workloads, main

INSTALL_HINT = (
    "executor-cluster peer skipped: Dask distributed is not installed "
    "(`sudo apt-get install python3-distributed`, or `python3 -m pip install distributed`)"
)

_client = None


def client(workers):
    """The shared LocalCluster client, started on first use and closed at exit."""
    global _client
    if _client is None:
        from distributed import Client, LocalCluster

        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        )
        _client = Client(cluster)

        def close():
            _client.close()
            cluster.close()

        atexit.register(close)
        executor = _client.get_executor(pure=False)
        assert [f.result() for f in [executor.submit(add, i, 1) for i in range(20)]] == [
            i + 1 for i in range(20)
        ]
    return _client


def executor(spec):
    """A Dask executor on the shared cluster (cheap: the cluster itself is started once)."""
    return client(spec["params"]["workers"]).get_executor(pure=False)


VARIANT = "run_in_executor(client.get_executor()), Dask LocalCluster(2 processes)"

if __name__ == "__main__":
    try:
        import distributed  # noqa: F401
    except ImportError:
        print(INSTALL_HINT, file=sys.stderr)
        sys.exit(0)
    if "--list" not in sys.argv:
        # Started before any timing: every workload's samples find it warm.
        client(load_workloads("executor-cluster")[0]["params"]["workers"])
    main(
        "executor-cluster",
        {
            "round-trip 1,000 sequential": (VARIANT, round_trip(executor)),
            "throughput 1,000 concurrent": (VARIANT, throughput(executor)),
            "throughput 10,000 concurrent": (VARIANT, throughput(executor)),
        },
    )
