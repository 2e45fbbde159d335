/** What the executor test files share: pool kinds, a pool per test, typed failures. */
import assert from "node:assert/strict"
import { Cause, Effect, Exit, type Scope } from "effect"
import {
  type Executor,
  type ExecutorOptions,
  ProcessPoolExecutor,
  ThreadPoolExecutor,
} from "effect-asyncio/executor"

export const kinds = ["thread", "process"] as const
export type Kind = typeof kinds[number]

export const make = (
  kind: Kind,
  options?: ExecutorOptions,
): Effect.Effect<Executor, never, Scope.Scope> =>
  kind === "thread" ? ThreadPoolExecutor.make(options) : ProcessPoolExecutor.make(options)

/** Runs `body` with a fresh pool of `kind` that closes with the test; a hang (the body or the shutdown) fails it. */
export const withPool = <A, E>(
  kind: Kind,
  options: ExecutorOptions,
  body: (pool: Executor) => Effect.Effect<A, E>,
): Promise<A> =>
  Effect.runPromise(
    Effect.scoped(Effect.flatMap(make(kind, options), body)).pipe(
      // A hang is a failure, not a stuck suite.
      Effect.timeoutOrElse({
        duration: "60 seconds",
        orElse: () => Effect.die(new Error("the test timed out")),
      }),
    ),
  )

/** The typed error an exit failed with (the test fails if it succeeded or died). */
export const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  assert.ok(Exit.isFailure(exit), "expected a failure")
  const error = Cause.findErrorOption(exit.cause)
  assert.ok(error._tag === "Some", `expected a typed failure, got ${Cause.pretty(exit.cause)}`)
  return error.value
}

export const range = (n: number): Array<number> => Array.from({ length: n }, (_, i) => i)
