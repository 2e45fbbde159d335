/**
 * Child processes of a local cluster (the embedded Postgres supervisor, the
 * local runners) as scoped resources. Internal to `effect-asyncio/cluster`.
 *
 * Each child gets a stdin pipe it watches: when the parent exits or is
 * killed the pipe closes and the child stops on its own, so nothing outlives
 * the program. At scope close the shutdown has two phases: ask (close stdin,
 * SIGTERM), wait a bounded time, then SIGKILL.
 *
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { createServer } from "node:net"
import process from "node:process"
import { Data, Effect, type Scope } from "effect"

/** A local cluster process could not be started. */
export class ClusterStartError extends Data.TaggedError("ClusterStartError")<{
  readonly message: string
}> {}

export type Runtime = "deno" | "bun"

/** The runtime running this program. */
export const currentRuntime: Runtime =
  typeof (globalThis as { Deno?: unknown }).Deno !== "undefined" ? "deno" : "bun"

/** The command that starts `runtime`: this executable, or the one on PATH / in node_modules. */
export const runtimeCommand = (runtime: Runtime): string => {
  if (runtime === currentRuntime) return process.execPath
  const local = new URL(`../../node_modules/.bin/${runtime}`, import.meta.url).pathname
  if (existsSync(local)) return local
  for (const dir of (process.env.PATH ?? "").split(":")) {
    if (dir !== "" && existsSync(`${dir}/${runtime}`)) return `${dir}/${runtime}`
  }
  return runtime
}

/** A free TCP port on 127.0.0.1, from the kernel. */
export const freePort: Effect.Effect<number, ClusterStartError> = Effect.callback((resume) => {
  const server = createServer()
  server.once(
    "error",
    (error) =>
      resume(Effect.fail(new ClusterStartError({ message: `no free port: ${error.message}` }))),
  )
  server.listen(0, "127.0.0.1", () => {
    const port = (server.address() as { port: number }).port
    server.close(() => resume(Effect.succeed(port)))
  })
})

/** A started child and the words of its `ready …` line. */
export interface Child {
  readonly process: ChildProcess
  readonly pid: number
  readonly ready: ReadonlyArray<string>
}

// When this module runs from dist/ (the packed package), its siblings are .js.
const sibling = (name: string) =>
  new URL(`./${name}${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`, import.meta.url).pathname

/**
 * Starts `module` (a sibling entry file) on `runtime` and waits for its
 * `ready` line, at most `readyTimeoutMs`. Stopped with its scope: stdin
 * closed and SIGTERM, then SIGKILL after `closeTimeoutMs`; `onKill` runs
 * after a SIGKILL (to clean up what the child could not).
 */
export const startChild = (options: {
  readonly runtime: Runtime
  readonly module: string
  readonly args: ReadonlyArray<string>
  /** Deno's permission flags for it (default `-A`). */
  readonly denoFlags?: ReadonlyArray<string> | undefined
  /** Its environment (default: this process's); how secrets reach it, never `args`. */
  readonly env?: Record<string, string | undefined> | undefined
  readonly readyTimeoutMs: number
  readonly closeTimeoutMs: number
  readonly onKill?: (child: Child) => void
}): Effect.Effect<Child, ClusterStartError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.callback<Child, ClusterStartError>((resume) => {
      const child = spawn(
        runtimeCommand(options.runtime),
        [
          ...(options.runtime === "deno" ? ["run", ...(options.denoFlags ?? ["-A"])] : []),
          sibling(options.module),
          ...options.args,
        ],
        { stdio: ["pipe", "pipe", "inherit"], env: options.env ?? process.env },
      )
      child.stdin!.on("error", () => {})
      let out = ""
      let settled = false
      const fail = (message: string, kill = true) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        if (kill) child.kill("SIGKILL")
        else {
          // It said why it cannot start and cleans up after itself: ask it to exit, bounded.
          child.stdin!.end()
          setTimeout(() => child.kill("SIGKILL"), options.closeTimeoutMs).unref?.()
        }
        resume(Effect.fail(new ClusterStartError({ message })))
      }
      const timer = setTimeout(
        () => fail(`${options.module} did not start within ${options.readyTimeoutMs} ms`),
        options.readyTimeoutMs,
      )
      child.on("error", (error) => fail(`could not start ${options.module}: ${error.message}`))
      child.on("exit", (code, signal) =>
        fail(`${options.module} exited before it was ready (${signal ?? `code ${code}`})`))
      child.stdout!.on("data", (chunk: Uint8Array) => {
        if (settled) {
          return
        }
        out += new TextDecoder().decode(chunk)
        // A child that cannot start says why on a `fail …` line.
        const failed = out.split("\n").find((l) =>
          l.startsWith("fail ")
        )
        if (failed !== undefined) return fail(failed.slice(5), false)
        const line = out.split("\n").find((l) => l.startsWith("ready "))
        if (line === undefined) return
        settled = true
        clearTimeout(timer)
        // Keep draining its stdout so it never blocks on a full pipe.
        child.stdout!.resume()
        resume(Effect.succeed({ process: child, pid: child.pid!, ready: line.split(" ").slice(1) }))
      })
      return Effect.sync(() => fail(`${options.module}: start interrupted`))
    }),
    (child) => stopChild(child, options.closeTimeoutMs, options.onKill),
  )

/** How long to wait for a child's exit after SIGKILL before going on without it. */
const KILL_WAIT_MS = 2_000

/**
 * Two-phase stop: close stdin and SIGTERM, wait up to `timeoutMs`, then
 * SIGKILL; after {@link KILL_WAIT_MS} more it goes on even if no exit was seen.
 */
const stopChild = (
  child: Child,
  timeoutMs: number,
  onKill?: (child: Child) => void,
): Effect.Effect<void> =>
  Effect.callback<void>((resume) => {
    const p = child.process
    if (p.exitCode !== null || p.signalCode !== null) return resume(Effect.void)
    const done = () => {
      clearTimeout(timer)
      clearTimeout(giveUp)
      resume(Effect.void)
    }
    const timer = setTimeout(() => {
      p.kill("SIGKILL")
      onKill?.(child)
    }, timeoutMs)
    const giveUp = setTimeout(done, timeoutMs + KILL_WAIT_MS)
    p.once("exit", done)
    p.stdin!.end()
    p.kill("SIGTERM")
  })
