/**
 * The running loop's record, internal. The running loop is what `run` (through
 * `withRunningLoop`, `effect-asyncio/task`) gives `main`: one scope that owns
 * the tasks `createTask` makes (and the callbacks `main` schedules). This
 * record holds that scope and the tasks whose failure nobody has read yet;
 * `withRunningLoop` sets it, `createTask`, `wait` and `asCompleted` read it.
 *
 * @module
 */
import { Context, type Fiber, type Scope } from "effect"

/** One task of the running loop, as the end-of-loop report sees it. */
export interface TaskRecord {
  readonly name: string
  readonly fiber: Fiber.Fiber<unknown, unknown>
  /** Someone read its outcome: joined, awaited, polled or observed it. */
  retrieved: boolean
}

/** What `withRunningLoop` provides: the scope that owns the tasks, and the tasks. */
export interface RunningLoop {
  readonly scope: Scope.Scope
  readonly tasks: Set<TaskRecord>
}

/** The running loop, if any (set by `withRunningLoop`, so by `run`). */
export const RunningLoop: Context.Reference<RunningLoop | undefined> = Context.Reference(
  "effect-asyncio/RunningLoop",
  { defaultValue: (): RunningLoop | undefined => undefined },
)
