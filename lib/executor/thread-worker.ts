/**
 * Entry module of a thread-pool worker (a `node:worker_threads` Worker).
 * Internal to `effect-asyncio/executor`.
 *
 * @module
 */
import process from "node:process"
import { parentPort, workerData } from "node:worker_threads"
import { postPacked, unpack } from "./packed-message.ts"
import { FINISHED, PENDING, RING, STARTED } from "./protocol.ts"
import { startWorkerLoop } from "./worker-loop.ts"

const port = parentPort!
// The task flags shared with the pool (see protocol.ts).
const flags = new Int32Array((workerData as { flags: SharedArrayBuffer }).flags)
startWorkerLoop({
  post: (message) =>
    postPacked(
      (m, transfer) => transfer ? port.postMessage(m, transfer) : port.postMessage(m),
      message,
    ),
  listen: (handler) => port.on("message", (message: Array<unknown>) => handler(unpack(message))),
  exit: () => process.exit(0),
  claim: (position) =>
    Atomics.compareExchange(flags, position % RING, PENDING, STARTED) === PENDING,
  // A plain write (no fence): a pool that reads it late only terminates a worker it could have spared.
  finish: (position) => void (flags[position % RING] = FINISHED),
})
