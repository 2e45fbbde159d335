/**
 * The opt-in that makes Effect's fibers skip the async-context capture, for a
 * whole program: like installing uvloop, it is chosen once, at the top.
 *
 * Effect 4.1 captures an `AsyncResource` at every fiber suspension and enters
 * it at every resume, so that `AsyncLocalStorage` values follow fibers (see
 * `loopInfo()` in `effect-asyncio/loop`). On Deno that, and the garbage it makes,
 * is much of what a fiber suspension costs. Importing this module
 * first hides `node:async_hooks` from Effect while Effect loads (Effect looks
 * it up once, then), and puts `process.getBuiltinModule` back as soon as
 * Effect has loaded. Nothing else changes, and a program that does not import
 * it is untouched.
 *
 * The trade-off: `AsyncLocalStorage` values (OpenTelemetry's context, some
 * loggers) set outside a fiber are gone after its first suspension. Effect's
 * own context (services, `Context.Reference`s, spans) is unaffected.
 *
 * It must be evaluated before anything imports `effect`: make it the entry's
 * first import (imports are evaluated in order), or preload it:
 * `deno run -A --preload effect-asyncio/no-async-context main.ts`,
 * `bun --preload effect-asyncio/no-async-context main.ts`. Imported too late
 * it does nothing; `loopInfo()` then says `capturesAsyncContext: true`.
 *
 * @example The entry's first import
 * ```ts
 * import "effect-asyncio/no-async-context"
 * import { Effect } from "effect"
 * import { loopInfo } from "effect-asyncio/loop"
 * import assert from "node:assert/strict"
 *
 * const info = await Effect.runPromise(loopInfo())
 * assert.equal(info.capturesAsyncContext, false)
 * ```
 *
 * @module
 */
import { restoreGetBuiltinModule } from "./internal/hide-async-hooks.ts"
// Imports are evaluated in order: the wrap above, then all of Effect, then this module's body.
import "effect"

restoreGetBuiltinModule()
