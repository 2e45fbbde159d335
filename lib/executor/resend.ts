/**
 * What to do with a batch the worker's channel refused to send: a plain
 * decision, kept apart from the pool that acts on it. Internal to
 * `effect-asyncio/executor`.
 *
 * A send throws when some argument cannot be cloned. Rather than fail the
 * whole batch, each task is looked at: one with an argument that cannot be
 * cloned fails (naming the argument), the others are sent again.
 *
 * @module
 */
import { cloneProblem } from "./protocol.ts"

/** A task that cannot be sent: its argument at `index`, and why. */
export interface Unsendable<J> {
  readonly job: J
  readonly index: number
  readonly problem: string
}

/** Splits a refused batch: the tasks to send again, in order, and those that cannot be sent. */
export const splitRefused = <J extends { readonly args: ReadonlyArray<unknown> }>(
  jobs: ReadonlyArray<J>,
): { readonly resend: Array<J>; readonly unsendable: Array<Unsendable<J>> } => {
  const resend: Array<J> = []
  const unsendable: Array<Unsendable<J>> = []
  for (const job of jobs) {
    const index = job.args.findIndex((arg) => cloneProblem(arg) !== undefined)
    if (index === -1) resend.push(job)
    else unsendable.push({ job, index, problem: cloneProblem(job.args[index])! })
  }
  return { resend, unsendable }
}
