/**
 * Delays and timeouts of the asyncio-named functions (`callLater`, `waitFor`,
 * `wait`'s `timeout`, `Event.waitFor`): {@link Delay}, which refuses a bare
 * number literal at compile time (asyncio reads it as seconds, Effect as
 * milliseconds: a porter's `callLater(0.5, f)` would fire at once), and
 * {@link millisOf}, which reads one in milliseconds at run time.
 *
 * @module
 */

import { Duration } from "effect"

/**
 * A delay or timeout: any `Duration.Input` but a bare number, which does not
 * compile and says what to write instead (`"500 millis"`,
 * `Duration.seconds(0.5)`). A number cast to `Duration.Input`
 * (`ms as Duration.Input`) passes: its author chose Effect's convention,
 * where a number is milliseconds; at run time any number is read so.
 */
export type Delay<D> =
  & D
  & (D extends number ? {
      readonly 'a bare number is ambiguous here (asyncio: seconds; Effect: milliseconds): write "500 millis" or Duration.seconds(0.5)':
        never
    }
    : unknown)

/**
 * A delay or timeout in milliseconds; NaN stays NaN, so that each caller can
 * turn it into its own clear error rather than "run at once".
 */
export const millisOf = (input: Duration.Input): number =>
  typeof input === "number" ? input : Duration.toMillis(Duration.fromInputUnsafe(input))
