/**
 * The first half of `effect-asyncio/no-async-context`. Evaluating this module
 * wraps `process.getBuiltinModule` so that a lookup of `node:async_hooks`
 * answers "no such module" (what a browser answers); every other lookup goes
 * through. It imports nothing, so it runs before `effect` loads;
 * {@link restoreGetBuiltinModule} puts the original back right after.
 *
 * @module
 */

type GetBuiltinModule = (id: string) => unknown
const host = (globalThis as { process?: { getBuiltinModule?: GetBuiltinModule } }).process
const own = host ? Object.getOwnPropertyDescriptor(host, "getBuiltinModule") : undefined
const original = host?.getBuiltinModule

let wrapped = false
if (host && typeof original === "function" && (own === undefined || own.configurable)) {
  const hidden: GetBuiltinModule = function (this: unknown, id: string) {
    return id === "node:async_hooks" || id === "async_hooks" ? undefined : original.call(this, id)
  }
  // A host that will not let us wrap it keeps the capture (capturesAsyncContext() then says so).
  try {
    Object.defineProperty(host, "getBuiltinModule", {
      value: hidden,
      writable: true,
      configurable: true,
      enumerable: own?.enumerable ?? false,
    })
    wrapped = true
  } catch {
    wrapped = false
  }
}

/** Puts `process.getBuiltinModule` back exactly as it was before this module ran. */
export const restoreGetBuiltinModule = (): void => {
  if (!host || !wrapped) return
  wrapped = false
  if (own) Object.defineProperty(host, "getBuiltinModule", own)
  else delete host.getBuiltinModule
}
