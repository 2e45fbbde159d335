/**
 * Deno permissions and the executors: the flags a process-pool child starts
 * with (no more than its parent has), and what a pool needs before it starts
 * any worker. Internal to `effect-asyncio/executor`.
 *
 * Deno tells a program what it may do (`Deno.permissions.querySync`) but not
 * the list behind a partial grant (`--allow-read=.`), so: each permission the
 * parent holds whole is passed whole (`--allow-net`); a partial read grant
 * becomes read access to those of the paths a child needs (the working
 * directory, the main module's directory, this library's root) that the
 * parent may read; other partial grants are not passed on (the child gets
 * less, never more). `--no-prompt`: a child cannot ask, its stdin is a pipe.
 *
 * A pool asks for every permission its workers will need when it is made
 * ({@link denoPoolNeeds}), so a program run without them learns every
 * missing flag at once, not one per run.
 *
 * @module
 */
import process from "node:process"

type Descriptor = { name: string; path?: string; command?: string }

interface DenoPermissions {
  readonly permissions: {
    querySync(descriptor: Descriptor): { state: string }
    requestSync(descriptor: Descriptor): { state: string }
  }
  readonly mainModule: string
  cwd(): string
}

const NAMES = ["read", "write", "net", "env", "run", "ffi", "sys", "import"] as const

const pathOf = (url: string): string | undefined => {
  try {
    const parsed = new URL(url)
    return parsed.protocol === "file:" ? decodeURIComponent(parsed.pathname) : undefined
  } catch {
    return undefined
  }
}

/** The `deno run` permission flags of a child: the parent's grants, or less. */
export const denoPermissionFlags = (): Array<string> => {
  const deno = (globalThis as unknown as { Deno: DenoPermissions }).Deno
  const granted = (descriptor: { name: string; path?: string }): boolean => {
    try {
      return deno.permissions.querySync(descriptor).state === "granted"
    } catch {
      return false
    }
  }
  const flags = ["--no-prompt"]
  for (const name of NAMES) if (granted({ name })) flags.push(`--allow-${name}`)
  if (!flags.includes("--allow-read")) {
    const candidates = [
      (() => {
        try {
          return deno.cwd()
        } catch {
          return undefined
        }
      })(),
      pathOf(new URL(".", deno.mainModule).href),
      // This library's root: lib/executor/ → the package.
      pathOf(new URL("../../", import.meta.url).href),
    ]
    const paths = [...new Set(candidates)].filter((path): path is string =>
      path !== undefined && !path.includes(",") && granted({ name: "read", path })
    )
    if (paths.length > 0) flags.push(`--allow-read=${paths.join(",")}`)
  }
  return flags
}

/** This library's root (lib/executor/ → the package): the workers' entry modules are in it. */
const libraryRoot = (): string | undefined => pathOf(new URL("../../", import.meta.url).href)

/**
 * On Deno, the flags a pool of `kind` needs (its workers import modules; a
 * process pool also reads the environment and runs the runtime), and those
 * of them this program lacks. A missing one is requested first, so that a
 * user at a terminal is prompted as Deno does (without a terminal the
 * request is denied at once). On Bun: none.
 */
export const denoPoolNeeds = (
  kind: "thread" | "process",
): { readonly needs: Array<string>; readonly missing: Array<string> } => {
  const deno = (globalThis as unknown as { Deno?: DenoPermissions }).Deno
  if (deno === undefined) return { needs: [], missing: [] }
  const root = libraryRoot()
  const wants: Array<[string, Descriptor]> = [
    ["--allow-read", root === undefined ? { name: "read" } : { name: "read", path: root }],
  ]
  if (kind === "process") {
    wants.push(["--allow-env", { name: "env" }])
    wants.push(["--allow-run", { name: "run", command: process.execPath }])
  }
  const granted = (descriptor: Descriptor): boolean => {
    try {
      // Granted already: no prompt. Else Deno prompts at a terminal, or denies at once.
      return deno.permissions.requestSync(descriptor).state === "granted"
    } catch {
      return false
    }
  }
  return {
    needs: wants.map(([flag]) => flag),
    missing: wants.filter(([, descriptor]) => !granted(descriptor)).map(([flag]) => flag),
  }
}

/** The permissions this Deno program holds whole, as flags (`--allow-net`), in Deno's order. */
export const denoFlagsHeld = (): Array<string> => {
  const deno = (globalThis as unknown as { Deno?: DenoPermissions }).Deno
  if (deno === undefined) return []
  return NAMES.filter((name) => {
    try {
      return deno.permissions.querySync({ name }).state === "granted"
    } catch {
      return false
    }
  }).map((name) => `--allow-${name}`)
}
