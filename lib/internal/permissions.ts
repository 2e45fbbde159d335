/**
 * Deno's permissions, told in one line.
 *
 * Deno runs a program with no permissions unless flags grant them
 * (`--allow-read`, `--allow-net`, …); Bun has none to grant. A denied
 * permission surfaces as a `NotCapable` error, often wrapped (a worker that
 * could not start, a server that could not listen). {@link hintPermissions}
 * finds it anywhere in a failed program's cause and replaces the stack
 * trace with a one-line {@link PermissionDeniedError} that names the flag.
 * `run` (`effect-asyncio/coroutine`) applies it to every program.
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
 * ```
 *
 * @module
 */
import { Console, Data, Effect, Runtime } from "effect"

/** A permission Deno denied: which flag grants it, and Deno's own words. */
export class PermissionDeniedError extends Data.TaggedError("PermissionDeniedError")<{
  /** The flag that grants it, e.g. `--allow-net`. */
  readonly flag: string
  /** Deno's message, e.g. `Requires net access to "127.0.0.1:0"`. */
  readonly detail: string
}> {
  /** Already a one-line message: `run` prints it, not a stack. */
  override readonly [Runtime.errorReported] = false
  override get message(): string {
    return `permission denied: ${this.detail}. Run again with ${this.flag} (Deno); each recipe's flags are in its "Run it" line.`
  }
}

const isDenied = (u: unknown): u is Error =>
  u instanceof Error && (u.name === "NotCapable" || u.name === "PermissionDenied")

/** The first denied-permission error in `u` or its chain of `cause`s. */
const deniedIn = (u: unknown, depth = 0): Error | undefined =>
  isDenied(u)
    ? u
    : u instanceof Object && depth < 8
    ? deniedIn((u as { cause?: unknown }).cause, depth + 1)
    : undefined

/** Reads a `NotCapable` error into a {@link PermissionDeniedError}. */
export const fromDenied = (error: Error): PermissionDeniedError => {
  const flag = error.message.match(/(--allow-[a-z-]+)/)?.[1] ?? "the permission it names"
  const detail = error.message.replace(/,? run again with the --allow-[a-z-]+ flag\.?$/, "")
  return new PermissionDeniedError({ flag, detail })
}

/**
 * Runs `effect`; if it fails or dies because Deno denied a permission, prints
 * one line naming the flag (to stderr) and fails with a
 * {@link PermissionDeniedError} instead. Other failures pass through as they are.
 */
export const hintPermissions = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
): Effect.Effect<A, E | PermissionDeniedError, R> =>
  Effect.catchCause(effect, (cause): Effect.Effect<never, E | PermissionDeniedError> => {
    for (const reason of cause.reasons) {
      const denied = deniedIn(
        reason._tag === "Fail" ? reason.error : reason._tag === "Die" ? reason.defect : undefined,
      )
      if (denied) {
        const error = fromDenied(denied)
        return Effect.andThen(Console.error(error.message), Effect.fail(error))
      }
    }
    return Effect.failCause(cause)
  })
