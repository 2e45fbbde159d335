/**
 * The worker loop: the worker side of an executor, shared by worker threads and child
 * processes (each entry file supplies how to send and receive). Internal to
 * `effect-asyncio/executor`.
 *
 * Tasks run one at a time, in the order they arrive, like a thread of a
 * Python pool. Results are sent in batches: at the end of a batch, before
 * awaiting an async task, after 1 ms of synchronous work, and from the exit
 * handler, so a task that calls `process.exit` still lets the results before
 * it through and says which task it was running.
 *
 * @module
 */
import process from "node:process"
import { setImmediate } from "node:timers"
import {
  BATCH,
  CANCEL,
  CANCELLED,
  cloneProblem,
  CLOSE,
  EXIT,
  IMPORT_FAILED,
  NOT_FOUND,
  OK,
  RESULT_NOT_CLONEABLE,
  RESULTS,
  THREW,
  toRemoteError,
} from "./protocol.ts"
import { isWorkerFunction } from "./worker-function.ts"
import { importTaskModule } from "./main-guard.ts"

/** How a worker loop talks to its executor. */
export interface WorkerLoopPort {
  /** Sends one message; throws synchronously if it cannot be cloned. */
  readonly post: (message: Array<unknown>) => void
  /** Registers the handler of messages from the executor. */
  readonly listen: (handler: (message: Array<unknown>) => void) => void
  /** Ends the worker once its results are out. */
  readonly exit: () => void
  /**
   * Claims the task at `position` (in arrival order) before running it;
   * false if the executor cancelled it first (thread workers: shared flags).
   */
  readonly claim?: (position: number) => boolean
  /** Marks the task at `position` finished (its result may not be sent yet). */
  readonly finish?: (position: number) => void
}

type Fn = (...args: Array<unknown>) => unknown

/** Time slice after which results are sent and the loop yields (ms). */
const SLICE_MS = 1

export const startWorkerLoop = (port: WorkerLoopPort): void => {
  // Task references: key → definition, and the resolved function (or failure).
  const defs = new Map<number, { module: string; exportName: string }>()
  const resolved = new Map<number, Fn | { status: number; value: unknown }>()
  const modules = new Map<string, Promise<Record<string, unknown>>>()

  // Pending tasks as a flat FIFO: id, key, args.
  let queue: Array<unknown> = []
  let head = 0
  const cancelled = new Set<number>()
  let running = false
  let closing = false
  let current = -1
  // Position of the task at `head` among all tasks received, for claim/finish.
  let position = 0

  let outbox: Array<unknown> = [RESULTS]

  const flush = () => {
    if (outbox.length === 1) return
    const message = outbox
    outbox = [RESULTS]
    try {
      port.post(message)
    } catch {
      // One of the results cannot be cloned: send the others, and say which.
      for (let i = 1; i < message.length; i += 3) {
        if (message[i + 1] !== OK) continue
        const problem = cloneProblem(message[i + 2])
        if (problem !== undefined) {
          message[i + 1] = RESULT_NOT_CLONEABLE
          message[i + 2] = `the result ${problem}`
        }
      }
      try {
        port.post(message)
      } catch (error) {
        // Not found by the per-value check (a nested exotic value): fail them all.
        const reason = `the result could not be cloned: ${String(error)}`
        for (let i = 1; i < message.length; i += 3) {
          if (message[i + 1] === OK) {
            message[i + 1] = RESULT_NOT_CLONEABLE
            message[i + 2] = reason
          }
        }
        port.post(message)
      }
    }
  }

  process.on("exit", (code) => {
    flush()
    try {
      port.post([EXIT, current, typeof code === "number" ? code : 0])
    } catch {
      // the channel is gone already
    }
  })

  const resolve = (key: number): Fn | { status: number; value: unknown } | Promise<void> => {
    const def = defs.get(key)!
    let loading = modules.get(def.module)
    if (loading === undefined) {
      // Marked as a worker's import: a module without its main guard is refused (main-guard.ts).
      loading = importTaskModule(def.module)
      modules.set(def.module, loading)
    }
    return loading.then(
      (ns) => {
        const value = ns[def.exportName]
        const fn = isWorkerFunction(value) ? value.fn : value
        resolved.set(
          key,
          typeof fn === "function" ? fn as Fn : {
            status: NOT_FOUND,
            value: `${def.module} has no exported function "${def.exportName}" (it exports: ${
              Object.keys(ns).join(", ") || "nothing"
            })`,
          },
        )
      },
      (error) => {
        resolved.set(key, { status: IMPORT_FAILED, value: toRemoteError(error) })
      },
    )
  }

  const isThenable = (u: unknown): u is PromiseLike<unknown> =>
    u !== null && typeof u === "object" && typeof (u as PromiseLike<unknown>).then === "function"

  /**
   * Runs the queued tasks synchronously until the queue is empty, or until
   * something must be awaited (a module import, an async task, the end of a
   * time slice); then it returns and is called again when that is done.
   */
  const drain = (): void => {
    running = true
    // The clock is read from the second task on: a batch of one never needs it.
    let sliceStart = 0
    while (head < queue.length) {
      if (
        head > 0 &&
        (sliceStart === 0
          ? (sliceStart = performance.now(), false)
          : performance.now() - sliceStart > SLICE_MS)
      ) {
        // Send what is done, and let CANCEL and BATCH messages in.
        flush()
        setImmediate(drain)
        return
      }
      const id = queue[head] as number
      if (cancelled.size > 0 && cancelled.delete(id)) {
        queue[head + 2] = undefined
        head += 3
        position++
        continue
      }
      const key = queue[head + 1] as number
      current = id
      const fn = resolved.get(key) ?? resolve(key)
      if (fn instanceof Promise) {
        // Import the module, then come back to this same task.
        flush()
        fn.then(drain)
        return
      }
      const args = queue[head + 2] as Array<unknown>
      queue[head + 2] = undefined
      head += 3
      const at = position++
      if (port.claim !== undefined && !port.claim(at)) {
        // The executor cancelled it before it started: it does not run, nothing is sent.
        current = -1
        continue
      }
      if (typeof fn !== "function") {
        outbox.push(id, fn.status, fn.value)
        port.finish?.(at)
        current = -1
        continue
      }
      let result: unknown
      try {
        result = fn(...args)
      } catch (error) {
        outbox.push(id, THREW, toRemoteError(error))
        port.finish?.(at)
        current = -1
        continue
      }
      if (isThenable(result)) {
        flush()
        result.then(
          (value) => {
            outbox.push(id, OK, value)
            port.finish?.(at)
            current = -1
            drain()
          },
          (error) => {
            outbox.push(id, THREW, toRemoteError(error))
            port.finish?.(at)
            current = -1
            drain()
          },
        )
        return
      }
      outbox.push(id, OK, result)
      port.finish?.(at)
      current = -1
    }
    queue = []
    head = 0
    // Every task sent so far has run or been skipped: the CANCELs left are stale.
    cancelled.clear()
    flush()
    running = false
    if (closing) port.exit()
  }

  port.listen((message) => {
    switch (message[0]) {
      case BATCH: {
        const newDefs = message[1] as Array<unknown> | 0
        if (newDefs !== 0) {
          for (let i = 0; i < newDefs.length; i += 3) {
            defs.set(newDefs[i] as number, {
              module: newDefs[i + 1] as string,
              exportName: newDefs[i + 2] as string,
            })
          }
        }
        for (let i = 2; i < message.length; i++) queue.push(message[i])
        if (!running) drain()
        return
      }
      case CANCEL: {
        // Answer at once, from what this worker knows: the pool decides on this word.
        const id = message[1] as number
        for (let i = head; i < queue.length; i += 3) {
          if (queue[i] === id) {
            // Not started (or only its module is loading): it will be skipped.
            cancelled.add(id)
            return port.post([CANCELLED, id, 0])
          }
        }
        if (id === current) return port.post([CANCELLED, id, 1])
        // Not here: it has finished, and its result went out before this message came in.
        return
      }
      case CLOSE:
        closing = true
        if (!running) port.exit()
        return
    }
  })
}
