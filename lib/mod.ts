/**
 * effect-asyncio: the Python asyncio playbook on Effect v4 fibers, for Deno
 * and Bun. Each module is also a subpath export (`effect-asyncio/coroutine`,
 * `effect-asyncio/runtime`, `effect-asyncio/websocket`, …).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { gather } from "effect-asyncio"
 * import assert from "node:assert/strict"
 *
 * assert.deepEqual(await Effect.runPromise(gather([Effect.succeed("a")])), ["a"])
 * ```
 *
 * @module
 */
export * from "./coroutine.ts"
export * from "./runtime.ts"
export * as Event from "./event.ts"
export * from "./loop.ts"
export * from "./exception-handler.ts"
export * from "./permissions.ts"
export * from "./scheduler.ts"
export * as Timing from "./timing.ts"
export * from "./websocket.ts"
export * as LagMonitor from "./lag-monitor.ts"
export * from "./executor.ts"
export * as Queue from "./queue.ts"
export * as PriorityQueue from "./priority-queue.ts"
export * as LifoQueue from "./lifo-queue.ts"
export * as Lock from "./lock.ts"
export * as Semaphore from "./semaphore.ts"
export * as BoundedSemaphore from "./bounded-semaphore.ts"
export * as Condition from "./condition.ts"
export * as Barrier from "./barrier.ts"
