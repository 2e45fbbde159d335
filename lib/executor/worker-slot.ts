/**
 * The mechanics of a worker's life: start, keep the program alive only while
 * it has work, close in two phases, terminate. Internal to
 * `effect-asyncio/executor`.
 *
 * What the pool decides (which worker gets which tasks, what a death means
 * for them) stays in pool.ts; this file only holds the steps that touch a
 * worker's handle and timers. Its record, `Slot`, is in model.ts.
 *
 * @module
 */
import { ALIVE, CLOSING, DEAD, type Slot } from "./model.ts"
import type { Spawner, WorkerEvents, WorkerHandle } from "./transport.ts"

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
