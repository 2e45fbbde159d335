/**
 * The wire protocol between an executor and its workers, shared by both
 * sides. Internal to `effect-asyncio/executor`; it imports nothing, so a
 * worker starts without loading Effect.
 *
 * Every message is one flat array (cheap to clone and to serialize):
 *
 * - main → worker `[BATCH, defs, id, key, args, id, key, args, …]`: run these
 *   tasks in order. `defs` is `0` or `[key, moduleUrl, exportName, …]`, the
 *   task references this worker has not seen yet.
 * - main → worker `[CANCEL, id]`: skip task `id` if it has not started, and
 *   say so at once with `CANCELLED`.
 * - main → worker `[CLOSE]`: finish, flush and exit (the cooperative half of
 *   the two-phase shutdown).
 * - worker → main `[RESULTS, id, status, value, …]`: outcomes, in run order.
 * - worker → main `[CANCELLED, id, started]`: the answer to a `CANCEL` (`0`:
 *   skipped, it will not run; `1`: it is running now). No answer when the
 *   task had already finished (its result was sent before).
 * - worker → main `[EXIT, currentId, code]`: the worker is exiting while
 *   running task `currentId` (-1 if none); sent from its exit handler.
 *
 * @module
 */

export const BATCH = 0
export const CANCEL = 1
export const CLOSE = 2
export const RESULTS = 3
export const EXIT = 4
export const CANCELLED = 5

/**
 * A thread worker and its pool share one `Int32Array` of {@link RING} task
 * flags, indexed by the task's position in the order the worker received
 * them (modulo the ring): {@link PENDING} (set by the pool before it sends
 * the task), {@link STARTED} or {@link SKIPPED} (whoever swaps first wins:
 * the worker before it runs the task, the pool when it cancels it), then
 * {@link FINISHED} (the worker, after the task). So a thread pool knows at
 * once, without a message, whether a task it cancels has started. A worker
 * holds at most one batch (64 tasks) unreported: 256 slots never collide.
 */
export const RING = 256
export const PENDING = 0
export const STARTED = 1
export const SKIPPED = 2
export const FINISHED = 3
/** `[PACKED, bytes]`: a message `node:v8`-serialized into one ArrayBuffer (see {@link typedArrayElements}). */
export const PACKED = 6

/** The task returned a value (`value` is the result). */
export const OK = 0
/** The task threw or rejected (`value` is a {@link RemoteError}). */
export const THREW = 1
/** The result could not be sent back (`value` is the reason). */
export const RESULT_NOT_CLONEABLE = 2
/** The task's module failed to import (`value` is a {@link RemoteError}). */
export const IMPORT_FAILED = 3
/** The module has no such export, or it is not a function (`value` is the reason). */
export const NOT_FOUND = 4

/** An exception as it crosses the worker boundary. */
export interface RemoteError {
  readonly name: string
  readonly message: string
  readonly stack: string | undefined
  /** The thrown value itself, when it was not an `Error` and could be cloned. */
  readonly value?: unknown
}

export const toRemoteError = (error: unknown): RemoteError => {
  if (error instanceof Error) {
    return { name: error.name, message: error.message, stack: error.stack }
  }
  let value: unknown
  try {
    value = structuredClone(error)
  } catch {
    value = undefined
  }
  return { name: "Error", message: String(error), stack: undefined, value }
}

/** Why `value` cannot be cloned, or undefined when it can. Cheap for primitives. */
export const cloneProblem = (value: unknown): string | undefined => {
  const type = typeof value
  if (type === "function") return `${describe(value)} could not be cloned (a function)`
  if (type === "symbol") return `${String(value)} could not be cloned (a symbol)`
  if (type !== "object" || value === null) return undefined
  // Bytes always clone: no need to copy 100 MB to find out.
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return undefined
  try {
    structuredClone(value)
    return undefined
  } catch (error) {
    return `${describe(value)} could not be cloned: ${
      error instanceof Error ? error.message : String(error)
    }`
  }
}

const describe = (value: unknown): string => {
  if (typeof value === "function") {
    return value.name ? `function ${value.name}` : "an anonymous function"
  }
  const ctor = (value as { constructor?: { name?: string } }).constructor?.name
  return ctor && ctor !== "Object" ? `a ${ctor} instance` : "the value"
}

/**
 * How many typed-array elements `value` holds (in arrays and plain objects;
 * Maps and Sets are not looked into). Deno's `node:worker_threads` walks every
 * own key of a received message, each index of a typed array included (a
 * 100 MB `Uint8Array` takes minutes); a message past a threshold crosses as
 * {@link PACKED} instead: one `ArrayBuffer`, which has no keys to walk.
 */
export const typedArrayElements = (value: unknown, depth = 0): number => {
  if (value === null || typeof value !== "object" || depth > 8) return 0
  if (ArrayBuffer.isView(value)) return (value as { length?: number }).length ?? value.byteLength
  let total = 0
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item = value[i]
      if (item !== null && typeof item === "object") total += typedArrayElements(item, depth + 1)
    }
  } else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const key in value) {
      total += typedArrayElements((value as Record<string, unknown>)[key], depth + 1)
    }
  }
  return total
}

/** Whether `value` holds a `SharedArrayBuffer` (memory a child process cannot share). */
export const holdsSharedMemory = (value: unknown, depth = 0): boolean => {
  if (value === null || typeof value !== "object" || depth > 32) return false
  if (typeof SharedArrayBuffer !== "undefined" && value instanceof SharedArrayBuffer) return true
  if (ArrayBuffer.isView(value)) {
    return typeof SharedArrayBuffer !== "undefined" && value.buffer instanceof SharedArrayBuffer
  }
  if (value instanceof Map) {
    for (const [k, v] of value) {
      if (holdsSharedMemory(k, depth + 1) || holdsSharedMemory(v, depth + 1)) return true
    }
    return false
  }
  if (value instanceof Set) {
    for (const v of value) if (holdsSharedMemory(v, depth + 1)) return true
    return false
  }
  for (const key in value) {
    if (holdsSharedMemory((value as Record<string, unknown>)[key], depth + 1)) return true
  }
  return false
}
