/** Test support shared by the test files. */
export { runScript } from "effect-asyncio/runtime"

/** Resolves a path relative to the repository root. */
export const fromRoot = (path: string): string => new URL(`../${path}`, import.meta.url).pathname
