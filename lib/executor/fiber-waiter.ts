/**
 * The waiter of one `submit`: the fiber suspended in `Effect.callback`,
 * resumed with the job's outcome. Internal to `effect-asyncio/executor`.
 *
 * @module
 */
import { Effect } from "effect"
import { INTERRUPTED, type Job, type Waiter } from "./model.ts"

/** How the pool resumes a waiting fiber (the callback of `Effect.callback`). */
// deno-lint-ignore no-explicit-any
export type Resume = (effect: Effect.Effect<any, any>) => void

/** An outcome as the Effect a waiting fiber resumes with ({@link INTERRUPTED}: interrupted). */
export const outcome = (ok: boolean, value: unknown): Effect.Effect<unknown, unknown> =>
  ok ? Effect.succeed(value) : value === INTERRUPTED ? Effect.interrupt : Effect.fail(value)

/** Waits for one job: resumes its fiber once, with the job's outcome. */
export class FiberWaiter implements Waiter {
  constructor(private readonly resume: Resume) {}

  settled(_job: Job, ok: boolean, value: unknown): void {
    this.resume(outcome(ok, value))
  }
}
