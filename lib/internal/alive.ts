/**
 * Whether a process is alive: signal 0 reaches it, or it exists as another
 * user's process (EPERM). The sweeps of what killed programs left behind ask it.
 *
 * @module
 */
import process from "node:process"

/** True while `pid` names a running (or not yet reaped) process. */
export const isAlive = (pid: number): boolean => {
  if (!(pid > 0)) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as { code?: string }).code === "EPERM"
  }
}
