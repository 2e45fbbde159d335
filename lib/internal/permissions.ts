/**
 * Deno's permissions, told in one line.
 *
 * Deno runs a program with no permissions unless flags grant them
 * (`--allow-read`, `--allow-net`, …); Bun has none to grant. A denied
 * permission surfaces as a `NotCapable` error, often wrapped (a worker that
 * could not start, a server that could not listen). {@link hintPermissions}
 * finds it anywhere in a failed program's cause and replaces the stack
 * trace with a one-line {@link PermissionDeniedError}: what was denied, and
 * the command that runs the program again with every flag it needs (the
 * ones it holds and the missing one). A pool asks for every permission its
 * workers need when it is made, so an executor program learns them all in
 * one run. `run` (`effect-asyncio/coroutine`) prints that one line, once.
 *
 * @example A denied permission becomes a typed, one-line failure
 * ```ts
 * import { Effect, Exit } from "effect"
 * import { hintPermissions, PermissionDeniedError } from "./permissions.ts"
 * import assert from "node:assert/strict"
 *
 * const denied = Object.assign(
 *   new Error('Requires net access to "127.0.0.1:0", run again with the --allow-net flag'),
 *   { name: "NotCapable" },
 * )
 * const exit = await Effect.runPromiseExit(
 *   hintPermissions(Effect.fail(new Error("cannot serve", { cause: denied }))),
 * )
 * assert.ok(Exit.isFailure(exit))
 * const error = exit.cause.reasons[0]._tag === "Fail" ? exit.cause.reasons[0].error : undefined
 * assert.ok(error instanceof PermissionDeniedError)
 * assert.equal(error.flag, "--allow-net")
 * assert.ok(error.flags.includes("--allow-net"))
 * assert.match(error.message, /Run again with: deno run .*--allow-net/)
 * ```
 *
 * @module
 */
import { Console, Data, Effect } from "effect"
import process from "node:process"
import { denoFlagsHeld } from "../executor/deno-flags.ts"
import { markOneLine } from "./one-line.ts"

/** Deno's permission flags, in the order `deno run --help` lists them. */
const ORDER = ["read", "write", "net", "env", "run", "ffi", "sys", "import"]
  .map((name) => `--allow-${name}`)

const sorted = (flags: Iterable<string>): Array<string> =>
  [...new Set(flags)].sort((a, b) =>
    (ORDER.indexOf(a) + 1 || ORDER.length + 1) - (ORDER.indexOf(b) + 1 || ORDER.length + 1)
  )

/** The program as the user started it: its main module, relative to the working directory. */
const entry = (): string => {
  const deno = (globalThis as { Deno?: { mainModule: string; args: Array<string> } }).Deno
  let main: string
  try {
    main = deno === undefined
      ? process.argv[1] ?? "main.ts"
      : decodeURIComponent(new URL(deno.mainModule).pathname)
  } catch {
    main = "main.ts"
  }
  const cwd = `${process.cwd()}/`
  const shown = main.startsWith(cwd) ? main.slice(cwd.length) : main
  return (deno?.args.length ?? 0) > 0 ? `${shown} …` : shown
}

/** A permission Deno denied: which flags grant it, and what was denied. */
export class PermissionDeniedError extends Data.TaggedError("PermissionDeniedError")<{
  /** The (first) missing flag, e.g. `--allow-net`. */
  readonly flag: string
  /** What was denied: Deno's words (`Requires net access to "127.0.0.1:0"`) or what needs it. */
  readonly detail: string
  /** Every flag to run the program with: those it holds whole and those it lacks. */
  readonly flags: ReadonlyArray<string>
}> {
  constructor(
    args: { readonly flag: string; readonly detail: string; readonly flags: ReadonlyArray<string> },
  ) {
    super(args)
    // Already one line: `run` prints it, not a stack.
    markOneLine(this)
  }
  override get message(): string {
    return `permission denied: ${this.detail}. Run again with: deno run ${
      this.flags.join(" ")
    } ${entry()}`
  }
}

/**
 * The error for the permissions `what` needs (`needs`, as flags) when this
 * program lacks `missing` of them: it names every flag to run again with.
 */
export const permissionsNeeded = (
  what: string,
  needs: ReadonlyArray<string>,
  missing: ReadonlyArray<string>,
): PermissionDeniedError =>
  new PermissionDeniedError({
    flag: missing[0],
    detail: `${what} needs ${needs.join(" ")}${
      missing.length < needs.length ? ` (missing: ${missing.join(" ")})` : ""
    }`,
    flags: sorted([...denoFlagsHeld(), ...needs]),
  })

const isDenied = (u: unknown): u is Error =>
  u instanceof Error && (u.name === "NotCapable" || u.name === "PermissionDenied")

/** The first denied-permission error in `u` or its chain of `cause`s. */
const deniedIn = (u: unknown, depth = 0): Error | PermissionDeniedError | undefined =>
  u instanceof PermissionDeniedError || isDenied(u)
    ? u
    : u instanceof Object && depth < 8
    ? deniedIn((u as { cause?: unknown }).cause, depth + 1)
    : undefined

/** Reads a `NotCapable` error into a {@link PermissionDeniedError}. */
export const fromDenied = (error: Error): PermissionDeniedError => {
  const flag = error.message.match(/(--allow-[a-z-]+)/)?.[1] ?? "the permission it names"
  const detail = error.message.replace(/,? run again with the --allow-[a-z-]+ flag\.?$/, "")
  return new PermissionDeniedError({ flag, detail, flags: sorted([...denoFlagsHeld(), flag]) })
}

/**
 * Runs `effect`; if it fails or dies because Deno denied a permission, it
 * fails with a {@link PermissionDeniedError} instead (printing nothing: see
 * {@link hintPermissions}). Other failures pass through as they are.
 */
export const catchPermissions = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
): Effect.Effect<A, E | PermissionDeniedError, R> =>
  Effect.catchCause(effect, (cause): Effect.Effect<never, E | PermissionDeniedError> => {
    for (const reason of cause.reasons) {
      const denied = deniedIn(
        reason._tag === "Fail" ? reason.error : reason._tag === "Die" ? reason.defect : undefined,
      )
      if (denied) {
        return Effect.fail(denied instanceof PermissionDeniedError ? denied : fromDenied(denied))
      }
    }
    return Effect.failCause(cause)
  })

/**
 * Runs `effect`; if it fails or dies because Deno denied a permission, prints
 * one line naming the flags (to stderr) and fails with a
 * {@link PermissionDeniedError} instead. Other failures pass through as they
 * are. (`run` uses {@link catchPermissions} and prints the line itself.)
 */
export const hintPermissions = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
): Effect.Effect<A, E | PermissionDeniedError, R> =>
  Effect.tapError(
    catchPermissions(effect),
    (error) => error instanceof PermissionDeniedError ? Console.error(error.message) : Effect.void,
  )
