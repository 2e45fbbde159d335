"""The harness every Python peer uses: the counterpart of bench/_harness.ts.

A peer script implements, for its bench, each workload that bench/workloads.json
defines for that bench, as an async function that runs the workload once and
returns the time it measured in nanoseconds (optionally with extra figures).
This module reads the definitions, installs the loop (`--loop asyncio|uvloop`,
uvloop the way the playbook does it: `asyncio.set_event_loop_policy`), runs one
warm-up and several samples of each workload in one event loop, and prints one
line per workload, `BENCH {json}`, in the TypeScript harness's BenchRow schema:
bench, workload, variant, baseline (false), runtime ("asyncio" or "uvloop"),
unit, median, min, max, samples, extra {peakRssMiB, ...}.

Options: --loop asyncio|uvloop (default asyncio), --quick (the tiny sizes from
workloads.json, for tests), --samples N (overrides the sample count),
--workload NAME (only that workload; repeatable), --list (print the workload
names and exit).
"""

import argparse
import asyncio
import gc
import json
import sys
import time
from pathlib import Path

WORKLOADS_JSON = Path(__file__).resolve().parents[2] / "workloads.json"


def load_workloads(bench):
    """This bench's peer workload definitions from bench/workloads.json, in file order."""
    with open(WORKLOADS_JSON, encoding="utf-8") as f:
        workloads = json.load(f)["workloads"]
    # `only: "ts"` marks a workload the TypeScript side measures by design alone.
    return [w for w in workloads if w["bench"] == bench and w.get("only") != "ts"]


def resolve(definition, quick):
    """The definition with --quick's overrides applied: ops, params and samples for one run."""
    spec = {
        "ops": definition["ops"],
        "params": dict(definition.get("params", {})),
        "samples": definition.get("peer", {}).get("samples", definition.get("samples", 5)),
        "warmup": definition.get("peer", {}).get("warmup", 1),
    }
    if quick:
        overrides = definition.get("quick", {})
        spec["ops"] = overrides.get("ops", spec["ops"])
        spec["params"].update(overrides.get("params", {}))
        spec["samples"] = 2
        spec["warmup"] = 0
    return spec


def convert(unit, ops, ns):
    """One run's time in nanoseconds as the reported figure (same as bench/_harness.ts)."""
    if unit == "ms":
        return ns / 1e6
    if unit == "µs/task":
        return ns / 1e3 / ops
    if unit == "ns/op":
        return ns / ops
    if unit == "ops/s":
        return ops / (ns / 1e9)
    raise ValueError(f"unknown unit {unit!r}")


def reset_peak_rss():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass  # not Linux, or not allowed: the figure is then the process-wide peak


def peak_rss_mib():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def install_loop(name):
    """Makes every loop the program creates an asyncio or a uvloop loop."""
    if name == "uvloop":
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    else:
        asyncio.set_event_loop_policy(asyncio.DefaultEventLoopPolicy())


def loop_kind(loop):
    return "uvloop" if type(loop).__module__.startswith("uvloop") else "asyncio"


def median_of(values):
    """The upper median, as the TypeScript harness takes it."""
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def measure(loop, run_once, spec):
    """Runs the workload warm-up + samples times; returns (times in ns, extra figures per sample)."""
    times, extras = [], []
    for i in range(spec["warmup"] + spec["samples"]):
        gc.collect()
        result = loop.run_until_complete(run_once(spec))
        ns, extra = result if isinstance(result, tuple) else (result, {})
        if i >= spec["warmup"]:
            times.append(ns)
            extras.append(extra)
    return times, extras


def main(bench, implementations):
    """Parses the options, runs the selected workloads of `bench` and prints their rows.

    `implementations` maps each workload name of this bench in workloads.json to
    (variant, run_once), or a list of such pairs: the variant names what the Python code does, and
    `run_once(spec)` is an async function returning the measured nanoseconds, or
    (nanoseconds, {extra figure: value}).
    """
    parser = argparse.ArgumentParser(description=f"Python peer of bench/{bench}.bench.ts")
    parser.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for tests")
    parser.add_argument("--samples", type=int, help="samples per workload")
    parser.add_argument("--workload", action="append", help="only this workload (repeatable)")
    parser.add_argument("--list", action="store_true", help="print the workload names and exit")
    args = parser.parse_args()

    definitions = load_workloads(bench)
    defined = [d["workload"] for d in definitions]
    if sorted(defined) != sorted(implementations):
        sys.exit(
            f"{bench}: workloads.json defines {defined} but the script implements "
            f"{list(implementations)}"
        )
    if args.list:
        for name in defined:
            print(name)
        return
    unknown = [w for w in args.workload or [] if w not in defined]
    if unknown:
        sys.exit(f"{bench}: no workload named {unknown}; known: {defined}")

    sys.stdout.reconfigure(encoding="utf-8")
    install_loop(args.loop)
    for definition in definitions:
        name = definition["workload"]
        if args.workload and name not in args.workload:
            continue
        spec = resolve(definition, args.quick)
        if args.samples:
            spec["samples"] = args.samples
        entries = implementations[name]
        # One (variant, run_once) pair, or a list of them measured one after the other.
        for variant, run_once in entries if isinstance(entries, list) else [entries]:
            reset_peak_rss()
            loop = asyncio.new_event_loop()
            try:
                asyncio.set_event_loop(loop)
                if loop_kind(loop) != args.loop:
                    sys.exit(f"asked for {args.loop} but the loop is {type(loop)!r}")
                times, extras = measure(loop, run_once, spec)
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.run_until_complete(loop.shutdown_default_executor())
            finally:
                asyncio.set_event_loop(None)
                loop.close()
            values = sorted(convert(definition["unit"], spec["ops"], ns) for ns in times)
            extra = {key: median_of([e[key] for e in extras]) for key in extras[0]}
            rss = peak_rss_mib()
            if rss is not None:
                extra["peakRssMiB"] = round(rss)
            row = {
                "bench": bench,
                "workload": name,
                "variant": variant,
                "baseline": False,
                "runtime": args.loop,
                "unit": definition["unit"],
                "median": median_of(values),
                "min": values[0],
                "max": values[-1],
                "samples": len(values),
                "extra": extra,
            }
            print("BENCH " + json.dumps(row, ensure_ascii=False), flush=True)


def now_ns():
    return time.perf_counter_ns()
