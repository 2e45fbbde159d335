/**
 * Entry module of a thread-pool worker (a `node:worker_threads` Worker).
 * Internal to `effect-asyncio/executor`.
 *
 * @module
 */
import process from "node:process"
import { parentPort } from "node:worker_threads"
import { startRunner } from "./runner.ts"

const port = parentPort!
startRunner({
  post: (message) => port.postMessage(message),
  listen: (handler) => port.on("message", handler),
  exit: () => process.exit(0),
})
