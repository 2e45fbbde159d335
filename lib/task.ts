/**
 * Tasks owned by the running loop: `createTask` (`asyncio.create_task`), and
 * `withRunningLoop(main)`, which runs `main` with a running loop (the scope
 * that owns the tasks; `run` does it for you).
 *
 * In asyncio a task belongs to the loop, not to the coroutine that created
 * it: it keeps running after its creator returns, until it finishes or the
 * loop ends. In Effect a forked fiber belongs to its parent, so
 * {@link createTask} forks into the running loop's `Scope` instead. When the
 * loop ends (main has returned) the tasks still pending are interrupted, and
 * a task that failed while nobody joined, awaited or polled it is reported
 * to the loop's exception handler as "Task exception was never retrieved".
 *
 * A {@link Task} is a `Fiber`: join it, await it, pass it to `wait`, `gather`
 * or `waitFor` (`effect-asyncio/coroutine`), or `cancel` it.
 *
 * @example A task outlives the fiber that created it
 * ```ts
 * import { Effect, Fiber } from "effect"
 * import { createTask, withRunningLoop } from "effect-asyncio/task"
 * import assert from "node:assert/strict"
 *
 * const result = await Effect.runPromise(withRunningLoop(Effect.gen(function* () {
 *   const creator = yield* Effect.forkChild(
 *     createTask(Effect.as(Effect.sleep("5 millis"), "done")),
 *   )
 *   const task = yield* Fiber.join(creator) // the creator has ended
 *   return yield* Fiber.join(task)
 * })))
 * assert.equal(result, "done")
 * ```
 *
 * @module
 */
import { Context, Data, Effect, type Exit, Fiber, Scope } from "effect"
import { RunningLoop, type TaskRecord } from "./internal/running-loop.ts"
import { reportException } from "./loop/exception-handler.ts"
import { isFailure } from "./internal/failure.ts"

/** `createTask` was called with no running loop (asyncio's "no running event loop"). */
export class NoRunningLoopError extends Data.TaggedError("NoRunningLoopError")<{
  readonly message: string
}> {}

/** A task of the running loop, like asyncio's `Task`: a Fiber with a name and `cancel`. */
export interface Task<A, E = never> extends Fiber.Fiber<A, E> {
  /** `Task-1`, `Task-2`, … unless named. */
  readonly name: string
  /** Interrupts the task and waits for it to end (`task.cancel()`, then awaiting it). */
  readonly cancel: Effect.Effect<void>
}

/**
 * Runs `main` with a running loop: a scope that owns the tasks `createTask`
 * makes (and the callbacks `callLater` schedules from `main`). When `main`
 * ends, the pending tasks are interrupted, and the failures of tasks nobody
 * retrieved are reported to the exception handler. `run` does this for you.
 */
export const withRunningLoop = <A, E, R>(
  main: Effect.Effect<A, E, R>,
): Effect.Effect<A, E, Exclude<R, Scope.Scope>> =>
  Effect.scoped(Effect.withFiber((fiber) => {
    const context = fiber.context
    const scope = Context.get(context as Context.Context<Scope.Scope>, Scope.Scope)
    const loop: RunningLoop = { scope, tasks: new Set() }
    // Added first, so it runs last: after the pending tasks were interrupted.
    const report = Effect.sync(() => {
      for (const task of loop.tasks) {
        const exit = task.fiber.pollUnsafe()
        if (!task.retrieved && isFailure(exit)) {
          reportException(context, `Task exception was never retrieved: ${task.name}`, exit.cause)
        }
      }
    })
    return Effect.andThen(
      Scope.addFinalizer(scope, report),
      Effect.provideService(main, RunningLoop, loop),
    )
  })) as Effect.Effect<A, E, Exclude<R, Scope.Scope>>

let taskCount = 0

/** The next default task name, `Task-N` (shared by `createTask` and `TaskGroup.createTask`). */
export const nextTaskName = (): string => `Task-${++taskCount}`

/**
 * Forks `effect` as a task of the running loop, like `asyncio.create_task`:
 * it starts on the loop's next turn and runs until it ends or the loop ends,
 * whoever created it. With no running loop (outside `run`/`withRunningLoop`) it
 * dies with a {@link NoRunningLoopError}.
 */
export const createTask = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  options?: { readonly name?: string },
): Effect.Effect<Task<A, E>, never, R> =>
  Effect.flatMap(Effect.service(RunningLoop), (loop) => {
    if (loop === undefined) {
      return Effect.die(
        new NoRunningLoopError({
          message:
            "createTask: no running loop (call it inside run(main) or withRunningLoop(main))",
        }),
      )
    }
    const name = options?.name ?? nextTaskName()
    return Effect.map(Effect.forkIn(effect, loop.scope), (fiber) => {
      const record: TaskRecord = { name, fiber, retrieved: false }
      loop.tasks.add(record)
      // A task that ends well, or is interrupted, needs no report: forget it.
      fiber.addObserver((exit) => {
        if (!isFailure(exit)) loop.tasks.delete(record)
      })
      return asTask(fiber, record)
    })
  })

/**
 * The fiber seen through a proxy that notes when a failure is read from it
 * (what `Fiber.join`, `Fiber.await`, `pollUnsafe` and observers do), and
 * adds `name` and `cancel`. The fiber itself runs untouched.
 */
const asTask = <A, E>(fiber: Fiber.Fiber<A, E>, record: TaskRecord): Task<A, E> => {
  const cancel = Fiber.interrupt(fiber)
  const read = <X extends Exit.Exit<A, E> | undefined>(exit: X): X => {
    if (isFailure(exit)) record.retrieved = true
    return exit
  }
  const pollUnsafe = () => read(fiber.pollUnsafe())
  const addObserver = (observer: (exit: Exit.Exit<A, E>) => void) =>
    fiber.addObserver((exit) => observer(read(exit)))
  return new Proxy(fiber, {
    get(target, property) {
      switch (property) {
        case "name":
          return record.name
        case "cancel":
          return cancel
        case "pollUnsafe":
          return pollUnsafe
        case "addObserver":
          return addObserver
        case "_exit":
          return read(target.pollUnsafe())
      }
      const value = Reflect.get(target, property, target)
      return typeof value === "function" ? value.bind(target) : value
    },
  }) as Task<A, E>
}
