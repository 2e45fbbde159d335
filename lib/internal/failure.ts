/**
 * Which exits the loop reports: a failure, but not an interruption (as
 * asyncio does not report a cancelled task or callback).
 *
 * @module
 */

import { Cause, type Exit } from "effect"

/** Whether `exit` is a failure other than an interruption. */
export const isFailure = (
  exit: Exit.Exit<unknown, unknown> | undefined,
): exit is Exit.Failure<unknown, unknown> =>
  exit !== undefined && exit._tag === "Failure" && !Cause.hasInterruptsOnly(exit.cause)
