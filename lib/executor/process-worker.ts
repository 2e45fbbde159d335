/**
 * Entry module of a process-pool worker (a child process running the same
 * runtime). Internal to `effect-asyncio/executor`.
 *
 * Requests arrive on stdin; results leave on file descriptor 3 with
 * synchronous writes, so what a task has finished reaches the parent even if
 * the next task calls `process.exit`. Each frame is a 4-byte length and a
 * `node:v8` serialization (structured clone, as for threads). stdin closing
 * (the parent exited or closed the pool) ends the worker.
 *
 * @module
 */
import { writeSync } from "node:fs"
import process from "node:process"
import { serialize } from "node:v8"
import { startRunner } from "./runner.ts"
import { frame, FrameReader } from "./frames.ts"

const RESULTS_FD = 3

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

startRunner({
  post: (message) => writeAll(frame(serialize(message))),
  listen: (handler) => {
    const reader = new FrameReader(handler)
    process.stdin.on("data", (chunk: Uint8Array) => reader.push(chunk))
    process.stdin.on("end", () => process.exit(0))
  },
  exit: () => process.exit(0),
})
