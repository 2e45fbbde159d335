/**
 * Which JavaScript runtime hosts the program, and how to start another
 * program on the same runtime.
 *
 * Recipes run unchanged on Deno and Bun. The few places that must know which
 * one they are on (spawning a child process, starting a server, printing the
 * loop) ask this module instead of sniffing globals themselves.
 *
 * @example Start a script on the runtime that runs this one
 * ```ts
 * import { runtime, scriptCommand } from "effect-asyncio/runtime"
 * import assert from "node:assert/strict"
 *
 * const [exe, ...args] = scriptCommand("recipes/coroutine-await.ts")
 * assert.ok(runtime.name === "deno" || runtime.name === "bun")
 * assert.equal(exe, runtime.execPath)
 * assert.equal(args.at(-1), "recipes/coroutine-await.ts")
 * ```
 *
 * @module
 */
import { spawn } from "node:child_process"
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

/**
 * The argv that runs `script` with `args` on a runtime (the current one by
 * default), with all permissions on Deno: `deno run -A script …`,
 * `bun script …`. The other runtime is looked up on the `PATH` (npm scripts
 * put `node_modules/.bin` there). `preload` names a module both runtimes
 * evaluate before the script (`--preload`), e.g. `effect-asyncio/no-async-context`.
 */
export const scriptCommand = (
  script: string,
  args: ReadonlyArray<string> = [],
  on: RuntimeName = runtime.name,
  options: { readonly preload?: string } = {},
): Array<string> => {
  const exe = on === runtime.name ? runtime.execPath : on
  const preload = options.preload === undefined ? [] : ["--preload", options.preload]
  return on === "deno"
    ? [exe, "run", "-A", ...preload, script, ...args]
    : [exe, ...preload, script, ...args]
}

/** What {@link runScript} saw of a finished script. */
export interface ScriptRun {
  readonly code: number | null
  readonly signal: string | null
  readonly stdout: string
  readonly stderr: string
  readonly lines: Array<string>
  readonly ms: number
}

/**
 * Runs `script` with `args` on the current runtime (see {@link scriptCommand})
 * and resolves with its output when it exits. If it has not exited within
 * `timeoutMs` (20 s by default) it is killed and the promise rejects: a script
 * that hangs, or that a leaked worker or socket keeps alive, is an error.
 *
 * @example
 * ```ts
 * import { runScript } from "effect-asyncio/runtime"
 * import assert from "node:assert/strict"
 *
 * const run = await runScript("recipes/coroutine-await.ts")
 * assert.equal(run.code, 0)
 * assert.deepEqual(run.lines, ["Hello, world!"])
 * ```
 */
export const runScript = (
  script: string,
  args: ReadonlyArray<string> = [],
  options: {
    readonly timeoutMs?: number
    readonly cwd?: string
    readonly input?: string
    /** Run it on this runtime rather than the current one. */
    readonly runtime?: RuntimeName
    /** A module to evaluate before the script (see {@link scriptCommand}). */
    readonly preload?: string
  } = {},
): Promise<ScriptRun> =>
  new Promise((resolve, reject) => {
    const timeoutMs = options.timeoutMs ?? 20_000
    const [exe, ...argv] = scriptCommand(script, args, options.runtime, options)
    const started = performance.now()
    const child = spawn(exe, argv, { cwd: options.cwd, stdio: ["pipe", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    child.stdin.end(options.input ?? "")
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(
        new Error(
          `${script} did not exit within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`,
        ),
      )
    }, timeoutMs)
    child.on("error", (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on("close", (code, signal) => {
      clearTimeout(timer)
      resolve({
        code,
        signal,
        stdout,
        stderr,
        lines: stdout.split("\n").filter((line) => line !== ""),
        ms: performance.now() - started,
      })
    })
  })
