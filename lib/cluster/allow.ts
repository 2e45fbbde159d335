/**
 * Which task modules a runner imports: its allow-list. Internal to
 * `effect-asyncio/cluster`.
 *
 * An entry is a directory tree or file (an absolute path or a `file:` URL:
 * every module under it), a package name (`lodash`, `@scope/pkg`: the
 * package and its subpaths), or any other specifier or URL prefix
 * (`node:path`, `https://example.com/tasks/`). A specifier no entry covers
 * is refused, and so are relative ones; `node:`, `data:`, `blob:`, `http:`,
 * `https:`, `npm:` and `jsr:` specifiers pass only under an entry that
 * names them.
 *
 * @example A runner for /srv/app runs its tasks, and nothing else
 * ```ts
 * import assert from "node:assert/strict"
 * import { allowList } from "./allow.ts"
 *
 * const allowed = allowList(["/srv/app", "lodash"])
 * assert.equal(allowed("file:///srv/app/tasks.ts"), undefined)
 * assert.equal(allowed("lodash/fp"), undefined)
 * assert.match(allowed("file:///srv/app-other/tasks.ts") ?? "", /not in the runner's allow-list/)
 * assert.match(allowed("node:child_process") ?? "", /not in the runner's allow-list/)
 * ```
 *
 * @module
 */
import { existsSync } from "node:fs"
import { dirname, isAbsolute, join, resolve } from "node:path"
import process from "node:process"
import { pathToFileURL } from "node:url"

/** A file: URL (or absolute path) as a normalized URL; undefined when it is not one. */
const fileUrl = (s: string): string | undefined => {
  try {
    if (isAbsolute(s)) return pathToFileURL(resolve(s)).href
    const url = new URL(s)
    return url.protocol === "file:" && url.search === "" && url.hash === "" ? url.href : undefined
  } catch {
    return undefined
  }
}

const PACKAGE = /^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i

/** Does `entry` (an allow-list entry, normalized) cover `specifier` (normalized)? */
const covers = (entry: string, specifier: string): boolean =>
  specifier === entry ||
  specifier.startsWith(entry.endsWith("/") || entry.endsWith(":") ? entry : `${entry}/`)

/** Normalizes an allow-list entry; throws a RangeError for one that names nothing. */
const normalize = (entry: string): string => {
  const file = fileUrl(entry)
  if (file !== undefined) return file.replace(/\/$/, "")
  if (entry.startsWith(".")) {
    throw new RangeError(`--allow-module ${entry}: give an absolute path or a file: URL`)
  }
  if (PACKAGE.test(entry) || /^[a-z][a-z0-9+.-]*:/i.test(entry)) return entry
  throw new RangeError(`--allow-module ${entry}: not a path, file: URL, package name or URL`)
}

/**
 * A check of task specifiers against `entries`: undefined when allowed, else
 * why not. Throws a RangeError for an entry that names nothing.
 */
export const allowList = (
  entries: ReadonlyArray<string>,
): (specifier: string) => string | undefined => {
  const allowed = entries.map(normalize)
  return (specifier) => {
    const file = specifier.startsWith("/") || specifier.startsWith("file:")
      ? fileUrl(specifier)
      : specifier
    if (file === undefined || specifier.startsWith(".")) {
      return `${specifier} is not an absolute module specifier`
    }
    if (allowed.some((entry) => covers(entry, file))) return undefined
    return `${specifier} is not in the runner's allow-list (--allow-module)`
  }
}

/**
 * The project a program belongs to: the nearest directory above `from`
 * (default: this program's main module, else the working directory) with a
 * `package.json`, `deno.json` or `deno.jsonc`; `from`'s own directory when
 * there is none.
 */
export const projectRoot = (from?: string): string => {
  const start = from ?? mainModuleDir() ?? process.cwd()
  for (let dir = start;; dir = dirname(dir)) {
    if (["package.json", "deno.json", "deno.jsonc"].some((f) => existsSync(join(dir, f)))) {
      return dir
    }
    if (dirname(dir) === dir) return start
  }
}

const mainModuleDir = (): string | undefined => {
  const deno = (globalThis as { Deno?: { mainModule?: string } }).Deno
  const bun = (globalThis as { Bun?: { main?: string } }).Bun
  const main = deno?.mainModule ?? bun?.main ?? process.argv[1]
  if (main === undefined) return undefined
  const path = main.startsWith("file:") ? new URL(main).pathname : main
  return isAbsolute(path) ? dirname(decodeURIComponent(path)) : undefined
}
