/**
 * Python's `zip(*iterables)` for `Executor.map`: the argument lists of the
 * calls, until the shortest iterable ends. Internal to the executors (the
 * local pools and the cluster executor); not part of the public surface.
 *
 * @module
 */

/** One argument list per call: the i-th item of each iterable, until the shortest ends. */
export const zip = (iterables: ReadonlyArray<Iterable<unknown>>): Array<Array<unknown>> => {
  const iterators = iterables.map((it) => it[Symbol.iterator]())
  const calls: Array<Array<unknown>> = []
  for (;;) {
    const args: Array<unknown> = []
    for (const it of iterators) {
      const next = it.next()
      if (next.done) return calls
      args.push(next.value)
    }
    calls.push(args)
  }
}
