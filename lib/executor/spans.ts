/**
 * Where and when the calls of a worker function ran, and what that shows:
 * the evidence that an executor ran work in parallel. Internal to
 * `effect-asyncio/executor`, which re-exports `spanned`, `mostAtOnce`,
 * `workersOf`, `trial` and `speedupTable`.
 *
 * - {@link spanned} wraps a plain function so that each call also returns
 *   its {@link Span}: when it started and ended (on a clock shared by every
 *   thread and process of the machine) and which process and thread ran it.
 *   Wrap a worker function's body with it and the spans come back from the
 *   workers.
 * - {@link mostAtOnce} reads spans: the most that were running at one
 *   instant. Above 1, the work ran at the same time, which one thread
 *   cannot do; unlike a speedup, this holds on a busy machine.
 * - {@link trial} times one way of running spanned work, and
 *   {@link speedupTable} compares trials: wall time, speedup over the first,
 *   and the conclusion those numbers support.
 *
 * @example Two calls on one thread never overlap
 * ```ts
 * import { Effect } from "effect"
 * import { mostAtOnce, spanned, trial } from "effect-asyncio/executor"
 * import assert from "node:assert/strict"
 *
 * const square = spanned((n: number) => n * n)
 * const run = await Effect.runPromise(trial("here", Effect.sync(() => [square(3), square(4)])))
 * assert.deepEqual(run.values, [9, 16])
 * assert.equal(mostAtOnce(run.spans), 1)
 * assert.ok(run.ms >= 0)
 * ```
 *
 * @module
 */
import { Effect } from "effect"
import process from "node:process"
import { threadId } from "node:worker_threads"

/** One run of a function: start and end in ms since the epoch, and who ran it. */
export interface Span {
  readonly start: number
  readonly end: number
  /** `pid:threadId` of the process and thread that ran it. */
  readonly worker: string
}

/** A value with the {@link Span} of the call that computed it. */
export interface Spanned<A> {
  readonly value: A
  readonly span: Span
}

/** Now, in ms since the epoch, with sub-ms precision; the same clock in every worker. */
const wallClock = (): number => performance.timeOrigin + performance.now()

/** Wraps `fn` so that each call returns its value together with its {@link Span}. */
export const spanned = <Args extends ReadonlyArray<unknown>, A>(
  fn: (...args: Args) => A,
): (...args: Args) => Spanned<A> =>
(...args) => {
  const start = wallClock()
  const value = fn(...args)
  return { value, span: { start, end: wallClock(), worker: `${process.pid}:${threadId}` } }
}

/** Runs `effect` and returns its value with its wall time in ms. */
const timed = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
): Effect.Effect<{ readonly value: A; readonly ms: number }, E, R> =>
  Effect.gen(function* () {
    const started = performance.now()
    const value = yield* effect
    return { value, ms: performance.now() - started }
  })

/** The most spans that were running at one instant (0 for none). */
export const mostAtOnce = (spans: ReadonlyArray<Span>): number => {
  // Ends sort before starts at the same instant: touching spans do not overlap.
  const edges = spans.flatMap((s) => [[s.start, 1], [s.end, -1]] as const)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1])
  let running = 0
  let most = 0
  for (const [, step] of edges) {
    running += step
    most = Math.max(most, running)
  }
  return most
}

/** How many distinct processes and threads ran the spans. */
export const workersOf = (spans: ReadonlyArray<Span>): number =>
  new Set(spans.map((s) => s.worker)).size

/** One way of running some spanned work, measured by {@link trial}. */
export interface Trial<A> {
  readonly name: string
  readonly ms: number
  readonly values: ReadonlyArray<A>
  readonly spans: ReadonlyArray<Span>
}

/** Runs `effect` (work wrapped with {@link spanned}) and keeps its wall time and spans. */
export const trial = <A, E, R>(
  name: string,
  effect: Effect.Effect<ReadonlyArray<Spanned<A>>, E, R>,
): Effect.Effect<Trial<A>, E, R> =>
  Effect.map(timed(effect), ({ value, ms }) => ({
    name,
    ms,
    values: value.map((r) => r.value),
    spans: value.map((r) => r.span),
  }))

/** A speedup below this is "no faster": within what a noisy machine gives. */
export const FASTER = 1.2

/** What a trial's numbers support, against a baseline that ran `speedup` times slower. */
export const conclusion = (spans: ReadonlyArray<Span>, speedup: number): string => {
  const atOnce = mostAtOnce(spans)
  const faster = speedup >= FASTER ? "faster" : "no faster"
  return atOnce <= 1
    ? `one at a time: ${faster}`
    : `${atOnce} at once on ${workersOf(spans)} workers: ${faster}${
      speedup < FASTER ? " (the cores were busy)" : ""
    }`
}

/** One line per trial: name, wall time, speedup over the first trial, and its {@link conclusion}. */
export const speedupTable = (trials: ReadonlyArray<Trial<unknown>>): Array<string> =>
  trials.map((t, i) => {
    const speedup = trials[0].ms / t.ms
    const ms = Math.round(t.ms).toLocaleString("en").padStart(6)
    const note = i === 0 ? "one at a time (the baseline)" : conclusion(t.spans, speedup)
    return `${t.name.padEnd(34)} ${ms} ms  ${speedup.toFixed(2).padStart(5)}×   ${note}`
  })
