/**
 * Which task a worker's death is blamed on: a plain decision, kept apart
 * from the pool that acts on it. Internal to `effect-asyncio/executor`.
 *
 * A crash fails only the task that was running. The worker's own word (its
 * exit handler names the task it was in) decides. A worker the pool
 * terminated itself blames nobody (its interrupted task is settled already).
 * Silence (killed from outside) certainly blames a task only when it was the
 * only one handed over: it earns a strike, and fails at {@link MAX_STRIKES};
 * several unreported tasks become suspects, each run alone next time, so that
 * a second crash names its task.
 *
 * @module
 */

/** A task that was running alone at this many silent crashes (no word from the worker) fails. */
export const MAX_STRIKES = 2

/** What `blame` reads and marks on an unreported task of the dead worker. */
export interface Orphan {
  readonly id: number
  strikes: number
  suspect: boolean
}

/** What the dead worker left behind. */
export interface Death {
  /** The pool terminated it (to stop an interrupted task). */
  readonly killed: boolean
  /** The task its exit handler said it was in (-1: none), or undefined when it said nothing. */
  readonly exitCurrent: number | undefined
}

/**
 * The orphan to fail for `death`, if any; marks strikes and suspects on the
 * others, which the pool runs again.
 */
export const blame = <J extends Orphan>(
  orphans: ReadonlyArray<J>,
  death: Death,
  maxStrikes: number = MAX_STRIKES,
): J | undefined => {
  if (death.killed) return undefined
  if (death.exitCurrent !== undefined) {
    return orphans.find((job) => job.id === death.exitCurrent)
  }
  if (orphans.length === 1) {
    const only = orphans[0]
    only.suspect = true
    return ++only.strikes >= maxStrikes ? only : undefined
  }
  for (const job of orphans) job.suspect = true
  return undefined
}
