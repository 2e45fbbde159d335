/**
 * What the executor benches share: the task (`add`), the raw
 * baselines (one worker, `postMessage`, no pool), and a long-lived pool
 * helper. This module is imported by the pools' workers too (it declares the
 * tasks), so it has no top-level side effects.
 */
import { Effect, Exit, Scope } from "effect"
import { Worker as NodeWorker } from "node:worker_threads"
import type { Executor } from "effect-asyncio/executor"
import { workerFunction } from "effect-asyncio/executor"
import type { Variant, Workload } from "./_harness.ts"
import { type fromDef, param } from "./workloads.ts"

export const add = workerFunction(import.meta.url, "add", (a: number, b: number) => a + b)

/** Sends its argument back: the 100 MB round trip. */
export const echo = workerFunction(import.meta.url, "echo", (value: unknown) => value)

/** One raw worker that adds: the baseline without a pool. */
export interface RawWorker {
  readonly call: (a: number, b: number) => Promise<number>
  /** Posts all at once, resolves when every reply is in. */
  readonly burst: (n: number) => Promise<void>
  /** Sends `bytes` and resolves with what comes back. */
  readonly echo: (bytes: Uint8Array) => Promise<unknown>
  readonly close: () => void
}

const rawWorkerUrl = new URL("./_raw-worker.ts", import.meta.url)

export const rawWorker = (kind: "web" | "node"): RawWorker => {
  let onReply: (value: number) => void = () => {}
  let post: (message: unknown) => void
  let close: () => void
  if (kind === "web") {
    const worker = new Worker(rawWorkerUrl, { type: "module" })
    worker.onmessage = (event: MessageEvent<number>) => onReply(event.data)
    post = (message) => worker.postMessage(message)
    close = () => worker.terminate()
  } else {
    const worker = new NodeWorker(rawWorkerUrl)
    worker.on("message", (value: number) => onReply(value))
    post = (message) => worker.postMessage(message)
    close = () => void worker.terminate()
  }
  return {
    call: (a, b) =>
      new Promise((resolve) => {
        onReply = resolve
        post([a, b])
      }),
    burst: (n) =>
      new Promise((resolve) => {
        let left = n
        onReply = () => {
          if (--left === 0) resolve()
        }
        for (let i = 0; i < n; i++) post([i, 1])
      }),
    echo: (bytes) =>
      new Promise((resolve) => {
        onReply = resolve
        post(bytes)
      }),
    close,
  }
}

/** A pool that outlives the samples; `close` shuts it down. */
export const longLived = async (
  make: Effect.Effect<Executor, never, Scope.Scope>,
): Promise<{ pool: Executor; close: () => Promise<void> }> => {
  const scope = Scope.makeUnsafe()
  const pool = await Effect.runPromise(Scope.provide(scope)(make))
  return { pool, close: () => Effect.runPromise(Scope.close(scope, Exit.void)) }
}

export const range = (n: number): Array<number> => Array.from({ length: n }, (_, i) => i)

/** 2 000 sequential `add(i, 1)` on `pool`. */
export const sequential = (pool: Executor, n: number) =>
  Effect.runPromise(Effect.gen(function* () {
    let sum = 0
    for (let i = 0; i < n; i++) sum += yield* pool.submit(add, i, 1)
    return sum
  }))

/** `n` concurrent `add(i, 1)` on `pool`, each its own fiber. */
export const concurrent = (pool: Executor, n: number) =>
  Effect.runPromise(
    Effect.forEach(range(n), (i) => pool.submit(add, i, 1), { concurrency: "unbounded" }),
  )

/** The machine's load, printed beside the figures (the bench machine may be shared). */
export const loadAverage = async (): Promise<string> => {
  const os = await import("node:os")
  return os.loadavg().map((l) => l.toFixed(2)).join(" ")
}

/** The pool size of a bench's two workloads (they must agree). */
export const poolSize = (bench: string): number => {
  const workers = param(bench, "round-trip 2,000 sequential", "workers")
  if (param(bench, "throughput 10,000 concurrent", "workers") !== workers) {
    throw new Error(`${bench}: one pool size for both workloads`)
  }
  return workers
}

/** The raw Web Worker baselines: `n` sequential calls, and a burst of `m`. */
export const rawBaselines = (web: RawWorker, n: number, m: number) => ({
  roundTrip: {
    name: "raw Worker + postMessage (Web Worker)",
    baseline: true,
    run: async () => {
      for (let i = 0; i < n; i++) await web.call(i, 1)
    },
  } satisfies Variant,
  throughput: {
    name: "raw Worker + postMessage (Web Worker)",
    baseline: true,
    run: () => web.burst(m),
  } satisfies Variant,
})

/** A Uint8Array of `megabytes` MB, for the 100 MB round trip. */
const megabytes = (mb: number): Uint8Array => new Uint8Array(mb * 1024 * 1024).fill(7)

/** The 100 MB round trip's raw baseline: the bytes through a raw Web Worker and back. */
const rawEcho = (web: RawWorker, bytes: Uint8Array) => ({
  name: "raw Worker + postMessage (Web Worker)",
  baseline: true,
  run: async () => {
    const back = await web.echo(bytes) as Uint8Array
    if (back.length !== bytes.length) throw new Error("the bytes did not come back")
  },
} satisfies Variant)

/** One echo of `bytes` on `pool`, checked. */
const poolEcho = async (pool: Executor, bytes: Uint8Array): Promise<void> => {
  const back = await Effect.runPromise(pool.submit(echo, bytes)) as Uint8Array
  if (back.length !== bytes.length) throw new Error("the bytes did not come back")
}

/**
 * The 100 MB round trip (`def`): its MB through the raw Web Worker (the
 * baseline), and through a pool of one made by `make`, started and warmed.
 */
export const bigRoundTrip = async (
  web: RawWorker,
  def: ReturnType<typeof fromDef>,
  name: string,
  make: Effect.Effect<Executor, never, Scope.Scope>,
): Promise<{ workload: Workload; close: () => Promise<void> }> => {
  const bytes = megabytes(param(def.bench, def.workload, "megabytes"))
  const single = await longLived(make)
  await Effect.runPromise(single.pool.submit(add, 1, 1))
  return {
    workload: {
      ...def,
      variants: [rawEcho(web, bytes), { name, run: () => poolEcho(single.pool, bytes) }],
    },
    close: single.close,
  }
}
