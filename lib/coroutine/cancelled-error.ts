/**
 * asyncio's `CancelledError`, as a value. Internal: `effect-asyncio/coroutine`
 * re-exports it.
 *
 * @module
 */
import { Data } from "effect"

/**
 * A task or effect was cancelled (interrupted), as asyncio's `CancelledError`:
 * what `gather(…, { returnExceptions: true })` puts in the place of a child
 * cancelled on its own, and what `run` rejects with when main was
 * interrupted by something other than a signal.
 */
export class CancelledError extends Data.TaggedError("CancelledError")<{
  readonly message: string
}> {}
