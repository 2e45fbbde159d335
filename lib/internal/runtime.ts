/**
 * Which JavaScript runtime hosts the program.
 *
 * Recipes run unchanged on Deno and Bun. The few places that must know which
 * one they are on (spawning a child process, starting a server, printing the
 * loop) ask this module instead of sniffing globals themselves.
 *
 * @example Which runtime runs this program
 * ```ts
 * import { runtime } from "./runtime.ts"
 * import assert from "node:assert/strict"
 * import process from "node:process"
 *
 * assert.ok(runtime.name === "deno" || runtime.name === "bun")
 * assert.equal(runtime.execPath, process.execPath)
 * ```
 *
 * @module
 */
import process from "node:process"

/** The two runtimes this project supports. */
export type RuntimeName = "deno" | "bun"

/** Facts about the JavaScript runtime running this program. */
export interface RuntimeInfo {
  readonly name: RuntimeName
  readonly version: string
  /** Absolute path of the runtime's executable (`deno` or `bun`). */
  readonly execPath: string
  /** The host event loop under the runtime: tokio for Deno, Bun's own for Bun. */
  readonly hostLoop: string
}

const detect = (): RuntimeInfo => {
  const g = globalThis as { Deno?: { version: { deno: string } }; Bun?: { version: string } }
  if (g.Bun) {
    return {
      name: "bun",
      version: g.Bun.version,
      execPath: process.execPath,
      hostLoop: "Bun event loop (uSockets)",
    }
  }
  if (g.Deno) {
    return {
      name: "deno",
      version: g.Deno.version.deno,
      execPath: process.execPath,
      hostLoop: "tokio (Rust)",
    }
  }
  throw new Error("effect-asyncio runs on Deno or Bun; this runtime is neither")
}

/** The runtime running this program. */
export const runtime: RuntimeInfo = detect()
