/**
 * A `Duration.Input` in milliseconds, as `callLater` and `waitFor` read it: a
 * bare number is milliseconds (passed through, NaN included, so each caller
 * can turn NaN into its own clear error rather than "run at once").
 *
 * @module
 */

import { Duration } from "effect"

/** `input` in milliseconds; NaN stays NaN. */
export const millisOf = (input: Duration.Input): number =>
  typeof input === "number" ? input : Duration.toMillis(Duration.fromInputUnsafe(input))
