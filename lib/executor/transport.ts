/**
 * How an executor starts a worker and talks to it: a worker thread for the
 * thread pool, a child process running the same runtime for the process
 * pool. Internal to `effect-asyncio/executor`.
 *
 * Why `node:worker_threads` and not the Web `Worker` (which both runtimes
 * also have): measured on Deno 2.9 and Bun 1.4, the Web Worker gives the
 * parent no signal at all when the worker calls `process.exit` on Deno (a
 * task would hang), and Deno's Web Worker has no `unref()`, so an idle pool
 * would keep the program alive. `node:worker_threads` reports every exit with
 * its code on both runtimes, has `ref`/`unref` on both, and is as fast (Deno
 * builds it on its Web Worker).
 *
 * Why a stdin / fd 3 pipe pair and not `fork()`'s IPC channel for processes:
 * a child's IPC `send` is asynchronous, so results sent just before a
 * `process.exit` are lost (Deno delivered 128 of 1 000 in our check), and
 * on Deno sending a value that cannot be cloned corrupts the channel and
 * kills the child. A synchronous `writeSync` on fd 3 loses nothing, and
 * encoding the frames ourselves (frames.ts) fails before anything is written.
 *
 * A child gets its parent's pid (its watchdog thread ends it when that parent
 * is gone, see watchdog.ts) and, on Deno, no more permissions than its parent
 * (deno-flags.ts). A thread worker shares its task flags with the pool
 * (protocol.ts), and on Deno large messages cross as one buffer (packed-message.ts).
 *
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process"
import process from "node:process"
import { Worker } from "node:worker_threads"
import { runtime } from "../internal/runtime.ts"
import { postPacked, unpack } from "./packed-message.ts"
import { encodeFrame, FrameReader } from "./frames.ts"
import { denoPermissionFlags } from "./deno-flags.ts"
import { CLOSE, FINISHED, PENDING, RING, SKIPPED } from "./protocol.ts"

/** A started worker, as the pool sees it. */
export interface WorkerHandle {
  /** Sends a message; throws synchronously if it cannot be cloned or serialized. */
  readonly send: (message: Array<unknown>) => void
  /** Asks the worker to exit once idle (the cooperative half of shutdown). */
  readonly close: () => void
  /** Stops the worker now, whatever it is doing. */
  readonly terminate: () => void
  /** Keep the program alive for this worker (while it has work). */
  readonly ref: () => void
  /** Let the program exit even though this worker is alive (while idle). */
  readonly unref: () => void
  /**
   * Thread workers only (shared task flags, see protocol.ts): `prepare` marks
   * the task at `position` pending before it is sent; `tryCancel` cancels it
   * if the worker has not started it ("skipped"), else says whether it is
   * "running" or "finished".
   */
  readonly prepare?: (position: number) => void
  readonly tryCancel?: (position: number) => "skipped" | "running" | "finished"
}

/** What a worker reports back. */
export interface WorkerEvents {
  readonly onMessage: (message: Array<unknown>) => void
  /** The worker is gone; every message it sent has been delivered. */
  readonly onExit: (code: number | null, error: unknown) => void
}

export type Spawner = (events: WorkerEvents) => WorkerHandle

// When this module runs from dist/ (the packed package), its siblings are .js.
const sibling = (name: string) =>
  new URL(`./${name}${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`, import.meta.url)

export const threadSpawner: Spawner = (events) => {
  const flags = new Int32Array(new SharedArrayBuffer(RING * 4))
  const worker = new Worker(sibling("thread-worker"), { workerData: { flags: flags.buffer } })
  let error: unknown
  worker.on("message", (message: Array<unknown>) => events.onMessage(unpack(message)))
  worker.on("error", (e) => (error ??= e))
  // Let messages posted just before the exit (results, the exit marker) arrive first.
  worker.on("exit", (code) => setTimeout(() => events.onExit(code, error), 0))
  return {
    send: (message) =>
      postPacked(
        (m, transfer) => transfer ? worker.postMessage(m, transfer) : worker.postMessage(m),
        message,
      ),
    close: () => worker.postMessage([CLOSE]),
    terminate: () => void worker.terminate(),
    ref: () => worker.ref(),
    unref: () => worker.unref(),
    // A plain write: the postMessage that follows publishes it to the worker.
    prepare: (position) => void (flags[position % RING] = PENDING),
    tryCancel: (position) => {
      const was = Atomics.compareExchange(flags, position % RING, PENDING, SKIPPED)
      return was === PENDING ? "skipped" : was === FINISHED ? "finished" : "running"
    },
  }
}

const isDeno = runtime.name === "deno"

export const processSpawner: Spawner = (events) => {
  const entry = sibling("process-worker")
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...(isDeno ? ["run", ...denoPermissionFlags()] : []),
      entry.protocol === "file:" ? entry.pathname : entry.href,
      String(process.pid),
    ],
    { stdio: ["pipe", "inherit", "inherit", "pipe"] },
  )
  let error: unknown
  child.on("error", (e) => (error ??= e))
  // A child that could not start (Deno: a permission; Node: no such file) has no pid
  // and may lack its pipes; why comes later as the "error" event (kept above).
  if (child.pid === undefined || child.stdio[3] == null || child.stdin == null) {
    throw new Error(`the child process (${process.execPath}) did not start`)
  }
  const results = child.stdio[3] as NodeJS.ReadableStream & { unref?: () => void; ref?: () => void }
  const stdin = child.stdin as NodeJS.WritableStream & { unref?: () => void; ref?: () => void }
  const reader = new FrameReader(events.onMessage)
  results.on("data", (chunk: Uint8Array) => reader.push(chunk))
  // stdin is gone once the child is: writing to it then must not crash the parent.
  stdin.on("error", () => {})
  // "close" comes after the child's pipes are drained, so every result is in.
  child.on("close", (code, signal) => events.onExit(code ?? (signal ? null : 0), error ?? signal))
  return {
    send: (message) => {
      for (const chunk of encodeFrame(message)) stdin.write(chunk)
    },
    close: () => {
      for (const chunk of encodeFrame([CLOSE])) stdin.write(chunk)
      stdin.end()
    },
    terminate: () => void child.kill("SIGKILL"),
    ref: () => {
      child.ref()
      stdin.ref?.()
      results.ref?.()
    },
    unref: () => {
      child.unref()
      stdin.unref?.()
      results.unref?.()
    },
  }
}
