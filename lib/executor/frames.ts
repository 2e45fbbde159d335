/**
 * Length-prefixed frames of `node:v8` serialized messages, for the process
 * pool's pipes. Internal to `effect-asyncio/executor`.
 *
 * @module
 */
import { deserialize } from "node:v8"

/** Prefixes `payload` with its length (4 bytes, little-endian). */
export const frame = (payload: Uint8Array): Uint8Array => {
  const out = new Uint8Array(payload.length + 4)
  new DataView(out.buffer).setUint32(0, payload.length, true)
  out.set(payload, 4)
  return out
}

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
        this.onMessage(deserialize(chunk.subarray(offset + 4, offset + 4 + size)))
        offset += 4 + size
      }
      if (offset === chunk.length) return
      chunk = chunk.subarray(offset)
    }
    this.append(chunk)
    while (this.length >= 4) {
      const size = new DataView(this.buffer.buffer, this.buffer.byteOffset).getUint32(0, true)
      if (this.length - 4 < size) return
      const payload = this.buffer.slice(4, 4 + size)
      this.buffer.copyWithin(0, 4 + size, this.length)
      this.length -= 4 + size
      this.onMessage(deserialize(payload))
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
