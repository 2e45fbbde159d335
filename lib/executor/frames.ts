/**
 * Length-prefixed frames for the process pool's pipes. Internal to
 * `effect-asyncio/executor`.
 *
 * A frame is a 4-byte little-endian length, a 1-byte encoding, and the
 * payload. Messages made only of primitives and arrays of primitives (the
 * common case: `add(i, 1)`, its result) go as JSON, which both runtimes
 * encode and decode much faster than `node:v8` (on Deno 2.9, `serialize` of
 * a small array takes about 7 µs, `JSON.stringify` a fraction of that);
 * anything else (objects, `Map`, `Date`, `undefined`, `-0`…) goes through
 * `node:v8`, the structured clone the thread pool uses, so both encodings
 * give the same values back.
 *
 * @module
 */
import { deserialize, serialize } from "node:v8"

const V8 = 0
const JSON_TEXT = 1

const encoder = new TextEncoder()
const decoder = new TextDecoder()

const isPrimitive = (value: unknown): boolean => {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true
    case "number":
      // JSON has no NaN, Infinity or -0.
      return Number.isFinite(value) && !Object.is(value, -0)
    case "object":
      return value === null
    default:
      return false
  }
}

/** Whether JSON gives `message` back exactly: primitives, and arrays of primitives. */
const isJsonExact = (message: ReadonlyArray<unknown>): boolean => {
  for (const item of message) {
    if (isPrimitive(item)) continue
    if (!Array.isArray(item)) return false
    for (let i = 0; i < item.length; i++) {
      if (!(i in item) || !isPrimitive(item[i])) return false
    }
  }
  return true
}

const withHeader = (encoding: number, payload: Uint8Array): Uint8Array => {
  const out = new Uint8Array(payload.length + 5)
  new DataView(out.buffer).setUint32(0, payload.length + 1, true)
  out[4] = encoding
  out.set(payload, 5)
  return out
}

/** Encodes one message as a frame; throws (before anything is written) if it cannot be cloned. */
export const encodeFrame = (message: ReadonlyArray<unknown>): Uint8Array =>
  isJsonExact(message)
    ? withHeader(JSON_TEXT, encoder.encode(JSON.stringify(message)))
    : withHeader(V8, serialize(message))

const decode = (body: Uint8Array): Array<unknown> =>
  body[0] === JSON_TEXT
    ? JSON.parse(decoder.decode(body.subarray(1)))
    : deserialize(body.subarray(1))

/** Reassembles frames from stream chunks and hands each decoded message on. */
export class FrameReader {
  private buffer = new Uint8Array(0)
  private length = 0
  constructor(private readonly onMessage: (message: Array<unknown>) => void) {}

  push(chunk: Uint8Array): void {
    if (this.length === 0 && chunk.length >= 4) {
      // Fast path: decode straight from the chunk while whole frames are in it.
      let offset = 0
      const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength)
      while (chunk.length - offset >= 4) {
        const size = view.getUint32(offset, true)
        if (chunk.length - offset - 4 < size) break
        this.onMessage(decode(chunk.subarray(offset + 4, offset + 4 + size)))
        offset += 4 + size
      }
      if (offset === chunk.length) return
      chunk = chunk.subarray(offset)
    }
    this.append(chunk)
    while (this.length >= 4) {
      const size = new DataView(this.buffer.buffer, this.buffer.byteOffset).getUint32(0, true)
      if (this.length - 4 < size) return
      const body = this.buffer.slice(4, 4 + size)
      this.buffer.copyWithin(0, 4 + size, this.length)
      this.length -= 4 + size
      this.onMessage(decode(body))
    }
  }

  private append(chunk: Uint8Array) {
    if (this.length + chunk.length > this.buffer.length) {
      const grown = new Uint8Array(
        Math.max(this.buffer.length * 2, this.length + chunk.length, 4096),
      )
      grown.set(this.buffer.subarray(0, this.length))
      this.buffer = grown
    }
    this.buffer.set(chunk, this.length)
    this.length += chunk.length
  }
}
