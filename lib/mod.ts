/**
 * effect-asyncio: the Python asyncio playbook on Effect v4 fibers, for Deno
 * and Bun. This entry names every public function and type of the
 * asyncio-shaped modules; each module is also a subpath export
 * (`effect-asyncio/coroutine`, `effect-asyncio/loop`, …). `Event`,
 * `LagMonitor`, `Queue`, `PriorityQueue`, `LifoQueue`, `Lock`, `Semaphore`,
 * `BoundedSemaphore`, `Condition` and `Barrier` are namespaces (`Event.make`,
 * `Queue.make`, …), as their modules are built around a `make` constructor. The cluster executor is only
 * at `effect-asyncio/cluster`: its dependencies load when it is imported; the
 * executor's measuring helpers (`spanned`, `trial`, `speedupTable`, …) only at
 * `effect-asyncio/executor`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { gather } from "effect-asyncio"
 * import assert from "node:assert/strict"
 *
 * assert.deepEqual(await Effect.runPromise(gather([Effect.succeed("a")])), ["a"])
 * ```
 *
 * @module
 */
import * as Barrier from "./barrier.ts"
import * as BoundedSemaphore from "./bounded-semaphore.ts"
import * as Condition from "./condition.ts"
import * as Event from "./event.ts"
import * as LagMonitor from "./lag-monitor.ts"
import * as LifoQueue from "./lifo-queue.ts"
import * as Lock from "./lock.ts"
import * as PriorityQueue from "./priority-queue.ts"
import * as Queue from "./queue.ts"
import * as Semaphore from "./semaphore.ts"

export {
  Barrier,
  BoundedSemaphore,
  Condition,
  Event,
  LagMonitor,
  LifoQueue,
  Lock,
  PriorityQueue,
  Queue,
  Semaphore,
}
export {
  ALL_COMPLETED,
  AsyncError,
  type Awaitable,
  CancelledError,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  fromAsync,
  gather,
  type GatherOptions,
  NestedRunError,
  type ReturnWhen,
  run,
  type RunOptions,
  wait,
  waitFor,
  type WaitOptions,
  type WaitResult,
} from "./coroutine.ts"
export { createTask, NoRunningLoopError, type Task, withRunningLoop } from "./task.ts"
export {
  callAt,
  callLater,
  callSoon,
  defaultExceptionHandler,
  defaultLoop,
  type ExceptionContext,
  ExceptionHandler,
  exceptionHandlerLayer,
  fastLoop,
  getExceptionHandler,
  getRunningLoop,
  type Handle,
  type Loop,
  type LoopHandle,
  type LoopInfo,
  loopInfo,
  loopLayer,
  makeFastLoop,
  makeLoop,
  time,
  type TimerHandle,
  withExceptionHandler,
  withLoop,
} from "./loop.ts"
export {
  type AnyWorkerFunction,
  BrokenWorkerError,
  ClusterDeliveryError,
  DefaultExecutor,
  defaultExecutorLayer,
  type Executor,
  type ExecutorError,
  type ExecutorOptions,
  ExecutorShutdownError,
  type ExecutorStats,
  isWorkerFunction,
  MAX_WORKERS,
  MissingMainGuardError,
  NotCloneableError,
  ProcessPoolExecutor,
  runInExecutor,
  setDefaultExecutor,
  type ShutdownOptions,
  TaskError,
  TaskNotFoundError,
  ThreadPoolExecutor,
  type WorkerFunction,
  workerFunction,
} from "./executor.ts"
export {
  connect,
  type ConnectOptions,
  type EchoServer,
  type Message,
  serveEcho,
  type ServeEchoOptions,
  type WebSocketClient,
  WebSocketClosedError,
  WebSocketConnectError,
  WebSocketServeError,
  WebSocketTimeoutError,
  WebSocketUrlError,
} from "./websocket.ts"
export { type TaskGroup, taskGroup, TaskGroupError, TaskGroupStateError } from "./task-group.ts"
export { type Timeout, timeout, timeoutAt, TimeoutStateError } from "./timeout.ts"
export { shield } from "./shield.ts"
export { asCompleted, type AsCompletedOptions, asCompletedStream } from "./as-completed.ts"
export {
  addSignalHandler,
  hasSignalHandler,
  removeSignalHandler,
  type Signal,
  SignalError,
  signalExitCode,
} from "./signals.ts"
