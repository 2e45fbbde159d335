/**
 * Large messages between a thread pool and its workers on Deno. Internal to
 * `effect-asyncio/executor`.
 *
 * Deno's `node:worker_threads` looks through every message it delivers for
 * `MessagePort`s, with a `for…in` over each object, so over each index of a
 * typed array: megabytes take seconds, and 100 MB never arrives (a plain
 * `ArrayBuffer`, which has no indexed keys, is not walked). So on Deno a
 * message holding many typed-array elements is serialized with `node:v8`
 * (the same structured clone) into one `ArrayBuffer`, transferred (not
 * copied) as `[PACKED, buffer]`, and deserialized on the other side. Bun's
 * walk-free `postMessage` needs none of it.
 *
 * @module
 */
import { deserialize, serialize } from "node:v8"
import { runtime } from "../internal/runtime.ts"
import { holdsSharedMemory, PACKED, typedArrayElements } from "./protocol.ts"

const isDeno = runtime.name === "deno"

/** Typed-array elements from which a message crosses as one buffer (on Deno). */
const PACK_FROM_ELEMENTS = 65_536

/** Posts `message` with `post`, as one transferred buffer when it is large (on Deno). */
export const postPacked = (
  post: (message: unknown, transfer?: Array<ArrayBuffer>) => void,
  message: Array<unknown>,
): void => {
  if (!isDeno || typedArrayElements(message) < PACK_FROM_ELEMENTS || holdsSharedMemory(message)) {
    return post(message)
  }
  const bytes = serialize(message)
  const buffer = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? bytes.buffer as ArrayBuffer
    : bytes.slice().buffer as ArrayBuffer
  post([PACKED, buffer], [buffer])
}

/** The message `postPacked` sent. */
export const unpack = (message: Array<unknown>): Array<unknown> =>
  message[0] === PACKED ? deserialize(new Uint8Array(message[1] as ArrayBuffer)) : message
