/**
 * `asyncio.TaskGroup` on Effect fibers: `taskGroup((tg) => body)` is
 * `async with TaskGroup() as tg: body`.
 *
 * - `tg.createTask(effect, { name })` starts a task on the loop's next turn
 *   and returns its {@link Task}; the group ends only when the body and every
 *   task have ended.
 * - The first task that fails (an interruption is not a failure) cancels the
 *   other tasks and the body; the group then fails with one
 *   {@link TaskGroupError} holding every failure in the order they happened
 *   (asyncio's `ExceptionGroup`, even for one), the body's own failure last.
 * - Interrupting the group's caller interrupts the body and every task,
 *   waits for them, and stays an interruption.
 * - `createTask` on a group that has ended dies with a
 *   {@link TaskGroupStateError} ("is finished"), and on a group that is
 *   cancelling its tasks with one that says "is shutting down" (3.11).
 * - Groups nest: an inner group's `TaskGroupError` is one failure of the outer.
 *
 * The body runs in a fiber of its own, so the group can cancel it without
 * cancelling the caller; its tasks belong to the group, not to whoever
 * called `createTask`.
 *
 * @example One failure cancels the siblings
 * ```ts
 * import { Effect } from "effect"
 * import { taskGroup } from "effect-asyncio/task-group"
 * import assert from "node:assert/strict"
 *
 * const seen: Array<string> = []
 * const error = await Effect.runPromise(Effect.flip(taskGroup((tg) =>
 *   Effect.gen(function* () {
 *     yield* tg.createTask(Effect.never.pipe(Effect.onInterrupt(() =>
 *       Effect.sync(() => seen.push("sibling cancelled"))
 *     )))
 *     yield* tg.createTask(Effect.fail("boom").pipe(Effect.delay("1 millis")))
 *   })
 * )))
 * assert.equal(error._tag, "TaskGroupError")
 * assert.deepEqual(error.errors, ["boom"])
 * assert.deepEqual(seen, ["sibling cancelled"])
 * ```
 *
 * @module
 */
import { Cause, Data, Effect, type Exit, Fiber, type Scheduler } from "effect"
import { isFailure } from "./internal/failure.ts"
import { nextTaskName, type Task } from "./task.ts"

/** The group's failures, in order (asyncio's `ExceptionGroup("unhandled errors in a TaskGroup")`). */
export class TaskGroupError extends Data.TaggedError("TaskGroupError")<{
  readonly message: string
  /** Each failure, squashed: a task's error (or defect), the body's last. */
  readonly errors: ReadonlyArray<unknown>
  /** Each failure's whole `Cause`, in the same order. */
  readonly causes: ReadonlyArray<Cause.Cause<unknown>>
}> {}

/** `createTask` on a group that has ended or is shutting down (asyncio's `RuntimeError`). */
export class TaskGroupStateError extends Data.TaggedError("TaskGroupStateError")<{
  readonly message: string
}> {}

/** The handle the body gets: `async with TaskGroup() as tg`'s `tg`. */
export interface TaskGroup {
  /**
   * Starts `effect` as a task of the group (it runs from the loop's next
   * turn), like `tg.create_task(coro, name=...)`.
   */
  createTask<A, E, R>(
    effect: Effect.Effect<A, E, R>,
    options?: { readonly name?: string },
  ): Effect.Effect<Task<A, E>, never, R>
}

const ACTIVE = 0
const ABORTING = 1
const FINISHED = 2

class Group implements TaskGroup {
  state = ACTIVE
  abortSoon = false
  readonly tasks = new Set<Fiber.Fiber<unknown, unknown>>()
  readonly failures: Array<Cause.Cause<unknown>> = []
  body: Fiber.Fiber<unknown, unknown> | undefined = undefined
  bodyExit: Exit.Exit<unknown, unknown> | undefined = undefined
  /** Called once the body and every task have ended. */
  onSettled: (() => void) | undefined = undefined
  constructor(readonly dispatcher: Scheduler.SchedulerDispatcher) {}

  createTask<A, E, R>(
    effect: Effect.Effect<A, E, R>,
    options?: { readonly name?: string },
  ): Effect.Effect<Task<A, E>, never, R> {
    return Effect.suspend(() => {
      if (this.state !== ACTIVE) {
        const what = this.state === FINISHED ? "is finished" : "is shutting down"
        return Effect.die(new TaskGroupStateError({ message: `createTask: TaskGroup ${what}` }))
      }
      return Effect.map(Effect.forkDetach(effect), (fiber) => {
        this.tasks.add(fiber)
        fiber.addObserver((exit) => this.taskDone(fiber, exit))
        return named(fiber, options?.name ?? nextTaskName())
      })
    })
  }

  taskDone(fiber: Fiber.Fiber<unknown, unknown>, exit: Exit.Exit<unknown, unknown>): void {
    this.tasks.delete(fiber)
    if (isFailure(exit)) {
      this.failures.push(exit.cause)
      // On the loop's next turn, as asyncio's done callback: tasks ready now run first.
      if (this.state === ACTIVE && !this.abortSoon) {
        this.abortSoon = true
        this.dispatcher.scheduleTask(() => this.state === ACTIVE && this.abort(), 0)
      }
    }
    this.check()
  }

  /**
   * Cancels every task, then the body; or the body first when the caller
   * was cancelled (the orders asyncio's tasks see it in).
   */
  abort(bodyFirst = false): void {
    this.state = ABORTING
    if (bodyFirst) this.body?.interruptUnsafe()
    for (const task of Array.from(this.tasks)) task.interruptUnsafe()
    if (!bodyFirst) this.body?.interruptUnsafe()
  }

  check(): void {
    if (this.tasks.size === 0 && this.bodyExit !== undefined && this.onSettled !== undefined) {
      const settled = this.onSettled
      this.onSettled = undefined
      settled()
    }
  }
}

/** The fiber with a name and `cancel` (its own fiber runs untouched). */
const named = <A, E>(fiber: Fiber.Fiber<A, E>, name: string): Task<A, E> => {
  const cancel = Fiber.interrupt(fiber)
  return new Proxy(fiber, {
    get(target, property) {
      if (property === "name") return name
      if (property === "cancel") return cancel
      const value = Reflect.get(target, property, target)
      return typeof value === "function" ? value.bind(target) : value
    },
  }) as Task<A, E>
}

/**
 * Runs `body` with a task group, like `async with asyncio.TaskGroup() as tg`:
 * the result is the body's, once every task has ended; see the module doc
 * for failures and cancellation.
 */
export const taskGroup = <A, E, R>(
  body: (group: TaskGroup) => Effect.Effect<A, E, R>,
): Effect.Effect<A, TaskGroupError, R> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.withFiber((caller) => {
      const group = new Group(caller.currentDispatcher)
      return Effect.flatMap(
        Effect.forkChild(restore(Effect.suspend(() => body(group))), { startImmediately: true }),
        (fiber) => {
          group.body = fiber
          fiber.addObserver((exit) => {
            group.bodyExit = exit
            // The body's failure cancels the tasks (asyncio's __aexit__ with an exception).
            if (isFailure(exit) && group.state === ACTIVE) group.abort()
            group.check()
          })
          const settled = Effect.callback<void>((resume) => {
            group.onSettled = () => resume(Effect.void)
            group.check()
          })
          return restore(settled).pipe(
            // The caller was interrupted: cancel everything, wait for it, stay interrupted.
            Effect.onInterrupt(() =>
              Effect.suspend(() => {
                if (group.state === ACTIVE) group.abort(true)
                return settled
              })
            ),
            Effect.flatMap(() => outcome(group)),
          )
        },
      )
    })
  ) as Effect.Effect<A, TaskGroupError, R>

const outcome = (group: Group): Effect.Effect<unknown, TaskGroupError> => {
  group.state = FINISHED
  const body = group.bodyExit!
  const causes = [...group.failures]
  if (isFailure(body)) causes.push(body.cause)
  if (causes.length > 0) {
    return Effect.fail(
      new TaskGroupError({
        message: `unhandled errors in a TaskGroup (${causes.length} sub-exception${
          causes.length === 1 ? "" : "s"
        })`,
        errors: causes.map(Cause.squash),
        causes,
      }),
    )
  }
  return body as Exit.Exit<unknown, never>
}
