/**
 * Entry module of a thread-pool worker (a `node:worker_threads` Worker).
 * Internal to `effect-asyncio/executor`.
 *
 * @module
 */
import process from "node:process"
import { parentPort } from "node:worker_threads"
import { postPacked, unpack } from "./bulk.ts"
import { startRunner } from "./runner.ts"

const port = parentPort!
startRunner({
  post: (message) =>
    postPacked(
      (m, transfer) => transfer ? port.postMessage(m, transfer) : port.postMessage(m),
      message,
    ),
  listen: (handler) => port.on("message", (message: Array<unknown>) => handler(unpack(message))),
  exit: () => process.exit(0),
})
