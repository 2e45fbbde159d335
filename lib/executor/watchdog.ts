/**
 * Entry module of a process-pool worker's watchdog: a small worker thread
 * inside the child process that ends the child when its parent is gone.
 * Internal to `effect-asyncio/executor`.
 *
 * The child's main thread runs the tasks, and a task in synchronous code
 * (a CPU-bound loop) cannot notice anything, stdin closing included. This
 * thread can: every {@link POLL_MS} it compares the child's parent pid with
 * the pid of the parent that started it. When the parent dies, however it
 * dies (SIGKILL and OOM kills included, which no handler sees), the child
 * is handed to another parent (init or a subreaper), and the watchdog kills
 * its own process. It sleeps between polls: no cost per task.
 *
 * @module
 */
import process from "node:process"
import { workerData } from "node:worker_threads"

/** Poll period (ms): the child outlives its parent by at most about this long. */
const POLL_MS = 200

const parent = workerData as number

setInterval(() => {
  if (process.ppid !== parent) process.kill(process.pid, "SIGKILL")
}, POLL_MS)
