/**
 * Support shared by the tests, the tour (scripts/tour.ts) and the benches: the repository root,
 * and running a script as a child process (on this runtime or the other one)
 * with a time limit. Not part of the package: it is not asyncio, nor Effect.
 */
import { spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import { basename, dirname } from "node:path"
import process from "node:process"
import { runtime, type RuntimeName } from "../lib/internal/runtime.ts"

/** Resolves a path relative to the repository root. */
export const fromRoot = (path: string): string => new URL(`../${path}`, import.meta.url).pathname

/**
 * `execPath` spelt differently (`…/./deno`). Deno's `node:child_process`
 * gives a child started from its own exact `execPath`, with no permission
 * flags, the parent's permissions; another spelling of the same file gets
 * just the flags it is given, as a user's `deno run` would.
 */
const otherPath = (execPath: string): string => `${dirname(execPath)}/./${basename(execPath)}`

/**
 * The argv that runs `script` with `args` on a runtime (the current one by
 * default), with all permissions on Deno unless `denoFlags` says otherwise:
 * `deno run -A script …`, `bun script …`. The other runtime is looked up on
 * the `PATH` (npm scripts put `node_modules/.bin` there). `preload` names a
 * module evaluated before the script, e.g. `effect-asyncio/no-async-context`.
 */
export const scriptCommand = (
  script: string,
  args: ReadonlyArray<string> = [],
  on: RuntimeName = runtime.name,
  options: {
    /** Deno's permission flags (default `-A`). */
    readonly denoFlags?: ReadonlyArray<string>
    /** A module both runtimes evaluate before the script (`--preload`). */
    readonly preload?: string
  } = {},
): Array<string> => {
  const denoFlags = options.denoFlags ?? ["-A"]
  const preload = options.preload === undefined ? [] : ["--preload", options.preload]
  const exe = on !== runtime.name
    ? on
    : on === "deno"
    ? otherPath(runtime.execPath)
    : runtime.execPath
  return on === "deno"
    ? [exe, "run", ...denoFlags, ...preload, script, ...args]
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
 */
export const runScript = (
  script: string,
  args: ReadonlyArray<string> = [],
  options: {
    readonly timeoutMs?: number
    readonly cwd?: string
    /** Variables added to the environment the script inherits. */
    readonly env?: Readonly<Record<string, string>>
    readonly input?: string
    /** Run it on this runtime rather than the current one. */
    readonly runtime?: RuntimeName
    /**
     * Deno's permission flags. Default: for a recipe (a file in recipes/), the
     * flags its "Run it" line names, so every recipe test also proves them
     * enough; for anything else, `-A`.
     */
    readonly denoFlags?: ReadonlyArray<string>
    /** A module to evaluate before the script (see {@link scriptCommand}). */
    readonly preload?: string
  } = {},
): Promise<ScriptRun> =>
  new Promise((resolve, reject) => {
    const timeoutMs = options.timeoutMs ?? 20_000
    const [exe, ...argv] = scriptCommand(
      script,
      args,
      options.runtime,
      {
        denoFlags: options.denoFlags ??
          (isRecipe(script) ? denoFlagsOf(readFileSync(script, "utf8")) : undefined),
        preload: options.preload,
      },
    )
    const started = performance.now()
    const child = spawn(exe, argv, {
      cwd: options.cwd,
      env: options.env === undefined ? undefined : { ...process.env, ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    })
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

/**
 * The Deno permission flags a recipe's header asks for in its "Run it" line
 * (`deno run --allow-read recipes/x.ts` → `["--allow-read"]`; none → `[]`).
 */
export const denoFlagsOf = (source: string): Array<string> => {
  const line = source.match(/Run it:\s+deno run ((?:--allow-[a-z]+ )*)recipes\//)
  if (!line) throw new Error(`no "Run it:  deno run … recipes/…" line`)
  return line[1].split(" ").filter((flag) => flag !== "")
}

const recipesDir = fromRoot("recipes/")
const isRecipe = (script: string): boolean =>
  script.startsWith(recipesDir) && !script.slice(recipesDir.length).includes("/")
