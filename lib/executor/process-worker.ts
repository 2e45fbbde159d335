/**
 * Entry module of a process-pool worker (a child process running the same
 * runtime). Internal to `effect-asyncio/executor`.
 *
 * Requests arrive on stdin; results leave on file descriptor 3 with
 * synchronous writes, so what a task has finished reaches the parent even if
 * the next task calls `process.exit`. Frames are described in frames.ts
 * (JSON or `node:v8`, both giving structured-clone results). stdin closing
 * (the parent exited or closed the pool) ends an idle worker; a busy one is
 * ended by its watchdog thread (watchdog.ts) when the parent is gone.
 *
 * @module
 */
import { writeSync } from "node:fs"
import process from "node:process"
import { Worker } from "node:worker_threads"
import { startWorkerLoop } from "./worker-loop.ts"
import { encodeFrame, FrameReader } from "./frames.ts"

const RESULTS_FD = 3

// The parent passes its pid: the watchdog ends this process once that parent is gone.
const parentPid = Number(process.argv[2])
if (parentPid > 0) {
  const ext = import.meta.url.endsWith(".ts") ? ".ts" : ".js"
  new Worker(new URL(`./watchdog${ext}`, import.meta.url), { workerData: parentPid }).unref()
}

const writeAll = (bytes: Uint8Array) => {
  let offset = 0
  while (offset < bytes.length) {
    try {
      offset += writeSync(RESULTS_FD, bytes, offset, bytes.length - offset)
    } catch (error) {
      // A non-blocking pipe that is full: wait for the parent to read.
      if ((error as { code?: string }).code !== "EAGAIN") throw error
    }
  }
}

startWorkerLoop({
  post: (message) => {
    for (const chunk of encodeFrame(message)) writeAll(chunk)
  },
  listen: (handler) => {
    const reader = new FrameReader(handler)
    process.stdin.on("data", (chunk: Uint8Array) => reader.push(chunk))
    process.stdin.on("end", () => process.exit(0))
  },
  exit: () => process.exit(0),
})
