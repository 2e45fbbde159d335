/**
 * One deadline on a fiber's `Clock`, for `timeout` and `asCompleted`: a host
 * timer on Effect's own clock (no fiber), a sleep in a fiber of its own on
 * any other (a `TestClock` moves only when told).
 *
 * @module
 */

import { type Clock, Clock as ClockModule, Context, Duration, Effect } from "effect"
import { monotonicMillis } from "../loop/timer-queue.ts"

/** Effect's own clock (the one a fiber gets when nobody provided one). */
const defaultClock: Clock.Clock = Context.get(Context.empty(), ClockModule.Clock)

/**
 * Calls `onFire` at `deadline` (milliseconds of `clock`, see `monotonicMillis`);
 * at once if it has passed. Returns the function that disarms it.
 */
export const armDeadline = (
  clock: Clock.Clock,
  deadline: number,
  onFire: () => void,
): () => void => {
  const delay = deadline - monotonicMillis(clock)
  if (delay <= 0) {
    onFire()
    return () => {}
  }
  if (clock === defaultClock) {
    const timer = setTimeout(onFire, delay)
    return () => clearTimeout(timer)
  }
  const fiber = Effect.runFork(
    Effect.andThen(clock.sleep(Duration.millis(delay)), Effect.sync(onFire)),
  )
  return () => fiber.interruptUnsafe()
}
