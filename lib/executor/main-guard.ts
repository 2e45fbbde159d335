/**
 * The `import.meta.main` guard check, asyncio's "if __name__ == '__main__'"
 * mistake. Internal to `effect-asyncio/executor`; it does not import Effect, so
 * a worker starts without loading it.
 *
 * A worker imports a task's module to call the task. A module that starts
 * its program at the top level, not behind `if (import.meta.main)`, starts it
 * again in every worker: each makes a pool, whose workers import the module,
 * and so on without end. So while a worker imports a task module (until its
 * top-level code, top-level `await` included, is done) it says so here, and
 * `run` and the pools refuse to start (CPython's multiprocessing refuses the
 * same way while a child imports the main module).
 *
 * The mark lives on `globalThis`, so that two copies of this library in one
 * worker (the worker's and the task module's) see the same one.
 *
 * @module
 */
import process from "node:process"

const IMPORTING = Symbol.for("effect-asyncio/executor/importing-task-module")

interface Marked {
  [IMPORTING]?: string
}

/** Imports a task's module, marked as a worker's import while it loads. */
export const importTaskModule = (module: string): Promise<Record<string, unknown>> => {
  const global = globalThis as Marked
  global[IMPORTING] = module
  const clear = () => {
    if (global[IMPORTING] === module) delete global[IMPORTING]
  }
  return import(module).finally(clear)
}

/** A path for a `file:` URL (relative to the working directory when inside it), the URL otherwise. */
const shown = (module: string): string => {
  let path: string
  try {
    const url = new URL(module)
    if (url.protocol !== "file:") return module
    path = decodeURIComponent(url.pathname)
  } catch {
    return module
  }
  const cwd = `${process.cwd()}/`
  return path.startsWith(cwd) ? path.slice(cwd.length) : path
}

/**
 * If a worker is importing a task module now, the message that says `what`
 * (`"run(main)"`, `"a thread pool"`) must not start there, and why; else
 * undefined.
 */
export const mainGuardViolation = (
  what: string,
): { readonly module: string; readonly message: string } | undefined => {
  const module = (globalThis as Marked)[IMPORTING]
  if (module === undefined) return undefined
  return {
    module,
    message:
      `${
        shown(module)
      } started ${what} while a worker was importing it to run a task: without a guard, ` +
      "every worker would start the program again. Put the module's program behind " +
      '`if (import.meta.main) { … }` (asyncio: `if __name__ == "__main__":`), ' +
      "so that workers can import its tasks without running it.",
  }
}
