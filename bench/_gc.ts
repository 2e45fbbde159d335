/**
 * Makes a real `gc()` available before mitata loads (mitata picks its
 * collector when it is imported): Bun has `Bun.gc`, Deno gets V8's through
 * `--expose-gc` set at run time. Without it, mitata on Deno falls back to
 * allocating a 1 GiB array to provoke a collection, which inflates peak RSS
 * and leaves each variant's garbage to the next one.
 */
import v8 from "node:v8"
import vm from "node:vm"

const g = globalThis as { gc?: () => void; Bun?: { gc(force: boolean): void } }

if (!g.Bun && typeof g.gc !== "function") {
  try {
    v8.setFlagsFromString("--expose-gc")
    g.gc = vm.runInNewContext("gc") as () => void
  } catch {
    // no way to collect on demand: mitata's fallback applies
  }
}

/** Collects garbage now, where the runtime lets us. */
export const collectGarbage = (): void => {
  if (g.Bun) g.Bun.gc(true)
  else g.gc?.()
}
