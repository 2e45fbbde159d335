"""Python peer of bench/executor-cluster.bench.ts: Dask distributed.

`loop.run_in_executor(client.get_executor(), add, i, 1)` on a LocalCluster of
2 worker processes (1 thread each), the way an asyncio program hands its
blocking calls to a Dask cluster; and the same on a cluster with mutual TLS
(`Security.temporary()`: a throwaway CA and certificates, `tls://`), beside the
TypeScript bench's TLS-and-signed cluster. The cluster is started once, before any
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
import shutil
import sys
import tempfile

from _common import add, round_trip, throughput
from _harness import load_workloads, main

INSTALL_HINT = (
    "executor-cluster peer skipped: Dask distributed is not installed "
    "(`sudo apt-get install python3-distributed`, or `python3 -m pip install distributed`)"
)

_clients = {}


def client(workers, tls=False):
    """A shared LocalCluster client (plain TCP or mutual TLS), started on first use, closed at exit."""
    if tls not in _clients:
        from distributed import Client, LocalCluster

        options = {}
        if tls:
            from distributed.security import Security

            options = {"security": Security.temporary(), "protocol": "tls"}
        # Dask's scratch space (lock files, spills) in a directory of our own, removed at exit.
        scratch = tempfile.mkdtemp(prefix="effect-asyncio-dask-")
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            local_directory=scratch,
            **options,
        )
        c = Client(cluster, security=options.get("security"))

        def close():
            c.close()
            cluster.close()
            shutil.rmtree(scratch, ignore_errors=True)

        atexit.register(close)
        executor = c.get_executor(pure=False)
        assert [f.result() for f in [executor.submit(add, i, 1) for i in range(20)]] == [
            i + 1 for i in range(20)
        ]
        _clients[tls] = c
    return _clients[tls]


def executor(spec):
    """A Dask executor on the shared cluster (cheap: the cluster itself is started once)."""
    return client(spec["params"]["workers"]).get_executor(pure=False)


def tls_executor(spec):
    """The same on the shared mutual-TLS cluster."""
    return client(spec["params"]["workers"], tls=True).get_executor(pure=False)


VARIANT = "run_in_executor(client.get_executor()), Dask LocalCluster(2 processes)"
TLS_VARIANT = "run_in_executor(client.get_executor()), Dask LocalCluster(2 processes, TLS)"

if __name__ == "__main__":
    try:
        import distributed  # noqa: F401
    except ImportError:
        print(INSTALL_HINT, file=sys.stderr)
        sys.exit(0)
    if "--list" not in sys.argv:
        # Started before any timing: every workload's samples find it warm.
        workers = load_workloads("executor-cluster")[0]["params"]["workers"]
        client(workers)
        client(workers, tls=True)
    main(
        "executor-cluster",
        {
            "round-trip 1,000 sequential": [
                (VARIANT, round_trip(executor)),
                (TLS_VARIANT, round_trip(tls_executor)),
            ],
            "throughput 1,000 concurrent": [
                (VARIANT, throughput(executor)),
                (TLS_VARIANT, throughput(tls_executor)),
            ],
            "throughput 10,000 concurrent": [
                (VARIANT, throughput(executor)),
                (TLS_VARIANT, throughput(tls_executor)),
            ],
        },
    )
