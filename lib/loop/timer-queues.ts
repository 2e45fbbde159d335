/**
 * Which timer queue a fiber's callbacks go to: one per `Scope`, `Clock` and
 * scheduler, made (with one finalizer on the scope) on first use. Internal to
 * the loop; `callSoon`, `callLater`, `callAt` and `getRunningLoop` find or
 * make theirs with {@link withTimerQueue}.
 *
 * @example A queue is made per scope and runs what is due
 * ```ts
 * import { Effect } from "effect"
 * import { timerQueue } from "./timer-queues.ts"
 * import assert from "node:assert/strict"
 *
 * const seen: Array<string> = []
 * await Effect.runPromise(Effect.scoped(Effect.gen(function* () {
 *   const queue = yield* timerQueue
 *   const now = queue.now()
 *   queue.schedule(now + 2, () => seen.push("second"), [])
 *   queue.schedule(now + 1, () => seen.push("first"), [])
 *   yield* Effect.sleep("10 millis")
 * })))
 * assert.deepEqual(seen, ["first", "second"])
 * ```
 *
 * @module
 */
import { Clock, Context, Effect, type Fiber, Scheduler, Scope } from "effect"
import { TimerQueue } from "./timer-queue.ts"

const queues = new WeakMap<Scope.Scope, Array<TimerQueue>>()

/** The timer queue `fiber` would use, if it exists already (the fast path). */
const existingTimerQueue = (
  fiber: Fiber.Fiber<unknown, unknown>,
): TimerQueue | undefined => {
  // A fiber scheduling many callbacks asks with the same context each time.
  if (fiber.context === lastContext) return lastQueue
  const queue = findQueue(fiber)
  if (queue !== undefined) {
    lastContext = fiber.context
    lastQueue = queue
  }
  return queue
}

let lastContext: Context.Context<never> | undefined = undefined
let lastQueue: TimerQueue | undefined = undefined

const findQueue = (fiber: Fiber.Fiber<unknown, unknown>): TimerQueue | undefined => {
  const scope = Context.getOrUndefined(fiber.context as Context.Context<Scope.Scope>, Scope.Scope)
  const list = scope === undefined ? undefined : queues.get(scope)
  if (list === undefined) return undefined
  const clock = fiber.getRef(Clock.Clock)
  const scheduler = fiber.getRef(Scheduler.Scheduler)
  for (let i = 0; i < list.length; i++) {
    if (list[i].clock === clock && list[i].scheduler === scheduler) return list[i]
  }
  return undefined
}

/**
 * The timer queue of the current scope, for the current `Clock` and
 * scheduler; made (with one finalizer on the scope) on first use.
 */
export const timerQueue: Effect.Effect<TimerQueue, never, Scope.Scope> = Effect.withFiber(
  (fiber) => {
    const existing = existingTimerQueue(fiber)
    if (existing !== undefined) return Effect.succeed(existing)
    const context = fiber.context
    const scope = Context.get(context as Context.Context<Scope.Scope>, Scope.Scope)
    const queue = new TimerQueue(
      fiber.getRef(Clock.Clock),
      fiber.getRef(Scheduler.Scheduler),
      context,
    )
    const list = queues.get(scope) ?? []
    list.push(queue)
    queues.set(scope, list)
    return Effect.as(
      Scope.addFinalizer(
        scope,
        Effect.suspend(() => {
          list.splice(list.indexOf(queue), 1)
          if (lastQueue === queue) lastContext = lastQueue = undefined
          return queue.close()
        }),
      ),
      queue,
    )
  },
)

/**
 * Calls `use` with the timer queue of `fiber` (its scope, `Clock` and
 * scheduler), made first if there is none: synchronously when it exists.
 */
export const withTimerQueue = <A>(
  fiber: Fiber.Fiber<unknown, unknown>,
  use: (queue: TimerQueue) => A,
): Effect.Effect<A, never, Scope.Scope> => {
  const queue = existingTimerQueue(fiber)
  return queue !== undefined ? Effect.succeed(use(queue)) : Effect.map(timerQueue, use)
}
