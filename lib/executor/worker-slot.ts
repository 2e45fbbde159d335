/**
 * One worker as the pool tracks it, and the mechanics of its life: start,
 * keep the program alive only while it has work, close in two phases,
 * terminate. Internal to `effect-asyncio/executor`.
 *
 * What the pool decides (which worker gets which tasks, what a death means
 * for them) stays in pool.ts; this file only holds the worker's record and
 * the steps that touch its handle and timers.
 *
 * @module
 */
import type { Job } from "./job.ts"
import type { Spawner, WorkerEvents, WorkerHandle } from "./transport.ts"

/** Working, or idle and ready for work. */
export const ALIVE = 0
/** Asked to exit; terminated if it has not by the close timeout. */
export const CLOSING = 1
/** Exited, or terminated: its exit event may still be on the way. */
export const DEAD = 2

export interface Slot {
  readonly handle: WorkerHandle
  /** Tasks handed to the worker and not reported yet, in run order, from `head`. */
  inflight: Array<Job>
  head: number
  /** Task keys this worker has the definition of. */
  readonly known: Set<number>
  state: number
  refd: boolean
  /** Stop handing it work (its task module failed to import). */
  retiring: boolean
  /** From the worker's exit marker: the task it was running, -1 for none. */
  exitCurrent: number | undefined
  exitCode: number | undefined
  closeTimer: ReturnType<typeof setTimeout> | undefined
  /** Terminated by the pool to stop its running task (already settled). */
  killed: boolean
  /** Cancelled tasks the worker has not answered for yet, and the deadline for its word. */
  cancelling: number
  cancelTimer: ReturnType<typeof setTimeout> | undefined
  /** Tasks sent to the worker so far (the next one's position). */
  sent: number
}

/** Starts a worker; `events` receives its slot. Throws what the spawner throws. */
export const spawnSlot = (
  spawner: Spawner,
  events: (slot: Slot) => WorkerEvents,
): Slot => {
  const slot: Slot = {
    handle: undefined as unknown as WorkerHandle,
    inflight: [],
    head: 0,
    known: new Set(),
    state: ALIVE,
    refd: true,
    retiring: false,
    exitCurrent: undefined,
    exitCode: undefined,
    closeTimer: undefined,
    killed: false,
    cancelling: 0,
    cancelTimer: undefined,
    sent: 0,
  }
  ;(slot as { handle: WorkerHandle }).handle = spawner(events(slot))
  return slot
}

/** Keeps the program alive for this worker (it has work, or a shutdown waits for it). */
export const refSlot = (slot: Slot): void => {
  if (!slot.refd) {
    slot.refd = true
    slot.handle.ref()
  }
}

/** Lets the program exit though this worker is alive (it is idle). */
export const unrefSlot = (slot: Slot): void => {
  if (slot.refd) {
    slot.refd = false
    slot.handle.unref()
  }
}

/** Stops waiting for the worker's answer to a cancel. */
export const clearCancelTimer = (slot: Slot): void => {
  if (slot.cancelTimer !== undefined) {
    clearTimeout(slot.cancelTimer)
    slot.cancelTimer = undefined
  }
}

/** Terminates the worker now; its exit event follows. */
export const terminateSlot = (slot: Slot): void => {
  clearCancelTimer(slot)
  slot.state = DEAD
  slot.killed = true
  slot.handle.terminate()
}

/** Two-phase close: asks the worker to exit, terminates it if it has not within `timeoutMs`. */
export const closeSlot = (slot: Slot, timeoutMs: number): void => {
  slot.state = CLOSING
  // Whoever waits for the shutdown waits for this exit: keep the program alive for it.
  refSlot(slot)
  try {
    slot.handle.close()
  } catch {
    // already gone: its exit event follows
  }
  slot.closeTimer = setTimeout(() => slot.handle.terminate(), timeoutMs) // The timer must not be what keeps the program alive.
  ;(slot.closeTimer as { unref?: () => void }).unref?.()
}

/** The worker exited: clear its timers and mark it dead. */
export const slotExited = (slot: Slot): void => {
  if (slot.closeTimer !== undefined) clearTimeout(slot.closeTimer)
  if (slot.cancelTimer !== undefined) clearTimeout(slot.cancelTimer)
  slot.state = DEAD
}
