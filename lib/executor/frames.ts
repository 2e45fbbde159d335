/**
 * Length-prefixed frames for the process pool's pipes. Internal to
 * `effect-asyncio/executor`.
 *
 * A frame is a 4-byte little-endian length, a 1-byte encoding, and the
 * payload. Messages made only of primitives and arrays of primitives (the
 * common case: `add(i, 1)`, its result) go as JSON, which both runtimes
 * encode and decode much faster than `node:v8` for such small messages;
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

/** Past this payload size a frame goes as two chunks, header and payload, rather than be copied into one. */
const SPLIT_BYTES = 1 << 16

const withHeader = (encoding: number, payload: Uint8Array): Array<Uint8Array> => {
  const header = new Uint8Array(payload.length >= SPLIT_BYTES ? 5 : payload.length + 5)
  new DataView(header.buffer).setUint32(0, payload.length + 1, true)
  header[4] = encoding
  if (payload.length >= SPLIT_BYTES) return [header, payload]
  header.set(payload, 5)
  return [header]
}

/**
 * Encodes one message as a frame, in one chunk (or two for a large one: write
 * them in order); throws, before anything is written, if it cannot be cloned.
 */
export const encodeFrame = (message: ReadonlyArray<unknown>): Array<Uint8Array> =>
  isJsonExact(message)
    ? withHeader(JSON_TEXT, encoder.encode(JSON.stringify(message)))
    : withHeader(V8, serialize(message))

const decode = (body: Uint8Array): Array<unknown> =>
  body[0] === JSON_TEXT
    ? JSON.parse(decoder.decode(body.subarray(1)))
    : deserialize(body.subarray(1))

/** Frames from this size are reassembled in a buffer of their own. */
const LARGE_BYTES = 1 << 20

/** Reassembles frames from stream chunks and hands each decoded message on. */
export class FrameReader {
  private buffer = new Uint8Array(0)
  private length = 0
  /** A large frame being filled in place (no doubling, no copy out), and how much of it is in. */
  private large: Uint8Array | undefined
  private filled = 0
  constructor(private readonly onMessage: (message: Array<unknown>) => void) {}

  push(chunk: Uint8Array): void {
    if (this.large !== undefined) {
      const take = Math.min(chunk.length, this.large.length - this.filled)
      this.large.set(chunk.subarray(0, take), this.filled)
      this.filled += take
      if (this.filled < this.large.length) return
      const body = this.large
      this.large = undefined
      this.onMessage(decode(body))
      if (take === chunk.length) return
      chunk = chunk.subarray(take)
    }
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
      if (chunk.length >= 4) {
        const size = view.getUint32(offset, true)
        if (size >= LARGE_BYTES) {
          // The start of a large frame: give it its own buffer and fill it as chunks come.
          this.large = new Uint8Array(size)
          this.filled = 0
          return this.push(chunk.subarray(4))
        }
      }
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
